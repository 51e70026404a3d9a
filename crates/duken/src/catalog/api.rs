//! The buyer JSON API: `/api/v1/categories`, `/api/v1/products`, `/api/v1/products/{id}`,
//! `/api/v1/sellers`, `/api/v1/sellers/{id}`. Described in `/openapi.json` from these types.
//!
//! Lists are `{data, meta: {page, per_page, total, pages}, links: {self, first, last, prev, next}}`.
//! Money is `{tiyn, formatted}`; times are ISO-8601 UTC; ids are stable integers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use duken_core::catalog::Availability;
use duken_core::{Lang, Localized, Money, PageRequest};
use duken_store::catalog::{Category, City, ProductQuery, Seller};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::cache::Document;
use super::{category_filter, clip, not_found, order_code, parse_order};
use crate::app::AppState;
use crate::web::error::{AppError, ErrorDocument};
use crate::web::i18n::Message;
use crate::web::params::{Params, encode_query, parse_id};
use crate::web::prefs::Prefs;

/// Text in Kazakh, Russian and English.
#[derive(Serialize, ToSchema)]
pub struct Text {
    pub kk: String,
    pub ru: String,
    pub en: String,
}

impl From<&Localized> for Text {
    fn from(l: &Localized) -> Self {
        Text { kk: l.kk.clone(), ru: l.ru.clone(), en: l.en.clone() }
    }
}

/// An amount of money.
#[derive(Serialize, ToSchema)]
pub struct MoneyView {
    /// Integer tiyn (1 ₸ = 100 tiyn).
    #[schema(example = 18999000)]
    pub tiyn: i64,
    /// As people read it, in the request's language.
    #[schema(example = "189 990 ₸")]
    pub formatted: String,
}

impl MoneyView {
    pub(crate) fn new(m: Money, lang: Lang) -> Self {
        MoneyView { tiyn: m.tiyn(), formatted: m.format(lang) }
    }
}

/// [`MoneyView`] as a JSON value, for documents built with `json!`.
pub(crate) fn money_value(m: Money, prefs: &crate::web::prefs::Prefs) -> serde_json::Value {
    serde_json::json!(MoneyView::new(m, prefs.lang))
}

#[derive(Serialize, ToSchema)]
pub struct ListMeta {
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub pages: u32,
}

/// Links to this page and its neighbours (paths with query; absent where there is none).
#[derive(Serialize, ToSchema)]
pub struct ListLinks {
    #[serde(rename = "self")]
    pub this: String,
    pub first: String,
    pub last: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub data: Vec<T>,
    pub meta: ListMeta,
    pub links: ListLinks,
}

pub(crate) fn list<T: ToSchema>(uri: &Uri, params: &Params, page: PageRequest, total: i64, data: Vec<T>) -> List<T> {
    let pages = page.page_count(total);
    let link = |p: u32| {
        let mut pairs: Vec<(&str, String)> =
            params.pairs().iter().filter(|(k, _)| k != "page").map(|(k, v)| (k.as_str(), v.clone())).collect();
        pairs.push(("page", p.to_string()));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("{}?{}", uri.path(), encode_query(&borrowed))
    };
    List {
        data,
        meta: ListMeta { page: page.page, per_page: page.per_page, total, pages },
        links: ListLinks {
            this: link(page.page),
            first: link(1),
            last: link(pages),
            prev: (page.page > 1).then(|| link((page.page - 1).min(pages))),
            next: (page.page < pages).then(|| link(page.page + 1)),
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    pub id: i64,
    /// Stable slug.
    pub code: String,
    pub parent_id: Option<i64>,
    pub name: Text,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        CategoryView { id: c.id, code: c.code.clone(), parent_id: c.parent_id, name: (&c.name).into() }
    }
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    page: Option<u32>,
    /// Items per page, 1–100 (default 24).
    per_page: Option<u32>,
}

/// All categories, as a flat list; `parent_id` makes the tree.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog", params(PageParams),
    responses((status = 200, body = List<CategoryView>),
              (status = 400, description = "Bad page or per_page", body = ErrorDocument)))]
pub async fn list_categories(State(state): State<AppState>, uri: Uri) -> Result<Json<List<CategoryView>>, AppError> {
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let all = state.catalog.categories().await?;
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let data = all
        .iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.per_page as usize)
        .map(CategoryView::from)
        .collect();
    Ok(Json(list(&uri, &params, page, total, data)))
}

#[derive(Serialize, ToSchema)]
pub struct CityView {
    /// KATO code.
    #[schema(example = "750000000")]
    pub kato: String,
    /// Kaspi's city id (equal to KATO for most cities).
    pub kaspi_city_id: String,
    pub name: Text,
}

