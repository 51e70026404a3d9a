-- A first price list of new SKUs, cheaper for the server (BENCHMARKS.md, "fourth round").
--
-- 1. The statement-level reference check (20261205000001) looked each distinct referenced
--    value up in the referenced table's index: 2 000 index descents for the 2 000 new offers
--    a batch's prices refer to, and as many for the offers' cards and stocks; a quarter of
--    the server's time during such an import. New rows mostly refer to rows just made, whose
--    ids are consecutive: when a statement's distinct values of a bigint reference are exactly
--    the range from their least to their greatest, one count over that range of the referenced
--    key proves them all present (the key is unique). Otherwise, or if the count falls short,
--    the values are looked up one by one as before, which also names the missing one.
-- 2. Product codes and seller SKUs are identifiers, not words: their unique indexes compare
--    them bytewise (COLLATE "C") instead of by the database's language rules. Equality is
--    the same either way (a deterministic collation breaks ties bytewise); only the order of a
--    listing by code would differ, and none is listed so.

CREATE OR REPLACE FUNCTION check_references_of_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing TEXT;
    distinct_values BIGINT;
    lowest BIGINT;
    highest BIGINT;
    present BIGINT;
BEGIN
    FOR i IN 0 .. TG_NARGS / 4 - 1 LOOP
        IF (SELECT atttypid FROM pg_attribute WHERE attrelid = TG_RELID AND attname = TG_ARGV[4 * i]) = 'bigint'::regtype THEN
            EXECUTE format('SELECT count(DISTINCT n.%1$I), min(n.%1$I), max(n.%1$I) FROM new_rows n', TG_ARGV[4 * i])
            INTO distinct_values, lowest, highest;
            IF distinct_values = 0 THEN
                CONTINUE;
            END IF;
            IF highest - lowest + 1 = distinct_values THEN
                EXECUTE format('SELECT count(*) FROM %1$I p WHERE p.%2$I BETWEEN $1 AND $2', TG_ARGV[4 * i + 1], TG_ARGV[4 * i + 2])
                INTO present USING lowest, highest;
                IF present = distinct_values THEN
                    CONTINUE;
                END IF;
            END IF;
        END IF;
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

ALTER TABLE products ALTER COLUMN code TYPE TEXT COLLATE "C";
ALTER TABLE offers ALTER COLUMN seller_sku TYPE TEXT COLLATE "C";
