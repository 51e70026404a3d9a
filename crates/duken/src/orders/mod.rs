//! Issue 7: the buyer's cart, checkout and orders, and the payment port. The rules of an
//! order's life are `duken_core::order`; storage and the no-oversell reservation are
//! `duken_store::orders`; the seller's side is the merchant API (`crate::merchant_api::orders`)
//! and the cabinet's orders page.

pub mod api;
pub mod handover;
pub mod html;
pub mod jobs;
pub mod payments;

use std::collections::BTreeMap;

use duken_core::Money;
use duken_core::consent::{Purpose, Recipient};
use duken_core::order::{DeliveryMode, PaymentMode};
use duken_store::consent::NewConsent;
use duken_store::orders::{CheckoutLine, CheckoutOutcome, CheckoutRequest, Customer, MAX_QUANTITY, SellerDelivery};

use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::prefs::{Prefs, Viewer};

/// How long an unpaid or unsigned order keeps its units.
pub const HOLD: chrono::Duration = chrono::Duration::minutes(30);

pub fn routes(state: AppState) -> axum::Router<AppState> {
    api::routes(state.clone()).merge(html::routes(state))
}

/// A checkout as the buyer confirmed it, from the JSON API or the checkout form.
pub struct CheckoutInput {
    pub idempotency_key: String,
    pub payment: PaymentMode,
    /// On credit: the bank product and term picked, the IIN and the consent to the banks.
    pub credit: Option<crate::credit::applications::CreditChoice>,
    /// (offer, quantity, the price in tiyn the buyer was shown)
    pub lines: Vec<(i64, i32, i64)>,
    /// (seller, mode, pickup store, address)
    pub delivery: Vec<(i64, DeliveryMode, Option<i64>, String)>,
    pub consent_to_sellers: bool,
}

/// What a checkout made: the orders (or what changed), and on credit the application to the
/// banks (its page: `/credit/requests/{id}`).
pub struct Placement {
    pub outcome: CheckoutOutcome,
    pub credit_request: Option<i64>,
}

/// Checks a checkout, records the buyer's consent and each seller's disclosure (§9.1), and
/// places it: the orders, or every line that changed. On credit, the application goes to the
/// banks (`crate::credit::applications`).
pub async fn place(
    state: &AppState,
    prefs: &Prefs,
    viewer: &Viewer,
    input: CheckoutInput,
    request_id: &str,
) -> Result<Placement, AppError> {
    let key = input.idempotency_key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::bad_param("idempotency_key", Message::new("order-idempotency-key")));
    }
    let payment = input.payment;
    if input.lines.is_empty() || input.lines.len() > 100 {
        return Err(AppError::bad_param("lines", Message::new("order-lines")));
    }
    let mut seen = std::collections::HashSet::new();
    for &(offer_id, quantity, price_tiyn) in &input.lines {
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(AppError::bad_param(
                "quantity",
                Message::new("order-quantity").arg("max", i64::from(MAX_QUANTITY)),
            ));
        }
        if price_tiyn <= 0 {
            return Err(AppError::bad_param("price_tiyn", Message::new("order-price")));
        }
        if !seen.insert(offer_id) {
            return Err(AppError::bad_param("lines", Message::new("order-duplicate-line")));
        }
    }
    let mut delivery = BTreeMap::new();
    for (seller_id, mode, pickup_store, address) in &input.delivery {
        let seller_id = *seller_id;
        let mode = Some(*mode)
            .filter(|m| matches!(m, DeliveryMode::Pickup | DeliveryMode::Local))
            .ok_or_else(|| AppError::bad_param("delivery", Message::new("order-delivery")))?;
        let address: String = address.trim().chars().take(300).collect();
        if mode == DeliveryMode::Local && address.is_empty() {
            return Err(AppError::bad_param("delivery", Message::new("order-address")));
        }
        delivery.insert(seller_id, SellerDelivery { mode, pickup_store: *pickup_store, address });
    }
    if !input.consent_to_sellers {
        return Err(AppError::bad_param("consent_to_sellers", Message::new("order-consent")));
    }
    // On credit, the orders wait in SIGN_REQUIRED for the bank's decision and the buyer's
    // signature; the pick is checked against the amount the buyer saw before anything is made.
    let credit = match (payment, &input.credit) {
        (PaymentMode::PayWithCredit, None) => {
            return Err(AppError::bad_param("credit_product", Message::new("order-credit-term")));
        }
        (PaymentMode::PayWithCredit, Some(choice)) => {
            let seen: i64 = input.lines.iter().map(|&(_, q, p)| i64::from(q).saturating_mul(p)).sum();
            crate::credit::applications::check_choice(state, choice, Money::from_tiyn(seen)).await?;
            crate::credit::applications::consent(state, prefs, viewer, request_id).await?;
            Some(choice)
        }
        _ => None,
    };
    // §9.1: the consent is given (once) and each seller's view of the buyer disclosed and logged.
    let seller_consent = ensure_consent(
        state,
        prefs,
        viewer,
        Purpose::OrderProcessing,
        Recipient::Seller,
        "order-consent-text",
        request_id,
    )
    .await?;
    let name = state.store.display_name(viewer.user_id).await?;
    let req = CheckoutRequest {
        buyer_id: viewer.user_id,
        idempotency_key: key,
        city: prefs.city.kato,
        payment,
        credit_term: credit.map(|c| i32::from(c.term)),
        lines: input
            .lines
            .iter()
            .map(|&(offer_id, quantity, price)| CheckoutLine {
                offer_id,
                quantity,
                seen_price: Money::from_tiyn(price),
            })
            .collect(),
        delivery,
        buyer_contact: Customer { name, phone: viewer.phone.clone() },
        seller_consent,
        hold: HOLD,
        request_id,
    };
    let mut next_code = || format!("{}", 100_000_000 + rand::random::<u32>() % 900_000_000);
    let outcome = state.store.place_checkout(&req, &mut next_code).await?;
    let credit_request = match (&outcome, credit) {
        (CheckoutOutcome::Placed { checkout_id, orders, .. }, Some(choice)) => {
            let amount = Money::from_tiyn(orders.iter().map(|o| o.total_tiyn).sum());
            Some(crate::credit::applications::start(state, viewer, *checkout_id, amount, choice, request_id).await?)
        }
        _ => None,
    };
    Ok(Placement { outcome, credit_request })
}

