-- The catalog issue (§3, §4, §6): seller onboarding and staff invitations, typed attribute
-- schemas per category, product moderation, seller-provided content versions and photos,
-- price and stock history, price-list uploads with their reports, JSON product imports,
-- and the change feed the search index follows.

-- Sellers gain a status (only active sellers' offers are shown), contacts, and the URL of
-- a price list duken fetches on a schedule.
ALTER TABLE sellers ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));
ALTER TABLE sellers ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sellers ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE sellers ADD COLUMN pricelist_url TEXT;
-- Hours between fetches of pricelist_url (1..168).
ALTER TABLE sellers ADD COLUMN pricelist_every_hours INTEGER NOT NULL DEFAULT 24;
ALTER TABLE sellers ADD COLUMN pricelist_fetched_at TEXT;

-- §3: a registered user applies to sell. Operator staff approve (a seller, its first store
-- and the applicant's owner role are created) or reject with a reason. Both are audited.
CREATE TABLE seller_applications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    -- Checked as in domain-kz.md; NULL for a company registered outside Kazakhstan.
    bin           TEXT,
    legal_name    TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    -- ISO 3166-1 alpha-2; is_eaeu derived from it.
    country       TEXT NOT NULL,
    is_eaeu       BOOLEAN NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    -- The first store or pickup point; more are added in the cabinet.
    store_code    TEXT NOT NULL,
    store_name    TEXT NOT NULL,
    store_city_kato TEXT REFERENCES cities(kato),
    store_address TEXT NOT NULL,
    store_hours   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decision_reason TEXT,
    decided_by    BIGINT REFERENCES users(id),
    decided_at    TEXT,
    seller_id     BIGINT REFERENCES sellers(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX seller_applications_status ON seller_applications (status, id);
CREATE INDEX seller_applications_user ON seller_applications (user_id);

-- An owner invites a manager by phone number; the invitee accepts when signed in with it.
CREATE TABLE seller_invitations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    phone         TEXT NOT NULL,
    invited_by    BIGINT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    accepted_at   TEXT,
    revoked_at    TEXT
);
CREATE INDEX seller_invitations_phone ON seller_invitations (phone);

-- Typed attribute schemas. A category's schema is its own attributes plus its ancestors'.
CREATE TABLE category_attributes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id   BIGINT NOT NULL REFERENCES categories(id),
    code          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('enum', 'number', 'boolean', 'text')),
    -- For numbers: the unit the value is in (e.g. "GB", "kg", "inch").
    unit          TEXT NOT NULL DEFAULT '',
    required      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Shown as a search facet.
    facet         BOOLEAN NOT NULL DEFAULT TRUE,
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (category_id, code)
);

-- The allowed values of an enum attribute, with their names.
CREATE TABLE category_attribute_values (
    attribute_id  BIGINT NOT NULL REFERENCES category_attributes(id) ON DELETE CASCADE,
    code          TEXT NOT NULL,
    name_kk       TEXT NOT NULL,
    name_ru       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (attribute_id, code)
);

-- §6: a card created from a seller's offer that matched no card waits for moderation
-- (status 'pending') and is not shown to buyers until an operator publishes it.
ALTER TABLE products ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'rejected'));
ALTER TABLE products ADD COLUMN video_url TEXT NOT NULL DEFAULT '';
-- The seller whose content the card shows now (NULL: the operator's own).
ALTER TABLE products ADD COLUMN content_seller_id BIGINT REFERENCES sellers(id);
CREATE INDEX products_status ON products (status, id);

-- §6: every change of a card's content, with author and time; the page shows the latest.
CREATE TABLE product_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    BIGINT NOT NULL REFERENCES products(id),
    version       INTEGER NOT NULL,
    -- 'seller', 'operator', 'pricelist', 'import' or 'demo'.
    source        TEXT NOT NULL,
    author_user_id BIGINT REFERENCES users(id),
    author_seller_id BIGINT REFERENCES sellers(id),
    -- A JSON snapshot of the content (titles, descriptions, brand, model, attributes, video).
    content       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (product_id, version)
);

-- Photos, stored as files named by their SHA-256 in the data directory.
CREATE TABLE product_photos (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    BIGINT NOT NULL REFERENCES products(id),
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    byte_size     BIGINT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    author_user_id BIGINT REFERENCES users(id),
    author_seller_id BIGINT REFERENCES sellers(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX product_photos_product ON product_photos (product_id, sort_order);

-- Price and stock history: one row per change (NULL price: the city's price was removed).
CREATE TABLE offer_price_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id      BIGINT NOT NULL REFERENCES offers(id),
    city_kato     TEXT NOT NULL,
    price_tiyn    BIGINT,
    upload_id     BIGINT,
    changed_at    TEXT NOT NULL
);
CREATE INDEX offer_price_history_offer ON offer_price_history (offer_id, id);

CREATE TABLE offer_stock_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id      BIGINT NOT NULL REFERENCES offers(id),
    store_id      BIGINT NOT NULL,
    quantity      INTEGER,
    upload_id     BIGINT,
    changed_at    TEXT NOT NULL
);
CREATE INDEX offer_stock_history_offer ON offer_stock_history (offer_id, id);

-- One row per price-list upload (cabinet, command line or scheduled fetch) with its
-- report: applied whole, or rejected whole with every bad line.
CREATE TABLE pricelist_uploads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    source        TEXT NOT NULL CHECK (source IN ('cabinet', 'cli', 'url')),
    file_name     TEXT NOT NULL,
    byte_size     BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    offers_total  BIGINT NOT NULL,
    offers_created BIGINT NOT NULL,
    offers_updated BIGINT NOT NULL,
    offers_unavailable BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    -- JSON: the file-level error (if any) and the first problems, each {line, sku, reason, detail}.
    report        TEXT NOT NULL,
    uploaded_by   BIGINT REFERENCES users(id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL
);
CREATE INDEX pricelist_uploads_seller ON pricelist_uploads (seller_id, id);

-- Merchant API JSON product imports, polled by their code.
CREATE TABLE product_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    status        TEXT NOT NULL,
    item_count    BIGINT NOT NULL,
    -- JSON array of {sku, status, errors[]}.
    result        TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);

-- The change feed the search index follows: written in the same transaction as the change.
-- A row names one product, or one seller (all its products: a price list, a suspension).
CREATE TABLE catalog_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    BIGINT,
    seller_id     BIGINT,
    changed_at    TEXT NOT NULL
);

-- Cards waiting for moderation whose category is not known yet sit in a hidden category,
-- `unsorted`, created by the first price list that needs it.
ALTER TABLE categories ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;

-- The upload that last named an offer: a full upload makes the seller's offers it did not
-- name unavailable.
ALTER TABLE offers ADD COLUMN upload_id BIGINT;
CREATE INDEX offers_seller_upload ON offers (seller_id, upload_id);
