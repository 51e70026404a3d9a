//! The operator's side of onboarding: the applications queue and the decision (§3).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::roles::Access;
use duken_core::time::format_local;
use duken_store::StoreError;
use duken_store::sellers::{Decision, SellerApplication};

use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::{Params, clip, parse_id};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/sellers", get(queue))
        .route("/console/sellers/applications/{id}", get(application))
        .route("/console/sellers/applications/{id}/decide", post(decide))
        .route("/console/cards", get(cards))
        .route("/console/cards/{id}", post(moderate))
        .route_layer(access::layer(Access::Operator))
}

pub struct QueueLine {
    pub id: i64,
    pub legal_name: String,
    pub display_name: String,
    pub bin: String,
    pub country: String,
    pub status: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "sellers/console_queue.html")]
struct QueuePage {
    ctx: PageCtx,
    status: String,
    lines: Vec<QueueLine>,
    total: i64,
    pager: Pager,
}

const STATUSES: [&str; 3] = ["pending", "approved", "rejected"];

async fn queue(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    // Unknown statuses fall back to the queue of pending ones; `all` lists every application.
    let status = match params.get("status") {
        Some("all") => None,
        Some(s) if STATUSES.contains(&s) => Some(s),
        _ => Some("pending"),
    };
    let (rows, total) = state.store.seller_applications(status, page).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let lines = rows
        .into_iter()
        .map(|a| QueueLine {
            id: a.id,
            legal_name: a.legal_name,
            display_name: a.display_name,
            bin: a.bin.unwrap_or_default(),
            country: a.country,
            status: ctx.t(&format!("application-{}", a.status)),
            at: format_local(a.created_at, ctx.lang),
        })
        .collect();
    html(&QueuePage {
        status: status.unwrap_or("all").to_owned(),
        lines,
        total,
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}

#[derive(Template)]
#[template(path = "sellers/console_application.html")]
struct ApplicationPage {
    ctx: PageCtx,
    a: SellerApplication,
    status: String,
    city: String,
    created: String,
    decided: String,
}

fn application_not_found(id: i64) -> AppError {
    AppError::NotFound(Message::new("error-no-such-application").arg("id", id.to_string()))
}

async fn application(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or_else(|| application_not_found(0))?;
    let a = match state.store.seller_application(id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Err(application_not_found(id)),
        Err(e) => return Err(e.into()),
    };
    let ctx = PageCtx::new(&prefs, &uri);
    let city = a
        .store_city_kato
        .as_deref()
        .and_then(|k| state.cities.all().iter().find(|c| c.kato.to_string() == k))
        .map_or_else(|| ctx.t("store-city-abroad"), |c| c.name.get(ctx.lang).clone());
    html(&ApplicationPage {
        status: ctx.t(&format!("application-{}", a.status)),
        created: format_local(a.created_at, ctx.lang),
        decided: a.decided_at.map(|d| format_local(d, ctx.lang)).unwrap_or_default(),
        city,
        a,
        ctx,
    })
}

async fn decide(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let id = parse_id(&id).ok_or_else(|| application_not_found(0))?;
    let decision = match form.get("decision").map(String::as_str) {
        Some("approve") => Decision::Approve,
        Some("reject") => Decision::Reject,
        _ => return Err(AppError::bad_param("decision", Message::new("error-bad-decision"))),
    };
    let reason = clip(form.get("reason").map(|r| r.trim()).unwrap_or(""));
    // A rejection tells the applicant why; an approval may go without a note.
    if decision == Decision::Reject && reason.is_empty() {
        return Err(AppError::bad_param("reason", Message::new("error-reason-required")));
    }
    match state.store.decide_application(id, decision, viewer.user_id, &reason, &request_id.0).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/sellers/applications/{id}")).into_response()),
        Err(StoreError::NotFound) => Err(application_not_found(id)),
        Err(StoreError::Conflict(c)) if c.contains("decided") => {
            Err(AppError::bad_param("decision", Message::new("error-already-decided")))
        }
        // The BIN or the first store's code was taken meanwhile.
        Err(StoreError::Conflict(_)) => Err(AppError::bad_param("decision", Message::new("error-seller-exists"))),
        Err(e) => Err(e.into()),
    }
}

pub struct CardLine {
    pub product_id: i64,
    pub brand: String,
    pub model: String,
    pub seller: String,
    pub sku: String,
    pub at: String,
}

pub struct CategoryChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "sellers/console_cards.html")]
struct CardsPage {
    ctx: PageCtx,
    cards: Vec<CardLine>,
    categories: Vec<CategoryChoice>,
    total: i64,
    pager: Pager,
}

pub async fn cards(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let page = Params::from_uri(&uri).page()?;
    let ((rows, total), categories) = tokio::try_join!(state.store.pending_cards(page), state.catalog.categories())?;
    let ctx = PageCtx::new(&prefs, &uri);
    // Cards go into leaf categories (those without children), named with their parent.
    let categories = categories
        .iter()
        .filter(|c| !categories.iter().any(|x| x.parent_id == Some(c.id)))
        .map(|c| {
            let parent = c.parent_id.and_then(|p| categories.iter().find(|x| x.id == p));
            let name = match parent {
                Some(p) => format!("{} › {}", p.name.get(ctx.lang), c.name.get(ctx.lang)),
                None => c.name.get(ctx.lang).clone(),
            };
            CategoryChoice { id: c.id, name }
        })
        .collect();
    html(&CardsPage {
        cards: rows
            .into_iter()
            .map(|r| CardLine {
                product_id: r.product_id,
                brand: r.brand,
                model: r.model,
                seller: r.seller_name.unwrap_or_default(),
                sku: r.sku.unwrap_or_default(),
                at: format_local(r.created_at, ctx.lang),
            })
            .collect(),
        categories,
        total,
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}

pub async fn moderate(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    use duken_store::sellers::Moderation;
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let not_found = || AppError::NotFound(Message::new("error-no-such-card"));
    let id = parse_id(&id).ok_or_else(not_found)?;
    let number = |name: &'static str| {
        form.get(name)
            .and_then(|v| parse_id(v.trim()))
            .ok_or_else(|| AppError::bad_param(name, Message::new("error-moderation-target")))
    };
    let decision = match form.get("decision").map(String::as_str) {
        Some("publish") => Moderation::Publish { category_id: number("category")? },
        Some("merge") => Moderation::Merge { into_product_id: number("into")? },
        Some("reject") => Moderation::Reject,
        _ => return Err(AppError::bad_param("decision", Message::new("error-bad-decision"))),
    };
    let reason = clip(form.get("reason").map(|r| r.trim()).unwrap_or(""));
    if decision == Moderation::Reject && reason.is_empty() {
        return Err(AppError::bad_param("reason", Message::new("error-reason-required")));
    }
    match state.store.moderate_card(id, decision, &viewer.actor(), &reason, &request_id.0).await {
        Ok(()) => {
            state.catalog.invalidate();
            state.search.nudge();
            Ok(Redirect::to("/console/cards").into_response())
        }
        Err(StoreError::NotFound) => Err(not_found()),
        Err(StoreError::Conflict(_)) => Err(AppError::bad_param("into", Message::new("error-moderation-target"))),
        Err(e) => Err(e.into()),
    }
}
