//! The operator console's category tree and typed attribute schemas (§3, §6): operator staff
//! look, administrators change. Every change is audited by the store.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::Localized;
use duken_core::attributes::{AttributeKind, is_attribute_code};
use duken_core::roles::Access;
use duken_store::StoreError;
use duken_store::attributes::{AttributeValue, NewAttribute};

use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::{AppError, FieldError};
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, html};
use crate::web::params::parse_id;
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes() -> Router<AppState> {
    let look = Router::new()
        .route("/console/categories", get(tree))
        .route("/console/categories/{id}", get(category))
        .route_layer(access::layer(Access::Operator));
    let change = Router::new()
        .route("/console/categories", post(add))
        .route("/console/categories/{id}", post(rename))
        .route("/console/categories/{id}/attributes", post(save_attribute))
        .route_layer(access::layer(Access::Admin));
    look.merge(change)
}

pub struct TreeLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "console/categories.html")]
struct TreePage {
    ctx: PageCtx,
    lines: Vec<TreeLine>,
    can_change: bool,
}

fn walk(
    all: &[duken_store::catalog::Category],
    parent: Option<i64>,
    depth: usize,
    lang: duken_core::Lang,
    out: &mut Vec<TreeLine>,
) {
    for c in all.iter().filter(|c| c.parent_id == parent) {
        out.push(TreeLine { id: c.id, code: c.code.clone(), name: c.name.get(lang).clone(), depth });
        if depth < 16 {
            walk(all, Some(c.id), depth + 1, lang, out);
        }
    }
}

async fn tree(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let all = state.store.list_categories().await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let mut lines = Vec::new();
    walk(&all, None, 0, ctx.lang, &mut lines);
    let can_change = Access::Admin.allows(&access::viewer(&prefs)?.roles);
    html(&TreePage { lines, can_change, ctx })
}

pub struct AttributeLine {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub required: bool,
    pub inherited: bool,
    pub values: String,
}

#[derive(Template)]
#[template(path = "console/category.html")]
struct CategoryPage {
    ctx: PageCtx,
    id: i64,
    code: String,
    title: String,
    name: Localized,
    attributes: Vec<AttributeLine>,
    can_change: bool,
}

fn not_found(raw: &str) -> AppError {
    AppError::NotFound(Message::new("error-no-such-category").arg("id", raw.chars().take(20).collect::<String>()))
}

async fn category(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let id = parse_id(&raw).ok_or_else(|| not_found(&raw))?;
    let all = state.store.list_categories().await?;
    let c = all.iter().find(|c| c.id == id).ok_or_else(|| not_found(&raw))?;
    let schema = state.store.category_schema(id).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let lang = ctx.lang;
    html(&CategoryPage {
        id,
        code: c.code.clone(),
        title: c.name.get(lang).clone(),
        name: c.name.clone(),
        attributes: schema
            .iter()
            .map(|d| AttributeLine {
                code: d.code.clone(),
                name: d.name.get(lang).clone(),
                kind: d.kind.code().to_owned(),
                unit: d.unit.clone(),
                required: d.required,
                inherited: d.category_id != id,
                values: d
                    .values
                    .iter()
                    .map(|v| format!("{} | {} | {} | {}", v.code, v.name.kk, v.name.ru, v.name.en))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect(),
        can_change: Access::Admin.allows(&access::viewer(&prefs)?.roles),
        ctx,
    })
}

fn text(form: &HashMap<String, String>, name: &str, max: usize) -> String {
    form.get(name).map(|v| v.trim()).unwrap_or("").chars().filter(|c| !c.is_control()).take(max).collect()
}

/// kk/ru/en names from `name_kk`, `name_ru`, `name_en`; every one is required.
fn names(form: &HashMap<String, String>, problems: &mut Vec<FieldError>) -> Localized {
    let n =
        Localized { kk: text(form, "name_kk", 100), ru: text(form, "name_ru", 100), en: text(form, "name_en", 100) };
    for (field, v) in [("name_kk", &n.kk), ("name_ru", &n.ru), ("name_en", &n.en)] {
        if v.is_empty() {
            problems.push(FieldError { field, message: Message::new("field-required") });
        }
    }
    n
}

/// A category code: like an attribute code, with `-` allowed.
fn is_category_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code.as_bytes()[0].is_ascii_lowercase()
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

async fn add(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let mut problems = Vec::new();
    let code = text(&form, "code", 64);
    if !is_category_code(&code) {
        problems.push(FieldError { field: "code", message: Message::new("category-code-invalid") });
    }
    let name = names(&form, &mut problems);
    let parent = match text(&form, "parent", 20).as_str() {
        "" => None,
        raw => match parse_id(raw) {
            Some(p) if state.store.list_categories().await?.iter().any(|c| c.id == p) => Some(p),
            _ => {
                problems.push(FieldError { field: "parent", message: Message::new("category-parent-invalid") });
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems));
    }
    match state.store.add_category(&code, parent, &name, &viewer.actor(), &request_id.0).await {
        Ok(id) => {
            state.catalog.invalidate();
            Ok(Redirect::to(&format!("/console/categories/{id}")).into_response())
        }
        Err(StoreError::Conflict(_)) => Err(AppError::bad_param("code", Message::new("category-code-taken"))),
        Err(e) => Err(e.into()),
    }
}

async fn rename(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let id = parse_id(&raw).ok_or_else(|| not_found(&raw))?;
    let mut problems = Vec::new();
    let name = names(&form, &mut problems);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems));
    }
    match state.store.rename_category(id, &name, &viewer.actor(), &request_id.0).await {
        Ok(()) => {
            state.catalog.invalidate();
            Ok(Redirect::to(&format!("/console/categories/{id}")).into_response())
        }
        Err(StoreError::NotFound) => Err(not_found(&raw)),
        Err(e) => Err(e.into()),
    }
}

