//! The credit applications' background work, every `--credit-jobs-interval-ms` on every node
//! (each step is safe to run twice at once): due calls to banks are made from the durable
//! queue (sent, retried with back-off, or finished with the bank's answer), applications the
//! bank has been quiet about are asked for (a lost webhook), and those whose time ran out are
//! expired (the buyer is told through the orders' cancellation and the application page).

use std::time::Duration;

use chrono::Utc;
use duken_core::credit_application::ApplicationEvent;
use duken_store::StoreError;
use duken_store::credit_applications::{BankCall, BankFacts, EventOutcome, PollTarget};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client::CallFailed;
use super::protocol::{ApplicationRequest, Goods};
use crate::app::AppState;

/// Calls made at once by one node.
const BATCH: i64 = 64;

pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut round: u64 = 0;
        loop {
            if let Err(e) = run_once(&state).await {
                tracing::warn!(error = %e, "credit jobs failed");
            }
            round += 1;
            if round.is_multiple_of(600) {
                let before = Utc::now() - chrono::Duration::seconds(2 * super::protocol::WINDOW_SECS);
                if let Err(e) = state.store.forget_bank_nonces(before).await {
                    tracing::warn!(error = %e, "forgetting old bank nonces failed");
                }
            }
            tokio::time::sleep(interval).await;
        }
    })
}

/// One round of every step.
pub async fn run_once(state: &AppState) -> Result<(), StoreError> {
    make_due_calls(state).await?;
    poll_quiet(state).await?;
    expire_overdue(state).await?;
    Ok(())
}

async fn make_due_calls(state: &AppState) -> Result<(), StoreError> {
    let lease = chrono::Duration::from_std(state.banks.lease()).unwrap_or(chrono::Duration::seconds(60));
    let calls = state.store.claim_bank_calls(Utc::now(), lease, BATCH).await?;
    let mut running = tokio::task::JoinSet::new();
    for call in calls {
        let state = state.clone();
        running.spawn(async move {
            let id = call.id;
            if let Err(e) = make_call(&state, call).await {
                tracing::warn!(call = id, error = %e, "a call to a bank could not be recorded");
            }
        });
    }
    while running.join_next().await.is_some() {}
    Ok(())
}

/// Makes one call and records its fate: finished with the bank's answer, or tried again later.
async fn make_call(state: &AppState, call: BankCall) -> Result<(), StoreError> {
    let result = match call.kind.as_str() {
        "send" => send(state, &call).await,
        _ => cancel(state, &call).await,
    };
    match result {
        Ok(outcome) => state.store.finish_bank_call(call.id, &outcome).await,
        Err(failed) => {
            let closed =
                duken_core::credit_application::ApplicationState::parse(&call.state).is_some_and(|s| s.is_final());
            if call.kind == "send" && closed && call.bank_ref.is_none() {
                // Closed before the bank ever acknowledged it: nothing to send any more (an
                // earlier try that did arrive shows up as a webhook, answered with a cancel).
                return state
                    .store
                    .finish_bank_call(call.id, &format!("given up ({failed}): the application is closed"))
                    .await;
            }
            let wait = state.banks.backoff(call.attempts);
            let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60));
            tracing::info!(call = call.id, bank = %call.bank_code, kind = %call.kind, attempts = call.attempts, error = %failed, "bank call failed; retrying");
            state.store.retry_bank_call(call.id, next, &failed.to_string()).await
        }
    }
}

async fn send(state: &AppState, call: &BankCall) -> Result<String, CallFailed> {
    let store = &state.store;
    let prepared = async {
        let app = store.credit_application(call.application_id).await?;
        let request = store.credit_request(app.request_id, None).await?;
        let goods = store.credit_goods(request.checkout_id).await?;
        Ok::<_, StoreError>((app, request, goods))
    }
    .await;
    let (app, request, goods) = prepared.map_err(|e| unrecorded(&e))?;
    let body = ApplicationRequest {
        application_id: app.id.to_string(),
        iin: request.iin.clone(),
        name: request.buyer_name.clone(),
        phone: request.phone.clone(),
        amount_tiyn: app.amount_tiyn,
        term_months: u16::try_from(app.term_months).unwrap_or(0),
        product: app.product_code.clone(),
        goods: goods.into_iter().map(|(name, quantity, price_tiyn)| Goods { name, quantity, price_tiyn }).collect(),
        callback_url: state.banks.callback_url(&call.bank_code),
    };
    let body = serde_json::to_value(&body).unwrap_or(Value::Null);
    let answer = state.banks.call(&call.api_base_url, &call.api_key, "/applications", Some(&body)).await?;
    if answer.status.is_success() {
        let Some(bank_ref) = answer.body["bank_ref"].as_str().filter(|r| !r.is_empty()) else {
            return Err(CallFailed::Unavailable(StatusCode::BAD_GATEWAY));
        };
        let actor = format!("bank:{}", call.bank_code);
        let detail = format!("acknowledged as {bank_ref}");
        let facts = BankFacts { bank_ref: Some(bank_ref), counter: None };
        let outcome = store.apply_application_event(app.id, ApplicationEvent::Send, &actor, &detail, facts).await;
        return Ok(match outcome {
            Ok(EventOutcome::Applied(_)) => format!("sent: {bank_ref}"),
            Ok(EventOutcome::Refused(r)) => format!("sent: {bank_ref} ({r})"),
            Err(e) => return Err(unrecorded(&e)),
        });
    }
    if matches!(answer.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        // Our key or clock is wrong: the operator fixes it, the retries then go through.
        return Err(CallFailed::Unavailable(answer.status));
    }
    // The bank refuses the application itself: a final answer.
    let why = answer.body["error"].as_str().unwrap_or("no reason given");
    let detail = format!("the bank refused the request ({}): {why}", answer.status.as_u16());
    let actor = format!("bank:{}", call.bank_code);
    store
        .apply_application_event(app.id, ApplicationEvent::Reject, &actor, &detail, BankFacts::default())
        .await
        .map_err(|e| unrecorded(&e))?;
    Ok(detail)
}

