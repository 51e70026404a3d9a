-- As on PostgreSQL: the index by seller and date holds only the orders a seller may see (every
-- read of a seller's orders says `state <> 'AWAITING_PAYMENT'` in these words, which is what
-- lets SQLite use a partial index), with the id after the time so that a page of every state
-- is read from it in order.
CREATE INDEX orders_seller_visible ON orders (seller_id, created_at, id, state)
    WHERE state <> 'AWAITING_PAYMENT';
DROP INDEX orders_seller;
