//! The front door: one middleware that every request passes first, doing in order what each
//! request needs (one layer rather than five keeps the per-request cost low):
//!
//! 1. a request id and a tracing span ([`RequestId`]);
//! 2. the header size limit ([`limits::headers_too_large`], 431);
//! 3. the visitor's language and city ([`prefs::choose`]), CSRF token and signed-in user;
//! 4. the rest of the stack and the router;
//! 5. the body of any error response ([`error::finish`]), in the visitor's language;
//! 6. cookies for choices made by query, security headers, `X-Request-Id`;
//! 7. the access log line and the HTTP metrics.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::accounts::{SESSION_COOKIE, token_hash};
use crate::app::AppState;
use crate::web::error::{self, AppError};
use crate::web::prefs::Viewer;
use crate::web::request_id::{self, MatchedRoute, RequestId};
use crate::web::{limits, prefs};

pub async fn front_door(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request.headers().get(request_id::HEADER).and_then(RequestId::from_header).unwrap_or_else(RequestId::new);
    let method = method_label(request.method());
    // The path only: query strings may one day carry things that must not be logged.
    let path = request.uri().path().to_owned();
    // The span carries only the id, so every line logged while handling the request has it;
    // the access line below adds the rest.
    let span = tracing::info_span!("request", id = %id.0);

    async move {
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
        metrics::counter!("duken_http_requests_total", "method" => method, "route" => route, "status" => status.to_string())
            .increment(1);
        metrics::histogram!("duken_http_request_duration_seconds", "route" => route).record(elapsed.as_secs_f64());
        tracing::info!(method, path = %path, status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request");
        response
    }
    .instrument(span)
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
