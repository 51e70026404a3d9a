//! Applying a seller's price list (§3, §6): offers, their prices per city and stock per
//! store, with history, in one transaction per upload.
//!
//! The caller has already read and checked the whole file (the `duken-pricelist` crate); a
//! file with any bad offer is recorded as rejected and nothing else is written. A good file
//! is applied batch by batch inside one transaction, so memory stays bounded whatever the
//! file's size and a failure half-way leaves the catalog as it was. An offer whose SKU the
//! seller never used before creates a product card that waits for moderation (§6).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use duken_core::{Kato, Money};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::audit::AuditEntry;
use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// One offer of a price list, ready to apply: stores and cities already resolved.
#[derive(Clone, Debug)]
pub struct OfferUpdate {
    pub sku: String,
    pub model: String,
    pub brand: String,
    /// The seller's price in each city.
    pub prices: Vec<(Kato, Money)>,
    /// Stock in each of the seller's stores (by store id).
    pub stocks: Vec<(i64, i32)>,
    pub available: bool,
    pub pre_order_days: i32,
}

/// Where an upload came from and who sent it.
#[derive(Clone, Debug)]
pub struct UploadMeta<'a> {
    pub seller_id: i64,
    /// `cabinet`, `cli` or `url`.
    pub source: &'a str,
    pub file_name: &'a str,
    pub byte_size: i64,
    pub uploaded_by: Option<i64>,
    pub actor: &'a str,
    pub request_id: &'a str,
    pub started_at: DateTime<Utc>,
}

/// What an upload did, or why it was rejected; stored with the upload as its report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// The reason the whole file was refused (bad XML, wrong namespace, …), if it was.
    pub file_error: Option<ReportLine>,
    pub problems: Vec<ReportLine>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ReportLine {
    pub line: u64,
    pub sku: Option<String>,
    pub reason: String,
    pub detail: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct Upload {
    pub id: i64,
    pub seller_id: i64,
    pub source: String,
    pub file_name: String,
    pub byte_size: i64,
    /// `applied` or `rejected`.
    pub status: String,
    pub offers_total: i64,
    pub offers_created: i64,
    pub offers_updated: i64,
    pub offers_unavailable: i64,
    pub problem_count: i64,
    pub report: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

impl Upload {
    pub fn report(&self) -> Report {
        #[derive(serde::Deserialize)]
        struct Stored {
            file_error: Option<ReportLine>,
            problems: Vec<ReportLine>,
        }
        serde_json::from_str::<Stored>(&self.report)
            .map(|s| Report { file_error: s.file_error, problems: s.problems })
            .unwrap_or_default()
    }
}

/// How many problems a report keeps (the count is always exact).
pub const MAX_REPORTED_PROBLEMS: usize = 10_000;

const UPLOAD_COLUMNS: &str = "id, seller_id, source, file_name, byte_size, status, offers_total, offers_created, \
     offers_updated, offers_unavailable, problem_count, report, created_at, finished_at";

/// Counts of an applied upload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub total: i64,
    pub created: i64,
    pub updated: i64,
    pub unavailable: i64,
}

impl Store {
    /// Records a rejected upload with its report; nothing else changes.
    pub async fn reject_upload(
        &self,
        meta: &UploadMeta<'_>,
        report: &Report,
        problem_count: u64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.insert_upload(meta, "rejected", Applied::default(), problem_count, report).await?;
        let subject = format!("pricelist_upload:{id}");
        let reason = format!("seller:{} rejected, {problem_count} problems", meta.seller_id);
        tx.audit(&AuditEntry {
            actor: meta.actor,
            action: "pricelist.rejected",
            subject: &subject,
            reason: &reason,
            request_id: meta.request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Opens the transaction of an upload; feed it batches with [`PricelistTx::apply_batch`],
    /// then [`PricelistTx::finish`].
    pub async fn begin_pricelist<'m>(&self, meta: UploadMeta<'m>) -> Result<PricelistTx<'m>, StoreError> {
        let mut tx = self.begin().await?;
        let upload_id = tx.insert_upload(&meta, "applied", Applied::default(), 0, &Report::default()).await?;
        let (seller_code, unsorted): (String, i64) = on_tx!(&mut tx, |t| {
            let code = sqlx::query_scalar("SELECT code FROM sellers WHERE id = $1")
                .bind(meta.seller_id)
                .fetch_one(&mut *t)
                .await?;
            let unsorted = sqlx::query_scalar(
                "INSERT INTO categories (code, parent_id, name_kk, name_ru, name_en, sort_order, hidden)
                 VALUES ('unsorted', NULL, 'Санатсыз', 'Без категории', 'Unsorted', 1000000, TRUE)
                 ON CONFLICT (code) DO UPDATE SET hidden = TRUE RETURNING id",
            )
            .fetch_one(&mut *t)
            .await?;
            (code, unsorted)
        });
        Ok(PricelistTx { tx, meta, upload_id, seller_code, unsorted_category: unsorted, applied: Applied::default() })
    }

    pub async fn pricelist_uploads(&self, seller_id: i64, limit: i64) -> Result<Vec<Upload>, StoreError> {
        let sql =
            format!("SELECT {UPLOAD_COLUMNS} FROM pricelist_uploads WHERE seller_id = $1 ORDER BY id DESC LIMIT $2");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(seller_id)
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }

    /// One upload of one seller (another seller's upload is not found).
    pub async fn pricelist_upload(&self, seller_id: i64, id: i64) -> Result<Upload, StoreError> {
        let sql = format!("SELECT {UPLOAD_COLUMNS} FROM pricelist_uploads WHERE id = $1 AND seller_id = $2");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(seller_id)
            .fetch_one(p)
            .await)?)
    }
}

