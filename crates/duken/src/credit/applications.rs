//! A buyer's credit application, from checkout to the loan (§3, §9.1-3): the offer picked is
//! checked, the banks are chosen by the operator's routing policy, the request is made with
//! the buyer's consent and each bank's disclosure logged (`duken_store::credit_applications`),
//! and the buyer's later steps — the bank's signing code, the signature, a counter-offer, a
//! choice among approvals — are relayed to the bank while the buyer waits.

use duken_core::Money;
use duken_core::bin::Iin;
use duken_core::consent::{Purpose, Recipient};
use duken_core::credit_application::{ApplicationEvent, ApplicationState, RoutingPolicy};
use duken_store::StoreError;
use duken_store::credit::BankProduct;
use duken_store::credit_applications::{
    Application, ApplicationEventRecord, BankFacts, Created, CreditRequest, EventOutcome, NewRequest, Routing,
};
use reqwest::StatusCode;
use serde_json::json;

use super::{Offer, Offers, issue_date, offers};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::prefs::{Prefs, Viewer};

/// What the buyer picked at checkout.
#[derive(Clone, Debug)]
pub struct CreditChoice {
    pub product_id: i64,
    pub term: u16,
    pub iin: String,
    pub consent_to_bank: bool,
}

/// The offers a checkout of `amount` may take under the routing policy (only the preferred
/// bank's, when one is set).
pub async fn checkout_offers(state: &AppState, amount: Money) -> Result<Offers, AppError> {
    let routing = state.store.credit_routing().await?;
    let found = offers(state, amount, issue_date()).await?;
    Ok(match (found, routing.preferred_bank_id.filter(|_| routing.policy == RoutingPolicy::Preferred)) {
        (Offers::Found(all), Some(bank)) => Offers::Found(all.into_iter().filter(|o| o.bank.bank_id == bank).collect()),
        (found, _) => found,
    })
}

/// Checks the buyer's pick before anything is placed: a valid IIN, consent to the bank, and an
/// offer the amount allows, within the cap and the routing policy.
pub async fn check_choice(state: &AppState, choice: &CreditChoice, amount: Money) -> Result<Offer, AppError> {
    if Iin::parse(choice.iin.trim()).is_err() {
        return Err(AppError::bad_param("iin", Message::new("credit-iin-invalid")));
    }
    if !choice.consent_to_bank {
        return Err(AppError::bad_param("consent_to_bank", Message::new("credit-consent-required")));
    }
    let found = match checkout_offers(state, amount).await? {
        Offers::Found(found) => found,
        Offers::OutOfRange(_) => {
            return Err(AppError::bad_param("credit_product", Message::new("credit-amount-no-product")));
        }
    };
    let of_product: Vec<&Offer> = found.iter().filter(|o| o.bank.product_id == choice.product_id).collect();
    if of_product.is_empty() {
        return Err(AppError::bad_param("credit_product", Message::new("credit-product-unavailable")));
    }
    match of_product.iter().find(|o| o.schedule.term == choice.term) {
        Some(o) => Ok(Offer { bank: o.bank.clone(), schedule: o.schedule.clone() }),
        None => {
            let terms: Vec<String> = of_product.iter().map(|o| o.schedule.term.to_string()).collect();
            Err(AppError::bad_param(
                "credit_term",
                Message::new("credit-term-not-allowed").arg("terms", terms.join(", ")),
            ))
        }
    }
}

/// The banks an application goes to: the picked product's bank, and under the fan-out
/// policies every other bank with a product of the same kind offering the term.
fn targets(routing: Routing, picked: &BankProduct, term: u16, all: &[Offer]) -> Vec<(i64, i64)> {
    let mut targets = vec![(picked.bank_id, picked.product_id)];
    if routing.policy != RoutingPolicy::Preferred {
        for o in all {
            let same = o.bank.product.kind == picked.product.kind && o.schedule.term == term;
            if same && !targets.iter().any(|(b, _)| *b == o.bank.bank_id) {
                targets.push((o.bank.bank_id, o.bank.product_id));
            }
        }
    }
    targets
}

/// Records the buyer's consent to the banks (once) before the checkout is placed.
pub async fn consent(state: &AppState, prefs: &Prefs, viewer: &Viewer, request_id: &str) -> Result<(), AppError> {
    let (purpose, recipient) = (Purpose::CreditApplication, Recipient::Bank);
    crate::orders::ensure_consent(state, prefs, viewer, purpose, recipient, "credit-consent-text", request_id).await?;
    Ok(())
}

