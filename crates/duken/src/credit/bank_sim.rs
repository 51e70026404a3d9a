//! `duken bank-sim`: a partner bank's side of the protocol (`protocol.rs`) on its own port, for
//! development, demos and tests (§3, §9.1-3). It takes signed applications, decides them by
//! configurable rules (amount, IIN, a seed for its random choices), waits a configurable
//! latency, and tells duken by signed webhooks; it texts signing codes (shown at `/dev/codes`,
//! since a simulator has no SMS), checks them (five tries), and issues the loan once signed.
//!
//! Faults on purpose, decided by the seed: a share of requests answered 503 or never answered
//! (`fault_rate`), and a share of webhooks dropped, sent twice or sent late, after a later one
//! (`webhook_fault_rate`). duken must come through all of them with every application reaching
//! one final state, exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

use super::protocol::{self, ApplicationRequest, BankEvent, CounterOffer, Envelope, Nonces};

/// How the simulated bank behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub bank_code: String,
    /// Checks duken's requests.
    pub api_key: String,
    /// Signs the webhooks.
    pub webhook_secret: String,
    /// Drives every random choice: the same seed, the same decisions and faults.
    pub seed: u64,
    /// How long a decision, a payout or a webhook takes.
    pub latency: Duration,
    /// Amounts above this are rejected.
    pub reject_over_tiyn: Option<i64>,
    /// Amounts above this (and not rejected) get a counter-offer of this amount.
    pub counter_over_tiyn: Option<i64>,
    /// IINs ending so are rejected (a "bad credit history").
    pub reject_iin_suffix: Option<String>,
    /// Share of requests answered 503 or not at all (0.0–1.0).
    pub fault_rate: f64,
    /// How long a request "not answered" hangs before the connection is dropped.
    pub hang: Duration,
    /// Share of webhooks dropped, duplicated or delayed past a later one (0.0–1.0).
    pub webhook_fault_rate: f64,
    /// Every signing code is this one (tests and scripted demos); otherwise random.
    pub fixed_code: Option<String>,
}

/// Tries of a signing code before it locks.
const SIGN_TRIES: u8 = 5;

#[derive(Clone, Debug)]
struct SimApplication {
    request: ApplicationRequest,
    bank_ref: String,
    /// `sent`, `approved`, `counter_offer`, `rejected`, `signed`, `issued`, `cancelled`.
    state: &'static str,
    counter_offer: Option<CounterOffer>,
    code: Option<String>,
    wrong_tries: u8,
}

struct Sim {
    config: SimConfig,
    nonces: Nonces,
    applications: Mutex<HashMap<String, SimApplication>>,
    /// application id → bank reference: the same application sent twice is one.
    by_id: Mutex<HashMap<String, String>>,
    /// (phone, code) texted, newest last.
    codes: Mutex<Vec<(String, String)>>,
    events: Mutex<u64>,
    client: reqwest::Client,
}

/// A stable 64-bit mix of the seed and a text (FNV-1a, then splitmix64): the simulator's only
/// source of chance, so a run can be repeated.
fn chance(seed: u64, text: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The router of a simulated bank.
pub fn router(config: SimConfig) -> Router {
    crate::pricelist::install_tls();
    let sim = Arc::new(Sim {
        config,
        nonces: Nonces::default(),
        applications: Mutex::new(HashMap::new()),
        by_id: Mutex::new(HashMap::new()),
        codes: Mutex::new(Vec::new()),
        events: Mutex::new(0),
        client: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default(),
    });
    Router::new()
        .route("/applications", post(apply))
        .route("/applications/{bank_ref}", get(status))
        .route("/applications/{bank_ref}/signing-code", post(signing_code))
        .route("/applications/{bank_ref}/sign", post(sign))
        .route("/applications/{bank_ref}/cancel", post(cancel))
        .route("/applications/{bank_ref}/accept", post(accept))
        .route("/dev/codes", get(codes))
        .route("/dev/applications", get(summary))
        .with_state(sim)
}

/// Serves a simulated bank until the process ends.
pub async fn serve(config: SimConfig, listener: TcpListener) -> anyhow::Result<()> {
    axum::serve(listener, router(config)).await?;
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn no_such_application() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "no such application" }))).into_response()
}

