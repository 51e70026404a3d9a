//! The orders' background work, run every `--order-jobs-interval-ms` on every node (each step
//! is safe to run twice at once): unpaid and unsigned orders whose hold ran out are cancelled
//! (their units come back), and the outbox is delivered — the buyer's and the seller's
//! in-account notifications and the buyer's SMS once per event, the seller's webhook at least
//! once (signed; retried with back-off until it answers 2xx); and the orders' state changes are
//! folded into the day counts that the orders lists' totals read (`duken_store::order_counts`).

use std::time::Duration;

use chrono::Utc;
use duken_core::Lang;
use duken_core::order::Action;
use duken_store::orders::{ChangeOutcome, NewNotification, OrderChange, OrderScope, OutboxItem};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::app::AppState;
use crate::web::i18n::Message;

/// A webhook is given up after this many failed tries (about 9 hours of back-off).
const WEBHOOK_TRIES: i32 = 15;
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = expire_overdue(&state).await {
                tracing::warn!(error = %e, "expiring unpaid orders failed");
            }
            if let Err(e) = deliver_outbox(&state).await {
                tracing::warn!(error = %e, "delivering order notifications failed");
            }
            if let Err(e) = state.store.fold_order_state_counts().await {
                tracing::warn!(error = %e, "folding the orders' state counts failed");
            }
            tokio::time::sleep(interval).await;
        }
    })
}

/// Cancels the orders whose payment or signature did not come in time.
pub async fn expire_overdue(state: &AppState) -> Result<usize, duken_store::StoreError> {
    let due = state.store.overdue_orders(Utc::now(), 200).await?;
    let mut expired = 0;
    for id in due {
        let change =
            OrderChange { action: Action::Expire, comment: "", number_of_space: None, request_id: "order-jobs" };
        // Paid or cancelled meanwhile: refused, nothing changes.
        if let ChangeOutcome::Changed(_) = state.store.change_order(OrderScope::Platform, id, &change).await? {
            expired += 1;
        }
    }
    Ok(expired)
}

/// What the buyer and the seller are told of an event: (buyer's kind, seller's kind).
fn kinds(payload: &Value) -> (Option<&'static str>, Option<&'static str>) {
    let action = payload["action"].as_str().unwrap_or("");
    let actor = payload["actor"].as_str().unwrap_or("");
    match action {
        "PLACE" => (Some("placed"), None),
        "CONFIRM_PAYMENT" | "ISSUE_CREDIT" => (Some("paid"), Some("new")),
        "ACCEPT" if payload["state"] == "PICKUP" => (Some("ready-pickup"), None),
        "ACCEPT" => (Some("accepted"), None),
        "COMPLETE" => (Some("completed"), None),
        "CANCEL" if actor == "seller" => (Some("cancelled"), None),
        "CANCEL" => (Some("cancelled"), Some("cancelled")),
        "EXPIRE" => (Some("expired"), Some("cancelled")),
        _ => (None, None),
    }
}

/// The text of a notification, for the inbox and the SMS.
pub fn note_text(lang: Lang, kind: &str, code: &str) -> String {
    Message::new(match kind {
        "placed" => "order-note-placed",
        "paid" => "order-note-paid",
        "new" => "order-note-new",
        "ready-pickup" => "order-note-ready-pickup",
        "accepted" => "order-note-accepted",
        "completed" => "order-note-completed",
        "cancelled" => "order-note-cancelled",
        "expired" => "order-note-expired",
        _ => "order-note-other",
    })
    .arg("code", code)
    .render(lang)
}

pub async fn deliver_outbox(state: &AppState) -> Result<usize, duken_store::StoreError> {
    let due = state.store.outbox_due(Utc::now(), 200).await?;
    let count = due.len();
    for item in due {
        let payload: Value = serde_json::from_str(&item.payload).unwrap_or(Value::Null);
        if !item.inbox_done {
            let (buyer, seller) = kinds(&payload);
            let mut notes = Vec::new();
            if let Some(kind) = buyer {
                notes.push(NewNotification { user_id: Some(item.buyer_id), seller_id: None, kind: kind.to_owned() });
            }
            if let Some(kind) = seller {
                notes.push(NewNotification { user_id: None, seller_id: Some(item.seller_id), kind: kind.to_owned() });
            }
            // The buyer's SMS (not for the placing itself: the buyer is on the page).
            let sms = buyer.filter(|k| *k != "placed").map(|k| note_text(Lang::Ru, k, &item.order_code));
            let no_webhook = item.webhook_url.is_none() || item.webhook_secret.is_none();
            state.store.deliver_to_inboxes(&item, &notes, sms.as_deref(), no_webhook).await?;
            if no_webhook {
                continue;
            }
        }
        if !item.webhook_done {
            let (done, error) = match (&item.webhook_url, &item.webhook_secret) {
                (Some(url), Some(secret)) => match post_webhook(state, &item, &payload, url, secret).await {
                    Ok(()) => (true, String::new()),
                    Err(e) if item.attempts + 1 >= WEBHOOK_TRIES => (true, format!("given up: {e}")),
                    Err(e) => (false, e),
                },
                _ => (true, String::new()),
            };
            let backoff =
                chrono::Duration::seconds(2i64.saturating_pow(u32::try_from(item.attempts.clamp(0, 15)).unwrap_or(15)));
            if !error.is_empty() {
                tracing::warn!(seller = item.seller_id, event = %item.event_id, error = %error, "seller webhook failed");
            }
            state.store.webhook_outcome(item.id, done, &error, Utc::now() + backoff).await?;
        }
    }
    Ok(count)
}

/// The signature of a webhook body: hex HMAC-SHA256 of `"{timestamp}.{body}"` under the secret.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    crate::accounts::hex(&mac.finalize().into_bytes())
}

async fn post_webhook(
    state: &AppState,
    item: &OutboxItem,
    payload: &Value,
    url: &str,
    secret: &str,
) -> Result<(), String> {
    let (client, parsed) =
        crate::pricelist::pinned_client(url, state.feed_allow_private, "duken webhooks", WEBHOOK_TIMEOUT).await?;
    let mut body = payload.clone();
    body["event_id"] = Value::String(item.event_id.clone());
    body["order"] =
        serde_json::json!({ "id": crate::merchant_api::orders::base64_id(&item.order_code), "code": item.order_code });
    let body = body.to_string();
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(parsed)
        .header("content-type", "application/json")
        .header("x-duken-event-id", &item.event_id)
        .header("x-duken-timestamp", timestamp.to_string())
        .header("x-duken-signature", webhook_signature(secret, timestamp, body.as_bytes()))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("sending: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the seller's server answered HTTP {}", response.status().as_u16()))
    }
}
