use std::io::{self, Read};
use std::time::{Duration, Instant};

use duken_core::Money;
use duken_pricelist::{
    Availability, CityPrice, Directory, FileError, FnDirectory, Header, Limits, Offer, PriceListReader, Prices,
    Problem, Reason, read_all, write_pricelist,
};
use proptest::prelude::*;

struct Dir;

impl Directory for Dir {
    fn has_store(&self, store_id: &str) -> bool {
        matches!(store_id, "PP1" | "PP2")
    }
    fn has_city(&self, city_id: &str) -> bool {
        matches!(city_id, "750000000" | "710000000" | "511010000")
    }
}

const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<kaspi_catalog date="string" xmlns="kaspiShopping" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="kaspiShopping http://kaspi.kz/kaspishopping.xsd">
  <company>Seller name</company>
  <merchantid>seller id</merchantid>
  <offers>
    <offer sku="SKU-1">
      <model>Product name</model>
      <brand>Brand</brand>
      <availabilities>
        <availability available="yes" storeId="PP1" stockCount="10" preOrder="0"/>
      </availabilities>
      <cityprices>
        <cityprice cityId="750000000">349990</cityprice>
      </cityprices>
      <price>349990</price>
    </offer>
  </offers>
</kaspi_catalog>
"#;

type Item = Result<Offer, Vec<Problem>>;

fn read_with(doc: impl AsRef<[u8]>, limits: Limits) -> Result<(Header, Vec<Item>), FileError> {
    let mut reader = PriceListReader::new(doc.as_ref(), limits);
    let header = reader.header()?;
    let mut items = Vec::new();
    while let Some(item) = reader.next_offer(&Dir)? {
        items.push(item);
    }
    // The end is sticky.
    assert_eq!(reader.next_offer(&Dir), Ok(None));
    Ok((header, items))
}

fn read(doc: impl AsRef<[u8]>) -> Result<(Header, Vec<Item>), FileError> {
    read_with(doc, Limits::default())
}

fn read_err(doc: impl AsRef<[u8]>) -> FileError {
    read(doc).expect_err("the file must be rejected")
}

fn tenge(t: i64) -> Money {
    Money::from_tenge(t).unwrap()
}

fn sample_offer(line: u64) -> Offer {
    Offer {
        line,
        sku: "SKU-1".into(),
        model: "Product name".into(),
        brand: Some("Brand".into()),
        availabilities: vec![Availability {
            store_id: "PP1".into(),
            available: true,
            stock_count: Some(10),
            pre_order_days: 0,
        }],
        city_prices: vec![CityPrice { city_id: "750000000".into(), price: tenge(349_990) }],
        price: Some(tenge(349_990)),
    }
}

fn sample_header() -> Header {
    Header { date: Some("string".into()), company: "Seller name".into(), merchant_id: "seller id".into() }
}

/// A document whose header takes lines 1–5, so the n-th offer line (0-based) is line 6 + n.
fn doc(offer_lines: &[String]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<kaspi_catalog date=\"d\" xmlns=\"kaspiShopping\">\n\
         <company>C</company>\n<merchantid>M</merchantid>\n<offers>\n",
    );
    for line in offer_lines {
        s.push_str(line);
        s.push('\n');
    }
    s.push_str("</offers>\n</kaspi_catalog>\n");
    s
}

const AVAIL: &str = r#"<availabilities><availability available="yes" storeId="PP1"/></availabilities>"#;

/// An offer on one line, with defaults for what `body` leaves out.
fn offer(attrs: &str, body: &str) -> String {
    let mut body = body.to_owned();
    if !body.contains("<model") && !body.contains("NOMODEL") {
        body.push_str("<model>Phone</model>");
    }
    if !body.contains("<availabilities") && !body.contains("NOAVAIL") {
        body.push_str(AVAIL);
    }
    if !body.contains("<price") && !body.contains("<cityprices") && !body.contains("NOPRICE") {
        body.push_str("<price>1000</price>");
    }
    let body = body.replace("NOMODEL", "").replace("NOAVAIL", "").replace("NOPRICE", "");
    format!("<offer {attrs}>{body}</offer>")
}

