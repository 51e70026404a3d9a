-- Sellers' tools list their orders by state (`filter[orders][state]=NEW`) within a creation-date
-- window, newest first, with the count of all that match: this index answers both from its
-- entries alone, without reading the seller's other orders.
CREATE INDEX orders_seller_state ON orders (seller_id, state, created_at);