/// Makes the credit request of a placed checkout (idempotent: a replayed checkout finds its
/// request). The amount is what was placed, which may differ from the cart's by nothing but
/// rounding; an amount the pick no longer allows is refused.
pub async fn start(
    state: &AppState,
    viewer: &Viewer,
    checkout_id: i64,
    amount: Money,
    choice: &CreditChoice,
    request_id: &str,
) -> Result<i64, AppError> {
    if let Some(id) = state.store.credit_request_of_checkout(checkout_id).await? {
        return Ok(id);
    }
    let picked = check_choice(state, choice, amount).await?;
    let routing = state.store.credit_routing().await?;
    let all = match checkout_offers(state, amount).await? {
        Offers::Found(all) => all,
        Offers::OutOfRange(_) => Vec::new(),
    };
    let targets = targets(routing, &picked.bank, choice.term, &all);
    let name = state.store.display_name(viewer.user_id).await?;
    let iin =
        Iin::parse(choice.iin.trim()).map_err(|_| AppError::bad_param("iin", Message::new("credit-iin-invalid")))?;
    let created = state
        .store
        .create_credit_request(&NewRequest {
            checkout_id,
            buyer_id: viewer.user_id,
            amount_tiyn: amount.tiyn(),
            product_id: picked.bank.product_id,
            term_months: choice.term,
            policy: routing.policy,
            iin: iin.as_str(),
            name: if name.trim().is_empty() { "-" } else { name.trim() },
            phone: &viewer.phone,
            // A minute before the orders' hold, so that the credit side closes first and
            // puts the lines back in the cart.
            expires_at: chrono::Utc::now() + crate::orders::HOLD - chrono::Duration::minutes(1),
            targets: &targets,
            request_id,
        })
        .await?;
    match created {
        Created::Request { id, .. } => Ok(id),
        Created::NoConsent { .. } => {
            Err(AppError::bad_param("consent_to_bank", Message::new("credit-consent-required")))
        }
    }
}

/// A request with everything its page shows.
pub struct RequestView {
    pub request: CreditRequest,
    pub applications: Vec<Application>,
    pub events: Vec<ApplicationEventRecord>,
    /// (id, number, state, status, total)
    pub orders: Vec<(i64, String, String, String, i64)>,
}

/// A buyer's own request (another's is a 404).
pub async fn view(state: &AppState, id: i64, buyer: Option<i64>) -> Result<RequestView, AppError> {
    let request = match state.store.credit_request(id, buyer).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(AppError::NotFound(Message::new("credit-no-such-request"))),
        Err(e) => return Err(e.into()),
    };
    let applications = state.store.credit_applications(id).await?;
    let events = state.store.credit_events(id).await?;
    let orders = state.store.checkout_order_states(request.checkout_id).await?;
    Ok(RequestView { request, applications, events, orders })
}

impl RequestView {
    pub fn application(&self, id: i64) -> Result<&Application, AppError> {
        self.applications
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::NotFound(Message::new("credit-no-such-request")))
    }

    /// The application the buyer deals with now: issued, signed, or the only approved one.
    pub fn current(&self) -> Option<&Application> {
        let by = |s: ApplicationState| self.applications.iter().find(|a| a.state == s.as_str());
        by(ApplicationState::Issued).or_else(|| by(ApplicationState::Signed)).or_else(|| {
            let approved: Vec<&Application> =
                self.applications.iter().filter(|a| a.state == ApplicationState::Approved.as_str()).collect();
            (approved.len() == 1).then(|| approved[0])
        })
    }
}

/// What went wrong in a step relayed to a bank, for the buyer.
fn bank_unavailable() -> AppError {
    AppError::Unavailable(Message::new("credit-bank-unavailable"))
}

fn not_now() -> AppError {
    AppError::Conflict(Message::new("credit-step-not-now"))
}

/// Calls the bank about an application while the buyer waits: its answer, or "try again".
async fn bank_step(
    state: &AppState,
    app: &Application,
    action: &str,
    body: serde_json::Value,
) -> Result<super::client::Answer, AppError> {
    let Some(bank_ref) = app.bank_ref.as_deref() else { return Err(not_now()) };
    let bank = state.store.bank_api_by_id(app.bank_id).await?;
    let path = format!("/applications/{bank_ref}/{action}");
    state.banks.call(&bank.api_base_url, &bank.api_key, &path, Some(&body)).await.map_err(|_| bank_unavailable())
}

/// A step the bank refused: not possible now (409), or the bank's trouble.
fn bank_refused(status: StatusCode) -> AppError {
    if status == StatusCode::CONFLICT { not_now() } else { bank_unavailable() }
}

