-- A seller never sees an order that is still awaiting payment (`State::visible_to_seller`), and
-- every read of a seller's orders says so in these words (`state <> 'AWAITING_PAYMENT'`). The
-- index by seller and date leaves those orders out: the list of every state a seller sees is
-- then one read of this index, newest first by time and then id, that stops after the page,
-- instead of one read per state merged (six of them), and checkouts that are never paid add
-- nothing to it. The state stays in it for the counts of a window's partial days, read from
-- the index alone. Building it locks the orders against writes for the seconds a million
-- orders take.
CREATE INDEX orders_seller_visible ON orders (seller_id, created_at, id, state)
    WHERE state <> 'AWAITING_PAYMENT';
DROP INDEX orders_seller;
