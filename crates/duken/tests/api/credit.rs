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
