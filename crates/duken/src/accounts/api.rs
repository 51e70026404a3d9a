//! The accounts JSON API (§2, §9.1): request a code, sign in, sign out, me, consents,
//! disclosures, data export, API tokens. Described in `/openapi.json`.
//!
//! A program authenticates with `Authorization: Bearer <token>` (an API token, or the session
//! token `POST /api/v1/auth/signin` returns); a browser's session cookie works too. Bodies are
//! `application/json` only and `DELETE` has none, so another site's page cannot make a
//! signed-in browser call these (that would need a CORS preflight, which duken never allows).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use duken_core::Phone;
use duken_core::consent::{Purpose, Recipient};
use duken_store::consent::NewConsent;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::catalog::clip;
use crate::web::access;
use crate::web::error::{AppError, ErrorDocument};
use crate::web::i18n::Message;
use crate::web::params::id_param;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

fn body<T: DeserializeOwned>(json: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    json.map(|Json(v)| v)
        .map_err(|e| AppError::bad_param("body", Message::new("error-json").arg("detail", clip(&e.body_text()))))
}

fn phone(raw: &str) -> Result<Phone, AppError> {
    Phone::parse(raw).map_err(|e| {
        AppError::bad_param(
            "phone",
            Message::new(match e {
                duken_core::PhoneError::Shape => "error-phone-shape",
                duken_core::PhoneError::Foreign => "error-phone-foreign",
                duken_core::PhoneError::NotMobile => "error-phone-not-mobile",
            }),
        )
    })
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    /// A Kazakhstan mobile number in any common spelling.
    #[schema(example = "+7 701 234 56 78")]
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct CodeSent {
    /// Always `sent`, whether or not the number has an account.
    pub status: &'static str,
    /// Seconds the code stays valid.
    pub expires_in: i64,
}

/// Sends a one-time sign-in code by SMS. The answer is the same for known and unknown numbers.
#[utoipa::path(post, path = "/api/v1/auth/code", tag = "accounts", request_body = CodeRequest,
    responses((status = 202, body = CodeSent),
              (status = 400, description = "Not a Kazakhstan mobile number", body = ErrorDocument),
              (status = 429, description = "Too many codes; see Retry-After", body = ErrorDocument)))]
pub async fn request_code(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    headers: HeaderMap,
    json: Result<Json<CodeRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = body(json)?;
    let phone = phone(&request.phone)?;
    super::send_code(&state, prefs.lang, &headers, &phone).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSent { status: "sent", expires_in: state.accounts.policy.lifetime.num_seconds() }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    pub phone: String,
    /// The 6 digits from the SMS.
    pub code: String,
    /// The agreement version the person read and accepts (GET /agreement); must be the one in
    /// force. A new account records this acceptance with channel `api`.
    pub accept_agreement_version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    /// Send as `Authorization: Bearer <token>`. Shown once; never stored in clear.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
}

/// Signs in (or up) with the code; returns a session token for `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/auth/signin", tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = SignedIn),
              (status = 400, description = "Wrong, expired, locked or malformed code, or the agreement not accepted", body = ErrorDocument)))]
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    json: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = body(json)?;
    let phone = phone(&request.phone)?;
    let current = state.accounts.agreement_version(&state.store).await?;
    if request.accept_agreement_version != current {
        return Err(AppError::bad_param(
            "accept_agreement_version",
            Message::new("error-accept-version").arg("version", i64::from(current)),
        ));
    }
    match super::sign_in(&state, &prefs, &request_id, &headers, &phone, request.code.trim(), "api").await? {
        Ok(token) => {
            Ok(Json(SignedIn { token, token_type: "Bearer", expires_at: super::Accounts::session_expiry(Utc::now()) })
                .into_response())
        }
        Err(message) => Err(AppError::bad_param("code", message)),
    }
}

