//! Credit applications for staff (§3, §9.1-3): the operator console's list of every
//! application with the routing policy (`/console/credit`; administrators change the policy
//! and name bank staff), and a bank's own view of its applications (`/bank/applications`, the
//! `bank` role, staff of that bank only). Lists are paged and filtered by bank and state; IINs
//! stay masked here.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::Money;
use duken_core::credit_application::{ApplicationState, RoutingPolicy};
use duken_core::roles::Access;
use duken_store::accounts::Change;
use duken_store::credit_applications::{ApplicationQuery, Routing};

use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::{Message, t};
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::Params;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes() -> Router<AppState> {
    let look = Router::new().route("/console/credit", get(console_page)).route_layer(access::layer(Access::Operator));
    let change = Router::new()
        .route("/console/credit/routing", post(set_routing))
        .route("/console/credit/staff", post(add_staff))
        .route_layer(access::layer(Access::Admin));
    let bank = Router::new().route("/bank/applications", get(bank_page)).route_layer(access::layer(Access::Bank));
    look.merge(change).merge(bank)
}

pub struct Row {
    pub id: i64,
    pub request_id: i64,
    pub bank: String,
    pub bank_ref: String,
    pub product: String,
    pub amount: String,
    pub term: i32,
    pub state: String,
    pub updated: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/credit.html")]
struct CreditPage {
    ctx: PageCtx,
    /// The operator console (routing, every bank) or one bank's own view.
    console: bool,
    admin: bool,
    title: String,
    policies: Vec<Choice>,
    banks: Vec<Choice>,
    states: Vec<Choice>,
    rows: Vec<Row>,
    total: i64,
    pager: Pager,
    problem: Option<String>,
}

async fn list(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    bank_only: Option<i64>,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(prefs, uri);
    let lang = ctx.lang;
    let params = Params::from_uri(uri);
    let page = params.page()?;
    let bank_filter = match bank_only {
        Some(b) => Some(b),
        None => params.get("bank").filter(|b| !b.is_empty()).and_then(crate::web::params::parse_id),
    };
    let state_filter = match params.get("state").filter(|s| !s.is_empty()) {
        Some(s) => Some(
            ApplicationState::parse(s)
                .ok_or_else(|| AppError::bad_param("state", Message::new("credit-state-filter")))?,
        ),
        None => None,
    };
    let q = ApplicationQuery { bank_id: bank_filter, state: state_filter, limit: page.limit(), offset: page.offset() };
    let (found, total) = state.store.list_credit_applications(&q).await?;
    let rows = found
        .into_iter()
        .map(|r| {
            let a = r.application;
            Row {
                id: a.id,
                request_id: a.request_id,
                bank: a.bank_name,
                bank_ref: a.bank_ref.unwrap_or_default(),
                product: a.product_code,
                amount: Money::from_tiyn(a.amount_tiyn).format(lang),
                term: a.term_months,
                state: t(lang, &format!("credit-state-{}", a.state.replace('_', "-"))),
                updated: duken_core::time::format_local(a.updated_at, lang),
            }
        })
        .collect();
    let routing = state.store.credit_routing().await?;
    let banks = state.store.banks().await?;
    let title = match bank_only {
        Some(b) => banks.iter().find(|x| x.id == b).map_or_else(String::new, |x| x.name.clone()),
        None => t(lang, "console-credit-title"),
    };
    let page = CreditPage {
        console: bank_only.is_none(),
        admin: prefs.viewer.as_ref().is_some_and(|v| Access::Admin.allows(&v.roles)),
        title,
        policies: RoutingPolicy::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: t(lang, &format!("credit-policy-{}", p.as_str().replace('_', "-"))),
                selected: *p == routing.policy,
            })
            .collect(),
        banks: banks
            .iter()
            .map(|b| Choice {
                value: b.id.to_string(),
                label: b.name.clone(),
                selected: routing.preferred_bank_id == Some(b.id) || bank_filter == Some(b.id),
            })
            .collect(),
        states: ApplicationState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: t(lang, &format!("credit-state-{}", s.as_str().replace('_', "-"))),
                selected: state_filter == Some(*s),
            })
            .collect(),
        rows,
        total,
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        problem,
        ctx,
    };
    let status = if page.problem.is_some() { axum::http::StatusCode::BAD_REQUEST } else { axum::http::StatusCode::OK };
    Ok((status, html(&page)?).into_response())
}

async fn console_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    list(&state, &prefs, &uri, None, None).await
}

async fn bank_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let Some(bank) = state.store.bank_of_staff(viewer.user_id).await? else {
        return Err(AppError::Forbidden(Message::new("credit-not-bank-staff")));
    };
    list(&state, &prefs, &uri, Some(bank), None).await
}

async fn set_routing(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let Some(policy) = form.get("policy").and_then(|p| RoutingPolicy::parse(p)) else {
        return list(&state, &prefs, &uri, None, Some(t(prefs.lang, "credit-policy-unknown"))).await;
    };
    let banks = state.store.banks().await?;
    let preferred = match form.get("preferred_bank").map(|b| b.trim()).filter(|b| !b.is_empty()) {
        Some(b) => match crate::web::params::parse_id(b).filter(|id| banks.iter().any(|x| x.id == *id)) {
            Some(id) => Some(id),
            None => return list(&state, &prefs, &uri, None, Some(t(prefs.lang, "credit-policy-unknown-bank"))).await,
        },
        None => None,
    };
    state
        .store
        .set_credit_routing(Routing { policy, preferred_bank_id: preferred }, &viewer.actor(), &request_id.0)
        .await?;
    Ok(Redirect::to("/console/credit").into_response())
}

async fn add_staff(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let banks = state.store.banks().await?;
    let bank =
        form.get("bank").and_then(|b| crate::web::params::parse_id(b)).filter(|id| banks.iter().any(|x| x.id == *id));
    let phone = form.get("phone").and_then(|p| duken_core::phone::Phone::parse(p).ok());
    let (Some(bank), Some(phone)) = (bank, phone) else {
        return list(&state, &prefs, &uri, None, Some(t(prefs.lang, "credit-staff-bad"))).await;
    };
    let Some(user) = state.store.user_by_phone(&phone).await? else {
        return list(&state, &prefs, &uri, None, Some(t(prefs.lang, "credit-staff-no-user"))).await;
    };
    let actor = viewer.actor();
    let change = Change { actor: &actor, reason: "bank staff", request_id: &request_id.0 };
    state.store.grant_role(user, "bank", None, change).await?;
    state.store.add_bank_staff(bank, user, &actor, &request_id.0).await?;
    Ok(Redirect::to("/console/credit").into_response())
}
