-- Every query of prices names the offer (the primary key, offer_id then city_kato); the second
-- index, by city first, served none of them and cost each new price one more index entry
-- (a price list of a million new SKUs writes 2.5 million prices).
DROP INDEX offer_prices_city;