/// Ends the session or revokes the API token this request came with.
#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "accounts",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorDocument)))]
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    match viewer.api_token() {
        Some(token) => {
            state.store.revoke_api_token(viewer.user_id, token, &request_id.0).await?;
        }
        None => {
            state.store.revoke_sessions(viewer.user_id, Some(viewer.session_id), &request_id.0, Utc::now()).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    /// E.164.
    pub phone: String,
    pub name: String,
    /// Roles beyond buyer: seller_owner, seller_manager, support, trust_safety, admin, bank, courier.
    pub roles: Vec<String>,
    pub accepted_agreement_version: i32,
    pub agreement_version_in_force: i32,
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = ErrorDocument)))]
pub async fn me(State(state): State<AppState>, Extension(prefs): Extension<Prefs>) -> Result<Json<Me>, AppError> {
    let viewer = access::viewer(&prefs)?;
    Ok(Json(Me {
        id: viewer.user_id,
        phone: viewer.phone.clone(),
        name: state.store.display_name(viewer.user_id).await?,
        roles: viewer.roles.iter().map(|r| r.code().to_owned()).collect(),
        accepted_agreement_version: viewer.accepted_version,
        agreement_version_in_force: state.accounts.agreement_version(&state.store).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ConsentView {
    pub id: i64,
    /// purchase, delivery_and_customs, credit_application, order_processing, support_chat (§9.1 items 1–5).
    pub purpose: String,
    /// operator, seller, bank, chatbot_provider, courier, ecommerce_operator, state_body, telecom.
    pub recipient: String,
    pub cross_border: bool,
    /// signup, checkout, chat, profile, api.
    pub context: String,
    pub text_shown: String,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// My consents, withdrawn ones included.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "accounts",
    responses((status = 200, body = Vec<ConsentView>), (status = 401, body = ErrorDocument)))]
pub async fn list_consents(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
) -> Result<Json<Vec<ConsentView>>, AppError> {
    let viewer = access::viewer(&prefs)?;
    let consents = state.store.consents(viewer.user_id).await?;
    Ok(Json(
        consents
            .into_iter()
            .map(|c| ConsentView {
                id: c.id,
                purpose: c.purpose,
                recipient: c.recipient,
                cross_border: c.cross_border,
                context: c.context,
                text_shown: c.text_shown,
                given_at: c.given_at,
                withdrawn_at: c.withdrawn_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct GiveConsent {
    pub purpose: String,
    pub recipient: String,
    pub cross_border: bool,
    /// The text the person was shown when agreeing.
    pub text_shown: String,
}

/// Gives a consent (§9.1), with the text the person saw.
#[utoipa::path(post, path = "/api/v1/me/consents", tag = "accounts", request_body = GiveConsent,
    responses((status = 201, description = "Given"), (status = 400, body = ErrorDocument), (status = 401, body = ErrorDocument)))]
pub async fn give_consent(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    json: Result<Json<GiveConsent>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let request = body(json)?;
    let purpose = Purpose::parse(&request.purpose)
        .ok_or_else(|| AppError::bad_param("purpose", Message::new("error-purpose")))?;
    let recipient = Recipient::parse(&request.recipient)
        .ok_or_else(|| AppError::bad_param("recipient", Message::new("error-recipient")))?;
    let text = request.text_shown.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(AppError::bad_param("text_shown", Message::new("error-text-shown")));
    }
    let consent =
        NewConsent { purpose, recipient, cross_border: request.cross_border, text_shown: text, context: "api" };
    state.store.give_consents(viewer.user_id, &[consent], &request_id.0).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// Withdraws one of my consents, for the future.
#[utoipa::path(delete, path = "/api/v1/me/consents/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204, description = "Withdrawn"), (status = 404, body = ErrorDocument), (status = 401, body = ErrorDocument)))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let id = id_param(&raw, "id")?;
    if !state.store.withdraw_consent(viewer.user_id, id, &request_id.0).await? {
        return Err(AppError::NotFound(Message::new("error-no-such-consent").arg("id", id.to_string())));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureView {
    pub id: i64,
    pub recipient: String,
    pub recipient_ref: String,
    pub fields: Vec<String>,
    pub purpose: String,
    pub abroad: bool,
    /// allowed or refused.
    pub outcome: String,
    pub legal_basis: String,
    pub at: DateTime<Utc>,
}

/// Every transfer of my data, allowed or refused.
#[utoipa::path(get, path = "/api/v1/me/disclosures", tag = "accounts",
    responses((status = 200, body = Vec<DisclosureView>), (status = 401, body = ErrorDocument)))]
pub async fn list_disclosures(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
) -> Result<Json<Vec<DisclosureView>>, AppError> {
    let viewer = access::viewer(&prefs)?;
    let rows = state.store.disclosures(viewer.user_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|d| DisclosureView {
                id: d.id,
                recipient: d.recipient,
                recipient_ref: d.recipient_ref,
                fields: d.fields.split(',').map(str::to_owned).collect(),
                purpose: d.purpose,
                abroad: d.abroad,
                outcome: d.outcome,
                legal_basis: d.legal_basis,
                at: d.at,
            })
            .collect(),
    ))
}

/// All my data as one JSON document.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts",
    responses((status = 200, description = "The document", body = Object), (status = 401, body = ErrorDocument)))]
pub async fn export(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
) -> Result<Json<serde_json::Value>, AppError> {
    let viewer = access::viewer(&prefs)?;
    Ok(Json(super::export_document(&state, viewer).await?))
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// My live API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorDocument)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
) -> Result<Json<Vec<TokenView>>, AppError> {
    let viewer = access::viewer(&prefs)?;
    let tokens = state.store.api_tokens(viewer.user_id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView { id: t.id, name: t.name, created_at: t.created_at, last_used_at: t.last_used_at })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, to recognise it later.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// Shown this once: keep it. Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Creates an API token; the answer is the only time it is shown.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorDocument), (status = 401, body = ErrorDocument)))]
pub async fn create_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    json: Result<Json<NewToken>, JsonRejection>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let request = body(json)?;
    let name = request.name.trim();
    let (id, token) = super::issue_api_token(&state, viewer, name, &request_id.0).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, name: name.to_owned(), token })).into_response())
}

/// Revokes one of my API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorDocument), (status = 401, body = ErrorDocument)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let id = id_param(&raw, "id")?;
    if !state.store.revoke_api_token(viewer.user_id, id, &request_id.0).await? {
        return Err(AppError::NotFound(Message::new("error-no-such-token").arg("id", id.to_string())));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
