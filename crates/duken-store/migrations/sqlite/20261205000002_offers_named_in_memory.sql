-- A full price list makes the seller's offers it did not name unavailable. It used to mark
-- every offer it named with its upload (offers.upload_id, indexed), which made a re-upload of
-- a million unchanged offers rewrite a million rows and their index entries. The upload now
-- keeps the ids it named in memory (8 bytes an offer) and compares them with the seller's
-- available offers at the end, so an offer that did not change is not written at all.
DROP INDEX offers_seller_upload;
ALTER TABLE offers DROP COLUMN upload_id;
