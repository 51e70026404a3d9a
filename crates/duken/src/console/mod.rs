//! The operator console: the audit log (§ every state change) and users with their roles.
//! Operator staff may look; only administrators grant and revoke roles. Every route here sits
//! behind `access::layer`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::Phone;
use duken_core::roles::{Access, Role};
use duken_core::time::format_local;
use duken_store::StoreError;
use duken_store::accounts::Change;

use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::catalog::clip;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::{Params, id_param};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub mod banks;
pub mod categories;
pub mod credit;

pub fn routes() -> Router<AppState> {
    let look = Router::new()
        .route("/console", get(index))
        .route("/console/audit", get(audit))
        .route("/console/users", get(users))
        .route("/console/agreement", get(agreement_versions))
        .route_layer(access::layer(Access::Operator));
    let change = Router::new()
        .route("/console/roles/grant", post(grant))
        .route("/console/roles/revoke", post(revoke))
        .route("/console/agreement/publish", post(publish_agreement))
        .route_layer(access::layer(Access::Admin));
    look.merge(change).merge(categories::routes()).merge(banks::routes()).merge(credit::routes())
}

#[derive(Template)]
#[template(path = "console/index.html")]
struct IndexPage {
    ctx: PageCtx,
}

async fn index(Extension(prefs): Extension<Prefs>, uri: Uri) -> Result<Response, AppError> {
    html(&IndexPage { ctx: PageCtx::new(&prefs, &uri) })
}

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub reason: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    subject: String,
    actor: String,
    lines: Vec<AuditLine>,
    total: i64,
    pager: Pager,
}

