//! Sign-in pages (§2, §10): number → code → session; sign out (here or everywhere); a
//! minimal profile; the demo SMS outbox.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::Utc;
use duken_core::otp::constant_time_eq;
use duken_core::roles::Access;
use duken_core::time::format_local;
use duken_core::{Phone, PhoneError};
use duken_store::accounts::NewAcceptance;

use super::{SESSION_COOKIE, client_ip, user_agent};
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, html};
use crate::web::prefs::{Prefs, cookie_attributes};
use crate::web::request_id::RequestId;

pub fn routes(state: AppState) -> Router<AppState> {
    // Account changes wait for the agreement in force to be accepted (§7).
    let changes = Router::new()
        .route("/profile/name", post(rename))
        .route("/profile/password", post(set_password))
        .route("/profile/tokens", post(create_token))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(Access::SignedIn));
    let signed_in = Router::new()
        .route("/agreement/accept", get(show_accept).post(accept))
        .route("/profile", get(show_profile))
        .route("/profile/sessions/revoke", post(sign_out_everywhere))
        .route("/profile/consents/withdraw", post(withdraw_consent))
        .route("/profile/export", get(export_data))
        .route("/profile/tokens/revoke", post(revoke_token))
        .route_layer(access::layer(Access::SignedIn));
    Router::new()
        .route("/signin", get(show_signin).post(request_code))
        .route("/signin/code", get(show_code).post(verify_code))
        .route("/signin/password", post(password_sign_in))
        .route("/signout", post(sign_out))
        .route("/demo/sms", get(show_outbox))
        .merge(signed_in)
        .merge(changes)
}

#[derive(Template)]
#[template(path = "accounts/accept.html")]
struct AcceptPage {
    ctx: PageCtx,
    version: i64,
    accepted: i64,
    summary: String,
    body: String,
    next: String,
}

async fn show_accept(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let next = safe_next(crate::web::params::Params::from_uri(&uri).get("next"));
    let current =
        state.store.current_agreement().await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no agreement")))?;
    if viewer.accepted_version >= current.version {
        return Ok(Redirect::to(&next).into_response());
    }
    let lang = prefs.lang;
    html(&AcceptPage {
        version: i64::from(current.version),
        accepted: i64::from(viewer.accepted_version),
        summary: current.summary.get(lang).clone(),
        body: current.text.get(lang).clone(),
        next,
        ctx: PageCtx::new(&prefs, &uri),
    })
}

async fn accept(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    headers: axum::http::HeaderMap,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    // The version the page showed: accepting must be of the text seen, not of a newer one.
    let shown: i32 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let current = state.accounts.agreement_version(&state.store).await?;
    if shown != current {
        return Ok(Redirect::to("/agreement/accept").into_response());
    }
    if viewer.accepted_version < current {
        let (ip, agent) = (client_ip(&headers), user_agent(&headers));
        let acceptance = NewAcceptance { version: current, ip: &ip, user_agent: &agent, channel: "web" };
        state.store.accept_agreement(viewer.user_id, &acceptance, &request_id.0).await?;
    }
    Ok(Redirect::to(&safe_next(form.get("next").map(String::as_str))).into_response())
}

async fn rename(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let name = form.get("name").map(|n| n.trim()).unwrap_or("");
    if name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(AppError::bad_param("name", Message::new("error-name")));
    }
    state.store.set_display_name(viewer.user_id, name, &request_id.0).await?;
    Ok(Redirect::to("/profile").into_response())
}

type FormData = Form<HashMap<String, String>>;

/// Every form carries the visitor's CSRF token; a form without it, or with another one, is
/// refused (403) before anything else is looked at.
pub fn check_csrf(prefs: &Prefs, form: &HashMap<String, String>) -> Result<(), AppError> {
    let given = form.get("csrf").map(String::as_str).unwrap_or("");
    if prefs.csrf_from_cookie && constant_time_eq(given.as_bytes(), prefs.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Message::new("error-csrf")))
    }
}

fn phone_error(e: PhoneError) -> Message {
    Message::new(match e {
        PhoneError::Shape => "error-phone-shape",
        PhoneError::Foreign => "error-phone-foreign",
        PhoneError::NotMobile => "error-phone-not-mobile",
    })
}

#[derive(Template)]
#[template(path = "accounts/signin.html")]
struct SigninPage {
    ctx: PageCtx,
    phone: String,
    next: String,
    error: Option<String>,
}

/// Where to go after signing in: a path on this site only (never `//host` or a full URL, so
/// the parameter cannot send anyone elsewhere); the profile otherwise.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() <= 512 => n.to_owned(),
        _ => "/profile".to_owned(),
    }
}

