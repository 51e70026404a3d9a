//! §3 search: the tantivy index (`duken-search`) kept in step with the catalog.
//!
//! The index lives in `DATA_DIR/search/<database>` with a `cursor` file: the id of the last
//! `catalog_changes` row it has applied. Every catalog write adds such a row in its own
//! transaction; the follower task reads the rows after the cursor every
//! [`FOLLOW_EVERY`] (or at once when woken), re-reads the products they name and applies
//! them, so searches see a change within a second, on every node sharing the database.
//! `duken search reindex` (or an empty index at start) rebuilds everything.

pub mod api;
pub mod html;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use duken_search::{Change, OfferDoc, ProductDoc, SearchIndex, SearchQuery, SearchResults, Suggestion};
use duken_store::catalog::Category;
use duken_store::search_feed::{IndexOffer, IndexProduct};
use duken_store::{Store, StoreError};

/// How often the follower looks for catalog changes.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(200);
/// Products read from the database per batch.
const BATCH: i64 = 2_000;
/// Changes read from the feed per round.
const FEED_BATCH: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search index: {0}")]
    Index(#[from] duken_search::SearchError),
    #[error("search index cursor: {0}")]
    Io(#[from] std::io::Error),
    #[error("search worker: {0}")]
    Worker(String),
}

pub struct Search {
    index: Arc<SearchIndex>,
    store: Store,
    dir: PathBuf,
    cursor: AtomicI64,
    ready: AtomicBool,
    wake: tokio::sync::Notify,
}

/// The index folder of a database: SQLite files and PostgreSQL databases each get their own.
pub fn index_dir(data_dir: &Path, database: &str) -> PathBuf {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in database.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    data_dir.join("search").join(format!("{hash:016x}"))
}

impl Search {
    /// Opens (or creates) the index of this database. It is `ready` once it has been built.
    pub fn open(store: Store, dir: PathBuf) -> Result<Arc<Search>, SearchFailure> {
        let index = SearchIndex::open_or_create(&dir)?;
        let cursor = std::fs::read_to_string(dir.join("cursor")).ok().and_then(|c| c.trim().parse::<i64>().ok());
        let ready = cursor.is_some();
        Ok(Arc::new(Search {
            index: Arc::new(index),
            store,
            dir,
            cursor: AtomicI64::new(cursor.unwrap_or(0)),
            ready: AtomicBool::new(ready),
            wake: tokio::sync::Notify::new(),
        }))
    }

    /// Whether the index has been built at least once (until then searches find nothing).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn doc_count(&self) -> u64 {
        self.index.doc_count()
    }

    /// Asks the follower to look for changes now (after a write in this process).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    fn save_cursor(&self, cursor: i64) -> Result<(), SearchFailure> {
        let tmp = self.dir.join("cursor.tmp");
        std::fs::write(&tmp, cursor.to_string())?;
        std::fs::rename(&tmp, self.dir.join("cursor"))?;
        self.cursor.store(cursor, Ordering::Release);
        Ok(())
    }

    /// Indexes every published product again. Changes made meanwhile are applied after.
    pub async fn rebuild(&self) -> Result<u64, SearchFailure> {
        let cursor = self.store.last_catalog_change().await?;
        let categories = Arc::new(self.store.list_categories().await?);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ProductDoc>>(2);
        let index = self.index.clone();
        let writer = tokio::task::spawn_blocking(move || index.rebuild(rx.into_iter().flatten()));
        let mut after = 0;
        loop {
            let products = self.store.index_products_after(after, BATCH).await?;
            let Some(last) = products.last() else { break };
            after = last.id;
            let docs = self.documents(products, &categories).await?;
            let tx = tx.clone();
            // The writer thread consumes at its own pace; sending blocks only that task.
            tokio::task::spawn_blocking(move || tx.send(docs))
                .await
                .map_err(|e| SearchFailure::Worker(e.to_string()))?
                .map_err(|e| SearchFailure::Worker(e.to_string()))?;
        }
        drop(tx);
        let count = writer.await.map_err(|e| SearchFailure::Worker(e.to_string()))??;
        self.save_cursor(cursor)?;
        self.ready.store(true, Ordering::Release);
        tracing::info!(products = count, cursor, "search index rebuilt");
        Ok(count)
    }

    /// Applies the catalog changes after the cursor; returns how many products were re-read.
    pub async fn catch_up(&self) -> Result<usize, SearchFailure> {
        let mut touched = 0;
        loop {
            let cursor = self.cursor.load(Ordering::Acquire);
            let changes = self.store.catalog_changes_after(cursor, FEED_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.id) else { return Ok(touched) };
            let mut products = BTreeSet::new();
            for c in &changes {
                if let Some(p) = c.product_id {
                    products.insert(p);
                }
                if let Some(s) = c.seller_id {
                    products.extend(self.store.seller_product_ids(s).await?);
                }
            }
            let ids: Vec<i64> = products.into_iter().collect();
            let categories = Arc::new(self.store.list_categories().await?);
            for chunk in ids.chunks(BATCH as usize) {
                let found = self.store.index_products(chunk).await?;
                let docs = self.documents(found, &categories).await?;
                let present: BTreeSet<i64> = docs.iter().map(|d| d.product_id).collect();
                let mut batch: Vec<Change> = docs.into_iter().map(Change::Upsert).collect();
                // Products no longer published (or merged away) leave the index.
                batch.extend(
                    chunk.iter().filter(|id| !present.contains(id)).map(|&id| Change::Delete { product_id: id }),
                );
                let index = self.index.clone();
                tokio::task::spawn_blocking(move || index.apply(batch))
                    .await
                    .map_err(|e| SearchFailure::Worker(e.to_string()))??;
            }
            touched += ids.len();
            self.save_cursor(last)?;
        }
    }

    /// Follows the change feed until the process ends.
    pub fn spawn_follower(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let search = self.clone();
        tokio::spawn(async move {
            loop {
                if search.is_ready() {
                    if let Err(e) = search.catch_up().await {
                        tracing::warn!(error = %e, "search index: applying catalog changes failed; will retry");
                    }
                } else if let Err(e) = search.rebuild().await {
                    tracing::warn!(error = %e, "search index: rebuild failed; will retry");
                }
                tokio::select! {
                    () = tokio::time::sleep(FOLLOW_EVERY) => {},
                    () = search.wake.notified() => {},
                }
            }
        })
    }

    pub async fn search(&self, query: SearchQuery) -> Result<SearchResults, SearchFailure> {
        let index = self.index.clone();
        Ok(tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|e| SearchFailure::Worker(e.to_string()))??)
    }

    pub async fn suggest(
        &self,
        prefix: String,
        city: String,
        lang: duken_core::Lang,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchFailure> {
        let index = self.index.clone();
        Ok(tokio::task::spawn_blocking(move || index.suggest(&prefix, &city, lang, limit))
            .await
            .map_err(|e| SearchFailure::Worker(e.to_string()))??)
    }

    /// Search documents of these products, with their offers and category names.
    async fn documents(
        &self,
        products: Vec<IndexProduct>,
        categories: &[Category],
    ) -> Result<Vec<ProductDoc>, SearchFailure> {
        let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
        let mut offers: HashMap<i64, Vec<IndexOffer>> = HashMap::new();
        for o in self.store.index_offers(&ids).await? {
            offers.entry(o.product_id).or_default().push(o);
        }
        Ok(products
            .into_iter()
            .map(|p| {
                let own = offers.remove(&p.id).unwrap_or_default();
                document(p, own, categories)
            })
            .collect())
    }
}

