//! The simulated bank (`duken bank-sim`) speaks the credit protocol as a bank would: signed
//! and replay-protected both ways, decisions by its rules, signing codes with five tries,
//! payout after signing, and the faults it is told to make.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use duken::credit::bank_sim::{SimConfig, router};
use duken::credit::protocol::{self, BankEvent, Envelope, Nonces};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "sim-test-api-key-0001";
const SECRET: &str = "sim-test-webhook-secret-0001";

fn config() -> SimConfig {
    SimConfig {
        bank_code: "simbank".into(),
        api_key: KEY.into(),
        webhook_secret: SECRET.into(),
        seed: 1,
        latency: Duration::from_millis(20),
        reject_over_tiyn: Some(100_000_000),
        counter_over_tiyn: Some(50_000_000),
        reject_iin_suffix: Some("13".into()),
        fault_rate: 0.0,
        hang: Duration::from_millis(300),
        webhook_fault_rate: 0.0,
        fixed_code: None,
    }
}

/// A simulated bank and a webhook receiver that keeps what verifies under the bank's secret.
struct Rig {
    bank: String,
    callback: String,
    events: Arc<Mutex<Vec<BankEvent>>>,
    client: reqwest::Client,
}

async fn start(config: SimConfig) -> Rig {
    duken::pricelist::install_tls();
    let bank = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bank_url = format!("http://{}", bank.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(bank, router(config)).await });
    let events = Arc::new(Mutex::new(Vec::new()));
    let nonces = Arc::new(Nonces::default());
    let kept = events.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let kept = kept.clone();
            let nonces = nonces.clone();
            async move {
                let now = chrono::Utc::now().timestamp();
                match protocol::verify(SECRET, &Envelope::from_headers(&headers), &body, now, &nonces) {
                    Ok(()) => {
                        kept.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
                        axum::http::StatusCode::OK
                    }
                    Err(_) => axum::http::StatusCode::UNAUTHORIZED,
                }
            }
        }),
    );
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/hook", hook.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(hook, receiver).await });
    let client = reqwest::Client::builder().timeout(Duration::from_millis(150)).build().unwrap();
    Rig { bank: bank_url, callback, events, client }
}

impl Rig {
    async fn call(&self, path: &str, body: &Value, secret: &str) -> (StatusCode, Value) {
        let body = serde_json::to_vec(body).unwrap();
        let ts = chrono::Utc::now().timestamp();
        let nonce = protocol::nonce();
        self.send(path, &body, ts, &nonce, &protocol::sign(secret, ts, &nonce, &body)).await
    }

    async fn send(&self, path: &str, body: &[u8], ts: i64, nonce: &str, signature: &str) -> (StatusCode, Value) {
        match self
            .client
            .post(format!("{}{path}", self.bank))
            .header(protocol::TIMESTAMP, ts.to_string())
            .header(protocol::NONCE, nonce)
            .header(protocol::SIGNATURE, signature)
            .body(body.to_vec())
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(e) if e.is_timeout() => (StatusCode::REQUEST_TIMEOUT, Value::Null),
            Err(e) => panic!("{e}"),
        }
    }

    fn application(&self, id: &str, iin: &str, amount_tiyn: i64) -> Value {
        json!({ "application_id": id, "iin": iin, "name": "Айгерим Сейт", "phone": "+77051234567",
                "amount_tiyn": amount_tiyn, "term_months": 12, "product": "credit",
                "goods": [{ "name": "Phone", "quantity": 1, "price_tiyn": amount_tiyn }], "callback_url": self.callback })
    }

    async fn event_for(&self, application_id: &str, event: &str) -> BankEvent {
        for _ in 0..200 {
            if let Some(e) =
                self.events.lock().unwrap().iter().find(|e| e.application_id == application_id && e.event == event)
            {
                return e.clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no {event} webhook for {application_id}: {:?}", self.events.lock().unwrap());
    }
}

#[tokio::test]
async fn applications_are_decided_signed_and_issued_with_signed_webhooks() {
    let rig = start(config()).await;
    let app = rig.application("A-1", "900101300012", 20_000_000);
    let (status, first) = rig.call("/applications", &app, KEY).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let (status, again) = rig.call("/applications", &app, KEY).await;
    assert_eq!((status, &again), (StatusCode::ACCEPTED, &first), "the same application twice is one");
    let bank_ref = first["bank_ref"].as_str().unwrap().to_owned();
    let approved = rig.event_for("A-1", "approve").await;
    assert_eq!(approved.bank_ref, bank_ref);

    // Signing: a code is "texted"; five wrong tries lock it.
    let (status, _) = rig.call(&format!("/applications/{bank_ref}/signing-code"), &json!({}), KEY).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let page = reqwest::get(format!("{}/dev/codes", rig.bank)).await.unwrap().text().await.unwrap();
    let code = page.split("<code>").nth(1).and_then(|r| r.split('<').next()).unwrap().to_owned();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let (status, doc) = rig.call(&format!("/applications/{bank_ref}/sign"), &json!({ "code": wrong }), KEY).await;
    assert_eq!((status, doc["tries_left"].as_u64()), (StatusCode::UNPROCESSABLE_ENTITY, Some(4)));
    let (status, _) = rig.call(&format!("/applications/{bank_ref}/sign"), &json!({ "code": code }), KEY).await;
    assert_eq!(status, StatusCode::OK);
    rig.event_for("A-1", "issue").await;
    // GET carries no body: the signature covers an empty one.
    let ts = chrono::Utc::now().timestamp();
    let nonce = protocol::nonce();
    let got = rig
        .client
        .get(format!("{}/applications/{bank_ref}", rig.bank))
        .header(protocol::TIMESTAMP, ts.to_string())
        .header(protocol::NONCE, &nonce)
        .header(protocol::SIGNATURE, protocol::sign(KEY, ts, &nonce, b""))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.json::<Value>().await.unwrap()["state"], "issued");

    // Another application: five wrong codes lock it.
    let (_, second) = rig.call("/applications", &rig.application("A-2", "900101300012", 20_000_000), KEY).await;
    let second_ref = second["bank_ref"].as_str().unwrap().to_owned();
    rig.event_for("A-2", "approve").await;
    rig.call(&format!("/applications/{second_ref}/signing-code"), &json!({}), KEY).await;
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = rig.call(&format!("/applications/{second_ref}/sign"), &json!({ "code": "bad" }), KEY).await.0;
    }
    assert_eq!(last, StatusCode::LOCKED);
}

