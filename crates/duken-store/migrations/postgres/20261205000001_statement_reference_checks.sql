-- References checked once per statement instead of once per row, on the tables a price list
-- fills in bulk: products, offers, offer_prices, offer_stocks and the price and stock history.
--
-- A foreign key checks every inserted row with its own query and row lock. A price list of a
-- million new SKUs inserts about six million rows in 500-offer statements, and these checks
-- were 60 % of the server's time (BENCHMARKS.md). Here each INSERT statement checks all its
-- rows at once, with one anti-join of the statement's new rows (a transition table) against
-- the referenced table; an UPDATE that changes a referencing column is checked per row, as a
-- foreign key would. A missing reference fails the statement with SQLSTATE 23503 and the
-- name the foreign key had, exactly as before.
--
-- What a foreign key also did, keep the referenced row from being deleted or re-keyed, is a
-- rule of the catalog anyway (rows of cities, sellers, stores, categories, products and
-- offers are never deleted and their ids never reused): triggers refuse such a DELETE,
-- UPDATE of the key or TRUNCATE, whether or not something refers to the row, so that no
-- concurrent transaction can remove a row between another's insert and its check.
--
-- SQLite keeps its foreign keys: there a check is one B-tree lookup, not a query.

ALTER TABLE products DROP CONSTRAINT products_category_id_fkey,
                     DROP CONSTRAINT products_content_seller_id_fkey;
ALTER TABLE offers DROP CONSTRAINT offers_product_id_fkey,
                   DROP CONSTRAINT offers_seller_id_fkey;
ALTER TABLE offer_prices DROP CONSTRAINT offer_prices_offer_id_fkey,
                         DROP CONSTRAINT offer_prices_city_kato_fkey;
ALTER TABLE offer_stocks DROP CONSTRAINT offer_stocks_offer_id_fkey,
                         DROP CONSTRAINT offer_stocks_store_id_fkey;
ALTER TABLE offer_price_history DROP CONSTRAINT offer_price_history_offer_id_fkey;
ALTER TABLE offer_stock_history DROP CONSTRAINT offer_stock_history_offer_id_fkey;

-- Trigger arguments, four per reference: referencing column, referenced table, referenced
-- column, constraint name. Statement level, AFTER INSERT, with the new rows as `new_rows`.
-- Each distinct value is looked up once (a statement of 1 250 prices names about 500 offers
-- and a handful of cities), so a small referenced table is one hash join, a large one an index
-- probe per distinct value.
CREATE FUNCTION check_references_of_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing TEXT;
BEGIN
    FOR i IN 0 .. TG_NARGS / 4 - 1 LOOP
        EXECUTE format(
            'SELECT min(d.v::text) FROM (SELECT DISTINCT n.%1$I AS v FROM new_rows n) d
             WHERE d.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.%3$I = d.v)',
            TG_ARGV[4 * i], TG_ARGV[4 * i + 1], TG_ARGV[4 * i + 2])
        INTO missing;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, TG_ARGV[4 * i + 3]
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[4 * i + 3], TABLE = TG_TABLE_NAME,
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[4 * i], missing, TG_ARGV[4 * i + 1]);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- The same for one updated row whose referencing column changed (row level; one reference).
CREATE FUNCTION check_reference_of_updated_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found BOOLEAN;
    missing TEXT;
BEGIN
    EXECUTE format('SELECT ($1).%1$I IS NULL OR EXISTS (SELECT 1 FROM %2$I p WHERE p.%3$I = ($1).%1$I), ($1).%1$I::text',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[2])
    INTO found, missing USING NEW;
    IF NOT found THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, TG_ARGV[3]
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[3], TABLE = TG_TABLE_NAME,
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], missing, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_refs AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows(
        'category_id', 'categories', 'id', 'products_category_id_fkey',
        'content_seller_id', 'sellers', 'id', 'products_content_seller_id_fkey');
CREATE TRIGGER products_category_ref_update AFTER UPDATE OF category_id ON products
    FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION check_reference_of_updated_row('category_id', 'categories', 'id', 'products_category_id_fkey');
CREATE TRIGGER products_content_seller_ref_update AFTER UPDATE OF content_seller_id ON products
    FOR EACH ROW WHEN (OLD.content_seller_id IS DISTINCT FROM NEW.content_seller_id)
    EXECUTE FUNCTION check_reference_of_updated_row('content_seller_id', 'sellers', 'id', 'products_content_seller_id_fkey');

CREATE TRIGGER offers_refs AFTER INSERT ON offers REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows(
        'product_id', 'products', 'id', 'offers_product_id_fkey',
        'seller_id', 'sellers', 'id', 'offers_seller_id_fkey');
