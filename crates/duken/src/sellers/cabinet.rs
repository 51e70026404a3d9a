//! The seller cabinet: what one seller's staff see and change. Every handler first asks
//! [`super::staff_role`] whether the viewer works for the seller in the path.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::roles::{Access, Role};
use duken_core::seller::{ApplicationForm, FieldProblem};
use duken_core::time::format_local;
use duken_core::{Country, Phone};
use duken_store::StoreError;

use super::onboarding::{CityChoice, city_choices, store_form};
use super::{ShownProblem, owner_only, problem_of, shown, staff_role};
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, html};
use crate::web::params::parse_id;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes(state: AppState) -> Router<AppState> {
    let look = Router::new()
        .route("/cabinet", get(choose))
        .route("/cabinet/{seller}", get(overview))
        .route("/cabinet/{seller}/uploads/{id}", get(upload_report))
        .route_layer(access::layer(Access::SellerStaff));
    let change = Router::new()
        .route("/cabinet/{seller}/stores", post(add_store))
        .route("/cabinet/{seller}/stores/{store}", post(update_store))
        .route("/cabinet/{seller}/invitations", post(invite))
        .route("/cabinet/{seller}/invitations/{id}/revoke", post(revoke_invitation))
        .route("/cabinet/{seller}/feed", post(set_feed))
        .route("/cabinet/{seller}/feed/fetch", post(fetch_now))
        .route("/cabinet/{seller}/tokens", post(issue_token))
        .route("/cabinet/{seller}/tokens/{id}/revoke", post(revoke_token))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(Access::SellerStaff));
    look.merge(change)
}

/// The seller id in a cabinet path; anything else is a seller that does not exist.
pub fn seller_param(raw: &str) -> Result<i64, AppError> {
    parse_id(raw).ok_or_else(|| {
        AppError::NotFound(Message::new("error-no-such-seller").arg("id", raw.chars().take(20).collect::<String>()))
    })
}

/// The seller in the path and the viewer, who must be its owner (404 for another seller, 403
/// for its managers).
fn owner_of<'a>(prefs: &'a Prefs, seller: &str) -> Result<(i64, &'a crate::web::prefs::Viewer), AppError> {
    let seller_id = seller_param(seller)?;
    let viewer = access::viewer(prefs)?;
    owner_only(viewer, seller_id)?;
    Ok((seller_id, viewer))
}

/// `/cabinet`: straight to the one seller a person works for, or a list to choose from.
async fn choose(Extension(prefs): Extension<Prefs>) -> Result<Response, AppError> {
    let viewer = access::viewer(&prefs)?;
    let first = viewer.sellers.first().map(|(s, _)| *s);
    Ok(match first {
        Some(s) => Redirect::to(&format!("/cabinet/{s}")).into_response(),
        None => Redirect::to("/seller/apply").into_response(),
    })
}

pub struct StoreLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub city_kato: String,
    pub city: String,
    pub address: String,
    pub hours: String,
}

pub struct StaffLine {
    pub name: String,
    pub role: String,
}

pub struct InvitationLine {
    pub id: i64,
    pub phone: String,
    pub at: String,
}

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub used: String,
}

pub struct UploadLine {
    pub id: i64,
    pub at: String,
    pub source: String,
    pub file_name: String,
    pub status: String,
    pub status_code: String,
    pub offers: i64,
    pub problems: i64,
}

#[derive(Template)]
#[template(path = "sellers/cabinet.html")]
struct CabinetPage {
    ctx: PageCtx,
    seller_id: i64,
    code: String,
    name: String,
    legal_name: String,
    bin: String,
    country: String,
    is_eaeu: bool,
    is_owner: bool,
    stores: Vec<StoreLine>,
    staff: Vec<StaffLine>,
    invitations: Vec<InvitationLine>,
    uploads: Vec<UploadLine>,
    feed_url: String,
    feed_hours: i32,
    tokens: Vec<TokenLine>,
    feed_fetched: String,
    cities: Vec<CityChoice>,
    /// The add-store form as typed, shown again with its problems.
    form: ApplicationForm,
    problems: Vec<ShownProblem>,
}

