//! `GET /api/v1/search` and `GET /api/v1/search/suggest`: the buyer API of search.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use duken_core::Money;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{parse_query, sort_code};
use crate::app::AppState;
use crate::catalog::api::{CityView, List, MoneyView, Text, api_city, list};
use crate::web::error::{AppError, ErrorDocument};
use crate::web::params::Params;
use crate::web::prefs::Prefs;

#[derive(Serialize, ToSchema)]
pub struct SearchHitView {
    pub id: i64,
    pub brand: String,
    pub title: Text,
    /// The lowest price in the city (the lowest available offer's, else the lowest offer's).
    pub min_price: MoneyView,
    /// Offers with a price in the city.
    pub offer_count: u32,
    /// Whether some offer can be had in the city (stock there, or a pre-order).
    pub available: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FacetCount {
    /// A category or seller id, a brand, or an attribute value code.
    pub value: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AttributeFacet {
    pub code: String,
    pub values: Vec<FacetCount>,
}

/// Counts over the matches; each group is counted without its own filter.
#[derive(Serialize, ToSchema)]
pub struct FacetsView {
    pub categories: Vec<FacetCount>,
    pub brands: Vec<FacetCount>,
    pub sellers: Vec<FacetCount>,
    /// Only when the query names a category or filters on an attribute (attribute codes belong
    /// to categories); empty otherwise.
    pub attributes: Vec<AttributeFacet>,
    pub price_min: Option<MoneyView>,
    pub price_max: Option<MoneyView>,
    /// Matches available in the city.
    pub available: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchList {
    pub city: CityView,
    pub query: String,
    /// `relevance`, `price_asc`, `price_desc` or `newest`.
    pub sort: String,
    /// True when no product matched every word and the results match some of them.
    pub relaxed: bool,
    pub facets: FacetsView,
    #[serde(flatten)]
    pub list: List<SearchHitView>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// The words to find, in Kazakh (Cyrillic or Latin), Russian or English; typos are
    /// tolerated; quotes and operators are plain text. Empty: browse.
    q: Option<String>,
    /// City for prices and availability: KATO code or Kaspi city id (default Almaty).
    city: Option<String>,
    /// Only this category and its subcategories.
    category: Option<i64>,
    /// Only these brands (repeatable).
    brand: Option<Vec<String>>,
    /// Only products these sellers offer in the city (repeatable ids).
    seller: Option<Vec<i64>>,
    /// Lowest price in the city at least this many tenge.
    price_min: Option<i64>,
    /// Lowest price in the city at most this many tenge.
    price_max: Option<i64>,
    /// `1`: only products available in the city.
    available: Option<String>,
    /// `relevance` (default), `price_asc`, `price_desc`, `newest`. Attribute filters are
    /// `a.<code>=<value>`, repeatable (values of one attribute OR, attributes AND).
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    lang: Option<String>,
}

/// Full-text search with facets, in the buyer's city. Never an error for odd text.
#[utoipa::path(get, path = "/api/v1/search", tag = "catalog", params(SearchParams),
    responses((status = 200, body = SearchList),
              (status = 400, description = "Bad page, per_page or city", body = ErrorDocument)))]
pub async fn search(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Json<SearchList>, AppError> {
    let params = Params::from_uri(&uri);
    let city = api_city(&prefs)?;
    let lang = prefs.lang;
    let (query, page) = parse_query(&params, city.kato, lang)?;
    let results = state.search.search(query.clone()).await.map_err(|e| AppError::Internal(e.into()))?;
    let mut data = Vec::with_capacity(results.hits.len());
    for h in &results.hits {
        let Ok(product) = state.catalog.product(h.product_id).await else { continue };
        data.push(SearchHitView {
            id: h.product_id,
            brand: product.brand.clone(),
            title: (&product.title).into(),
            min_price: MoneyView::new(Money::from_tiyn(h.min_price_tiyn), lang),
            offer_count: h.offer_count,
            available: h.available,
        });
    }
    let f = &results.facets;
    let counts = |v: &[(String, u64)]| {
        v.iter().map(|(value, count)| FacetCount { value: value.clone(), count: *count }).collect()
    };
    let ids =
        |v: &[(i64, u64)]| v.iter().map(|(id, count)| FacetCount { value: id.to_string(), count: *count }).collect();
    let facets = FacetsView {
        categories: ids(&f.categories),
        brands: counts(&f.brands),
        sellers: ids(&f.sellers),
        attributes: f
            .attributes
            .iter()
            .map(|(code, values)| AttributeFacet { code: code.clone(), values: counts(values) })
            .collect(),
        price_min: f.price_min_tiyn.map(|t| MoneyView::new(Money::from_tiyn(t), lang)),
        price_max: f.price_max_tiyn.map(|t| MoneyView::new(Money::from_tiyn(t), lang)),
        available: f.available_count,
    };
    let total = i64::try_from(results.total.min(duken_search::MAX_OFFSET as u64)).unwrap_or(i64::MAX);
    Ok(Json(SearchList {
        city: CityView::from(&*city),
        query: query.text.clone(),
        sort: sort_code(query.sort).to_owned(),
        relaxed: results.relaxed,
        facets,
        list: list(&uri, &params, page, total, data),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    pub text: String,
    /// `product`, `brand` or `category`.
    pub kind: String,
    /// The product or category id.
    pub id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Suggestions {
    pub data: Vec<SuggestionView>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SuggestParams {
    /// What the buyer has typed so far.
    q: Option<String>,
    city: Option<String>,
    lang: Option<String>,
}

/// Completions while typing: product titles, brands and categories sold in the city.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "catalog", params(SuggestParams),
    responses((status = 200, body = Suggestions), (status = 400, description = "Unknown city", body = ErrorDocument)))]
pub async fn suggest(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Json<Suggestions>, AppError> {
    let params = Params::from_uri(&uri);
    let city = api_city(&prefs)?;
    let prefix: String = params.get("q").unwrap_or("").chars().take(super::MAX_QUERY_CHARS).collect();
    let found = state
        .search
        .suggest(prefix, city.kato.to_string(), prefs.lang, 10)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let data = found
        .into_iter()
        .map(|s| {
            let (kind, id) = match s.kind {
                duken_search::SuggestionKind::Product { product_id } => ("product", Some(product_id)),
                duken_search::SuggestionKind::Brand => ("brand", None),
                duken_search::SuggestionKind::Category { category_id } => ("category", Some(category_id)),
            };
            SuggestionView { text: s.text, kind: kind.to_owned(), id }
        })
        .collect();
    Ok(Json(Suggestions { data }))
}
