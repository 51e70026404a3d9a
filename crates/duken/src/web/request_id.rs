//! Every request gets an id: taken from a sane incoming `X-Request-Id` (a proxy's), or made
//! here. It is in every log line of the request (`request_id=`, from [`scope`]), in the
//! `X-Request-Id` response header, and on error pages, so a visitor's report finds its log
//! lines.
//!
//! The id is a task-local value rather than a `tracing` span: a span per request cost about a
//! tenth of the throughput of a cached JSON endpoint (`benches/http.sh`), spent creating,
//! entering and closing spans for requests that mostly log nothing but their access line. The
//! log formatter ([`crate::telemetry`]) adds the id to each line logged within the scope.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";

#[derive(Clone, Debug, Default)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn new() -> Self {
        RequestId(format!("{:016x}", rand::random::<u64>()))
    }

    pub fn from_header(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let sane =
            (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        sane.then(|| RequestId(text.to_owned()))
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// Runs `work` (the handling of one request) with `id` as the current request id.
pub async fn scope<F: Future>(id: RequestId, work: F) -> F::Output {
    CURRENT.scope(id, work).await
}

/// Calls `f` with the id of the request being handled on this task, if any.
pub fn with_current<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
    let mut f = Some(f);
    let called = CURRENT.try_with(|id| (f.take().expect("called once"))(Some(&id.0)));
    match called {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called yet"))(None),
    }
}

/// The route that matched, carried out of the router on the response for the metrics label.
/// Route patterns are few and fixed, so each is leaked once and then shared as `'static`.
#[derive(Clone, Copy)]
pub struct MatchedRoute(pub &'static str);

/// Inside the router (`route_layer`), where the matched route is known.
pub async fn record_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| intern(m.as_str()));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

/// A `'static` copy of a route pattern. Only patterns registered in the router reach this, so
/// the set is bounded by the code.
fn intern(route: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{LazyLock, RwLock};
    // Read on every request by every worker, written once per route: a read lock.
    static ROUTES: LazyLock<RwLock<HashSet<&'static str>>> = LazyLock::new(Default::default);
    if let Some(r) = ROUTES.read().unwrap_or_else(|e| e.into_inner()).get(route) {
        return r;
    }
    let mut routes = ROUTES.write().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = routes.get(route) {
        return r;
    }
    let leaked: &'static str = Box::leak(route.to_owned().into_boxed_str());
    routes.insert(leaked);
    leaked
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
