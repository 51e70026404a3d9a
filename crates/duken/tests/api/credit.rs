//! Credit and installments (§3, §9.1-3): the calculator's offers from the demo banks, and the
//! bad amounts it refuses.

use reqwest::StatusCode;
use serde_json::Value;

fn tiyn(v: &Value) -> i64 {
    v["tiyn"].as_i64().unwrap_or_else(|| panic!("money with integer tiyn: {v}"))
}

crate::backend_tests! {
    async fn offers_for_an_amount_come_with_dated_schedules_and_the_effective_rate(app: TestApp) {
        // 150 000 ₸: every demo product takes it.
        let (status, doc) = app.get_json("/api/v1/credit/offers?amount=15000000").await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        assert_eq!(tiyn(&doc["meta"]["amount"]), 15_000_000);
        assert_eq!(doc["meta"]["effective_rate_cap_percent"], "46.0");
        let issued = chrono::NaiveDate::parse_from_str(doc["meta"]["issued_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let data = doc["data"].as_array().unwrap();
        let banks: std::collections::BTreeSet<&str> = data.iter().map(|o| o["bank"]["code"].as_str().unwrap()).collect();
        assert_eq!(banks.into_iter().collect::<Vec<_>>(), ["alatau-demo", "saryarka-demo"]);
        // Alatau's 0-0-N takes 3, 6, 12 and 24 months at this amount; its credit six terms;
        // Saryarka's 0-0-12 one and its credit three.
        assert_eq!(data.len(), 4 + 6 + 1 + 3, "{doc}");
        for o in data {
            let payments = o["payments"].as_array().unwrap();
            assert_eq!(payments.len() as u64, o["term_months"].as_u64().unwrap());
            let principal: i64 = payments.iter().map(|p| tiyn(&p["principal"])).sum();
            assert_eq!(principal, 15_000_000, "principal parts sum to the loan: {o}");
            let paid: i64 = payments.iter().map(|p| tiyn(&p["total"])).sum::<i64>() + tiyn(&o["issue_fee"]);
            assert_eq!(paid, tiyn(&o["total_paid"]));
            assert_eq!(tiyn(&o["overpayment"]), paid - 15_000_000);
            assert_eq!(tiyn(&o["monthly_payment"]), tiyn(&payments[0]["total"]));
            let mut previous = issued;
            for p in payments {
                let date = chrono::NaiveDate::parse_from_str(p["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
                assert!(date > previous && (date - previous).num_days() <= 31, "monthly dates: {o}");
                previous = date;
                assert!(tiyn(&p["total"]) > 0);
            }
            assert_eq!(tiyn(&payments.last().unwrap()["balance_after"]), 0);
            let rate: f64 = o["effective_rate_percent"].as_str().unwrap().parse().unwrap();
            match o["product"]["kind"].as_str().unwrap() {
                "installments" => {
                    assert_eq!(o["effective_rate_percent"], "0.0", "0-0-N costs nothing: {o}");
                    assert_eq!(tiyn(&o["overpayment"]), 0);
                }
                "credit" => {
                    let nominal: f64 = o["product"]["nominal_rate_percent"].as_str().unwrap().parse().unwrap();
                    assert!(rate > nominal && rate <= 46.0, "ГЭСВ {rate} above the nominal {nominal}, within the cap");
                }
                other => panic!("kind {other}"),
            }
        }
        // The money is formatted for the language asked.
        let (_, ru) = app.get_json("/api/v1/credit/offers?amount=15000000&lang=ru").await;
        assert!(ru["meta"]["amount"]["formatted"].as_str().unwrap().contains("150"));
    }

    async fn amounts_no_product_takes_are_refused_with_the_range(app: TestApp) {
        for amount in ["", "abc", "0", "-5", "1.5", "99999999999999999999"] {
            let (status, doc) = app.get_json(&format!("/api/v1/credit/offers?amount={amount}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "amount {amount:?}: {doc}");
            assert_eq!(doc["errors"][0]["source"]["parameter"], "amount", "{doc}");
        }
        let (status, doc) = app.get_json("/api/v1/credit/offers").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{doc}");
        // 5 000 ₸ is below every product; 6 000 000 ₸ above every product.
        for amount in [500_000, 600_000_000] {
            let (status, doc) = app.get_json(&format!("/api/v1/credit/offers?amount={amount}&lang=en")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{doc}");
            let detail = doc["errors"][0]["detail"].as_str().unwrap();
            assert!(detail.contains("10,000") && detail.contains("5,000,000"), "the range is named: {detail}");
        }
        // 20 000 ₸: only Alatau's 0-0-N (3 or 6 months) and its credit; Saryarka starts higher.
        let (status, doc) = app.get_json("/api/v1/credit/offers?amount=2000000").await;
        assert_eq!(status, StatusCode::OK);
        let terms: Vec<(String, u64)> = doc["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (format!("{}/{}", o["bank"]["code"].as_str().unwrap(), o["product"]["code"].as_str().unwrap()), o["term_months"].as_u64().unwrap()))
            .collect();
        assert!(terms.contains(&("alatau-demo/0-0-N".into(), 6)) && !terms.contains(&("alatau-demo/0-0-N".into(), 12)), "{terms:?}");
        assert!(terms.iter().all(|(p, _)| p.starts_with("alatau-demo/")), "{terms:?}");
    }
}

crate::backend_tests! {
    async fn the_product_page_the_cart_and_the_credit_page_show_the_offers(app: TestApp) {
        // A product whose lowest price takes every term of the demo banks.
        let (_, list) = app.get_json("/api/v1/products?per_page=100&city=750000000").await;
        let product = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["price_range"]["min"]["tiyn"].as_i64().is_some_and(|t| t >= 5_000_000))
            .expect("a demo product of 50 000 ₸ or more");
        let id = product["id"].as_i64().unwrap();
        let page = app.get(&format!("/products/{id}?lang=en&city=750000000")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("On credit or in installments"), "the product page has the calculator");
        assert!(page.body.contains("Installments 0-0-24") && page.body.contains("ГЭСВ"), "{}", page.body);
        let link = page.body.split("href=\"/credit?amount=").nth(1).and_then(|r| r.split('"').next()).expect("a link to the schedules");
        let amount: i64 = link.parse().unwrap();

        // The credit page: one schedule per offer the API lists for the same amount.
        let (_, api) = app.get_json(&format!("/api/v1/credit/offers?amount={amount}&lang=en")).await;
        let credit = app.get(&format!("/credit?amount={amount}&lang=en")).await;
        assert_eq!(credit.status, StatusCode::OK);
        assert_eq!(credit.body.matches("<details>").count(), api["data"].as_array().unwrap().len());
        assert!(credit.body.contains("Payment schedule") && credit.body.contains("46.0 %"), "the cap is named");
        let first = &api["data"][0];
        assert!(credit.body.contains(first["payments"][0]["total"]["formatted"].as_str().unwrap()));

        // Bad amounts on the page: a clear message, never an error page.
        let bad = app.get("/credit?tenge=abc&lang=en").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("whole tenge"), "{}", bad.body);
        let small = app.get("/credit?tenge=100&lang=en").await;
        assert_eq!(small.status, StatusCode::OK);
        assert!(small.body.contains("No bank product takes this amount"), "{}", small.body);
        let blank = app.get("/credit?lang=ru").await;
        assert_eq!(blank.status, StatusCode::OK);
        assert!(blank.body.contains("Кредит и рассрочка") && !blank.body.contains("role=\"alert\""));
        assert!(blank.body.contains("46,0 %"), "a decimal comma in Russian");

        // The cart shows the offers for its total.
        let offer = product_offer(&app, id).await;
        let mut guest = crate::accounts::Browser::new(&app);
        guest.get(&format!("/products/{id}?lang=en")).await;
        let csrf = guest.csrf();
        guest.post("/cart/add", &[("csrf", &csrf), ("offer", &offer.to_string()), ("quantity", "1")]).await;
        let cart = guest.get("/cart?lang=en").await;
        assert!(cart.body.contains("On credit or in installments"), "{}", cart.body);
        assert!(cart.body.contains("/credit?amount="));
    }
}

/// An offer of the product one can order in Almaty.
async fn product_offer(app: &crate::helpers::TestApp, product: i64) -> i64 {
    let (_, doc) = app.get_json(&format!("/api/v1/products/{product}?city=750000000")).await;
    doc["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["available"].as_bool() != Some(false))
        .and_then(|o| o["offer_id"].as_i64().or_else(|| o["id"].as_i64()))
        .unwrap_or_else(|| panic!("an offer: {doc}"))
}

crate::backend_tests! {
    async fn administrators_keep_the_banks_in_the_console(app: TestApp) {
        let mut buyer = crate::accounts::Browser::signed_in(&app, "+77051239876").await;
        assert_eq!(buyer.get("/console/banks").await.status, StatusCode::FORBIDDEN);
        let csrf = buyer.csrf();
        assert_eq!(buyer.post("/console/banks", &[("csrf", &csrf), ("bank", "{}")]).await.status, StatusCode::FORBIDDEN);

        let mut admin = crate::accounts::Browser::signed_in(&app, "+77010000009").await;
        let page = admin.get("/console/banks?lang=en").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Alatau Demo Bank") && page.body.contains("Saryarka Demo Bank"));
        assert!(!page.body.contains("alatau-demo-api-key") && !page.body.contains("webhook-secret-not-secret"), "secrets are never shown");
        let csrf = admin.csrf();

        // Bad JSON and bad settings: the page again, with the reason and the text kept.
        let reply = admin.post("/console/banks?lang=en", &[("csrf", &csrf), ("bank", "{not json")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body.contains("not a bank in JSON") && reply.body.contains("{not json"), "{}", reply.body);
        let new_bank = r#"{"code": "kaz-test", "name": "Test Bank", "api_base_url": "http://127.0.0.1:18399",
            "api_key": "", "webhook_secret": "", "products": []}"#;
        let reply = admin.post("/console/banks?lang=en", &[("csrf", &csrf), ("bank", new_bank)]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body.contains("a new bank needs its API"), "{}", reply.body);

        // A new bank with a product: saved, audited, and its offers in the calculator.
        let new_bank = r#"{"code": "kaz-test", "name": "Test Bank", "api_base_url": "http://127.0.0.1:18399",
            "api_key": "test-bank-api-key-0001", "webhook_secret": "test-bank-webhook-secret-0001",
            "products": [{"code": "0-0-4", "kind": "installments", "repayment": "annuity",
                          "min_amount": 100000, "max_amount": 100000000, "tiers": [{"from": 100000, "terms": [4]}]}]}"#;
        let reply = admin.post("/console/banks", &[("csrf", &csrf), ("bank", new_bank)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let (_, offers) = app.get_json("/api/v1/credit/offers?amount=500000").await;
        let data = offers["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "only the new bank takes 5 000 ₸: {offers}");
        assert_eq!((data[0]["bank"]["code"].as_str(), data[0]["term_months"].as_u64()), (Some("kaz-test"), Some(4)));
        let audit = admin.get("/console/audit?subject=bank:kaz-test&lang=en").await;
        assert!(audit.body.contains("bank.saved"), "audited");

        // Edited without secrets: the stored ones stay; the product left out is withdrawn.
        let edited = new_bank.replace("test-bank-api-key-0001", "").replace("test-bank-webhook-secret-0001", "").replace(r#""tiers": [{"from": 100000, "terms": [4]}]}]"#, r#""tiers": [{"from": 100000, "terms": [4]}]}], "active": false"#);
        let reply = admin.post("/console/banks", &[("csrf", &csrf), ("bank", &edited)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let key: String = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT api_key FROM banks WHERE code = 'kaz-test'").fetch_one(p).await.unwrap());
        assert_eq!(key, "test-bank-api-key-0001");
        let (status, _) = app.get_json("/api/v1/credit/offers?amount=500000").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an inactive bank offers nothing");
    }
}
