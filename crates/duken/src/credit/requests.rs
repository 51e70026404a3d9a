//! The buyer's credit applications (§3, §9.1-3): the page `/credit/requests/{id}` and its JSON
//! twin `/api/v1/credit/requests/{id}` — each bank's answer, the schedule and ГЭСВ of the
//! loan before signing, the signing step (the bank's one-time code, relayed by duken), a
//! counter-offer, a choice among approvals, the withdrawal, and the timeline. A buyer sees only
//! their own (another's is a 404). The page refreshes itself while a bank is deciding.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json, Router};
use duken_core::credit_application::ApplicationState;
use duken_core::{Lang, Money};
use duken_store::credit_applications::Application;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::applications::{self, RequestView, Signed};
use super::html::{OfferView, offer_views};
use super::{Offer, issue_date};
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::catalog::api::money_value as money;
use crate::web::access;
use crate::web::error::{AppError, ErrorDocument};
use crate::web::i18n::{Message, t};
use crate::web::page::{PageCtx, html};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

/// The pages (the JSON API is registered with its documentation in `web::router`).
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/credit/requests", get(list_page))
        .route("/credit/requests/{id}", get(request_page))
        .route("/credit/requests/{id}/code", post(code_form))
        .route("/credit/requests/{id}/sign", post(sign_form))
        .route("/credit/requests/{id}/counter-offer", post(counter_form))
        .route("/credit/requests/{id}/cancel", post(cancel_form))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(duken_core::roles::Access::SignedIn))
}

/// The signed-in buyer's own request (another's, or none, is a 404).
async fn own_view(
    state: &AppState,
    prefs: &Prefs,
    id: &str,
) -> Result<(crate::web::prefs::Viewer, RequestView), AppError> {
    let viewer = access::viewer(prefs)?.clone();
    let view = applications::view(state, id_of(id)?, Some(viewer.user_id)).await?;
    Ok((viewer, view))
}

fn id_of(raw: &str) -> Result<i64, AppError> {
    crate::web::params::parse_id(raw).ok_or_else(|| AppError::NotFound(Message::new("credit-no-such-request")))
}

/// The schedule of the application the buyer deals with (or of the pick, before any answer),
/// dated from the day the loan was (or would be) issued.
async fn schedule_of(state: &AppState, view: &RequestView) -> Result<Option<Offer>, AppError> {
    let (product_id, amount, term) = match view.current() {
        Some(a) => (a.product_id, a.amount_tiyn, a.term_months),
        None => (view.request.product_id, view.request.amount_tiyn, view.request.term_months),
    };
    let issued_on = view
        .events
        .iter()
        .find(|e| e.event == "issue")
        .map_or_else(issue_date, |e| duken_core::time::to_almaty(e.at).date_naive());
    let products = state.catalog.credit_products().await?;
    let Some(bank) = products.iter().find(|p| p.product_id == product_id).cloned() else { return Ok(None) };
    let term = u16::try_from(term).unwrap_or(0);
    Ok(duken_core::credit::schedule(&bank.product, Money::from_tiyn(amount), term, issued_on)
        .ok()
        .map(|schedule| Offer { bank, schedule }))
}

fn waiting(view: &RequestView) -> bool {
    view.request.state == "open"
        && view.applications.iter().any(|a| matches!(a.state.as_str(), "draft" | "sent" | "signed"))
}

pub struct AppLine {
    pub id: i64,
    pub bank: String,
    pub product: String,
    pub state: String,
    pub state_code: String,
    pub amount: String,
    pub term: String,
    pub counter: Option<String>,
    pub counter_acceptable: bool,
    pub may_sign: bool,
    /// The bank texted a code for this one: the page asks for it.
    pub awaiting_code: bool,
}

pub struct OrderLine {
    pub code: String,
    pub status: String,
    pub total: String,
}

pub struct EventLine {
    pub at: String,
    pub bank: String,
    pub what: String,
    pub actor: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "credit/request.html")]
