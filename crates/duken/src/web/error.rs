//! One error type for the whole application, and one place that turns it into a response.
//!
//! Handlers return `Result<_, AppError>`. [`AppError::into_response`] only records *what*
//! went wrong (status and an [`ErrorReport`] in the response's extensions); [`finish`],
//! called by the front-door middleware, which knows the visitor's language and the request id, then
//! writes the body: a localized HTML page for the site, a JSON error document under `/api/`.
//! Responses that fail below our handlers (axum's method-not-allowed, the body-size limit,
//! a timeout, a panic) get the same treatment, so there is no unstyled or unlocalized error
//! anywhere. Internal errors are logged with the request id; users see only a generic text
//! and the id.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use duken_core::Lang;
use duken_store::StoreError;
use serde::Serialize;

use crate::web::i18n::{Message, t};
use crate::web::page::{ErrorPage, PageCtx};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

/// A query or path parameter that was not acceptable, and why.
#[derive(Clone, Debug)]
pub struct FieldError {
    pub field: &'static str,
    pub message: Message,
}

#[derive(Debug)]
pub enum AppError {
    /// Nothing at this address; the message says what was looked for.
    NotFound(Message),
    BadRequest(Vec<FieldError>),
    /// Sign in first (JSON API; pages redirect to the sign-in page instead).
    Unauthorized,
    /// Refused whoever asks (a form without its CSRF token); the message says why.
    Forbidden(Message),
    /// Too many requests of this kind; try again after this many seconds.
    TooManyRequests {
        retry_after_secs: u64,
        message: Message,
    },
    /// The request is right but the thing it acts on is not in a state to take it now.
    Conflict(Message),
    /// A partner service (a bank) did not answer; the message says to try again.
    Unavailable(Message),
    MethodNotAllowed,
    PayloadTooLarge,
    HeadersTooLarge,
    Timeout,
    /// Some other failure below the handlers, known only by its status.
    Status(StatusCode),
    Internal(anyhow::Error),
}

impl AppError {
    pub fn bad_param(field: &'static str, message: Message) -> Self {
        AppError::BadRequest(vec![FieldError { field, message }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::Timeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Status(s) => *s,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code for API clients, which never changes with the language.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "invalid_parameter",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Conflict(_) => "conflict",
            AppError::Unavailable(_) => "unavailable",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::HeadersTooLarge => "headers_too_large",
            AppError::Timeout => "timeout",
            AppError::Status(s) if s.is_client_error() => "bad_request",
            AppError::Status(_) | AppError::Internal(_) => "internal_error",
        }
    }

    fn title_key(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "error-not-found-title",
            AppError::BadRequest(_) => "error-bad-request-title",
            AppError::Unauthorized => "error-unauthorized-title",
            AppError::Forbidden(_) => "error-forbidden-title",
            AppError::TooManyRequests { .. } => "error-too-many-title",
            AppError::Conflict(_) => "error-conflict-title",
            AppError::Unavailable(_) => "error-unavailable-title",
            AppError::MethodNotAllowed => "error-method-title",
            AppError::PayloadTooLarge => "error-too-large-title",
            AppError::HeadersTooLarge => "error-headers-title",
            AppError::Timeout => "error-timeout-title",
            AppError::Status(s) if s.is_client_error() => "error-bad-request-title",
            AppError::Status(_) | AppError::Internal(_) => "error-internal-title",
        }
    }

    /// What to tell the visitor, one line per problem.
    fn details(&self, lang: Lang) -> Vec<(Option<&'static str>, String)> {
        match self {
            AppError::NotFound(m) => vec![(None, m.render(lang))],
            AppError::BadRequest(fields) => fields.iter().map(|f| (Some(f.field), f.message.render(lang))).collect(),
            AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::Unavailable(m)
            | AppError::TooManyRequests { message: m, .. } => vec![(None, m.render(lang))],
            AppError::Unauthorized => vec![(None, t(lang, "error-unauthorized-detail"))],
            AppError::MethodNotAllowed => vec![(None, t(lang, "error-method-detail"))],
            AppError::PayloadTooLarge => vec![(None, t(lang, "error-too-large-detail"))],
            AppError::HeadersTooLarge => vec![(None, t(lang, "error-headers-detail"))],
            AppError::Timeout => vec![(None, t(lang, "error-timeout-detail"))],
            AppError::Status(s) if s.is_client_error() => vec![(None, t(lang, "error-bad-request-detail"))],
            AppError::Status(_) | AppError::Internal(_) => vec![(None, t(lang, "error-internal-detail"))],
        }
    }