/// Builds one search document: the category path from the root, names in every language,
/// attributes as (code, value), and the offers per city.
pub fn document(p: IndexProduct, offers: Vec<IndexOffer>, categories: &[Category]) -> ProductDoc {
    let mut path = Vec::new();
    let mut next = Some(p.category_id);
    while let Some(id) = next {
        let Some(c) = categories.iter().find(|c| c.id == id) else { break };
        path.push(c);
        next = c.parent_id;
        if path.len() > 16 {
            break;
        }
    }
    path.reverse();
    let attributes: BTreeMap<String, String> = serde_json::from_str(&p.attributes).unwrap_or_default();
    ProductDoc {
        product_id: p.id,
        category_id: p.category_id,
        category_path: path.iter().map(|c| c.id).collect(),
        category_names: path.iter().flat_map(|c| [c.name.kk.clone(), c.name.ru.clone(), c.name.en.clone()]).collect(),
        brand: p.brand,
        model: p.model,
        title_kk: p.title_kk,
        title_ru: p.title_ru,
        title_en: p.title_en,
        description_kk: p.description_kk,
        description_ru: p.description_ru,
        description_en: p.description_en,
        attributes: attributes.into_iter().collect(),
        created_at_unix: p.created_at.timestamp(),
        offers: offers
            .into_iter()
            .map(|o| OfferDoc {
                seller_id: o.seller_id,
                city_kato: o.city_kato,
                price_tiyn: o.price_tiyn,
                // Available to a buyer in this city: stock in a store there, or a pre-order.
                available: o.stock_in_city > 0 || o.pre_order_days > 0,
            })
            .collect(),
    }
}

