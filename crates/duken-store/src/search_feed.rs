//! What the search index reads: products with their offers per city, in batches, and the
//! `catalog_changes` feed that says which products to read again.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, QueryBuilder};

use crate::{Store, StoreError, on_pool};

/// A published product with what search needs of it (the search crate's document is built
/// from this by the application, which knows the category tree).
#[derive(Clone, Debug, FromRow)]
pub struct IndexProduct {
    pub id: i64,
    pub category_id: i64,
    pub brand: String,
    pub model: String,
    pub title_kk: String,
    pub title_ru: String,
    pub title_en: String,
    pub description_kk: String,
    pub description_ru: String,
    pub description_en: String,
    pub attributes: String,
    pub created_at: DateTime<Utc>,
}

/// One available offer's price in one city, with the stock there.
#[derive(Clone, Debug, FromRow)]
pub struct IndexOffer {
    pub product_id: i64,
    pub seller_id: i64,
    pub city_kato: String,
    pub price_tiyn: i64,
    pub pre_order_days: i32,
    pub stock_in_city: i64,
}

/// A row of the change feed: a product, or a seller (all its products).
#[derive(Clone, Copy, Debug, FromRow)]
pub struct CatalogChange {
    pub id: i64,
    pub product_id: Option<i64>,
    pub seller_id: Option<i64>,
}

const PRODUCT_COLUMNS: &str = "p.id, p.category_id, p.brand, p.model, p.title_kk, p.title_ru, p.title_en, \
     p.description_kk, p.description_ru, p.description_en, p.attributes, p.created_at";

impl Store {
    /// Published products with ids above `after`, in id order (for a full rebuild).
    pub async fn index_products_after(&self, after: i64, limit: i64) -> Result<Vec<IndexProduct>, StoreError> {
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.status = 'active' AND p.id > $1 ORDER BY p.id LIMIT $2"
        );
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(after)
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }

    /// These products, those that are published (the others are to be removed from search).
    pub async fn index_products(&self, ids: &[i64]) -> Result<Vec<IndexProduct>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(on_pool!(self.pool(), |p| {
            let mut q = QueryBuilder::new(format!(
                "SELECT {PRODUCT_COLUMNS} FROM products p WHERE p.status = 'active' AND p.id IN ("
            ));
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            sep.push_unseparated(") ORDER BY p.id");
            q.build_query_as().fetch_all(p).await?
        }))
    }

    /// The available offers of these products from active sellers, one row per priced city.
    pub async fn index_offers(&self, product_ids: &[i64]) -> Result<Vec<IndexOffer>, StoreError> {
        if product_ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(on_pool!(self.pool(), |p| {
            let mut q = QueryBuilder::new(
                "SELECT o.product_id, o.seller_id, op.city_kato, op.price_tiyn, o.pre_order_days,
                        CAST(COALESCE((SELECT SUM(st.quantity) FROM offer_stocks st JOIN stores w ON w.id = st.store_id
                                       WHERE st.offer_id = o.id AND w.city_kato = op.city_kato), 0) AS BIGINT) AS stock_in_city
                 FROM offers o
                 JOIN sellers s ON s.id = o.seller_id AND s.status = 'active'
                 JOIN offer_prices op ON op.offer_id = o.id
                 WHERE o.available = TRUE AND o.product_id IN (",
            );
            let mut sep = q.separated(", ");
            for id in product_ids {
                sep.push_bind(*id);
            }
            sep.push_unseparated(")");
            q.build_query_as().fetch_all(p).await?
        }))
    }

    /// The newest change's id (0 when there is none).
    pub async fn last_catalog_change(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM catalog_changes"
        )
        .fetch_one(p)
        .await)?)
    }

    /// Changes after `cursor`, oldest first.
    pub async fn catalog_changes_after(&self, cursor: i64, limit: i64) -> Result<Vec<CatalogChange>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, product_id, seller_id FROM catalog_changes WHERE id > $1 ORDER BY id LIMIT $2"
        )
        .bind(cursor)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    /// Every product a seller offers (whatever its state), for a seller-wide change.
    pub async fn seller_product_ids(&self, seller_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT DISTINCT product_id FROM offers WHERE seller_id = $1 ORDER BY product_id"
        )
        .bind(seller_id)
        .fetch_all(p)
        .await)?)
    }
}
