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
use std::path::Path;

use duken_core::{Kato, Money};
use duken_pricelist::{FileError, Limits, Offer, PriceListReader, Prices, Summary};
use duken_store::pricelists::{Applied, Directory, OfferUpdate, Report, ReportLine, UploadMeta};
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
    let line = e.line().unwrap_or(0);
    // The report shows the line in its own column: the message without its "line N: ".
    let message = e.to_string();
    let detail = message.strip_prefix(&format!("line {line}: ")).unwrap_or(&message).to_owned();
    ReportLine { line, sku: None, reason: e.code().to_owned(), detail }
}

/// The merchant id a file names (`duken import-pricelist` without `--seller`).
pub fn merchant_id_of(path: &Path) -> Result<Result<String, FileError>, std::io::Error> {
    let mut reader = PriceListReader::new(BufReader::new(File::open(path)?), Limits::default());
    Ok(reader.header().map(|h| h.merchant_id))
}

/// Reads the file once, checking every offer and applying the good ones in the upload's one
/// transaction as it goes; a file with any problem is rolled back whole and recorded as
/// rejected with every bad line.
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
    let file = File::open(upload.path)?;

    // A reader thread parses and checks; while every offer so far is good it sends them in
    // batches to this task, which writes them. The first bad offer stops the batches (the
    // transaction is then rolled back: nothing is applied), and the reader goes on to the end
    // so that the report names every bad line. Reading once instead of checking the whole file
    // before applying it saves a second parse (about a tenth of an import) and lets parsing
    // and writing overlap from the first batch.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<OfferUpdate>>(4);
    let reader_dir = dir.clone();
    let batch_size = store.pricelist_batch();
    let reader = tokio::task::spawn_blocking(move || read_and_send(file, &reader_dir, batch_size, tx));
    let mut writing = store.begin_pricelist(meta.clone()).await?;
    // Where the writer's time went, logged with the outcome: waiting for the reader means
    // parsing is the bottleneck, writing means the database is.
    let (mut waiting, mut applying) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    loop {
        let asked = std::time::Instant::now();
        let Some(batch) = rx.recv().await else { break };
        let got = std::time::Instant::now();
        writing.apply_batch(&batch).await?;
        waiting += got - asked;
        applying += got.elapsed();
    }
    let checked = reader.await.map_err(|e| ImportError::Worker(e.to_string()))?;
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
        Ok(_) => {
            let (upload_id, applied) = writing.finish(true).await?;
            tracing::info!(
                upload_id,
                ?applied,
                waited_for_reader_ms = waiting.as_millis(),
                writing_ms = applying.as_millis(),
                "price list applied"
            );
            return Ok(Outcome::Applied { upload_id, applied });
        }
    };
    writing.roll_back().await?;
    let upload_id = store.reject_upload(&meta, &report, problem_count).await?;
    tracing::info!(seller = upload.seller_id, upload_id, problem_count, "price list rejected");
    Ok(Outcome::Rejected { upload_id, problem_count })
}

/// The reader thread of [`import`]: every offer checked, the good ones sent in batches of
/// `batch_size` until the first problem. The channel closes when it returns.
fn read_and_send(
    file: File,
    dir: &Directory,
    batch_size: usize,
    tx: tokio::sync::mpsc::Sender<Vec<OfferUpdate>>,
) -> Result<Summary, FileError> {
    let mut sending = Some(tx);
    let mut batch = Vec::with_capacity(batch_size);
    let checked = duken_pricelist::read_all(
        BufReader::with_capacity(256 * 1024, file),
        Limits::default(),
        &Lookup(dir),
        |offer, problems_so_far| {
            let Some(tx) = sending.as_ref().filter(|_| problems_so_far == 0) else {
                sending = None;
                return;
            };
            batch.push(offer_update(&offer, dir));
            // A closed channel: the writer stopped on an error of its own, which it reports.
            if batch.len() == batch_size
                && tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(batch_size))).is_err()
            {
                sending = None;
            }
        },
    );
    if let (Some(tx), Ok(summary)) = (&sending, &checked)
        && summary.problem_count == 0
        && !batch.is_empty()
    {
        let _ = tx.blocking_send(batch);
    }
    checked
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

/// Chooses the TLS provider (ring) for every HTTP client of the process; a second call
/// changes nothing. Any code that builds a `reqwest::Client` calls it first.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// How long a fetch of a seller's price list may take.
pub const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Whether a fetched URL may point at this address: never loopback, private, link-local or
/// unspecified addresses unless allowed (tests, a closed network).
pub fn public_address(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        std::net::IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
                && v6.to_ipv4_mapped().is_none_or(|v4| public_address(std::net::IpAddr::V4(v4)))
        }
    }
}

