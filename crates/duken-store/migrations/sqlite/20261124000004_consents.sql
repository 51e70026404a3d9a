-- §9.1: the consent ledger and the disclosure log.
-- A consent is per purpose (§9.1 items 1–5) and recipient category, with a cross-border flag
-- and the text the user saw; withdrawing keeps the row (withdrawn_at), for the future only.
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('purchase', 'delivery_and_customs', 'credit_application', 'order_processing', 'support_chat')),
    recipient     TEXT NOT NULL CHECK (recipient IN ('operator', 'seller', 'bank', 'chatbot_provider', 'courier', 'ecommerce_operator', 'state_body', 'telecom')),
    cross_border  BOOLEAN NOT NULL,
    text_shown    TEXT NOT NULL,
    -- Where it was given: signup, checkout, chat, profile.
    context       TEXT NOT NULL,
    given_at      TEXT NOT NULL,
    withdrawn_at  TEXT
);
CREATE INDEX consents_user ON consents (user_id);

-- Every transfer of a person's data, allowed or refused: who received which fields, for
-- which purpose, on which legal basis, when, in which request.
CREATE TABLE disclosures (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_user_id BIGINT NOT NULL REFERENCES users(id),
    recipient     TEXT NOT NULL,
    -- Which one: seller:3, bank:halyk, …
    recipient_ref TEXT NOT NULL,
    fields        TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    abroad        BOOLEAN NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused')),
    legal_basis   TEXT NOT NULL,
    at            TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX disclosures_subject ON disclosures (subject_user_id, at);
