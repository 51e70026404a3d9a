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