/// Downloads `url` into `path` (at most `max_bytes`), resolving the host once and connecting
/// only to the address checked. Returns a reason for the report when it fails.
pub async fn download(url: &str, path: &Path, max_bytes: u64, allow_private: bool) -> Result<u64, String> {
    use tokio::io::AsyncWriteExt as _;
    let (client, parsed) = pinned_client(url, allow_private, "duken price-list fetcher", FETCH_TIMEOUT).await?;
    let mut response = client.get(parsed).send().await.map_err(|e| format!("fetching: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("the server answered HTTP {}", response.status().as_u16()));
    }
    let mut file = tokio::fs::File::create(path).await.map_err(|e| e.to_string())?;
    let mut size = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("fetching: {e}"))? {
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(format!("the file is larger than {max_bytes} bytes"));
        }
        file.write_all(&chunk).await.map_err(|e| e.to_string())?;
    }
    file.flush().await.map_err(|e| e.to_string())?;
    Ok(size)
}

/// An HTTP client for one seller-given URL: http or https only, the host resolved once and
/// pinned (so a second lookup cannot point elsewhere), private and local addresses refused
/// unless allowed, no redirects.
pub async fn pinned_client(
    url: &str,
    allow_private: bool,
    agent: &str,
    timeout: std::time::Duration,
) -> Result<(reqwest::Client, reqwest::Url), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http:// and https:// URLs are fetched".into());
    }
    let host = parsed.host_str().ok_or("the URL has no host")?.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let address = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {host}"))?;
    if !allow_private && !public_address(address.ip()) {
        return Err(format!("{host} is a private or local address"));
    }
    install_tls();
    let client = reqwest::Client::builder()
        .resolve(&host, address)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent)
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    Ok((client, parsed))
}

/// Fetches one seller's price list from its URL and imports it as an upload from `url`; a
/// failed fetch is recorded as a rejected upload with the reason, so the seller sees it.
pub async fn fetch_feed(
    store: &Store,
    data_dir: &Path,
    seller_id: i64,
    url: &str,
    max_bytes: u64,
    allow_private: bool,
) -> Result<Outcome, ImportError> {
    let started_at = chrono::Utc::now();
    let dir = data_dir.join("uploads");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("feed-{seller_id}-{:016x}.xml", rand::random::<u64>()));
    let result = download(url, &path, max_bytes, allow_private).await;
    let outcome = match result {
        Ok(_) => {
            let upload = Upload {
                seller_id,
                path: &path,
                file_name: url,
                source: "url",
                uploaded_by: None,
                actor: "system:feed",
                request_id: "",
            };
            import(store, upload).await
        }
        Err(reason) => {
            let meta = UploadMeta {
                seller_id,
                source: "url",
                file_name: url,
                byte_size: 0,
                uploaded_by: None,
                actor: "system:feed",
                request_id: "",
                started_at,
            };
            let report = Report {
                file_error: Some(ReportLine { line: 0, sku: None, reason: "fetch_failed".into(), detail: reason }),
                problems: vec![],
            };
            let upload_id = store.reject_upload(&meta, &report, 1).await?;
            Ok(Outcome::Rejected { upload_id, problem_count: 1 })
        }
    };
    let _ = std::fs::remove_file(&path);
    store.mark_feed_fetched(seller_id, started_at).await?;
    outcome
}

/// Fetches every due price list, once a minute, until the process ends.
pub fn spawn_feed_scheduler(state: crate::app::AppState, allow_private: bool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match state.store.feeds_due(chrono::Utc::now()).await {
                Ok(due) => {
                    for feed in due {
                        let Some(url) = feed.pricelist_url else { continue };
                        match fetch_feed(
                            &state.store,
                            &state.data_dir,
                            feed.seller_id,
                            &url,
                            state.max_pricelist_bytes,
                            allow_private,
                        )
                        .await
                        {
                            Ok(outcome) => {
                                tracing::info!(
                                    seller = feed.seller_id,
                                    upload = outcome.upload_id(),
                                    "price list fetched"
                                );
                                state.catalog.invalidate();
                                state.search.nudge();
                            }
                            Err(e) => tracing::warn!(seller = feed.seller_id, error = %e, "price list fetch failed"),
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading due price-list feeds failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::public_address;

    #[test]
    fn only_public_addresses_are_fetched() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public_address(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "2.133.0.1", "2a00:1450::1"] {
            assert!(public_address(public.parse().unwrap()), "{public}");
        }
    }
}