fn refuse(why: &protocol::Refused) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({ "error": why.to_string() }))).into_response()
}

/// Checks the envelope, then maybe fails on purpose: `Some(response)` ends the request.
async fn gate(sim: &Sim, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let now = chrono::Utc::now().timestamp();
    if let Err(why) = protocol::verify(&sim.config.api_key, &Envelope::from_headers(headers), body, now, &sim.nonces) {
        return Some(refuse(&why));
    }
    let nonce = headers.get(protocol::NONCE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let roll = chance(sim.config.seed, &format!("request/{nonce}"));
    if roll < sim.config.fault_rate / 2.0 {
        return Some((StatusCode::SERVICE_UNAVAILABLE, "simulated outage").into_response());
    }
    if roll < sim.config.fault_rate {
        tokio::time::sleep(sim.config.hang).await;
        return Some((StatusCode::GATEWAY_TIMEOUT, "simulated timeout").into_response());
    }
    None
}

async fn apply(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = gate(&sim, &headers, &body).await {
        return r;
    }
    let Ok(request) = serde_json::from_slice::<ApplicationRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "not an application" }))).into_response();
    };
    if request.application_id.is_empty() || request.amount_tiyn <= 0 || request.iin.len() != 12 {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "incomplete application" }))).into_response();
    }
    let (bank_ref, fresh) = {
        let mut by_id = lock(&sim.by_id);
        match by_id.get(&request.application_id) {
            Some(r) => (r.clone(), false),
            None => {
                let r = format!("{}-{}", sim.config.bank_code, by_id.len() + 1);
                by_id.insert(request.application_id.clone(), r.clone());
                (r, true)
            }
        }
    };
    if fresh {
        let app = SimApplication {
            request,
            bank_ref: bank_ref.clone(),
            state: "sent",
            counter_offer: None,
            code: None,
            wrong_tries: 0,
        };
        lock(&sim.applications).insert(bank_ref.clone(), app);
        let sim = sim.clone();
        let r = bank_ref.clone();
        tokio::spawn(async move {
            tokio::time::sleep(sim.config.latency).await;
            decide(&sim, &r).await;
        });
    }
    (StatusCode::ACCEPTED, Json(json!({ "bank_ref": bank_ref }))).into_response()
}

/// The bank's decision on an application just received.
async fn decide(sim: &Arc<Sim>, bank_ref: &str) {
    let event = {
        let mut apps = lock(&sim.applications);
        let Some(app) = apps.get_mut(bank_ref) else { return };
        let amount = app.request.amount_tiyn;
        let bad_iin =
            sim.config.reject_iin_suffix.as_deref().is_some_and(|s| !s.is_empty() && app.request.iin.ends_with(s));
        if bad_iin || sim.config.reject_over_tiyn.is_some_and(|max| amount > max) {
            app.state = "rejected";
        } else if let Some(max) = sim.config.counter_over_tiyn.filter(|max| amount > *max) {
            app.state = "counter_offer";
            app.counter_offer = Some(CounterOffer { amount_tiyn: max, term_months: app.request.term_months });
        } else {
            app.state = "approved";
        }
        event_for(app)
    };
    send_webhook(sim, event).await;
}

fn event_for(app: &SimApplication) -> (String, String, String, &'static str, Option<CounterOffer>) {
    let event = match app.state {
        "approved" => "approve",
        "rejected" => "reject",
        "counter_offer" => "counter_offer",
        "issued" => "issue",
        other => other,
    };
    (
        app.request.callback_url.clone(),
        app.request.application_id.clone(),
        app.bank_ref.clone(),
        event,
        app.counter_offer,
    )
}

