//! `duken bench …`: measurements for BENCHMARKS.md (not tests: nothing here asserts a figure).

use std::path::Path;
use std::time::{Duration, Instant};

use duken_search::{SearchIndex, SearchQuery, Sort};

use crate::config::{BenchCommand, Config};

/// The total size of the files under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Words buyers type, in Kazakh (Cyrillic, without its letters, Latin), Russian and English,
/// for the synthetic catalog's categories and brands; some with typos.
const WORDS: [&str; 40] = [
    "смартфон",
    "смартфондар",
    "smartfon",
    "телефон",
    "telefon",
    "ноутбук",
    "noutbuk",
    "ноутбуктер",
    "теледидар",
    "телевизор",
    "televizor",
    "шаңсорғыш",
    "шансоргыш",
    "shansorgysh",
    "пылесос",
    "тоңазытқыш",
    "холодильник",
    "kholodilnik",
    "құлаққап",
    "наушники",
    "naushniki",
    "куртка",
    "күрте",
    "kurtka",
    "аяқ киім",
    "обувь",
    "кітап",
    "книга",
    "kitap",
    "samsung",
    "samsnug",
    "xiaomi",
    "apple",
    "lenovo",
    "bosch",
    "lg",
    "кір жуғыш машина",
    "стиральная машина",
    "игрушки",
    "ойыншық",
];

const CITIES: [&str; 4] = ["750000000", "710000000", "790000000", "351010000"];