impl CabinetPage {
    fn problem(&self, field: &str) -> Option<&str> {
        problem_of(&self.problems, field)
    }
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    seller_id: i64,
    form: ApplicationForm,
    problems: &[FieldProblem],
) -> Result<CabinetPage, AppError> {
    let viewer = access::viewer(prefs)?;
    let role = staff_role(viewer, seller_id)?;
    let ctx = PageCtx::new(prefs, uri);
    let lang = ctx.lang;
    let (seller, stores, staff, invitations, feed, uploads, tokens) = tokio::try_join!(
        state.store.find_seller(seller_id),
        state.store.seller_stores(seller_id),
        state.store.seller_staff(seller_id),
        state.store.pending_invitations(Some(seller_id), None),
        state.store.feed_settings(seller_id),
        state.store.pricelist_uploads(seller_id, 20),
        state.store.seller_tokens(seller_id),
    )?;
    let city_name = |kato: Option<duken_core::Kato>| match kato {
        Some(k) => {
            state.cities.all().iter().find(|c| c.kato == k).map_or_else(|| k.to_string(), |c| c.name.get(lang).clone())
        }
        None => ctx.t("store-city-abroad"),
    };
    let phone_text = |p: &str| Phone::parse(p).map(|p| p.to_string()).unwrap_or_else(|_| p.to_owned());
    Ok(CabinetPage {
        seller_id,
        code: seller.code,
        name: seller.display_name,
        legal_name: seller.legal_name,
        bin: seller.bin.unwrap_or_default(),
        is_eaeu: seller.is_eaeu,
        country: seller.country,
        is_owner: role == Role::SellerOwner,
        stores: stores
            .into_iter()
            .map(|s| StoreLine {
                id: s.id,
                city: city_name(s.city_kato),
                city_kato: s.city_kato.map(|k| k.to_string()).unwrap_or_default(),
                code: s.code,
                name: s.name,
                address: s.address,
                hours: s.opening_hours,
            })
            .collect(),
        staff: staff
            .into_iter()
            .map(|m| StaffLine {
                name: if m.display_name.is_empty() {
                    phone_text(&m.phone)
                } else {
                    format!("{} ({})", m.display_name, phone_text(&m.phone))
                },
                role: ctx.t(&format!("role-{}", m.role.replace('_', "-"))),
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationLine { id: i.id, phone: phone_text(&i.phone), at: format_local(i.created_at, lang) })
            .collect(),
        uploads: uploads
            .into_iter()
            .map(|u| UploadLine {
                id: u.id,
                at: format_local(u.created_at, lang),
                source: ctx.t(&format!("upload-source-{}", u.source)),
                file_name: u.file_name,
                status: ctx.t(&format!("upload-{}", u.status)),
                status_code: u.status,
                offers: u.offers_total,
                problems: u.problem_count,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id,
                name: t.name,
                created: format_local(t.created_at, lang),
                used: t.last_used_at.map(|u| format_local(u, lang)).unwrap_or_default(),
            })
            .collect(),
        feed_url: feed.pricelist_url.unwrap_or_default(),
        feed_hours: feed.pricelist_every_hours,
        feed_fetched: feed.pricelist_fetched_at.map(|t| format_local(t, lang)).unwrap_or_default(),
        cities: city_choices(state, lang),
        problems: shown(problems, lang),
        form,
        ctx,
    })
}

async fn overview(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(seller): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let seller_id = seller_param(&seller)?;
    html(&render(&state, &prefs, &uri, seller_id, ApplicationForm::default(), &[]).await?)
}

async fn seller_country(state: &AppState, seller_id: i64) -> Result<Country, AppError> {
    let seller = state.store.find_seller(seller_id).await?;
    Country::parse(&seller.country)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("seller {seller_id} has a bad country")))
}