async fn show_signin(Extension(prefs): Extension<Prefs>, uri: Uri) -> Result<Response, AppError> {
    if prefs.viewer.is_some() {
        return Ok(Redirect::to("/profile").into_response());
    }
    let next = safe_next(crate::web::params::Params::from_uri(&uri).get("next"));
    html(&SigninPage { ctx: PageCtx::new(&prefs, &uri), phone: String::new(), next, error: None })
}

async fn request_code(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    headers: axum::http::HeaderMap,
    uri: Uri,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let raw = form.get("phone").map(String::as_str).unwrap_or("");
    let again = |error: Message| -> Result<Response, AppError> {
        let page = SigninPage {
            error: Some(error.render(prefs.lang)),
            phone: raw.chars().take(32).collect(),
            next: safe_next(form.get("next").map(String::as_str)),
            ctx: PageCtx::new(&prefs, &uri),
        };
        Ok((StatusCode::BAD_REQUEST, html(&page)?).into_response())
    };
    if form.get("accept").map(String::as_str) != Some("yes") {
        return again(Message::new("error-accept-required"));
    }
    let phone = match Phone::parse(raw) {
        Ok(p) => p,
        Err(e) => return again(phone_error(e)),
    };
    super::send_code(&state, prefs.lang, &headers, &phone).await?;
    // The same answer whether or not the number has an account.
    let next = safe_next(form.get("next").map(String::as_str));
    let query = crate::web::params::encode_query(&[("phone", phone.as_str()), ("next", &next)]);
    Ok(Redirect::to(&format!("/signin/code?{query}")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/code.html")]
struct CodePage {
    ctx: PageCtx,
    next: String,
    phone: String,
    phone_shown: String,
    demo: bool,
    error: Option<String>,
}

async fn show_code(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let params = crate::web::params::Params::from_uri(&uri);
    let phone =
        Phone::parse(params.get("phone").unwrap_or("")).map_err(|e| AppError::bad_param("phone", phone_error(e)))?;
    html(&CodePage {
        next: safe_next(params.get("next")),
        phone: phone.as_str().to_owned(),
        phone_shown: phone.to_string(),
        demo: state.accounts.demo,
        error: None,
        ctx: PageCtx::new(&prefs, &uri),
    })
}

async fn verify_code(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    headers: axum::http::HeaderMap,
    uri: Uri,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let phone = Phone::parse(form.get("phone").map(String::as_str).unwrap_or(""))
        .map_err(|e| AppError::bad_param("phone", phone_error(e)))?;
    let code = form.get("code").map(|c| c.trim()).unwrap_or("");
    let accounts = &state.accounts;
    let again = |error: Message| -> Result<Response, AppError> {
        let page = CodePage {
            next: safe_next(form.get("next").map(String::as_str)),
            phone: phone.as_str().to_owned(),
            phone_shown: phone.to_string(),
            demo: accounts.demo,
            error: Some(error.render(prefs.lang)),
            ctx: PageCtx::new(&prefs, &uri),
        };
        Ok((StatusCode::BAD_REQUEST, html(&page)?).into_response())
    };
    let token = match super::sign_in(&state, &prefs, &request_id, &headers, &phone, code, "web").await? {
        Ok(token) => token,
        Err(message) => return again(message),
    };
    signed_in(&headers, &token, form.get("next").map(String::as_str))
}

/// The answer to a successful sign-in: the session cookie, and on to `next`.
fn signed_in(headers: &axum::http::HeaderMap, token: &str, next: Option<&str>) -> Result<Response, AppError> {
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; {}",
        cookie_attributes(
            crate::web::prefs::behind_https(headers),
            u32::try_from(super::SESSION_LIFETIME.num_seconds()).unwrap_or(u32::MAX)
        )
    );
    let mut response = Redirect::to(&safe_next(next)).into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?);
    Ok(response)
}

/// Failed password sign-ins allowed per number, and per address, in [`FAILURE_WINDOW_MINUTES`].
const FAILURES_PER_PHONE: i64 = 5;
const FAILURES_PER_IP: i64 = 30;
const FAILURE_WINDOW_MINUTES: i64 = 15;

/// Sign-in with a password the person set on their profile. A wrong password and a number
/// without an account or password get the same answer, after the same work.
async fn password_sign_in(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    headers: axum::http::HeaderMap,
    uri: Uri,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let raw = form.get("phone").map(String::as_str).unwrap_or("");
    let password = form.get("password").cloned().unwrap_or_default();
    let again = |status: StatusCode, error: Message| -> Result<Response, AppError> {
        let page = SigninPage {
            error: Some(error.render(prefs.lang)),
            phone: raw.chars().take(32).collect(),
            next: safe_next(form.get("next").map(String::as_str)),
            ctx: PageCtx::new(&prefs, &uri),
        };
        Ok((status, html(&page)?).into_response())
    };
    let phone = match Phone::parse(raw) {
        Ok(p) => p,
        Err(e) => return again(StatusCode::BAD_REQUEST, phone_error(e)),
    };
    let now = Utc::now();
    let ip = client_ip(&headers);
    let (by_phone, by_ip) =
        state.store.password_failures(&phone, &ip, now - chrono::Duration::minutes(FAILURE_WINDOW_MINUTES)).await?;
    if by_phone >= FAILURES_PER_PHONE || by_ip >= FAILURES_PER_IP {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(FAILURE_WINDOW_MINUTES * 60).unwrap_or(900),
            message: Message::new("error-password-throttled"),
        });
    }
    let account = state.store.password_of(&phone).await?;
    let stored = account.as_ref().and_then(|(_, h)| h.clone());
    let matches = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => super::password::verify(&password, &hash),
        None => {
            super::password::verify_nothing(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let Some((user_id, _)) = account.filter(|_| matches) else {
        state.store.record_password_failure(&phone, &ip, now).await?;
        return again(StatusCode::BAD_REQUEST, Message::new("error-password-wrong"));
    };
    super::end_browser_session(&state, &prefs, &request_id, now).await?;
    let (token, token_hash) = super::new_session_token();
    let agent = user_agent(&headers);
    let session = duken_store::accounts::NewSession {
        token_hash: &token_hash,
        expires_at: super::Accounts::session_expiry(now),
        ip: &ip,
        user_agent: &agent,
    };
    state.store.open_session(user_id, &session, "password", &request_id.0, now).await?;
    crate::orders::html::merge_guest_cart(&state, &headers, user_id).await?;
    signed_in(&headers, &token, form.get("next").map(String::as_str))
}

/// Sets or replaces the password (an account change: behind the agreement gate).
async fn set_password(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let password = form.get("password").cloned().unwrap_or_default();
    if !super::password::acceptable(&password) {
        return Err(AppError::bad_param("password", Message::new("error-password-weak")));
    }
    if form.get("repeat") != Some(&password) {
        return Err(AppError::bad_param("repeat", Message::new("error-password-repeat")));
    }
    let hash = tokio::task::spawn_blocking(move || super::password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    state.store.set_password(viewer.user_id, &hash, &request_id.0).await?;
    Ok(Redirect::to("/profile#password").into_response())
}

fn clear_session_cookie(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(SET_COOKIE, HeaderValue::from_static("session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"));
    response
}

async fn sign_out(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    if let Some(viewer) = &prefs.viewer {
        state.store.revoke_sessions(viewer.user_id, Some(viewer.session_id), &request_id.0, Utc::now()).await?;
    }
    Ok(clear_session_cookie(Redirect::to("/").into_response()))
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    state.store.revoke_sessions(viewer.user_id, None, &request_id.0, Utc::now()).await?;
    Ok(clear_session_cookie(Redirect::to("/signin").into_response()))
}

pub struct SessionLine {
    pub started: String,
    pub ip: String,
    pub agent: String,
    pub current: bool,
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/console/audit?subject=user:1")), "/console/audit?subject=user:1");
        for bad in ["//evil.example/x", "https://evil.example", "evil", "/\\evil", ""] {
            assert_eq!(safe_next(Some(bad)), "/profile", "{bad}");
        }
        assert_eq!(safe_next(None), "/profile");
    }
}

pub struct ConsentLine {
    pub id: i64,
    pub purpose: String,
    pub recipient: String,
    pub abroad: bool,
    pub given: String,
    pub withdrawn: Option<String>,
}

pub struct DisclosureLine {
    pub at: String,
    pub recipient: String,
    pub fields: String,
    pub purpose: String,
    pub allowed: bool,
    pub basis: String,
}

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct ProfilePage {
    ctx: PageCtx,
    phone: String,
    name: String,
    /// A newer agreement version waits for acceptance.
    newer_agreement: bool,
    agreement: Option<String>,
    sessions: Vec<SessionLine>,
    consents: Vec<ConsentLine>,
    disclosures: Vec<DisclosureLine>,
    tokens: Vec<TokenLine>,
}

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "accounts/token.html")]
struct NewTokenPage {
    ctx: PageCtx,
    name: String,
    token: String,
}

