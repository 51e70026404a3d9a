//! The buyer's cart, checkout and orders as JSON (`/api/v1/cart`, `/api/v1/checkout`,
//! `/api/v1/orders`), and the simulated acquirer's signed callback (`/payments/callback`).
//! Signed in only (`Authorization: Bearer` or the session cookie); a buyer sees only their
//! own orders (another's answers 404).

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use duken_core::Money;
use duken_core::order::{DeliveryMode, PaymentMode};
use duken_store::StoreError;
use duken_store::orders::{CartOwner, CheckoutOutcome, LineProblem, MAX_QUANTITY, Settlement};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::payments;
use crate::app::AppState;
use crate::catalog::api::money_value as money;
use crate::catalog::clip;
use crate::web::access;
use crate::web::error::{AppError, ErrorDocument};
use crate::web::i18n::Message;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

/// The routes not in `/openapi.json`: the simulated acquirer and the acquirer's callback. The
/// buyer's cart, checkout and orders are registered with their documentation in `web::router`.
pub fn routes(state: AppState) -> Router<AppState> {
    let buyer = Router::new()
        .route("/api/v1/payments/{id}/simulate", post(simulate_payment))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(duken_core::roles::Access::SignedIn));
    buyer.route("/payments/callback", post(payment_callback))
}

pub(crate) fn body<T: serde::de::DeserializeOwned>(json: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    json.map(|Json(v)| v)
        .map_err(|e| AppError::bad_param("body", Message::new("error-json").arg("detail", clip(&e.body_text()))))
}

#[utoipa::path(get, path = "/api/v1/cart", tag = "orders",
    responses((status = 200, description = "The cart's lines priced for the buyer's city (`city` query or cookie): offer, product, title, seller, SKU, quantity, price {tiyn, formatted} or null where the offer is not sold in the city, units in stock, available; and the total"),
              (status = 401, body = ErrorDocument)))]
pub async fn cart(State(state): State<AppState>, Extension(prefs): Extension<Prefs>) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let lines = state.store.cart_lines(CartOwner::User(viewer.user_id), prefs.city.kato).await?;
    let items: Vec<Value> = lines
        .iter()
        .map(|l| {
            json!({
                "offer_id": l.offer_id, "product_id": l.product_id, "title": l.title.get(prefs.lang),
                "seller": { "id": l.seller_id, "name": l.seller_name }, "sku": l.sku, "quantity": l.quantity,
                "price": l.price.map(|p| money(p, &prefs)), "in_stock": l.stock, "available": l.available && l.price.is_some(),
            })
        })
        .collect();
    let total = lines
        .iter()
        .filter_map(|l| l.price.map(|p| p.tiyn().saturating_mul(i64::from(l.quantity))))
        .fold(0i64, i64::saturating_add);
    Ok(Json(
        json!({ "city": prefs.city.kato.to_string(), "items": items, "total": money(Money::from_tiyn(total), &prefs) }),
    )
    .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct NewItem {
    pub offer_id: i64,
    pub quantity: i32,
}

#[utoipa::path(post, path = "/api/v1/cart/items", tag = "orders", request_body = NewItem,
    responses((status = 204, description = "Added (quantities add up, at most 999)"),
              (status = 400, description = "Quantity outside 1–999", body = ErrorDocument),
              (status = 404, description = "No such offer", body = ErrorDocument)))]
