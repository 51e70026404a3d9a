-- Accounts (§2): users by mobile number, one-time sign-in codes (stored as keyed hashes),
-- sessions (stored as hashes of their tokens), agreement acceptances (§1, §7), the
-- development SMS outbox, and the audit log of every state change (append-only).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- E.164, +77XXXXXXXXX.
    phone         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    -- argon2id, when the user set a password.
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE login_codes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    phone         TEXT NOT NULL,
    -- HMAC-SHA256 under the server's secret key; the code itself is never stored.
    code_hash     TEXT NOT NULL,
    requester_ip  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    used_at       TEXT
);
CREATE INDEX login_codes_phone ON login_codes (phone, created_at);
CREATE INDEX login_codes_ip ON login_codes (requester_ip, created_at);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the cookie's token; the token itself is never stored.
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- §1, §7: who accepted which agreement version, when, from where, through which channel.
CREATE TABLE agreement_acceptances (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    version       INTEGER NOT NULL,
    accepted_at   TEXT NOT NULL,
    ip            TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('web', 'api', 'chat'))
);
CREATE INDEX agreement_acceptances_user ON agreement_acceptances (user_id, version);

-- The development SMS port: the texts that would have been sent. Shown only in demo mode.
CREATE TABLE sms_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    phone         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Every state change anywhere in duken: who, what, to what, why, when, in which request.
-- Append-only: there is no code path that updates or deletes a row, and triggers refuse it.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    request_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