/// Asks the bank to text the buyer a signing code for an approved application. Under
/// `buyer_chooses`, asking for one bank's code is the choice: the others are withdrawn.
pub async fn request_code(state: &AppState, view: &RequestView, application_id: i64) -> Result<(), AppError> {
    let app = view.application(application_id)?;
    if app.state != ApplicationState::Approved.as_str() || view.request.state != "open" {
        return Err(not_now());
    }
    let answer = bank_step(state, app, "signing-code", json!({})).await?;
    if !answer.status.is_success() {
        return Err(bank_refused(answer.status));
    }
    let actor = format!("user:{}", view.request.buyer_id);
    if view.applications.len() > 1 {
        state.store.choose_application(view.request.id, app.id, &actor).await?;
    }
    Ok(())
}

/// How a signature went.
pub enum Signed {
    Done,
    WrongCode {
        tries_left: i64,
    },
    /// Five wrong codes: the bank locked the application, which is cancelled.
    Locked,
}

/// Relays the code the buyer typed to the bank; signed, the application waits for the payout.
pub async fn sign(state: &AppState, view: &RequestView, application_id: i64, code: &str) -> Result<Signed, AppError> {
    let app = view.application(application_id)?;
    if app.state != ApplicationState::Approved.as_str() || view.request.state != "open" {
        return Err(not_now());
    }
    let code = code.trim();
    if code.is_empty() || code.len() > 12 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::bad_param("code", Message::new("credit-code-format")));
    }
    let answer = bank_step(state, app, "sign", json!({ "code": code })).await?;
    let actor = format!("user:{}", view.request.buyer_id);
    match answer.status {
        s if s.is_success() => {
            let outcome = state
                .store
                .apply_application_event(
                    app.id,
                    ApplicationEvent::Sign,
                    &actor,
                    "signed with the bank's code",
                    BankFacts::default(),
                )
                .await?;
            match outcome {
                EventOutcome::Applied(_) => Ok(Signed::Done),
                EventOutcome::Refused(_) => Err(not_now()),
            }
        }
        StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(Signed::WrongCode { tries_left: answer.body["tries_left"].as_i64().unwrap_or(0) })
        }
        StatusCode::LOCKED => {
            state
                .store
                .apply_application_event(
                    app.id,
                    ApplicationEvent::Cancel,
                    &actor,
                    "the bank locked signing after five wrong codes",
                    BankFacts::default(),
                )
                .await?;
            Ok(Signed::Locked)
        }
        StatusCode::CONFLICT => Err(not_now()),
        _ => Err(bank_unavailable()),
    }
}

/// The buyer takes a counter-offer (only one that still covers the orders) or declines it.
pub async fn answer_counter_offer(
    state: &AppState,
    view: &RequestView,
    application_id: i64,
    accept: bool,
) -> Result<(), AppError> {
    let app = view.application(application_id)?;
    if app.state != ApplicationState::CounterOffer.as_str() || view.request.state != "open" {
        return Err(not_now());
    }
    let actor = format!("user:{}", view.request.buyer_id);
    if !accept {
        state
            .store
            .apply_application_event(
                app.id,
                ApplicationEvent::Cancel,
                &actor,
                "the buyer declined the counter-offer",
                BankFacts::default(),
            )
            .await?;
        return Ok(());
    }
    if app.counter_amount_tiyn.unwrap_or(0) < view.request.amount_tiyn {
        return Err(AppError::Conflict(Message::new("credit-counter-too-small")));
    }
    let answer = bank_step(state, app, "accept", json!({})).await?;
    if !answer.status.is_success() {
        return Err(bank_refused(answer.status));
    }
    state
        .store
        .apply_application_event(
            app.id,
            ApplicationEvent::AcceptCounterOffer,
            &actor,
            "the buyer took the counter-offer",
            BankFacts::default(),
        )
        .await?;
    Ok(())
}

/// The buyer withdraws the whole request: the orders are cancelled (their units come back,
/// the banks are told through the orders' cancellation).
pub async fn cancel(state: &AppState, view: &RequestView, request_id: &str) -> Result<(), AppError> {
    if view.request.state != "open" || view.applications.iter().any(|a| a.state == ApplicationState::Signed.as_str()) {
        return Err(not_now());
    }
    for (order_id, ..) in view.orders.iter().filter(|o| o.2 == "SIGN_REQUIRED") {
        let change = duken_store::orders::OrderChange {
            action: duken_core::order::Action::Cancel(duken_core::order::CancellationReason::BuyerCancellationHimself),
            comment: "the buyer withdrew the credit application",
            number_of_space: None,
            request_id,
        };
        state
            .store
            .change_order(duken_store::orders::OrderScope::Buyer(view.request.buyer_id), *order_id, &change)
            .await?;
    }
    Ok(())
}