impl Tx {
    async fn insert_upload(
        &mut self,
        meta: &UploadMeta<'_>,
        status: &str,
        applied: Applied,
        problem_count: u64,
        report: &Report,
    ) -> Result<i64, StoreError> {
        let report = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(on_tx!(&mut *self, |t| {
            sqlx::query_scalar(
            "INSERT INTO pricelist_uploads (seller_id, source, file_name, byte_size, status, offers_total, offers_created,
                 offers_updated, offers_unavailable, problem_count, report, uploaded_by, created_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"
        )
        .bind(meta.seller_id)
        .bind(meta.source)
        .bind(meta.file_name)
        .bind(meta.byte_size)
        .bind(status)
        .bind(applied.total)
        .bind(applied.created)
        .bind(applied.updated)
        .bind(applied.unavailable)
        .bind(i64::try_from(problem_count).unwrap_or(i64::MAX))
        .bind(report)
        .bind(meta.uploaded_by)
        .bind(meta.started_at)
        .bind(Utc::now())
        .fetch_one(t)
        .await
        })?)
    }
}

/// An upload being applied: one open transaction.
pub struct PricelistTx<'a> {
    tx: Tx,
    meta: UploadMeta<'a>,
    upload_id: i64,
    seller_code: String,
    unsorted_category: i64,
    applied: Applied,
}

#[derive(FromRow)]
struct ExistingOffer {
    id: i64,
    seller_sku: String,
    available: bool,
    pre_order_days: i32,
}

#[derive(FromRow)]
struct PriceRow {
    offer_id: i64,
    city_kato: String,
    price_tiyn: i64,
}

#[derive(FromRow)]
struct StockRow {
    offer_id: i64,
    store_id: i64,
    quantity: i32,
}

/// Rows per multi-row statement: well under SQLite's and PostgreSQL's bind limits.
pub const BATCH: usize = 500;

