//! The Kaspi-compatible merchant API (`../shared/kaspi-merchant-api.md`): sellers' existing
//! tools talk to duken by changing only their base URL and token.
//!
//! Authentication is the `X-Auth-Token` header: a token issued in the seller cabinet, scoped to
//! one seller ([`SellerAuth`]). Errors are JSON:API documents (the front door renders every
//! error under `/shop/api/` as JSON). Request bodies are read as JSON whatever their
//! `Content-Type` says (tools send `text/plain`), and unknown query parameters are ignored.
//! The product API is served under `/shop/api/products/…` and `/shop/api/v2/products/…`, the
//! orders API under `/shop/api/v2/orders…` and `/shop/api/v2/orderentries/…`.

pub mod orders;
pub mod products;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::web::error::AppError;

pub fn routes() -> Router<AppState> {
    products::routes("/shop/api/products").merge(products::routes("/shop/api/v2/products")).merge(orders::routes())
}

/// The seller a request's `X-Auth-Token` belongs to.
pub struct SellerAuth(pub i64);

impl FromRequestParts<AppState> for SellerAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(AppError::Unauthorized)?;
        let hash = crate::accounts::token_hash(token);
        match state.store.seller_of_token(&hash).await? {
            Some(seller_id) => Ok(SellerAuth(seller_id)),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// A JSON answer with the JSON:API media type the real service uses.
pub fn json_api(value: &impl serde::Serialize) -> Response {
    let mut response = axum::Json(value).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/vnd.api+json"));
    response
}