/// Enum values, one per line: `code | kk | ru | en` (a missing name repeats the code).
fn parse_values(text: &str, problems: &mut Vec<FieldError>) -> Vec<AttributeValue> {
    let mut out: Vec<AttributeValue> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()).take(200) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let code = parts[0].to_lowercase();
        let ok = (1..=40).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok || out.iter().any(|v| v.code == code) {
            problems.push(FieldError {
                field: "values",
                message: Message::new("attribute-value-invalid").arg("line", line.chars().take(60).collect::<String>()),
            });
            continue;
        }
        let name = |i: usize| {
            parts.get(i).filter(|s| !s.is_empty()).map_or_else(|| code.clone(), |s| s.chars().take(100).collect())
        };
        out.push(AttributeValue { name: Localized { kk: name(1), ru: name(2), en: name(3) }, code });
    }
    out
}

async fn save_attribute(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let id = parse_id(&raw).ok_or_else(|| not_found(&raw))?;
    if !state.store.list_categories().await?.iter().any(|c| c.id == id) {
        return Err(not_found(&raw));
    }
    let mut problems = Vec::new();
    let code = text(&form, "code", 64);
    if !is_attribute_code(&code) {
        problems.push(FieldError { field: "code", message: Message::new("attribute-code-invalid") });
    }
    let kind = AttributeKind::parse(&text(&form, "kind", 10));
    if kind.is_none() {
        problems.push(FieldError { field: "kind", message: Message::new("attribute-kind-invalid") });
    }
    let name = names(&form, &mut problems);
    let values = parse_values(form.get("values").map_or("", String::as_str), &mut problems);
    if kind == Some(AttributeKind::Enum) && values.is_empty() {
        problems.push(FieldError { field: "values", message: Message::new("attribute-values-required") });
    }
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return Err(AppError::BadRequest(problems));
    };
    let attr = NewAttribute {
        code,
        kind,
        unit: text(&form, "unit", 20),
        required: matches!(form.get("required").map(String::as_str), Some("on" | "1" | "true")),
        name,
        values: if kind == AttributeKind::Enum { values } else { vec![] },
    };
    state.store.save_attribute(id, &attr, &viewer.actor(), &request_id.0).await?;
    state.catalog.invalidate();
    Ok(Redirect::to(&format!("/console/categories/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_are_read_line_by_line() {
        let mut problems = vec![];
        let v = parse_values("black | қара | чёрный | black\n\nnavy|||\nBad Code\nblack", &mut problems);
        assert_eq!(v.iter().map(|v| v.code.as_str()).collect::<Vec<_>>(), ["black", "navy"]);
        assert_eq!(v[0].name.kk, "қара");
        assert_eq!(v[1].name.ru, "navy", "a missing name repeats the code");
        assert_eq!(problems.len(), 2, "a bad code and a repeated one");
        assert!(is_category_code("tv-sets") && !is_category_code("TV") && !is_category_code("1a"));
    }
}
