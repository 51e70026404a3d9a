-- Issue 8: credit applications (§3, §9.1-3). A buyer's checkout on credit is one
-- `credit_requests` row; the routing policy sends it to one or several banks, one
-- `credit_applications` row each, whose every change is a `credit_application_events` row.
-- Calls to banks go through `credit_bank_calls`, a durable queue retried with back-off, so an
-- application survives a bank's outage and a restart; webhooks are deduplicated by the bank's
-- event id and their nonces remembered, so a replay changes nothing.

-- How applications are routed; one row, set by operator administrators.
CREATE TABLE credit_routing (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    -- `preferred`: only the preferred bank's products are offered and applied to;
    -- `parallel`: every eligible bank at once, the first approval wins;
    -- `buyer_chooses`: every eligible bank at once, the buyer picks among the approvals.
    policy        TEXT NOT NULL CHECK (policy IN ('preferred', 'parallel', 'buyer_chooses')),
    preferred_bank_id BIGINT REFERENCES banks(id),
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE credit_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    checkout_id   BIGINT NOT NULL UNIQUE REFERENCES checkouts(id),
    buyer_id      BIGINT NOT NULL REFERENCES users(id),
    amount_tiyn   BIGINT NOT NULL CHECK (amount_tiyn > 0),
    -- The buyer's pick: a product and a term; other banks get their product of the same kind.
    product_id    BIGINT NOT NULL REFERENCES bank_products(id),
    term_months   INTEGER NOT NULL CHECK (term_months > 0),
    policy        TEXT NOT NULL,
    -- What is sent to the banks (personal data, disclosed under the buyer's consent; never logged).
    iin           TEXT NOT NULL,
    buyer_name    TEXT NOT NULL,
    phone         TEXT NOT NULL,
    -- `open`, `issued` (a loan paid out), `failed` (every bank said no, or time ran out: the
    -- orders are cancelled and their lines are back in the cart), `cancelled` (by the buyer).
    state         TEXT NOT NULL CHECK (state IN ('open', 'issued', 'failed', 'cancelled')),
    -- Of an issued loan: how much of it the bank was asked to take back (cancelled orders).
    returned_tiyn BIGINT NOT NULL DEFAULT 0,
    expires_at    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX credit_requests_buyer ON credit_requests (buyer_id, id);

CREATE TABLE credit_applications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id    BIGINT NOT NULL REFERENCES credit_requests(id),
    bank_id       BIGINT NOT NULL REFERENCES banks(id),
    product_id    BIGINT NOT NULL REFERENCES bank_products(id),
    term_months   INTEGER NOT NULL,
    amount_tiyn   BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'approved', 'counter_offer', 'rejected',
                                                 'signed', 'issued', 'cancelled', 'expired')),
    -- The bank's own reference, once it acknowledged the application.
    bank_ref      TEXT,
    counter_amount_tiyn BIGINT,
    counter_term_months INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- When duken last asked the bank for the state (a lost webhook is found so).
    polled_at     TEXT,
    UNIQUE (request_id, bank_id)
);
CREATE INDEX credit_applications_bank ON credit_applications (bank_id, id);
CREATE INDEX credit_applications_open ON credit_applications (updated_at)
    WHERE state IN ('draft', 'sent', 'approved', 'counter_offer', 'signed');

CREATE TABLE credit_application_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES credit_applications(id),
    event         TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    -- `user:7`, `bank:alatau-demo`, `platform`, `admin:3`.
    actor         TEXT NOT NULL,
    detail        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX credit_application_events_app ON credit_application_events (application_id, id);

-- Every webhook a bank sent that passed its signature check, by the bank's event id: the
-- same event again is answered as already applied.
CREATE TABLE bank_webhook_events (
    bank_id       BIGINT NOT NULL REFERENCES banks(id),
    event_id      TEXT NOT NULL,
    application_id BIGINT,
    outcome       TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (bank_id, event_id)
);

-- Nonces of the banks' messages within the timestamp window, seen by every node.
CREATE TABLE bank_nonces (
    bank_id       BIGINT NOT NULL,
    nonce         TEXT NOT NULL,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (bank_id, nonce)
);

-- The durable queue of calls to banks: `send` an application, `cancel` it (or the loan), or
-- `return` part of an issued loan. A timeout or 5xx retries with back-off; done ones stay
-- as the record of what the bank was told.
CREATE TABLE credit_bank_calls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES credit_applications(id),
    kind          TEXT NOT NULL CHECK (kind IN ('send', 'cancel', 'return')),
    amount_tiyn   BIGINT,
    reason        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    done_at       TEXT,
    outcome       TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX credit_bank_calls_due ON credit_bank_calls (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX credit_bank_calls_app ON credit_bank_calls (application_id);

-- Bank staff (role `bank`) and the bank whose applications they see.
CREATE TABLE bank_staff (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    bank_id       BIGINT NOT NULL REFERENCES banks(id),
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, bank_id)
);
