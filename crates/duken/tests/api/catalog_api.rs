//! The buyer JSON API: shapes, types, paging, cities, money.

use reqwest::StatusCode;
use serde_json::Value;

fn is_iso_utc(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .is_some_and(|t| t.offset().local_minus_utc() == 0)
}

fn assert_money(v: &Value) {
    assert!(v["tiyn"].is_i64(), "money has integer tiyn: {v}");
    assert!(v["formatted"].as_str().is_some_and(|s| s.contains('₸')), "money has a formatted string: {v}");
}

crate::backend_tests! {
    async fn categories_are_a_paginated_tree(app: TestApp) {
        let (status, doc) = app.get_json("/api/v1/categories?per_page=100").await;
        assert_eq!(status, StatusCode::OK);
        let data = doc["data"].as_array().unwrap();
        assert!(data.len() >= 5);
        for c in data {
            assert!(c["id"].is_i64() && c["code"].is_string());
            for lang in ["kk", "ru", "en"] {
                assert!(c["name"][lang].as_str().is_some_and(|s| !s.is_empty()));
            }
        }
        let ids: Vec<i64> = data.iter().map(|c| c["id"].as_i64().unwrap()).collect();
        for c in data {
            if let Some(parent) = c["parent_id"].as_i64() {
                assert!(ids.contains(&parent), "parent {parent} exists");
            }
        }
        assert_eq!(doc["meta"]["total"].as_i64().unwrap(), data.len() as i64);
        let (_, page2) = app.get_json("/api/v1/categories?per_page=3&page=2").await;
        assert_eq!(page2["data"].as_array().unwrap().len(), 3);
        assert_eq!(page2["data"][0]["id"], data[3]["id"], "stable order");
        assert_eq!(page2["links"]["prev"], "/api/v1/categories?per_page=3&page=1");
        assert_eq!(page2["links"]["next"], "/api/v1/categories?per_page=3&page=3");
    }

    async fn product_lists_carry_price_ranges_for_the_city(app: TestApp) {
        let (status, doc) = app.get_json("/api/v1/products?city=710000000&per_page=100").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["city"]["kato"], "710000000");
        assert_eq!(doc["city"]["name"]["en"], "Astana");
        let data = doc["data"].as_array().unwrap();
        assert!(data.len() >= 50);
        assert_eq!(doc["meta"]["per_page"], 100);
        for p in data {
            assert!(is_iso_utc(&p["created_at"]));
            if !p["price_range"].is_null() {
                assert_money(&p["price_range"]["min"]);
                assert_money(&p["price_range"]["max"]);
                assert!(p["price_range"]["min"]["tiyn"].as_i64() <= p["price_range"]["max"]["tiyn"].as_i64());
                assert!(p["seller_count"].as_i64().unwrap() >= 1);
            }
        }
        // The range is exactly the span of the product's offers in that city.
        let p = data.iter().find(|p| p["seller_count"].as_i64().unwrap() >= 2).unwrap();
        let (_, detail) = app.get_json(&format!("/api/v1/products/{}?city=710000000", p["id"])).await;
        let prices: Vec<i64> = detail["offers"].as_array().unwrap().iter().map(|o| o["price"]["tiyn"].as_i64().unwrap()).collect();
        assert_eq!(p["price_range"]["min"]["tiyn"].as_i64().unwrap(), *prices.iter().min().unwrap());
        assert_eq!(p["price_range"]["max"]["tiyn"].as_i64().unwrap(), *prices.iter().max().unwrap());
    }

    async fn product_detail_has_offers_with_typed_fields(app: TestApp) {
        let (status, doc) = app.get_json("/api/v1/products/1?city=750000000&lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["id"], 1);
        assert!(doc["category"]["id"].is_i64());
        assert!(doc["attributes"].is_object());
        assert!(is_iso_utc(&doc["updated_at"]));
        assert!(doc["notice"].as_str().unwrap().contains("not a public offer"));
        for o in doc["offers"].as_array().unwrap() {
            assert_money(&o["price"]);
            assert!(o["price"]["formatted"].as_str().unwrap().starts_with('₸'), "English format");
            assert!(o["seller"]["id"].is_i64() && o["seller"]["is_eaeu"].is_boolean());
            assert!(["in_city", "elsewhere", "pre_order", "out_of_stock"].contains(&o["availability"]["status"].as_str().unwrap()));
            assert!(is_iso_utc(&o["updated_at"]));
        }
        // Kaspi's legacy city id for Shymkent is understood and reported with its KATO code.
        let (status, doc) = app.get_json("/api/v1/products/1?city=511010000").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["city"]["kato"], "790000000");
        assert_eq!(doc["city"]["kaspi_city_id"], "511010000");
        // A program names its city and language in each request: the API remembers nothing.
        let reply = app.get("/api/v1/products/1?city=710000000&lang=kk").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("set-cookie"), "", "the JSON API sets no cookies");
    }

    async fn sellers_with_their_stores(app: TestApp) {
        let (status, doc) = app.get_json("/api/v1/sellers").await;
        assert_eq!(status, StatusCode::OK);
        let data = doc["data"].as_array().unwrap();
        assert!(data.len() >= 3);
        assert!(data.iter().all(|s| s.get("stores").is_none()), "lists leave stores out");
        let abroad = data.iter().find(|s| s["is_eaeu"] == false).expect("a seller outside the EAEU");
        assert!(abroad["bin"].is_null());
        let kz = data.iter().find(|s| s["country"] == "KZ").unwrap();
        assert_eq!(kz["bin"].as_str().unwrap().len(), 12);
        let (status, one) = app.get_json(&format!("/api/v1/sellers/{}", kz["id"])).await;
        assert_eq!(status, StatusCode::OK);
        let stores = one["stores"].as_array().unwrap();
        assert!(!stores.is_empty());
        assert!(stores.iter().all(|s| s["city"]["kato"].is_string()));
        let (_, foreign) = app.get_json(&format!("/api/v1/sellers/{}", abroad["id"])).await;
        assert!(foreign["stores"].as_array().unwrap().iter().all(|s| s["city"].is_null() && s["country"] != "KZ"));
    }

    async fn a_price_changed_elsewhere_shows_within_the_cache_lifetime(app: TestApp) {
        let (_, before) = app.get_json("/api/v1/products/1?city=750000000").await;
        let offer = before["offers"][0]["id"].as_i64().unwrap();
        let new_price = before["offers"][0]["price"]["tiyn"].as_i64().unwrap() + 100;
        // As a price-list import on another node would: straight to the database.
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query(
            "UPDATE offer_prices SET price_tiyn = $1 WHERE offer_id = $2 AND city_kato = '750000000'"
        )
        .bind(new_price)
        .bind(offer)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        .unwrap());
        let started = std::time::Instant::now();
        loop {
            let (_, now) = app.get_json("/api/v1/products/1?city=750000000").await;
            let prices: Vec<i64> = now["offers"].as_array().unwrap().iter().map(|o| o["price"]["tiyn"].as_i64().unwrap()).collect();
            if prices.contains(&new_price) {
                break;
            }
            // The default cache lifetime is 1 s.
            assert!(started.elapsed() < std::time::Duration::from_millis(2500), "the new price never showed: {prices:?}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}
