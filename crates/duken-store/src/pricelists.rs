//! Applying a seller's price list (§3, §6): offers, their prices per city and stock per
//! store, with history, in one transaction per upload.
//!
//! The caller has already read and checked the whole file (the `duken-pricelist` crate); a
//! file with any bad offer is recorded as rejected and nothing else is written. A good file
//! is applied batch by batch inside one transaction, so memory stays bounded whatever the
//! file's size and a failure half-way leaves the catalog as it was. An offer whose SKU the
//! seller never used before creates a product card that waits for moderation (§6).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use chrono::{DateTime, Utc};
use duken_core::{Kato, Money};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::audit::AuditEntry;
use crate::{Store, StoreError, Tx, on_pool, on_tx, push_in};

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
        // One upload of a seller at a time (SQLite writes one transaction at a time anyway):
        // the uploads apply in order, and the seller's SKUs stay as this upload reads them.
        if let Tx::Postgres(t) = &mut tx {
            sqlx::query("SELECT pg_advisory_xact_lock($1, CAST($2 % 2147483647 AS INTEGER))")
                .bind(PRICELIST_LOCK)
                .bind(meta.seller_id)
                .execute(&mut **t)
                .await?;
        }
        Ok(PricelistTx {
            tx,
            meta,
            upload_id,
            seller_code,
            unsorted_category: unsorted,
            applied: Applied::default(),
            named: Vec::new(),
            skus_in_use: None,
            available_before: None,
            next_sqlite_ids: None,
        })
    }

    /// Every price an offer has had, oldest first: the superseded values (history rows) and
    /// then, per city, the current one when its time is known. `price_tiyn` None: the city's
    /// price was removed. Prices loaded by the demo data or a seed have no time and no entry.
    pub async fn price_history(&self, offer_id: i64) -> Result<Vec<PriceChange>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT city_kato, price_tiyn, upload_id, changed_at FROM (
                 SELECT city_kato, price_tiyn, upload_id, changed_at, 0 AS cur, id
                 FROM offer_price_history WHERE offer_id = $1
                 UNION ALL
                 SELECT city_kato, price_tiyn, upload_id, since, 1, 0
                 FROM offer_prices WHERE offer_id = $1 AND since IS NOT NULL) x
             ORDER BY changed_at, cur, id, city_kato"
        )
        .bind(offer_id)
        .fetch_all(p)
        .await)?)
    }

    /// Every stock count an offer has had, oldest first, like [`Store::price_history`].
    pub async fn stock_history(&self, offer_id: i64) -> Result<Vec<StockChange>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT store_id, quantity, upload_id, changed_at FROM (
                 SELECT store_id, quantity, upload_id, changed_at, 0 AS cur, id
                 FROM offer_stock_history WHERE offer_id = $1
                 UNION ALL
                 SELECT store_id, quantity, upload_id, since, 1, 0
                 FROM offer_stocks WHERE offer_id = $1 AND since IS NOT NULL) x
             ORDER BY changed_at, cur, id, store_id"
        )
        .bind(offer_id)
        .fetch_all(p)
        .await)?)
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

/// One entry of an offer's price history in a city.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct PriceChange {
    pub city_kato: String,
    /// None: the price in this city was removed.
    pub price_tiyn: Option<i64>,
    pub upload_id: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

