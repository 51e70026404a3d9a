//! §6: the seller's own offers, and the content of their cards — titles, descriptions,
//! brand, model, attributes checked against the category's schema, a video link, photos —
//! each change a new version with author and time. A seller changes only cards it offers.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use duken_core::Localized;
use duken_core::attributes::{AttributeKind, AttributeProblem};
use duken_core::media::{ImageKind, check_photo};
use duken_core::roles::Access;
use duken_core::time::format_local;
use duken_store::StoreError;
use duken_store::attributes::AttributeDef;
use duken_store::products::{NewPhoto, ProductContent};

use super::cabinet::seller_param;
use super::staff_role;
use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::{Params, parse_id};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;

pub fn routes(state: AppState) -> Router<AppState> {
    let look = Router::new()
        .route("/cabinet/{seller}/offers", get(offers))
        .route("/cabinet/{seller}/products/{product}", get(editor))
        .route_layer(access::layer(Access::SellerStaff));
    let change = Router::new()
        .route("/cabinet/{seller}/products/{product}", axum::routing::post(save))
        .route_layer(access::current_agreement(state))
        .route_layer(access::layer(Access::SellerStaff));
    look.merge(change).route("/media/{file}", get(media))
}

pub struct OfferRow {
    pub product_id: i64,
    pub sku: String,
    pub title: String,
    pub status: String,
    pub available: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "sellers/offers.html")]
struct OffersPage {
    ctx: PageCtx,
    seller_id: i64,
    rows: Vec<OfferRow>,
    total: i64,
    pager: Pager,
}

async fn offers(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(seller): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let seller_id = seller_param(&seller)?;
    staff_role(access::viewer(&prefs)?, seller_id)?;
    let page = Params::from_uri(&uri).page()?;
    let (list, total) = state.store.seller_offers(seller_id, page).await?;
    let ctx = PageCtx::new(&prefs, &uri);
    let rows = list
        .into_iter()
        .map(|o| OfferRow {
            product_id: o.product_id,
            sku: o.sku,
            title: Localized { kk: o.title_kk, ru: o.title_ru, en: o.title_en }.get(ctx.lang).clone(),
            status: ctx.t(&format!("card-status-{}", o.product_status)),
            available: o.available,
            updated: format_local(o.updated_at, ctx.lang),
        })
        .collect();
    html(&OffersPage { seller_id, rows, total, pager: Pager::new(&ctx, page.page, page.page_count(total)), ctx })
}

/// One attribute field of the editor.
pub struct AttributeField {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub unit: String,
    pub required: bool,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "sellers/product.html")]
struct EditorPage {
    ctx: PageCtx,
    seller_id: i64,
    product_id: i64,
    form: HashMap<String, String>,
    fields: Vec<AttributeField>,
    problems: Vec<String>,
    photos: Vec<String>,
    versions: Vec<String>,
}

impl EditorPage {
    fn has_problems(&self) -> bool {
        !self.problems.is_empty() || self.fields.iter().any(|f| f.problem.is_some())
    }

    fn value(&self, name: &str) -> &str {
        self.form.get(name).map_or("", String::as_str)
    }
}

fn not_offered() -> AppError {
    AppError::NotFound(Message::new("error-no-such-product").arg("id", "?"))
}

