//! Writes a price list of 1 million offers (or `N` from the first argument) to a temporary
//! file and reads it back, printing offers per second:
//! `cargo run --release -p duken-pricelist --example throughput [N]`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use duken_core::Money;
use duken_pricelist::{Availability, CityPrice, FnDirectory, Header, Limits, Offer, read_all, write_pricelist};

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("duken-pricelist-throughput-{}.xml", std::process::id()));
    let header = Header { date: Some("2026-11-24".into()), company: "Shop".into(), merchant_id: "30012345".into() };
    let offers = (0..n).map(|i| Offer {
        line: 0,
        sku: format!("SKU-{i:07}"),
        model: format!("Смартфон Samsung Galaxy A{} 128 ГБ чёрный", i % 100),
        brand: Some("Samsung".into()),
        availabilities: vec![
            Availability { store_id: "PP1".into(), available: true, stock_count: Some(10), pre_order_days: 0 },
            Availability { store_id: "PP2".into(), available: i % 2 == 0, stock_count: None, pre_order_days: 0 },
        ],
        city_prices: vec![CityPrice {
            city_id: "750000000".into(),
            price: Money::from_tenge(100_000 + i as i64).unwrap(),
        }],
        price: Some(Money::from_tenge(99_990).unwrap()),
    });
    let started = Instant::now();
    let mut out = BufWriter::new(File::create(&path)?);
    write_pricelist(&mut out, &header, offers)?;
    out.flush()?;
    drop(out);
    let size = std::fs::metadata(&path)?.len();
    println!("wrote {n} offers, {:.1} MB, in {:.2?}", size as f64 / 1e6, started.elapsed());

    if std::env::var_os("BASELINE").is_some() {
        let started = Instant::now();
        let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, File::open(&path)?));
        let mut buf = Vec::new();
        let mut events = 0u64;
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => events += 1,
                Err(e) => panic!("{e}"),
            }
        }
        println!("bare quick-xml: {events} events in {:.2?}", started.elapsed());
    }
    let dir = FnDirectory(|s: &str| s == "PP1" || s == "PP2", |c: &str| c == "750000000");
    let started = Instant::now();
    let mut good = 0u64;
    let summary =
        read_all(BufReader::with_capacity(64 * 1024, File::open(&path)?), Limits::default(), &dir, |_, _| good += 1)
            .map_err(std::io::Error::other)?;
    let elapsed = started.elapsed();
    std::fs::remove_file(&path)?;
    assert_eq!(summary.offers, n as u64);
    assert_eq!(summary.problem_count, 0);
    println!(
        "read {good} offers in {elapsed:.2?}: {:.0} offers/s, {:.1} MB/s",
        good as f64 / elapsed.as_secs_f64(),
        size as f64 / 1e6 / elapsed.as_secs_f64()
    );
    Ok(())
}
