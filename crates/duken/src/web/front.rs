//! The front door: one middleware that every request passes first, doing in order what each
//! request needs (one layer rather than five keeps the per-request cost low):
//!
//! 1. a request id, current for the whole request ([`request_id::scope`]);
//! 2. the header size limit ([`limits::headers_too_large`], 431);
//! 3. the visitor's language and city ([`prefs::choose`]), CSRF token and signed-in user;
//! 4. the rest of the stack and the router;
//! 5. the body of any error response ([`error::finish`]), in the visitor's language;
//! 6. cookies for choices made by query, security headers, `X-Request-Id`;
//! 7. the access log line and the HTTP metrics.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::accounts::{SESSION_COOKIE, token_hash};
use crate::app::AppState;
use crate::web::error::{self, AppError};
use crate::web::prefs::Viewer;
use crate::web::request_id::{self, MatchedRoute, RequestId};
use crate::web::{access_log, limits, prefs};

pub async fn front_door(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request.headers().get(request_id::HEADER).and_then(RequestId::from_header).unwrap_or_else(RequestId::new);
    let method = method_label(request.method());
    // The path only: query strings may one day carry things that must not be logged.
    let path = request.uri().path().to_owned();
    // Every line logged while handling the request carries the id (see `request_id`).
    request_id::scope(id.clone(), async move {
        let (mut prefs, remember) = prefs::choose(&state.cities, &request);
        // A program sends `Authorization: Bearer <token>` (an API token, or the session token
        // an API sign-in returned); a browser sends the session cookie.
        let bearer = request
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer.or_else(|| prefs::cookie(request.headers(), SESSION_COOKIE)) {
            match viewer(&state, token, bearer.is_some()).await {
                Ok(viewer) => prefs.viewer = viewer.map(Arc::new),
                Err(e) => tracing::error!(error = %e, "looking up a session failed"),
            }
        }
        let response = if limits::headers_too_large(&request) {
            AppError::HeadersTooLarge.into_response()
        } else {
            request.extensions_mut().insert(id.clone());
            request.extensions_mut().insert(prefs.clone());
            next.run(request).await
        };
        let mut response = error::finish(response, &path, &prefs, &id);
        prefs::remember(&mut response, remember);
        let headers = response.headers_mut();
        // No MIME sniffing (a JSON error that echoes input is never rendered as HTML), no
        // framing by other sites, no full URLs leaked to other origins.
        headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        headers.insert("referrer-policy", HeaderValue::from_static("strict-origin-when-cross-origin"));
        if let Ok(v) = HeaderValue::from_str(&id.0) {
            headers.insert(request_id::HEADER, v);
        }

        let elapsed = started.elapsed();
        let status = response.status().as_u16();
        let route = response.extensions().get::<MatchedRoute>().map_or("unmatched", |r| r.0);
        record_metrics(method, route, status, elapsed);
        access_log::record(&access_log::Entry { request_id: &id.0, method, path: &path, status, elapsed });
        response
    })
    .await
}

/// The signed-in person behind a session token, with the roles they hold now.
async fn viewer(state: &AppState, token: &str, bearer: bool) -> Result<Option<Viewer>, duken_store::StoreError> {
    let hash = token_hash(token);
    let by_api_token = if bearer { state.store.token_user(&hash).await? } else { None };
    let session = match by_api_token {
        Some(s) => Some(s),
        None => state.store.session_user(&hash, chrono::Utc::now()).await?,
    };
    let Some(session) = session else { return Ok(None) };
    let (grants, accepted) =
        tokio::try_join!(state.store.active_roles(session.user_id), state.store.accepted_version(session.user_id))?;
    let mut viewer = Viewer::from_session(session, &grants, accepted.unwrap_or(0));
    viewer.bearer = bearer;
    Ok(Some(viewer))
}

/// Counts the request and records its duration. The handles are looked up in the global
/// registry once per label set and thread, not on every request (the lookup hashes every
/// label); label sets are bounded by the code (methods, routes, statuses it answers with).
/// The recorder is installed before the server starts, so no handle is cached before it.
fn record_metrics(method: &'static str, route: &'static str, status: u16, elapsed: Duration) {
    type Handles = HashMap<(&'static str, &'static str, u16), (metrics::Counter, metrics::Histogram)>;
    thread_local! {
        static HANDLES: RefCell<Handles> = RefCell::new(HashMap::new());
    }
    HANDLES.with_borrow_mut(|handles| {
        let (requests, duration) = handles.entry((method, route, status)).or_insert_with(|| {
            (
                metrics::counter!("duken_http_requests_total", "method" => method, "route" => route, "status" => status.to_string()),
                metrics::histogram!("duken_http_request_duration_seconds", "route" => route),
            )
        });
        requests.increment(1);
        duration.record(elapsed.as_secs_f64());
    });
}

/// Only standard methods become metric labels, so odd requests cannot grow the series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