/// The product, if the viewer's seller offers it; 404 otherwise.
async fn product_of(state: &AppState, prefs: &Prefs, seller: &str, product: &str) -> Result<(i64, i64), AppError> {
    let seller_id = seller_param(seller)?;
    staff_role(access::viewer(prefs)?, seller_id)?;
    let product_id = parse_id(product).ok_or_else(not_offered)?;
    if !state.store.seller_offers_product(seller_id, product_id).await? {
        return Err(not_offered());
    }
    Ok((seller_id, product_id))
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    (seller_id, product_id): (i64, i64),
    typed: Option<HashMap<String, String>>,
    problems: Vec<String>,
    attribute_problems: &[AttributeProblem],
) -> Result<EditorPage, AppError> {
    let ctx = PageCtx::new(prefs, uri);
    let product = state.store.product_any_status(product_id).await?;
    let (schema, photos, versions) = tokio::try_join!(
        state.store.category_schema(product.category_id),
        state.store.product_photos(product_id),
        state.store.content_versions(product_id)
    )?;
    let form = typed.unwrap_or_else(|| {
        let mut f = HashMap::new();
        for (k, v) in [
            ("title_kk", &product.title.kk),
            ("title_ru", &product.title.ru),
            ("title_en", &product.title.en),
            ("description_kk", &product.description.kk),
            ("description_ru", &product.description.ru),
            ("description_en", &product.description.en),
            ("brand", &product.brand),
            ("model", &product.model),
            ("video_url", &product.video_url),
        ] {
            f.insert(k.to_owned(), v.clone());
        }
        for (k, v) in &product.attributes {
            f.insert(format!("a.{k}"), v.clone());
        }
        f
    });
    let lang = ctx.lang;
    let fields = schema
        .iter()
        .map(|d: &AttributeDef| AttributeField {
            code: d.code.clone(),
            name: d.name.get(lang).clone(),
            kind: d.kind.code(),
            unit: d.unit.clone(),
            required: d.required,
            value: form.get(&format!("a.{}", d.code)).cloned().unwrap_or_default(),
            options: match d.kind {
                AttributeKind::Enum => d.values.iter().map(|v| (v.code.clone(), v.name.get(lang).clone())).collect(),
                AttributeKind::Boolean => {
                    vec![("true".into(), ctx.t("value-yes")), ("false".into(), ctx.t("value-no"))]
                }
                _ => vec![],
            },
            problem: attribute_problems.iter().find(|p| p.code == d.code).map(|p| Message::new(p.message).render(lang)),
        })
        .collect();
    let mut problems = problems;
    // Problems with attributes the schema does not have are shown above the form.
    for p in attribute_problems.iter().filter(|p| !schema.iter().any(|d| d.code == p.code)) {
        problems.push(format!("{}: {}", p.code, Message::new(p.message).render(lang)));
    }
    Ok(EditorPage {
        seller_id,
        product_id,
        form,
        fields,
        problems,
        photos: photos.iter().map(|p| format!("/media/{}", p.file_name)).collect(),
        versions: versions
            .iter()
            .map(|v| {
                let who = v.seller_name.clone().unwrap_or_else(|| ctx.t("content-operator"));
                format!(
                    "v{} · {} · {} · {}",
                    v.version,
                    ctx.t(&format!("content-source-{}", v.source)),
                    who,
                    format_local(v.created_at, lang)
                )
            })
            .collect(),
        ctx,
    })
}