/// PostgreSQL's writes of a batch's price and stock changes: one statement each, the rows as
/// arrays (`UNNEST`), so a statement has a few parameters however many rows it carries.
async fn write_changes_pg(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    prices: &[(i64, String, i64)],
    price_history: &[(i64, String, Option<i64>)],
    stocks: &[(i64, i64, i32)],
    stock_history: &[(i64, i64, Option<i32>)],
    upload_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !prices.is_empty() {
        let (ids, cities, amounts): (Vec<i64>, Vec<&str>, Vec<i64>) =
            unzip3(prices.iter().map(|(i, c, p)| (*i, c.as_str(), *p)));
        sqlx::query(
            "INSERT INTO offer_prices (offer_id, city_kato, price_tiyn)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[])
             ON CONFLICT (offer_id, city_kato) DO UPDATE SET price_tiyn = excluded.price_tiyn",
        )
        .bind(&ids)
        .bind(&cities)
        .bind(&amounts)
        .execute(&mut **t)
        .await?;
    }
    if !price_history.is_empty() {
        let (ids, cities, amounts): (Vec<i64>, Vec<&str>, Vec<Option<i64>>) =
            unzip3(price_history.iter().map(|(i, c, p)| (*i, c.as_str(), *p)));
        sqlx::query(
            "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at)
             SELECT o, c, p, $4, $5 FROM UNNEST($1::bigint[], $2::text[], $3::bigint[]) AS u(o, c, p)",
        )
        .bind(&ids)
        .bind(&cities)
        .bind(&amounts)
        .bind(upload_id)
        .bind(now)
        .execute(&mut **t)
        .await?;
    }
    if !stocks.is_empty() {
        let (ids, stores, quantities): (Vec<i64>, Vec<i64>, Vec<i32>) = unzip3(stocks.iter().copied());
        sqlx::query(
            "INSERT INTO offer_stocks (offer_id, store_id, quantity)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::int[])
             ON CONFLICT (offer_id, store_id) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind(&ids)
        .bind(&stores)
        .bind(&quantities)
        .execute(&mut **t)
        .await?;
    }
    if !stock_history.is_empty() {
        let (ids, stores, quantities): (Vec<i64>, Vec<i64>, Vec<Option<i32>>) = unzip3(stock_history.iter().copied());
        sqlx::query(
            "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at)
             SELECT o, s, q, $4, $5 FROM UNNEST($1::bigint[], $2::bigint[], $3::int[]) AS u(o, s, q)",
        )
        .bind(&ids)
        .bind(&stores)
        .bind(&quantities)
        .bind(upload_id)
        .bind(now)
        .execute(&mut **t)
        .await?;
    }
    Ok(())
}

fn unzip3<A, B, C>(rows: impl Iterator<Item = (A, B, C)>) -> (Vec<A>, Vec<B>, Vec<C>) {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for (x, y, z) in rows {
        a.push(x);
        b.push(y);
        c.push(z);
    }
    (a, b, c)
}

/// Pushes `IN ($n, $n+1, …)` for `values`.
fn push_in<'t, DB: sqlx::Database, T>(q: &mut QueryBuilder<DB>, values: impl IntoIterator<Item = T>)
where
    T: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push(" IN (");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    sep.push_unseparated(")");
}

