//! The catalog tables: cities, sellers and their stores, categories, products, offers.
//!
//! §3: one product card carries offers from many sellers, each with its own price per city
//! and stock per store. §4: those prices are information from the seller, not an offer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use duken_core::{Kato, Localized, Money, PageRequest};
// Dynamic SQL here is only ever assembled from constant fragments chosen in code (the
// order clause, the column list); every value a visitor sends is a bind parameter.
use sqlx::{AssertSqlSafe, FromRow};

use crate::{Store, StoreError, on_pool};

#[derive(Clone, Debug)]
pub struct City {
    pub kato: Kato,
    /// Kaspi's city id (price lists, links): equal to KATO for most cities, legacy for some.
    pub kaspi_city_id: String,
    pub name: Localized,
}

#[derive(Clone, Debug)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub parent_id: Option<i64>,
    pub name: Localized,
    pub sort_order: i32,
}

#[derive(Clone, Debug)]
pub struct Seller {
    pub id: i64,
    pub code: String,
    pub bin: Option<String>,
    pub legal_name: String,
    pub display_name: String,
    pub country: String,
    pub is_eaeu: bool,
    pub description: Localized,
    pub created_at: DateTime<Utc>,
    /// Offers the seller has on sale now.
    pub offer_count: i64,
}

/// A seller's pickup point or warehouse.
#[derive(Clone, Debug)]
pub struct SellerStore {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub city_kato: Option<Kato>,
    pub address: String,
    pub opening_hours: String,
}

/// A product in a list, with the range of its sellers' prices in one city.
#[derive(Clone, Debug)]
pub struct ProductSummary {
    pub id: i64,
    pub code: String,
    pub category_id: i64,
    pub brand: String,
    pub title: Localized,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    /// Sellers that have a price for this product in the city.
    pub seller_count: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub category_id: i64,
    pub brand: String,
    pub model: String,
    pub title: Localized,
    pub description: Localized,
    pub attributes: BTreeMap<String, String>,
    /// A link to a video about the product, from its content provider (§6); may be empty.
    pub video_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One seller's offer of a product as a buyer in one city sees it.
#[derive(Clone, Debug)]
pub struct OfferInCity {
    pub offer_id: i64,
    pub seller_id: i64,
    pub seller_name: String,
    pub seller_country: String,
    pub seller_is_eaeu: bool,
    pub sku: String,
    pub price: Money,
    pub stock_in_city: i64,
    pub stock_total: i64,
    pub pre_order_days: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProductOrder {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
}

/// Which products to list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductQuery {
    /// A category and everything below it in the tree.
    pub category: Option<i64>,
    /// Only products this seller offers; prices are then the seller's own.
    pub seller: Option<i64>,
    /// Prices are for this city.
    pub city: Kato,
    pub order: ProductOrder,
    pub page: PageRequest,
}

fn localized(kk: String, ru: String, en: String) -> Localized {
    Localized { kk, ru, en }
}

fn kato(text: &str) -> Result<Kato, StoreError> {
    Kato::parse(text).map_err(|_| StoreError::Corrupt(format!("bad KATO code {text:?}")))
}

#[derive(FromRow)]
struct CityRow {
    kato: String,
    kaspi_city_id: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
}

#[derive(FromRow)]
struct CategoryRow {
    id: i64,
    code: String,
    parent_id: Option<i64>,
    name_kk: String,
    name_ru: String,
    name_en: String,
    sort_order: i32,
}

#[derive(FromRow)]
struct SellerRow {
    id: i64,
    code: String,
    bin: Option<String>,
    legal_name: String,
    display_name: String,
    country: String,
    is_eaeu: bool,
    description_kk: String,
    description_ru: String,
    description_en: String,
    created_at: DateTime<Utc>,
    offer_count: i64,
}

impl From<SellerRow> for Seller {
    fn from(r: SellerRow) -> Self {
        Seller {
            id: r.id,
            code: r.code,
            bin: r.bin,
            legal_name: r.legal_name,
            display_name: r.display_name,
            country: r.country,
            is_eaeu: r.is_eaeu,
            description: localized(r.description_kk, r.description_ru, r.description_en),
            created_at: r.created_at,
            offer_count: r.offer_count,
        }
    }
}

#[derive(FromRow)]
struct SellerStoreRow {
    id: i64,
    code: String,
    name: String,
    country: String,
    city_kato: Option<String>,
    address: String,
    opening_hours: String,
}

#[derive(FromRow)]
struct ProductSummaryRow {
    id: i64,
    code: String,
    category_id: i64,
    brand: String,
    title_kk: String,
    title_ru: String,
    title_en: String,
    min_price: Option<i64>,
    max_price: Option<i64>,
    seller_count: i64,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct ProductRow {
    id: i64,
    code: String,
    category_id: i64,
    brand: String,
    model: String,
    title_kk: String,
    title_ru: String,
    title_en: String,
    description_kk: String,
    description_ru: String,
    description_en: String,
    attributes: String,
    video_url: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct OfferInCityRow {
    offer_id: i64,
    seller_id: i64,
    seller_name: String,
    seller_country: String,
    seller_is_eaeu: bool,
    sku: String,
    price_tiyn: i64,
    stock_in_city: i64,
    stock_total: i64,
    pre_order_days: i32,
    updated_at: DateTime<Utc>,
}

const SELLER_COLUMNS: &str = "s.id, s.code, s.bin, s.legal_name, s.display_name, s.country, s.is_eaeu, \
     s.description_kk, s.description_ru, s.description_en, s.created_at, \
     CAST((SELECT COUNT(*) FROM offers o WHERE o.seller_id = s.id AND o.available = TRUE) AS BIGINT) AS offer_count";

impl Store {
    pub async fn list_cities(&self) -> Result<Vec<City>, StoreError> {
        let rows: Vec<CityRow> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT kato, kaspi_city_id, name_kk, name_ru, name_en FROM cities ORDER BY sort_order, kato"
        )
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(City {
                    kato: kato(&r.kato)?,
                    kaspi_city_id: r.kaspi_city_id,
                    name: localized(r.name_kk, r.name_ru, r.name_en),
                })
            })
            .collect()
    }

