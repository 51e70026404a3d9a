//! The HTTP layer: the router, its middleware, and what pages share.
//!
//! A request passes, outermost first: `front::front_door` (request id, header limit, language
//! and city, error bodies, cookies, security headers, access log, metrics) → panic catcher →
//! timeout → body limit → the router.

pub mod access;
pub mod access_log;
pub mod error;
pub mod front;
pub mod i18n;
pub mod limits;
pub mod ops;
pub mod page;
pub mod params;
pub mod prefs;
pub mod request_id;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;

#[derive(OpenApi)]
#[openapi(
    info(title = "duken buyer API", description = "The buyer API of the duken marketplace: catalog, accounts, cart, checkout and orders. \
        Money is integer tiyn (1 ₸ = 100 tiyn) with a formatted string; times are ISO-8601 UTC; \
        lists are paginated with `page` (from 1) and `per_page` (1–100). Errors are JSON documents \
        `{errors: [{status, code, title, detail, source}], meta: {request_id}}`. §4: prices and \
        availability are information from the sellers, not an offer."),
    tags((name = "catalog", description = "Categories, products with sellers' offers, sellers"),
         (name = "accounts", description = "Sign-in by phone and one-time code, me, consents (§9.1), disclosures, data export, API tokens. Authenticate with `Authorization: Bearer <token>`."),
         (name = "orders", description = "The buyer's cart, checkout (one order per seller, units reserved, one checkout per idempotency key; §4: an order is a request the seller accepts), orders and notifications. Signed in."),
         (name = "credit", description = "Credit and 0-0-N installments from partner banks (§3, §9.1-3): every offer for an amount with its dated schedule, total, overpayment and ГЭСВ, before the buyer commits"),
         (name = "operations", description = "Health and readiness"))
)]
struct ApiDoc;

pub fn router(state: AppState, extra: Router<AppState>) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(crate::catalog::api::list_categories))
        .routes(routes!(crate::catalog::api::list_products))
        .routes(routes!(crate::catalog::api::show_product))
        .routes(routes!(crate::catalog::api::list_sellers))
        .routes(routes!(crate::catalog::api::show_seller))
        .routes(routes!(crate::search::api::search))
        .routes(routes!(crate::search::api::suggest))
        .routes(routes!(crate::credit::api::credit_offers))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(crate::accounts::api::request_code))
        .routes(routes!(crate::accounts::api::sign_in))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(crate::accounts::api::sign_out))
                .routes(routes!(crate::accounts::api::me))
                .routes(routes!(crate::accounts::api::list_consents, crate::accounts::api::give_consent))
                .routes(routes!(crate::accounts::api::withdraw_consent))
                .routes(routes!(crate::accounts::api::list_disclosures))
                .routes(routes!(crate::accounts::api::export))
                .routes(routes!(crate::accounts::api::list_tokens, crate::accounts::api::create_token))
                .routes(routes!(crate::accounts::api::revoke_token))
                .route_layer(access::layer(duken_core::roles::Access::SignedIn)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(crate::orders::api::cart))
                .routes(routes!(crate::orders::api::add_item))
                .routes(routes!(crate::orders::api::checkout))
                .routes(routes!(crate::orders::api::my_orders))
                .routes(routes!(crate::orders::api::my_order))
                .routes(routes!(crate::orders::api::cancel))
                .routes(routes!(crate::orders::api::notifications))
                .routes(routes!(crate::credit::requests::show))
                .routes(routes!(crate::credit::requests::signing_code))
                .routes(routes!(crate::credit::requests::sign))
                .routes(routes!(crate::credit::requests::counter_offer))
                .routes(routes!(crate::credit::requests::cancel))
                .route_layer(access::current_agreement(state.clone()))
                .route_layer(access::layer(duken_core::roles::Access::SignedIn)),
        )
        .split_for_parts();
    let openapi_json: Arc<str> = openapi.to_json().expect("the OpenAPI document serializes").into();

    let limited = Router::new()
        .merge(api)
        .merge(crate::catalog::html::routes())
        .merge(crate::search::html::routes())
        .merge(crate::credit::html::routes(state.clone()))
        .merge(crate::merchant_api::routes())
        .merge(crate::orders::routes(state.clone()))
        .merge(crate::content::routes())
        .merge(crate::accounts::html::routes(state.clone()))
        .merge(crate::console::routes())
        .merge(crate::sellers::routes(state.clone()))
        .route(
            "/openapi.json",
            get(move || async move { ([(CONTENT_TYPE, "application/json")], openapi_json.to_string()) }),
        )
        .route("/metrics", get(ops::metrics))
        .route("/static/style.css", get(style_css))
        .route("/favicon.ico", get(favicon))
        .merge(extra)
        .layer(
            ServiceBuilder::new()
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(RequestBodyLimitLayer::new(limits::MAX_BODY_BYTES)),
        );
    // Price lists are large and slow to import: their routes have their own limits.
    let uploads = crate::sellers::cabinet::upload_routes(state.clone()).layer(
        ServiceBuilder::new()
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits::UPLOAD_TIMEOUT))
            .layer(RequestBodyLimitLayer::new(
                usize::try_from(state.max_pricelist_bytes)
                    .unwrap_or(usize::MAX)
                    .saturating_add(limits::UPLOAD_FORM_SLACK),
            ))
            .layer(axum::extract::DefaultBodyLimit::disable()),
    );
    Router::new()
        .merge(limited)
        .merge(uploads)
        .route_layer(from_fn(request_id::record_route))
        .fallback(|| async { AppError::NotFound(Message::new("error-no-such-page")) })
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), front::front_door))
                .layer(CatchPanicLayer::custom(error::panic_response)),
        )
        .with_state(state)
}

async fn style_css() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/style.css"),
    )
}

/// The shop's mark: a shopping bag in the brand colour, as SVG (browsers ask for this path).
async fn favicon() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../static/favicon.svg"),
    )
}
