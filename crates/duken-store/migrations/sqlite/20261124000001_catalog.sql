-- The first catalog: cities, sellers and their stores, categories, products, offers with
-- prices per city and stock per store. Money is integer tiyn; times are UTC.
-- The catalog issue extends these tables (attribute schemas, media, content versions,
-- price and stock history); ids are stable and never reused.

-- Cities by KATO code, with Kaspi's city id beside it (equal for most cities, a legacy
-- code for some, e.g. Shymkent). Operators may add more rows.
CREATE TABLE cities (
    kato          TEXT PRIMARY KEY,
    kaspi_city_id TEXT NOT NULL UNIQUE,
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    sort_order    INTEGER NOT NULL
);

CREATE TABLE sellers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The seller's merchant id, as in price lists (<merchantid>) and URLs of tools.
    code          TEXT NOT NULL UNIQUE,
    -- Business identification number; NULL for sellers registered outside Kazakhstan.
    bin           TEXT UNIQUE,
    legal_name    TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    -- ISO 3166-1 alpha-2; is_eaeu is derived from it when written (§9.2 customs).
    country       TEXT NOT NULL,
    is_eaeu       BOOLEAN NOT NULL,
    description_kk TEXT NOT NULL DEFAULT '',
    description_ru TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A seller's pickup point or warehouse; `code` is the storeId of price lists.
-- city_kato is NULL for a warehouse outside Kazakhstan (country says where).
CREATE TABLE stores (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    country       TEXT NOT NULL,
    city_kato     TEXT REFERENCES cities(kato),
    address       TEXT NOT NULL,
    opening_hours TEXT NOT NULL DEFAULT '',
    UNIQUE (seller_id, code)
);
CREATE INDEX stores_city ON stores (city_kato);

CREATE TABLE categories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    parent_id     BIGINT REFERENCES categories(id),
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    sort_order    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent ON categories (parent_id);

-- One card per real product; sellers' offers hang off it.
CREATE TABLE products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    category_id   BIGINT NOT NULL REFERENCES categories(id),
    brand         TEXT NOT NULL,
    model         TEXT NOT NULL DEFAULT '',
    title_kk      TEXT NOT NULL,
    title_ru      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    description_kk TEXT NOT NULL DEFAULT '',
    description_ru TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    -- A JSON object of attribute code to value; typed schemas come with the catalog issue.
    attributes    TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX products_category ON products (category_id);

CREATE TABLE offers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    product_id    BIGINT NOT NULL REFERENCES products(id),
    seller_sku    TEXT NOT NULL,
    available     BOOLEAN NOT NULL DEFAULT TRUE,
    pre_order_days INTEGER NOT NULL DEFAULT 0 CHECK (pre_order_days >= 0),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (seller_id, seller_sku)
);
CREATE INDEX offers_product ON offers (product_id);

-- §4: the seller's price for buyers in one city; information, not an offer.
CREATE TABLE offer_prices (
    offer_id      BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    city_kato     TEXT NOT NULL REFERENCES cities(kato),
    price_tiyn    BIGINT NOT NULL CHECK (price_tiyn > 0),
    PRIMARY KEY (offer_id, city_kato)
);
CREATE INDEX offer_prices_city ON offer_prices (city_kato, offer_id);

CREATE TABLE offer_stocks (
    offer_id      BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    quantity      INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (offer_id, store_id)
);

INSERT INTO cities (kato, kaspi_city_id, name_kk, name_ru, name_en, sort_order) VALUES
    ('750000000', '750000000', 'Алматы', 'Алматы', 'Almaty', 1),
    ('710000000', '710000000', 'Астана', 'Астана', 'Astana', 2),
    ('790000000', '511010000', 'Шымкент', 'Шымкент', 'Shymkent', 3),
    ('351010000', '351010000', 'Қарағанды', 'Караганда', 'Karaganda', 4),
    ('151010000', '151010000', 'Ақтөбе', 'Актобе', 'Aktobe', 5),
    ('311010000', '311010000', 'Тараз', 'Тараз', 'Taraz', 6),
    ('551010000', '551010000', 'Павлодар', 'Павлодар', 'Pavlodar', 7),
    ('631010000', '631010000', 'Өскемен', 'Усть-Каменогорск', 'Oskemen', 8),
    ('231010000', '231010000', 'Атырау', 'Атырау', 'Atyrau', 9),
    ('391010000', '391010000', 'Қостанай', 'Костанай', 'Kostanay', 10),
    ('431010000', '431010000', 'Қызылорда', 'Кызылорда', 'Kyzylorda', 11),
    ('271010000', '271010000', 'Орал', 'Уральск', 'Oral', 12),
    ('591010000', '591010000', 'Петропавл', 'Петропавловск', 'Petropavl', 13),
    ('471010000', '471010000', 'Ақтау', 'Актау', 'Aktau', 14),
    ('111010000', '111010000', 'Көкшетау', 'Кокшетау', 'Kokshetau', 15);
