//! Every request gets an id: taken from a sane incoming `X-Request-Id` (a proxy's), or made
//! here. It is in every log line of the request (a tracing span), in the `X-Request-Id`
//! response header, and on error pages, so a visitor's report finds its log lines.
//! The same middleware writes the access log and the HTTP metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

#[derive(Clone, Debug, Default)]
pub struct RequestId(pub String);

impl RequestId {
    fn new() -> Self {
        RequestId(format!("{:016x}", rand::random::<u64>()))
    }

    fn from_header(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let sane =
            (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        sane.then(|| RequestId(text.to_owned()))
    }
}

/// The route that matched, carried out of the router on the response for the metrics label.
#[derive(Clone)]
pub struct MatchedRoute(pub String);

/// Inside the router (`route_layer`), where the matched route is known.
pub async fn record_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

pub async fn track(mut request: Request, next: Next) -> Response {
    let id = request.headers().get(HEADER).and_then(RequestId::from_header).unwrap_or_else(RequestId::new);
    request.extensions_mut().insert(id.clone());
    let method = request.method().clone();
    // The path only: query strings may one day carry things that must not be logged.
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", id = %id.0, %method, path = %path);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();

    let status = response.status().as_u16();
    let route = response.extensions().get::<MatchedRoute>().map_or("unmatched", |r| r.0.as_str()).to_owned();
    metrics::counter!("duken_http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("duken_http_request_duration_seconds", "route" => route).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request");
    });
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_ids_are_kept_only_when_sane() {
        assert_eq!(RequestId::from_header(&HeaderValue::from_static("abc-123_x.y")).unwrap().0, "abc-123_x.y");
        assert!(RequestId::from_header(&HeaderValue::from_static("a b")).is_none());
        assert!(RequestId::from_header(&HeaderValue::from_static("<script>")).is_none());
        assert!(RequestId::from_header(&HeaderValue::from_str(&"a".repeat(65)).unwrap()).is_none());
        assert_eq!(RequestId::new().0.len(), 16);
    }
}