/// Creates an API token and shows it this once.
async fn create_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    uri: Uri,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let name = form.get("name").map(|n| n.trim()).unwrap_or("");
    let (_, token) = super::issue_api_token(&state, viewer, name, &request_id.0).await?;
    let page = NewTokenPage { name: name.to_owned(), token, ctx: PageCtx::new(&prefs, &uri) };
    // Never cached: the token is on this page only.
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], html(&page)?).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let id = crate::web::params::id_param(form.get("token").map(String::as_str).unwrap_or(""), "token")?;
    if !state.store.revoke_api_token(viewer.user_id, id, &request_id.0).await? {
        return Err(AppError::NotFound(Message::new("error-no-such-token").arg("id", id.to_string())));
    }
    Ok(Redirect::to("/profile#tokens").into_response())
}

fn purpose_name(ctx: &PageCtx, code: &str) -> String {
    ctx.t(&format!("purpose-{}", code.replace('_', "-")))
}

fn recipient_name(ctx: &PageCtx, code: &str) -> String {
    ctx.t(&format!("recipient-{}", code.replace('_', "-")))
}

async fn show_profile(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let now = Utc::now();
    let current = state.accounts.agreement_version(&state.store).await?;
    let (tokens, name, acceptances, sessions, consents, disclosures) = tokio::try_join!(
        state.store.api_tokens(viewer.user_id),
        state.store.display_name(viewer.user_id),
        state.store.acceptances(viewer.user_id),
        state.store.list_sessions(viewer.user_id, now),
        state.store.consents(viewer.user_id),
        state.store.disclosures(viewer.user_id),
    )?;
    let lang = prefs.lang;
    let ctx = PageCtx::new(&prefs, &uri);
    let phone = Phone::parse(&viewer.phone).map(|p| p.to_string()).unwrap_or_else(|_| viewer.phone.clone());
    html(&ProfilePage {
        phone,
        name,
        newer_agreement: viewer.accepted_version < current,
        agreement: acceptances.first().map(|a| {
            Message::new("profile-agreement")
                .arg("version", i64::from(a.version))
                .arg("date", format_local(a.accepted_at, lang))
                .render(lang)
        }),
        sessions: sessions
            .iter()
            .map(|s| SessionLine {
                started: format_local(s.created_at, lang),
                ip: s.ip.clone(),
                agent: s.user_agent.chars().take(80).collect(),
                current: s.id == viewer.session_id,
            })
            .collect(),
        consents: consents
            .iter()
            .map(|c| ConsentLine {
                id: c.id,
                purpose: purpose_name(&ctx, &c.purpose),
                recipient: recipient_name(&ctx, &c.recipient),
                abroad: c.cross_border,
                given: format_local(c.given_at, lang),
                withdrawn: c.withdrawn_at.map(|w| format_local(w, lang)),
            })
            .collect(),
        disclosures: disclosures
            .iter()
            .map(|d| DisclosureLine {
                at: format_local(d.at, lang),
                recipient: format!("{} ({})", recipient_name(&ctx, &d.recipient), d.recipient_ref),
                fields: d.fields.clone(),
                purpose: purpose_name(&ctx, &d.purpose),
                allowed: d.outcome == "allowed",
                basis: d.legal_basis.clone(),
            })
            .collect(),
        tokens: tokens
            .iter()
            .map(|t| TokenLine { id: t.id, name: t.name.clone(), created: format_local(t.created_at, lang) })
            .collect(),
        ctx,
    })
}

