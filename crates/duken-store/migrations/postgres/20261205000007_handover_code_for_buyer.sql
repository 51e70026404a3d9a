-- §10: the buyer sees the hand-over code in their own account (the order page), beside the
-- warning never to tell it before having the goods. The seller's check still compares the HMAC.
ALTER TABLE handover_codes ADD COLUMN code_for_buyer TEXT;
