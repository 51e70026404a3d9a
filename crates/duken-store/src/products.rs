//! §6: seller-provided content of product cards — every change a new version with author and
//! time, photos — and the seller's own list of offers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use duken_core::{Localized, PageRequest};
use serde::Serialize;
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::{Store, StoreError, on_pool, on_tx};

/// The content a seller edits; attributes already checked against the category's schema.
#[derive(Clone, Debug, Serialize)]
pub struct ProductContent {
    pub title: Localized,
    pub description: Localized,
    pub brand: String,
    pub model: String,
    pub attributes: BTreeMap<String, String>,
    pub video_url: String,
}

/// Who provided the content a card shows now.
#[derive(Clone, Debug, FromRow)]
pub struct ContentSource {
    pub version: i32,
    /// `seller`, `pricelist`, `operator`, `import` or `demo`.
    pub source: String,
    pub seller_id: Option<i64>,
    pub seller_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct Photo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub seller_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One of a seller's offers, with its card, for the cabinet.
#[derive(Clone, Debug, FromRow)]
pub struct SellerOffer {
    pub offer_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub title_ru: String,
    pub title_kk: String,
    pub title_en: String,
    pub product_status: String,
    pub available: bool,
    pub updated_at: DateTime<Utc>,
}

/// A photo to record (the file is already stored under `file_name`).
#[derive(Clone, Debug)]
pub struct NewPhoto<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
}

impl Store {
    /// The seller's offers with their cards, newest change first.
    pub async fn seller_offers(
        &self,
        seller_id: i64,
        page: PageRequest,
    ) -> Result<(Vec<SellerOffer>, i64), StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            let rows = sqlx::query_as(
                "SELECT o.id AS offer_id, o.product_id, o.seller_sku AS sku, p.title_ru, p.title_kk, p.title_en,
                        p.status AS product_status, o.available, o.updated_at
                 FROM offers o JOIN products p ON p.id = o.product_id
                 WHERE o.seller_id = $1 ORDER BY o.updated_at DESC, o.id DESC LIMIT $2 OFFSET $3",
            )
            .bind(seller_id)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
            let total = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM offers WHERE seller_id = $1")
                .bind(seller_id)
                .fetch_one(p)
                .await?;
            (rows, total)
        }))
    }

    /// Whether the seller has an offer on the product (only then may it change its content).
    pub async fn seller_offers_product(&self, seller_id: i64, product_id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM offers WHERE seller_id = $1 AND product_id = $2 LIMIT 1"
        )
        .bind(seller_id)
        .bind(product_id)
        .fetch_optional(p)
        .await)?;
        Ok(found.is_some())
    }

    /// Replaces a card's content with a seller's, as a new version (audited, noted for search).
    pub async fn update_product_content(
        &self,
        product_id: i64,
        seller_id: i64,
        user_id: i64,
        content: &ProductContent,
        request_id: &str,
    ) -> Result<i32, StoreError> {
        let now = Utc::now();
        let attributes = serde_json::to_string(&content.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let snapshot = serde_json::to_string(content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin().await?;
        tx.keep_first_version(product_id).await?;
        let changed = on_tx!(&mut tx, |t| {
            sqlx::query(
            "UPDATE products SET title_kk = $1, title_ru = $2, title_en = $3, description_kk = $4, description_ru = $5,
                 description_en = $6, brand = $7, model = $8, attributes = $9, video_url = $10, content_seller_id = $11,
                 updated_at = $12
             WHERE id = $13 AND status <> 'rejected'"
        )
        .bind(&content.title.kk)
        .bind(&content.title.ru)
        .bind(&content.title.en)
        .bind(&content.description.kk)
        .bind(&content.description.ru)
        .bind(&content.description.en)
        .bind(&content.brand)
        .bind(&content.model)
        .bind(&attributes)
        .bind(&content.video_url)
        .bind(seller_id)
        .bind(now)
        .bind(product_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected())
        })?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        let version = tx.add_version(product_id, "seller", Some(user_id), Some(seller_id), &snapshot, now).await?;
        tx.record_product_change(product_id).await?;
        let actor = format!("user:{user_id}");
        let subject = format!("product:{product_id}");
        let reason = format!("seller:{seller_id} version {version}");
        tx.audit(&AuditEntry {
            actor: &actor,
            action: "product.content_changed",
            subject: &subject,
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Who provided the content the card shows now (its newest version).
    pub async fn content_source(&self, product_id: i64) -> Result<Option<ContentSource>, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONTENT_VERSIONS} LIMIT 1")))
                .bind(product_id)
                .fetch_optional(p)
                .await
        })?)
    }

    /// Every version of a card's content, newest first.
    pub async fn content_versions(&self, product_id: i64) -> Result<Vec<ContentSource>, StoreError> {
        Ok(on_pool!(self.pool(), |p| { sqlx::query_as(CONTENT_VERSIONS).bind(product_id).fetch_all(p).await })?)
    }

    /// Records a photo a seller added (audited; a new content version names it).
    pub async fn add_photo(
        &self,
        product_id: i64,
        seller_id: i64,
        user_id: i64,
        photo: &NewPhoto<'_>,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO product_photos (product_id, file_name, content_type, byte_size, width, height, sort_order,
                 author_user_id, author_seller_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6,
                 (SELECT CAST(COALESCE(MAX(sort_order), 0) + 1 AS INTEGER) FROM product_photos WHERE product_id = $1),
                 $7, $8, $9) RETURNING id"
        )
        .bind(product_id)
        .bind(photo.file_name)
        .bind(photo.content_type)
        .bind(photo.byte_size)
        .bind(photo.width)
        .bind(photo.height)
        .bind(user_id)
        .bind(seller_id)
        .bind(now)
        .fetch_one(t)
        .await)?;
        let snapshot = serde_json::json!({"photo_added": photo.file_name}).to_string();
        tx.keep_first_version(product_id).await?;
        tx.add_version(product_id, "seller", Some(user_id), Some(seller_id), &snapshot, now).await?;
        let actor = format!("user:{user_id}");
        let subject = format!("product:{product_id}");
        let reason = format!("seller:{seller_id} photo:{id}");
        tx.audit(&AuditEntry {
            actor: &actor,
            action: "product.photo_added",
            subject: &subject,
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn product_photos(&self, product_id: i64) -> Result<Vec<Photo>, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT ph.id, ph.file_name, ph.content_type, ph.width, ph.height, s.display_name AS seller_name, ph.created_at
             FROM product_photos ph LEFT JOIN sellers s ON s.id = ph.author_seller_id
             WHERE ph.product_id = $1 ORDER BY ph.sort_order, ph.id"
        )
        .bind(product_id)
        .fetch_all(p)
        .await
        })?)
    }
}

