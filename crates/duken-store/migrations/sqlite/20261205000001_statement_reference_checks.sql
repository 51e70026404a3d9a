-- Rows that others refer to are never deleted nor re-keyed (the same rule as on PostgreSQL,
-- where the bulk tables check their references once per statement and these triggers keep
-- the referenced rows; see that backend's migration of the same name). SQLite keeps its
-- foreign keys: there a check is one B-tree lookup, not a query.
CREATE TRIGGER cities_kept BEFORE DELETE ON cities
BEGIN SELECT RAISE(ABORT, 'rows of "cities" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER cities_key_kept BEFORE UPDATE OF kato ON cities WHEN OLD.kato IS NOT NEW.kato
BEGIN SELECT RAISE(ABORT, 'rows of "cities" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER sellers_kept BEFORE DELETE ON sellers
BEGIN SELECT RAISE(ABORT, 'rows of "sellers" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER sellers_key_kept BEFORE UPDATE OF id ON sellers WHEN OLD.id IS NOT NEW.id
BEGIN SELECT RAISE(ABORT, 'rows of "sellers" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER stores_kept BEFORE DELETE ON stores
BEGIN SELECT RAISE(ABORT, 'rows of "stores" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER stores_key_kept BEFORE UPDATE OF id ON stores WHEN OLD.id IS NOT NEW.id
BEGIN SELECT RAISE(ABORT, 'rows of "stores" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER categories_kept BEFORE DELETE ON categories
BEGIN SELECT RAISE(ABORT, 'rows of "categories" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER categories_key_kept BEFORE UPDATE OF id ON categories WHEN OLD.id IS NOT NEW.id
BEGIN SELECT RAISE(ABORT, 'rows of "categories" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER products_kept BEFORE DELETE ON products
BEGIN SELECT RAISE(ABORT, 'rows of "products" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER products_key_kept BEFORE UPDATE OF id ON products WHEN OLD.id IS NOT NEW.id
BEGIN SELECT RAISE(ABORT, 'rows of "products" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER offers_kept BEFORE DELETE ON offers
BEGIN SELECT RAISE(ABORT, 'rows of "offers" are never deleted nor re-keyed: other rows refer to them'); END;
CREATE TRIGGER offers_key_kept BEFORE UPDATE OF id ON offers WHEN OLD.id IS NOT NEW.id
BEGIN SELECT RAISE(ABORT, 'rows of "offers" are never deleted nor re-keyed: other rows refer to them'); END;