/// Sends a webhook, with the faults the seed picks for it; retries a few times on failure, as
/// banks do (duken also polls `GET /applications/{ref}`, so a lost one is not fatal).
async fn send_webhook(
    sim: &Arc<Sim>,
    (url, application_id, bank_ref, event, counter_offer): (String, String, String, &'static str, Option<CounterOffer>),
) {
    let n = {
        let mut events = lock(&sim.events);
        *events += 1;
        *events
    };
    let event = BankEvent {
        event_id: format!("{}-evt-{n}", sim.config.bank_code),
        application_id,
        bank_ref,
        event: event.to_owned(),
        counter_offer,
        at: chrono::Utc::now().timestamp(),
    };
    let rate = sim.config.webhook_fault_rate;
    let roll = chance(sim.config.seed, &format!("webhook/{}", event.event_id));
    let copies = if roll < rate / 3.0 {
        return; // dropped
    } else if roll < 2.0 * rate / 3.0 {
        2 // duplicated
    } else {
        1
    };
    if roll >= 2.0 * rate / 3.0 && roll < rate {
        // Late: after whatever the bank sends next.
        tokio::time::sleep(sim.config.latency * 3).await;
    }
    let body = serde_json::to_vec(&event).unwrap_or_default();
    for _ in 0..copies {
        for attempt in 0..5u32 {
            let ts = chrono::Utc::now().timestamp();
            let nonce = protocol::nonce();
            let sent = sim
                .client
                .post(&url)
                .header("content-type", "application/json")
                .header(protocol::TIMESTAMP, ts.to_string())
                .header(protocol::NONCE, &nonce)
                .header(protocol::SIGNATURE, protocol::sign(&sim.config.webhook_secret, ts, &nonce, &body))
                .body(body.clone())
                .send()
                .await;
            if sent.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(sim.config.latency * (attempt + 1)).await;
        }
    }
}

async fn status(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(bank_ref): Path<String>) -> Response {
    if let Some(r) = gate(&sim, &headers, b"").await {
        return r;
    }
    match lock(&sim.applications).get(&bank_ref) {
        Some(app) => Json(json!({
            "bank_ref": app.bank_ref,
            "application_id": app.request.application_id,
            "state": app.state,
            "counter_offer": app.counter_offer,
        }))
        .into_response(),
        None => no_such_application(),
    }
}

async fn signing_code(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(bank_ref): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = gate(&sim, &headers, &body).await {
        return r;
    }
    let mut apps = lock(&sim.applications);
    let Some(app) = apps.get_mut(&bank_ref) else {
        return no_such_application();
    };
    if app.state != "approved" || app.wrong_tries >= SIGN_TRIES {
        return (StatusCode::CONFLICT, Json(json!({ "error": format!("the application is {}", app.state) })))
            .into_response();
    }
    let code = sim.config.fixed_code.clone().unwrap_or_else(|| format!("{:06}", (rand::random::<u32>() % 1_000_000)));
    app.code = Some(code.clone());
    lock(&sim.codes).push((app.request.phone.clone(), code));
    (StatusCode::ACCEPTED, Json(json!({ "sent_to": app.request.phone }))).into_response()
}

async fn sign(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(bank_ref): Path<String>, body: Bytes) -> Response {
    if let Some(r) = gate(&sim, &headers, &body).await {
        return r;
    }
    let typed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    {
        let mut apps = lock(&sim.applications);
        let Some(app) = apps.get_mut(&bank_ref) else {
            return no_such_application();
        };
        if app.wrong_tries >= SIGN_TRIES {
            return (StatusCode::LOCKED, Json(json!({ "error": "too many wrong codes" }))).into_response();
        }
        let Some(code) = app.code.clone().filter(|_| app.state == "approved") else {
            return (StatusCode::CONFLICT, Json(json!({ "error": format!("the application is {}", app.state) })))
                .into_response();
        };
        if !duken_core::order::constant_time_eq(code.as_bytes(), typed.trim().as_bytes()) {
            app.wrong_tries += 1;
            let left = SIGN_TRIES - app.wrong_tries;
            let status = if left == 0 { StatusCode::LOCKED } else { StatusCode::UNPROCESSABLE_ENTITY };
            return (status, Json(json!({ "error": "wrong code", "tries_left": left }))).into_response();
        }
        app.state = "signed";
        app.code = None;
    }
    let sim2 = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(sim2.config.latency).await;
        let event = {
            let mut apps = lock(&sim2.applications);
            let Some(app) = apps.get_mut(&bank_ref) else { return };
            if app.state != "signed" {
                return; // cancelled meanwhile
            }
            app.state = "issued";
            event_for(app)
        };
        send_webhook(&sim2, event).await;
    });
    Json(json!({ "signed": true })).into_response()
}