struct RequestPage {
    ctx: PageCtx,
    id: i64,
    state: String,
    state_code: String,
    amount: String,
    iin: String,
    policy: String,
    applications: Vec<AppLine>,
    schedule: Option<OfferView>,
    orders: Vec<OrderLine>,
    events: Vec<EventLine>,
    refresh: bool,
    notice: Option<String>,
    problem: Option<String>,
    may_cancel: bool,
}

fn state_text(lang: Lang, state: &str) -> String {
    t(lang, &format!("credit-state-{}", state.replace('_', "-")))
}

fn app_line(lang: Lang, a: &Application, request_amount: i64, open: bool) -> AppLine {
    let counter = a.counter_amount_tiyn.zip(a.counter_term_months);
    AppLine {
        id: a.id,
        bank: a.bank_name.clone(),
        product: a.product_code.clone(),
        state: state_text(lang, &a.state),
        state_code: a.state.clone(),
        amount: Money::from_tiyn(a.amount_tiyn).format(lang),
        term: crate::web::i18n::t_args(
            lang,
            "credit-months",
            &[("n", crate::web::i18n::Arg::Number(i64::from(a.term_months)))],
        ),
        counter: counter.filter(|_| a.state == "counter_offer").map(|(amount, term)| {
            Message::new("credit-counter-text")
                .arg("amount", Money::from_tiyn(amount).format(lang))
                .arg("term", i64::from(term))
                .render(lang)
        }),
        counter_acceptable: counter.is_some_and(|(amount, _)| amount >= request_amount),
        may_sign: open && a.state == ApplicationState::Approved.as_str(),
        awaiting_code: false,
    }
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    view: &RequestView,
    notice: Option<String>,
    problem: Option<String>,
    code_for: Option<i64>,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(prefs, uri);
    let lang = ctx.lang;
    let open = view.request.state == "open";
    let schedule = schedule_of(state, view).await?.map(|o| offer_views(&[o], lang).remove(0));
    let bank_of =
        |id: i64| view.applications.iter().find(|a| a.id == id).map_or_else(String::new, |a| a.bank_name.clone());
    let page = RequestPage {
        id: view.request.id,
        state: t(lang, &format!("credit-request-{}", view.request.state)),
        state_code: view.request.state.clone(),
        amount: Money::from_tiyn(view.request.amount_tiyn).format(lang),
        iin: view.request.masked_iin(),
        policy: t(lang, &format!("credit-policy-{}", view.request.policy.replace('_', "-"))),
        applications: view
            .applications
            .iter()
            .map(|a| AppLine {
                awaiting_code: code_for == Some(a.id),
                ..app_line(lang, a, view.request.amount_tiyn, open)
            })
            .collect(),
        schedule,
        orders: view
            .orders
            .iter()
            .map(|(_, code, st, status, total)| OrderLine {
                code: code.clone(),
                status: crate::orders::html::position_text(lang, st, status),
                total: Money::from_tiyn(*total).format(lang),
            })
            .collect(),
        events: view
            .events
            .iter()
            .map(|e| EventLine {
                at: duken_core::time::format_local(e.at, lang),
                bank: bank_of(e.application_id),
                what: state_text(lang, &e.to_state),
                actor: e.actor.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        refresh: waiting(view) && code_for.is_none(),
        notice,
        problem,
        may_cancel: open && !view.applications.iter().any(|a| a.state == "signed"),
        ctx,
    };
    let status = if page.problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, html(&page)?).into_response())
}

async fn request_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let (_, view) = own_view(&state, &prefs, &id).await?;
    render(&state, &prefs, &uri, &view, None, None, None).await
}

#[derive(Template)]
#[template(path = "credit/requests.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<(i64, String, String, String)>,
}

