-- Issue 8: partner banks and their credit and installments products (§3, §9.1-3), set by the
-- operator (console, or `--banks-config FILE` at start). Product rules live in
-- `duken_core::credit`; a row here is a product as the operator last saved it.
CREATE TABLE banks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- Where duken sends applications, and how it signs them; the bank signs its webhooks with
    -- `webhook_secret`. Neither secret is ever shown back or logged.
    api_base_url  TEXT NOT NULL,
    api_key       TEXT NOT NULL,
    webhook_secret TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    TEXT NOT NULL
);

CREATE TABLE bank_products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_id       BIGINT NOT NULL REFERENCES banks(id),
    code          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('installments', 'credit')),
    repayment     TEXT NOT NULL CHECK (repayment IN ('annuity', 'differentiated')),
    rate_bp       INTEGER NOT NULL CHECK (rate_bp >= 0),
    issue_fee_bp  INTEGER NOT NULL CHECK (issue_fee_bp >= 0),
    monthly_fee_bp INTEGER NOT NULL CHECK (monthly_fee_bp >= 0),
    min_amount_tiyn BIGINT NOT NULL,
    max_amount_tiyn BIGINT NOT NULL,
    -- [{"from": tiyn, "terms": [months]}], increasing `from`.
    tiers         TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    TEXT NOT NULL,
    UNIQUE (bank_id, code)
);
