//! `POST /banks/{code}/webhook`: a partner bank's answers (§3, §9.1-3). Signed with the bank's
//! webhook secret over timestamp, nonce and body; a message outside the five-minute window,
//! with a bad signature or a nonce seen before is refused with 401 and changes nothing. A
//! valid event is applied once: the same event id again answers `duplicate`; an event the
//! application's state no longer takes (late, or out of order) answers `ignored`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use duken_store::credit_applications::{BankFacts, WebhookOutcome};
use serde_json::json;

use super::protocol::{self, BankEvent, Envelope};
use crate::app::AppState;

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

pub async fn receive(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&state, &code, &headers, &body).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, bank = %code, "a bank webhook could not be recorded");
            // The bank retries; nothing was half-applied (one transaction).
            answer(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "try again later" }))
        }
    }
}

async fn handle(
    state: &AppState,
    code: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, duken_store::StoreError> {
    let Some(bank) = state.store.bank_api(code).await? else {
        return Ok(answer(StatusCode::NOT_FOUND, json!({ "error": "no such bank" })));
    };
    let now = chrono::Utc::now();
    let envelope = Envelope::from_headers(headers);
    let nonce = match protocol::verify_signature(&bank.webhook_secret, &envelope, body, now.timestamp()) {
        Ok(n) => n,
        Err(why) => {
            tracing::warn!(bank = %code, refused = %why, "a bank webhook was refused");
            return Ok(answer(StatusCode::UNAUTHORIZED, json!({ "error": why.to_string() })));
        }
    };
    if !state.store.first_use_of_bank_nonce(bank.bank_id, nonce, now).await? {
        tracing::warn!(bank = %code, "a bank webhook was replayed");
        return Ok(answer(StatusCode::UNAUTHORIZED, json!({ "error": protocol::Refused::Replayed.to_string() })));
    }
    let Ok(event) = serde_json::from_slice::<BankEvent>(body) else {
        return Ok(answer(StatusCode::BAD_REQUEST, json!({ "error": "not a bank event" })));
    };
    if event.event_id.is_empty() || event.event_id.len() > 200 {
        return Ok(answer(StatusCode::BAD_REQUEST, json!({ "error": "event_id is missing or too long" })));
    }
    let Ok(application_id) = event.application_id.trim().parse::<i64>() else {
        return Ok(answer(StatusCode::NOT_FOUND, json!({ "error": "no such application" })));
    };
    let counter = event
        .counter_offer
        .filter(|c| c.amount_tiyn > 0 && c.term_months > 0)
        .map(|c| (c.amount_tiyn, i32::from(c.term_months)));
    let bank_ref = Some(event.bank_ref.as_str()).filter(|r| !r.is_empty() && r.len() <= 200);
    let facts = BankFacts { bank_ref, counter };
    let outcome = state.store.bank_webhook(&bank, &event.event_id, application_id, &event.event, facts).await?;
    Ok(match outcome {
        WebhookOutcome::Applied(s) => answer(StatusCode::OK, json!({ "status": "applied", "state": s })),
        WebhookOutcome::Duplicate => answer(StatusCode::OK, json!({ "status": "duplicate" })),
        WebhookOutcome::Ignored(r) => answer(StatusCode::OK, json!({ "status": "ignored", "reason": r.to_string() })),
        WebhookOutcome::UnknownApplication => answer(StatusCode::NOT_FOUND, json!({ "error": "no such application" })),
        WebhookOutcome::UnknownEvent => answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": "unknown event" })),
    })
}
