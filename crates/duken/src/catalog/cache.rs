//! A short-lived read cache in front of the catalog queries ("microcaching").
//!
//! Product pages and the product API are read far more often than sellers change prices, and
//! a hot product is asked for thousands of times a second. [`CatalogReader`] keeps each query's
//! result for a short time (`--catalog-cache-ms`, default 1000 ms; 0 turns it off), so a hot
//! page costs one query per second instead of one per request. What a buyer sees is at most
//! that old: prices and stock written by a price-list import or another node appear within the
//! TTL, and writes made through this process call [`CatalogReader::invalidate`]. Only query
//! results are cached, never rendered pages, so per-visitor content stays per visitor.
//! Errors are never cached.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use duken_core::{Kato, Lang, PageRequest};
use duken_store::catalog::{Category, OfferInCity, Product, ProductQuery, ProductSummary, Seller, SellerStore};
use duken_store::{Store, StoreError};

/// A map whose entries expire `ttl` after they were stored. Bounded: when full, expired
/// entries go first, and if that frees nothing, everything goes.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache { ttl, capacity: capacity.max(1), entries: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding the lock cannot leave the map half-written; carry on.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.lock();
        entries.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// The fresh cached value, or `load`'s result (stored when it is `Ok`).
    pub async fn get_or_load<E, F>(&self, key: K, load: F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        let value = load.await?;
        self.insert(key, value.clone());
        Ok(value)
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

const CAPACITY: usize = 20_000;

/// The catalog reads of the storefront and the buyer API, through [`TtlCache`]s.
pub struct CatalogReader {
    store: Store,
    categories: TtlCache<(), Arc<Vec<Category>>>,
    products: TtlCache<i64, Arc<Product>>,
    offers: TtlCache<(i64, Kato), Arc<Vec<OfferInCity>>>,
    listings: TtlCache<ProductQuery, Arc<(Vec<ProductSummary>, i64)>>,
    sellers: TtlCache<i64, Arc<Seller>>,
    seller_stores: TtlCache<i64, Arc<Vec<SellerStore>>>,
    seller_lists: TtlCache<PageRequest, Arc<(Vec<Seller>, i64)>>,
    documents: TtlCache<Document, Bytes>,
    extras: TtlCache<(i64, i64), Arc<ProductExtras>>,
    /// Partner banks' active products, read by every product page's credit summary.
    credit_products: TtlCache<(), Arc<Vec<duken_store::credit::BankProduct>>>,
}

/// What a product page shows beside the card itself: the category's attribute schema (names,
/// units, value names), who provided the content (§6), and the photos.
pub struct ProductExtras {
    pub schema: Vec<duken_store::attributes::AttributeDef>,
    pub source: Option<duken_store::products::ContentSource>,
    pub photos: Vec<duken_store::products::Photo>,
}

/// A JSON document of the buyer API that is the same for every visitor, so its serialized
/// bytes can be reused like the data it is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Document {
    /// `GET /api/v1/products/{id}` for a city and a language.
    Product(i64, Kato, Lang),
}

impl CatalogReader {
    pub fn new(store: Store, ttl: Duration) -> Self {
        CatalogReader {
            store,
            categories: TtlCache::new(ttl, 1),
            products: TtlCache::new(ttl, CAPACITY),
            offers: TtlCache::new(ttl, CAPACITY),
            listings: TtlCache::new(ttl, CAPACITY),
            sellers: TtlCache::new(ttl, CAPACITY),
            seller_stores: TtlCache::new(ttl, CAPACITY),
            seller_lists: TtlCache::new(ttl, 1_000),
            documents: TtlCache::new(ttl, CAPACITY),
            extras: TtlCache::new(ttl, CAPACITY),
            credit_products: TtlCache::new(ttl, 1),
        }
    }

    /// The cached serialization of `document`, or `render`'s (cached when it succeeds).
    pub async fn document<E>(
        &self,
        document: Document,
        render: impl Future<Output = Result<Bytes, E>>,
    ) -> Result<Bytes, E> {
        self.documents.get_or_load(document, render).await
    }