/// What a price-list card's implied first version is made of: brand, model, the uploading
/// user, the seller, the card's creation time.
type FirstVersion = (String, String, Option<i64>, i64, DateTime<Utc>);

impl crate::Tx {
    /// Writes the first content version of a card a price list created, as a row, if it has
    /// none yet: until its content first changes that version is the card itself (brand and
    /// model, the model as every title, by the upload's seller and user, at the card's
    /// creation). Call before changing a card's content or adding a version.
    pub(crate) async fn keep_first_version(&mut self, product_id: i64) -> Result<(), StoreError> {
        let first: Option<FirstVersion> = on_tx!(&mut *self, |t| {
            sqlx::query_as(
                "SELECT p.brand, p.model, u.uploaded_by, u.seller_id, p.created_at
                 FROM products p JOIN pricelist_uploads u ON u.id = p.created_upload_id
                 WHERE p.id = $1 AND NOT EXISTS (SELECT 1 FROM product_versions v WHERE v.product_id = p.id)",
            )
            .bind(product_id)
            .fetch_optional(t)
            .await
        })?;
        let Some((brand, model, user_id, seller_id, created_at)) = first else { return Ok(()) };
        let content =
            serde_json::json!({"brand": brand, "model": model, "title": {"kk": model, "ru": model, "en": model}})
                .to_string();
        self.add_version(product_id, "pricelist", user_id, Some(seller_id), &content, created_at).await?;
        Ok(())
    }

    /// The next version of a card's content.
    pub(crate) async fn add_version(
        &mut self,
        product_id: i64,
        source: &str,
        user_id: Option<i64>,
        seller_id: Option<i64>,
        content: &str,
        at: DateTime<Utc>,
    ) -> Result<i32, StoreError> {
        Ok(on_tx!(&mut *self, |t| {
            sqlx::query_scalar(
            "INSERT INTO product_versions (product_id, version, source, author_user_id, author_seller_id, content, created_at)
             VALUES ($1, (SELECT CAST(COALESCE(MAX(version), 0) + 1 AS INTEGER) FROM product_versions WHERE product_id = $1),
                     $2, $3, $4, $5, $6)
             RETURNING version"
        )
        .bind(product_id)
        .bind(source)
        .bind(user_id)
        .bind(seller_id)
        .bind(content)
        .bind(at)
        .fetch_one(t)
        .await
        })?)
    }
}

/// A product of a merchant API import, already checked.
#[derive(Clone, Debug)]
pub struct ImportedProduct {
    pub sku: String,
    pub category_id: i64,
    pub content: ProductContent,
}