async fn withdraw_consent(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): FormData,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let id = crate::web::params::id_param(form.get("consent").map(String::as_str).unwrap_or(""), "consent")?;
    // Only the person's own live consent: anyone else's id is simply not found.
    if !state.store.withdraw_consent(viewer.user_id, id, &request_id.0).await? {
        return Err(AppError::NotFound(Message::new("error-no-such-consent").arg("id", id.to_string())));
    }
    Ok(Redirect::to("/profile#consents").into_response())
}

/// Everything duken holds about the person, as one JSON file (§9.1; Law 94-V).
async fn export_data(State(state): State<AppState>, Extension(prefs): Extension<Prefs>) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let document = super::export_document(&state, viewer).await?;
    let body = serde_json::to_vec_pretty(&document).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"duken-data-{}.json\"", viewer.user_id),
            ),
        ],
        body,
    )
        .into_response())
}

pub struct SmsLine {
    pub phone: String,
    pub body: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "accounts/outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    messages: Vec<SmsLine>,
}

/// The development SMS port's outbox; exists only in demo mode.
async fn show_outbox(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    if !state.accounts.demo {
        return Err(AppError::NotFound(Message::new("error-no-such-page")));
    }
    let messages = state.store.list_sms(50).await?;
    let lang = prefs.lang;
    html(&OutboxPage {
        messages: messages
            .iter()
            .map(|m| SmsLine {
                phone: Phone::parse(&m.phone).map(|p| p.to_string()).unwrap_or_else(|_| m.phone.clone()),
                body: m.body.clone(),
                at: format_local(m.created_at, lang),
            })
            .collect(),
        ctx: PageCtx::new(&prefs, &uri),
    })
}