    /// Every category in `sort_order`; the tree is small enough to hold whole, and callers
    /// walk it with [`Category::parent_id`].
    pub async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows: Vec<CategoryRow> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, parent_id, name_kk, name_ru, name_en, sort_order
             FROM categories WHERE hidden = FALSE ORDER BY sort_order, id"
        )
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Category {
                id: r.id,
                code: r.code,
                parent_id: r.parent_id,
                name: localized(r.name_kk, r.name_ru, r.name_en),
                sort_order: r.sort_order,
            })
            .collect())
    }

    pub async fn count_products(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE status = 'active'"
        )
        .fetch_one(p)
        .await)?)
    }

    /// A page of products with their price range in the query's city, and the total count.
    pub async fn list_products(&self, q: &ProductQuery) -> Result<(Vec<ProductSummary>, i64), StoreError> {
        // The category filter covers the whole subtree; the seller filter narrows both the
        // products and the offers whose prices make the range.
        const SUBTREE: &str = "WITH RECURSIVE subtree(id) AS (
                SELECT id FROM categories WHERE id = $1
                UNION ALL SELECT c.id FROM categories c JOIN subtree ON c.parent_id = subtree.id)";
        const FILTER: &str = "p.status = 'active' AND ($1 IS NULL OR p.category_id IN (SELECT id FROM subtree))
              AND ($2 IS NULL OR EXISTS (SELECT 1 FROM offers so WHERE so.product_id = p.id AND so.seller_id = $2))";
        // Newest first pages by id alone, so only that page's offers are aggregated; price
        // orders need every product's range. Products without a price in the city go last.
        let (page_filter, order, limit) = match q.order {
            ProductOrder::Newest => (
                format!("p.id IN (SELECT p.id FROM products p WHERE {FILTER} ORDER BY p.id DESC LIMIT $4 OFFSET $5)"),
                "p.id DESC",
                "",
            ),
            ProductOrder::PriceAsc => {
                (FILTER.to_owned(), "(MIN(op.price_tiyn) IS NULL), MIN(op.price_tiyn), p.id", "LIMIT $4 OFFSET $5")
            }
            ProductOrder::PriceDesc => {
                (FILTER.to_owned(), "(MAX(op.price_tiyn) IS NULL), MAX(op.price_tiyn) DESC, p.id", "LIMIT $4 OFFSET $5")
            }
        };
        let list_sql = format!(
            "{SUBTREE}
             SELECT p.id, p.code, p.category_id, p.brand, p.title_kk, p.title_ru, p.title_en, p.created_at,
                    CAST(MIN(op.price_tiyn) AS BIGINT) AS min_price,
                    CAST(MAX(op.price_tiyn) AS BIGINT) AS max_price,
                    CAST(COUNT(DISTINCT CASE WHEN op.price_tiyn IS NOT NULL THEN o.seller_id END) AS BIGINT) AS seller_count
             FROM products p
             LEFT JOIN offers o ON o.product_id = p.id AND o.available = TRUE AND ($2 IS NULL OR o.seller_id = $2)
             LEFT JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = $3
             WHERE {page_filter}
             GROUP BY p.id, p.code, p.category_id, p.brand, p.title_kk, p.title_ru, p.title_en, p.created_at
             ORDER BY {order}
             {limit}"
        );
        let count_sql = format!("{SUBTREE} SELECT CAST(COUNT(*) AS BIGINT) FROM products p WHERE {FILTER}");
        let city = q.city.to_string();
        let (rows, total): (Vec<ProductSummaryRow>, i64) = on_pool!(self.pool(), |p| {
            let rows = sqlx::query_as(AssertSqlSafe(list_sql.as_str()))
                .bind(q.category)
                .bind(q.seller)
                .bind(&city)
                .bind(q.page.limit())
                .bind(q.page.offset())
                .fetch_all(p)
                .await?;
            let total = sqlx::query_scalar(AssertSqlSafe(count_sql.as_str()))
                .bind(q.category)
                .bind(q.seller)
                .fetch_one(p)
                .await?;
            (rows, total)
        });
        let items = rows
            .into_iter()
            .map(|r| ProductSummary {
                id: r.id,
                code: r.code,
                category_id: r.category_id,
                brand: r.brand,
                title: localized(r.title_kk, r.title_ru, r.title_en),
                min_price: r.min_price.map(Money::from_tiyn),
                max_price: r.max_price.map(Money::from_tiyn),
                seller_count: r.seller_count,
                created_at: r.created_at,
            })
            .collect();
        Ok((items, total))
    }

    /// A product whatever its moderation status (the seller cabinet, the console).
    pub async fn product_any_status(&self, id: i64) -> Result<Product, StoreError> {
        self.product_where(id, false).await
    }

    pub async fn find_product(&self, id: i64) -> Result<Product, StoreError> {
        self.product_where(id, true).await
    }

    async fn product_where(&self, id: i64, published_only: bool) -> Result<Product, StoreError> {
        let r: ProductRow = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, category_id, brand, model, title_kk, title_ru, title_en,
                    description_kk, description_ru, description_en, attributes, video_url, created_at, updated_at
             FROM products WHERE id = $1 AND (status = 'active' OR NOT $2)"
        )
        .bind(id)
        .bind(published_only)
        .fetch_one(p)
        .await)?;
        let attributes = serde_json::from_str(&r.attributes)
            .map_err(|e| StoreError::Corrupt(format!("attributes of product {}: {e}", r.id)))?;
        Ok(Product {
            id: r.id,
            code: r.code,
            category_id: r.category_id,
            brand: r.brand,
            model: r.model,
            title: localized(r.title_kk, r.title_ru, r.title_en),
            description: localized(r.description_kk, r.description_ru, r.description_en),
            attributes,
            video_url: r.video_url,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    /// Every available offer of a product that has a price in `city`, cheapest first
    /// (see [`duken_core::catalog::offer_order`]).
    pub async fn offers_in_city(&self, product_id: i64, city: Kato) -> Result<Vec<OfferInCity>, StoreError> {
        let city = city.to_string();
        let rows: Vec<OfferInCityRow> = on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT o.id AS offer_id, o.seller_id, s.display_name AS seller_name, s.country AS seller_country,
                    s.is_eaeu AS seller_is_eaeu, o.seller_sku AS sku, op.price_tiyn, o.pre_order_days, o.updated_at,
                    CAST(COALESCE((SELECT SUM(st.quantity) FROM offer_stocks st JOIN stores w ON w.id = st.store_id
                                   WHERE st.offer_id = o.id AND w.city_kato = $2), 0) AS BIGINT) AS stock_in_city,
                    CAST(COALESCE((SELECT SUM(st.quantity) FROM offer_stocks st WHERE st.offer_id = o.id), 0) AS BIGINT) AS stock_total
             FROM offers o
             JOIN sellers s ON s.id = o.seller_id AND s.status = 'active'
             JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = $2
             WHERE o.product_id = $1 AND o.available = TRUE"
        )
        .bind(product_id)
        .bind(&city)
        .fetch_all(p)
        .await
        })?;
        let mut offers: Vec<OfferInCity> = rows
            .into_iter()
            .map(|r| OfferInCity {
                offer_id: r.offer_id,
                seller_id: r.seller_id,
                seller_name: r.seller_name,
                seller_country: r.seller_country,
                seller_is_eaeu: r.seller_is_eaeu,
                sku: r.sku,
                price: Money::from_tiyn(r.price_tiyn),
                stock_in_city: r.stock_in_city,
                stock_total: r.stock_total,
                pre_order_days: r.pre_order_days,
                updated_at: r.updated_at,
            })
            .collect();
        offers.sort_by(|a, b| duken_core::catalog::offer_order(a.rank_key(), b.rank_key()));
        Ok(offers)
    }

    pub async fn list_sellers(&self, page: PageRequest) -> Result<(Vec<Seller>, i64), StoreError> {
        let sql = format!(
            "SELECT {SELLER_COLUMNS} FROM sellers s WHERE s.status = 'active' ORDER BY s.display_name, s.id LIMIT $1 OFFSET $2"
        );
        let (rows, total): (Vec<SellerRow>, i64) = on_pool!(self.pool(), |p| {
            let rows =
                sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(page.limit()).bind(page.offset()).fetch_all(p).await?;
            let total = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sellers WHERE status = 'active'")
                .fetch_one(p)
                .await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(Seller::from).collect(), total))
    }

    pub async fn find_seller(&self, id: i64) -> Result<Seller, StoreError> {
        let sql = format!("SELECT {SELLER_COLUMNS} FROM sellers s WHERE s.id = $1");
        let row: SellerRow =
            on_pool!(self.pool(), |p| sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(id).fetch_one(p).await)?;
        Ok(row.into())
    }

    pub async fn seller_stores(&self, seller_id: i64) -> Result<Vec<SellerStore>, StoreError> {
        let rows: Vec<SellerStoreRow> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, name, country, city_kato, address, opening_hours
             FROM stores WHERE seller_id = $1 ORDER BY code"
        )
        .bind(seller_id)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(SellerStore {
                    id: r.id,
                    code: r.code,
                    name: r.name,
                    country: r.country,
                    city_kato: r.city_kato.as_deref().map(kato).transpose()?,
                    address: r.address,
                    opening_hours: r.opening_hours,
                })
            })
            .collect()
    }
}

impl OfferInCity {
    pub fn availability(&self) -> duken_core::catalog::Availability {
        duken_core::catalog::Availability::classify(self.stock_in_city, self.stock_total, self.pre_order_days)
    }

    fn rank_key(&self) -> (Money, duken_core::catalog::Availability, i64) {
        (self.price, self.availability(), self.offer_id)
    }
}
