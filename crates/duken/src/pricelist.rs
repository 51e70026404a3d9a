//! Importing a seller's XML price list (kaspi-merchant-api.md, "XML price list"): from the
//! cabinet, from `duken import-pricelist`, or fetched from the seller's URL.
//!
//! The file is on disk (uploads are streamed there first) and is read twice, each time as a
//! stream in constant memory: the first pass checks every offer against the seller's stores
//! and the cities; a file with any problem is recorded as rejected with every bad line and
//! nothing else changes. The second pass applies the offers in batches inside one
//! transaction ([`duken_store::pricelists`]).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use duken_core::{Kato, Money};
use duken_pricelist::{FileError, Limits, Offer, PriceListReader, Prices};
use duken_store::pricelists::{Applied, BATCH, Directory, OfferUpdate, Report, ReportLine, UploadMeta};
use duken_store::{Store, StoreError};

/// What happened to an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied { upload_id: i64, applied: Applied },
    Rejected { upload_id: i64, problem_count: u64 },
}

impl Outcome {
    pub fn upload_id(&self) -> i64 {
        match self {
            Outcome::Applied { upload_id, .. } | Outcome::Rejected { upload_id, .. } => *upload_id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the price list: {0}")]
    Io(#[from] std::io::Error),
    #[error("the import stopped: {0}")]
    Worker(String),
}

/// One upload to import.
pub struct Upload<'a> {
    pub seller_id: i64,
    pub path: &'a Path,
    pub file_name: &'a str,
    /// `cabinet`, `cli` or `url`.
    pub source: &'a str,
    pub uploaded_by: Option<i64>,
    pub actor: &'a str,
    pub request_id: &'a str,
}

struct Lookup<'a>(&'a Directory);

impl duken_pricelist::Directory for Lookup<'_> {
    fn has_store(&self, store_id: &str) -> bool {
        self.0.stores.contains_key(store_id)
    }
    fn has_city(&self, city_id: &str) -> bool {
        self.0.cities.contains_key(city_id)
    }
}

fn file_error_line(e: &FileError) -> ReportLine {
    ReportLine { line: e.line().unwrap_or(0), sku: None, reason: e.code().to_owned(), detail: e.to_string() }
}

/// The merchant id a file names (`duken import-pricelist` without `--seller`).
pub fn merchant_id_of(path: &Path) -> Result<Result<String, FileError>, std::io::Error> {
    let mut reader = PriceListReader::new(BufReader::new(File::open(path)?), Limits::default());
    Ok(reader.header().map(|h| h.merchant_id))
}

/// Checks the whole file (first pass) and, if every offer is good, applies it.
pub async fn import(store: &Store, upload: Upload<'_>) -> Result<Outcome, ImportError> {
    let started_at = chrono::Utc::now();
    let byte_size = i64::try_from(std::fs::metadata(upload.path)?.len()).unwrap_or(i64::MAX);
    let meta = UploadMeta {
        seller_id: upload.seller_id,
        source: upload.source,
        file_name: upload.file_name,
        byte_size,
        uploaded_by: upload.uploaded_by,
        actor: upload.actor,
        request_id: upload.request_id,
        started_at,
    };
    let dir = std::sync::Arc::new(store.pricelist_directory(upload.seller_id).await?);
    let path: PathBuf = upload.path.to_owned();
    let check_dir = dir.clone();
    let checked = tokio::task::spawn_blocking(move || -> Result<_, std::io::Error> {
        let file = BufReader::with_capacity(256 * 1024, File::open(&path)?);
        Ok(duken_pricelist::read_all(file, Limits::default(), &Lookup(&check_dir), |_| {}))
    })
    .await
    .map_err(|e| ImportError::Worker(e.to_string()))??;
    let (report, problem_count) = match checked {
        Err(e) => (Report { file_error: Some(file_error_line(&e)), problems: vec![] }, 1),
        Ok(summary) if summary.problem_count > 0 => (
            Report {
                file_error: None,
                problems: summary
                    .problems
                    .iter()
                    .map(|p| ReportLine {
                        line: p.line,
                        sku: p.sku.clone(),
                        reason: p.reason.code().to_owned(),
                        detail: p.detail.clone(),
                    })
                    .collect(),
            },
            summary.problem_count,
        ),
        Ok(_) => return apply(store, meta, upload.path, dir).await,
    };
    let upload_id = store.reject_upload(&meta, &report, problem_count).await?;
    tracing::info!(seller = upload.seller_id, upload_id, problem_count, "price list rejected");
    Ok(Outcome::Rejected { upload_id, problem_count })
}

