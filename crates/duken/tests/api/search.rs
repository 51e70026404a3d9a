//! §3 search: Kazakh, Russian and Latin spellings find the same products; facets, sorting and
//! paging; odd text is never an error; the index follows catalog changes within a second.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

async fn ids(app: &TestApp, query: &str) -> BTreeSet<i64> {
    let (status, doc) = app.get_json(&format!("/api/v1/search?{query}&per_page=100")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {doc}");
    doc["data"].as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect()
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

crate::backend_tests! {
    async fn kazakh_russian_and_latin_spellings_find_the_same_products(app: TestApp) {
        let phones = ids(&app, &format!("q={}", encode("смартфон"))).await;
        assert!(phones.len() >= 3, "the demo shop has smartphones: {phones:?}");
        for spelling in ["smartfon", "смартфондар", "смартфоны", "СМАРТФОН", "smartfondar"] {
            let found = ids(&app, &format!("q={}", encode(spelling))).await;
            assert_eq!(found, phones, "{spelling}");
        }
        // A typo still finds the brand; the HTML page shows the same products.
        let samsung = ids(&app, "q=samsung").await;
        assert!(!samsung.is_empty());
        assert_eq!(ids(&app, "q=samsnug").await, samsung, "one transposition");
        let page = app.get(&format!("/search?q={}&lang=kk", encode("смартфондар"))).await;
        assert_eq!(page.status, StatusCode::OK);
        for id in &phones {
            assert!(page.body.contains(&format!("/products/{id}\"")), "product {id} on the page");
        }
        // Kazakh-specific letters typed without them, and in Latin.
        let vacuum = ids(&app, &format!("q={}", encode("шаңсорғыш"))).await;
        assert!(!vacuum.is_empty(), "the demo shop has vacuum cleaners");
        assert_eq!(ids(&app, &format!("q={}", encode("шансоргыш"))).await, vacuum);
        assert_eq!(ids(&app, "q=shansorgysh").await, vacuum);
    }

    async fn facets_filters_sorting_and_paging(app: TestApp) {
        let (status, doc) = app.get_json("/api/v1/search?q=&city=750000000&per_page=5&sort=price_asc&lang=en").await;
        assert_eq!(status, StatusCode::OK);
        let total = doc["meta"]["total"].as_i64().unwrap();
        assert!(total > 5 && doc["data"].as_array().unwrap().len() == 5);
        let prices: Vec<i64> = doc["data"].as_array().unwrap().iter().map(|h| h["min_price"]["tiyn"].as_i64().unwrap()).collect();
        assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first: {prices:?}");
        assert!(doc["links"]["next"].as_str().unwrap().contains("page=2"));
        let brands = doc["facets"]["brands"].as_array().unwrap();
        let (brand, count) = (brands[0]["value"].as_str().unwrap(), brands[0]["count"].as_i64().unwrap());
        let only = ids(&app, &format!("brand={}", encode(brand))).await;
        assert_eq!(only.len() as i64, count, "the brand facet counts what the brand filter finds");
        // The brand facet still lists the other brands once one is chosen.
        let (_, filtered) = app.get_json(&format!("/api/v1/search?brand={}", encode(brand))).await;
        assert!(filtered["facets"]["brands"].as_array().unwrap().len() > 1);
        // A price window and a category.
        let (min, max) = (prices[0] / 100, prices[4] / 100);
        for id in ids(&app, &format!("price_min={min}&price_max={max}")).await {
            let (_, p) = app.get_json(&format!("/api/v1/products/{id}?city=750000000")).await;
            let offers = p["offers"].as_array().unwrap();
            let lowest = offers.iter().map(|o| o["price"]["tiyn"].as_i64().unwrap()).min().unwrap();
            assert!((min * 100..=max * 100).contains(&lowest), "product {id} costs {lowest}");
        }
        let (_, categories) = app.get_json("/api/v1/categories").await;
        let smartphones = categories["data"].as_array().unwrap().iter().find(|c| c["code"] == "smartphones").unwrap()["id"].as_i64().unwrap();
        let (_, in_category) = app.get_json(&format!("/api/v1/search?category={smartphones}")).await;
        let memory = in_category["facets"]["attributes"].as_array().unwrap().iter().find(|a| a["code"] == "memory_gb");
        assert!(memory.is_some(), "attribute facets of the category: {in_category}");
        let page = app.get(&format!("/search?category={smartphones}&lang=en")).await;
        assert!(page.body.contains("Storage, GB"), "attribute facet named from the schema");
        // The category page carries the same filters, as links into its search results.
        let page = app.get(&format!("/categories/{smartphones}?lang=en&city=750000000")).await;
        assert!(page.body.contains("Storage, GB") && page.body.contains("Brand"), "{}", page.body);
        assert!(page.body.contains(&format!("/search?category={smartphones}&#38;brand=Samsung")), "{}", page.body);
        // Cities: a product priced only in Astana is not found from Kyzylorda.
        assert!(ids(&app, "q=&city=431010000").await.is_empty());
        let (status, _) = app.get_json("/api/v1/search?city=123").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown city is an error in the API");
        let (status, _) = app.get_json("/api/v1/search?per_page=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    async fn odd_search_text_is_never_an_error(app: TestApp) {
        // 10 kB: printable ASCII with every operator, and some Cyrillic and emoji mixed in.
        let garbage: String = (0..10_000u32)
            .map(|i| match i % 50 {
                0 => '😀',
                1 => 'қ',
                _ => char::from_u32(0x21 + (i * 7919) % 0x5e).unwrap_or('x'),
            })
            .collect::<String>()
            .chars()
            .scan(0usize, |bytes, c| {
                *bytes += c.len_utf8();
                (*bytes <= 10_000).then_some(c)
            })
            .collect();
        for q in ["\"телефон", "телефон AND NOT samsung", "a:b* ~2 ^3 (x) [y TO z] {q}", "😀📱", "' OR 1=1 --", "<script>alert(1)</script>", garbage.as_str(), "%FF", ""] {
            let encoded = encode(q);
            let page = app.get(&format!("/search?q={encoded}")).await;
            assert_eq!(page.status, StatusCode::OK, "{}", q.chars().take(40).collect::<String>());
            assert!(!page.body.contains("<script>alert(1)"), "escaped");
            let (status, doc) = app.get_json(&format!("/api/v1/search?q={encoded}")).await;
            assert_eq!(status, StatusCode::OK, "{doc}");
            let (status, _) = app.get_json(&format!("/api/v1/search/suggest?q={encoded}")).await;
            assert_eq!(status, StatusCode::OK);
        }
        // Text without a searchable word finds nothing; no text at all browses every product.
        for q in ["😀📱", "«»!!", &"a".repeat(10_000)] {
            let (_, doc) = app.get_json(&format!("/api/v1/search?q={}", encode(q))).await;
            assert_eq!(doc["meta"]["total"], 0, "{}: {doc}", q.chars().take(20).collect::<String>());
        }
        let (_, doc) = app.get_json("/api/v1/search?q=").await;
        assert!(doc["meta"]["total"].as_u64().unwrap() > 0, "{doc}");
        let (_, doc) = app.get_json("/api/v1/search/suggest?q=sams").await;
        let texts: Vec<&str> = doc["data"].as_array().unwrap().iter().filter_map(|s| s["text"].as_str()).collect();
        assert!(texts.iter().any(|t| t.to_lowercase().contains("samsung")), "{texts:?}");
    }

    async fn the_index_follows_a_price_list_within_a_second(app: TestApp) {
        let (seller_id, mut owner, mut operator) = crate::sellers::new_seller(&app, "+77015550111", "150540001233").await;
        let csrf = owner.csrf();
        let offer = crate::sellers::offer("KET-1", "Электрошәйнек Qazaq Kettle", "PP1", 4, &[("750000000", "12990")]);
        let file = crate::sellers::pricelist("150540001233", &offer);
        owner.upload(&format!("/cabinet/{seller_id}/pricelist"), &[("csrf", &csrf)], "p.xml", file.as_bytes()).await;
        let (cards, _) = app.store.pending_cards(duken_core::PageRequest::first()).await.unwrap();
        let card = cards[0].product_id;
        assert!(ids(&app, "q=qazaq").await.is_empty(), "a card waiting for moderation is not searchable");
        let (_, categories) = app.get_json("/api/v1/categories").await;
        let kitchen = categories["data"].as_array().unwrap().iter().find(|c| c["code"] == "kitchen-appliances").unwrap()["id"].as_i64().unwrap();
        operator.get("/console/cards").await;
        let csrf = operator.csrf();
        let reply = operator.post(&format!("/console/cards/{card}"), &[("csrf", &csrf), ("decision", "publish"), ("category", &kitchen.to_string())]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let published = Instant::now();
        let mut found: BTreeSet<i64> = BTreeSet::new();
        while published.elapsed() < Duration::from_secs(1) {
            found = ids(&app, "q=qazaq").await;
            if !found.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(found, BTreeSet::from([card]), "found within a second ({:?})", published.elapsed());
        // Kazakh with its own letters, without them, and in Latin.
        for q in ["электрошәйнек", "электрошайнек", "elektroshainek"] {
            assert_eq!(ids(&app, &format!("q={}", encode(q))).await, BTreeSet::from([card]), "{q}");
        }
        let (_, doc) = app.get_json("/api/v1/search?q=qazaq").await;
        let hit: &Value = &doc["data"][0];
        assert_eq!(hit["min_price"]["tiyn"], 1_299_000);

        // A full upload without the offer makes it unavailable, and it leaves the results.
        let other = crate::sellers::offer("OTHER-1", "Something else", "PP1", 1, &[("750000000", "100")]);
        owner.upload(&format!("/cabinet/{seller_id}/pricelist"), &[("csrf", &owner.csrf())], "q.xml", crate::sellers::pricelist("150540001233", &other).as_bytes()).await;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(1) && !ids(&app, "q=qazaq").await.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(ids(&app, "q=qazaq").await.is_empty(), "an unavailable offer leaves the results within a second");
    }
}