CREATE TRIGGER offers_product_ref_update AFTER UPDATE OF product_id ON offers
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION check_reference_of_updated_row('product_id', 'products', 'id', 'offers_product_id_fkey');
CREATE TRIGGER offers_seller_ref_update AFTER UPDATE OF seller_id ON offers
    FOR EACH ROW WHEN (OLD.seller_id IS DISTINCT FROM NEW.seller_id)
    EXECUTE FUNCTION check_reference_of_updated_row('seller_id', 'sellers', 'id', 'offers_seller_id_fkey');

CREATE TRIGGER offer_prices_refs AFTER INSERT ON offer_prices REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows(
        'offer_id', 'offers', 'id', 'offer_prices_offer_id_fkey',
        'city_kato', 'cities', 'kato', 'offer_prices_city_kato_fkey');
CREATE TRIGGER offer_prices_offer_ref_update AFTER UPDATE OF offer_id ON offer_prices
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION check_reference_of_updated_row('offer_id', 'offers', 'id', 'offer_prices_offer_id_fkey');
CREATE TRIGGER offer_prices_city_ref_update AFTER UPDATE OF city_kato ON offer_prices
    FOR EACH ROW WHEN (OLD.city_kato IS DISTINCT FROM NEW.city_kato)
    EXECUTE FUNCTION check_reference_of_updated_row('city_kato', 'cities', 'kato', 'offer_prices_city_kato_fkey');

CREATE TRIGGER offer_stocks_refs AFTER INSERT ON offer_stocks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows(
        'offer_id', 'offers', 'id', 'offer_stocks_offer_id_fkey',
        'store_id', 'stores', 'id', 'offer_stocks_store_id_fkey');
CREATE TRIGGER offer_stocks_offer_ref_update AFTER UPDATE OF offer_id ON offer_stocks
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION check_reference_of_updated_row('offer_id', 'offers', 'id', 'offer_stocks_offer_id_fkey');
CREATE TRIGGER offer_stocks_store_ref_update AFTER UPDATE OF store_id ON offer_stocks
    FOR EACH ROW WHEN (OLD.store_id IS DISTINCT FROM NEW.store_id)
    EXECUTE FUNCTION check_reference_of_updated_row('store_id', 'stores', 'id', 'offer_stocks_store_id_fkey');

CREATE TRIGGER offer_price_history_refs AFTER INSERT ON offer_price_history REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows('offer_id', 'offers', 'id', 'offer_price_history_offer_id_fkey');
CREATE TRIGGER offer_price_history_offer_ref_update AFTER UPDATE OF offer_id ON offer_price_history
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION check_reference_of_updated_row('offer_id', 'offers', 'id', 'offer_price_history_offer_id_fkey');
CREATE TRIGGER offer_stock_history_refs AFTER INSERT ON offer_stock_history REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows('offer_id', 'offers', 'id', 'offer_stock_history_offer_id_fkey');
CREATE TRIGGER offer_stock_history_offer_ref_update AFTER UPDATE OF offer_id ON offer_stock_history
    FOR EACH ROW WHEN (OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION check_reference_of_updated_row('offer_id', 'offers', 'id', 'offer_stock_history_offer_id_fkey');

-- Referenced rows stay (the message names the table).
CREATE FUNCTION refuse_removing_referenced_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of "%" are never deleted nor re-keyed: other rows refer to them', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
END
$$;

CREATE TRIGGER cities_kept BEFORE DELETE ON cities FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER cities_key_kept BEFORE UPDATE OF kato ON cities
    FOR EACH ROW WHEN (OLD.kato IS DISTINCT FROM NEW.kato) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER cities_not_truncated BEFORE TRUNCATE ON cities FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER sellers_kept BEFORE DELETE ON sellers FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER sellers_key_kept BEFORE UPDATE OF id ON sellers
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER sellers_not_truncated BEFORE TRUNCATE ON sellers FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER stores_kept BEFORE DELETE ON stores FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER stores_key_kept BEFORE UPDATE OF id ON stores
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER stores_not_truncated BEFORE TRUNCATE ON stores FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER categories_kept BEFORE DELETE ON categories FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER categories_key_kept BEFORE UPDATE OF id ON categories
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER categories_not_truncated BEFORE TRUNCATE ON categories FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER products_kept BEFORE DELETE ON products FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER products_key_kept BEFORE UPDATE OF id ON products
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER products_not_truncated BEFORE TRUNCATE ON products FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER offers_kept BEFORE DELETE ON offers FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER offers_key_kept BEFORE UPDATE OF id ON offers
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_removing_referenced_rows();
CREATE TRIGGER offers_not_truncated BEFORE TRUNCATE ON offers FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows();