#[test]
fn happy_path_with_the_documented_example() {
    let (header, items) = read(SAMPLE).unwrap();
    assert_eq!(header, sample_header());
    assert_eq!(items, vec![Ok(sample_offer(6))]);
    let offer = items[0].clone().unwrap();
    assert_eq!(offer.prices(), Prices::PerCityWithDefault { cities: &offer.city_prices, default: tenge(349_990) });
    assert_eq!(offer.price.unwrap().tiyn(), 34_999_000);
}

#[test]
fn crlf_line_ends() {
    let crlf = SAMPLE.replace('\n', "\r\n");
    let (header, items) = read(&crlf).unwrap();
    assert_eq!(header, sample_header());
    assert_eq!(items, vec![Ok(sample_offer(6))]);
}

#[test]
fn utf8_bom_at_the_start() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(SAMPLE.as_bytes());
    let (_, items) = read(&bytes).unwrap();
    assert_eq!(items, vec![Ok(sample_offer(6))]);
}

#[test]
fn attributes_and_elements_in_any_order_and_unknown_ones_ignored() {
    let doc = r#"<?xml version="1.0"?>
<kaspi_catalog xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="kaspiShopping" date="string">
  <!-- a comment -->
  <merchantid>seller id</merchantid>
  <extra><deep>ignored</deep></extra>
  <company>Seller name</company>
  <offers>
    <offer vendorCode="x" sku="SKU-1">
      <price>349990</price>
      <weight unit="kg">1.5</weight>
      <cityprices>
        <cityprice cityId="750000000">349990</cityprice>
      </cityprices>
      <availabilities>
        <availability preOrder="0" stockCount="10" storeId="PP1" available="yes" extra="1"/>
      </availabilities>
      <brand>Brand</brand>
      <model>Product name</model>
    </offer>
  </offers>
</kaspi_catalog>"#;
    let (header, items) = read(doc).unwrap();
    assert_eq!(header, sample_header());
    assert_eq!(items, vec![Ok(sample_offer(8))]);
}

