//! Credit applications end to end (§3, §9.1-3): checkout on credit sends the application to
//! simulated banks (`duken::credit::bank_sim`, on their own ports), the buyer signs with the
//! bank's code through duken, the loan's issue approves the orders; and everything that goes
//! wrong — bad picks, forged and replayed webhooks, wrong codes, silent banks, rejection by
//! every bank, and 10 % faults of every kind over 1 000 applications — ends in one final state
//! with nothing lost.

use std::time::Duration;

use duken::credit::bank_sim::{SimConfig, router};
use duken::credit::protocol;
use duken_store::credit::{BankConfig, BanksFile};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::Browser;
use crate::helpers::{Reply, TestApp};
use crate::orders::{buyer, get, offers_in_stock, post};

const CODE: &str = "246810";
const GOOD_IIN: &str = "900101300007";
/// Valid too, and ends in 11: the simulator's "bad credit history".
const REJECTED_IIN: &str = "900101300811";

fn sim(code: &str) -> SimConfig {
    let demo = BanksFile::demo().unwrap().banks.into_iter().find(|b| b.code == code).unwrap();
    SimConfig {
        bank_code: demo.code,
        api_key: demo.api_key,
        webhook_secret: demo.webhook_secret,
        seed: 7,
        latency: Duration::from_millis(5),
        reject_over_tiyn: None,
        counter_over_tiyn: None,
        reject_iin_suffix: Some("11".into()),
        fault_rate: 0.0,
        hang: Duration::from_millis(300),
        webhook_fault_rate: 0.0,
        fixed_code: Some(CODE.into()),
    }
}

/// Starts a simulated bank and points the shop's bank of that code at it.
async fn start_bank(app: &TestApp, config: SimConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let code = config.bank_code.clone();
    tokio::spawn(async move { axum::serve(listener, router(config)).await });
    point_bank(app, &code, &url).await;
    url
}

async fn point_bank(app: &TestApp, code: &str, url: &str) {
    let mut bank: BankConfig = BanksFile::demo().unwrap().banks.into_iter().find(|b| b.code == code).unwrap();
    bank.api_base_url = url.to_owned();
    app.store.save_bank(&bank, "test", "").await.unwrap();
}

async fn set_policy(app: &TestApp, policy: duken_core::credit_application::RoutingPolicy) {
    let routing = duken_store::credit_applications::Routing { policy, preferred_bank_id: None };
    app.store.set_credit_routing(routing, "test", "").await.unwrap();
}

/// An offer in stock in Almaty priced within every demo product's range (50 000 ₸), with
/// plenty of units: (offer, seller, store, price).
async fn credit_offer(app: &TestApp) -> (i64, i64, i64, i64) {
    let (offer, seller, store, _, _) = offers_in_stock(app).await[0];
    let price = 5_000_000;
    duken_store::on_pool!(app.store.pool(), |p| {
        sqlx::query("UPDATE offer_prices SET price_tiyn = $1 WHERE offer_id = $2")
            .bind(price)
            .bind(offer)
            .execute(p)
            .await
            .unwrap();
        sqlx::query("UPDATE offer_stocks SET quantity = 100000 WHERE offer_id = $1 AND store_id = $2")
            .bind(offer)
            .bind(store)
            .execute(p)
            .await
            .unwrap();
    });
    (offer, seller, store, price)
}

/// The demo product of `bank` of `kind` (installments or credit) and a term it offers.
async fn product(app: &TestApp, amount: i64, bank: &str, kind: &str) -> (i64, i64) {
    product_for(app, amount, bank, kind, None).await
}

async fn product_for(app: &TestApp, amount: i64, bank: &str, kind: &str, term: Option<i64>) -> (i64, i64) {
    let (status, offers) = app.get_json(&format!("/api/v1/credit/offers?amount={amount}")).await;
    assert_eq!(status, StatusCode::OK, "{offers}");
    let o = offers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["bank"]["code"] == bank && o["product"]["kind"] == kind && term.is_none_or(|t| o["term_months"] == t)
        })
        .unwrap_or_else(|| panic!("{bank} offers {kind} for {amount}: {offers}"));
    (o["product"]["id"].as_i64().unwrap(), o["term_months"].as_i64().unwrap())
}

fn checkout_body(
    key: &str,
    (offer, seller, store, price): (i64, i64, i64, i64),
    product: i64,
    term: i64,
    iin: &str,
) -> Value {
    json!({
        "idempotency_key": key, "payment_mode": "PAY_WITH_CREDIT", "consent_to_sellers": true,
        "credit_product": product, "credit_term": term, "iin": iin, "consent_to_bank": true,
        "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store}},
        "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
    })
}