/// One entry of an offer's stock history in a store.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct StockChange {
    pub store_id: i64,
    /// None: the store no longer lists the offer.
    pub quantity: Option<i32>,
    pub upload_id: Option<i64>,
    pub changed_at: DateTime<Utc>,
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
    /// The ids of the offers this upload named, known and new: a full upload makes the
    /// seller's other offers unavailable. Kept here (8 bytes an offer) rather than marked on
    /// every offer row, so that a re-upload writes nothing for an offer that did not change.
    named: Vec<i64>,
    /// A digest of every SKU the seller had an offer under before this upload, read when the
    /// first batch turns out to be mostly new SKUs (a first upload): later batches then ask
    /// the database only for the SKUs found here, and a batch of new SKUs not at all. A
    /// re-upload, whose first batch is known offers, never reads it and asks for every SKU
    /// as before (reading a million SKUs would cost it more than it saves). A digest shared
    /// by two SKUs only costs a lookup that finds nothing. The offers the upload creates are
    /// not added: a file names a SKU once (the reader refuses a duplicate before it reaches a
    /// batch, and the unique key would refuse it here), so memory grows with the seller's
    /// catalog, not with the file.
    skus_in_use: Option<HashSet<u64>>,
    /// The ids of the seller's available offers, read with [`Self::skus_in_use`]: every offer a
    /// full upload can make unavailable, so that the end of a first upload compares them with
    /// the offers named instead of reading the seller's offers again (a million of them after
    /// a first upload of a million new SKUs). Nothing else changes a seller's offers while an
    /// upload runs: one upload of a seller at a time, and only uploads write offers.
    available_before: Option<Vec<i64>>,
    /// SQLite: the next free card and offer ids once the upload has created some (it holds the
    /// write lock, so nobody else takes them), sparing a batch two queries.
    next_sqlite_ids: Option<(i64, i64)>,
}

/// The first key of the PostgreSQL advisory lock that an upload holds on its seller (the
/// second is the seller's id).
const PRICELIST_LOCK: i32 = 0x5052_4943; // "PRIC"

/// The digest of a SKU in [`PricelistTx::skus_in_use`]: the same for the same text in every
/// process (SipHash with fixed keys), 8 bytes an offer whatever the SKU's length.
fn sku_digest(sku: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(sku)
}

impl Tx {
    /// The digests of the seller's SKUs and the ids of its available offers, read as a stream.
    async fn seller_sku_digests(&mut self, seller_id: i64) -> Result<(HashSet<u64>, Vec<i64>), StoreError> {
        use futures_util::TryStreamExt as _;
        let mut digests = HashSet::new();
        let mut available = Vec::new();
        on_tx!(&mut *self, |t| {
            let mut rows = sqlx::query_as::<_, (String, i64, bool)>(
                "SELECT seller_sku, id, available FROM offers WHERE seller_id = $1",
            )
            .bind(seller_id)
            .fetch(&mut *t);
            while let Some((sku, id, is_available)) = rows.try_next().await? {
                digests.insert(sku_digest(&sku));
                if is_available {
                    available.push(id);
                }
            }
        });
        Ok((digests, available))
    }
}

#[derive(FromRow)]
struct ExistingOffer {
    id: i64,
    seller_sku: String,
    available: bool,
    pre_order_days: i32,
}

/// An offer's current price in a city, as compared with a price list's.
#[derive(FromRow)]
struct CurrentPrice {
    offer_id: i64,
    city_kato: String,
    price_tiyn: i64,
}

/// An offer's current stock in a store, as compared with a price list's.
#[derive(FromRow)]
struct CurrentStock {
    offer_id: i64,
    store_id: i64,
    quantity: i32,
}

/// Offers per batch on SQLite: multi-row statements (14 parameters a card) well under its
/// 32 766 bind limit. Batches of 2 000 imported no faster there and took 50 MB more memory.
const SQLITE_BATCH: usize = 500;
/// Offers per batch on PostgreSQL: rows go as arrays, and every statement costs a round trip,
/// a plan and a reference check; 2 000 imported a file of new SKUs 8 % faster than 500.
const POSTGRES_BATCH: usize = 2000;

impl Store {
    /// How many offers [`PricelistTx::apply_batch`] takes at a time on this database.
    pub fn pricelist_batch(&self) -> usize {
        batch_size(self.backend())
    }
}

fn batch_size(backend: crate::Backend) -> usize {
    match backend {
        crate::Backend::Sqlite => SQLITE_BATCH,
        crate::Backend::Postgres => POSTGRES_BATCH,
    }
}

/// A batch's writes of prices and stocks.
#[derive(Default)]
struct Changes {
    /// New offers' prices and stocks: nothing stored to conflict with.
    price_inserts: Vec<(i64, String, i64)>,
    stock_inserts: Vec<(i64, i64, i32)>,
    /// Known offers' new or changed prices and stocks.
    price_upserts: Vec<(i64, String, i64)>,
    stock_upserts: Vec<(i64, i64, i32)>,
    /// Removed prices and stocks: each also writes a history row without a value.
    price_removals: Vec<(i64, String)>,
    stock_removals: Vec<(i64, i64)>,
    /// Current rows about to be superseded (changed or removed): the database copies them,
    /// with their upload and time, into the history before they are written over. Reading
    /// every current row's upload and time instead, to compare a re-upload, cost 10–20 %.
    price_moves: Vec<(i64, String)>,
    stock_moves: Vec<(i64, i64)>,
}