/// A store failure after the bank answered: the call is retried (the bank is idempotent).
fn unrecorded(e: &StoreError) -> CallFailed {
    tracing::warn!(error = %e, "a bank's answer could not be recorded");
    CallFailed::Unavailable(StatusCode::INTERNAL_SERVER_ERROR)
}

async fn cancel(state: &AppState, call: &BankCall) -> Result<String, CallFailed> {
    let Some(bank_ref) = call.bank_ref.as_deref() else {
        return Ok("nothing to cancel: the bank never acknowledged the application".into());
    };
    let mut body = json!({ "reason": call.reason });
    if let Some(amount) = call.amount_tiyn {
        body["amount_tiyn"] = json!(amount);
    }
    let path = format!("/applications/{bank_ref}/cancel");
    let answer = state.banks.call(&call.api_base_url, &call.api_key, &path, Some(&body)).await?;
    if matches!(answer.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        return Err(CallFailed::Unavailable(answer.status));
    }
    Ok(format!("{} {}", answer.status.as_u16(), answer.body))
}

/// Asks banks for applications they have been quiet about.
async fn poll_quiet(state: &AppState) -> Result<(), StoreError> {
    let quiet_since =
        Utc::now() - chrono::Duration::from_std(state.banks.poll_after).unwrap_or(chrono::Duration::seconds(30));
    let targets = state.store.applications_to_poll(quiet_since, BATCH).await?;
    let mut running = tokio::task::JoinSet::new();
    for target in targets {
        let state = state.clone();
        running.spawn(async move {
            if let Err(e) = poll(&state, &target).await {
                tracing::warn!(application = target.application_id, error = %e, "polling a bank failed");
            }
        });
    }
    while running.join_next().await.is_some() {}
    Ok(())
}

async fn poll(state: &AppState, target: &PollTarget) -> Result<(), StoreError> {
    state.store.mark_polled(target.application_id, Utc::now()).await?;
    let path = format!("/applications/{}", target.bank_ref);
    let Ok(answer) = state.banks.call(&target.api_base_url, &target.api_key, &path, None).await else {
        return Ok(()); // asked again after the next quiet period
    };
    if !answer.status.is_success() {
        return Ok(());
    }
    let (event, counter) = match answer.body["state"].as_str().unwrap_or("") {
        "approved" => (ApplicationEvent::Approve, None),
        "rejected" => (ApplicationEvent::Reject, None),
        "issued" => (ApplicationEvent::Issue, None),
        "cancelled" => (ApplicationEvent::Cancel, None),
        "counter_offer" => {
            let c = &answer.body["counter_offer"];
            let counter = c["amount_tiyn"].as_i64().zip(c["term_months"].as_i64().and_then(|t| i32::try_from(t).ok()));
            (ApplicationEvent::CounterOffer, counter)
        }
        _ => return Ok(()), // still deciding, or signed and not yet paid out
    };
    let app = state.store.credit_application(target.application_id).await?;
    let actor = format!("bank:{}", app.bank_code);
    let facts = BankFacts { bank_ref: None, counter };
    // The same answer as a webhook already applied is refused, changing nothing.
    state.store.apply_application_event(app.id, event, &actor, "found by polling the bank", facts).await?;
    Ok(())
}

/// Expires the applications of requests whose time ran out.
pub async fn expire_overdue(state: &AppState) -> Result<(), StoreError> {
    for id in state.store.overdue_applications(Utc::now(), 200).await? {
        state
            .store
            .apply_application_event(
                id,
                ApplicationEvent::Expire,
                "platform",
                "no answer in time",
                BankFacts::default(),
            )
            .await?;
    }
    Ok(())
}