async fn cancel(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(bank_ref): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = gate(&sim, &headers, &body).await {
        return r;
    }
    let mut apps = lock(&sim.applications);
    match apps.get_mut(&bank_ref) {
        Some(app) => {
            let partial = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["amount_tiyn"].as_i64())
                .filter(|a| *a < app.request.amount_tiyn);
            if partial.is_none() {
                app.state = "cancelled";
            }
            Json(json!({ "state": app.state, "returned_tiyn": partial.unwrap_or(app.request.amount_tiyn) }))
                .into_response()
        }
        None => no_such_application(),
    }
}

/// The buyer takes the counter-offer: approved on the bank's terms.
async fn accept(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(bank_ref): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = gate(&sim, &headers, &body).await {
        return r;
    }
    let mut apps = lock(&sim.applications);
    let Some(app) = apps.get_mut(&bank_ref) else {
        return no_such_application();
    };
    match (app.state, app.counter_offer) {
        ("counter_offer", Some(c)) => {
            app.state = "approved";
            app.request.amount_tiyn = c.amount_tiyn;
            app.request.term_months = c.term_months;
            Json(json!({ "state": app.state })).into_response()
        }
        ("approved", _) => Json(json!({ "state": app.state })).into_response(),
        (state, _) => {
            (StatusCode::CONFLICT, Json(json!({ "error": format!("the application is {state}") }))).into_response()
        }
    }
}

/// How many applications the simulated bank holds in each state, and how many times each
/// was cancelled (JSON, for tests and demos).
async fn summary(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    let apps = lock(&sim.applications);
    let mut by_state: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for app in apps.values() {
        *by_state.entry(app.state).or_default() += 1;
    }
    let states: HashMap<String, &str> = apps.values().map(|a| (a.request.application_id.clone(), a.state)).collect();
    Json(json!({ "total": apps.len(), "by_state": by_state, "applications": states }))
}

/// The codes the simulated bank "texted", newest first: a real bank sends them by SMS.
async fn codes(State(sim): State<Arc<Sim>>) -> Html<String> {
    let codes = lock(&sim.codes);
    let rows: String = codes
        .iter()
        .rev()
        .take(50)
        .map(|(phone, code)| format!("<tr><td>{}</td><td><code>{code}</code></td></tr>", html_escape(phone)))
        .collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>{0} codes</title><h1>Signing codes texted by {0} (simulator)</h1>\
         <table><tr><th>Phone</th><th>Code</th></tr>{rows}</table>",
        html_escape(&sim.config.bank_code)
    ))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chance_is_stable_and_spread() {
        assert_eq!(chance(7, "a"), chance(7, "a"));
        assert_ne!(chance(7, "a"), chance(8, "a"));
        let below: usize = (0..10_000).filter(|i| chance(1, &i.to_string()) < 0.1).count();
        assert!((800..1200).contains(&below), "about a tenth: {below}");
    }
}
