-- A seller's orders of every state in a date window: the state is in the index too, so that
-- leaving out the orders not paid yet (never the seller's) needs no visit to the table. Without
-- it, counting a busy seller's 15 000 orders of two weeks read each of them from the table.
DROP INDEX orders_seller;
CREATE INDEX orders_seller ON orders (seller_id, created_at, state);
