//! The applicant's side: the application form, its status, and invitations to join a seller.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::Phone;
use duken_core::roles::Access;
use duken_core::seller::{ApplicationForm, FieldProblem, StoreForm};
use duken_core::time::format_local;
use duken_store::StoreError;

use super::{ShownProblem, problem_of, shown};
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::page::{PageCtx, html};
use crate::web::params::parse_id;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes(state: AppState) -> Router<AppState> {
    let look = Router::new().route("/seller/apply", get(apply_page)).route_layer(access::layer(Access::SignedIn));
    // §7: applying and joining change the account, so the agreement in force comes first.
    let change = Router::new()
        .route("/seller/apply", post(apply))
        .route("/seller/invitations/{id}/accept", post(accept_invitation))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(Access::SignedIn));
    look.merge(change)
}

pub struct ApplicationLine {
    pub id: i64,
    pub legal_name: String,
    pub status: String,
    pub status_code: String,
    pub reason: String,
    pub at: String,
    pub seller_id: Option<i64>,
}

pub struct InvitationLine {
    pub id: i64,
    pub seller_name: String,
}

pub struct CityChoice {
    pub kato: String,
    pub name: String,
}

/// The cities a store may be in, for a form's list.
pub fn city_choices(state: &AppState, lang: duken_core::Lang) -> Vec<CityChoice> {
    state.cities.all().iter().map(|c| CityChoice { kato: c.kato.to_string(), name: c.name.get(lang).clone() }).collect()
}

#[derive(Template)]
#[template(path = "sellers/apply.html")]
struct ApplyPage {
    ctx: PageCtx,
    form: ApplicationForm,
    problems: Vec<ShownProblem>,
    applications: Vec<ApplicationLine>,
    invitations: Vec<InvitationLine>,
    pending: bool,
    cities: Vec<CityChoice>,
    my_sellers: Vec<i64>,
}

impl ApplyPage {
    fn problem(&self, field: &str) -> Option<&str> {
        problem_of(&self.problems, field)
    }
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    form: ApplicationForm,
    problems: &[FieldProblem],
) -> Result<ApplyPage, AppError> {
    let viewer = access::viewer(prefs)?;
    let ctx = PageCtx::new(prefs, uri);
    let phone =
        Phone::parse(&viewer.phone).map_err(|_| AppError::Internal(anyhow::anyhow!("a stored phone is bad")))?;
    let (applications, invitations) = tokio::try_join!(
        state.store.applications_of(viewer.user_id),
        state.store.pending_invitations(None, Some(&phone))
    )?;
    let lang = ctx.lang;
    Ok(ApplyPage {
        problems: shown(problems, lang),
        pending: applications.iter().any(|a| a.status == "pending"),
        applications: applications
            .into_iter()
            .map(|a| ApplicationLine {
                id: a.id,
                legal_name: a.legal_name,
                status: ctx.t(&format!("application-{}", a.status)),
                status_code: a.status,
                reason: a.decision_reason.unwrap_or_default(),
                at: format_local(a.decided_at.unwrap_or(a.created_at), lang),
                seller_id: a.seller_id,
            })
            .collect(),
        invitations: invitations.into_iter().map(|i| InvitationLine { id: i.id, seller_name: i.seller_name }).collect(),
        cities: city_choices(state, lang),
        my_sellers: viewer.sellers.iter().map(|(s, _)| *s).collect(),
        form,
        ctx,
    })
}

async fn apply_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let form = ApplicationForm { country: "KZ".into(), ..Default::default() };
    html(&render(&state, &prefs, &uri, form, &[]).await?)
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).map(|v| v.chars().take(1000).collect()).unwrap_or_default()
}

pub fn store_form(form: &HashMap<String, String>) -> StoreForm {
    StoreForm {
        code: field(form, "store_code"),
        name: field(form, "store_name"),
        city_kato: field(form, "store_city"),
        address: field(form, "store_address"),
        opening_hours: field(form, "store_hours"),
    }
}

async fn apply(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let typed = ApplicationForm {
        bin: field(&form, "bin"),
        legal_name: field(&form, "legal_name"),
        display_name: field(&form, "display_name"),
        country: field(&form, "country"),
        contact_phone: field(&form, "contact_phone"),
        contact_email: field(&form, "contact_email"),
        store: store_form(&form),
    };
    let mut problems = match typed.validate() {
        Ok(app) => match state.store.apply_for_seller(viewer.user_id, &app, &request_id.0).await {
            Ok(_) => return Ok(Redirect::to("/seller/apply").into_response()),
            Err(StoreError::Conflict(c)) if c.contains("pending") => {
                vec![FieldProblem { field: "form", message: "application-already-pending" }]
            }
            Err(StoreError::Conflict(c)) if c.contains("bin") => {
                vec![FieldProblem { field: "bin", message: "bin-taken" }]
            }
            Err(e) => return Err(e.into()),
        },
        Err(problems) => problems,
    };
    problems.dedup();
    let page = render(&state, &prefs, &uri, typed, &problems).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

async fn accept_invitation(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let not_found = || AppError::NotFound(crate::web::i18n::Message::new("error-no-such-invitation"));
    let id = parse_id(&id).ok_or_else(not_found)?;
    let phone = Phone::parse(&viewer.phone).map_err(|_| not_found())?;
    match state.store.accept_invitation(id, viewer.user_id, &phone, &request_id.0).await {
        Ok(seller_id) => Ok(Redirect::to(&format!("/cabinet/{seller_id}")).into_response()),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(StoreError::Conflict(_)) => {
            Err(AppError::bad_param("invitation", crate::web::i18n::Message::new("error-role-held")))
        }
        Err(e) => Err(e.into()),
    }
}
