//! The product part of the merchant API: the category tree and attribute schemas, the JSON
//! schema of an upload, and uploads of products (`POST …/import`) with their status and
//! per-item result. Shapes follow what the real service returns (plain JSON arrays for the
//! classification lists).

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use duken_core::Localized;
use duken_core::attributes::AttributeKind;
use duken_store::StoreError;
use duken_store::products::{ImportedProduct, ProductContent};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{SellerAuth, json_api};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::params::Params;

pub fn routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/classification/categories"), get(categories))
        .route(&format!("{base}/classification/attributes"), get(attributes))
        .route(&format!("{base}/classification/attribute/values"), get(values))
        .route(&format!("{base}/import/schema"), get(schema))
        .route(&format!("{base}/import"), get(import_status).post(import))
        .route(&format!("{base}/import/result"), get(import_result))
}

#[derive(Serialize)]
struct CategoryItem {
    code: String,
    title: String,
    #[serde(rename = "parentCode")]
    parent_code: Option<String>,
}

async fn categories(State(state): State<AppState>, _auth: SellerAuth) -> Result<Response, AppError> {
    let all = state.catalog.categories().await?;
    let items: Vec<CategoryItem> = all
        .iter()
        .map(|c| CategoryItem {
            code: c.code.clone(),
            title: c.name.ru.clone(),
            parent_code: c.parent_id.and_then(|p| all.iter().find(|x| x.id == p)).map(|p| p.code.clone()),
        })
        .collect();
    Ok(json_api(&items))
}

/// The category named by `c` (its code), or a 400 that says which parameter is wrong.
async fn category_param(state: &AppState, params: &Params) -> Result<i64, AppError> {
    let code = params.get("c").map(str::trim).unwrap_or("");
    if code.is_empty() {
        return Err(AppError::bad_param("c", Message::new("merchant-category-required")));
    }
    state
        .store
        .category_by_code(code)
        .await?
        .ok_or_else(|| AppError::bad_param("c", Message::new("merchant-category-unknown")))
}

fn kind_name(kind: AttributeKind) -> &'static str {
    match kind {
        AttributeKind::Enum => "enum",
        AttributeKind::Number => "number",
        AttributeKind::Boolean => "boolean",
        AttributeKind::Text => "string",
    }
}

async fn attributes(State(state): State<AppState>, _auth: SellerAuth, uri: Uri) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let category = category_param(&state, &params).await?;
    let schema = state.store.category_schema(category).await?;
    let items: Vec<Value> = schema
        .iter()
        .map(|d| {
            json!({"code": d.code, "type": kind_name(d.kind), "multiValued": false, "mandatory": d.required,
                   "title": d.name.ru, "unit": d.unit})
        })
        .collect();
    Ok(json_api(&items))
}

async fn values(State(state): State<AppState>, _auth: SellerAuth, uri: Uri) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let category = category_param(&state, &params).await?;
    let schema = state.store.category_schema(category).await?;
    let code = params.get("a").map(str::trim).unwrap_or("");
    let def = schema
        .iter()
        .find(|d| d.code == code)
        .ok_or_else(|| AppError::bad_param("a", Message::new("merchant-attribute-unknown")))?;
    let items: Vec<Value> = match def.kind {
        AttributeKind::Boolean => vec![json!({"code": "true", "name": "да"}), json!({"code": "false", "name": "нет"})],
        _ => def.values.iter().map(|v| json!({"code": v.code, "name": v.name.ru})).collect(),
    };
    Ok(json_api(&items))
}

async fn schema(_auth: SellerAuth) -> Response {
    json_api(&json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "duken product upload",
        "type": "array",
        "maxItems": MAX_ITEMS,
        "items": {
            "type": "object",
            "required": ["sku", "title", "brand", "category"],
            "properties": {
                "sku": {"type": "string", "minLength": 1, "maxLength": 64},
                "title": {"description": "One text, or {kk, ru, en}", "oneOf": [
                    {"type": "string", "minLength": 1, "maxLength": 300},
                    {"type": "object", "properties": {"kk": {"type": "string"}, "ru": {"type": "string"}, "en": {"type": "string"}}}
                ]},
                "brand": {"type": "string", "minLength": 1, "maxLength": 100},
                "category": {"type": "string", "description": "A code from classification/categories"},
                "description": {"oneOf": [{"type": "string", "maxLength": 5000}, {"type": "object"}]},
                "attributes": {"type": "array", "items": {"type": "object", "required": ["code", "value"],
                    "properties": {"code": {"type": "string"}, "value": {"type": ["string", "number", "boolean"]}}}},
                "images": {"type": "array", "items": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}}
            }
        }
    }))
}