/// The second pass: a reader thread sends batches of offers; this task writes them.
async fn apply(
    store: &Store,
    meta: UploadMeta<'_>,
    path: &Path,
    dir: std::sync::Arc<Directory>,
) -> Result<Outcome, ImportError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<OfferUpdate>>(4);
    let path = path.to_owned();
    let reader_dir = dir.clone();
    let reader = tokio::task::spawn_blocking(move || -> Result<(), String> {
        let file = File::open(&path).map_err(|e| e.to_string())?;
        let mut reader = PriceListReader::new(BufReader::with_capacity(256 * 1024, file), Limits::default());
        reader.header().map_err(|e| e.to_string())?;
        let lookup = Lookup(&reader_dir);
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            match reader.next_offer(&lookup).map_err(|e| e.to_string())? {
                None => break,
                Some(Ok(offer)) => batch.push(offer_update(&offer, &reader_dir)),
                // The first pass found none; a file that changed in between is refused.
                Some(Err(_)) => return Err("the file changed while it was imported".into()),
            }
            if batch.len() == BATCH
                && tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err()
            {
                return Ok(());
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        Ok(())
    });
    let mut writing = store.begin_pricelist(meta).await?;
    while let Some(batch) = rx.recv().await {
        writing.apply_batch(&batch).await?;
    }
    reader.await.map_err(|e| ImportError::Worker(e.to_string()))?.map_err(ImportError::Worker)?;
    let (upload_id, applied) = writing.finish(true).await?;
    tracing::info!(upload_id, ?applied, "price list applied");
    Ok(Outcome::Applied { upload_id, applied })
}

/// An offer's stock when the file says it is available but gives no count: "at least one".
pub const UNCOUNTED_STOCK: i32 = 1;

/// Resolves a parsed offer against the seller's stores and the cities.
fn offer_update(offer: &Offer, dir: &Directory) -> OfferUpdate {
    // A single price applies in every city where the seller has a store; a seller with no
    // store in Kazakhstan (a warehouse abroad) sells to every city.
    let mut store_cities: Vec<Kato> = dir.stores.values().filter_map(|(_, k)| *k).collect();
    if store_cities.is_empty() {
        store_cities = dir.cities.values().copied().collect();
    }
    store_cities.sort_unstable();
    store_cities.dedup();
    let resolve = |id: &str| dir.cities.get(id).copied();
    let mut prices: Vec<(Kato, Money)> = Vec::new();
    match offer.prices() {
        Prices::Single(m) => prices.extend(store_cities.iter().map(|k| (*k, m))),
        Prices::PerCity(list) => prices.extend(list.iter().filter_map(|c| Some((resolve(&c.city_id)?, c.price)))),
        Prices::PerCityWithDefault { cities, default } => {
            prices.extend(cities.iter().filter_map(|c| Some((resolve(&c.city_id)?, c.price))));
            for k in &store_cities {
                if !prices.iter().any(|(p, _)| p == k) {
                    prices.push((*k, default));
                }
            }
        }
    }
    // Two city ids can name one city (a Kaspi id and its KATO): the first given wins.
    let mut seen = Vec::with_capacity(prices.len());
    prices.retain(|(k, _)| {
        let fresh = !seen.contains(k);
        seen.push(*k);
        fresh
    });
    let stocks = offer
        .availabilities
        .iter()
        .filter_map(|a| {
            let (store_id, _) = dir.stores.get(&a.store_id)?;
            let qty = match (a.available, a.stock_count) {
                (false, _) => 0,
                (true, Some(n)) => i32::try_from(n).unwrap_or(i32::MAX),
                (true, None) => UNCOUNTED_STOCK,
            };
            Some((*store_id, qty))
        })
        .collect();
    OfferUpdate {
        sku: offer.sku.clone(),
        model: offer.model.clone(),
        brand: offer.brand.clone().unwrap_or_default(),
        prices,
        stocks,
        available: offer.availabilities.iter().any(|a| a.available),
        pre_order_days: offer.availabilities.iter().map(|a| i32::from(a.pre_order_days)).max().unwrap_or(0),
    }
}