    /// The error that stands for a bare status from below the handlers.
    fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound(Message::new("error-no-such-page")),
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => AppError::HeadersTooLarge,
            StatusCode::REQUEST_TIMEOUT => AppError::Timeout,
            other => AppError::Status(other),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound(Message::new("error-no-such-page")),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// The error behind a response, for [`render`] to write out.
#[derive(Clone)]
pub struct ErrorReport(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if let AppError::TooManyRequests { retry_after_secs, .. } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response.extensions_mut().insert(ErrorReport(Arc::new(self)));
        response
    }
}

/// For `CatchPanicLayer`: a panic is an internal error like any other (its message stays
/// in the log, never in the response).
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::Internal(anyhow::anyhow!("a request handler panicked")).into_response()
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDocument {
    pub errors: Vec<ErrorObject>,
    pub meta: ErrorMeta,
}

/// One problem, in the shape of JSON:API error objects.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorObject {
    /// The HTTP status, as a string.
    pub status: String,
    /// A stable machine-readable code: `not_found`, `invalid_parameter`, …
    pub code: String,
    /// A short summary in the request's language.
    pub title: String,
    /// What exactly is wrong, in the request's language.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorSource {
    /// The query or path parameter at fault.
    pub parameter: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorMeta {
    /// Quote it to support: it finds this request in the logs.
    pub request_id: String,
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/shop/api/") || path == "/openapi.json"
}

/// Writes the body of an error response (see the module documentation); other responses
/// pass unchanged.
pub fn finish(response: Response, path: &str, prefs: &Prefs, request_id: &RequestId) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match response.extensions().get::<ErrorReport>() {
        Some(report) => report.0.clone(),
        // A handler that chose its own error body (JSON from /readyz) keeps it.
        None if has_own_body(&response) => return response,
        None => Arc::new(AppError::from_status(status)),
    };
    if let AppError::Internal(e) = &*error {
        tracing::error!(request_id = %request_id.0, error = format!("{e:#}"), "internal error");
    }
    let mut out = if wants_json(path) {
        let mut out = json_error(&error, prefs.lang, request_id);
        if path.starts_with("/shop/api/") {
            // The merchant API speaks JSON:API (kaspi-merchant-api.md).
            out.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/vnd.api+json"));
        }
        out
    } else {
        html_error(&error, prefs.clone(), path, request_id)
    };
    *out.status_mut() = status;
    // Keep headers such as `Allow` (405) that the original response carried.
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().entry(name.clone()).or_insert(value.clone());
        }
    }
    out
}

fn has_own_body(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"))
}

fn json_error(error: &AppError, lang: Lang, request_id: &RequestId) -> Response {
    let status = error.status();
    let title = t(lang, error.title_key());
    let errors = error
        .details(lang)
        .into_iter()
        .map(|(field, detail)| ErrorObject {
            status: status.as_u16().to_string(),
            code: error.code().to_owned(),
            title: title.clone(),
            detail,
            source: field.map(|f| ErrorSource { parameter: f.to_owned() }),
        })
        .collect();
    let doc = ErrorDocument { errors, meta: ErrorMeta { request_id: request_id.0.clone() } };
    let mut response = axum::Json(doc).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn html_error(error: &AppError, prefs: Prefs, path: &str, request_id: &RequestId) -> Response {
    let lang = prefs.lang;
    let ctx = PageCtx::bare(prefs, path);
    let page = ErrorPage {
        title: t(lang, error.title_key()),
        details: error.details(lang).into_iter().map(|(_, d)| d).collect(),
        status: error.status().as_u16(),
        request_id: request_id.0.clone(),
        ctx,
    };
    match askama::Template::render(&page) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(request_id = %request_id.0, error = %e, "error page failed to render");
            Response::new(Body::from(t(lang, "error-internal-detail")))
        }
    }
}
