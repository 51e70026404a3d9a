-- Issue 7: carts, checkouts, orders (one per seller), their lines, their audited life cycle,
-- hand-over codes (§10) and payments through the acquirer port. Money is integer tiyn.

-- A buyer's cart, across sellers; a guest's cart is found by the SHA-256 of its cookie and
-- merged into the account at sign-in.
CREATE TABLE carts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT UNIQUE REFERENCES users(id),
    guest_key_hash TEXT UNIQUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (guest_key_hash IS NULL))
);

CREATE TABLE cart_items (
    cart_id       BIGINT NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
    offer_id      BIGINT NOT NULL REFERENCES offers(id),
    quantity      INTEGER NOT NULL CHECK (quantity > 0 AND quantity <= 999),
    added_at      TEXT NOT NULL,
    PRIMARY KEY (cart_id, offer_id)
);

-- One placement of a cart: its idempotency key makes a double submit one checkout.
CREATE TABLE checkouts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    buyer_id      BIGINT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    city_kato     TEXT NOT NULL REFERENCES cities(kato),
    payment_mode  TEXT NOT NULL,
    total_tiyn    BIGINT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (buyer_id, idempotency_key)
);

-- An order: what one buyer asked of one seller (§4: a request the seller accepts or not).
-- `state`/`status` are the merchant API's (plus the internal AWAITING_PAYMENT/PAYMENT_PENDING
-- and SIGNATURE_PENDING, never shown to sellers); every change is an `order_events` row.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    checkout_id   BIGINT NOT NULL REFERENCES checkouts(id),
    buyer_id      BIGINT NOT NULL REFERENCES users(id),
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    state         TEXT NOT NULL,
    status        TEXT NOT NULL,
    assembled     BOOLEAN NOT NULL DEFAULT FALSE,
    number_of_space INTEGER,
    payment_mode  TEXT NOT NULL CHECK (payment_mode IN ('PREPAID', 'PAY_WITH_CREDIT')),
    credit_term   INTEGER,
    delivery_mode TEXT NOT NULL,
    pickup_store_id BIGINT REFERENCES stores(id),
    city_kato     TEXT NOT NULL REFERENCES cities(kato),
    delivery_address TEXT NOT NULL DEFAULT '',
    total_tiyn    BIGINT NOT NULL CHECK (total_tiyn > 0),
    delivery_cost_tiyn BIGINT NOT NULL DEFAULT 0 CHECK (delivery_cost_tiyn >= 0),
    pre_order     BOOLEAN NOT NULL DEFAULT FALSE,
    -- What the buyer's consent (§9.1) let the seller see, copied when it was disclosed.
    customer_name TEXT NOT NULL DEFAULT '',
    customer_phone TEXT NOT NULL DEFAULT '',
    cancellation_reason TEXT,
    cancellation_comment TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    -- Payment or credit issue: the order reaches the seller (`approvedByBankDate`).
    approved_at   TEXT,
    accepted_at   TEXT,
    completed_at  TEXT,
    cancelled_at  TEXT,
    -- Until when an unpaid or unsigned order holds its units.
    hold_until    TEXT NOT NULL,
    planned_delivery_at TEXT
);
CREATE INDEX orders_seller ON orders (seller_id, created_at);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_checkout ON orders (checkout_id);
CREATE INDEX orders_holding ON orders (hold_until) WHERE state IN ('AWAITING_PAYMENT', 'SIGN_REQUIRED');

-- An order's lines, with the price the buyer saw and the store whose units are reserved.
CREATE TABLE order_entries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      BIGINT NOT NULL REFERENCES orders(id),
    entry_number  INTEGER NOT NULL,
    offer_id      BIGINT NOT NULL REFERENCES offers(id),
    product_id    BIGINT NOT NULL REFERENCES products(id),
    seller_sku    TEXT NOT NULL,
    name          TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    base_price_tiyn BIGINT NOT NULL CHECK (base_price_tiyn > 0),
    total_price_tiyn BIGINT NOT NULL CHECK (total_price_tiyn > 0),
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    UNIQUE (order_id, entry_number)
);

-- Every transition, with who made it and why (issue 7, §4).
CREATE TABLE order_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      BIGINT NOT NULL REFERENCES orders(id),
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    from_state    TEXT,
    from_status   TEXT,
    to_state      TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    request_id    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- §10: the hand-over code of an order, as an HMAC; never the code itself.
CREATE TABLE handover_codes (
    order_id      BIGINT PRIMARY KEY REFERENCES orders(id),
    code_hash     TEXT NOT NULL,
    sent_at       TEXT NOT NULL,
    wrong_tries   INTEGER NOT NULL DEFAULT 0
);

-- A prepaid checkout's payment through the acquirer port; callbacks are idempotent by the
-- acquirer's event id.
CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    checkout_id   BIGINT NOT NULL UNIQUE REFERENCES checkouts(id),
    amount_tiyn   BIGINT NOT NULL CHECK (amount_tiyn > 0),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'declined')),
    created_at    TEXT NOT NULL,
    settled_at    TEXT
);
CREATE TABLE payment_callbacks (
    event_id      TEXT PRIMARY KEY,
    payment_id    BIGINT NOT NULL REFERENCES payments(id),
    outcome       TEXT NOT NULL,
    received_at   TEXT NOT NULL
);