/// The longest search text taken; the rest is ignored (never an error).
pub const MAX_QUERY_CHARS: usize = 200;

/// Reads a search from query parameters, as the page and the API share them:
/// `q`, `category`, `brand` (repeatable), `seller` (repeatable), `a.<code>` (repeatable
/// values of an attribute), `price_min`/`price_max` (whole tenge), `available=1`,
/// `sort` (`relevance`, `price_asc`, `price_desc`, `newest`), `page`, `per_page`.
/// Unknown parameters and unparsable filter values are ignored; only paging is strict.
pub fn parse_query(
    params: &crate::web::params::Params,
    city: duken_core::Kato,
    lang: duken_core::Lang,
) -> Result<(SearchQuery, duken_core::PageRequest), crate::web::error::AppError> {
    use duken_search::Sort;
    let page = params.page()?;
    let text: String = params.get("q").unwrap_or("").chars().take(MAX_QUERY_CHARS).collect();
    let many = |name: &str| -> Vec<&str> {
        params
            .pairs()
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .take(20)
            .collect()
    };
    let tenge = |name: &str| {
        params.get(name).and_then(|v| v.trim().parse::<i64>().ok()).filter(|t| *t >= 0).and_then(|t| t.checked_mul(100))
    };
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in params.pairs() {
        if let Some(code) = k.strip_prefix("a.")
            && duken_core::attributes::is_attribute_code(code)
            && !v.trim().is_empty()
        {
            attributes.entry(code.to_owned()).or_default().push(v.trim().to_owned());
        }
    }
    let sort = match params.get("sort") {
        Some("price_asc") => Sort::PriceAsc,
        Some("price_desc") => Sort::PriceDesc,
        Some("newest") => Sort::Newest,
        _ => Sort::Relevance,
    };
    let query = SearchQuery {
        text,
        city_kato: city.to_string(),
        lang,
        category_id: params.get("category").and_then(crate::web::params::parse_id),
        brands: many("brand").into_iter().map(str::to_owned).collect(),
        sellers: many("seller").into_iter().filter_map(crate::web::params::parse_id).collect(),
        attributes: attributes.into_iter().take(20).collect(),
        price_min_tiyn: tenge("price_min"),
        price_max_tiyn: tenge("price_max"),
        available_only: matches!(params.get("available"), Some("1" | "true" | "on" | "yes")),
        sort,
        offset: usize::try_from(page.offset()).unwrap_or(usize::MAX).min(duken_search::MAX_OFFSET),
        limit: page.per_page as usize,
    };
    Ok((query, page))
}

pub fn sort_code(sort: duken_search::Sort) -> &'static str {
    match sort {
        duken_search::Sort::Relevance => "relevance",
        duken_search::Sort::PriceAsc => "price_asc",
        duken_search::Sort::PriceDesc => "price_desc",
        duken_search::Sort::Newest => "newest",
    }
}