impl From<&City> for CityView {
    fn from(c: &City) -> Self {
        CityView { kato: c.kato.to_string(), kaspi_city_id: c.kaspi_city_id.clone(), name: (&c.name).into() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PriceRange {
    pub min: MoneyView,
    pub max: MoneyView,
}

#[derive(Serialize, ToSchema)]
pub struct ProductSummaryView {
    pub id: i64,
    pub code: String,
    pub category_id: i64,
    pub brand: String,
    pub title: Text,
    /// The sellers' price range in the requested city; null when no seller has a price there.
    pub price_range: Option<PriceRange>,
    /// Sellers with a price in the city.
    pub seller_count: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ProductList {
    /// The city whose prices are shown.
    pub city: CityView,
    #[serde(flatten)]
    pub list: List<ProductSummaryView>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProductListParams {
    /// Only products in this category and its subcategories.
    category: Option<i64>,
    /// City for prices: KATO code or Kaspi city id (default Almaty, 750000000).
    city: Option<String>,
    /// `newest` (default), `price_asc` or `price_desc`.
    sort: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–100 (default 24).
    per_page: Option<u32>,
    /// Language of formatted money: kk, ru (default) or en.
    lang: Option<String>,
}

/// The city of a JSON request: a `?city=` that names no city is an error here (a program
/// should not silently get another city's prices; pages fall back with a notice instead).
pub(crate) fn api_city(prefs: &Prefs) -> Result<Arc<City>, AppError> {
    match &prefs.city_problem {
        Some(given) => Err(AppError::bad_param("city", Message::new("error-unknown-city").arg("given", clip(given)))),
        None => Ok(prefs.city.clone()),
    }
}

/// Products, newest first or by price, with each one's price range in the city.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ProductListParams),
    responses((status = 200, body = ProductList),
              (status = 400, description = "Bad page, per_page, category or city", body = ErrorDocument)))]
pub async fn list_products(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Json<ProductList>, AppError> {
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let city = api_city(&prefs)?;
    let categories = state.catalog.categories().await?;
    let category = category_filter(&params, &categories)?;
    let order = parse_order(&params);
    debug_assert!(!order_code(order).is_empty());
    let query = ProductQuery { category, seller: None, city: city.kato, order, page };
    let listing = state.catalog.list_products(&query).await?;
    let (products, total) = (&listing.0, listing.1);
    let lang = prefs.lang;
    let data = products
        .iter()
        .map(|p| ProductSummaryView {
            id: p.id,
            code: p.code.clone(),
            category_id: p.category_id,
            brand: p.brand.clone(),
            title: (&p.title).into(),
            price_range: p
                .min_price
                .zip(p.max_price)
                .map(|(min, max)| PriceRange { min: MoneyView::new(min, lang), max: MoneyView::new(max, lang) }),
            seller_count: p.seller_count,
            created_at: p.created_at,
        })
        .collect();
    Ok(Json(ProductList { city: CityView::from(&*city), list: list(&uri, &params, page, total, data) }))
}

#[derive(Serialize, ToSchema)]
pub struct SellerRef {
    pub id: i64,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// False for sellers outside the Eurasian Economic Union: their goods go through customs (§9.2).
    pub is_eaeu: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityView {
    /// `in_city`, `elsewhere` (stock in another city or abroad), `pre_order` or `out_of_stock`.
    pub status: &'static str,
    /// Units in stock (in the city for `in_city`, in all stores for `elsewhere`).
    pub quantity: Option<i64>,
    /// Days to deliver a pre-order.
    pub pre_order_days: Option<i32>,
}

impl From<Availability> for AvailabilityView {
    fn from(a: Availability) -> Self {
        match a {
            Availability::InCity { quantity } => {
                AvailabilityView { status: "in_city", quantity: Some(quantity), pre_order_days: None }
            }
            Availability::Elsewhere { quantity } => {
                AvailabilityView { status: "elsewhere", quantity: Some(quantity), pre_order_days: None }
            }
            Availability::PreOrder { days } => {
                AvailabilityView { status: "pre_order", quantity: None, pre_order_days: Some(days) }
            }
            Availability::OutOfStock => {
                AvailabilityView { status: "out_of_stock", quantity: None, pre_order_days: None }
            }
        }
    }
}

/// A seller's offer in the requested city. §4: information from the seller, not an offer.
#[derive(Serialize, ToSchema)]
pub struct OfferView {
    pub id: i64,
    pub seller: SellerRef,
    /// The seller's own SKU.
    pub sku: String,
    pub price: MoneyView,
    pub availability: AvailabilityView,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub code: String,
    pub category: CategoryView,
    pub brand: String,
    pub model: String,
    pub title: Text,
    pub description: Text,
    /// Attribute code to value.
    pub attributes: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The city of the offers.
    pub city: CityView,
    /// Every seller's offer with a price in the city, cheapest first.
    pub offers: Vec<OfferView>,
    /// §4, in the request's language.
    pub notice: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProductParams {
    /// City for offers: KATO code or Kaspi city id (default Almaty, 750000000).
    city: Option<String>,
    /// Language of formatted money and the notice: kk, ru (default) or en.
    lang: Option<String>,
}

fn api_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw).ok_or_else(|| AppError::bad_param("id", Message::new("error-bad-id").arg("given", clip(raw))))
}

/// One product with every seller's offer for the city, cheapest first.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "Product id"), ProductParams),
    responses((status = 200, body = ProductView),
              (status = 400, description = "The id is not a number, or the city is unknown", body = ErrorDocument),
              (status = 404, description = "No such product", body = ErrorDocument)))]
pub async fn show_product(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = api_id(&raw)?;
    let city = api_city(&prefs)?;
    let lang = prefs.lang;
    // The document is the same for everyone asking for this product, city and language.
    let body = state
        .catalog
        .document(Document::Product(id, city.kato, lang), product_document(&state, id, &city, lang))
        .await?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

async fn product_document(state: &AppState, id: i64, city: &City, lang: Lang) -> Result<Bytes, AppError> {
    let (product, offers, categories) = tokio::try_join!(
        async { state.catalog.product(id).await.map_err(not_found("error-no-such-product", id)) },
        async { state.catalog.offers_in_city(id, city.kato).await.map_err(AppError::from) },
        async { state.catalog.categories().await.map_err(AppError::from) },
    )?;
    let category = categories
        .iter()
        .find(|c| c.id == product.category_id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("product {id} has no category {}", product.category_id)))?;
    let view = ProductView {
        id: product.id,
        code: product.code.clone(),
        category: category.into(),
        brand: product.brand.clone(),
        model: product.model.clone(),
        title: (&product.title).into(),
        description: (&product.description).into(),
        attributes: product.attributes.clone(),
        created_at: product.created_at,
        updated_at: product.updated_at,
        city: CityView::from(city),
        offers: offers
            .iter()
            .map(|o| OfferView {
                id: o.offer_id,
                seller: SellerRef {
                    id: o.seller_id,
                    name: o.seller_name.clone(),
                    country: o.seller_country.clone(),
                    is_eaeu: o.seller_is_eaeu,
                },
                sku: o.sku.clone(),
                price: MoneyView::new(o.price, lang),
                availability: o.availability().into(),
                updated_at: o.updated_at,
            })
            .collect(),
        notice: crate::web::i18n::t(lang, "offers-not-an-offer"),
    };
    serde_json::to_vec(&view).map(Bytes::from).map_err(|e| AppError::Internal(e.into()))
}

#[derive(Serialize, ToSchema)]
pub struct StoreView {
    pub id: i64,
    /// The storeId of price lists.
    pub code: String,
    pub name: String,
    pub country: String,
    /// Null for a warehouse outside Kazakhstan.
    pub city: Option<CityView>,
    pub address: String,
    pub opening_hours: String,
}

#[derive(Serialize, ToSchema)]
pub struct SellerView {
    pub id: i64,
    /// The merchant id of price lists.
    pub code: String,
    /// Business identification number; null for sellers registered abroad.
    pub bin: Option<String>,
    pub legal_name: String,
    pub display_name: String,
    pub country: String,
    /// False for sellers outside the Eurasian Economic Union (§9.2 customs).
    pub is_eaeu: bool,
    pub description: Text,
    pub offer_count: i64,
    pub created_at: DateTime<Utc>,
    /// Pickup points and warehouses (only in the single-seller document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stores: Option<Vec<StoreView>>,
}

fn seller_view(s: &Seller, stores: Option<Vec<StoreView>>) -> SellerView {
    SellerView {
        id: s.id,
        code: s.code.clone(),
        bin: s.bin.clone(),
        legal_name: s.legal_name.clone(),
        display_name: s.display_name.clone(),
        country: s.country.clone(),
        is_eaeu: s.is_eaeu,
        description: (&s.description).into(),
        offer_count: s.offer_count,
        created_at: s.created_at,
        stores,
    }
}

/// Sellers, by name.
#[utoipa::path(get, path = "/api/v1/sellers", tag = "catalog", params(PageParams),
    responses((status = 200, body = List<SellerView>),
              (status = 400, description = "Bad page or per_page", body = ErrorDocument)))]
