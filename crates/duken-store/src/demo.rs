//! The demo data set that `duken seed --demo` loads, and that `duken serve` loads into an
//! empty database while demo mode is on, so a newcomer sees a working shop at once.
//!
//! The data are in `demo/catalog.json` (embedded in the binary). Loading validates the whole
//! file first (BINs, countries, KATO codes, references, prices), then upserts everything by
//! its stable code in one transaction: running it twice changes nothing, and a failure
//! leaves the database as it was.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use duken_core::{Bin, Country, Kato, Localized};
use serde::Deserialize;

use crate::attributes::NewAttribute;
use crate::{Store, StoreError, Tx, on_tx};

const CATALOG_JSON: &str = include_str!("../demo/catalog.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCatalog {
    pub categories: Vec<DemoCategory>,
    pub sellers: Vec<DemoSeller>,
    pub products: Vec<DemoProduct>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCategory {
    pub code: String,
    pub parent: Option<String>,
    pub name: Localized,
    /// The category's own part of the schema (its ancestors' attributes apply too).
    #[serde(default)]
    pub attributes: Vec<NewAttribute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSeller {
    pub code: String,
    pub bin: Option<Bin>,
    pub legal_name: String,
    pub display_name: String,
    pub country: Country,
    pub description: Localized,
    pub stores: Vec<DemoStore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoStore {
    pub code: String,
    pub name: String,
    pub city_kato: Option<Kato>,
    /// Only for warehouses abroad; a store in Kazakhstan has a city instead.
    pub country: Option<Country>,
    pub address: String,
    pub opening_hours: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoProduct {
    pub code: String,
    pub category: String,
    pub brand: String,
    pub model: String,
    pub title: Localized,
    pub description: Localized,
    pub attributes: BTreeMap<String, String>,
    pub offers: Vec<DemoOffer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoOffer {
    pub seller: String,
    pub sku: String,
    /// Tiyn by city (KATO).
    pub prices: BTreeMap<Kato, i64>,
    /// Quantity by the seller's store code.
    pub stock: BTreeMap<String, i32>,
    pub pre_order_days: i32,
}

/// What a load wrote (rows inserted or brought up to date).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub categories: usize,
    pub sellers: usize,
    pub stores: usize,
    pub products: usize,
    pub offers: usize,
}

impl DemoCatalog {
    /// The data set shipped with duken.
    pub fn bundled() -> Result<DemoCatalog, StoreError> {
        let catalog: DemoCatalog =
            serde_json::from_str(CATALOG_JSON).map_err(|e| StoreError::Corrupt(format!("demo/catalog.json: {e}")))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// The rules of a category's schema: its ancestors' attributes and its own.
    fn schema_rules(&self, category: &str) -> Vec<duken_core::attributes::AttributeRule> {
        let mut rules = Vec::new();
        let mut next = Some(category);
        while let Some(code) = next {
            let Some(c) = self.categories.iter().find(|c| c.code == code) else { break };
            rules.extend(c.attributes.iter().map(|a| duken_core::attributes::AttributeRule {
                code: a.code.clone(),
                kind: a.kind,
                required: a.required,
                values: a.values.iter().map(|v| v.code.clone()).collect(),
            }));
            next = c.parent.as_deref();
        }
        rules
    }

    /// Every cross-reference and rule the schema cannot check by itself.
    fn validate(&self) -> Result<(), StoreError> {
        let bad = |msg: String| Err(StoreError::Corrupt(format!("demo/catalog.json: {msg}")));
        let mut categories = HashSet::new();
        for c in &self.categories {
            if let Some(parent) = &c.parent
                && !categories.contains(parent.as_str())
            {
                return bad(format!("category {} comes before its parent {parent}", c.code));
            }
            if !categories.insert(c.code.as_str()) {
                return bad(format!("category {} twice", c.code));
            }
        }
        let mut stores: HashMap<&str, HashSet<&str>> = HashMap::new();
        for s in &self.sellers {
            if s.country == Country::KZ && s.bin.is_none() {
                return bad(format!("seller {} is in Kazakhstan and has no BIN", s.code));
            }
            let codes = stores.entry(s.code.as_str()).or_default();
            for st in &s.stores {
                if st.city_kato.is_none() == (st.country.is_none() || st.country == Some(Country::KZ)) {
                    return bad(format!("store {}/{}: a city in Kazakhstan, or a country abroad", s.code, st.code));
                }
                if !codes.insert(st.code.as_str()) {
                    return bad(format!("store {}/{} twice", s.code, st.code));
                }
            }
        }
        let mut products = HashSet::new();
        for p in &self.products {
            if !products.insert(p.code.as_str()) {
                return bad(format!("product {} twice", p.code));
            }
            if !categories.contains(p.category.as_str()) {
                return bad(format!("product {}: unknown category {}", p.code, p.category));
            }
            let schema = self.schema_rules(&p.category);
            match duken_core::attributes::validate(&schema, &p.attributes) {
                Ok(normalized) if normalized == p.attributes => {}
                Ok(_) => return bad(format!("product {}: attributes are not in their normal form", p.code)),
                Err(problems) => return bad(format!("product {}: attributes break the schema: {problems:?}", p.code)),
            }
            for o in &p.offers {
                let Some(seller_stores) = stores.get(o.seller.as_str()) else {
                    return bad(format!("product {}: unknown seller {}", p.code, o.seller));
                };
                if let Some(store) = o.stock.keys().find(|s| !seller_stores.contains(s.as_str())) {
                    return bad(format!("offer {}/{}: unknown store {store}", o.seller, o.sku));
                }
                if o.prices.values().any(|&t| t <= 0) || o.stock.values().any(|&q| q < 0) || o.pre_order_days < 0 {
                    return bad(format!(
                        "offer {}/{}: prices must be positive, stock and days not negative",
                        o.seller, o.sku
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Store {
    /// Loads (or brings up to date) the demo data set in one transaction.
    pub async fn seed_demo(&self, catalog: &DemoCatalog) -> Result<SeedReport, StoreError> {
        let mut tx = self.begin().await?;
        let report = seed(&mut tx, catalog).await?;
        tx.commit().await?;
        Ok(report)
    }
}

async fn seed(tx: &mut Tx, catalog: &DemoCatalog) -> Result<SeedReport, StoreError> {
    let now = Utc::now();
    let mut report = SeedReport::default();

    let mut category_ids: HashMap<&str, i64> = HashMap::new();
    for (order, c) in catalog.categories.iter().enumerate() {
        let parent_id = c.parent.as_deref().and_then(|p| category_ids.get(p).copied());
        let id: i64 = on_tx!(tx, |t| sqlx::query_scalar(
            "INSERT INTO categories (code, parent_id, name_kk, name_ru, name_en, sort_order)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET parent_id = excluded.parent_id, name_kk = excluded.name_kk,
                 name_ru = excluded.name_ru, name_en = excluded.name_en, sort_order = excluded.sort_order
             RETURNING id"
        )
        .bind(&c.code)
        .bind(parent_id)
        .bind(&c.name.kk)
        .bind(&c.name.ru)
        .bind(&c.name.en)
        .bind(i32::try_from(order).unwrap_or(i32::MAX))
        .fetch_one(t)
        .await)?;
        category_ids.insert(&c.code, id);
        for (order, attr) in c.attributes.iter().enumerate() {
            tx.save_attribute(id, attr, Some(i32::try_from(order).unwrap_or(i32::MAX))).await?;
        }
        report.categories += 1;
    }

    let mut seller_ids: HashMap<&str, i64> = HashMap::new();
    let mut store_ids: HashMap<(&str, &str), i64> = HashMap::new();
    for s in &catalog.sellers {
        let id: i64 = on_tx!(tx, |t| sqlx::query_scalar(
            "INSERT INTO sellers (code, bin, legal_name, display_name, country, is_eaeu,
                                  description_kk, description_ru, description_en, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (code) DO UPDATE SET bin = excluded.bin, legal_name = excluded.legal_name,
                 display_name = excluded.display_name, country = excluded.country, is_eaeu = excluded.is_eaeu,
                 description_kk = excluded.description_kk, description_ru = excluded.description_ru,
                 description_en = excluded.description_en
             RETURNING id"
        )
        .bind(&s.code)
        .bind(s.bin.as_ref().map(Bin::as_str))
        .bind(&s.legal_name)
        .bind(&s.display_name)
        .bind(s.country.code())
        .bind(s.country.is_eaeu())
        .bind(&s.description.kk)
        .bind(&s.description.ru)
        .bind(&s.description.en)
        .bind(now)
        .fetch_one(t)
        .await)?;
        seller_ids.insert(&s.code, id);
        report.sellers += 1;
        for st in &s.stores {
            let country = st.country.unwrap_or(Country::KZ);
            let store_id: i64 = on_tx!(tx, |t| sqlx::query_scalar(
                "INSERT INTO stores (seller_id, code, name, country, city_kato, address, opening_hours)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (seller_id, code) DO UPDATE SET name = excluded.name, country = excluded.country,
                     city_kato = excluded.city_kato, address = excluded.address, opening_hours = excluded.opening_hours
                 RETURNING id"
            )
            .bind(id)
            .bind(&st.code)
            .bind(&st.name)
            .bind(country.code())
            .bind(st.city_kato.map(|k| k.to_string()))
            .bind(&st.address)
            .bind(&st.opening_hours)
            .fetch_one(t)
            .await)?;
            store_ids.insert((&s.code, &st.code), store_id);
            report.stores += 1;
        }
    }

    for p in &catalog.products {
        let attributes = serde_json::to_string(&p.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let product_id: i64 = on_tx!(tx, |t| sqlx::query_scalar(
            "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en,
                                   description_kk, description_ru, description_en, attributes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             ON CONFLICT (code) DO UPDATE SET category_id = excluded.category_id, brand = excluded.brand,
                 model = excluded.model, title_kk = excluded.title_kk, title_ru = excluded.title_ru,
                 title_en = excluded.title_en, description_kk = excluded.description_kk,
                 description_ru = excluded.description_ru, description_en = excluded.description_en,
                 attributes = excluded.attributes
             RETURNING id"
        )
        .bind(&p.code)
        .bind(category_ids[p.category.as_str()])
        .bind(&p.brand)
        .bind(&p.model)
        .bind(&p.title.kk)
        .bind(&p.title.ru)
        .bind(&p.title.en)
        .bind(&p.description.kk)
        .bind(&p.description.ru)
        .bind(&p.description.en)
        .bind(&attributes)
        .bind(now)
        .fetch_one(t)
        .await)?;
        // §6: the demo cards' content is the operator's own, version 1.
        let versions: i64 = on_tx!(tx, |t| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM product_versions WHERE product_id = $1"
        )
        .bind(product_id)
        .fetch_one(t)
        .await)?;
        if versions == 0 {
            let snapshot = serde_json::json!({"title": p.title, "description": p.description, "brand": p.brand,
                "model": p.model, "attributes": p.attributes})
            .to_string();
            tx.add_version(product_id, "demo", None, None, &snapshot, now).await?;
        }
        report.products += 1;

        for o in &p.offers {
            let seller_id = seller_ids[o.seller.as_str()];
            let offer_id: i64 = on_tx!(tx, |t| {
                sqlx::query_scalar(
                "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, created_at, updated_at)
                 VALUES ($1, $2, $3, TRUE, $4, $5, $5)
                 ON CONFLICT (seller_id, seller_sku) DO UPDATE SET product_id = excluded.product_id,
                     available = TRUE, pre_order_days = excluded.pre_order_days
                 RETURNING id"
            )
            .bind(seller_id)
            .bind(product_id)
            .bind(&o.sku)
            .bind(o.pre_order_days)
            .bind(now)
            .fetch_one(t)
            .await
            })?;
            report.offers += 1;
            // The file is the whole truth for a demo offer: cities or stores it no longer
            // names lose their rows.
            on_tx!(tx, |t| sqlx::query("DELETE FROM offer_prices WHERE offer_id = $1")
                .bind(offer_id)
                .execute(&mut *t)
                .await
                .map(|r| r.rows_affected()))?;
            on_tx!(tx, |t| sqlx::query("DELETE FROM offer_stocks WHERE offer_id = $1")
                .bind(offer_id)
                .execute(&mut *t)
                .await
                .map(|r| r.rows_affected()))?;
            for (city, tiyn) in &o.prices {
                on_tx!(tx, |t| sqlx::query(
                    "INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) VALUES ($1, $2, $3)"
                )
                .bind(offer_id)
                .bind(city.to_string())
                .bind(tiyn)
                .execute(t)
                .await
                .map(|r| r.rows_affected()))?;
            }
            for (store, quantity) in &o.stock {
                let store_id = store_ids[&(o.seller.as_str(), store.as_str())];
                on_tx!(tx, |t| sqlx::query(
                    "INSERT INTO offer_stocks (offer_id, store_id, quantity) VALUES ($1, $2, $3)"
                )
                .bind(offer_id)
                .bind(store_id)
                .bind(quantity)
                .execute(t)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_data_set_is_valid_and_big_enough() {
        let c = DemoCatalog::bundled().unwrap();
        assert!(c.categories.len() >= 5);
        assert!(c.products.len() >= 50);
        assert!(c.sellers.len() >= 3);
        assert!(c.sellers.iter().any(|s| !s.country.is_eaeu()), "one seller outside the EAEU");
        let almaty_astana_differ = c
            .products
            .iter()
            .filter(|p| p.offers.len() >= 2)
            .filter(|p| p.offers.iter().any(|o| o.prices.get(&Kato::ALMATY) != o.prices.get(&Kato::ASTANA)))
            .count();
        assert!(almaty_astana_differ >= 10, "{almaty_astana_differ}");
    }
}