pub async fn add_item(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    item: Result<Json<NewItem>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let item = body(item)?;
    if !(1..=MAX_QUANTITY).contains(&item.quantity) {
        return Err(AppError::bad_param(
            "quantity",
            Message::new("order-quantity").arg("max", i64::from(MAX_QUANTITY)),
        ));
    }
    match state.store.add_to_cart(CartOwner::User(viewer.user_id), item.offer_id, item.quantity).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        // The offer does not exist (a reference check refused it).
        Err(StoreError::Conflict(_) | StoreError::NotFound) => {
            Err(AppError::NotFound(Message::new("order-no-such-offer").arg("id", item.offer_id)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CheckoutBody {
    pub idempotency_key: String,
    pub payment_mode: String,
    /// On credit (`PAY_WITH_CREDIT`): the bank product (`product_id` of `GET
    /// /api/v1/credit/offers`) and the term in months that the amount allows.
    #[serde(default)]
    pub credit_product: Option<i64>,
    #[serde(default)]
    pub credit_term: Option<i32>,
    /// On credit: the buyer's IIN (12 digits, with a valid check digit), sent to the banks.
    #[serde(default)]
    pub iin: Option<String>,
    /// On credit: the buyer agrees that the banks receive the application (§9.1 item 3).
    #[serde(default)]
    pub consent_to_bank: bool,
    pub lines: Vec<CheckoutBodyLine>,
    /// By seller id.
    pub delivery: BTreeMap<String, DeliveryBody>,
    /// The buyer agrees that each seller sees their name and phone (§9.1).
    #[serde(default)]
    pub consent_to_sellers: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct CheckoutBodyLine {
    pub offer_id: i64,
    pub quantity: i32,
    /// The price the buyer was shown, in tiyn.
    pub price_tiyn: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct DeliveryBody {
    pub mode: String,
    #[serde(default)]
    pub pickup_store_id: Option<i64>,
    #[serde(default)]
    pub address: String,
}

#[utoipa::path(post, path = "/api/v1/checkout", tag = "orders", request_body = CheckoutBody,
    responses((status = 201, description = "Placed: `{checkout_id, replayed: false, orders: [{code, seller_id, total, url}], payment: {id, simulate} | null}`, one order per seller, every unit reserved"),
              (status = 200, description = "This idempotency key was used before: the same orders, nothing new"),
              (status = 400, description = "A bad field (quantity, price, delivery, payment mode, credit term, no consent)", body = ErrorDocument),
              (status = 409, description = "Nothing placed: `{errors: [{code: unavailable | price_changed | not_enough_stock | bad_pickup_store | no_delivery, offer_id | seller_id, title, …}]}` with every line that changed; `not_enough_stock` carries `left` and, for a pickup, `pickup_store_id`")))]
pub async fn checkout(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    b: Result<Json<CheckoutBody>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let b = body(b)?;
    let payment = PaymentMode::parse(&b.payment_mode)
        .ok_or_else(|| AppError::bad_param("payment_mode", Message::new("order-payment-mode")))?;
    let mut delivery = Vec::new();
    for (seller, d) in &b.delivery {
        let seller_id: i64 =
            seller.parse().map_err(|_| AppError::bad_param("delivery", Message::new("order-delivery")))?;
        let mode = DeliveryMode::parse(&d.mode)
            .ok_or_else(|| AppError::bad_param("delivery", Message::new("order-delivery")))?;
        delivery.push((seller_id, mode, d.pickup_store_id, d.address.clone()));
    }
    let input = super::CheckoutInput {
        idempotency_key: b.idempotency_key,
        payment,
        credit: (payment == PaymentMode::PayWithCredit)
            .then(|| credit_choice(b.credit_product, b.credit_term, b.iin.clone(), b.consent_to_bank))
            .transpose()?,
        lines: b.lines.iter().map(|l| (l.offer_id, l.quantity, l.price_tiyn)).collect(),
        delivery,
        consent_to_sellers: b.consent_to_sellers,
    };
    let placement = super::place(&state, &prefs, viewer, input, &request_id.0).await?;
    let credit = placement.credit_request.map(|id| json!({ "id": id, "url": format!("/api/v1/credit/requests/{id}"), "page": format!("/credit/requests/{id}") }));
    match placement.outcome {
        CheckoutOutcome::Placed { checkout_id, orders, payment_id, replayed } => {
            let status = if replayed { StatusCode::OK } else { StatusCode::CREATED };
            let orders: Vec<Value> = orders
                .iter()
                .map(|o| json!({ "code": o.code, "seller_id": o.seller_id, "total": money(Money::from_tiyn(o.total_tiyn), &prefs),
                                 "url": format!("/api/v1/orders/{}", o.code) }))
                .collect();
            Ok((status, Json(json!({ "checkout_id": checkout_id, "replayed": replayed, "orders": orders,
                "payment": payment_id.map(|id| json!({ "id": id, "simulate": format!("/api/v1/payments/{id}/simulate") })),
                "credit_request": credit })))
                .into_response())
        }
        CheckoutOutcome::Changed(problems) => {
            let items: Vec<Value> = problems.iter().map(|p| problem_json(p, &prefs)).collect();
            Ok((StatusCode::CONFLICT, Json(json!({ "errors": items }))).into_response())
        }
    }
}

/// The credit fields of a checkout, checked for presence (the offer itself is checked against
/// the amount in `credit::applications::check_choice`).
fn credit_choice(
    product: Option<i64>,
    term: Option<i32>,
    iin: Option<String>,
    consent_to_bank: bool,
) -> Result<crate::credit::applications::CreditChoice, AppError> {
    let product_id = product.ok_or_else(|| AppError::bad_param("credit_product", Message::new("order-credit-term")))?;
    let term = term
        .and_then(|t| u16::try_from(t).ok())
        .filter(|t| *t > 0)
        .ok_or_else(|| AppError::bad_param("credit_term", Message::new("order-credit-term")))?;
    Ok(crate::credit::applications::CreditChoice { product_id, term, iin: iin.unwrap_or_default(), consent_to_bank })
}

fn problem_json(p: &LineProblem, prefs: &Prefs) -> Value {
    let mut doc = match p {
        LineProblem::Unavailable { offer_id } => json!({ "code": "unavailable", "offer_id": offer_id }),
        LineProblem::PriceChanged { offer_id, seen, now } => json!({ "code": "price_changed", "offer_id": offer_id,
            "seen": money(*seen, prefs), "now": money(*now, prefs) }),
        LineProblem::NotEnoughStock { offer_id, left, at_store } => {
            json!({ "code": "not_enough_stock", "offer_id": offer_id, "left": left, "pickup_store_id": at_store })
        }
        LineProblem::BadPickupStore { seller_id } => json!({ "code": "bad_pickup_store", "seller_id": seller_id }),
        LineProblem::NoDelivery { seller_id } => json!({ "code": "no_delivery", "seller_id": seller_id }),
    };
    doc["status"] = json!("409");
    doc["title"] = json!(super::problem_text(p, prefs.lang));
    doc
}

fn order_json(o: &duken_store::orders::Order, prefs: &Prefs) -> Value {
    json!({
        "code": o.code, "seller_id": o.seller_id, "state": o.state, "status": o.status,
        "payment_mode": o.payment_mode, "delivery_mode": o.delivery_mode,
        "total": money(Money::from_tiyn(o.total_tiyn), prefs),
        "created_at": o.created_at, "cancellation_reason": o.cancellation_reason,
    })
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(("page" = Option<u32>, Query, description = "From 1"), ("per_page" = Option<u32>, Query, description = "1–100")),
    responses((status = 200, description = "The buyer's orders, newest first: `{data: [{code, seller_id, state, status, payment_mode, delivery_mode, total, created_at, cancellation_reason}], meta}`"),
              (status = 401, body = ErrorDocument)))]
pub async fn my_orders(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let page = crate::web::params::Params::from_uri(&uri).page()?;
    let (orders, total) = state.store.buyer_orders(viewer.user_id, i64::from(page.per_page), page.offset()).await?;
    Ok(Json(json!({ "data": orders.iter().map(|o| order_json(o, &prefs)).collect::<Vec<_>>(),
                    "meta": { "total": total, "page": page.page, "per_page": page.per_page } }))
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/orders/{code}", tag = "orders",
    params(("code" = String, Path, description = "The order number")),
    responses((status = 200, description = "The order with its lines, its timeline (every transition with actor and reason), the hand-over code while one sent is live (`handover_code`, else null) and the hand-over warning (§10)"),
              (status = 404, description = "No such order of this buyer", body = ErrorDocument)))]
pub async fn my_order(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let order = super::buyer_order(&state, viewer.user_id, &code).await?;
    let entries = state.store.order_entries(&[order.id]).await?;
    let events = state.store.order_events(order.id).await?;
    let mut doc = order_json(&order, &prefs);
    doc["entries"] = json!(
        entries
            .iter()
            .map(|e| json!({ "number": e.entry_number, "offer_id": e.offer_id, "name": e.name,
        "quantity": e.quantity, "price": money(Money::from_tiyn(e.base_price_tiyn), &prefs),
        "total": money(Money::from_tiyn(e.total_price_tiyn), &prefs) }))
            .collect::<Vec<_>>()
    );
    doc["timeline"] = json!(
        events
            .iter()
            .map(|e| json!({ "at": e.created_at, "action": e.action, "actor": e.actor,
        "state": e.to_state, "status": e.to_status, "reason": e.reason }))
            .collect::<Vec<_>>()
    );
    // §10: the code the seller asked to be sent, to the buyer only (as on the order page), while
    // it is live; `null` otherwise.
    doc["handover_code"] = json!(super::handover::code_for_buyer(&state, &order).await?);
    doc["handover_warning"] = json!(crate::web::i18n::t(prefs.lang, "order-handover-warning"));
    Ok(Json(doc).into_response())
}

#[utoipa::path(post, path = "/api/v1/orders/{code}/cancel", tag = "orders",
    params(("code" = String, Path, description = "The order number")),
    responses((status = 200, description = "Cancelled; its units are back in stock"),
              (status = 400, description = "The seller has accepted it already: ask the seller", body = ErrorDocument),
              (status = 404, description = "No such order of this buyer", body = ErrorDocument)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let order = super::cancel_as_buyer(&state, viewer.user_id, &code, &request_id.0).await?;
    Ok(Json(order_json(&order, &prefs)).into_response())
}

#[derive(Deserialize)]
struct Simulate {
    outcome: String,
}

/// The simulated acquirer (development and tests): it signs a callback as a real acquirer
/// would and hands it to the same handler an acquirer's request reaches.
async fn simulate_payment(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<i64>,
    b: Result<Json<Simulate>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let b = body(b)?;
    let paid = match b.outcome.as_str() {
        "paid" => true,
        "declined" => false,
        _ => return Err(AppError::bad_param("outcome", Message::new("order-payment-outcome"))),
    };
    match state.store.payment_buyer(id).await {
        Ok(buyer) if buyer == viewer.user_id => {}
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::NotFound(Message::new("error-no-such-order"))),
        Err(e) => return Err(e.into()),
    }
    let payment = state.store.payment(id).await?;
    let settled = payments::simulate(&state, &payment, paid, &request_id.0).await?;
    Ok(Json(json!({ "settlement": settlement_name(&settled) })).into_response())
}

fn settlement_name(s: &Settlement) -> &'static str {
    match s {
        Settlement::Applied => "applied",
        Settlement::Duplicate => "duplicate",
        Settlement::Ignored => "ignored",
    }
}

/// An acquirer's callback: `X-Signature` is the HMAC of `timestamp.body` under the shared
/// secret; older than five minutes, or signed wrong, it is refused and changes nothing.
async fn payment_callback(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    let signature = headers.get("x-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let settled = payments::receive(&state, &raw, signature, &request_id.0).await?;
    Ok(Json(json!({ "settlement": settlement_name(&settled) })).into_response())
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "orders",
    responses((status = 200, description = "The buyer's order notifications, newest first: `{data: [{id, order, kind, created_at, text}]}`"),
              (status = 401, body = ErrorDocument)))]
pub async fn notifications(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let notes = state.store.notifications(Some(viewer.user_id), None, 100).await?;
    let data: Vec<Value> = notes
        .iter()
        .map(|n| {
            json!({ "id": n.id, "order": n.order_code, "kind": n.kind, "created_at": n.created_at,
                    "text": super::jobs::note_text(prefs.lang, &n.kind, &n.order_code) })
        })
        .collect();
    Ok(Json(json!({ "data": data })).into_response())
}