impl PricelistTx<'_> {
    pub fn upload_id(&self) -> i64 {
        self.upload_id
    }

    /// Applies up to [`BATCH`] offers (the caller splits larger ones).
    pub async fn apply_batch(&mut self, batch: &[OfferUpdate]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let seller_id = self.meta.seller_id;
        let upload_id = self.upload_id;
        let skus: Vec<&str> = batch.iter().map(|o| o.sku.as_str()).collect();

        // 1. The offers the seller already has under these SKUs.
        // PostgreSQL gets one array parameter (cheap to plan, the unique index probed per SKU);
        // SQLite an IN list.
        let existing: Vec<ExistingOffer> = match &mut self.tx {
            Tx::Postgres(t) => {
                sqlx::query_as(
                    "SELECT id, seller_sku, available, pre_order_days FROM offers WHERE seller_id = $1 AND seller_sku = ANY($2)",
                )
                .bind(seller_id)
                .bind(&skus)
                .fetch_all(&mut **t)
                .await?
            }
            Tx::Sqlite(t) => {
                let mut q =
                    QueryBuilder::new("SELECT id, seller_sku, available, pre_order_days FROM offers WHERE seller_id = ");
                q.push_bind(seller_id).push(" AND seller_sku");
                push_in(&mut q, skus.iter().copied());
                q.build_query_as().fetch_all(&mut **t).await?
            }
        };
        let known: HashMap<&str, &ExistingOffer> = existing.iter().map(|e| (e.seller_sku.as_str(), e)).collect();
        let mut by_sku = known.clone();

        // 2. New SKUs: a card waiting for moderation (§6), its first content version, the offer.
        let new: Vec<&OfferUpdate> = batch.iter().filter(|o| !by_sku.contains_key(o.sku.as_str())).collect();
        let mut created: Vec<ExistingOffer> = Vec::with_capacity(new.len());
        if !new.is_empty() {
            let codes: Vec<String> = new.iter().map(|o| format!("{}:{}", self.seller_code, o.sku)).collect();
            let brands: Vec<&str> = new.iter().map(|o| o.brand.as_str()).collect();
            let models: Vec<&str> = new.iter().map(|o| o.model.as_str()).collect();
            // Rows come back with their key: RETURNING promises no order.
            let product_rows: Vec<(i64, String)> = match &mut self.tx {
                // PostgreSQL: one array per column, a few parameters however many rows.
                Tx::Postgres(t) => sqlx::query_as(
                    "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en, attributes,
                             status, content_seller_id, created_at, updated_at)
                         SELECT c, $1, b, m, m, m, m, '{}', 'pending', $2, $3, $3
                         FROM UNNEST($4::text[], $5::text[], $6::text[]) AS u(c, b, m)
                         RETURNING id, code",
                )
                .bind(self.unsorted_category)
                .bind(seller_id)
                .bind(now)
                .bind(&codes)
                .bind(&brands)
                .bind(&models)
                .fetch_all(&mut **t)
                .await?,
                Tx::Sqlite(t) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en, attributes,
                             status, content_seller_id, created_at, updated_at) ",
                    );
                    q.push_values(new.iter().zip(&codes), |mut b, (o, code)| {
                        b.push_bind(code)
                            .push_bind(self.unsorted_category)
                            .push_bind(&o.brand)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind("{}")
                            .push_bind("pending")
                            .push_bind(seller_id)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    q.push(" RETURNING id, code");
                    q.build_query_as().fetch_all(&mut **t).await?
                }
            };
            let by_code: HashMap<&str, i64> = product_rows.iter().map(|(id, code)| (code.as_str(), *id)).collect();
            let product_ids: Vec<i64> = codes
                .iter()
                .map(|c| by_code.get(c.as_str()).copied().ok_or_else(|| StoreError::Corrupt(format!("no id for {c}"))))
                .collect::<Result<_, _>>()?;
            let contents: Vec<String> = new
                .iter()
                .map(|o| {
                    serde_json::json!({"brand": o.brand, "model": o.model, "title": {"kk": o.model, "ru": o.model, "en": o.model}})
                        .to_string()
                })
                .collect();
            let skus_new: Vec<&str> = new.iter().map(|o| o.sku.as_str()).collect();
            let available: Vec<bool> = new.iter().map(|o| o.available).collect();
            let pre_order: Vec<i32> = new.iter().map(|o| o.pre_order_days).collect();
            let offer_rows: Vec<(i64, String)> = match &mut self.tx {
                Tx::Postgres(t) => {
                    sqlx::query(
                        "INSERT INTO product_versions (product_id, version, source, author_user_id, author_seller_id, content, created_at)
                         SELECT p, 1, 'pricelist', $1, $2, c, $3 FROM UNNEST($4::bigint[], $5::text[]) AS u(p, c)",
                    )
                    .bind(self.meta.uploaded_by)
                    .bind(seller_id)
                    .bind(now)
                    .bind(&product_ids)
                    .bind(&contents)
                    .execute(&mut **t)
                    .await?;
                    sqlx::query_as(
                        "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, upload_id, created_at, updated_at)
                         SELECT $1, p, s, a, d, $2, $3, $3
                         FROM UNNEST($4::bigint[], $5::text[], $6::bool[], $7::int[]) AS u(p, s, a, d)
                         RETURNING id, seller_sku",
                    )
                    .bind(seller_id)
                    .bind(upload_id)
                    .bind(now)
                    .bind(&product_ids)
                    .bind(&skus_new)
                    .bind(&available)
                    .bind(&pre_order)
                    .fetch_all(&mut **t)
                    .await?
                }
                Tx::Sqlite(t) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO product_versions (product_id, version, source, author_user_id, author_seller_id, content, created_at) ",
                    );
                    q.push_values(product_ids.iter().zip(&contents), |mut b, (pid, content)| {
                        b.push_bind(*pid)
                            .push_bind(1)
                            .push_bind("pricelist")
                            .push_bind(self.meta.uploaded_by)
                            .push_bind(seller_id)
                            .push_bind(content)
                            .push_bind(now);
                    });
                    q.build().execute(&mut **t).await?;
                    let mut q = QueryBuilder::new(
                        "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, upload_id, created_at, updated_at) ",
                    );
                    q.push_values(new.iter().zip(&product_ids), |mut b, (o, pid)| {
                        b.push_bind(seller_id)
                            .push_bind(*pid)
                            .push_bind(&o.sku)
                            .push_bind(o.available)
                            .push_bind(o.pre_order_days)
                            .push_bind(upload_id)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    q.push(" RETURNING id, seller_sku");
                    q.build_query_as().fetch_all(&mut **t).await?
                }
            };
            let by_sku_new: HashMap<&str, i64> = offer_rows.iter().map(|(id, sku)| (sku.as_str(), *id)).collect();
            for o in &new {
                let id = by_sku_new
                    .get(o.sku.as_str())
                    .copied()
                    .ok_or_else(|| StoreError::Corrupt(format!("no id for offer {}", o.sku)))?;
                created.push(ExistingOffer {
                    id,
                    seller_sku: o.sku.clone(),
                    available: o.available,
                    pre_order_days: o.pre_order_days,
                });
            }
            self.applied.created += i64::try_from(new.len()).unwrap_or(0);
        }
        for c in &created {
            by_sku.insert(c.seller_sku.as_str(), c);
        }
        let offer_ids: Vec<i64> = batch.iter().filter_map(|o| by_sku.get(o.sku.as_str()).map(|e| e.id)).collect();

        // 3. Existing offers: availability, pre-order days, and the mark of this upload.
        let changed: Vec<(i64, &OfferUpdate)> =
            batch.iter().filter_map(|o| Some((known.get(o.sku.as_str())?.id, o))).collect();
        self.applied.updated += i64::try_from(changed.len()).unwrap_or(0);
        if !changed.is_empty() {
            let old: HashMap<i64, (bool, i32)> =
                existing.iter().map(|e| (e.id, (e.available, e.pre_order_days))).collect();
            let (same, different): (Vec<_>, Vec<_>) =
                changed.iter().partition(|(id, o)| old.get(id) == Some(&(o.available, o.pre_order_days)));
            if !same.is_empty() {
                on_tx!(&mut self.tx, |t| {
                    let mut q = QueryBuilder::new("UPDATE offers SET upload_id = ");
                    q.push_bind(upload_id).push(" WHERE id");
                    push_in(&mut q, same.iter().map(|(id, _)| *id));
                    q.build().execute(t).await.map(|_| ())?
                });
            }
            for (id, o) in different {
                on_tx!(&mut self.tx, |t| {
                    sqlx::query(
                    "UPDATE offers SET available = $1, pre_order_days = $2, upload_id = $3, updated_at = $4 WHERE id = $5"
                )
                .bind(o.available)
                .bind(o.pre_order_days)
                .bind(upload_id)
                .bind(now)
                .bind(id)
                .execute(t)
                .await
                .map(|_| ())
                })?;
            }
        }

        // 4. Prices and stocks: compare with what is stored, write only the differences and
        // keep each difference in the history.
        let (old_prices, old_stocks): (Vec<PriceRow>, Vec<StockRow>) = match &mut self.tx {
            Tx::Postgres(t) => {
                let prices =
                    sqlx::query_as("SELECT offer_id, city_kato, price_tiyn FROM offer_prices WHERE offer_id = ANY($1)")
                        .bind(&offer_ids)
                        .fetch_all(&mut **t)
                        .await?;
                let stocks =
                    sqlx::query_as("SELECT offer_id, store_id, quantity FROM offer_stocks WHERE offer_id = ANY($1)")
                        .bind(&offer_ids)
                        .fetch_all(&mut **t)
                        .await?;
                (prices, stocks)
            }
            Tx::Sqlite(t) => {
                let mut q =
                    QueryBuilder::new("SELECT offer_id, city_kato, price_tiyn FROM offer_prices WHERE offer_id");
                push_in(&mut q, offer_ids.iter().copied());
                let prices = q.build_query_as().fetch_all(&mut **t).await?;
                let mut q = QueryBuilder::new("SELECT offer_id, store_id, quantity FROM offer_stocks WHERE offer_id");
                push_in(&mut q, offer_ids.iter().copied());
                let stocks = q.build_query_as().fetch_all(&mut **t).await?;
                (prices, stocks)
            }
        };
        // What each offer has now, by offer: the batch's comparisons are then per offer, not
        // over every row the batch read.
        let mut prices_of: HashMap<i64, Vec<(&str, i64)>> = HashMap::new();
        for r in &old_prices {
            prices_of.entry(r.offer_id).or_default().push((r.city_kato.as_str(), r.price_tiyn));
        }
        let mut stocks_of: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
        for r in &old_stocks {
            stocks_of.entry(r.offer_id).or_default().push((r.store_id, r.quantity));
        }
        let mut price_writes: Vec<(i64, String, i64)> = Vec::new();
        let mut price_history: Vec<(i64, String, Option<i64>)> = Vec::new();
        let mut stock_writes: Vec<(i64, i64, i32)> = Vec::new();
        let mut stock_history: Vec<(i64, i64, Option<i32>)> = Vec::new();
        let mut price_removals: Vec<(i64, String)> = Vec::new();
        let mut stock_removals: Vec<(i64, i64)> = Vec::new();
        for o in batch {
            let Some(offer) = by_sku.get(o.sku.as_str()) else { continue };
            let id = offer.id;
            let old_p = prices_of.get(&id).map_or(&[][..], Vec::as_slice);
            let mut cities: Vec<String> = Vec::with_capacity(o.prices.len());
            for (kato, price) in &o.prices {
                let city = kato.to_string();
                if !old_p.iter().any(|(c, p)| *c == city && *p == price.tiyn()) {
                    price_writes.push((id, city.clone(), price.tiyn()));
                    price_history.push((id, city.clone(), Some(price.tiyn())));
                }
                cities.push(city);
            }
            for (city, _) in old_p.iter().filter(|(c, _)| !cities.iter().any(|n| n == c)) {
                price_removals.push((id, (*city).to_owned()));
                price_history.push((id, (*city).to_owned(), None));
            }
            let old_s = stocks_of.get(&id).map_or(&[][..], Vec::as_slice);
            for (store, qty) in &o.stocks {
                if !old_s.iter().any(|(s, q)| s == store && q == qty) {
                    stock_writes.push((id, *store, *qty));
                    stock_history.push((id, *store, Some(*qty)));
                }
            }
            for (store, _) in old_s.iter().filter(|(s, _)| !o.stocks.iter().any(|(n, _)| n == s)) {
                stock_removals.push((id, *store));
                stock_history.push((id, *store, None));
            }
        }
        if let Tx::Postgres(t) = &mut self.tx {
            write_changes_pg(t, &price_writes, &price_history, &stock_writes, &stock_history, upload_id, now).await?;
        }
        let tx = &mut self.tx;
        if !price_writes.is_empty() && matches!(tx, Tx::Sqlite(_)) {
            on_tx!(&mut *tx, |t| {
                let mut q = QueryBuilder::new("INSERT INTO offer_prices (offer_id, city_kato, price_tiyn) ");
                q.push_values(&price_writes, |mut b, (id, city, price)| {
                    b.push_bind(*id).push_bind(city).push_bind(*price);
                });
                q.push(" ON CONFLICT (offer_id, city_kato) DO UPDATE SET price_tiyn = excluded.price_tiyn");
                q.build().execute(t).await.map(|_| ())?
            });
        }
        for (id, city) in &price_removals {
            on_tx!(&mut *tx, |t| sqlx::query("DELETE FROM offer_prices WHERE offer_id = $1 AND city_kato = $2")
                .bind(*id)
                .bind(city)
                .execute(t)
                .await
                .map(|_| ()))?;
        }
        if !price_history.is_empty() && matches!(tx, Tx::Sqlite(_)) {
            on_tx!(&mut *tx, |t| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at) ",
                );
                q.push_values(&price_history, |mut b, (id, city, price)| {
                    b.push_bind(*id).push_bind(city).push_bind(*price).push_bind(upload_id).push_bind(now);
                });
                q.build().execute(t).await.map(|_| ())?
            });
        }
        if !stock_writes.is_empty() && matches!(tx, Tx::Sqlite(_)) {
            on_tx!(&mut *tx, |t| {
                let mut q = QueryBuilder::new("INSERT INTO offer_stocks (offer_id, store_id, quantity) ");
                q.push_values(&stock_writes, |mut b, (id, store, qty)| {
                    b.push_bind(*id).push_bind(*store).push_bind(*qty);
                });
                q.push(" ON CONFLICT (offer_id, store_id) DO UPDATE SET quantity = excluded.quantity");
                q.build().execute(t).await.map(|_| ())?
            });
        }
        for (id, store) in &stock_removals {
            on_tx!(&mut *tx, |t| sqlx::query("DELETE FROM offer_stocks WHERE offer_id = $1 AND store_id = $2")
                .bind(*id)
                .bind(*store)
                .execute(t)
                .await
                .map(|_| ()))?;
        }
        if !stock_history.is_empty() && matches!(tx, Tx::Sqlite(_)) {
            on_tx!(&mut *tx, |t| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at) ",
                );
                q.push_values(&stock_history, |mut b, (id, store, qty)| {
                    b.push_bind(*id).push_bind(*store).push_bind(*qty).push_bind(upload_id).push_bind(now);
                });
                q.build().execute(t).await.map(|_| ())?
            });
        }
        self.applied.total += i64::try_from(batch.len()).unwrap_or(0);
        Ok(())
    }

    /// Makes the seller's offers this upload did not name unavailable (a full upload),
    /// records the counts, notes the change for the search index, audits, and commits.
    pub async fn finish(mut self, full: bool) -> Result<(i64, Applied), StoreError> {
        let now = Utc::now();
        let seller_id = self.meta.seller_id;
        let upload_id = self.upload_id;
        if full {
            self.applied.unavailable = on_tx!(&mut self.tx, |t| sqlx::query(
                "UPDATE offers SET available = FALSE, updated_at = $1
                 WHERE seller_id = $2 AND available = TRUE AND (upload_id IS NULL OR upload_id <> $3)"
            )
            .bind(now)
            .bind(seller_id)
            .bind(upload_id)
            .execute(t)
            .await
            .map(|r| i64::try_from(r.rows_affected()).unwrap_or(0)))?;
        }
        let a = self.applied;
        on_tx!(&mut self.tx, |t| sqlx::query(
            "UPDATE pricelist_uploads SET offers_total = $1, offers_created = $2, offers_updated = $3,
                 offers_unavailable = $4, finished_at = $5 WHERE id = $6"
        )
        .bind(a.total)
        .bind(a.created)
        .bind(a.updated)
        .bind(a.unavailable)
        .bind(now)
        .bind(upload_id)
        .execute(t)
        .await
        .map(|_| ()))?;
        self.tx.record_seller_change(seller_id).await?;
        let subject = format!("pricelist_upload:{upload_id}");
        let reason = format!(
            "seller:{seller_id} {} offers: {} new, {} updated, {} made unavailable",
            a.total, a.created, a.updated, a.unavailable
        );
        self.tx
            .audit(&AuditEntry {
                actor: self.meta.actor,
                action: "pricelist.applied",
                subject: &subject,
                reason: &reason,
                request_id: self.meta.request_id,
            })
            .await?;
        self.tx.commit().await?;
        Ok((upload_id, a))
    }
}