async fn add_store(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let typed = store_form(&form);
    let problems = match typed.validate(Some(seller_country(&state, seller_id).await?)) {
        Ok(store) => match state.store.add_store(seller_id, &store, &viewer.actor(), &request_id.0).await {
            Ok(_) => return Ok(Redirect::to(&format!("/cabinet/{seller_id}#stores")).into_response()),
            Err(StoreError::Conflict(_)) => vec![FieldProblem { field: "store_code", message: "store-code-taken" }],
            Err(e) => return Err(e.into()),
        },
        Err(problems) => problems,
    };
    let shown_form = ApplicationForm { store: typed, ..Default::default() };
    let page = render(&state, &prefs, &uri, seller_id, shown_form, &problems).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

async fn update_store(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, store)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let not_found = || AppError::NotFound(Message::new("error-no-such-store"));
    let store_id = parse_id(&store).ok_or_else(not_found)?;
    let existing = state.store.seller_stores(seller_id).await?;
    let current = existing.iter().find(|s| s.id == store_id).ok_or_else(not_found)?;
    let mut typed = store_form(&form);
    // The code names the store in price lists; it never changes.
    typed.code = current.code.clone();
    let store = typed.validate(Some(seller_country(&state, seller_id).await?)).map_err(|p| super::field_errors(&p))?;
    match state.store.update_store(seller_id, store_id, &store, &viewer.actor(), &request_id.0).await {
        Ok(()) => Ok(Redirect::to(&format!("/cabinet/{seller_id}#stores")).into_response()),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

async fn invite(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let phone = Phone::parse(form.get("phone").map(String::as_str).unwrap_or(""))
        .map_err(|_| AppError::bad_param("phone", Message::new("phone-invalid")))?;
    match state.store.invite_manager(seller_id, &phone, viewer.user_id, &request_id.0).await {
        Ok(_) => Ok(Redirect::to(&format!("/cabinet/{seller_id}#staff")).into_response()),
        Err(StoreError::Conflict(_)) => Err(AppError::bad_param("phone", Message::new("invitation-pending"))),
        Err(e) => Err(e.into()),
    }
}

async fn revoke_invitation(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let not_found = || AppError::NotFound(Message::new("error-no-such-invitation"));
    let id = parse_id(&id).ok_or_else(not_found)?;
    match state.store.revoke_invitation(seller_id, id, &viewer.actor(), &request_id.0).await {
        Ok(()) => Ok(Redirect::to(&format!("/cabinet/{seller_id}#staff")).into_response()),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The longest a price-list URL may be.
const MAX_URL: usize = 2000;

async fn set_feed(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    staff_role(viewer, seller_id)?;
    let url = form.get("url").map(|u| u.trim()).unwrap_or("");
    let url = if url.is_empty() {
        None
    } else if url.len() <= MAX_URL
        && (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(char::is_whitespace)
    {
        Some(url)
    } else {
        return Err(AppError::bad_param("url", Message::new("feed-url-invalid")));
    };
    let hours = form
        .get("hours")
        .and_then(|h| h.trim().parse::<i32>().ok())
        .filter(|h| (1..=168).contains(h))
        .ok_or_else(|| AppError::bad_param("hours", Message::new("feed-hours-invalid")))?;
    state.store.set_feed(seller_id, url, hours, &viewer.actor(), &request_id.0).await?;
    Ok(Redirect::to(&format!("/cabinet/{seller_id}#pricelist")).into_response())
}

/// Routes that take large bodies (price lists): they get their own body limit and timeout.
pub fn upload_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/cabinet/{seller}/pricelist", post(upload_pricelist))
        .route("/cabinet/{seller}/products/{product}/photos", post(super::content::upload_photo))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(Access::SellerStaff))
}

/// Where uploads wait while they are imported; removed afterwards.
fn upload_path(state: &AppState) -> std::path::PathBuf {
    use rand::RngExt as _;
    let name: u64 = rand::rng().random();
    state.data_dir.join("uploads").join(format!("pricelist-{name:016x}.xml"))
}

/// Removes the uploaded file however the import ends.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn upload_pricelist(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    use tokio::io::AsyncWriteExt as _;
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    staff_role(viewer, seller_id)?;
    let bad_form = || AppError::bad_param("file", Message::new("upload-no-file"));
    let mut csrf_ok = false;
    let mut saved: Option<(TempFile, String)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad_form())? {
        match field.name() {
            Some("csrf") => {
                let given = field.text().await.map_err(|_| bad_form())?;
                let mut form = HashMap::new();
                form.insert("csrf".to_owned(), given);
                check_csrf(&prefs, &form)?;
                csrf_ok = true;
            }
            // The form puts the token first, so a file is only stored for a checked form.
            Some("file") if csrf_ok => {
                let file_name: String = field
                    .file_name()
                    .unwrap_or("pricelist.xml")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                let path = upload_path(&state);
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(|e| AppError::Internal(e.into()))?;
                }
                let temp = TempFile(path);
                let mut out = tokio::fs::File::create(&temp.0).await.map_err(|e| AppError::Internal(e.into()))?;
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(|_| AppError::PayloadTooLarge)? {
                    size += chunk.len() as u64;
                    if size > state.max_pricelist_bytes {
                        return Err(AppError::PayloadTooLarge);
                    }
                    out.write_all(&chunk).await.map_err(|e| AppError::Internal(e.into()))?;
                }
                out.flush().await.map_err(|e| AppError::Internal(e.into()))?;
                if size == 0 {
                    return Err(bad_form());
                }
                saved = Some((temp, file_name));
            }
            Some("file") => return Err(AppError::Forbidden(Message::new("error-csrf"))),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::Forbidden(Message::new("error-csrf")));
    }
    let (temp, file_name) = saved.ok_or_else(bad_form)?;
    let actor = viewer.actor();
    let upload = crate::pricelist::Upload {
        seller_id,
        path: &temp.0,
        file_name: &file_name,
        source: "cabinet",
        uploaded_by: Some(viewer.user_id),
        actor: &actor,
        request_id: &request_id.0,
    };
    let outcome = crate::pricelist::import(&state.store, upload).await.map_err(|e| AppError::Internal(e.into()))?;
    state.catalog.invalidate();
    state.search.nudge();
    Ok(Redirect::to(&format!("/cabinet/{seller_id}/uploads/{}", outcome.upload_id())).into_response())
}