#[derive(Clone, Debug, FromRow)]
pub struct ProductImport {
    pub code: String,
    pub seller_id: i64,
    pub status: String,
    pub item_count: i64,
    pub result: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Applies one imported product (audited): the card of an offer the seller already has
    /// under this SKU gets the content as a new version; a new SKU makes a card that waits
    /// for moderation, in the given category, with an offer that has no price yet (a price
    /// list gives it one). Returns the product id and whether it is new.
    pub async fn import_product(
        &self,
        seller_id: i64,
        item: &ImportedProduct,
        actor: &str,
        request_id: &str,
    ) -> Result<(i64, bool), StoreError> {
        let now = Utc::now();
        let attributes =
            serde_json::to_string(&item.content.attributes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let snapshot = serde_json::to_string(&item.content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let c = &item.content;
        let mut tx = self.begin().await?;
        let existing: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "SELECT product_id FROM offers WHERE seller_id = $1 AND seller_sku = $2"
        )
        .bind(seller_id)
        .bind(&item.sku)
        .fetch_optional(t)
        .await)?;
        let (product_id, created) = match existing {
            Some(id) => {
                tx.keep_first_version(id).await?;
                on_tx!(&mut tx, |t| sqlx::query(
                    "UPDATE products SET title_kk = $1, title_ru = $2, title_en = $3, description_kk = $4,
                         description_ru = $5, description_en = $6, brand = $7, model = $8, attributes = $9,
                         content_seller_id = $10, updated_at = $11 WHERE id = $12"
                )
                .bind(&c.title.kk)
                .bind(&c.title.ru)
                .bind(&c.title.en)
                .bind(&c.description.kk)
                .bind(&c.description.ru)
                .bind(&c.description.en)
                .bind(&c.brand)
                .bind(&c.model)
                .bind(&attributes)
                .bind(seller_id)
                .bind(now)
                .bind(id)
                .execute(t)
                .await
                .map(|_| ()))?;
                (id, false)
            }
            None => {
                let code: String = on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT code FROM sellers WHERE id = $1")
                    .bind(seller_id)
                    .fetch_one(t)
                    .await)?;
                let id: i64 = on_tx!(&mut tx, |t| {
                    sqlx::query_scalar(
                    "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en, description_kk,
                         description_ru, description_en, attributes, status, content_seller_id, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, $13) RETURNING id"
                )
                .bind(format!("{code}:{}", item.sku))
                .bind(item.category_id)
                .bind(&c.brand)
                .bind(&c.model)
                .bind(&c.title.kk)
                .bind(&c.title.ru)
                .bind(&c.title.en)
                .bind(&c.description.kk)
                .bind(&c.description.ru)
                .bind(&c.description.en)
                .bind(&attributes)
                .bind(seller_id)
                .bind(now)
                .fetch_one(t)
                .await
                })?;
                on_tx!(&mut tx, |t| {
                    sqlx::query(
                    "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, created_at, updated_at)
                     VALUES ($1, $2, $3, FALSE, 0, $4, $4)"
                )
                .bind(seller_id)
                .bind(id)
                .bind(&item.sku)
                .bind(now)
                .execute(t)
                .await
                .map(|_| ())
                })?;
                (id, true)
            }
        };
        tx.add_version(product_id, "import", None, Some(seller_id), &snapshot, now).await?;
        tx.record_product_change(product_id).await?;
        let subject = format!("product:{product_id}");
        let reason = format!("seller:{seller_id} sku {}", item.sku);
        tx.audit(&AuditEntry { actor, action: "product.imported", subject: &subject, reason: &reason, request_id })
            .await?;
        tx.commit().await?;
        Ok((product_id, created))
    }

    pub async fn record_import(
        &self,
        code: &str,
        seller_id: i64,
        item_count: i64,
        result: &str,
        started_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query(
            "INSERT INTO product_imports (code, seller_id, status, item_count, result, created_at, finished_at)
             VALUES ($1, $2, 'FINISHED', $3, $4, $5, $6)"
        )
        .bind(code)
        .bind(seller_id)
        .bind(item_count)
        .bind(result)
        .bind(started_at)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// One of the seller's imports by its code (another seller's is not found).
    pub async fn find_import(&self, seller_id: i64, code: &str) -> Result<ProductImport, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT code, seller_id, status, item_count, result, created_at, finished_at FROM product_imports
             WHERE code = $1 AND seller_id = $2"
        )
        .bind(code)
        .bind(seller_id)
        .fetch_one(p)
        .await)?)
    }

    /// A category by its code (the merchant API names categories by code).
    pub async fn category_by_code(&self, code: &str) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM categories WHERE code = $1 AND hidden = FALSE"
        )
        .bind(code)
        .fetch_optional(p)
        .await)?)
    }
}

/// A card's content versions, newest first: the stored ones, or, for a card a price list created
/// and nobody has edited, its implied first version (see `Tx::keep_first_version`).
const CONTENT_VERSIONS: &str = "SELECT version, source, seller_id, seller_name, created_at FROM (
                 SELECT v.version, v.source, v.author_seller_id AS seller_id, s.display_name AS seller_name, v.created_at
                 FROM product_versions v LEFT JOIN sellers s ON s.id = v.author_seller_id
                 WHERE v.product_id = $1
                 UNION ALL
                 SELECT 1, 'pricelist', u.seller_id, s.display_name, p.created_at
                 FROM products p JOIN pricelist_uploads u ON u.id = p.created_upload_id
                 LEFT JOIN sellers s ON s.id = u.seller_id
                 WHERE p.id = $1 AND NOT EXISTS (SELECT 1 FROM product_versions v WHERE v.product_id = p.id)) x
             ORDER BY version DESC";