/// Rows per SQLite multi-row statement (five parameters each, under its 32 766 limit).
const SQLITE_ROWS: usize = 4000;

impl Changes {
    async fn write(&self, tx: &mut Tx, upload_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        match tx {
            Tx::Postgres(t) => self.write_pg(t, upload_id, now).await,
            Tx::Sqlite(t) => self.write_sqlite(t, upload_id, now).await,
        }
    }

    /// PostgreSQL: one statement per kind of row, the rows as arrays (`UNNEST`), so a
    /// statement has a few parameters however many rows it carries.
    async fn write_pg(
        &self,
        t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        upload_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if !self.price_moves.is_empty() {
            let (ids, cities): (Vec<i64>, Vec<&str>) = self.price_moves.iter().map(|(i, c)| (*i, c.as_str())).unzip();
            sqlx::query(
                "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at)
                 SELECT p.offer_id, p.city_kato, p.price_tiyn, p.upload_id, p.since
                 FROM offer_prices p JOIN UNNEST($1::bigint[], $2::text[]) AS u(o, c)
                   ON p.offer_id = u.o AND p.city_kato = u.c
                 WHERE p.since IS NOT NULL",
            )
            .bind(&ids)
            .bind(&cities)
            .execute(&mut **t)
            .await?;
        }
        if !self.stock_moves.is_empty() {
            let (ids, stores): (Vec<i64>, Vec<i64>) = self.stock_moves.iter().copied().unzip();
            sqlx::query(
                "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at)
                 SELECT s.offer_id, s.store_id, s.quantity, s.upload_id, s.since
                 FROM offer_stocks s JOIN UNNEST($1::bigint[], $2::bigint[]) AS u(o, st)
                   ON s.offer_id = u.o AND s.store_id = u.st
                 WHERE s.since IS NOT NULL",
            )
            .bind(&ids)
            .bind(&stores)
            .execute(&mut **t)
            .await?;
        }
        for (rows, conflict) in [
            (&self.price_inserts, ""),
            (
                &self.price_upserts,
                " ON CONFLICT (offer_id, city_kato) DO UPDATE
                  SET price_tiyn = excluded.price_tiyn, upload_id = excluded.upload_id, since = excluded.since",
            ),
        ] {
            if rows.is_empty() {
                continue;
            }
            let (ids, cities, amounts): (Vec<i64>, Vec<&str>, Vec<i64>) =
                unzip3(rows.iter().map(|(i, c, p)| (*i, c.as_str(), *p)));
            let sql = format!(
                "INSERT INTO offer_prices (offer_id, city_kato, price_tiyn, upload_id, since)
                 SELECT o, c, p, $4, $5 FROM UNNEST($1::bigint[], $2::text[], $3::bigint[]) AS u(o, c, p){conflict}"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&ids)
                .bind(&cities)
                .bind(&amounts)
                .bind(upload_id)
                .bind(now)
                .execute(&mut **t)
                .await?;
        }
        if !self.price_removals.is_empty() {
            let (ids, cities): (Vec<i64>, Vec<&str>) =
                self.price_removals.iter().map(|(i, c)| (*i, c.as_str())).unzip();
            sqlx::query(
                "DELETE FROM offer_prices p USING UNNEST($1::bigint[], $2::text[]) AS u(o, c)
                 WHERE p.offer_id = u.o AND p.city_kato = u.c",
            )
            .bind(&ids)
            .bind(&cities)
            .execute(&mut **t)
            .await?;
        }
        if !self.price_removals.is_empty() {
            let (ids, cities): (Vec<i64>, Vec<&str>) =
                self.price_removals.iter().map(|(i, c)| (*i, c.as_str())).unzip();
            sqlx::query(
                "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at)
                 SELECT o, c, NULL, $3, $4 FROM UNNEST($1::bigint[], $2::text[]) AS u(o, c)",
            )
            .bind(&ids)
            .bind(&cities)
            .bind(upload_id)
            .bind(now)
            .execute(&mut **t)
            .await?;
        }
        for (rows, conflict) in [
            (&self.stock_inserts, ""),
            (
                &self.stock_upserts,
                " ON CONFLICT (offer_id, store_id) DO UPDATE
                  SET quantity = excluded.quantity, upload_id = excluded.upload_id, since = excluded.since",
            ),
        ] {
            if rows.is_empty() {
                continue;
            }
            let (ids, stores, quantities): (Vec<i64>, Vec<i64>, Vec<i32>) = unzip3(rows.iter().copied());
            let sql = format!(
                "INSERT INTO offer_stocks (offer_id, store_id, quantity, upload_id, since)
                 SELECT o, s, q, $4, $5 FROM UNNEST($1::bigint[], $2::bigint[], $3::int[]) AS u(o, s, q){conflict}"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&ids)
                .bind(&stores)
                .bind(&quantities)
                .bind(upload_id)
                .bind(now)
                .execute(&mut **t)
                .await?;
        }
        if !self.stock_removals.is_empty() {
            let (ids, stores): (Vec<i64>, Vec<i64>) = self.stock_removals.iter().copied().unzip();
            sqlx::query(
                "DELETE FROM offer_stocks s USING UNNEST($1::bigint[], $2::bigint[]) AS u(o, st)
                 WHERE s.offer_id = u.o AND s.store_id = u.st",
            )
            .bind(&ids)
            .bind(&stores)
            .execute(&mut **t)
            .await?;
        }
        if !self.stock_removals.is_empty() {
            let (ids, stores): (Vec<i64>, Vec<i64>) = self.stock_removals.iter().copied().unzip();
            sqlx::query(
                "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at)
                 SELECT o, s, NULL, $3, $4 FROM UNNEST($1::bigint[], $2::bigint[]) AS u(o, s)",
            )
            .bind(&ids)
            .bind(&stores)
            .bind(upload_id)
            .bind(now)
            .execute(&mut **t)
            .await?;
        }
        Ok(())
    }

    /// SQLite: multi-row statements of up to [`SQLITE_ROWS`] rows.
    async fn write_sqlite(
        &self,
        t: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        upload_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for chunk in self.price_moves.chunks(SQLITE_ROWS) {
            let mut q = QueryBuilder::new(
                "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at)
                 SELECT offer_id, city_kato, price_tiyn, upload_id, since FROM offer_prices
                 WHERE since IS NOT NULL AND (offer_id, city_kato) IN (",
            );
            q.push_values(chunk, |mut b, (id, city)| {
                b.push_bind(*id).push_bind(city);
            });
            q.push(")");
            q.build().execute(&mut **t).await?;
        }
        for chunk in self.stock_moves.chunks(SQLITE_ROWS) {
            let mut q = QueryBuilder::new(
                "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at)
                 SELECT offer_id, store_id, quantity, upload_id, since FROM offer_stocks
                 WHERE since IS NOT NULL AND (offer_id, store_id) IN (",
            );
            q.push_values(chunk, |mut b, (id, store)| {
                b.push_bind(*id).push_bind(*store);
            });
            q.push(")");
            q.build().execute(&mut **t).await?;
        }
        for (rows, conflict) in [
            (&self.price_inserts, ""),
            (
                &self.price_upserts,
                " ON CONFLICT (offer_id, city_kato) DO UPDATE
                  SET price_tiyn = excluded.price_tiyn, upload_id = excluded.upload_id, since = excluded.since",
            ),
        ] {
            for chunk in rows.chunks(SQLITE_ROWS) {
                let mut q =
                    QueryBuilder::new("INSERT INTO offer_prices (offer_id, city_kato, price_tiyn, upload_id, since) ");
                q.push_values(chunk, |mut b, (id, city, price)| {
                    b.push_bind(*id).push_bind(city).push_bind(*price).push_bind(upload_id).push_bind(now);
                });
                q.push(conflict);
                q.build().execute(&mut **t).await?;
            }
        }
        for (id, city) in &self.price_removals {
            sqlx::query("DELETE FROM offer_prices WHERE offer_id = $1 AND city_kato = $2")
                .bind(*id)
                .bind(city)
                .execute(&mut **t)
                .await?;
        }
        for chunk in self.price_removals.chunks(SQLITE_ROWS) {
            let mut q = QueryBuilder::new(
                "INSERT INTO offer_price_history (offer_id, city_kato, price_tiyn, upload_id, changed_at) ",
            );
            q.push_values(chunk, |mut b, (id, city)| {
                b.push_bind(*id).push_bind(city).push_bind(None::<i64>).push_bind(upload_id).push_bind(now);
            });
            q.build().execute(&mut **t).await?;
        }
        for (rows, conflict) in [
            (&self.stock_inserts, ""),
            (
                &self.stock_upserts,
                " ON CONFLICT (offer_id, store_id) DO UPDATE
                  SET quantity = excluded.quantity, upload_id = excluded.upload_id, since = excluded.since",
            ),
        ] {
            for chunk in rows.chunks(SQLITE_ROWS) {
                let mut q =
                    QueryBuilder::new("INSERT INTO offer_stocks (offer_id, store_id, quantity, upload_id, since) ");
                q.push_values(chunk, |mut b, (id, store, qty)| {
                    b.push_bind(*id).push_bind(*store).push_bind(*qty).push_bind(upload_id).push_bind(now);
                });
                q.push(conflict);
                q.build().execute(&mut **t).await?;
            }
        }
        for (id, store) in &self.stock_removals {
            sqlx::query("DELETE FROM offer_stocks WHERE offer_id = $1 AND store_id = $2")
                .bind(*id)
                .bind(*store)
                .execute(&mut **t)
                .await?;
        }
        for chunk in self.stock_removals.chunks(SQLITE_ROWS) {
            let mut q = QueryBuilder::new(
                "INSERT INTO offer_stock_history (offer_id, store_id, quantity, upload_id, changed_at) ",
            );
            q.push_values(chunk, |mut b, (id, store)| {
                b.push_bind(*id).push_bind(*store).push_bind(None::<i32>).push_bind(upload_id).push_bind(now);
            });
            q.build().execute(&mut **t).await?;
        }
        Ok(())
    }
}

/// The ids of rows returned as (id, key), in the order of `keys`.
fn in_order(rows: &[(i64, String)], keys: &[impl AsRef<str>]) -> Result<Vec<i64>, StoreError> {
    let by_key: HashMap<&str, i64> = rows.iter().map(|(id, key)| (key.as_str(), *id)).collect();
    keys.iter()
        .map(|k| {
            by_key.get(k.as_ref()).copied().ok_or_else(|| StoreError::Corrupt(format!("no id for {}", k.as_ref())))
        })
        .collect()
}

/// The next id of an AUTOINCREMENT table: above every id it ever had. Only under the write
/// lock (inside a transaction that has written) does it stay free until used.
async fn next_sqlite_id(t: &mut sqlx::SqliteConnection, table: &'static str) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0),
                    COALESCE((SELECT MAX(id) FROM {table}), 0)) + 1"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(t).await?)
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

impl PricelistTx<'_> {
    pub fn upload_id(&self) -> i64 {
        self.upload_id
    }

    /// Applies up to [`Store::pricelist_batch`] offers (the caller splits larger ones).
    pub async fn apply_batch(&mut self, batch: &[OfferUpdate]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let seller_id = self.meta.seller_id;
        let upload_id = self.upload_id;
        let skus: Vec<&str> = batch
            .iter()
            .map(|o| o.sku.as_str())
            .filter(|s| self.skus_in_use.as_ref().is_none_or(|known| known.contains(&sku_digest(s))))
            .collect();

        // 1. The offers the seller already has under these SKUs (those whose digest it has).
        // PostgreSQL gets one array parameter (cheap to plan, the unique index probed per SKU);
        // SQLite an IN list.
        let existing: Vec<ExistingOffer> = match &mut self.tx {
            _ if skus.is_empty() => Vec::new(),
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
        // A first batch, full and of mostly new SKUs: a first upload of a big file. The digests
        // of the seller's SKUs spare the later batches most of their lookups.
        let full = batch.len() >= batch_size(self.tx.backend());
        if self.skus_in_use.is_none() && self.applied.total == 0 && full && existing.len() * 10 < batch.len() {
            let (digests, available) = self.tx.seller_sku_digests(seller_id).await?;
            self.skus_in_use = Some(digests);
            self.available_before = Some(available);
        }
        let known: HashMap<&str, &ExistingOffer> = existing.iter().map(|e| (e.seller_sku.as_str(), e)).collect();
        let mut by_sku = known.clone();

        // 2. New SKUs: a card waiting for moderation (§6) and the offer. The card's first content
        // version is the card itself until its content changes (`Tx::keep_first_version`).
        let new: Vec<&OfferUpdate> = batch.iter().filter(|o| !by_sku.contains_key(o.sku.as_str())).collect();
        let mut created: Vec<ExistingOffer> = Vec::with_capacity(new.len());
        if !new.is_empty() {
            let codes: Vec<String> = new.iter().map(|o| format!("{}:{}", self.seller_code, o.sku)).collect();
            let brands: Vec<&str> = new.iter().map(|o| o.brand.as_str()).collect();
            let models: Vec<&str> = new.iter().map(|o| o.model.as_str()).collect();
            // The new cards' ids, in the order of `new`.
            let product_ids: Vec<i64> = match &mut self.tx {
                // PostgreSQL: one array per column, a few parameters however many rows. Rows
                // come back with their key: RETURNING promises no order.
                Tx::Postgres(t) => {
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                    "INSERT INTO products (code, category_id, brand, model, title_kk, title_ru, title_en, attributes,
                             status, content_seller_id, created_upload_id, created_at, updated_at)
                         SELECT c, $1, b, m, m, m, m, '{}', 'pending', $2, $7, $3, $3
                         FROM UNNEST($4::text[], $5::text[], $6::text[]) AS u(c, b, m)
                         RETURNING id, code",
                )
                .bind(self.unsorted_category)
                .bind(seller_id)
                .bind(now)
                .bind(&codes)
                .bind(&brands)
                .bind(&models)
                .bind(upload_id)
                .fetch_all(&mut **t)
                .await?;
                    in_order(&rows, &codes)?
                }
                // SQLite: the ids are given (the upload holds the write lock), so no row comes
                // back: RETURNING hands each row from the database thread to this task on its
                // own, a tenth of the import's time.
                Tx::Sqlite(t) => {
                    let first = match self.next_sqlite_ids {
                        Some((product, _)) => product,
                        None => next_sqlite_id(t, "products").await?,
                    };
                    let mut q = QueryBuilder::new(
                        "INSERT INTO products (id, code, category_id, brand, model, title_kk, title_ru, title_en, attributes,
                             status, content_seller_id, created_upload_id, created_at, updated_at) ",
                    );
                    q.push_values(new.iter().zip(&codes).zip(first..), |mut b, ((o, code), id)| {
                        b.push_bind(id)
                            .push_bind(code)
                            .push_bind(self.unsorted_category)
                            .push_bind(&o.brand)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind(&o.model)
                            .push_bind("{}")
                            .push_bind("pending")
                            .push_bind(seller_id)
                            .push_bind(upload_id)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    q.build().execute(&mut **t).await?;
                    (first..).take(new.len()).collect()
                }
            };
            let skus_new: Vec<&str> = new.iter().map(|o| o.sku.as_str()).collect();
            let available: Vec<bool> = new.iter().map(|o| o.available).collect();
            let pre_order: Vec<i32> = new.iter().map(|o| o.pre_order_days).collect();
            let offer_ids: Vec<i64> = match &mut self.tx {
                Tx::Postgres(t) => {
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                        "INSERT INTO offers (seller_id, product_id, seller_sku, available, pre_order_days, created_at, updated_at)
                         SELECT $1, p, s, a, d, $2, $2
                         FROM UNNEST($3::bigint[], $4::text[], $5::bool[], $6::int[]) AS u(p, s, a, d)
                         RETURNING id, seller_sku",
                    )
                    .bind(seller_id)
                    .bind(now)
                    .bind(&product_ids)
                    .bind(&skus_new)
                    .bind(&available)
                    .bind(&pre_order)
                    .fetch_all(&mut **t)
                    .await?;
                    in_order(&rows, &skus_new)?
                }
                Tx::Sqlite(t) => {
                    let first = match self.next_sqlite_ids {
                        Some((_, offer)) => offer,
                        None => next_sqlite_id(t, "offers").await?,
                    };
                    let mut q = QueryBuilder::new(
                        "INSERT INTO offers (id, seller_id, product_id, seller_sku, available, pre_order_days, created_at, updated_at) ",
                    );
                    q.push_values(new.iter().zip(&product_ids).zip(first..), |mut b, ((o, pid), id)| {
                        b.push_bind(id)
                            .push_bind(seller_id)
                            .push_bind(*pid)
                            .push_bind(&o.sku)
                            .push_bind(o.available)
                            .push_bind(o.pre_order_days)
                            .push_bind(now)
                            .push_bind(now);
                    });
                    q.build().execute(&mut **t).await?;
                    // The upload holds the write lock from its first row (the upload's own) to
                    // its commit: the ids after these stay free for its next batch.
                    let next_product = product_ids.last().map_or(1, |id| id + 1);
                    self.next_sqlite_ids = Some((next_product, first + i64::try_from(new.len()).unwrap_or(0)));
                    (first..).take(new.len()).collect()
                }
            };
            for (o, id) in new.iter().zip(offer_ids) {
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
        self.named.extend(existing.iter().chain(&created).map(|o| o.id));

        // 3. Existing offers: availability and pre-order days, where they changed.
        let mut updated = 0;
        for o in batch {
            let Some(old) = known.get(o.sku.as_str()) else { continue };
            updated += 1;
            if (old.available, old.pre_order_days) == (o.available, o.pre_order_days) {
                continue;
            }
            on_tx!(&mut self.tx, |t| {
                sqlx::query("UPDATE offers SET available = $1, pre_order_days = $2, updated_at = $3 WHERE id = $4")
                    .bind(o.available)
                    .bind(o.pre_order_days)
                    .bind(now)
                    .bind(old.id)
                    .execute(t)
                    .await
                    .map(|_| ())
            })?;
        }
        self.applied.updated += updated;

        // 4. Prices and stocks. A new offer's are inserted as they are; a known offer's are
        // compared with what is stored and only the differences written. The value a
        // difference supersedes moves into the history; a first value writes no history row,
        // the current row carrying its time and upload (`since`, `upload_id`).
        let known_ids: Vec<i64> = existing.iter().map(|e| e.id).collect();
        let (old_prices, old_stocks): (Vec<CurrentPrice>, Vec<CurrentStock>) = if known_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            match &mut self.tx {
                Tx::Postgres(t) => {
                    let prices = sqlx::query_as(
                        "SELECT offer_id, city_kato, price_tiyn FROM offer_prices WHERE offer_id = ANY($1)",
                    )
                    .bind(&known_ids)
                    .fetch_all(&mut **t)
                    .await?;
                    let stocks = sqlx::query_as(
                        "SELECT offer_id, store_id, quantity FROM offer_stocks WHERE offer_id = ANY($1)",
                    )
                    .bind(&known_ids)
                    .fetch_all(&mut **t)
                    .await?;
                    (prices, stocks)
                }
                Tx::Sqlite(t) => {
                    let mut q =
                        QueryBuilder::new("SELECT offer_id, city_kato, price_tiyn FROM offer_prices WHERE offer_id");
                    push_in(&mut q, known_ids.iter().copied());
                    let prices = q.build_query_as().fetch_all(&mut **t).await?;
                    let mut q =
                        QueryBuilder::new("SELECT offer_id, store_id, quantity FROM offer_stocks WHERE offer_id");
                    push_in(&mut q, known_ids.iter().copied());
                    let stocks = q.build_query_as().fetch_all(&mut **t).await?;
                    (prices, stocks)
                }
            }
        };
        // What each offer has now, by offer: the batch's comparisons are then per offer, not
        // over every row the batch read.
        let mut prices_of: HashMap<i64, Vec<&CurrentPrice>> = HashMap::new();
        for r in &old_prices {
            prices_of.entry(r.offer_id).or_default().push(r);
        }
        let mut stocks_of: HashMap<i64, Vec<&CurrentStock>> = HashMap::new();
        for r in &old_stocks {
            stocks_of.entry(r.offer_id).or_default().push(r);
        }
        let mut w = Changes::default();
        for o in batch {
            let Some(offer) = by_sku.get(o.sku.as_str()) else { continue };
            let id = offer.id;
            if !known.contains_key(o.sku.as_str()) {
                for (kato, price) in &o.prices {
                    w.price_inserts.push((id, kato.to_string(), price.tiyn()));
                }
                w.stock_inserts.extend(o.stocks.iter().map(|(store, qty)| (id, *store, *qty)));
                continue;
            }
            let old_p = prices_of.get(&id).map_or(&[][..], Vec::as_slice);
            let mut cities: Vec<String> = Vec::with_capacity(o.prices.len());
            for (kato, price) in &o.prices {
                let city = kato.to_string();
                let old = old_p.iter().find(|r| r.city_kato == city);
                if old.is_none_or(|r| r.price_tiyn != price.tiyn()) {
                    if old.is_some() {
                        w.price_moves.push((id, city.clone()));
                    }
                    w.price_upserts.push((id, city.clone(), price.tiyn()));
                }
                cities.push(city);
            }
            for r in old_p.iter().filter(|r| !cities.contains(&r.city_kato)) {
                w.price_removals.push((id, r.city_kato.clone()));
                w.price_moves.push((id, r.city_kato.clone()));
            }
            let old_s = stocks_of.get(&id).map_or(&[][..], Vec::as_slice);
            for (store, qty) in &o.stocks {
                let old = old_s.iter().find(|r| r.store_id == *store);
                if old.is_none_or(|r| r.quantity != *qty) {
                    if old.is_some() {
                        w.stock_moves.push((id, *store));
                    }
                    w.stock_upserts.push((id, *store, *qty));
                }
            }
            for r in old_s.iter().filter(|r| !o.stocks.iter().any(|(n, _)| *n == r.store_id)) {
                w.stock_removals.push((id, r.store_id));
                w.stock_moves.push((id, r.store_id));
            }
        }
        w.write(&mut self.tx, upload_id, now).await?;
        self.applied.total += i64::try_from(batch.len()).unwrap_or(0);
        Ok(())
    }

    /// Undoes everything the upload wrote: the file turned out bad after some of its offers
    /// were applied. The caller then records it with [`Store::reject_upload`].
    pub async fn roll_back(self) -> Result<(), StoreError> {
        self.tx.rollback().await
    }

    /// Makes the seller's available offers this upload did not name unavailable; their count.
    async fn make_unnamed_unavailable(&mut self, now: DateTime<Utc>) -> Result<i64, StoreError> {
        use futures_util::TryStreamExt as _;
        self.named.sort_unstable();
        let named = &self.named;
        let mut gone: Vec<i64> = Vec::new();
        if let Some(before) = &self.available_before {
            gone.extend(before.iter().copied().filter(|id| named.binary_search(id).is_err()));
        } else {
            on_tx!(&mut self.tx, |t| {
                let mut ids =
                    sqlx::query_scalar::<_, i64>("SELECT id FROM offers WHERE seller_id = $1 AND available = TRUE")
                        .bind(self.meta.seller_id)
                        .fetch(&mut *t);
                while let Some(id) = ids.try_next().await? {
                    if named.binary_search(&id).is_err() {
                        gone.push(id);
                    }
                }
            });
        }
        for chunk in gone.chunks(SQLITE_BATCH) {
            on_tx!(&mut self.tx, |t| {
                let mut q = QueryBuilder::new("UPDATE offers SET available = FALSE, updated_at = ");
                q.push_bind(now).push(" WHERE id");
                push_in(&mut q, chunk.iter().copied());
                q.build().execute(t).await.map(|_| ())?
            });
        }
        Ok(i64::try_from(gone.len()).unwrap_or(i64::MAX))
    }

    /// Makes the seller's offers this upload did not name unavailable (a full upload),
    /// records the counts, notes the change for the search index, audits, and commits.
    pub async fn finish(mut self, full: bool) -> Result<(i64, Applied), StoreError> {
        let now = Utc::now();
        let seller_id = self.meta.seller_id;
        let upload_id = self.upload_id;
        if full {
            self.applied.unavailable = self.make_unnamed_unavailable(now).await?;
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