async fn list_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let ctx = PageCtx::new(&prefs, &uri);
    let rows = state
        .store
        .buyer_credit_requests(viewer.user_id, 100)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id,
                duken_core::time::format_local(r.created_at, ctx.lang),
                Money::from_tiyn(r.amount_tiyn).format(ctx.lang),
                t(ctx.lang, &format!("credit-request-{}", r.state)),
            )
        })
        .collect();
    html(&ListPage { ctx, rows })
}

fn app_of(form: &HashMap<String, String>) -> Result<i64, AppError> {
    form.get("application")
        .and_then(|v| crate::web::params::parse_id(v))
        .ok_or_else(|| AppError::NotFound(Message::new("credit-no-such-request")))
}

/// A step's refusal shown on the page itself (the buyer stays where they were).
async fn step_failed(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    id: i64,
    buyer: i64,
    e: AppError,
    code_for: Option<i64>,
) -> Result<Response, AppError> {
    let message = match &e {
        AppError::BadRequest(f) => f.first().map(|f| f.message.render(prefs.lang)),
        AppError::Conflict(m) | AppError::Unavailable(m) => Some(m.render(prefs.lang)),
        _ => None,
    };
    let Some(message) = message else { return Err(e) };
    let view = applications::view(state, id, Some(buyer)).await?;
    let mut response = render(state, prefs, uri, &view, None, Some(message), code_for).await?;
    *response.status_mut() = e.status();
    Ok(response)
}

/// A step's form: the CSRF token checked, and the buyer's own request.
async fn form_view(
    state: &AppState,
    prefs: &Prefs,
    form: &HashMap<String, String>,
    id: &str,
) -> Result<(crate::web::prefs::Viewer, i64, RequestView), AppError> {
    check_csrf(prefs, form)?;
    let (viewer, view) = own_view(state, prefs, id).await?;
    Ok((viewer, view.request.id, view))
}

async fn code_form(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (viewer, id, view) = form_view(&state, &prefs, &form, &id).await?;
    let app = app_of(&form)?;
    match applications::request_code(&state, &view, app).await {
        Ok(()) => {
            let view = applications::view(&state, id, Some(viewer.user_id)).await?;
            render(&state, &prefs, &uri, &view, Some(t(prefs.lang, "credit-code-sent")), None, Some(app)).await
        }
        Err(e) => step_failed(&state, &prefs, &uri, id, viewer.user_id, e, None).await,
    }
}