pub struct ProblemLine {
    pub line: u64,
    pub sku: String,
    pub reason: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "sellers/upload.html")]
struct UploadPage {
    ctx: PageCtx,
    seller_id: i64,
    u: duken_store::pricelists::Upload,
    status: String,
    at: String,
    file_error: Option<ProblemLine>,
    problems: Vec<ProblemLine>,
    pager: crate::web::page::Pager,
}

/// Problems shown per page of a report.
const PROBLEMS_PER_PAGE: usize = 100;

pub async fn upload_report(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path((seller, id)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, AppError> {
    let seller_id = seller_param(&seller)?;
    let viewer = access::viewer(&prefs)?;
    staff_role(viewer, seller_id)?;
    let not_found = || AppError::NotFound(Message::new("error-no-such-upload"));
    let id = parse_id(&id).ok_or_else(not_found)?;
    let u = match state.store.pricelist_upload(seller_id, id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let ctx = PageCtx::new(&prefs, &uri);
    let page = crate::web::params::Params::from_uri(&uri).page()?;
    let report = u.report();
    let line = |p: &duken_store::pricelists::ReportLine| ProblemLine {
        line: p.line,
        sku: p.sku.clone().unwrap_or_default(),
        reason: ctx.t(&format!("pricelist-{}", p.reason.replace('_', "-"))),
        detail: p.detail.clone(),
    };
    let start = (page.page as usize - 1) * PROBLEMS_PER_PAGE;
    let problems: Vec<ProblemLine> = report.problems.iter().skip(start).take(PROBLEMS_PER_PAGE).map(line).collect();
    let pages = report.problems.len().div_ceil(PROBLEMS_PER_PAGE).max(1) as u32;
    html(&UploadPage {
        seller_id,
        status: ctx.t(&format!("upload-{}", u.status)),
        at: format_local(u.created_at, ctx.lang),
        file_error: report.file_error.as_ref().map(line),
        problems,
        pager: crate::web::page::Pager::new(&ctx, page.page, pages),
        u,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "sellers/token.html")]
struct TokenPage {
    ctx: PageCtx,
    seller_id: i64,
    name: String,
    token: String,
}

/// Issues a merchant API token (`X-Auth-Token`) for this seller; shown once, stored hashed.
async fn issue_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(seller): Path<String>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let name: String =
        form.get("name").map(|n| n.trim()).unwrap_or("").chars().filter(|c| !c.is_control()).take(80).collect();
    if name.is_empty() {
        return Err(AppError::bad_param("name", Message::new("field-required")));
    }
    let token = issue_seller_token(&state.store, seller_id, &name, &viewer.actor(), &request_id.0).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let mut response = html(&TokenPage { ctx, seller_id, name, token })?;
    // The token is on this page only: never cached.
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A new random token for the seller, stored as its SHA-256; returns the token itself.
pub async fn issue_seller_token(
    store: &duken_store::Store,
    seller_id: i64,
    name: &str,
    actor: &str,
    request_id: &str,
) -> Result<String, StoreError> {
    let token = crate::accounts::hex(&rand::random::<[u8; 32]>());
    store.create_seller_token(seller_id, name, &crate::accounts::token_hash(&token), actor, request_id).await?;
    Ok(token)
}

async fn revoke_token(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, viewer) = owner_of(&prefs, &seller)?;
    let not_found =
        || AppError::NotFound(Message::new("error-no-such-token").arg("id", id.chars().take(20).collect::<String>()));
    let token_id = parse_id(&id).ok_or_else(not_found)?;
    match state.store.revoke_seller_token(seller_id, token_id, &viewer.actor(), &request_id.0).await {
        Ok(()) => Ok(Redirect::to(&format!("/cabinet/{seller_id}#api")).into_response()),
        Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// Fetches the seller's price list from its URL now, instead of waiting for the schedule.
async fn fetch_now(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(seller): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let seller_id = seller_param(&seller)?;
    staff_role(access::viewer(&prefs)?, seller_id)?;
    let feed = state.store.feed_settings(seller_id).await?;
    let url = feed.pricelist_url.ok_or_else(|| AppError::bad_param("url", Message::new("feed-url-missing")))?;
    let outcome = crate::pricelist::fetch_feed(
        &state.store,
        &state.data_dir,
        seller_id,
        &url,
        state.max_pricelist_bytes,
        state.feed_allow_private,
    )
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    state.catalog.invalidate();
    state.search.nudge();
    Ok(Redirect::to(&format!("/cabinet/{seller_id}/uploads/{}", outcome.upload_id())).into_response())
}