    /// Forget everything: the next reads go to the database.
    pub fn invalidate(&self) {
        self.categories.clear();
        self.products.clear();
        self.offers.clear();
        self.listings.clear();
        self.sellers.clear();
        self.seller_stores.clear();
        self.seller_lists.clear();
        self.documents.clear();
        self.extras.clear();
    }

    pub async fn product_extras(&self, product_id: i64, category_id: i64) -> Result<Arc<ProductExtras>, StoreError> {
        self.extras
            .get_or_load((product_id, category_id), async {
                let (schema, source, photos) = tokio::try_join!(
                    self.store.category_schema(category_id),
                    self.store.content_source(product_id),
                    self.store.product_photos(product_id)
                )?;
                Ok(Arc::new(ProductExtras { schema, source, photos }))
            })
            .await
    }

    pub async fn categories(&self) -> Result<Arc<Vec<Category>>, StoreError> {
        self.categories.get_or_load((), async { Ok(Arc::new(self.store.list_categories().await?)) }).await
    }

    pub async fn product(&self, id: i64) -> Result<Arc<Product>, StoreError> {
        self.products.get_or_load(id, async { Ok(Arc::new(self.store.find_product(id).await?)) }).await
    }

    pub async fn offers_in_city(&self, product: i64, city: Kato) -> Result<Arc<Vec<OfferInCity>>, StoreError> {
        self.offers
            .get_or_load((product, city), async { Ok(Arc::new(self.store.offers_in_city(product, city).await?)) })
            .await
    }

    pub async fn list_products(&self, query: &ProductQuery) -> Result<Arc<(Vec<ProductSummary>, i64)>, StoreError> {
        self.listings.get_or_load(query.clone(), async { Ok(Arc::new(self.store.list_products(query).await?)) }).await
    }

    pub async fn seller(&self, id: i64) -> Result<Arc<Seller>, StoreError> {
        self.sellers.get_or_load(id, async { Ok(Arc::new(self.store.find_seller(id).await?)) }).await
    }

    pub async fn credit_products(&self) -> Result<Arc<Vec<duken_store::credit::BankProduct>>, StoreError> {
        self.credit_products.get_or_load((), async { Ok(Arc::new(self.store.credit_products().await?)) }).await
    }

    /// After a bank is saved here: this process shows the change at once (others within the
    /// cache's lifetime).
    pub fn forget_credit_products(&self) {
        self.credit_products.clear();
    }

    pub async fn seller_stores(&self, seller: i64) -> Result<Arc<Vec<SellerStore>>, StoreError> {
        self.seller_stores.get_or_load(seller, async { Ok(Arc::new(self.store.seller_stores(seller).await?)) }).await
    }

    pub async fn list_sellers(&self, page: PageRequest) -> Result<Arc<(Vec<Seller>, i64)>, StoreError> {
        self.seller_lists.get_or_load(page, async { Ok(Arc::new(self.store.list_sellers(page).await?)) }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = TtlCache::new(Duration::from_millis(30), 10);
        cache.insert(1, "a");
        assert_eq!(cache.get(&1), Some("a"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&1), None);
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = TtlCache::new(Duration::ZERO, 10);
        cache.insert(1, "a");
        assert_eq!(cache.get(&1), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_size_stays_bounded() {
        let cache = TtlCache::new(Duration::from_secs(60), 3);
        for i in 0..100 {
            cache.insert(i, i);
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.get(&99), Some(99));
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache: TtlCache<i32, i32> = TtlCache::new(Duration::from_secs(60), 10);
        let failed: Result<i32, &str> = cache.get_or_load(1, async { Err("down") }).await;
        assert!(failed.is_err());
        assert_eq!(cache.get_or_load(1, async { Ok::<_, &str>(7) }).await, Ok(7));
        assert_eq!(cache.get_or_load(1, async { Ok::<_, &str>(8) }).await, Ok(7), "served from the cache");
    }
}
