//! §10: the hand-over code. The seller (or courier) asks for it to be sent to the buyer's
//! phone; the buyer tells it at hand-over; the right code completes the order. It is stored as
//! an HMAC, compared in constant time, locked after five wrong tries, expires, and is never in
//! a response or a log line. Shared by the merchant API and the seller cabinet.

use chrono::Utc;
use duken_core::order::{Action, CodeCheck, DeliveryMode, HandoverPolicy, StoredHandover};
use duken_store::orders::Order;

use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;

fn refused(refusal: duken_core::order::Refusal) -> AppError {
    AppError::bad_param("status", Message::new("merchant-order-refused").arg("why", refusal.to_string()))
}

/// Whether the seller may complete the order now (a code is only sent when it may).
fn may_complete(order: &Order) -> Result<(), AppError> {
    let position =
        order.position().ok_or_else(|| AppError::Internal(anyhow::anyhow!("order {} has no position", order.id)))?;
    let delivery = DeliveryMode::parse(&order.delivery_mode).unwrap_or(DeliveryMode::Pickup);
    duken_core::order::apply(position, delivery, Action::Complete, duken_core::order::Actor::Seller)
        .map(|_| ())
        .map_err(refused)
}

/// Sends the buyer a new code for the order (replacing an older one and its tries).
pub async fn send_code(state: &AppState, order: &Order, request_id: &str) -> Result<(), AppError> {
    may_complete(order)?;
    let code = state.accounts.new_handover_code();
    let hash = state.accounts.handover_hash(order.id, &code);
    let phone = state.store.user_phone(order.buyer_id).await?;
    let body = crate::web::i18n::t_args(
        duken_core::Lang::Ru,
        "sms-handover-code",
        &[("code", code.as_str().into()), ("order", order.code.as_str().into())],
    );
    state.store.issue_handover_code(order.id, &code, &hash, &phone, &body, request_id).await?;
    Ok(())
}

/// The code the buyer may see in their account now: sent, not expired, not locked, and the
/// order not finished.
pub async fn code_for_buyer(state: &AppState, order: &Order) -> Result<Option<String>, AppError> {
    if order.position().is_none_or(|p| p.is_final()) {
        return Ok(None);
    }
    let policy = HandoverPolicy::default();
    Ok(state.store.handover_code_for_buyer(order.id).await?.and_then(|(code, sent_at, tries)| {
        let live =
            Utc::now() - sent_at <= policy.lifetime && u32::try_from(tries).unwrap_or(u32::MAX) < policy.max_wrong;
        live.then_some(code)
    }))
}

/// Checks the code the buyer told and completes the order when it is right.
pub async fn complete(state: &AppState, order: &Order, given: &str, request_id: &str) -> Result<Order, AppError> {
    may_complete(order)?;
    let stored = state.store.handover_code(order.id).await?;
    let matches = stored.as_ref().is_some_and(|s| {
        duken_core::order::constant_time_eq(
            s.code_hash.as_bytes(),
            state.accounts.handover_hash(order.id, given).as_bytes(),
        )
    });
    let check = HandoverPolicy::default().check(
        stored
            .as_ref()
            .map(|s| StoredHandover {
                sent_at: s.sent_at,
                wrong_tries: u32::try_from(s.wrong_tries).unwrap_or(u32::MAX),
            })
            .as_ref(),
        given,
        Utc::now(),
        matches,
    );
    if check.counts_as_wrong() {
        state.store.count_wrong_handover(order.id).await?;
    }
    let code_error = |key: &'static str| AppError::bad_param("X-Security-Code", Message::new(key));
    match check {
        CodeCheck::Accepted => {
            crate::merchant_api::orders::apply(
                state,
                order.seller_id,
                order,
                Action::Complete,
                "hand-over code accepted",
                None,
                request_id,
            )
            .await
        }
        CodeCheck::Wrong { tries_left } => Err(AppError::bad_param(
            "X-Security-Code",
            Message::new("merchant-order-code-wrong").arg("left", i64::from(tries_left)),
        )),
        CodeCheck::Locked => Err(code_error("merchant-order-code-locked")),
        CodeCheck::Expired => Err(code_error("merchant-order-code-expired")),
        CodeCheck::NoneSent => Err(code_error("merchant-order-code-needed")),
    }
}
