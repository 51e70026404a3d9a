//! The buyer's pages: the cart (a guest's too, kept by a cookie and merged into the account at
//! sign-in), checkout, the simulated acquirer's payment page, my orders and an order's page
//! with its timeline. They work without JavaScript: plain forms, each with its CSRF token.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::Money;
use duken_core::order::{Action, CancellationReason, DeliveryMode, PaymentMode, Position, State as OrderState};
use duken_core::time::format_local;
use duken_store::StoreError;
use duken_store::orders::{CartOwner, CheckoutOutcome, LineProblem, MAX_QUANTITY};

use super::CheckoutInput;
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, html};
use crate::web::prefs::{Prefs, behind_https, cookie, cookie_attributes};
use crate::web::request_id::RequestId;

/// The guest cart's cookie: a random token; the database keeps only its SHA-256.
pub const CART_COOKIE: &str = "cart";
const CART_COOKIE_DAYS: u32 = 30;

pub fn routes(state: AppState) -> Router<AppState> {
    let open =
        Router::new().route("/cart", get(cart_page)).route("/cart/add", post(add)).route("/cart/update", post(update));
    let signed_in = Router::new()
        .route("/checkout", post(checkout))
        .route("/pay/{id}", get(pay_page).post(pay))
        .route("/orders", get(orders_page))
        .route("/orders/{code}", get(order_page))
        .route("/orders/{code}/cancel", post(cancel))
        .route("/notifications", get(notifications_page))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(duken_core::roles::Access::SignedIn));
    open.merge(signed_in)
}

/// The cart of whoever asks: the account's when signed in, else the guest cookie's (if any).
fn owner<'a>(prefs: &Prefs, guest_hash: &'a Option<String>) -> Option<CartOwner<'a>> {
    match (&prefs.viewer, guest_hash) {
        (Some(v), _) => Some(CartOwner::User(v.user_id)),
        (None, Some(h)) => Some(CartOwner::Guest(h.as_str())),
        (None, None) => None,
    }
}

fn guest_hash(headers: &HeaderMap) -> Option<String> {
    cookie(headers, CART_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(crate::accounts::token_hash)
}

/// At sign-in: a guest cart joins the account's.
pub async fn merge_guest_cart(state: &AppState, headers: &HeaderMap, user_id: i64) -> Result<(), StoreError> {
    match guest_hash(headers) {
        Some(h) => state.store.merge_guest_cart(&h, user_id).await,
        None => Ok(()),
    }
}

pub struct CartRow {
    pub offer_id: i64,
    pub product_url: String,
    pub title: String,
    pub sku: String,
    pub quantity: i32,
    pub price: String,
    pub price_tiyn: i64,
    pub line_total: String,
    pub problem: Option<String>,
    pub orderable: bool,
}

pub struct StoreChoice {
    pub id: i64,
    pub label: String,
    /// Has every unit of the seller's lines: a pickup takes them from this store.
    pub enough: bool,
    pub checked: bool,
    in_city: bool,
}

pub struct SellerGroup {
    pub seller_id: i64,
    pub seller_name: String,
    pub rows: Vec<CartRow>,
    pub stores: Vec<StoreChoice>,
    /// No store has every unit: the seller's delivery is chosen instead.
    pub local_checked: bool,
    pub total: String,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "orders/cart.html")]
struct CartPage {
    ctx: PageCtx,
    groups: Vec<SellerGroup>,
    total: String,
    orderable: bool,
    /// A fresh key per rendering: a double submit of this form makes one checkout.
    idempotency_key: String,
    errors: Vec<String>,
    /// §3: what credit and installments the cart's total may be paid with.
    credit_offers: Vec<crate::credit::html::OfferView>,
    /// The offers the checkout may take under the routing policy (signed in, cart orderable).
    checkout_credit: Vec<crate::credit::html::OfferView>,
    credit_amount: String,
    credit_link: String,
}

