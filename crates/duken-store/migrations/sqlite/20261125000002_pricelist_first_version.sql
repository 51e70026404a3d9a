-- A card a price list creates keeps the upload that created it. Its first content version
-- (source 'pricelist', by the upload's seller and user, at the card's creation, content: the
-- brand and the model as every title) is not written as a row: it is exactly the card as
-- created, and the row is written from the card just before its content first changes
-- (`Tx::keep_first_version`); until then the readers of versions show it from here.
-- No foreign key: the upload row is written in the same transaction, first, and uploads are
-- never deleted (a reference checked per new card would cost the import one lookup each).
ALTER TABLE products ADD COLUMN created_upload_id BIGINT;
