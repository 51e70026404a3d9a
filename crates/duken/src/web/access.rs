//! The one mechanism that checks roles: each group of routes is wrapped in
//! `route_layer(access::layer(Access::…))`, so no handler checks roles by itself.
//!
//! Anonymous visitors are sent to the sign-in page (pages) or get 401 (JSON API); signed-in
//! people without the role get 403. Which *seller's* data a seller's staff may see is a
//! question about the data, answered by the handler with the seller id from [`Viewer`].

use axum::extract::{Request, State};
use axum::middleware::{FromFnLayer, Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use duken_core::roles::Access;

use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::params::encode_query;
use crate::web::prefs::{Prefs, Viewer};

type Guard = fn(State<Access>, Request, Next) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

/// The layer that lets only holders of `access` through.
pub fn layer(access: Access) -> FromFnLayer<Guard, Access, (State<Access>, Request)> {
    from_fn_with_state(access, (|state, request, next| Box::pin(require(state, request, next))) as Guard)
}

async fn require(State(access): State<Access>, request: Request, next: Next) -> Response {
    let viewer = request.extensions().get::<Prefs>().and_then(|p| p.viewer.clone());
    match viewer {
        None if request.uri().path().starts_with("/api/") => AppError::Unauthorized.into_response(),
        None => {
            let back = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
            Redirect::to(&format!("/signin?{}", encode_query(&[("next", &back)]))).into_response()
        }
        Some(v) if !access.allows(&v.roles) => AppError::Forbidden(Message::new("error-no-role")).into_response(),
        Some(_) => next.run(request).await,
    }
}

/// The viewer of a route behind [`layer`] (always there; an internal error otherwise).
pub fn viewer(prefs: &Prefs) -> Result<&Viewer, AppError> {
    prefs.viewer.as_deref().ok_or_else(|| AppError::Internal(anyhow::anyhow!("a guarded route ran without a viewer")))
}

/// §7: routes that change an account (and later, place orders) are behind this layer: a
/// signed-in person who has not accepted the agreement in force is sent to accept it first,
/// then back to where they were; their session (and cart) stay as they are.
pub fn current_agreement(
    state: crate::app::AppState,
) -> FromFnLayer<AgreementGuard, crate::app::AppState, (State<crate::app::AppState>, Request)> {
    from_fn_with_state(
        state,
        (|state, request, next| Box::pin(require_current_agreement(state, request, next))) as AgreementGuard,
    )
}

type AgreementGuard =
    fn(State<crate::app::AppState>, Request, Next) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

async fn require_current_agreement(
    State(state): State<crate::app::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(viewer) = request.extensions().get::<Prefs>().and_then(|p| p.viewer.clone()) else {
        return next.run(request).await;
    };
    let current = match state.accounts.agreement_version(&state.store).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
    };
    if viewer.accepted_version >= current {
        return next.run(request).await;
    }
    // Back to the page the form was on (same site only), else the profile.
    let back = request
        .headers()
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/profile".to_owned());
    Redirect::to(&format!("/agreement/accept?{}", encode_query(&[("next", &back)]))).into_response()
}