#[tokio::test]
async fn rules_reject_counter_and_refuse_forged_or_replayed_requests() {
    let rig = start(config()).await;
    rig.call("/applications", &rig.application("R-iin", "900101300013", 20_000_000), KEY).await;
    rig.call("/applications", &rig.application("R-big", "900101300012", 200_000_000), KEY).await;
    rig.call("/applications", &rig.application("C-1", "900101300012", 70_000_000), KEY).await;
    rig.event_for("R-iin", "reject").await;
    rig.event_for("R-big", "reject").await;
    let counter = rig.event_for("C-1", "counter_offer").await;
    assert_eq!(counter.counter_offer.map(|c| c.amount_tiyn), Some(50_000_000));

    let app = serde_json::to_vec(&rig.application("F-1", "900101300012", 20_000_000)).unwrap();
    let ts = chrono::Utc::now().timestamp();
    let nonce = protocol::nonce();
    let forged = protocol::sign("not-the-api-key-00000", ts, &nonce, &app);
    assert_eq!(rig.send("/applications", &app, ts, &nonce, &forged).await.0, StatusCode::UNAUTHORIZED);
    let good = protocol::sign(KEY, ts, &nonce, &app);
    assert_eq!(rig.send("/applications", &app, ts, &nonce, &good).await.0, StatusCode::ACCEPTED);
    assert_eq!(rig.send("/applications", &app, ts, &nonce, &good).await.0, StatusCode::UNAUTHORIZED, "a replay");
    let old = ts - 600;
    let n2 = protocol::nonce();
    assert_eq!(
        rig.send("/applications", &app, old, &n2, &protocol::sign(KEY, old, &n2, &app)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn faults_come_as_configured() {
    let mut c = config();
    c.fault_rate = 1.0;
    let rig = start(c).await;
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..12 {
        let (status, _) =
            rig.call("/applications", &rig.application(&format!("X-{i}"), "900101300012", 20_000_000), KEY).await;
        seen.insert(status.as_u16());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [408, 503], "outages and hangs, nothing accepted");

    // Every webhook faulty: some dropped, some twice, some late; none forged.
    let mut c = config();
    c.webhook_fault_rate = 1.0;
    let rig = start(c).await;
    for i in 0..30 {
        rig.call("/applications", &rig.application(&format!("W-{i}"), "900101300012", 20_000_000), KEY).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let events = rig.events.lock().unwrap().clone();
    let mut per_app = std::collections::BTreeMap::new();
    for e in &events {
        *per_app.entry(e.application_id.clone()).or_insert(0) += 1;
    }
    assert!(per_app.len() < 30, "some webhooks were dropped: {per_app:?}");
    assert!(per_app.values().any(|n| *n == 2), "some came twice: {per_app:?}");
    assert!(per_app.values().any(|n| *n == 1), "some came once (late or on time): {per_app:?}");
}
