-- Price and stock history keeps superseded values only. The current price of an offer in a
-- city (and its stock in a store) carries the time it took effect and the upload that set it
-- (NULL: set before history was kept, by the demo data or a seed, as before when such rows
-- had no history row). A first price therefore writes one row, not two; the full history of
-- a pair is its history rows followed by the current row when `since` is set, exactly the
-- rows the history table held before (see `Store::price_history`/`stock_history`).
-- A history row still means "from changed_at (by upload_id) the value was this; NULL: none".
ALTER TABLE offer_prices ADD COLUMN upload_id BIGINT;
ALTER TABLE offer_prices ADD COLUMN since TEXT;
ALTER TABLE offer_stocks ADD COLUMN upload_id BIGINT;
ALTER TABLE offer_stocks ADD COLUMN since TEXT;

-- The newest history row of a pair that still has this value becomes the current row's.
UPDATE offer_prices SET
    upload_id = (SELECT h.upload_id FROM offer_price_history h
                 WHERE h.offer_id = offer_prices.offer_id AND h.city_kato = offer_prices.city_kato
                 ORDER BY h.id DESC LIMIT 1),
    since = (SELECT h.changed_at FROM offer_price_history h
             WHERE h.offer_id = offer_prices.offer_id AND h.city_kato = offer_prices.city_kato
             ORDER BY h.id DESC LIMIT 1)
WHERE price_tiyn = (SELECT h.price_tiyn FROM offer_price_history h
                    WHERE h.offer_id = offer_prices.offer_id AND h.city_kato = offer_prices.city_kato
                    ORDER BY h.id DESC LIMIT 1);
DELETE FROM offer_price_history WHERE id IN (
    SELECT (SELECT MAX(h.id) FROM offer_price_history h
            WHERE h.offer_id = p.offer_id AND h.city_kato = p.city_kato)
    FROM offer_prices p WHERE p.since IS NOT NULL);

UPDATE offer_stocks SET
    upload_id = (SELECT h.upload_id FROM offer_stock_history h
                 WHERE h.offer_id = offer_stocks.offer_id AND h.store_id = offer_stocks.store_id
                 ORDER BY h.id DESC LIMIT 1),
    since = (SELECT h.changed_at FROM offer_stock_history h
             WHERE h.offer_id = offer_stocks.offer_id AND h.store_id = offer_stocks.store_id
             ORDER BY h.id DESC LIMIT 1)
WHERE quantity = (SELECT h.quantity FROM offer_stock_history h
                  WHERE h.offer_id = offer_stocks.offer_id AND h.store_id = offer_stocks.store_id
                  ORDER BY h.id DESC LIMIT 1);
DELETE FROM offer_stock_history WHERE id IN (
    SELECT (SELECT MAX(h.id) FROM offer_stock_history h
            WHERE h.offer_id = s.offer_id AND h.store_id = s.store_id)
    FROM offer_stocks s WHERE s.since IS NOT NULL);