/// The seller's stores by code and the cities by Kaspi city id and by KATO, to resolve a
/// price list's `storeId` and `cityId` (both city codes are accepted, see domain-kz.md).
#[derive(Clone, Debug, Default)]
pub struct Directory {
    pub stores: HashMap<String, (i64, Option<Kato>)>,
    pub cities: HashMap<String, Kato>,
}

impl Store {
    pub async fn pricelist_directory(&self, seller_id: i64) -> Result<Directory, StoreError> {
        let stores = self.seller_stores(seller_id).await?;
        let cities = self.list_cities().await?;
        let mut dir = Directory::default();
        for s in stores {
            dir.stores.insert(s.code, (s.id, s.city_kato));
        }
        for c in cities {
            dir.cities.insert(c.kaspi_city_id.clone(), c.kato);
            dir.cities.insert(c.kato.to_string(), c.kato);
        }
        Ok(dir)
    }

    /// A seller by id, BIN or merchant code (`duken import-pricelist --seller`).
    pub async fn find_seller_by_key(&self, key: &str) -> Result<i64, StoreError> {
        let id = key.parse::<i64>().ok();
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT id FROM sellers WHERE id = $1 OR bin = $2 OR code = $2 ORDER BY (id = $1) DESC LIMIT 1"
        )
        .bind(id)
        .bind(key)
        .fetch_one(p)
        .await)?)
    }
}
