-- Issue 7: the transactional outbox. Every order event writes one row in the same transaction
-- as the change; a dispatcher turns it into the buyer's and the seller's notifications (in-account
-- inbox, SMS) and the seller's webhook, at least once, deduplicated by the event id.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT NOT NULL UNIQUE,
    order_id      BIGINT NOT NULL REFERENCES orders(id),
    payload       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- The inbox and SMS part, and the webhook part, are done separately: a failing webhook is
    -- retried without sending the buyer's SMS again.
    inbox_done    BOOLEAN NOT NULL DEFAULT FALSE,
    webhook_done  BOOLEAN NOT NULL DEFAULT FALSE,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE NOT (inbox_done AND webhook_done);

-- In-account notifications: a buyer's (user_id) or a seller's (seller_id); one per event and
-- recipient, so a redelivered event adds nothing.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT NOT NULL,
    user_id       BIGINT REFERENCES users(id),
    seller_id     BIGINT REFERENCES sellers(id),
    order_id      BIGINT NOT NULL REFERENCES orders(id),
    kind          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    read_at       TEXT,
    recipient     TEXT NOT NULL,
    UNIQUE (event_id, recipient)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_seller ON notifications (seller_id, id);

-- A seller's webhook: order events are POSTed there, signed with HMAC-SHA256 under the secret.
ALTER TABLE sellers ADD COLUMN webhook_url TEXT;
ALTER TABLE sellers ADD COLUMN webhook_secret TEXT;
