//! The cabinet's orders (`/cabinet/{seller}/orders`): the seller's orders with the merchant
//! API's filters (state, status, delivery type, number, creation dates), and the same changes:
//! accept (§4: the buyer's order is a request), cancel with a reason, mark packed for the
//! courier, send the buyer the hand-over code and complete with it (§10).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::{NaiveDate, TimeZone, Utc};
use duken_core::Money;
use duken_core::order::{Action, CancellationReason, DeliveryMode, State as OrderState, Status};
use duken_core::time::format_local;
use duken_store::orders::{DateField, Order, OrderScope, SellerOrderQuery};

use super::cabinet::seller_param;
use super::staff_role;
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::Params;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

const PER_PAGE: i64 = 20;

pub fn routes(state: AppState) -> Router<AppState> {
    let look = Router::new()
        .route("/cabinet/{seller}/orders", get(list))
        .route_layer(access::layer(duken_core::roles::Access::SellerStaff));
    let change = Router::new()
        .route("/cabinet/{seller}/orders/{code}/{action}", post(change))
        .route("/cabinet/{seller}/webhook", post(set_webhook))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(duken_core::roles::Access::SellerStaff));
    look.merge(change)
}

pub struct OrderLine {
    pub code: String,
    pub created: String,
    pub total: String,
    pub state: String,
    pub status: String,
    pub delivery: String,
    pub customer: String,
    pub lines: Vec<String>,
    pub can_accept: bool,
    pub can_cancel: bool,
    pub can_assemble: bool,
    pub can_complete: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "sellers/orders.html")]
struct OrdersPage {
    ctx: PageCtx,
    seller_id: i64,
    orders: Vec<OrderLine>,
    total: i64,
    states: Vec<Choice>,
    statuses: Vec<Choice>,
    code: String,
    from: String,
    to: String,
    reasons: Vec<&'static str>,
    pager: Pager,
    notes: Vec<crate::orders::html::NoteRow>,
    /// The owner sees and sets the webhook.
    owner: bool,
    webhook_url: String,
    webhook_secret: String,
}

fn allowed(order: &Order, action: Action) -> bool {
    let (Some(position), Some(delivery)) = (order.position(), DeliveryMode::parse(&order.delivery_mode)) else {
        return false;
    };
    duken_core::order::apply(position, delivery, action, duken_core::order::Actor::Seller).is_ok()
}

/// A day in Asia/Almaty (`YYYY-MM-DD`) as its first or last instant in UTC.
fn local_day(raw: Option<&str>, end: bool) -> Result<Option<chrono::DateTime<Utc>>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::bad_param("from", Message::new("merchant-orders-date")))?;
    let time = if end { day.and_hms_opt(23, 59, 59) } else { day.and_hms_opt(0, 0, 0) };
    let local = time.and_then(|t| duken_core::time::almaty_offset(t.and_utc()).from_local_datetime(&t).single());
    Ok(local.map(|t| t.with_timezone(&Utc)))
}