async fn sign_form(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (viewer, id, view) = form_view(&state, &prefs, &form, &id).await?;
    let app = app_of(&form)?;
    let code = form.get("code").map_or("", String::as_str);
    match applications::sign(&state, &view, app, code).await {
        Ok(Signed::Done) => Ok(Redirect::to(&format!("/credit/requests/{id}")).into_response()),
        Ok(Signed::WrongCode { tries_left }) => {
            let message = Message::new("credit-code-wrong").arg("left", tries_left).render(prefs.lang);
            let view = applications::view(&state, id, Some(viewer.user_id)).await?;
            let mut r = render(&state, &prefs, &uri, &view, None, Some(message), Some(app)).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Ok(Signed::Locked) => {
            let view = applications::view(&state, id, Some(viewer.user_id)).await?;
            let mut r =
                render(&state, &prefs, &uri, &view, None, Some(t(prefs.lang, "credit-code-locked")), None).await?;
            *r.status_mut() = StatusCode::LOCKED;
            Ok(r)
        }
        Err(e) => step_failed(&state, &prefs, &uri, id, viewer.user_id, e, Some(app)).await,
    }
}

async fn counter_form(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (viewer, id, view) = form_view(&state, &prefs, &form, &id).await?;
    let accept = form.get("accept").is_some_and(|v| v == "yes");
    match applications::answer_counter_offer(&state, &view, app_of(&form)?, accept).await {
        Ok(()) => Ok(Redirect::to(&format!("/credit/requests/{id}")).into_response()),
        Err(e) => step_failed(&state, &prefs, &uri, id, viewer.user_id, e, None).await,
    }
}

async fn cancel_form(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (viewer, id, view) = form_view(&state, &prefs, &form, &id).await?;
    match applications::cancel(&state, &view, &request_id.0).await {
        Ok(()) => Ok(Redirect::to(&format!("/credit/requests/{id}")).into_response()),
        Err(e) => step_failed(&state, &prefs, &uri, id, viewer.user_id, e, None).await,
    }
}

// The JSON API.

fn schedule_json(o: &Offer, prefs: &Prefs) -> Value {
    let s = &o.schedule;
    json!({
        "bank": { "code": o.bank.bank_code, "name": o.bank.bank_name },
        "product": { "id": o.bank.product_id, "code": o.bank.product.code },
        "term_months": s.term,
        "issued_on": s.issued_on.to_string(),
        "monthly_payment": money(s.monthly(), prefs),
        "total_paid": money(s.total_paid, prefs),
        "overpayment": money(s.overpayment, prefs),
        "issue_fee": money(s.issue_fee, prefs),
        "effective_rate_percent": super::percent_tenths(s.effective_rate_tenths),
        "payments": s.payments.iter().map(|p| json!({
            "number": p.number, "date": p.date.to_string(), "principal": money(p.principal, prefs),
            "interest": money(p.interest, prefs), "fee": money(p.fee, prefs), "total": money(p.total, prefs),
            "balance_after": money(p.balance_after, prefs),
        })).collect::<Vec<_>>(),
    })
}

async fn request_json(state: &AppState, prefs: &Prefs, view: &RequestView) -> Result<Value, AppError> {
    let open = view.request.state == "open";
    let schedule = schedule_of(state, view).await?;
    let id = view.request.id;
    Ok(json!({
        "id": id,
        "state": view.request.state,
        "amount": money(Money::from_tiyn(view.request.amount_tiyn), prefs),
        "term_months": view.request.term_months,
        "policy": view.request.policy,
        "iin": view.request.masked_iin(),
        "expires_at": view.request.expires_at.to_rfc3339(),
        "applications": view.applications.iter().map(|a| {
            let base = format!("/api/v1/credit/requests/{id}/applications/{}", a.id);
            json!({
                "id": a.id, "bank": { "code": a.bank_code, "name": a.bank_name }, "product": a.product_code,
                "state": a.state, "amount": money(Money::from_tiyn(a.amount_tiyn), prefs), "term_months": a.term_months,
                "counter_offer": a.counter_amount_tiyn.zip(a.counter_term_months).filter(|_| a.state == "counter_offer")
                    .map(|(amount, term)| json!({ "amount": money(Money::from_tiyn(amount), prefs), "term_months": term })),
                "links": if open && a.state == "approved" {
                    json!({ "signing_code": format!("{base}/signing-code"), "sign": format!("{base}/sign") })
                } else if open && a.state == "counter_offer" {
                    json!({ "counter_offer": format!("{base}/counter-offer") })
                } else { json!({}) },
            })
        }).collect::<Vec<_>>(),
        "schedule": schedule.as_ref().map(|o| schedule_json(o, prefs)),
        "orders": view.orders.iter().map(|(_, code, st, status, total)| json!({
            "code": code, "state": st, "status": status, "total": money(Money::from_tiyn(*total), prefs),
            "url": format!("/api/v1/orders/{code}"),
        })).collect::<Vec<_>>(),
        "events": view.events.iter().map(|e| json!({
            "application_id": e.application_id, "event": e.event, "from": e.from_state, "to": e.to_state,
            "actor": e.actor, "detail": e.detail, "at": e.at.to_rfc3339(),
        })).collect::<Vec<_>>(),
    }))
}

#[utoipa::path(get, path = "/api/v1/credit/requests/{id}", tag = "credit",
    params(("id" = i64, Path, description = "The credit request (from the checkout's `credit_request`)")),
    responses((status = 200, description = "The request: state (`open`, `issued`, `failed`, `cancelled`), each bank's application (state `draft` … `expired`, counter-offer, the links of the buyer's next step), the schedule with dates and ГЭСВ, the orders and every event"),
              (status = 401, body = ErrorDocument), (status = 404, description = "Not the buyer's, or no such request", body = ErrorDocument)))]
