-- How many of a seller's orders are in each state, by the UTC day they were placed, so that the
-- orders list's `meta.totalCount` over a 14-day window adds up fifteen rows per state instead of
-- counting thousands of index entries (only the window's two partial days are counted from
-- `orders`). Only the states a seller sees are counted.
CREATE TABLE order_state_counts (
    seller_id     BIGINT NOT NULL REFERENCES sellers(id),
    state         TEXT NOT NULL,
    -- Days since 1970-01-01 of `orders.created_at` in UTC.
    day           BIGINT NOT NULL,
    orders        BIGINT NOT NULL,
    PRIMARY KEY (seller_id, state, day)
) WITHOUT ROWID;

-- Every order placed or moved between states adds a row here in its own transaction (see the
-- PostgreSQL migration for why); the order jobs fold them into `order_state_counts`.
CREATE TABLE order_state_count_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id     BIGINT NOT NULL,
    state         TEXT NOT NULL,
    day           BIGINT NOT NULL,
    delta         BIGINT NOT NULL
);
CREATE INDEX order_state_count_changes_key ON order_state_count_changes (seller_id, state, day);

INSERT INTO order_state_counts (seller_id, state, day, orders)
SELECT seller_id, state, CAST(strftime('%s', created_at) AS INTEGER) / 86400, COUNT(*)
FROM orders
WHERE state <> 'AWAITING_PAYMENT'
GROUP BY 1, 2, 3;
