//! Limits on what a request may send. The body limit is tower-http's; [`headers_too_large`] adds
//! one on the total size of the request line and headers, which hyper only bounds loosely.

use axum::extract::Request;

/// Request bodies above this are refused with 413, except on the upload routes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// What a price-list upload may add to the file (`--max-pricelist-bytes`): the form around it.
pub const UPLOAD_FORM_SLACK: usize = 64 * 1024;
/// How long an upload and its import may take.
pub const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Request line and headers above this are refused with 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Whether the request line and headers together exceed [`MAX_HEADER_BYTES`].
pub fn headers_too_large(request: &Request) -> bool {
    let header_bytes: usize = request.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let uri = request.uri();
    let uri_bytes = uri.path().len() + uri.query().map_or(0, str::len);
    header_bytes + uri_bytes > MAX_HEADER_BYTES
}
