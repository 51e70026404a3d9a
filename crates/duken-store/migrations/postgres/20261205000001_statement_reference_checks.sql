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

-- The references, as data: one statement trigger per table for all of its references, and one
-- row trigger per reference for updates that change it.
CREATE TEMPORARY TABLE checked_references (tbl TEXT, col TEXT, parent TEXT, parent_col TEXT, name TEXT);
INSERT INTO checked_references VALUES
    ('products', 'category_id', 'categories', 'id', 'products_category_id_fkey'),
    ('products', 'content_seller_id', 'sellers', 'id', 'products_content_seller_id_fkey'),
    ('offers', 'product_id', 'products', 'id', 'offers_product_id_fkey'),
    ('offers', 'seller_id', 'sellers', 'id', 'offers_seller_id_fkey'),
    ('offer_prices', 'offer_id', 'offers', 'id', 'offer_prices_offer_id_fkey'),
    ('offer_prices', 'city_kato', 'cities', 'kato', 'offer_prices_city_kato_fkey'),
    ('offer_stocks', 'offer_id', 'offers', 'id', 'offer_stocks_offer_id_fkey'),
    ('offer_stocks', 'store_id', 'stores', 'id', 'offer_stocks_store_id_fkey'),
    ('offer_price_history', 'offer_id', 'offers', 'id', 'offer_price_history_offer_id_fkey'),
    ('offer_stock_history', 'offer_id', 'offers', 'id', 'offer_stock_history_offer_id_fkey');

DO $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT tbl, string_agg(format('%L, %L, %L, %L', col, parent, parent_col, name), ', ' ORDER BY col) AS args
             FROM checked_references GROUP BY tbl LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION check_references_of_new_rows(%s)',
                       r.tbl || '_refs', r.tbl, r.args);
    END LOOP;
    FOR r IN SELECT * FROM checked_references LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OF %I ON %I
                        FOR EACH ROW WHEN (OLD.%I IS DISTINCT FROM NEW.%I)
                        EXECUTE FUNCTION check_reference_of_updated_row(%L, %L, %L, %L)',
                       r.tbl || '_' || r.col || '_ref_update', r.col, r.tbl, r.col, r.col,
                       r.col, r.parent, r.parent_col, r.name);
    END LOOP;
END
$$;
DROP TABLE checked_references;

-- Referenced rows stay (the message names the table).
CREATE FUNCTION refuse_removing_referenced_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of "%" are never deleted nor re-keyed: other rows refer to them', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
END
$$;

DO $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('cities', 'kato'), ('sellers', 'id'), ('stores', 'id'), ('categories', 'id'),
                                   ('products', 'id'), ('offers', 'id')) AS t(tbl, key) LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION refuse_removing_referenced_rows()', r.tbl || '_kept', r.tbl);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF %I ON %I
                        FOR EACH ROW WHEN (OLD.%I IS DISTINCT FROM NEW.%I) EXECUTE FUNCTION refuse_removing_referenced_rows()',
                       r.tbl || '_key_kept', r.key, r.tbl, r.key, r.key);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_referenced_rows()', r.tbl || '_not_truncated', r.tbl);
    END LOOP;
END
$$;
