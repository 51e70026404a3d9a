-- Nothing to change on SQLite: an index there ends with the row's id (`orders.id` is the rowid),
-- so `orders_seller_state (seller_id, state, created_at)` already reads a seller's orders of a
-- state newest first by time and then id, which PostgreSQL's migration of the same name adds.
SELECT 1;