async fn editor(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path((seller, product)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, AppError> {
    let (seller_id, product_id) = product_of(&state, &prefs, &seller, &product).await?;
    html(&render(&state, &prefs, &uri, (seller_id, product_id), None, vec![], &[]).await?)
}

/// The longest title, description and other texts a seller may give.
const MAX_TITLE: usize = 300;
const MAX_DESCRIPTION: usize = 5_000;

async fn save(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, product)): Path<(String, String)>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let (seller_id, product_id) = product_of(&state, &prefs, &seller, &product).await?;
    let viewer = access::viewer(&prefs)?;
    let text = |name: &str| form.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
    let lang = prefs.lang;
    let mut problems = Vec::new();
    for (name, max, required) in [
        ("title_kk", MAX_TITLE, true),
        ("title_ru", MAX_TITLE, true),
        ("title_en", MAX_TITLE, true),
        ("description_kk", MAX_DESCRIPTION, false),
        ("description_ru", MAX_DESCRIPTION, false),
        ("description_en", MAX_DESCRIPTION, false),
        ("brand", 100, true),
        ("model", 200, false),
    ] {
        let v = text(name);
        if required && v.is_empty() {
            problems.push(format!("{}: {}", ctx_label(lang, name), Message::new("field-required").render(lang)));
        } else if v.chars().count() > max {
            problems.push(format!("{}: {}", ctx_label(lang, name), Message::new("field-too-long").render(lang)));
        }
    }
    let video = text("video_url");
    let video_ok = video.is_empty()
        || (video.starts_with("https://") && video.len() <= 500 && !video.contains(char::is_whitespace));
    if !video_ok {
        problems.push(format!("{}: {}", ctx_label(lang, "video_url"), Message::new("video-url-invalid").render(lang)));
    }
    let given: BTreeMap<String, String> =
        form.iter().filter_map(|(k, v)| Some((k.strip_prefix("a.")?.to_owned(), v.clone()))).collect();
    let product_row = state.store.product_any_status(product_id).await?;
    let schema = state.store.category_schema(product_row.category_id).await?;
    let rules: Vec<_> = schema.iter().map(AttributeDef::rule).collect();
    let attribute_problems = match duken_core::attributes::validate(&rules, &given) {
        Ok(attributes) if problems.is_empty() => {
            let content = ProductContent {
                title: Localized { kk: text("title_kk"), ru: text("title_ru"), en: text("title_en") },
                description: Localized {
                    kk: text("description_kk"),
                    ru: text("description_ru"),
                    en: text("description_en"),
                },
                brand: text("brand"),
                model: text("model"),
                attributes,
                video_url: video,
            };
            return match state
                .store
                .update_product_content(product_id, seller_id, viewer.user_id, &content, &request_id.0)
                .await
            {
                Ok(_) => {
                    state.catalog.invalidate();
                    state.search.nudge();
                    Ok(Redirect::to(&format!("/cabinet/{seller_id}/products/{product_id}")).into_response())
                }
                Err(StoreError::NotFound) => Err(not_offered()),
                Err(e) => Err(e.into()),
            };
        }
        Ok(_) => vec![],
        Err(p) => p,
    };
    let page = render(&state, &prefs, &uri, (seller_id, product_id), Some(form), problems, &attribute_problems).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

fn ctx_label(lang: duken_core::Lang, field: &str) -> String {
    crate::web::i18n::t(lang, &format!("content-{}", field.replace('_', "-")))
}

/// `POST /cabinet/{seller}/products/{product}/photos`: one image, checked by its bytes.
pub async fn upload_photo(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    Path((seller, product)): Path<(String, String)>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (seller_id, product_id) = product_of(&state, &prefs, &seller, &product).await?;
    let viewer = access::viewer(&prefs)?;
    let bad = |key: &'static str| AppError::bad_param("photo", Message::new(key));
    let mut csrf_ok = false;
    let mut bytes: Option<Vec<u8>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad("photo-empty"))? {
        match field.name() {
            Some("csrf") => {
                let mut form = HashMap::new();
                form.insert("csrf".to_owned(), field.text().await.map_err(|_| bad("photo-empty"))?);
                check_csrf(&prefs, &form)?;
                csrf_ok = true;
            }
            Some("file") if csrf_ok => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| AppError::PayloadTooLarge)? {
                    if buf.len() + chunk.len() > duken_core::media::MAX_PHOTO_BYTES {
                        return Err(bad("photo-too-large"));
                    }
                    buf.extend_from_slice(&chunk);
                }
                bytes = Some(buf);
            }
            Some("file") => return Err(AppError::Forbidden(Message::new("error-csrf"))),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::Forbidden(Message::new("error-csrf")));
    }
    let bytes = bytes.ok_or_else(|| bad("photo-empty"))?;
    let info = check_photo(&bytes).map_err(|e| bad(e.message()))?;
    // Named by content, so the same photo is stored once and a name can never be chosen.
    let digest = sha256_hex(&bytes);
    let file_name = format!("{digest}.{}", info.kind.extension());
    let dir = state.data_dir.join("media");
    tokio::fs::create_dir_all(&dir).await.map_err(|e| AppError::Internal(e.into()))?;
    tokio::fs::write(dir.join(&file_name), &bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    let photo = NewPhoto {
        file_name: &file_name,
        content_type: info.kind.content_type(),
        byte_size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        width: i32::try_from(info.width).unwrap_or(i32::MAX),
        height: i32::try_from(info.height).unwrap_or(i32::MAX),
    };
    state.store.add_photo(product_id, seller_id, viewer.user_id, &photo, &request_id.0).await?;
    state.catalog.invalidate();
    Ok(Redirect::to(&format!("/cabinet/{seller_id}/products/{product_id}#photos")).into_response())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /media/{sha256}.{ext}`: a stored photo. Names are checked, so no other file is reachable.
async fn media(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(Message::new("error-no-such-page"));
    let (stem, ext) = file.split_once('.').ok_or_else(not_found)?;
    let kind = ImageKind::from_extension(ext).ok_or_else(not_found)?;
    if stem.len() != 64 || !stem.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(not_found());
    }
    let bytes = tokio::fs::read(state.data_dir.join("media").join(&file)).await.map_err(|_| not_found())?;
    Ok(([(CONTENT_TYPE, kind.content_type()), (CACHE_CONTROL, "public, max-age=31536000, immutable")], bytes)
        .into_response())
}