/// Waits until the request satisfies `done` (the background jobs and the banks move it).
async fn wait_for(app: &TestApp, token: &str, id: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..400 {
        last = get(app, &format!("/api/v1/credit/requests/{id}"), token).await.json();
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited for {what}: {last:#}");
}

fn app_state(doc: &Value, i: usize) -> &str {
    doc["applications"][i]["state"].as_str().unwrap_or("")
}

/// Repeats a buyer's step while the bank is (on purpose) unavailable.
async fn step(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    for _ in 0..50 {
        let r = post(app, path, token, body.clone()).await;
        if r.status != StatusCode::SERVICE_UNAVAILABLE {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the bank stayed unavailable for {path}");
}

fn signed_webhook(secret: &str, body: &Value, ts: i64, nonce: &str) -> (Vec<u8>, Vec<(&'static str, String)>) {
    let bytes = serde_json::to_vec(body).unwrap();
    let sig = protocol::sign(secret, ts, nonce, &bytes);
    (
        bytes,
        vec![(protocol::TIMESTAMP, ts.to_string()), (protocol::NONCE, nonce.to_owned()), (protocol::SIGNATURE, sig)],
    )
}

async fn send_webhook(app: &TestApp, bank: &str, bytes: &[u8], headers: &[(&'static str, String)]) -> Reply {
    let mut req =
        app.client.post(app.url(&format!("/banks/{bank}/webhook"))).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    app.send(req.body(bytes.to_vec())).await
}

crate::backend_tests! {
    async fn installments_are_applied_for_signed_through_duken_and_approve_the_orders(app: TestApp) {
        start_bank(&app, sim("alatau-demo")).await;
        start_bank(&app, sim("saryarka-demo")).await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770001").await;
        let (installments, term) = product(&app, line.3, "alatau-demo", "installments").await;

        // Bad picks are refused whole, naming the field, and place nothing.
        let bad = [
            ("iin", checkout_body("bad-iin", line, installments, term, "900101300008")),
            ("credit_term", checkout_body("bad-term", line, installments, 7, GOOD_IIN)),
            ("credit_product", checkout_body("bad-product", line, 999_999, term, GOOD_IIN)),
            ("consent_to_bank", { let mut b = checkout_body("no-consent", line, installments, term, GOOD_IIN); b["consent_to_bank"] = json!(false); b }),
        ];
        // 101 × 50 000 ₸ is over every product's maximum.
        let mut too_much = checkout_body("too-much", line, installments, term, GOOD_IIN);
        too_much["lines"][0]["quantity"] = json!(101);
        let refused = post(&app, "/api/v1/checkout?lang=en", &token, too_much).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(refused.body.contains("No bank product takes this amount"), "{}", refused.body);
        for (field, body) in bad {
            let r = post(&app, "/api/v1/checkout?lang=en", &token, body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
            assert_eq!(r.json()["errors"][0]["source"]["parameter"], field, "{}", r.body);
        }
        assert!(get(&app, "/api/v1/orders", &token).await.json()["data"].as_array().unwrap().is_empty(), "nothing placed");

        // 0-0-N at Alatau: the application goes to that bank alone (the default policy).
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("k1", line, installments, term, GOOD_IIN)).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let order = placed.json()["orders"][0]["code"].as_str().unwrap().to_owned();
        let again = post(&app, "/api/v1/checkout", &token, checkout_body("k1", line, installments, term, GOOD_IIN)).await;
        assert_eq!(again.json()["credit_request"]["id"], json!(id), "a double submit is one application");
        let doc = wait_for(&app, &token, id, "the approval", |d| app_state(d, 0) == "approved").await;
        assert_eq!(doc["applications"].as_array().unwrap().len(), 1);
        assert_eq!(doc["iin"], "9001••••••07", "the IIN is shown masked");
        // The schedule and the ГЭСВ are there before signing: 0-0-N costs nothing.
        assert_eq!(doc["schedule"]["effective_rate_percent"], "0.0");
        assert_eq!(doc["schedule"]["payments"].as_array().unwrap().len() as i64, term);
        assert_eq!(get(&app, &format!("/api/v1/orders/{order}"), &token).await.json()["state"], "SIGN_REQUIRED");

        // Another buyer sees none of it.
        let stranger = buyer(&app, "+77057770002").await;
        assert_eq!(get(&app, &format!("/api/v1/credit/requests/{id}"), &stranger).await.status, StatusCode::NOT_FOUND);

        // Signing: the bank texts a code; a wrong one is counted, the right one signs.
        let app_id = doc["applications"][0]["id"].as_i64().unwrap();
        let base = format!("/api/v1/credit/requests/{id}/applications/{app_id}");
        assert_eq!(post(&app, &format!("{base}/sign"), &token, json!({"code": "abc"})).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(step(&app, &format!("{base}/signing-code"), &token, json!({})).await.status, StatusCode::ACCEPTED);
        let wrong = step(&app, &format!("{base}/sign"), &token, json!({"code": "111111"})).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
        assert_eq!(wrong.json()["tries_left"], 4);
        let signed = step(&app, &format!("{base}/sign"), &token, json!({"code": CODE})).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);

        // The bank pays out: the order is APPROVED_BY_BANK, the seller sees it.
        let doc = wait_for(&app, &token, id, "the loan", |d| d["state"] == "issued").await;
        assert_eq!(app_state(&doc, 0), "issued");
        let o = get(&app, &format!("/api/v1/orders/{order}"), &token).await.json();
        assert_eq!((o["state"].as_str(), o["status"].as_str()), (Some("NEW"), Some("APPROVED_BY_BANK")), "{o}");
        let events: Vec<&str> = doc["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["create", "send", "approve", "sign", "issue"], "every step audited once");
        // The disclosure to the bank is logged (§9.1).
        let disclosures = app.store.disclosures(placed_buyer(&app, &order).await).await.unwrap();
        assert!(disclosures.iter().any(|d| d.recipient == "bank" && d.outcome == "allowed"), "{disclosures:?}");

        // The page shows it, in Russian, and the list links it.
        let page = app.send(app.client.get(app.url(&format!("/credit/requests/{id}?lang=ru"))).bearer_auth(&token)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Кредит выдан") && page.body.contains("ГЭСВ"), "{}", page.body);

        // The buyer withdraws the order before the seller took it: the bank is told to cancel
        // the loan, through the durable queue.
        let cancel = post(&app, &format!("/api/v1/orders/{order}/cancel"), &token, json!({})).await;
        assert!(cancel.status.is_success(), "{}", cancel.body);
        let mut calls = Vec::new();
        for _ in 0..100 {
            calls = bank_calls(&app, app_id).await;
            if calls.iter().any(|(kind, done)| kind == "cancel" && *done) { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(calls.iter().any(|(kind, done)| kind == "cancel" && *done), "{calls:?}");
    }

    async fn a_buyer_pays_on_credit_through_the_pages_and_the_seller_sees_the_approval(app: TestApp) {
        start_bank(&app, sim("alatau-demo")).await;
        start_bank(&app, sim("saryarka-demo")).await;
        let line = credit_offer(&app).await;
        let (offer, seller, store, price) = line;
        let (credit, term) = product(&app, price, "saryarka-demo", "credit").await;
        let mut b = Browser::signed_in(&app, "+77057770010").await;
        let csrf = b.csrf();
        let offer_s = offer.to_string();
        assert_eq!(b.post("/cart/add", &[("csrf", &csrf), ("offer", offer_s.as_str()), ("quantity", "1")]).await.status, StatusCode::SEE_OTHER);
        let cart = b.get("/cart?lang=en").await;
        let choice = format!("{credit}:{term}");
        assert!(cart.body.contains("PAY_WITH_CREDIT") && cart.body.contains(&choice), "the checkout offers credit: {}", cart.body);
        let key = cart.body.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let (line_k, price_k, delivery_k) = (format!("line_{offer}"), format!("price_{offer}"), format!("delivery_{seller}"));
        let (price_v, pickup) = (price.to_string(), format!("pickup:{store}"));
        let mut form = vec![
            ("csrf", csrf.as_str()), ("idempotency_key", key.as_str()), (line_k.as_str(), "1"), (price_k.as_str(), price_v.as_str()),
            (delivery_k.as_str(), pickup.as_str()), ("consent", "on"), ("payment", "PAY_WITH_CREDIT"),
            ("credit_offer", choice.as_str()), ("iin", "900101300008"), ("consent_bank", "on"),
        ];
        let bad_iin = b.post("/checkout?lang=en", &form).await;
        assert_eq!(bad_iin.status, StatusCode::CONFLICT, "the cart again, with the problem");
        assert!(bad_iin.body.contains("This IIN is not valid"), "{}", bad_iin.body);
        form[8] = ("iin", GOOD_IIN);
        let placed = b.post("/checkout?lang=en", &form).await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
        let page = placed.header("location");
        assert!(page.starts_with("/credit/requests/"), "{page}");
        let id = page.trim_start_matches("/credit/requests/").to_owned();
        let mut body = String::new();
        // Waits for the signing form, not only the words: the timeline says "Approved: sign it"
        // for an approval event too, which may come before the application is signable.
        for _ in 0..200 {
            body = b.get(&format!("{page}?lang=en")).await.body;
            if body.contains("name=\"application\" value=\"") { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(body.contains("name=\"application\" value=\""), "no signing form: {body}");
        assert!(body.contains("Approved: sign it") && body.contains("ГЭСВ") && body.contains("Payment schedule"), "{body}");
        assert!(!body.contains("900101300007"), "the IIN is never shown whole");
        let app_id = body.split("name=\"application\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let code_page = b.post(&format!("/credit/requests/{id}/code?lang=en"), &[("csrf", csrf.as_str()), ("application", app_id.as_str())]).await;
        assert_eq!(code_page.status, StatusCode::OK, "{}", code_page.body);
        assert!(code_page.body.contains("one-time code") && code_page.body.contains("name=\"code\""), "{}", code_page.body);
        let wrong = b.post(&format!("/credit/requests/{id}/sign?lang=en"), &[("csrf", csrf.as_str()), ("application", app_id.as_str()), ("code", "999999")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("Tries left: 4"), "{}", wrong.body);
        let signed = b.post(&format!("/credit/requests/{id}/sign?lang=en"), &[("csrf", csrf.as_str()), ("application", app_id.as_str()), ("code", CODE)]).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        for _ in 0..200 {
            body = b.get(&format!("{page}?lang=en")).await.body;
            if body.contains("Loan issued") { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(body.contains("Loan issued"), "{body}");

        // The seller sees the order APPROVED_BY_BANK through the Kaspi-compatible API.
        let token = duken::sellers::cabinet::issue_seller_token(&app.store, seller, "1C", "test", "").await.unwrap();
        let listed = app.send(app.client.get(app.url("/shop/api/v2/orders?filter[orders][state]=NEW&filter[orders][signatureRequired]=true"))
            .header("X-Auth-Token", &token)).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let doc = listed.json();
        let statuses: Vec<&str> = doc["data"].as_array().unwrap().iter().map(|o| o["attributes"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["APPROVED_BY_BANK"], "{}", listed.body);

        // A bank's staff see their bank's applications only (the demo employee is Alatau's,
        // and this one went to Saryarka); a buyer may not look.
        let mut staff = Browser::signed_in(&app, duken::accounts::DEMO_BANK_STAFF).await;
        let own = staff.get("/bank/applications?lang=en").await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("Alatau Demo Bank") && own.body.contains("Applications: 0"), "{}", own.body);
        assert_ne!(b.get("/bank/applications").await.status, StatusCode::OK);
        let mut operator = Browser::signed_in(&app, duken::accounts::DEMO_OPERATOR).await;
        let console = operator.get("/console/credit?lang=en&state=issued").await;
        assert_eq!(console.status, StatusCode::OK);
        assert!(console.body.contains("Saryarka Demo Bank") && console.body.contains("Applications: 1"), "{}", console.body);
        assert_eq!(operator.get("/console/credit?state=nonsense").await.status, StatusCode::BAD_REQUEST);
        let op_csrf = operator.csrf();
        let routed = operator.post("/console/credit/routing", &[("csrf", op_csrf.as_str()), ("policy", "buyer_chooses"), ("preferred_bank", "")]).await;
        assert_eq!(routed.status, StatusCode::SEE_OTHER);
        assert_eq!(app.store.credit_routing().await.unwrap().policy, duken_core::credit_application::RoutingPolicy::BuyerChooses);
    }

    async fn forged_replayed_and_unknown_webhooks_change_nothing(app: TestApp) {
        // The bank's address answers nothing: the application stays as duken leaves it.
        point_bank(&app, "alatau-demo", "http://127.0.0.1:9").await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770003").await;
        let (credit, term) = product(&app, line.3, "alatau-demo", "credit").await;
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("w1", line, credit, term, GOOD_IIN)).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let doc = get(&app, &format!("/api/v1/credit/requests/{id}"), &token).await.json();
        let app_id = doc["applications"][0]["id"].as_i64().unwrap();
        // As if the bank had acknowledged it.
        app.store
            .apply_application_event(app_id, duken_core::credit_application::ApplicationEvent::Send, "test", "",
                duken_store::credit_applications::BankFacts { bank_ref: Some("ALT-1"), counter: None })
            .await
            .unwrap();
        let secret = BanksFile::demo().unwrap().banks.into_iter().find(|b| b.code == "alatau-demo").unwrap().webhook_secret;
        let approve = |event_id: &str| json!({"event_id": event_id, "application_id": app_id.to_string(), "bank_ref": "ALT-1",
            "event": "approve", "at": chrono::Utc::now().timestamp()});
        let now = chrono::Utc::now().timestamp();

        // Forged (another secret), stale, and without headers: 401.
        let (bytes, headers) = signed_webhook("not-the-bank-secret-000", &approve("e1"), now, &protocol::nonce());
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.status, StatusCode::UNAUTHORIZED);
        let (bytes, headers) = signed_webhook(&secret, &approve("e1"), now - 600, &protocol::nonce());
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &[]).await.status, StatusCode::UNAUTHORIZED);
        // A body changed after signing.
        let (_, headers) = signed_webhook(&secret, &approve("e1"), now, &protocol::nonce());
        let tampered = serde_json::to_vec(&json!({"event_id": "e1", "application_id": app_id.to_string(), "bank_ref": "ALT-1", "event": "issue", "at": now})).unwrap();
        assert_eq!(send_webhook(&app, "alatau-demo", &tampered, &headers).await.status, StatusCode::UNAUTHORIZED);
        // An unknown bank, and an application of no such id.
        assert_eq!(send_webhook(&app, "no-such-bank", &bytes, &headers).await.status, StatusCode::NOT_FOUND);
        let (bytes, headers) = signed_webhook(&secret, &json!({"event_id": "e0", "application_id": "999999", "bank_ref": "x", "event": "approve", "at": now}), now, &protocol::nonce());
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.status, StatusCode::NOT_FOUND);
        let doc = get(&app, &format!("/api/v1/credit/requests/{id}"), &token).await.json();
        assert_eq!(app_state(&doc, 0), "sent", "nothing changed: {doc}");

        // The real one applies; the same message again is a replay (401); the same event
        // under a new nonce is a duplicate; a second approval is ignored.
        let nonce = protocol::nonce();
        let (bytes, headers) = signed_webhook(&secret, &approve("e1"), now, &nonce);
        let ok = send_webhook(&app, "alatau-demo", &bytes, &headers).await;
        assert_eq!((ok.status, ok.json()["status"].clone()), (StatusCode::OK, json!("applied")), "{}", ok.body);
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.status, StatusCode::UNAUTHORIZED);
        let (bytes, headers) = signed_webhook(&secret, &approve("e1"), now, &protocol::nonce());
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.json()["status"], "duplicate");
        let (bytes, headers) = signed_webhook(&secret, &approve("e2"), now, &protocol::nonce());
        assert_eq!(send_webhook(&app, "alatau-demo", &bytes, &headers).await.json()["status"], "ignored");
        let doc = get(&app, &format!("/api/v1/credit/requests/{id}"), &token).await.json();
        assert_eq!(app_state(&doc, 0), "approved");
        let approvals = doc["events"].as_array().unwrap().iter().filter(|e| e["event"] == "approve").count();
        assert_eq!(approvals, 1, "one approval recorded: {doc}");
    }

    async fn five_wrong_codes_lock_the_application_and_the_cart_comes_back(app: TestApp) {
        start_bank(&app, sim("alatau-demo")).await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770004").await;
        let (credit, term) = product(&app, line.3, "alatau-demo", "credit").await;
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("l1", line, credit, term, GOOD_IIN)).await;
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        assert_eq!(get(&app, "/api/v1/cart", &token).await.json()["items"], json!([]), "checked out");
        let doc = wait_for(&app, &token, id, "the approval", |d| app_state(d, 0) == "approved").await;
        // A loan on credit shows its cost before signing: the ГЭСВ is above zero.
        assert_ne!(doc["schedule"]["effective_rate_percent"], "0.0");
        let base = format!("/api/v1/credit/requests/{id}/applications/{}", doc["applications"][0]["id"]);
        assert_eq!(step(&app, &format!("{base}/signing-code"), &token, json!({})).await.status, StatusCode::ACCEPTED);
        for left in (1..=4).rev() {
            let r = step(&app, &format!("{base}/sign"), &token, json!({"code": "000000"})).await;
            assert_eq!((r.status, r.json()["tries_left"].as_i64()), (StatusCode::UNPROCESSABLE_ENTITY, Some(left)), "{}", r.body);
        }
        let locked = step(&app, &format!("{base}/sign"), &token, json!({"code": "000000"})).await;
        assert_eq!(locked.status, StatusCode::LOCKED, "{}", locked.body);
        let doc = get(&app, &format!("/api/v1/credit/requests/{id}"), &token).await.json();
        assert_eq!((doc["state"].as_str(), app_state(&doc, 0)), (Some("failed"), "cancelled"), "{doc}");
        // The right code now is too late.
        assert_eq!(post(&app, &format!("{base}/sign"), &token, json!({"code": CODE})).await.status, StatusCode::CONFLICT);
        let o = get(&app, &format!("/api/v1/orders/{}", doc["orders"][0]["code"].as_str().unwrap()), &token).await.json();
        assert_eq!((o["status"].as_str(), o["cancellation_reason"].as_str()), (Some("CANCELLED"), Some("RFO_REJECTED")), "{o}");
        let cart = get(&app, "/api/v1/cart", &token).await.json();
        assert_eq!(cart["items"][0]["offer_id"], json!(line.0), "the cart is back for another payment mode: {cart}");
    }

    async fn a_bank_that_never_answers_expires_the_application_and_the_buyer_is_told(app: TestApp) {
        point_bank(&app, "alatau-demo", "http://127.0.0.1:9").await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770005").await;
        let (credit, term) = product(&app, line.3, "alatau-demo", "credit").await;
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("x1", line, credit, term, GOOD_IIN)).await;
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        // The send is retried with back-off meanwhile.
        let mut attempts = 0;
        for _ in 0..100 {
            attempts = send_attempts(&app, id).await;
            if attempts >= 2 { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(attempts >= 2, "retried: {attempts}");
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE credit_requests SET expires_at = $1 WHERE id = $2")
            .bind(chrono::Utc::now() - chrono::Duration::seconds(1)).bind(id).execute(p).await.map(|_| ()).unwrap());
        let doc = wait_for(&app, &token, id, "the expiry", |d| d["state"] == "failed").await;
        assert_eq!(app_state(&doc, 0), "expired");
        let code = doc["orders"][0]["code"].as_str().unwrap().to_owned();
        let o = get(&app, &format!("/api/v1/orders/{code}"), &token).await.json();
        assert_eq!(o["cancellation_reason"], "TIMEOUT_BUYER_SIGNATURE", "{o}");
        // Told: the order's notification, and the page says so.
        let mut told = false;
        for _ in 0..100 {
            let notes = get(&app, "/api/v1/notifications", &token).await.json();
            told = notes["data"].as_array().unwrap().iter().any(|n| n["order"] == json!(code) && n["kind"] == "expired");
            if told { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(told, "the buyer is told");
        let page = app.send(app.client.get(app.url(&format!("/credit/requests/{id}?lang=en"))).bearer_auth(&token)).await;
        assert!(page.body.contains("Expired") && page.body.contains("back in your cart"), "{}", page.body);
        // Nothing more goes to the bank for it: the send is given up (after at most the try
        // already under way).
        for _ in 0..100 {
            if bank_calls(&app, doc["applications"][0]["id"].as_i64().unwrap()).await.iter().all(|c| c.1) { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = send_attempts(&app, id).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(send_attempts(&app, id).await, before, "the send stopped once the application closed");
    }

    async fn rejected_by_every_bank_in_parallel_the_cart_pays_another_way(app: TestApp) {
        start_bank(&app, sim("alatau-demo")).await;
        start_bank(&app, sim("saryarka-demo")).await;
        set_policy(&app, duken_core::credit_application::RoutingPolicy::Parallel).await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770006").await;
        let (installments, term) = product_for(&app, line.3, "saryarka-demo", "installments", Some(12)).await;
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("r1", line, installments, term, REJECTED_IIN)).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let doc = wait_for(&app, &token, id, "both answers", |d| d["state"] == "failed").await;
        let banks: Vec<(&str, &str)> = doc["applications"].as_array().unwrap().iter()
            .map(|a| (a["bank"]["code"].as_str().unwrap(), a["state"].as_str().unwrap())).collect();
        assert_eq!(banks.len(), 2, "sent to both banks at once: {doc}");
        assert!(banks.iter().all(|(_, s)| *s == "rejected"), "{banks:?}");
        // The cart is back: pay now instead.
        let cart = get(&app, "/api/v1/cart", &token).await.json();
        assert_eq!(cart["items"][0]["quantity"], 1, "{cart}");
        let mut prepaid = checkout_body("r2", line, installments, term, GOOD_IIN);
        prepaid["payment_mode"] = json!("PREPAID");
        assert_eq!(post(&app, "/api/v1/checkout", &token, prepaid).await.status, StatusCode::CREATED);

        // With a good IIN, both approve and the first approval wins: the other is withdrawn.
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("r3", line, installments, term, GOOD_IIN)).await;
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let doc = wait_for(&app, &token, id, "one approval", |d| {
            let states: Vec<&str> = d["applications"].as_array().unwrap().iter().map(|a| a["state"].as_str().unwrap()).collect();
            states.contains(&"approved") && states.contains(&"cancelled")
        }).await;
        assert_eq!(doc["state"], "open");
    }

    async fn the_buyer_chooses_among_approvals_and_answers_a_counter_offer(app: TestApp) {
        // Alatau counters anything over 20 000 ₸ with 20 000 ₸; Saryarka approves.
        let mut alatau = sim("alatau-demo");
        alatau.counter_over_tiyn = Some(2_000_000);
        start_bank(&app, alatau).await;
        start_bank(&app, sim("saryarka-demo")).await;
        set_policy(&app, duken_core::credit_application::RoutingPolicy::BuyerChooses).await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770008").await;
        let (installments, term) = product_for(&app, line.3, "alatau-demo", "installments", Some(12)).await;
        let placed = post(&app, "/api/v1/checkout", &token, checkout_body("c1", line, installments, term, GOOD_IIN)).await;
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let doc = wait_for(&app, &token, id, "both answers", |d| {
            let states: Vec<&str> = d["applications"].as_array().unwrap().iter().map(|a| a["state"].as_str().unwrap()).collect();
            states.contains(&"counter_offer") && states.contains(&"approved")
        }).await;
        let by_state = |s: &str| doc["applications"].as_array().unwrap().iter().find(|a| a["state"] == s).unwrap().clone();
        let (countered, approved) = (by_state("counter_offer"), by_state("approved"));
        assert_eq!(countered["counter_offer"]["amount"]["tiyn"], 2_000_000, "{doc}");
        // 20 000 ₸ does not cover a 50 000 ₸ order: it cannot be taken, only declined.
        let counter = format!("/api/v1/credit/requests/{id}/applications/{}/counter-offer", countered["id"]);
        let refused = post(&app, &format!("{counter}?lang=en"), &token, json!({"accept": true})).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert!(refused.body.contains("does not cover the orders"), "{}", refused.body);
        assert_eq!(post(&app, &counter, &token, json!({"accept": false})).await.status, StatusCode::OK);
        // Asking the approving bank for its code is the buyer's choice; the request stays open.
        let base = format!("/api/v1/credit/requests/{id}/applications/{}", approved["id"]);
        assert_eq!(step(&app, &format!("{base}/signing-code"), &token, json!({})).await.status, StatusCode::ACCEPTED);
        assert_eq!(step(&app, &format!("{base}/sign"), &token, json!({"code": CODE})).await.status, StatusCode::OK);
        let doc = wait_for(&app, &token, id, "the loan", |d| d["state"] == "issued").await;
        let states: Vec<(&str, &str)> = doc["applications"].as_array().unwrap().iter()
            .map(|a| (a["bank"]["code"].as_str().unwrap(), a["state"].as_str().unwrap())).collect();
        assert_eq!(states, [("alatau-demo", "cancelled"), ("saryarka-demo", "issued")], "{doc}");
    }

    async fn an_order_cancelled_before_the_payout_goes_back_to_the_bank(app: TestApp) {
        let bank = start_bank(&app, sim("alatau-demo")).await;
        let stock = offers_in_stock(&app).await;
        let first = stock[0];
        let second = *stock.iter().find(|o| o.1 != first.1).expect("offers of two sellers");
        for o in [first, second] {
            duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE offer_prices SET price_tiyn = 5000000 WHERE offer_id = $1")
                .bind(o.0).execute(p).await.map(|_| ()).unwrap());
        }
        let token = buyer(&app, "+77057770009").await;
        let (credit, term) = product(&app, 10_000_000, "alatau-demo", "credit").await;
        let mut body = checkout_body("p1", (first.0, first.1, first.2, 5_000_000), credit, term, GOOD_IIN);
        body["lines"] = json!([{"offer_id": first.0, "quantity": 1, "price_tiyn": 5_000_000}, {"offer_id": second.0, "quantity": 1, "price_tiyn": 5_000_000}]);
        body["delivery"][second.1.to_string()] = json!({"mode": "DELIVERY_PICKUP", "pickup_store_id": second.2});
        let placed = post(&app, "/api/v1/checkout", &token, body).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let orders: Vec<String> = placed.json()["orders"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap().to_owned()).collect();
        assert_eq!(orders.len(), 2, "one order per seller, one loan for both");
        let id = placed.json()["credit_request"]["id"].as_i64().unwrap();
        let doc = wait_for(&app, &token, id, "the approval", |d| app_state(d, 0) == "approved").await;
        assert_eq!(doc["amount"]["tiyn"], 10_000_000);
        // One order withdrawn before signing: the loan still goes ahead for the other.
        assert!(post(&app, &format!("/api/v1/orders/{}/cancel", orders[1]), &token, json!({})).await.status.is_success());
        let app_id = doc["applications"][0]["id"].as_i64().unwrap();
        let base = format!("/api/v1/credit/requests/{id}/applications/{app_id}");
        assert_eq!(step(&app, &format!("{base}/signing-code"), &token, json!({})).await.status, StatusCode::ACCEPTED);
        assert_eq!(step(&app, &format!("{base}/sign"), &token, json!({"code": CODE})).await.status, StatusCode::OK);
        wait_for(&app, &token, id, "the loan", |d| d["state"] == "issued").await;
        assert_eq!(get(&app, &format!("/api/v1/orders/{}", orders[0]), &token).await.json()["status"], "APPROVED_BY_BANK");
        // The cancelled order's 50 000 ₸ are returned to the bank, through the queue.
        let mut returned = Vec::new();
        for _ in 0..100 {
            returned = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as::<_, (String, Option<i64>, bool)>(
                "SELECT kind, amount_tiyn, done_at IS NOT NULL FROM credit_bank_calls WHERE application_id = $1 AND kind <> 'send'")
                .bind(app_id).fetch_all(p).await.unwrap());
            if returned.iter().all(|r| r.2) && !returned.is_empty() { break; }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(returned, [("return".to_owned(), Some(5_000_000), true)]);
        let at_bank: Value = app.client.get(format!("{bank}/dev/applications")).send().await.unwrap().json().await.unwrap();
        assert_eq!(at_bank["by_state"]["issued"], 1, "a partial return leaves the loan issued: {at_bank}");
    }

    /// Resilience: 1 000 applications through two simulated banks that fail a tenth of their
    /// requests (503 or no answer) and drop, duplicate or delay a tenth of their webhooks: every
    /// application reaches one final state, once, and duken agrees with the banks.
    async fn a_thousand_applications_through_faulty_banks_all_end_once(app: TestApp) {
        let mut a = sim("alatau-demo");
        let mut s = sim("saryarka-demo");
        for c in [&mut a, &mut s] {
            c.fault_rate = 0.1;
            c.webhook_fault_rate = 0.1;
        }
        let alatau = start_bank(&app, a).await;
        let saryarka = start_bank(&app, s).await;
        set_policy(&app, duken_core::credit_application::RoutingPolicy::Parallel).await;
        let line = credit_offer(&app).await;
        let token = buyer(&app, "+77057770007").await;
        // 0-0-12: both banks offer it, so each application goes to both.
        let (installments, term) = product_for(&app, line.3, "alatau-demo", "installments", Some(12)).await;
        const N: usize = 1000;
        let ids: Vec<i64> = futures_util::future::join_all((0..16).map(|worker| {
            let (app, token) = (&app, &token);
            async move {
                let mut ids = Vec::new();
                for i in (worker..N).step_by(16) {
                    let iin = if i % 5 == 0 { REJECTED_IIN } else { GOOD_IIN };
                    let r = post(app, "/api/v1/checkout", token, checkout_body(&format!("z{i}"), line, installments, term, iin)).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                    ids.push(r.json()["credit_request"]["id"].as_i64().unwrap());
                }
                ids
            }
        })).await.into_iter().flatten().collect();
        assert_eq!(ids.len(), N);

        // The buyer signs every approval (the winner of each pair), retrying through the
        // banks' faults, until every request is over.
        let deadline = std::time::Instant::now() + Duration::from_secs(240);
        loop {
            let open: Vec<(i64, i64, String)> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
                "SELECT r.id, a.id, a.state FROM credit_requests r JOIN credit_applications a ON a.request_id = r.id
                 WHERE r.state = 'open' ORDER BY r.id").fetch_all(p).await.unwrap());
            if open.is_empty() { break; }
            assert!(std::time::Instant::now() < deadline, "still open: {:?}", &open[..open.len().min(10)]);
            let approved: Vec<&(i64, i64, String)> = open.iter().filter(|o| o.2 == "approved").collect();
            futures_util::future::join_all(approved.chunks(approved.len().div_ceil(16).max(1)).map(|chunk| {
                let (app, token) = (&app, &token);
                async move {
                    for (req, a, _) in chunk {
                        let base = format!("/api/v1/credit/requests/{req}/applications/{a}");
                        if post(app, &format!("{base}/signing-code"), token, json!({})).await.status == StatusCode::ACCEPTED {
                            post(app, &format!("{base}/sign"), token, json!({"code": CODE})).await;
                        }
                    }
                }
            })).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        // Every application is final, with exactly one final event.
        let rows: Vec<(i64, String, i64)> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT a.id, a.state, (SELECT COUNT(*) FROM credit_application_events e WHERE e.application_id = a.id
                 AND e.to_state IN ('issued', 'rejected', 'cancelled', 'expired') AND e.from_state <> e.to_state)
             FROM credit_applications a").fetch_all(p).await.unwrap());
        assert_eq!(rows.len(), 2 * N, "each request went to both banks, once");
        for (id, state, finals) in &rows {
            assert!(["issued", "rejected", "cancelled", "expired"].contains(&state.as_str()), "application {id} is {state}");
            assert_eq!(*finals, 1, "application {id} reached its final state once");
        }
        let issued = rows.iter().filter(|r| r.1 == "issued").count();
        let requests: Vec<(String, i64)> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT state, COUNT(*) FROM credit_requests GROUP BY state ORDER BY state").fetch_all(p).await.unwrap());
        let count = |s: &str| requests.iter().find(|r| r.0 == s).map_or(0, |r| r.1);
        assert_eq!(count("issued") as usize, issued, "one loan per issued request: {requests:?}");
        assert_eq!(count("issued") + count("failed"), N as i64, "{requests:?}");
        assert_eq!(count("failed") as usize, N / 5, "the rejected IINs, and no others: {requests:?}");
        let approved_orders: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE status = 'APPROVED_BY_BANK'").fetch_one(p).await.unwrap());
        assert_eq!(approved_orders as usize, issued);

        // The faults did happen: calls were retried and lost webhooks were found by polling.
        let (retried, polled): (i64, i64) = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM credit_bank_calls WHERE attempts > 1),
                    (SELECT COUNT(*) FROM credit_applications WHERE polled_at IS NOT NULL)").fetch_one(p).await.unwrap());
        assert!(retried > 20 && polled > 5, "faults exercised: {retried} retried calls, {polled} polled applications");

        // The banks agree: each holds each application once, and the loans they issued are
        // exactly duken's (a withdrawn approval is cancelled at the bank, in time).
        let mut bank_issued = 0;
        for url in [&alatau, &saryarka] {
            let mut summary = Value::Null;
            for _ in 0..100 {
                summary = app.client.get(format!("{url}/dev/applications")).send().await.unwrap().json().await.unwrap();
                let pending = summary["by_state"]["approved"].as_u64().unwrap_or(0) + summary["by_state"]["counter_offer"].as_u64().unwrap_or(0);
                if pending == 0 { break; }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(summary["total"].as_u64().unwrap() <= N as u64, "{summary}");
            assert_eq!(summary["by_state"]["approved"].as_u64().unwrap_or(0), 0, "approvals left open at the bank: {summary}");
            bank_issued += summary["by_state"]["issued"].as_u64().unwrap_or(0);
        }
        assert_eq!(bank_issued as usize, issued, "the banks issued what duken recorded");
    }
}

async fn placed_buyer(app: &TestApp, order: &str) -> i64 {
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT buyer_id FROM orders WHERE code = $1")
        .bind(order)
        .fetch_one(p)
        .await
        .unwrap())
}

/// (kind, done) of each call to the bank about an application.
async fn bank_calls(app: &TestApp, application: i64) -> Vec<(String, bool)> {
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
        "SELECT kind, done_at IS NOT NULL FROM credit_bank_calls WHERE application_id = $1 ORDER BY id"
    )
    .bind(application)
    .fetch_all(p)
    .await
    .unwrap())
}

async fn send_attempts(app: &TestApp, request: i64) -> i64 {
    duken_store::on_pool!(app.store.pool(), |p| {
        sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(c.attempts), 0) AS BIGINT) FROM credit_bank_calls c JOIN credit_applications a ON a.id = c.application_id
         WHERE a.request_id = $1 AND c.kind = 'send'"
    )
    .bind(request)
    .fetch_one(p)
    .await
    .unwrap()
    })
}