async fn list(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(seller): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    let role = staff_role(viewer, seller_id)?;
    let owner = role == duken_core::roles::Role::SellerOwner;
    let lang = prefs.lang;
    let notes = state.store.notifications(None, Some(seller_id), 10).await?;
    let (webhook_url, webhook_secret) = match state.store.seller_webhook(seller_id).await? {
        Some((u, s)) if owner => (u, s),
        _ => (String::new(), String::new()),
    };
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let state_filter = params.get("state").and_then(OrderState::parse).filter(|s| s.visible_to_seller());
    let status_filter = params.get("status").and_then(Status::parse);
    let code = params.get("code").map(str::trim).unwrap_or("").chars().take(20).collect::<String>();
    let (from_raw, to_raw) = (params.get("from").unwrap_or(""), params.get("to").unwrap_or(""));
    let query = SellerOrderQuery {
        seller_id,
        states: state_filter.into_iter().collect(),
        statuses: status_filter.into_iter().collect(),
        delivery_modes: Vec::new(),
        signature_required: None,
        code: (!code.is_empty()).then(|| code.clone()),
        dates: vec![(DateField::Created, local_day(Some(from_raw), false)?, local_day(Some(to_raw), true)?)],
        limit: PER_PAGE,
        offset: (i64::from(page.page) - 1) * PER_PAGE,
    };
    let (orders, total) = state.store.seller_orders(&query).await?;
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let entries = state.store.order_entries(&ids).await?;
    let stores = state.store.seller_stores(seller_id).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let pages = u32::try_from((total + PER_PAGE - 1) / PER_PAGE).unwrap_or(u32::MAX);
    let pager = Pager::new(&ctx, page.page, pages);
    let lines = orders
        .iter()
        .map(|o| OrderLine {
            code: o.code.clone(),
            created: format_local(o.created_at, lang),
            total: Money::from_tiyn(o.total_tiyn).format(lang),
            state: o.state.clone(),
            status: o.status.clone(),
            delivery: match o.pickup_store_id.and_then(|id| stores.iter().find(|s| s.id == id)) {
                Some(s) => Message::new("order-delivery-pickup").arg("store", s.name.clone()).render(lang),
                None => Message::new("order-delivery-local").arg("address", o.delivery_address.clone()).render(lang),
            },
            customer: format!("{} {}", o.customer_name, o.customer_phone).trim().to_owned(),
            lines: entries
                .iter()
                .filter(|e| e.order_id == o.id)
                .map(|e| format!("{} × {} ({})", e.quantity, e.name, e.seller_sku))
                .collect(),
            can_accept: allowed(o, Action::Accept),
            can_cancel: allowed(o, Action::Cancel(CancellationReason::MerchantOutOfStock)),
            can_assemble: allowed(o, Action::Assemble),
            can_complete: allowed(o, Action::Complete),
        })
        .collect();
    html(&OrdersPage {
        seller_id,
        orders: lines,
        total,
        states: [
            OrderState::New,
            OrderState::SignRequired,
            OrderState::Pickup,
            OrderState::Delivery,
            OrderState::KaspiDelivery,
            OrderState::Archive,
        ]
        .into_iter()
        .map(|s| Choice { value: s.as_str(), selected: state_filter == Some(s) })
        .collect(),
        statuses: Status::ALL
            .iter()
            .filter(|s| !matches!(s, Status::PaymentPending | Status::SignaturePending))
            .map(|s| Choice { value: s.as_str(), selected: status_filter == Some(*s) })
            .collect(),
        code,
        from: from_raw.chars().take(10).collect(),
        to: to_raw.chars().take(10).collect(),
        reasons: CancellationReason::ALL.iter().filter(|r| r.seller_may_give()).map(|r| r.as_str()).collect(),
        pager,
        notes: notes
            .iter()
            .map(|n| crate::orders::html::NoteRow {
                at: format_local(n.created_at, lang),
                code: n.order_code.clone(),
                text: crate::orders::jobs::note_text(lang, &n.kind, &n.order_code),
            })
            .collect(),
        owner,
        webhook_url,
        webhook_secret,
        ctx,
    })
}

async fn change(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, code, action)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    staff_role(viewer, seller_id)?;
    let order = crate::orders::order_for(&state, OrderScope::Seller(seller_id), &code).await?;
    let rid = &request_id.0;
    let apply = |action: Action, comment: String, spaces: Option<i32>| {
        let state = state.clone();
        let order = order.clone();
        async move {
            crate::merchant_api::orders::apply(&state, seller_id, &order, action, &comment, spaces, rid)
                .await
                .map(|_| ())
        }
    };
    match action.as_str() {
        "accept" => apply(Action::Accept, String::new(), None).await?,
        "cancel" => {
            let reason = form
                .get("reason")
                .and_then(|r| CancellationReason::parse(r))
                .filter(|r| r.seller_may_give())
                .ok_or_else(|| AppError::bad_param("reason", Message::new("merchant-order-reason")))?;
            let comment: String = form.get("comment").map(|c| c.trim().chars().take(500).collect()).unwrap_or_default();
            apply(Action::Cancel(reason), comment, None).await?;
        }
        "assemble" => {
            let spaces = form
                .get("spaces")
                .and_then(|s| s.trim().parse::<i32>().ok())
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| AppError::bad_param("spaces", Message::new("merchant-order-spaces")))?;
            apply(Action::Assemble, String::new(), Some(spaces)).await?;
        }
        "send-code" => crate::orders::handover::send_code(&state, &order, rid).await?,
        "complete" => {
            let given = form.get("code").map(|c| c.trim().to_owned()).unwrap_or_default();
            crate::orders::handover::complete(&state, &order, &given, rid).await?;
        }
        _ => return Err(AppError::NotFound(Message::new("error-no-such-page"))),
    }
    Ok(Redirect::to(&format!("/cabinet/{seller_id}/orders?code={}", order.code)).into_response())
}

/// `POST /cabinet/{seller}/webhook` (owner): sets the webhook URL with a new secret, or removes it.
async fn set_webhook(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    super::owner_only(viewer, seller_id)?;
    let url = form.get("url").map(|u| u.trim()).unwrap_or("");
    let actor = format!("user:{}", viewer.user_id);
    if url.is_empty() {
        state.store.set_seller_webhook(seller_id, None, &actor, &request_id.0).await?;
    } else {
        let parsed =
            reqwest::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if parsed.is_none() || url.len() > 500 {
            return Err(AppError::bad_param("url", Message::new("error-webhook-url")));
        }
        let secret = crate::accounts::hex(&rand::random::<[u8; 24]>());
        state.store.set_seller_webhook(seller_id, Some((url, &secret)), &actor, &request_id.0).await?;
    }
    Ok(Redirect::to(&format!("/cabinet/{seller_id}/orders")).into_response())
}