/// The most products one upload may carry.
const MAX_ITEMS: usize = 1_000;

/// A text given once (for every language) or per language.
#[derive(Deserialize)]
#[serde(untagged)]
enum Texts {
    One(String),
    Each {
        #[serde(default)]
        kk: String,
        #[serde(default)]
        ru: String,
        #[serde(default)]
        en: String,
    },
}

impl Texts {
    fn localized(self) -> Localized {
        match self {
            Texts::One(t) => Localized { kk: t.clone(), ru: t.clone(), en: t },
            Texts::Each { kk, ru, en } => {
                // A missing language falls back to another given one.
                let any = [&ru, &kk, &en].into_iter().find(|t| !t.trim().is_empty()).cloned().unwrap_or_default();
                let or = |t: String| if t.trim().is_empty() { any.clone() } else { t };
                Localized { kk: or(kk), ru: or(ru), en: or(en) }
            }
        }
    }
}

#[derive(Deserialize)]
struct AttributeIn {
    code: String,
    value: Value,
}

#[derive(Deserialize)]
struct ImageIn {
    #[allow(dead_code)]
    url: String,
}

#[derive(Deserialize)]
struct ProductIn {
    sku: Option<String>,
    title: Option<Texts>,
    brand: Option<String>,
    category: Option<String>,
    description: Option<Texts>,
    #[serde(default)]
    attributes: Vec<AttributeIn>,
    #[serde(default)]
    images: Vec<ImageIn>,
}

#[derive(Serialize)]
struct ItemResult {
    sku: Option<String>,
    /// `SUCCESS` or `ERROR`.
    status: &'static str,
    #[serde(rename = "productId", skip_serializing_if = "Option::is_none")]
    product_id: Option<i64>,
    /// The card is new and waits for moderation.
    #[serde(rename = "moderation")]
    pending_moderation: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
}

/// Checks one product of an upload; every problem is named.
async fn check_item(state: &AppState, raw: Value) -> Result<ImportedProduct, (Option<String>, Vec<String>)> {
    let sku_hint = raw.get("sku").and_then(Value::as_str).map(str::to_owned);
    let item: ProductIn =
        serde_json::from_value(raw).map_err(|e| (sku_hint.clone(), vec![format!("bad product object: {e}")]))?;
    let mut errors = Vec::new();
    let sku = item.sku.map(|s| s.trim().to_owned()).unwrap_or_default();
    if sku.is_empty() || sku.len() > 64 || sku.chars().any(char::is_control) {
        errors.push("sku: 1 to 64 characters, no control characters".to_owned());
    }
    let title = item.title.map(Texts::localized).unwrap_or_default();
    if title.ru.trim().is_empty() || [&title.kk, &title.ru, &title.en].iter().any(|t| t.chars().count() > 300) {
        errors.push("title: required, at most 300 characters".to_owned());
    }
    let brand = item.brand.map(|b| b.trim().to_owned()).unwrap_or_default();
    if brand.is_empty() || brand.chars().count() > 100 {
        errors.push("brand: required, at most 100 characters".to_owned());
    }
    let description = item.description.map(Texts::localized).unwrap_or_default();
    if [&description.kk, &description.ru, &description.en].iter().any(|t| t.chars().count() > 5000) {
        errors.push("description: at most 5000 characters".to_owned());
    }
    let category = match item.category.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("category: required (a code from classification/categories)".to_owned());
            None
        }
        Some(code) => match state.store.category_by_code(code).await {
            Ok(Some(id)) => Some(id),
            Ok(None) => {
                errors.push(format!("category: unknown code {code:?}"));
                None
            }
            Err(e) => return Err((Some(sku), vec![format!("internal error: {e}")])),
        },
    };
    let mut attributes = BTreeMap::new();
    if let Some(category_id) = category {
        let given: BTreeMap<String, String> = item
            .attributes
            .into_iter()
            .map(|a| {
                let value = match a.value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (a.code, value)
            })
            .collect();
        let schema =
            state.store.category_schema(category_id).await.map_err(|e| (Some(sku.clone()), vec![e.to_string()]))?;
        let rules: Vec<_> = schema.iter().map(|d| d.rule()).collect();
        match duken_core::attributes::validate(&rules, &given) {
            Ok(valid) => attributes = valid,
            Err(problems) => errors.extend(problems.iter().map(|p| {
                let what = Message::new(p.message).render(duken_core::Lang::En);
                if p.value.is_empty() {
                    format!("attribute {}: {what}", p.code)
                } else {
                    format!("attribute {}: {what} ({:?})", p.code, p.value)
                }
            })),
        }
    }
    if !errors.is_empty() {
        return Err((Some(sku).filter(|s| !s.is_empty()), errors));
    }
    let _ = item.images;
    Ok(ImportedProduct {
        sku,
        category_id: category.unwrap_or_default(),
        content: ProductContent {
            title,
            description,
            brand,
            model: String::new(),
            attributes,
            video_url: String::new(),
        },
    })
}