/// A deterministic mix of queries: text, text with a brand or price filter, browse by sort,
/// availability — the facets are always computed.
fn queries(n: usize) -> Vec<SearchQuery> {
    let mut out = Vec::with_capacity(n);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..n {
        let word = WORDS[(next() % WORDS.len() as u64) as usize];
        let mut q = SearchQuery::new(word, CITIES[(next() % CITIES.len() as u64) as usize]);
        q.lang = [duken_core::Lang::Kk, duken_core::Lang::Ru, duken_core::Lang::En][i % 3];
        match i % 6 {
            1 => q.sort = Sort::PriceAsc,
            2 => {
                q.price_min_tiyn = Some(1_000_000);
                q.price_max_tiyn = Some(50_000_000);
            }
            3 => q.available_only = true,
            4 => {
                q.text = format!("{word} {}", WORDS[(next() % WORDS.len() as u64) as usize]);
            }
            5 => q.offset = 24,
            _ => {}
        }
        q.limit = 24;
        out.push(q);
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn run(config: &Config, action: BenchCommand) -> anyhow::Result<()> {
    let target = config.database_target()?;
    match action {
        BenchCommand::SeedOrders { orders } => {
            let store = duken_store::Store::open(&target, 4).await?;
            store.migrate().await?;
            let started = Instant::now();
            let seeded = store.seed_orders(orders).await?;
            let token =
                crate::sellers::cabinet::issue_seller_token(&store, seeded.busiest_seller, "bench", "bench", "")
                    .await?;
            println!(
                "{} orders loaded in {:.1} s; seller {} has {} of them; its token: {token}",
                seeded.orders,
                started.elapsed().as_secs_f64(),
                seeded.busiest_seller,
                seeded.busiest_orders
            );
            Ok(())
        }
        BenchCommand::Checkouts { url, clients, seconds } => checkouts(&target, &url, clients, seconds).await,
        BenchCommand::Search { queries: n } => {
            let dir = crate::search::index_dir(&config.data_dir, &target.to_string());
            anyhow::ensure!(dir.exists(), "no search index at {}: run `duken search reindex` first", dir.display());
            let index = SearchIndex::open_or_create(&dir)?;
            let list = queries(n);
            // One warm-up pass over a tenth, as a running server would be warm.
            for q in list.iter().take(n / 10) {
                index.search(q)?;
            }
            let mut times = Vec::with_capacity(n);
            let mut hits = 0u64;
            let mut slowest: Vec<(Duration, u64, usize)> = Vec::with_capacity(n);
            for (i, q) in list.iter().enumerate() {
                let started = Instant::now();
                let r = index.search(q)?;
                let took = started.elapsed();
                times.push(took);
                slowest.push((took, r.total, i));
                hits += r.total;
            }
            times.sort();
            slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "search: {n} queries over {} documents ({:.1} MB): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} matches per query on average",
                index.doc_count(),
                dir_size(&dir) as f64 / 1e6,
                ms(percentile(&times, 0.50)),
                ms(percentile(&times, 0.95)),
                ms(percentile(&times, 0.99)),
                ms(*times.last().unwrap_or(&Duration::ZERO)),
                hits as f64 / n.max(1) as f64
            );
            for (took, total, i) in slowest.iter().take(5) {
                let q = &list[*i];
                println!(
                    "  slow: {:.2} ms, {total} matches: {:?} in {} (sort {:?}, price {:?}..{:?}, available only {}, offset {})",
                    took.as_secs_f64() * 1e3,
                    q.text,
                    q.city_kato,
                    q.sort,
                    q.price_min_tiyn,
                    q.price_max_tiyn,
                    q.available_only,
                    q.offset
                );
            }
            Ok(())
        }
        BenchCommand::WritePricelist { file, seller, offers } => {
            let store = duken_store::Store::open(&target, 2).await?;
            store.migrate().await?;
            let seller_id = store.find_seller_by_key(&seller).await?;
            let code = store.find_seller(seller_id).await?.code;
            let stores: Vec<String> = store.seller_stores(seller_id).await?.into_iter().map(|s| s.code).collect();
            anyhow::ensure!(!stores.is_empty(), "seller {seller} has no stores");
            let cities = duken_store::synthetic::kaspi_city_ids();
            let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
            duken_store::synthetic::write_pricelist_xml(&mut out, &code, &stores, &cities, offers, 7)?;
            std::io::Write::flush(&mut out)?;
            println!(
                "{offers} offers for {code} written to {} ({} bytes)",
                file.display(),
                std::fs::metadata(&file)?.len()
            );
            store.close().await;
            Ok(())
        }
    }
}

/// `duken bench checkouts`: buyers made in the database, checkouts over HTTP, spread over up
/// to 500 offers.
async fn checkouts(
    target: &duken_store::DatabaseTarget,
    url: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let store = duken_store::Store::open(target, 4).await?;
    // Up to 500 offers, each with a store holding it: buyers spread over them, as a shop's
    // checkouts are (a single offer bought by everyone is the flash-sale test's case).
    let offers: Vec<(i64, i64, i64, i64)> = duken_store::on_pool!(store.pool(), |p| {
        sqlx::query_as(
        "SELECT o.id, o.seller_id, MIN(st.store_id), MIN(op.price_tiyn) FROM offers o
         JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = '750000000'
         JOIN offer_stocks st ON st.offer_id = o.id JOIN stores w ON w.id = st.store_id AND w.city_kato IS NOT NULL
         JOIN products p ON p.id = o.product_id AND p.status = 'active' JOIN sellers s ON s.id = o.seller_id AND s.status = 'active'
         WHERE o.available = TRUE GROUP BY o.id, o.seller_id ORDER BY o.id LIMIT 500"
    )
    .fetch_all(p)
    .await
    })?;
    anyhow::ensure!(!offers.is_empty(), "no offer in stock in Almaty: seed a catalog first");
    for (offer, _, store_id, _) in &offers {
        duken_store::on_pool!(store.pool(), |p| sqlx::query(
            "UPDATE offer_stocks SET quantity = 1000000000 WHERE offer_id = $1 AND store_id = $2"
        )
        .bind(offer)
        .bind(store_id)
        .execute(p)
        .await
        .map(|_| ()))?;
    }
    let offers = std::sync::Arc::new(offers);
    let tokens = make_buyers(&store, clients, "+7709").await?;
    crate::pricelist::install_tls();
    let client = reqwest::Client::new();
    let run = format!("{:x}", rand::random::<u32>());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (c, token) in tokens.into_iter().enumerate() {
        let (client, url, run, offers) = (client.clone(), url.to_owned(), run.clone(), offers.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failed = 0u64;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let (offer, seller, store_id, price) = offers[(c * 7919 + n as usize * 31) % offers.len()];
                let body = serde_json::json!({
                    "idempotency_key": format!("{run}-{c}-{n}"), "payment_mode": "PREPAID", "consent_to_sellers": true,
                    "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store_id}},
                    "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
                });
                let started = Instant::now();
                match client
                    .post(format!("{url}/api/v1/checkout"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => times.push(started.elapsed()),
                    _ => failed += 1,
                }
            }
            (times, failed)
        }));
    }
    let mut times = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (mut t, f) = t.await?;
        times.append(&mut t);
        failed += f;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "checkouts: {} placed in {seconds} s by {clients} clients = {:.0}/s ({failed} failed); latency p50 {:.1} ms, p99 {:.1} ms",
        times.len(),
        times.len() as f64 / seconds as f64,
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
    );
    Ok(())
}

/// `n` buyers (numbers `prefix` followed by 7 digits) who accepted the agreement and agreed
/// that sellers see their name and phone, each with a new API token; the tokens. For load
/// benchmarks and the load tests.
pub async fn make_buyers(store: &duken_store::Store, n: usize, prefix: &str) -> anyhow::Result<Vec<String>> {
    use duken_core::consent::{Purpose, Recipient};
    let consent = [duken_store::consent::NewConsent {
        purpose: Purpose::OrderProcessing,
        recipient: Recipient::Seller,
        cross_border: false,
        text_shown: "load test",
        context: "checkout",
    }];
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let phone = duken_core::Phone::parse(&format!("{prefix}{i:07}"))?;
        let account = duken_store::accounts::NewAccount {
            acceptance: duken_store::accounts::NewAcceptance {
                version: 1,
                ip: "127.0.0.1",
                user_agent: "load test",
                channel: "api",
            },
            consents: &consent,
        };
        let user = store.ensure_user(&phone, &account, "load test").await?;
        let token = format!("dkn_{}", crate::accounts::hex(&rand::random::<[u8; 32]>()));
        store.create_api_token(user, "load test", &crate::accounts::token_hash(&token), "").await?;
        tokens.push(token);
    }
    Ok(tokens)
}
