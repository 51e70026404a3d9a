//! The bank protocol's envelope (§3, §9.1-3), the same both ways: duken's requests to a bank
//! are signed with the bank's API key, the bank's webhooks to duken with its webhook secret.
//!
//! Headers: `X-Timestamp` (seconds since the epoch), `X-Nonce` (16–64 characters, never used
//! twice by a sender) and `X-Signature`, the hex HMAC-SHA256 of `"{timestamp}.{nonce}.{body}"`.
//! A receiver refuses a message more than five minutes from its own clock, with a bad
//! signature, or whose nonce it has seen (`Nonces`): a captured message cannot be replayed.
//!
//! Messages (JSON):
//! - duken → bank `POST /applications` `{application_id, iin, name, phone, amount_tiyn,
//!   term_months, product, goods: [{name, quantity, price_tiyn}], callback_url}` → `202
//!   {bank_ref}`; the same `application_id` again answers the same `bank_ref` (idempotent).
//! - `GET /applications/{bank_ref}` → `{bank_ref, application_id, state, counter_offer}`, for
//!   a lost webhook.
//! - `POST /applications/{bank_ref}/signing-code` → 202 (the bank texts the buyer a code);
//!   `POST /applications/{bank_ref}/sign {code}` → 200, or 422 `{tries_left}`, or 423 locked.
//! - `POST /applications/{bank_ref}/cancel {reason, amount_tiyn}`: cancel, or return part.
//! - bank → duken `POST {callback_url}` `{event_id, application_id, bank_ref, event, counter_offer,
//!   at}`, `event` one of `approve`, `reject`, `counter_offer`, `issue`.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How far a message's timestamp may be from the receiver's clock.
pub const WINDOW_SECS: i64 = 300;

pub const TIMESTAMP: &str = "x-timestamp";
pub const NONCE: &str = "x-nonce";
pub const SIGNATURE: &str = "x-signature";

/// The hex signature of a message.
pub fn sign(secret: &str, timestamp: i64, nonce: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(nonce.as_bytes());
    mac.update(b".");
    mac.update(body);
    crate::accounts::hex(&mac.finalize().into_bytes())
}

/// A fresh nonce: 32 hex digits.
pub fn nonce() -> String {
    crate::accounts::hex(&rand::random::<[u8; 16]>())
}

/// Why a message was refused (answered 401, nothing changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a protocol header is missing or malformed")]
    Headers,
    #[error("the timestamp is more than five minutes from now")]
    Stale,
    #[error("the signature does not match")]
    Signature,
    #[error("this nonce was used before")]
    Replayed,
}

/// The three headers as received.
pub struct Envelope<'a> {
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
}

impl<'a> Envelope<'a> {
    pub fn from_headers(headers: &'a axum::http::HeaderMap) -> Self {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Envelope { timestamp: get(TIMESTAMP), nonce: get(NONCE), signature: get(SIGNATURE) }
    }
}

/// Checks a message's envelope against `secret` at `now` (seconds); the nonce is remembered
/// only when everything else holds, so a forged message cannot burn a real one's nonce.
pub fn verify(secret: &str, envelope: &Envelope<'_>, body: &[u8], now: i64, nonces: &Nonces) -> Result<(), Refused> {
    let nonce = verify_signature(secret, envelope, body, now)?;
    if !nonces.first_use(nonce, now) {
        return Err(Refused::Replayed);
    }
    Ok(())
}

/// The timestamp and signature checks of [`verify`]; the caller then records the nonce it
/// returns wherever its receiver keeps them (duken: the database, seen by every node).
pub fn verify_signature<'a>(secret: &str, envelope: &Envelope<'a>, body: &[u8], now: i64) -> Result<&'a str, Refused> {
    let timestamp: i64 = envelope.timestamp.and_then(|t| t.trim().parse().ok()).ok_or(Refused::Headers)?;
    let nonce = envelope.nonce.filter(|n| (16..=64).contains(&n.len())).ok_or(Refused::Headers)?;
    let signature = envelope.signature.ok_or(Refused::Headers)?;
    if (now - timestamp).abs() > WINDOW_SECS {
        return Err(Refused::Stale);
    }
    let expected = sign(secret, timestamp, nonce, body);
    if !duken_core::order::constant_time_eq(expected.as_bytes(), signature.trim().as_bytes()) {
        return Err(Refused::Signature);
    }
    Ok(nonce)
}