async fn render_cart(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    guest: &Option<String>,
    problems: &[LineProblem],
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let lang = prefs.lang;
    let lines = match owner(prefs, guest) {
        Some(o) => state.store.cart_lines(o, prefs.city.kato).await?,
        None => Vec::new(),
    };
    let mut groups: Vec<SellerGroup> = Vec::new();
    let mut total = 0i64;
    let mut orderable = !lines.is_empty();
    for l in &lines {
        if groups.last().is_none_or(|g| g.seller_id != l.seller_id) {
            let stores = state
                .store
                .seller_stores(l.seller_id)
                .await?
                .into_iter()
                .filter(|s| s.city_kato.is_some())
                .map(|s| StoreChoice {
                    id: s.id,
                    label: format!("{} — {}", s.name, s.address),
                    enough: false,
                    checked: false,
                    in_city: s.city_kato == Some(prefs.city.kato),
                })
                .collect();
            let problem =
                problems.iter().find(|p| p.seller_id() == Some(l.seller_id)).map(|p| super::problem_text(p, lang));
            groups.push(SellerGroup {
                seller_id: l.seller_id,
                seller_name: l.seller_name.clone(),
                rows: Vec::new(),
                stores,
                local_checked: false,
                total: String::new(),
                problem,
            });
        }
        let line_ok = l.available && l.price.is_some() && i64::from(l.quantity) <= l.stock;
        orderable &= line_ok;
        let line_total = l.price.map_or(0, |p| p.tiyn().saturating_mul(i64::from(l.quantity)));
        total = total.saturating_add(line_total);
        // What the checkout said of the line, or else what is wrong with it now.
        let problem = problems
            .iter()
            .find(|p| p.offer_id() == Some(l.offer_id))
            .cloned()
            .or_else(|| {
                (!line_ok).then(|| {
                    if l.available && l.price.is_some() {
                        LineProblem::NotEnoughStock { offer_id: l.offer_id, left: l.stock, at_store: None }
                    } else {
                        LineProblem::Unavailable { offer_id: l.offer_id }
                    }
                })
            })
            .map(|p| super::problem_text(&p, lang));
        let group = groups.last_mut().expect("a group was pushed above");
        group.rows.push(CartRow {
            offer_id: l.offer_id,
            product_url: format!("/products/{}", l.product_id),
            title: l.title.get(lang).clone(),
            sku: l.sku.clone(),
            quantity: l.quantity,
            price: l.price.map_or_else(|| "—".to_owned(), |p| p.format(lang)),
            price_tiyn: l.price.map_or(0, Money::tiyn),
            line_total: Money::from_tiyn(line_total).format(lang),
            problem,
            orderable: line_ok,
        });
    }
    // Pickup points: the buyer's city first, those with every unit of the seller's lines first;
    // one without them cannot be chosen (the checkout would refuse it). The first in the
    // buyer's city with the units is chosen, or else the seller's delivery (not a pickup in
    // another city).
    let offer_ids: Vec<i64> = lines.iter().map(|l| l.offer_id).collect();
    let stocks: HashMap<(i64, i64), i64> =
        state.store.stocks_by_store(&offer_ids).await?.into_iter().map(|(o, s, q)| ((o, s), q)).collect();
    for g in &mut groups {
        for s in &mut g.stores {
            s.enough =
                g.rows.iter().all(|r| i64::from(r.quantity) <= stocks.get(&(r.offer_id, s.id)).copied().unwrap_or(0));
        }
        g.stores.sort_by_key(|s| (!s.in_city, !s.enough));
        match g.stores.first_mut() {
            Some(first) if first.enough && first.in_city => first.checked = true,
            _ => g.local_checked = true,
        }
    }
    for g in &mut groups {
        let sum: i64 = lines
            .iter()
            .filter(|l| l.seller_id == g.seller_id)
            .filter_map(|l| l.price.map(|p| p.tiyn().saturating_mul(i64::from(l.quantity))))
            .sum();
        g.total = Money::from_tiyn(sum).format(lang);
    }
    let status = if problems.is_empty() && errors.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    let credit_offers =
        if total > 0 { crate::credit::html::summary(state, Money::from_tiyn(total), lang).await? } else { Vec::new() };
    let checkout_credit = match (prefs.viewer.is_some() && orderable && total > 0, total) {
        (true, t) => match crate::credit::applications::checkout_offers(state, Money::from_tiyn(t)).await? {
            crate::credit::Offers::Found(found) => crate::credit::html::offer_views(&found, lang),
            crate::credit::Offers::OutOfRange(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    let page = CartPage {
        credit_offers,
        checkout_credit,
        credit_amount: Money::from_tiyn(total).format(lang),
        credit_link: format!("/credit?amount={total}"),
        ctx: PageCtx::new(prefs, uri),
        groups,
        total: Money::from_tiyn(total).format(lang),
        orderable,
        idempotency_key: crate::accounts::hex(&rand::random::<[u8; 16]>()),
        errors,
    };
    Ok((status, html(&page)?).into_response())
}

async fn cart_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, AppError> {
    render_cart(&state, &prefs, &uri, &guest_hash(&headers), &[], Vec::new()).await
}

fn quantity_of(form: &HashMap<String, String>) -> Result<i32, AppError> {
    form.get("quantity")
        .and_then(|q| q.trim().parse::<i32>().ok())
        .filter(|q| (0..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| {
            AppError::bad_param("quantity", Message::new("order-quantity").arg("max", i64::from(MAX_QUANTITY)))
        })
}

fn offer_of(form: &HashMap<String, String>) -> Result<i64, AppError> {
    form.get("offer")
        .and_then(|q| crate::web::params::parse_id(q))
        .ok_or_else(|| AppError::bad_param("offer", Message::new("order-no-such-offer").arg("id", "?")))
}

/// `POST /cart/add`: from a product page; a guest gets a cart cookie.
async fn add(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let offer = offer_of(&form)?;
    let quantity = quantity_of(&form)?.max(1);
    let mut new_cookie = None;
    let guest = match (&prefs.viewer, guest_hash(&headers)) {
        (Some(_), _) => None,
        (None, Some(h)) => Some(h),
        (None, None) => {
            let token = crate::accounts::hex(&rand::random::<[u8; 32]>());
            let hash = crate::accounts::token_hash(&token);
            new_cookie = Some(token);
            Some(hash)
        }
    };
    let owner = owner(&prefs, &guest).expect("a viewer or a guest cart");
    match state.store.add_to_cart(owner, offer, quantity).await {
        Ok(()) => {}
        // The offer does not exist (a reference check refused it).
        Err(StoreError::Conflict(_) | StoreError::NotFound) => {
            return Err(AppError::NotFound(Message::new("order-no-such-offer").arg("id", offer)));
        }
        Err(e) => return Err(e.into()),
    }
    let mut response = Redirect::to("/cart").into_response();
    if let Some(token) = new_cookie {
        let cookie = format!(
            "{CART_COOKIE}={token}; HttpOnly; {}",
            cookie_attributes(behind_https(&headers), CART_COOKIE_DAYS * 86_400)
        );
        response
            .headers_mut()
            .append(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?);
    }
    Ok(response)
}

/// `POST /cart/update`: a new quantity for a line (0 removes it).
async fn update(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let offer = offer_of(&form)?;
    let quantity = quantity_of(&form)?;
    let guest = guest_hash(&headers);
    if let Some(owner) = owner(&prefs, &guest) {
        state.store.set_cart_quantity(owner, offer, quantity).await?;
    }
    Ok(Redirect::to("/cart").into_response())
}

/// `POST /checkout`: the cart form. Lines come as `line_<offer>=<quantity>` with
/// `price_<offer>=<tiyn shown>`, each seller's delivery as `delivery_<seller>` =
/// `pickup:<store>` or `local` (with `address_<seller>`).
async fn checkout(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let mut lines = Vec::new();
    let mut delivery = Vec::new();
    for (k, v) in &form {
        if let Some(offer) = k.strip_prefix("line_").and_then(crate::web::params::parse_id) {
            let quantity = v.trim().parse::<i32>().unwrap_or(0);
            let price = form.get(&format!("price_{offer}")).and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(0);
            lines.push((offer, quantity, price));
        }
        if let Some(seller) = k.strip_prefix("delivery_").and_then(crate::web::params::parse_id) {
            let address = form.get(&format!("address_{seller}")).cloned().unwrap_or_default();
            let (mode, store) = match v.split_once(':') {
                Some(("pickup", store)) => (DeliveryMode::Pickup, crate::web::params::parse_id(store)),
                _ => (DeliveryMode::Local, None),
            };
            delivery.push((seller, mode, store, address));
        }
    }
    lines.sort_unstable();
    delivery.sort_by_key(|d| d.0);
    let payment = match form.get("payment").map(String::as_str) {
        Some("PAY_WITH_CREDIT") => PaymentMode::PayWithCredit,
        _ => PaymentMode::Prepaid,
    };
    let credit = (payment == PaymentMode::PayWithCredit)
        .then(|| {
            let (product, term) = form
                .get("credit_offer")
                .and_then(|v| v.split_once(':'))
                .and_then(|(p, t)| Some((p.trim().parse::<i64>().ok()?, t.trim().parse::<u16>().ok()?)))
                .ok_or_else(|| AppError::bad_param("credit_product", Message::new("order-credit-term")))?;
            Ok::<_, AppError>(crate::credit::applications::CreditChoice {
                product_id: product,
                term,
                iin: form.get("iin").cloned().unwrap_or_default(),
                consent_to_bank: form.get("consent_bank").is_some_and(|v| v == "on" || v == "yes"),
            })
        })
        .transpose();
    let input = CheckoutInput {
        idempotency_key: form.get("idempotency_key").cloned().unwrap_or_default(),
        payment,
        credit: match credit {
            Ok(c) => c,
            Err(AppError::BadRequest(fields)) => {
                let errors = fields.iter().map(|f| f.message.render(prefs.lang)).collect();
                return render_cart(&state, &prefs, &uri, &guest_hash(&headers), &[], errors).await;
            }
            Err(e) => return Err(e),
        },
        lines,
        delivery,
        consent_to_sellers: form.get("consent").is_some_and(|v| v == "on" || v == "yes"),
    };
    let guest = guest_hash(&headers);
    match super::place(&state, &prefs, viewer, input, &request_id.0).await.map(|p| (p.outcome, p.credit_request)) {
        Ok((CheckoutOutcome::Placed { .. }, Some(credit))) => {
            Ok(Redirect::to(&format!("/credit/requests/{credit}")).into_response())
        }
        Ok((CheckoutOutcome::Placed { orders, payment_id, .. }, None)) => Ok(match payment_id {
            Some(p) => Redirect::to(&format!("/pay/{p}")).into_response(),
            None => {
                Redirect::to(&format!("/orders/{}", orders.first().map_or("", |o| o.code.as_str()))).into_response()
            }
        }),
        Ok((CheckoutOutcome::Changed(problems), _)) => {
            render_cart(&state, &prefs, &uri, &guest, &problems, Vec::new()).await
        }
        Err(AppError::BadRequest(fields)) => {
            let errors = fields.iter().map(|f| f.message.render(prefs.lang)).collect();
            render_cart(&state, &prefs, &uri, &guest, &[], errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "orders/pay.html")]
struct PayPage {
    ctx: PageCtx,
    id: i64,
    amount: String,
    status: String,
}

async fn buyers_payment(state: &AppState, buyer: i64, id: &str) -> Result<duken_store::orders::Payment, AppError> {
    let not_found = || AppError::NotFound(Message::new("error-no-such-order"));
    let id = crate::web::params::parse_id(id).ok_or_else(not_found)?;
    match state.store.payment_buyer(id).await {
        Ok(b) if b == buyer => Ok(state.store.payment(id).await?),
        Ok(_) | Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The simulated acquirer's page (development and tests): pay or decline.
async fn pay_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let payment = buyers_payment(&state, viewer.user_id, &id).await?;
    html(&PayPage {
        ctx: PageCtx::new(&prefs, &uri),
        id: payment.id,
        amount: Money::from_tiyn(payment.amount_tiyn).format(prefs.lang),
        status: payment.status,
    })
}

async fn pay(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let payment = buyers_payment(&state, viewer.user_id, &id).await?;
    let paid = form.get("outcome").map(String::as_str) == Some("paid");
    super::payments::simulate(&state, &payment, paid, &request_id.0).await?;
    Ok(Redirect::to("/orders").into_response())
}

pub struct OrderRow {
    pub code: String,
    pub created: String,
    pub seller: String,
    pub total: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "orders/list.html")]
struct OrdersPage {
    ctx: PageCtx,
    orders: Vec<OrderRow>,
    pager: crate::web::page::Pager,
}

/// What an order's position means to its buyer, in their language.
pub fn position_text(lang: duken_core::Lang, state: &str, status: &str) -> String {
    let key = match (state, status) {
        ("AWAITING_PAYMENT", _) => "order-pos-awaiting-payment",
        ("SIGN_REQUIRED", _) => "order-pos-sign-required",
        (_, "APPROVED_BY_BANK") => "order-pos-new",
        ("PICKUP", "ACCEPTED_BY_MERCHANT") => "order-pos-pickup",
        (_, "ACCEPTED_BY_MERCHANT") => "order-pos-delivery",
        (_, "COMPLETED") => "order-pos-completed",
        (_, "CANCELLED") => "order-pos-cancelled",
        _ => "order-pos-other",
    };
    Message::new(key).arg("status", status).render(lang)
}

async fn orders_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let page = crate::web::params::Params::from_uri(&uri).page()?;
    let (orders, total) = state.store.buyer_orders(viewer.user_id, i64::from(page.per_page), page.offset()).await?;
    let mut sellers: BTreeMap<i64, String> = BTreeMap::new();
    for o in &orders {
        if let std::collections::btree_map::Entry::Vacant(e) = sellers.entry(o.seller_id) {
            e.insert(state.store.find_seller(o.seller_id).await.map(|s| s.display_name).unwrap_or_default());
        }
    }
    let ctx = PageCtx::new(&prefs, &uri);
    let pages = u32::try_from((total + i64::from(page.per_page) - 1) / i64::from(page.per_page)).unwrap_or(u32::MAX);
    let pager = crate::web::page::Pager::new(&ctx, page.page, pages);
    html(&OrdersPage {
        orders: orders
            .iter()
            .map(|o| OrderRow {
                code: o.code.clone(),
                created: format_local(o.created_at, prefs.lang),
                seller: sellers.get(&o.seller_id).cloned().unwrap_or_default(),
                total: Money::from_tiyn(o.total_tiyn).format(prefs.lang),
                status: position_text(prefs.lang, &o.state, &o.status),
            })
            .collect(),
        pager,
        ctx,
    })
}

pub struct EntryRow {
    pub name: String,
    pub sku: String,
    pub quantity: i32,
    pub price: String,
    pub total: String,
}

pub struct EventRow {
    pub at: String,
    pub what: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "orders/order.html")]
struct OrderPage {
    ctx: PageCtx,
    code: String,
    created: String,
    seller: String,
    status: String,
    delivery: String,
    total: String,
    entries: Vec<EntryRow>,
    events: Vec<EventRow>,
    can_cancel: bool,
    payment_id: Option<i64>,
    /// On credit: the application's page.
    credit_request: Option<i64>,
    /// §10: the hand-over code, shown only here (the buyer's own order page) and in the SMS.
    handover_code: Option<String>,
}

async fn order_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let lang = prefs.lang;
    let order = super::buyer_order(&state, viewer.user_id, &code).await?;
    let entries = state.store.order_entries(&[order.id]).await?;
    let events = state.store.order_events(order.id).await?;
    let seller = state.store.find_seller(order.seller_id).await?;
    let position = order.position();
    let can_cancel = position.is_some_and(|p: Position| {
        duken_core::order::apply(
            p,
            DeliveryMode::parse(&order.delivery_mode).unwrap_or(DeliveryMode::Pickup),
            Action::Cancel(CancellationReason::BuyerCancellationHimself),
            duken_core::order::Actor::Buyer,
        )
        .is_ok()
    });
    let store_text = match order.pickup_store_id {
        Some(id) => state
            .store
            .seller_stores(order.seller_id)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| format!("{}, {}", s.name, s.address)),
        None => None,
    };
    let delivery = match (order.delivery_mode.as_str(), store_text) {
        ("DELIVERY_PICKUP", Some(s)) => Message::new("order-delivery-pickup").arg("store", s).render(lang),
        _ => Message::new("order-delivery-local").arg("address", order.delivery_address.clone()).render(lang),
    };
    let payment_id = if order.state == OrderState::AwaitingPayment.as_str() {
        state.store.checkout_payment(order.checkout_id).await?
    } else {
        None
    };
    let credit_request = if order.payment_mode == duken_core::order::PaymentMode::PayWithCredit.as_str() {
        state.store.credit_request_of_checkout(order.checkout_id).await?
    } else {
        None
    };
    html(&OrderPage {
        ctx: PageCtx::new(&prefs, &uri),
        credit_request,
        code: order.code.clone(),
        created: format_local(order.created_at, lang),
        seller: seller.display_name,
        status: position_text(lang, &order.state, &order.status),
        delivery,
        total: Money::from_tiyn(order.total_tiyn).format(lang),
        entries: entries
            .iter()
            .map(|e| EntryRow {
                name: e.name.clone(),
                sku: e.seller_sku.clone(),
                quantity: e.quantity,
                price: Money::from_tiyn(e.base_price_tiyn).format(lang),
                total: Money::from_tiyn(e.total_price_tiyn).format(lang),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| EventRow {
                at: format_local(e.created_at, lang),
                what: Message::new("order-event")
                    .arg("action", e.action.clone())
                    .arg("status", position_text(lang, &e.to_state, &e.to_status))
                    .render(lang),
                reason: e.reason.clone(),
            })
            .collect(),
        can_cancel,
        payment_id,
        handover_code: super::handover::code_for_buyer(&state, &order).await?,
    })
}

async fn cancel(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let order = super::cancel_as_buyer(&state, viewer.user_id, &code, &request_id.0).await?;
    Ok(Redirect::to(&format!("/orders/{}", order.code)).into_response())
}

pub struct NoteRow {
    pub at: String,
    pub code: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "orders/notifications.html")]
struct NotificationsPage {
    ctx: PageCtx,
    notes: Vec<NoteRow>,
}

async fn notifications_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let notes = state.store.notifications(Some(viewer.user_id), None, 100).await?;
    html(&NotificationsPage {
        ctx: PageCtx::new(&prefs, &uri),
        notes: notes
            .iter()
            .map(|n| NoteRow {
                at: format_local(n.created_at, prefs.lang),
                code: n.order_code.clone(),
                text: super::jobs::note_text(prefs.lang, &n.kind, &n.order_code),
            })
            .collect(),
    })
}
