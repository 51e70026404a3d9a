//! Limits on what a request may send. The body limit is tower-http's; this adds one on the
//! total size of the request line and headers, which hyper only bounds loosely.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::error::AppError;

/// Request bodies above this are refused with 413 (no page of this issue takes a body; the
/// seller uploads of later issues raise it per route).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Request line and headers above this are refused with 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub async fn header_size(request: Request, next: Next) -> Response {
    let header_bytes: usize = request.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let uri_bytes = request.uri().to_string().len();
    if header_bytes + uri_bytes > MAX_HEADER_BYTES {
        return AppError::HeadersTooLarge.into_response();
    }
    next.run(request).await
}
