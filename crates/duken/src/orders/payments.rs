//! The payment port: an acquirer confirms or declines a prepaid checkout by a signed callback.
//! The signature is an HMAC-SHA256 of `"{timestamp}.{body}"` under a key derived from the
//! server's secret; a callback older than five minutes or from the future is refused, and one
//! event id is applied at most once (`Store::settle_payment`), so retries and replays are safe.

use chrono::{DateTime, Utc};
use duken_store::orders::Settlement;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;

/// How far a callback's timestamp may be from now.
const WINDOW_SECS: i64 = 300;

#[derive(Serialize, Deserialize)]
pub struct Callback {
    pub payment_id: i64,
    /// The acquirer's id of this notification: the same event sent twice is applied once.
    pub event_id: String,
    /// `paid` or `declined`.
    pub outcome: String,
    pub amount_tiyn: i64,
    /// Seconds since the epoch, as signed.
    pub timestamp: i64,
}

pub fn sign(state: &AppState, body: &[u8], timestamp: i64) -> String {
    state.accounts.key.keyed_hash(&[b"duken/acquirer/", timestamp.to_string().as_bytes(), b".", body])
}

fn verify(state: &AppState, body: &[u8], signature: &str, timestamp: i64, now: DateTime<Utc>) -> bool {
    (now.timestamp() - timestamp).abs() <= WINDOW_SECS
        && duken_core::order::constant_time_eq(sign(state, body, timestamp).as_bytes(), signature.as_bytes())
}

/// Checks a callback's signature and freshness, then applies it once.
pub async fn receive(state: &AppState, raw: &[u8], signature: &str, request_id: &str) -> Result<Settlement, AppError> {
    let callback: Callback =
        serde_json::from_slice(raw).map_err(|_| AppError::bad_param("body", Message::new("order-callback")))?;
    if !verify(state, raw, signature, callback.timestamp, Utc::now()) {
        return Err(AppError::Unauthorized);
    }
    let paid = match callback.outcome.as_str() {
        "paid" => true,
        "declined" => false,
        _ => return Err(AppError::bad_param("outcome", Message::new("order-payment-outcome"))),
    };
    if callback.event_id.is_empty() || callback.event_id.len() > 100 {
        return Err(AppError::bad_param("event_id", Message::new("order-callback")));
    }
    match state
        .store
        .settle_payment(callback.payment_id, &callback.event_id, paid, callback.amount_tiyn, request_id)
        .await
    {
        Ok(s) => Ok(s),
        // No such payment (the callback's reference to it was refused).
        Err(duken_store::StoreError::NotFound | duken_store::StoreError::Conflict(_)) => {
            Err(AppError::NotFound(Message::new("error-no-such-order")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The simulated acquirer (development and tests): it signs a callback as a real acquirer
/// would and hands it to [`receive`], the same path an acquirer's request takes.
pub async fn simulate(
    state: &AppState,
    payment: &duken_store::orders::Payment,
    paid: bool,
    request_id: &str,
) -> Result<Settlement, AppError> {
    let callback = Callback {
        payment_id: payment.id,
        event_id: format!("sim-{}", rand::random::<u64>()),
        outcome: if paid { "paid".into() } else { "declined".into() },
        amount_tiyn: payment.amount_tiyn,
        timestamp: Utc::now().timestamp(),
    };
    let raw = serde_json::to_vec(&callback).map_err(|e| AppError::Internal(e.into()))?;
    let signature = sign(state, &raw, callback.timestamp);
    receive(state, &raw, &signature, request_id).await
}