/// Nonces seen within the window (older ones can no longer pass the timestamp check, so they
/// are forgotten). In memory: one process's receiver; duken's webhook receiver keeps them in
/// the database instead, where every node sees them.
#[derive(Default)]
pub struct Nonces(Mutex<HashMap<String, i64>>);

impl Nonces {
    /// Records the nonce; false if it was seen within the window.
    pub fn first_use(&self, nonce: &str, now: i64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() > 10_000 {
            seen.retain(|_, at| now - *at <= 2 * WINDOW_SECS);
        }
        if seen.contains_key(nonce) {
            return false;
        }
        seen.insert(nonce.to_owned(), now);
        true
    }
}

/// A credit application as duken sends it to a bank.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApplicationRequest {
    pub application_id: String,
    pub iin: String,
    pub name: String,
    pub phone: String,
    pub amount_tiyn: i64,
    pub term_months: u16,
    pub product: String,
    pub goods: Vec<Goods>,
    pub callback_url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Goods {
    pub name: String,
    pub quantity: i32,
    pub price_tiyn: i64,
}

/// Other terms the bank offers instead of the ones asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterOffer {
    pub amount_tiyn: i64,
    pub term_months: u16,
}

/// A bank's webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankEvent {
    pub event_id: String,
    pub application_id: String,
    pub bank_ref: String,
    /// `approve`, `reject`, `counter_offer` or `issue` (`duken_core::credit_application`).
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_offer: Option<CounterOffer>,
    /// Seconds since the epoch.
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope<'a>(t: &'a str, n: &'a str, s: &'a str) -> Envelope<'a> {
        Envelope { timestamp: Some(t), nonce: Some(n), signature: Some(s) }
    }

    #[test]
    fn a_signed_message_passes_once() {
        let nonces = Nonces::default();
        let body = br#"{"event":"approve"}"#;
        let n = nonce();
        let s = sign("secret-of-sixteen+", 1_000, &n, body);
        assert_eq!(verify("secret-of-sixteen+", &envelope("1000", &n, &s), body, 1_100, &nonces), Ok(()));
        assert_eq!(
            verify("secret-of-sixteen+", &envelope("1000", &n, &s), body, 1_100, &nonces),
            Err(Refused::Replayed)
        );
    }

    #[test]
    fn forged_stale_and_incomplete_messages_are_refused() {
        let nonces = Nonces::default();
        let body = br#"{"event":"approve"}"#;
        let n = nonce();
        let s = sign("the-real-secret-123", 1_000, &n, body);
        let other = sign("not-the-secret-0000", 1_000, &n, body);
        assert_eq!(
            verify("the-real-secret-123", &envelope("1000", &n, &other), body, 1_000, &nonces),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify("the-real-secret-123", &envelope("1000", &n, &s), br#"{"event":"issue"}"#, 1_000, &nonces),
            Err(Refused::Signature),
            "the body is signed"
        );
        assert_eq!(verify("the-real-secret-123", &envelope("1000", &n, &s), body, 1_301, &nonces), Err(Refused::Stale));
        assert_eq!(
            verify("the-real-secret-123", &envelope("1000", "short", &s), body, 1_000, &nonces),
            Err(Refused::Headers)
        );
        let missing = Envelope { timestamp: None, nonce: Some(&n), signature: Some(&s) };
        assert_eq!(verify("the-real-secret-123", &missing, body, 1_000, &nonces), Err(Refused::Headers));
        // None of the refusals used the nonce up.
        assert_eq!(verify("the-real-secret-123", &envelope("1000", &n, &s), body, 1_000, &nonces), Ok(()));
    }
}
