-- The orders list reads a seller's orders of a state newest first, by placement time and then
-- id (orders placed in the same instant keep one order between pages). With the id in the
-- index a page is read from it in exactly that order and the read stops after the page; the
-- index without it made every list sort each instant's orders again (an incremental sort per
-- state, six of them in a list without a state filter; BENCHMARKS.md). The counts of partial
-- days use this index by its prefix, as they used the one it replaces. Building it locks the
-- orders against writes for the few seconds a million orders take.
CREATE INDEX orders_seller_state_newest ON orders (seller_id, state, created_at, id);
DROP INDEX orders_seller_state;