/// `POST …/products/import`: a JSON array of products (as JSON or `text/plain`). Every item is
/// checked and applied on its own; the answer is the upload's code to poll.
async fn import(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    axum::Extension(request_id): axum::Extension<crate::web::request_id::RequestId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let started = chrono::Utc::now();
    let items: Vec<Value> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Err(AppError::bad_param("body", Message::new("merchant-import-not-array"))),
        Err(_) => return Err(AppError::bad_param("body", Message::new("merchant-import-not-json"))),
    };
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(AppError::bad_param("body", Message::new("merchant-import-count").arg("max", MAX_ITEMS as i64)));
    }
    let actor = format!("seller:{seller_id}");
    let mut results = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for raw in items {
        let has_images = raw.get("images").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        let raw_sku = raw.get("sku").and_then(Value::as_str).map(|s| s.trim().to_owned());
        if let Some(sku) = raw_sku.filter(|s| !s.is_empty())
            && !seen.insert(sku.clone())
        {
            results.push(ItemResult {
                sku: Some(sku),
                status: "ERROR",
                product_id: None,
                pending_moderation: false,
                errors: vec!["sku: appears earlier in this upload".to_owned()],
                warnings: vec![],
            });
            continue;
        }
        let mut result = match check_item(&state, raw).await {
            Ok(item) => match state.store.import_product(seller_id, &item, &actor, &request_id.0).await {
                Ok((product_id, created)) => ItemResult {
                    sku: Some(item.sku),
                    status: "SUCCESS",
                    product_id: Some(product_id),
                    pending_moderation: created,
                    errors: vec![],
                    warnings: vec![],
                },
                Err(StoreError::Conflict(c)) => ItemResult {
                    sku: Some(item.sku),
                    status: "ERROR",
                    product_id: None,
                    pending_moderation: false,
                    errors: vec![format!("conflict: {c}")],
                    warnings: vec![],
                },
                Err(e) => return Err(e.into()),
            },
            Err((sku, errors)) => ItemResult {
                sku,
                status: "ERROR",
                product_id: None,
                pending_moderation: false,
                errors,
                warnings: vec![],
            },
        };
        // Images by URL are not fetched yet (README): say so rather than drop them silently.
        if has_images {
            result
                .warnings
                .push("images: photos by URL are not fetched yet; add them in the seller cabinet".to_owned());
        }
        results.push(result);
    }
    let code = crate::accounts::hex(&rand::random::<[u8; 12]>());
    let result = serde_json::to_string(&results).map_err(|e| AppError::Internal(e.into()))?;
    state.store.record_import(&code, seller_id, results.len() as i64, &result, started).await?;
    state.catalog.invalidate();
    state.search.nudge();
    Ok(json_api(&json!({"code": code, "status": "UPLOADED"})))
}

async fn find(state: &AppState, seller_id: i64, uri: &Uri) -> Result<duken_store::products::ProductImport, AppError> {
    let params = Params::from_uri(uri);
    let code = params.get("i").map(str::trim).unwrap_or("");
    match state.store.find_import(seller_id, code).await {
        Ok(found) => Ok(found),
        Err(StoreError::NotFound) => Err(AppError::NotFound(Message::new("merchant-import-unknown"))),
        Err(e) => Err(e.into()),
    }
}

async fn import_status(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    uri: Uri,
) -> Result<Response, AppError> {
    let found = find(&state, seller_id, &uri).await?;
    Ok(json_api(&json!({"code": found.code, "status": found.status, "total": found.item_count,
        "createdAt": found.created_at.timestamp_millis(), "finishedAt": found.finished_at.map(|t| t.timestamp_millis())})))
}

async fn import_result(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    uri: Uri,
) -> Result<Response, AppError> {
    let found = find(&state, seller_id, &uri).await?;
    let items: Value = serde_json::from_str(&found.result).map_err(|e| AppError::Internal(e.into()))?;
    Ok(json_api(&json!({"code": found.code, "status": found.status, "items": items})))
}
