//! The synthetic catalog: counts, schemas, BINs, refusal of a second load, determinism,
//! and the XML price list of the import benchmark.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

mod common;

use duken_store::synthetic::{SyntheticReport, kaspi_city_ids, seller_count, write_pricelist_xml};
use duken_store::{DatabaseTarget, Pool, Store, StoreError};

async fn sqlite_store(dir: &tempfile::TempDir, name: &str) -> Store {
    let store = Store::open(&DatabaseTarget::SqliteFile(dir.path().join(name)), 4).await.unwrap();
    store.migrate().await.unwrap();
    store
}

async fn titles(store: &Store) -> Vec<(String, String, String, String)> {
    let Pool::Sqlite(p) = store.pool() else { unreachable!() };
    sqlx::query_as("SELECT code, title_kk, title_ru, title_en FROM products WHERE code LIKE 'syn-p-%' ORDER BY id")
        .fetch_all(p)
        .await
        .unwrap()
}

/// Everything a seeded store must satisfy, on either backend.
async fn check(store: &Store, products: u64, report: SyntheticReport) {
    assert_eq!(report.products, products);
    assert!(report.offers >= 2 * products && report.offers <= 4 * products, "{report:?}");
    assert!(report.prices >= report.offers && report.prices <= 4 * report.offers, "{report:?}");
    assert_eq!(report.sellers, seller_count(products));
    assert!(report.stores >= report.sellers && report.stores <= 4 * report.sellers);
    assert!((60..=80).contains(&report.categories), "{report:?}");

    let rows: Vec<(i64, i64, String)> = duken_store::on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT id, category_id, attributes FROM products WHERE code LIKE 'syn-p-%' ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(rows.len() as u64, products);
    let mut schemas = HashMap::new();
    for (id, category, attributes) in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = schemas.entry(category) {
            let schema = store.category_schema(category).await.unwrap();
            assert!((2..=4).contains(&schema.len()), "category {category}");
            e.insert(schema.iter().map(|a| a.rule()).collect::<Vec<_>>());
        }
        let values: BTreeMap<String, String> = serde_json::from_str(&attributes).unwrap();
        let normalized = duken_core::attributes::validate(&schemas[&category], &values)
            .unwrap_or_else(|p| panic!("product {id}: {p:?}"));
        assert_eq!(normalized, values, "product {id}");
    }

    let counts: (i64, i64, i64) = duken_store::on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM offers),
                (SELECT CAST(COUNT(*) AS BIGINT) FROM offer_prices),
                (SELECT CAST(COUNT(*) AS BIGINT) FROM products)"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(counts, (report.offers as i64, report.prices as i64, products as i64));

    let sellers: Vec<(String, Option<String>, String, bool)> = duken_store::on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT code, bin, country, is_eaeu FROM sellers WHERE code LIKE 'syn-seller-%'"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(sellers.len() as u64, report.sellers);
    for (code, bin, country, eaeu) in sellers {
        match bin {
            Some(bin) => {
                duken_core::Bin::parse(&bin).unwrap_or_else(|e| panic!("{code}: {bin}: {e}"));
                assert_eq!((country.as_str(), eaeu), ("KZ", true));
            }
            None => assert!(!eaeu && (country == "CN" || country == "TR"), "{code}"),
        }
    }
    // Prices are whole tenge and positive; stock never negative; each offer of a product from
    // a different seller.
    let bad: i64 = duken_store::on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM offer_prices WHERE price_tiyn <= 0 OR price_tiyn % 100 <> 0"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(bad, 0);
    let doubled: i64 = duken_store::on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT product_id, seller_id FROM offers
         GROUP BY product_id, seller_id HAVING COUNT(*) > 1) AS d"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(doubled, 0);

    match store.seed_synthetic(products, 1).await {
        Err(StoreError::Conflict(m)) => assert_eq!(m, "synthetic data already loaded"),
        other => panic!("a second load must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn seeding_writes_a_valid_catalog_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "a.db").await;
    let report = store.seed_synthetic(2_000, 42).await.unwrap();
    check(&store, 2_000, report).await;
    let t = titles(&store).await;
    assert_eq!(t.first().map(|r| r.0.as_str()), Some("syn-p-1"));
    assert!(t.iter().all(|r| !r.1.is_empty() && !r.2.is_empty() && !r.3.is_empty()));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let a = sqlite_store(&dir, "a.db").await;
    let b = sqlite_store(&dir, "b.db").await;
    let c = sqlite_store(&dir, "c.db").await;
    // More than one transaction's worth, so batching cannot change anything either.
    let ra = a.seed_synthetic(5_300, 7).await.unwrap();
    let rb = b.seed_synthetic(5_300, 7).await.unwrap();
    c.seed_synthetic(5_300, 8).await.unwrap();
    assert_eq!(ra, rb);
    let (ta, tb, tc) = (titles(&a).await, titles(&b).await, titles(&c).await);
    assert_eq!(ta.len(), 5_300);
    assert_eq!(ta, tb);
    assert_ne!(ta, tc);
}

#[tokio::test]
async fn seeding_on_postgres_when_available() {
    common::on_fresh_postgres("duken_synth", |store| async move {
        let report = store.seed_synthetic(2_000, 42).await.unwrap();
        check(&store, 2_000, report).await;
    })
    .await;
}

#[test]
fn the_price_list_has_every_offer_and_is_deterministic() {
    let stores = vec!["PP1".to_owned(), "PP2".to_owned(), "Склад <1>".to_owned()];
    let cities = kaspi_city_ids();
    let mut a = Vec::new();
    write_pricelist_xml(&mut a, "syn&co", &stores, &cities, 1_000, 3).unwrap();
    let text = String::from_utf8(a.clone()).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<kaspi_catalog date="), "{}", &text[..80]);
    assert!(text.contains("xmlns=\"kaspiShopping\""));
    assert!(text.contains("<merchantid>syn&amp;co</merchantid>"));
    assert_eq!(text.matches("<offer ").count(), 1_000);
    assert_eq!(text.matches("</offer>").count(), 1_000);
    assert!(!text.contains("H&M<") && !text.contains("Склад <1>"), "escaped");
    assert!(text.trim_end().ends_with("</kaspi_catalog>"));
    let mut b = Vec::new();
    write_pricelist_xml(&mut b, "syn&co", &stores, &cities, 1_000, 3).unwrap();
    assert_eq!(a, b);
}

/// `cargo test -p duken-store --release -- --ignored --nocapture`
#[tokio::test]
#[ignore = "a benchmark: 100 000 products"]
async fn seeding_100k_products_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir, "bench.db").await;
    let started = Instant::now();
    let report = store.seed_synthetic(100_000, 1).await.unwrap();
    let elapsed = started.elapsed();
    println!("seeded {report:?} in {:.1} s", elapsed.as_secs_f64());
    let mut xml = std::io::BufWriter::new(std::io::sink());
    let started = Instant::now();
    write_pricelist_xml(&mut xml, "syn-seller-1", &["S1".to_owned()], &kaspi_city_ids(), 1_000_000, 1).unwrap();
    println!("1 000 000 price-list offers generated in {:.1} s", started.elapsed().as_secs_f64());
}