async fn audit(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let subject = params.get("subject").map(str::trim).filter(|s| !s.is_empty());
    let actor = params.get("actor").map(str::trim).filter(|s| !s.is_empty());
    let (rows, total) = state.store.list_audit(subject, actor, page).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let lang = ctx.lang;
    html(&AuditPage {
        subject: subject.unwrap_or("").to_owned(),
        actor: actor.unwrap_or("").to_owned(),
        lines: rows
            .into_iter()
            .map(|r| AuditLine {
                at: format_local(r.at, lang),
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                reason: r.reason,
                request_id: r.request_id,
            })
            .collect(),
        total,
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}

pub struct RoleLine {
    pub grant_id: i64,
    pub name: String,
}

pub struct UserLine {
    pub id: i64,
    pub phone: String,
    pub since: String,
    pub roles: Vec<RoleLine>,
}

pub struct RoleOption {
    pub code: &'static str,
    pub name: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<UserLine>,
    role_options: Vec<RoleOption>,
    can_change: bool,
    pager: Pager,
}

fn role_name(ctx: &PageCtx, role: &str, seller: Option<i64>) -> String {
    let name = ctx.t(&format!("role-{}", role.replace('_', "-")));
    match seller {
        Some(s) => format!("{name} (#{s})"),
        None => name,
    }
}

async fn users(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let page = Params::from_uri(&uri).page()?;
    let (users, total) = state.store.list_users(page).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let grants = state.store.active_roles_of(&ids).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let viewer = access::viewer(&prefs)?;
    let lines = users
        .iter()
        .map(|u| UserLine {
            id: u.id,
            phone: Phone::parse(&u.phone).map(|p| p.to_string()).unwrap_or_else(|_| u.phone.clone()),
            since: format_local(u.created_at, ctx.lang),
            roles: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| RoleLine { grant_id: g.id, name: role_name(&ctx, &g.role, g.seller_id) })
                .collect(),
        })
        .collect();
    html(&UsersPage {
        users: lines,
        role_options: Role::ALL
            .iter()
            .map(|r| RoleOption { code: r.code(), name: role_name(&ctx, r.code(), None) })
            .collect(),
        can_change: Access::Admin.allows(&viewer.roles),
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|v| v.trim()).unwrap_or("")
}

async fn grant(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let user = id_param(field(&form, "user"), "user")?;
    let role =
        Role::parse(field(&form, "role")).ok_or_else(|| AppError::bad_param("role", Message::new("error-bad-role")))?;
    let seller = match field(&form, "seller") {
        "" => None,
        raw => Some(id_param(raw, "seller")?),
    };
    if role.needs_seller() != seller.is_some() {
        return Err(AppError::bad_param("seller", Message::new("error-role-seller")));
    }
    let reason = field(&form, "reason");
    if reason.is_empty() {
        return Err(AppError::bad_param("reason", Message::new("error-reason-required")));
    }
    let actor = viewer.actor();
    let change = Change { actor: &actor, reason: &clip(reason), request_id: &request_id.0 };
    match state.store.grant_role(user, role.code(), seller, change).await {
        Ok(_) => Ok(Redirect::to("/console/users").into_response()),
        Err(StoreError::Conflict(c)) if c.contains("already") => {
            Err(AppError::bad_param("role", Message::new("error-role-held")))
        }
        // An unknown user or seller breaks a reference.
        Err(StoreError::Conflict(_)) => Err(AppError::bad_param("user", Message::new("error-role-target"))),
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let grant = id_param(field(&form, "grant"), "grant")?;
    let actor = viewer.actor();
    let reason = field(&form, "reason");
    let reason = if reason.is_empty() { "revoked in the console" } else { reason };
    let change = Change { actor: &actor, reason: &clip(reason), request_id: &request_id.0 };
    if !state.store.revoke_role(grant, change).await? {
        return Err(AppError::NotFound(Message::new("error-no-such-grant").arg("id", grant.to_string())));
    }
    Ok(Redirect::to("/console/users").into_response())
}

pub struct VersionLine {
    pub version: i32,
    pub published: String,
    pub by: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "console/agreement.html")]
struct AgreementPage {
    ctx: PageCtx,
    versions: Vec<VersionLine>,
    can_publish: bool,
}

async fn agreement_versions(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let versions = state.store.agreement_versions().await?;
    let viewer = access::viewer(&prefs)?;
    let ctx = PageCtx::new(&prefs, &uri);
    html(&AgreementPage {
        versions: versions
            .iter()
            .map(|v| VersionLine {
                version: v.version,
                published: format_local(v.published_at, ctx.lang),
                by: v.published_by.clone(),
                summary: v.summary.get(ctx.lang).clone(),
            })
            .collect(),
        can_publish: Access::Admin.allows(&viewer.roles),
        ctx,
    })
}

/// Operators write plain text; it is stored as escaped paragraphs, so a published version can
/// never carry markup or scripts into the page.
fn paragraphs(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn publish_agreement(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let mut missing = vec![];
    for name in ["summary_kk", "summary_ru", "summary_en", "text_kk", "text_ru", "text_en"] {
        if field(&form, name).is_empty() {
            missing.push(crate::web::error::FieldError {
                field: name_static(name),
                message: Message::new("error-agreement-empty"),
            });
        }
    }
    if !missing.is_empty() {
        return Err(AppError::BadRequest(missing));
    }
    let summary = duken_core::Localized {
        kk: clip_long(field(&form, "summary_kk")),
        ru: clip_long(field(&form, "summary_ru")),
        en: clip_long(field(&form, "summary_en")),
    };
    let text = duken_core::Localized {
        kk: paragraphs(field(&form, "text_kk")),
        ru: paragraphs(field(&form, "text_ru")),
        en: paragraphs(field(&form, "text_en")),
    };
    state.store.publish_agreement(&summary, &text, &viewer.actor(), &request_id.0, false).await?;
    state.accounts.current_agreement.clear();
    Ok(Redirect::to("/console/agreement").into_response())
}

fn clip_long(text: &str) -> String {
    text.chars().take(1000).collect()
}

fn name_static(name: &str) -> &'static str {
    ["summary_kk", "summary_ru", "summary_en", "text_kk", "text_ru", "text_en"]
        .into_iter()
        .find(|n| *n == name)
        .unwrap_or("form")
}

#[cfg(test)]
mod tests {
    #[test]
    fn published_text_is_escaped_into_paragraphs() {
        assert_eq!(
            super::paragraphs("First <b>line</b>\nnext\n\n<script>alert(1)</script>"),
            "<p>First &lt;b&gt;line&lt;/b&gt;<br>next</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
        );
        assert_eq!(super::paragraphs("  \n\n "), "");
    }
}