pub async fn list_sellers(State(state): State<AppState>, uri: Uri) -> Result<Json<List<SellerView>>, AppError> {
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let listing = state.catalog.list_sellers(page).await?;
    let (sellers, total) = (&listing.0, listing.1);
    let data = sellers.iter().map(|s| seller_view(s, None)).collect();
    Ok(Json(list(&uri, &params, page, total, data)))
}

/// One seller with its stores.
#[utoipa::path(get, path = "/api/v1/sellers/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "Seller id")),
    responses((status = 200, body = SellerView),
              (status = 400, description = "The id is not a number", body = ErrorDocument),
              (status = 404, description = "No such seller", body = ErrorDocument)))]
pub async fn show_seller(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
) -> Result<Json<SellerView>, AppError> {
    let id = api_id(&raw)?;
    let (seller, stores) = tokio::try_join!(
        async { state.catalog.seller(id).await.map_err(not_found("error-no-such-seller", id)) },
        async { state.catalog.seller_stores(id).await.map_err(AppError::from) },
    )?;
    let stores = stores
        .iter()
        .map(|s| StoreView {
            id: s.id,
            code: s.code.clone(),
            name: s.name.clone(),
            country: s.country.clone(),
            city: s.city_kato.and_then(|k| prefs.cities.get(k)).map(CityView::from),
            address: s.address.clone(),
            opening_hours: s.opening_hours.clone(),
        })
        .collect();
    Ok(Json(seller_view(&seller, Some(stores))))
}
