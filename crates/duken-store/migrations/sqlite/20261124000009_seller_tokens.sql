-- Tokens of the Kaspi-compatible merchant API (`X-Auth-Token`): one seller each, issued in the
-- seller cabinet (or by `duken seller-token`), stored as SHA-256, shown once, revocable.
CREATE TABLE seller_api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX seller_api_tokens_seller ON seller_api_tokens (seller_id);