pub async fn show(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, view) = own_view(&state, &prefs, &id).await?;
    Ok(Json(request_json(&state, &prefs, &view).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/credit/requests/{id}/applications/{application}/signing-code", tag = "credit",
    params(("id" = i64, Path), ("application" = i64, Path)),
    responses((status = 202, description = "The bank texts the buyer a one-time code"),
              (status = 409, description = "The application is not approved (or no longer open)", body = ErrorDocument),
              (status = 503, description = "The bank did not answer: try again", body = ErrorDocument)))]
pub async fn signing_code(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path((id, app)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, view) = own_view(&state, &prefs, &id).await?;
    applications::request_code(&state, &view, id_of(&app)?).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "sent": true }))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct SignBody {
    /// The code the bank texted.
    pub code: String,
}

#[utoipa::path(post, path = "/api/v1/credit/requests/{id}/applications/{application}/sign", tag = "credit",
    params(("id" = i64, Path), ("application" = i64, Path)), request_body = SignBody,
    responses((status = 200, description = "Signed: the bank pays out, and the orders become `APPROVED_BY_BANK`"),
              (status = 422, description = "Wrong code: `{tries_left}`"),
              (status = 423, description = "Five wrong codes: the bank locked the application, which is cancelled"),
              (status = 400, description = "Not a code (digits only)", body = ErrorDocument),
              (status = 409, description = "The application is not approved (or no longer open)", body = ErrorDocument),
              (status = 503, description = "The bank did not answer: try again", body = ErrorDocument)))]
pub async fn sign(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path((id, app)): Path<(String, String)>,
    b: Result<Json<SignBody>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let b = crate::orders::api::body(b)?;
    let view = applications::view(&state, id_of(&id)?, Some(viewer.user_id)).await?;
    Ok(match applications::sign(&state, &view, id_of(&app)?, &b.code).await? {
        Signed::Done => Json(json!({ "signed": true })).into_response(),
        Signed::WrongCode { tries_left } => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({
            "errors": [{ "status": "422", "code": "wrong_code", "title": Message::new("credit-code-wrong").arg("left", tries_left).render(prefs.lang) }],
            "tries_left": tries_left,
        }))).into_response(),
        Signed::Locked => (StatusCode::LOCKED, Json(json!({
            "errors": [{ "status": "423", "code": "locked", "title": t(prefs.lang, "credit-code-locked") }],
        }))).into_response(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct CounterOfferBody {
    pub accept: bool,
}

#[utoipa::path(post, path = "/api/v1/credit/requests/{id}/applications/{application}/counter-offer", tag = "credit",
    params(("id" = i64, Path), ("application" = i64, Path)), request_body = CounterOfferBody,
    responses((status = 200, description = "Taken (the application is approved on the bank's terms) or declined"),
              (status = 409, description = "No counter-offer to answer, or one that does not cover the orders", body = ErrorDocument)))]
pub async fn counter_offer(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path((id, app)): Path<(String, String)>,
    b: Result<Json<CounterOfferBody>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let b = crate::orders::api::body(b)?;
    let view = applications::view(&state, id_of(&id)?, Some(viewer.user_id)).await?;
    applications::answer_counter_offer(&state, &view, id_of(&app)?, b.accept).await?;
    Ok(Json(json!({ "accepted": b.accept })).into_response())
}

#[utoipa::path(post, path = "/api/v1/credit/requests/{id}/cancel", tag = "credit",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Withdrawn: the orders are cancelled, their units released, the banks told"),
              (status = 409, description = "Already over, or signed (the bank is paying out)", body = ErrorDocument)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, view) = own_view(&state, &prefs, &id).await?;
    applications::cancel(&state, &view, &request_id.0).await?;
    Ok(Json(json!({ "cancelled": true })).into_response())
}
