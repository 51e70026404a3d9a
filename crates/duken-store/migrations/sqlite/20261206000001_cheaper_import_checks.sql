-- Nothing to change on SQLite: its foreign keys are one B-tree lookup a row, and it compares
-- text bytewise (BINARY) already. See the PostgreSQL migration of the same name.
SELECT 1;