/// Records the buyer's consent to `recipient` for `purpose` (the text shown: `text_key`),
/// unless one on the ledger allows it already; returns that one (none when just given).
pub async fn ensure_consent(
    state: &AppState,
    prefs: &Prefs,
    viewer: &Viewer,
    purpose: Purpose,
    recipient: Recipient,
    text_key: &str,
    request_id: &str,
) -> Result<Option<i64>, AppError> {
    let consents = state.store.consents(viewer.user_id).await?;
    let live = duken_store::consent::allowing_consent(&consents, purpose, recipient, false);
    if live.is_none() {
        let text = crate::web::i18n::t(prefs.lang, text_key);
        let consent = NewConsent { purpose, recipient, cross_border: false, text_shown: &text, context: "checkout" };
        state.store.give_consents(viewer.user_id, &[consent], request_id).await?;
    }
    Ok(live)
}

/// What the buyer is told of a line (or a seller's part) that cannot be bought as confirmed.
pub fn problem_text(p: &duken_store::orders::LineProblem, lang: duken_core::Lang) -> String {
    use duken_store::orders::LineProblem;
    match p {
        LineProblem::Unavailable { .. } => Message::new("order-problem-unavailable"),
        LineProblem::PriceChanged { seen, now, .. } => {
            Message::new("order-problem-price").arg("seen", seen.format(lang)).arg("now", now.format(lang))
        }
        LineProblem::NotEnoughStock { left, at_store: None, .. } => {
            Message::new("order-problem-stock").arg("left", *left)
        }
        LineProblem::NotEnoughStock { left, at_store: Some(_), .. } => {
            Message::new("order-problem-stock-at-store").arg("left", *left)
        }
        LineProblem::BadPickupStore { .. } => Message::new("order-problem-store"),
        LineProblem::NoDelivery { .. } => Message::new("order-problem-delivery"),
    }
    .render(lang)
}

/// An order by its number as `scope` may see it (another's, or none, is a 404).
pub async fn order_for(
    state: &AppState,
    scope: duken_store::orders::OrderScope,
    code: &str,
) -> Result<duken_store::orders::Order, AppError> {
    match state.store.order_by_code(scope, code.trim()).await {
        Ok(o) => Ok(o),
        Err(duken_store::StoreError::NotFound) => Err(AppError::NotFound(Message::new("error-no-such-order"))),
        Err(e) => Err(e.into()),
    }
}

/// The buyer's own order by its number (another's, or none, is a 404).
pub async fn buyer_order(state: &AppState, buyer: i64, code: &str) -> Result<duken_store::orders::Order, AppError> {
    order_for(state, duken_store::orders::OrderScope::Buyer(buyer), code).await
}

/// The buyer cancels their order (allowed until the seller accepts it); its units come back.
pub async fn cancel_as_buyer(
    state: &AppState,
    buyer: i64,
    code: &str,
    request_id: &str,
) -> Result<duken_store::orders::Order, AppError> {
    use duken_store::orders::{ChangeOutcome, OrderChange, OrderScope};
    let order = buyer_order(state, buyer, code).await?;
    let change = OrderChange {
        action: duken_core::order::Action::Cancel(duken_core::order::CancellationReason::BuyerCancellationHimself),
        comment: "",
        number_of_space: None,
        request_id,
    };
    match state.store.change_order(OrderScope::Buyer(buyer), order.id, &change).await? {
        ChangeOutcome::Changed(o) => Ok(*o),
        ChangeOutcome::Refused(_) => Err(AppError::bad_param("code", Message::new("order-cannot-cancel"))),
    }
}