#[test]
fn price_only_cityprices_only_and_both() {
    let d = doc(&[
        offer(r#"sku="A""#, "<price> 1500.00 </price>"),
        offer(
            r#"sku="B""#,
            r#"<cityprices><cityprice cityId="750000000">100</cityprice><cityprice cityId="511010000">110</cityprice></cityprices>"#,
        ),
        offer(
            r#"sku="C""#,
            r#"<cityprices><cityprice cityId="710000000">120</cityprice></cityprices><price>130</price>"#,
        ),
    ]);
    let (_, items) = read(&d).unwrap();
    let offers: Vec<Offer> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(offers[0].prices(), Prices::Single(tenge(1500)));
    assert_eq!(offers[0].line, 6);
    let b = [
        CityPrice { city_id: "750000000".into(), price: tenge(100) },
        CityPrice { city_id: "511010000".into(), price: tenge(110) },
    ];
    assert_eq!(offers[1].prices(), Prices::PerCity(&b));
    assert_eq!(offers[1].line, 7);
    let c = [CityPrice { city_id: "710000000".into(), price: tenge(120) }];
    assert_eq!(offers[2].prices(), Prices::PerCityWithDefault { cities: &c, default: tenge(130) });
    assert_eq!(offers[2].line, 8);
}

#[test]
fn availability_values() {
    let d = doc(&[offer(
        r#"sku="A""#,
        r#"<availabilities><availability available="YES" storeId="PP1" stockCount="" preOrder=""/><availability available="False" storeId="PP2" stockCount=" 7 " preOrder="60"></availability></availabilities>"#,
    )]);
    let (_, items) = read(&d).unwrap();
    let offer = items[0].clone().unwrap();
    assert_eq!(
        offer.availabilities,
        vec![
            Availability { store_id: "PP1".into(), available: true, stock_count: None, pre_order_days: 0 },
            Availability { store_id: "PP2".into(), available: false, stock_count: Some(7), pre_order_days: 60 },
        ]
    );
}

#[test]
fn escaped_text_and_character_references() {
    let d = doc(&[offer(
        r#"sku="A&amp;B""#,
        "<model>Tom &amp; Jerry &lt;3 &#1179;&#x4E9; <![CDATA[<raw>]]></model><brand>  </brand>",
    )]);
    let (_, items) = read(&d).unwrap();
    let offer = items[0].clone().unwrap();
    assert_eq!(offer.sku, "A&B");
    assert_eq!(offer.model, "Tom & Jerry <3 қө <raw>");
    assert_eq!(offer.brand, None);
}

#[test]
fn offers_on_one_line_and_tags_across_lines() {
    let one_line = SAMPLE.replace("\n    ", "").replace("\n      ", "").replace("\n        ", "");
    let one_line = one_line.replacen("<offer sku=\"SKU-1\">", "<offer\nsku=\"SKU-1\">", 1);
    let d = format!("{}\n\n{}", one_line.trim_end().trim_end_matches("</kaspi_catalog>"), "</kaspi_catalog>");
    // Two offers on the same line (5), the first tag spans lines 5–6.
    let d = d.replace("</offer>", "</offer><offer sku=\"SKU-2\"><model>M</model><price>5</price><availabilities><availability available=\"no\" storeId=\"PP2\"/></availabilities></offer>");
    let (_, items) = read(&d).unwrap();
    assert_eq!(items.len(), 2);
    let first = items[0].clone().unwrap();
    assert_eq!(first.line, 5);
    assert_eq!(items[1].clone().unwrap().line, 6);
}

#[test]
fn every_reason_with_its_line_and_good_offers_around() {
    let long_sku = "S".repeat(65);
    let long_model = "m".repeat(1025);
    let lines = vec![
        offer(r#"sku="OK1""#, ""),                                            // 6
        offer(r#"id="1""#, ""),                                               // 7
        offer(r#"sku="""#, ""),                                               // 8
        offer(&format!(r#"sku="{long_sku}""#), ""),                           // 9
        offer(r#"sku="A&#127;B""#, ""),                                       // 10
        offer(r#"sku="OK1""#, ""),                                            // 11
        offer(r#"sku="NOMODEL""#, "NOMODEL"),                                 // 12
        offer(r#"sku="LONGMODEL""#, &format!("<model>{long_model}</model>")), // 13
        offer(r#"sku="NOPRICE""#, "NOPRICE"),                                 // 14
        offer(r#"sku="FRACTION""#, "<price>12.5</price>"),                    // 15
        offer(r#"sku="NEGATIVE""#, "<price>-5</price>"),                      // 16
        offer(r#"sku="HIGH""#, "<price>1000000001</price>"),                  // 17
        offer(
            r#"sku="AVAILABLE""#,
            r#"<availabilities><availability available="maybe" storeId="PP1"/></availabilities>"#,
        ), // 18
        offer(
            r#"sku="STOCK""#,
            r#"<availabilities><availability available="yes" storeId="PP1" stockCount="-1"/></availabilities>"#,
        ), // 19
        offer(
            r#"sku="PREORDER""#,
            r#"<availabilities><availability available="yes" storeId="PP1" preOrder="61"/></availabilities>"#,
        ), // 20
        offer(r#"sku="STORE""#, r#"<availabilities><availability available="yes" storeId="XX"/></availabilities>"#), // 21
        offer(r#"sku="CITY""#, r#"<cityprices><cityprice cityId="999">10</cityprice></cityprices>"#), // 22
        offer(r#"sku="NOAVAIL""#, "NOAVAIL"),                                                         // 23
        offer(
            r#"sku="DUPSTORE""#,
            r#"<availabilities><availability available="yes" storeId="PP1"/><availability available="no" storeId="PP1"/></availabilities>"#,
        ), // 24
        offer(
            r#"sku="DUPCITY""#,
            r#"<cityprices><cityprice cityId="750000000">10</cityprice><cityprice cityId="750000000">11</cityprice></cityprices>"#,
        ), // 25
        offer(r#"sku="OK2""#, ""),                                                                    // 26
        offer(
            r#"sku="MANY""#,
            r#"NOMODEL<price>abc</price><availabilities><availability available="yes" storeId="NOPE"/></availabilities>"#,
        ), // 27
        offer(r#"sku="OK3""#, ""),                                                                    // 28
    ];
    let d = doc(&lines);
    let (_, items) = read(&d).unwrap();
    assert_eq!(items.len(), lines.len());
    let good: Vec<(u64, String)> =
        items.iter().filter_map(|i| i.as_ref().ok()).map(|o| (o.line, o.sku.clone())).collect();
    assert_eq!(good, vec![(6, "OK1".into()), (26, "OK2".into()), (28, "OK3".into())]);

    let problems: Vec<(u64, Option<&str>, Reason, &str)> = items
        .iter()
        .filter_map(|i| i.as_ref().err())
        .flatten()
        .map(|p| (p.line, p.sku.as_deref(), p.reason, p.detail.as_str()))
        .collect();
    let long_sku_detail = long_sku.as_str();
    let long_model_detail = &long_model[..100];
    let expected: Vec<(u64, Option<&str>, Reason, &str)> = vec![
        (7, None, Reason::MissingSku, ""),
        (8, Some(""), Reason::BadSku, ""),
        (9, Some(long_sku_detail), Reason::BadSku, long_sku_detail),
        (10, Some("A\u{7f}B"), Reason::BadSku, "A\u{7f}B"),
        (11, Some("OK1"), Reason::DuplicateSku, "OK1"),
        (12, Some("NOMODEL"), Reason::MissingModel, ""),
        (13, Some("LONGMODEL"), Reason::ModelTooLong, long_model_detail),
        (14, Some("NOPRICE"), Reason::NoPrice, ""),
        (15, Some("FRACTION"), Reason::BadPrice, "12.5"),
        (16, Some("NEGATIVE"), Reason::NonPositivePrice, "-5"),
        (17, Some("HIGH"), Reason::PriceTooHigh, "1000000001"),
        (18, Some("AVAILABLE"), Reason::BadAvailable, "maybe"),
        (19, Some("STOCK"), Reason::BadStockCount, "-1"),
        (20, Some("PREORDER"), Reason::BadPreOrder, "61"),
        (21, Some("STORE"), Reason::UnknownStore, "XX"),
        (22, Some("CITY"), Reason::UnknownCity, "999"),
        (23, Some("NOAVAIL"), Reason::NoAvailability, ""),
        (24, Some("DUPSTORE"), Reason::DuplicateStore, "PP1"),
        (25, Some("DUPCITY"), Reason::DuplicateCity, "750000000"),
        (27, Some("MANY"), Reason::MissingModel, ""),
        (27, Some("MANY"), Reason::UnknownStore, "NOPE"),
        (27, Some("MANY"), Reason::BadPrice, "abc"),
    ];
    assert_eq!(problems, expected);
    // Every reason is covered.
    for reason in Reason::ALL {
        assert!(expected.iter().any(|e| e.2 == reason), "{reason} not tested");
    }
}

#[test]
fn read_all_counts_and_caps_problems() {
    let mut lines: Vec<String> = (0..10_005).map(|i| offer(&format!(r#"sku="B{i}""#), "<price>0</price>")).collect();
    lines.push(offer(r#"sku="GOOD""#, ""));
    let d = doc(&lines);
    let mut good = Vec::new();
    let summary = read_all(d.as_bytes(), Limits::default(), &Dir, |o, _| good.push(o.sku)).unwrap();
    assert_eq!(summary.offers, 1);
    assert_eq!(good, vec!["GOOD".to_owned()]);
    assert_eq!(summary.problem_count, 10_005);
    assert_eq!(summary.problems.len(), 10_000);
    assert_eq!(summary.problems[9_999].line, 6 + 9_999);
    assert_eq!(summary.header.merchant_id, "M");
}

#[test]
fn closures_as_directory() {
    let dir = FnDirectory(|s: &str| s == "PP1", |_: &str| false);
    let d = doc(&[offer(r#"sku="A""#, r#"<cityprices><cityprice cityId="750000000">1</cityprice></cityprices>"#)]);
    let summary = read_all(d.as_bytes(), Limits::default(), &dir, |_, _| {}).unwrap();
    assert_eq!(summary.problems[0].reason, Reason::UnknownCity);
}

// ---- file errors ----

#[test]
fn truncated_in_an_offer_and_in_a_tag() {
    let cut = SAMPLE.find("<brand>").unwrap();
    assert_eq!(read_err(&SAMPLE[..cut]), FileError::Truncated { line: 8 });
    let cut = SAMPLE.find("storeId=").unwrap();
    assert_eq!(read_err(&SAMPLE[..cut]).code(), "truncated");
}

#[test]
fn every_prefix_of_a_document_is_truncated() {
    let full = SAMPLE.trim_end();
    for cut in 1..full.len() {
        let err = read_err(&full[..cut]);
        assert_eq!(err.code(), "truncated", "cut at {cut}: {:?}", &full[cut.saturating_sub(20)..cut]);
    }
    assert!(read(full).is_ok());
}

#[test]
fn wrong_namespace_or_none() {
    let d = SAMPLE.replace(r#"xmlns="kaspiShopping""#, r#"xmlns="kaspi""#);
    assert_eq!(read_err(&d), FileError::WrongNamespace { line: 2, found: "kaspi".into() });
    let d = SAMPLE.replace(r#"xmlns="kaspiShopping""#, "");
    assert_eq!(read_err(&d), FileError::WrongNamespace { line: 2, found: String::new() });
    assert_eq!(read_err(&d).code(), "wrong_namespace");
}

#[test]
fn wrong_root() {
    let d = SAMPLE.replace("kaspi_catalog", "yml_catalog");
    assert_eq!(read_err(&d), FileError::WrongRoot { line: 2, found: "yml_catalog".into() });
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut d = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    d.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = i - 1;
        d.push_str(&format!(" <!ENTITY lol{i} \"{}\">\n", format!("&lol{prev};").repeat(10)));
    }
    d.push_str("]>\n<kaspi_catalog xmlns=\"kaspiShopping\"><company>&lol9;</company></kaspi_catalog>\n");
    let start = Instant::now();
    assert_eq!(read_err(&d), FileError::Doctype { line: 2 });
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn huge_doctype_is_a_doctype_and_never_buffered_whole() {
    let head = "<?xml version=\"1.0\"?>\n<!DOCTYPE kaspi_catalog [\n";
    let entities = io::repeat(b' ').take(100 << 20);
    let reader = head.as_bytes().chain(entities);
    let start = Instant::now();
    let mut r = PriceListReader::new(io::BufReader::new(reader), Limits::default());
    assert_eq!(r.header(), Err(FileError::Doctype { line: 2 }));
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn external_entity_is_rejected_and_never_fetched() {
    let d = r#"<?xml version="1.0"?>
<!DOCTYPE kaspi_catalog [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kaspi_catalog xmlns="kaspiShopping"><company>&xxe;</company><merchantid>m</merchantid><offers/></kaspi_catalog>"#;
    assert_eq!(read_err(d), FileError::Doctype { line: 2 });
    // Without the DOCTYPE, the reference is an unknown entity, never a file.
    let d = d.replace("<!DOCTYPE kaspi_catalog [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n", "");
    assert_eq!(read_err(&d), FileError::UnknownEntity { line: 2, name: "xxe".into() });
    // The reader cannot open files or sockets at all.
    for source in [include_str!("../src/reader.rs"), include_str!("../src/lib.rs")] {
        for capability in ["std::fs", "File::", "std::net", "std::process", "Command"] {
            assert!(!source.contains(capability), "{capability}");
        }
    }
}

#[test]
fn undefined_entity_in_text_or_attribute() {
    let d = SAMPLE.replace("Product name", "Product &foo; name");
    assert_eq!(read_err(&d), FileError::UnknownEntity { line: 7, name: "foo".into() });
    assert_eq!(read_err(&d).code(), "unknown_entity");
    let d = SAMPLE.replace("storeId=\"PP1\"", "storeId=\"&foo;\"");
    assert_eq!(read_err(&d), FileError::UnknownEntity { line: 10, name: "foo".into() });
    // Even in an attribute the reader otherwise ignores.
    let d = SAMPLE.replace("<offer sku", "<offer note=\"&bar;\" sku");
    assert_eq!(read_err(&d), FileError::UnknownEntity { line: 6, name: "bar".into() });
}

#[test]
fn text_over_max_text_len() {
    let d = SAMPLE.replace("Product name", &"x".repeat(5000));
    assert_eq!(read_err(&d), FileError::TextTooLong { line: 7 });
    // Split by references, still counted as one text.
    let d = SAMPLE.replace("Product name", &"x&amp;".repeat(3000));
    assert_eq!(read_err(&d).code(), "text_too_long");
    let d = SAMPLE.replace("PP1", &"P".repeat(5000));
    assert_eq!(read_err(&d), FileError::TextTooLong { line: 10 });
    // 50 MB without a single '<' is refused after a few KB, never buffered whole.
    let prefix = &SAMPLE.as_bytes()[..SAMPLE.find("Product name").unwrap()];
    let start = Instant::now();
    let reader = prefix.chain(io::repeat(b'x').take(50 << 20));
    let mut r = PriceListReader::new(io::BufReader::new(reader), Limits::default());
    r.header().unwrap();
    assert_eq!(r.next_offer(&Dir), Err(FileError::TextTooLong { line: 7 }));
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn nesting_over_max_depth() {
    let nested = format!("{}x{}", "<a>".repeat(20), "</a>".repeat(20));
    let d = SAMPLE.replace("<brand>Brand</brand>", &nested);
    assert_eq!(read_err(&d), FileError::TooDeep { line: 8 });
    // Root 1, offers 2, offer 3, model 4.
    let limits = Limits { max_depth: 3, ..Limits::default() };
    assert_eq!(read_with(SAMPLE, limits).unwrap_err(), FileError::TooDeep { line: 7 });
    // Self-closing elements count too: availability is 5.
    let limits = Limits { max_depth: 4, ..Limits::default() };
    assert_eq!(read_with(SAMPLE, limits).unwrap_err(), FileError::TooDeep { line: 10 });
}

#[test]
fn more_than_max_offers() {
    let d = doc(&[offer(r#"sku="A""#, ""), offer(r#"sku="B""#, ""), offer(r#"sku="C""#, "")]);
    let limits = Limits { max_offers: 2, ..Limits::default() };
    assert_eq!(read_with(&d, limits).unwrap_err(), FileError::TooManyOffers { limit: 2 });
    let limits = Limits { max_offers: 3, ..Limits::default() };
    assert_eq!(read_with(&d, limits).unwrap().1.len(), 3);
}

#[test]
fn not_xml_at_all() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert_eq!(read_err(png), FileError::NotXml { line: 1 });
    assert_eq!(read_err(r#"{"offers": []}"#), FileError::NotXml { line: 1 });
    assert_eq!(read_err(""), FileError::NotXml { line: 1 });
    assert_eq!(read_err("price list"), FileError::NotXml { line: 1 });
    assert_eq!(read_err(r#"<kaspi_catalog xmlns="kaspiShopping"></b>"#).code(), "not_xml");
    // Malformed or duplicate attributes, even on an element that is otherwise ignored.
    let d = SAMPLE.replace("<brand>Brand</brand>", "<weight unit=kg>1</weight>");
    assert_eq!(read_err(&d), FileError::NotXml { line: 8 });
    let d = SAMPLE.replace("<brand>Brand</brand>", "<weight unit=\"kg\" unit=\"g\">1</weight>");
    assert_eq!(read_err(&d), FileError::NotXml { line: 8 });
    // Junk after the root.
    let d = format!("{SAMPLE}<kaspi_catalog/>");
    assert_eq!(read_err(&d), FileError::NotXml { line: 19 });
    let d = format!("{SAMPLE}trailing");
    assert_eq!(read_err(&d), FileError::NotXml { line: 19 });
}

#[test]
fn invalid_utf8_and_other_encodings() {
    let mut bytes = SAMPLE.as_bytes().to_vec();
    let at = SAMPLE.find("Product name").unwrap();
    bytes[at] = 0xFF;
    assert_eq!(read_err(&bytes), FileError::BadEncoding { line: 7 });
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(SAMPLE.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(read_err(&utf16), FileError::BadEncoding { line: 1 });
    let d = SAMPLE.replace("utf-8", "windows-1251");
    assert_eq!(read_err(&d), FileError::BadEncoding { line: 1 });
    assert_eq!(read_err(&d).code(), "bad_encoding");
}

#[test]
fn missing_header_fields_and_no_offers() {
    let d = SAMPLE.replace("<merchantid>seller id</merchantid>", "");
    assert_eq!(read_err(&d), FileError::MissingMerchantId);
    let d = SAMPLE.replace("<merchantid>seller id</merchantid>", "<merchantid> </merchantid>");
    assert_eq!(read_err(&d), FileError::MissingMerchantId);
    let d = SAMPLE.replace("<company>Seller name</company>", "");
    assert_eq!(read_err(&d), FileError::MissingCompany);
    let start = SAMPLE.find("<offers>").unwrap();
    let end = SAMPLE.find("</offers>").unwrap() + "</offers>".len();
    let no_offers = format!("{}<offers>\n  </offers>{}", &SAMPLE[..start], &SAMPLE[end..]);
    assert_eq!(read_err(&no_offers), FileError::NoOffers);
    let empty_offers = format!("{}<offers/>{}", &SAMPLE[..start], &SAMPLE[end..]);
    assert_eq!(read_err(&empty_offers), FileError::NoOffers);
    let absent = format!("{}{}", &SAMPLE[..start], &SAMPLE[end..]);
    assert_eq!(read_err(&absent), FileError::NoOffers);
    assert_eq!(read_err(r#"<kaspi_catalog xmlns="kaspiShopping"/>"#), FileError::MissingCompany);
}

#[test]
fn io_errors_are_reported() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let reader = SAMPLE.as_bytes().chain(Failing);
    let mut r = PriceListReader::new(io::BufReader::with_capacity(64, reader), Limits::default());
    let err = r.header().and_then(|_| r.next_offer(&Dir).map(|_| sample_header()));
    let err = match err {
        Err(e) => e,
        Ok(_) => loop {
            match r.next_offer(&Dir) {
                Err(e) => break e,
                Ok(None) => panic!("an I/O error must not look like the end"),
                Ok(Some(_)) => {}
            }
        },
    };
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains("disk on fire"));
}

#[test]
fn errors_are_sticky() {
    let d = SAMPLE.replace("</offer>", "</offer><offer sku=\"X\">&foo;</offer>");
    let mut r = PriceListReader::new(d.as_bytes(), Limits::default());
    r.header().unwrap();
    assert!(r.next_offer(&Dir).unwrap().unwrap().is_ok());
    let err = r.next_offer(&Dir).unwrap_err();
    assert_eq!(err.code(), "unknown_entity");
    assert_eq!(r.next_offer(&Dir).unwrap_err(), err);
    assert_eq!(r.header().unwrap_err(), err);
}

// ---- generated files ----

fn generated(n: usize, bad: Option<usize>) -> Vec<u8> {
    let header =
        Header { date: Some("2026-11-24".into()), company: "Shop & Co".into(), merchant_id: "30012345".into() };
    let offers = (0..n).map(|i| Offer {
        line: 0,
        sku: format!("SKU-{i}"),
        model: format!("Смартфон <{i}>"),
        brand: (i % 2 == 0).then(|| "Brand".to_owned()),
        availabilities: vec![Availability {
            store_id: "PP1".into(),
            available: true,
            stock_count: Some(5),
            pre_order_days: 0,
        }],
        city_prices: if i % 3 == 0 {
            vec![CityPrice { city_id: "750000000".into(), price: tenge(100 + i as i64) }]
        } else {
            vec![]
        },
        price: Some(if Some(i) == bad { tenge(-5) } else { tenge(200 + i as i64) }),
    });
    let mut out = Vec::new();
    write_pricelist(&mut out, &header, offers).unwrap();
    out
}

#[test]
fn hundred_thousand_offers_with_one_bad() {
    let bad = 54_321;
    let bytes = generated(100_000, Some(bad));
    // The line, found independently of the reader.
    let needle = format!("<offer sku=\"SKU-{bad}\">");
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap();
    let expected_line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;

    let mut good = 0u64;
    let mut last_line = 0;
    let summary = read_all(bytes.as_slice(), Limits::default(), &Dir, |o, _| {
        assert!(o.line > last_line);
        last_line = o.line;
        good += 1;
    })
    .unwrap();
    assert_eq!(summary.offers, 99_999);
    assert_eq!(good, 99_999);
    assert_eq!(summary.problem_count, 1);
    assert_eq!(
        summary.problems,
        vec![Problem {
            line: expected_line,
            sku: Some(format!("SKU-{bad}")),
            reason: Reason::NonPositivePrice,
            detail: "-5".into()
        }]
    );
    assert_eq!(summary.header.company, "Shop & Co");
}

#[test]
fn writer_round_trips() {
    let offers = vec![sample_offer(6)];
    let mut out = Vec::new();
    write_pricelist(&mut out, &sample_header(), offers.clone().into_iter()).unwrap();
    let (header, items) = read(&out).unwrap();
    assert_eq!(header, sample_header());
    assert_eq!(items, vec![Ok(sample_offer(6))]);
}

#[test]
fn reads_through_a_tiny_buffer() {
    // Events split across many fill_buf calls still give exact lines.
    let bytes = generated(200, Some(150));
    let tiny = io::BufReader::with_capacity(7, bytes.as_slice());
    let a = read_all(tiny, Limits::default(), &Dir, |_, _| {}).unwrap();
    let b = read_all(bytes.as_slice(), Limits::default(), &Dir, |_, _| {}).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.problems.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(&bytes);
    }

    #[test]
    fn mutated_documents_never_panic(cut in 0..SAMPLE.len(), byte in any::<u8>(), insert in any::<bool>()) {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        if insert { bytes.insert(cut, byte) } else { bytes[cut] = byte }
        let _ = read(&bytes);
    }

    #[test]
    fn markup_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("<offer sku=\"a\">"), Just("</offer>"), Just("<model>"), Just("</model>"), Just("<price>"),
        Just("</price>"), Just("<offers>"), Just("</offers>"), Just("<cityprices>"), Just("<cityprice cityId=\"750000000\">"),
        Just("</cityprice>"), Just("<availabilities>"), Just("<availability available=\"yes\" storeId=\"PP1\"/>"),
        Just("</availabilities>"), Just("12"), Just("&amp;"), Just("&x;"), Just("\n"), Just("<!--c-->"), Just("<![CDATA[x]]>"),
    ], 0..40)) {
        let d = format!("<kaspi_catalog xmlns=\"kaspiShopping\"><company>c</company><merchantid>m</merchantid><offers>{}</offers></kaspi_catalog>", parts.concat());
        let _ = read(&d);
    }
}
