//! `/search?q=…`: results with facets (category, brand, seller, attributes of the chosen
//! category, price, availability in the buyer's city), sorting and paging. Facet values are
//! links that add or remove one filter, so the page works without JavaScript; a small script
//! fills the search box's suggestions as the buyer types.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use duken_core::Money;
use duken_search::Sort;

use super::{parse_query, sort_code};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::t_args;
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::{Params, encode_query};
use crate::web::prefs::Prefs;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_page))
}

pub struct Hit {
    pub url: String,
    pub title: String,
    pub brand: String,
    pub price: String,
    pub sellers: String,
    pub available: bool,
}

/// One facet value: its text, count, and the link that toggles it.
pub struct FacetValue {
    pub text: String,
    pub count: u64,
    pub url: String,
    pub chosen: bool,
}

pub struct FacetGroup {
    pub title: String,
    pub values: Vec<FacetValue>,
}

pub struct SortLink {
    pub text: String,
    pub url: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    total: u64,
    relaxed: bool,
    ready: bool,
    hits: Vec<Hit>,
    groups: Vec<FacetGroup>,
    sorts: Vec<SortLink>,
    price_min: String,
    price_max: String,
    price_hint: String,
    available_only: bool,
    available_count: u64,
    /// The other filters, carried by the price form as hidden fields.
    keep: Vec<(String, String)>,
    pager: Pager,
}

/// The current parameters with `(name, value)` added, or removed when present; the page
/// number is reset.
fn toggled(path: &str, params: &Params, name: &str, value: &str) -> (String, bool) {
    let mut pairs: Vec<(&str, &str)> =
        params.pairs().iter().filter(|(k, _)| k != "page").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let present = pairs.iter().any(|(k, v)| *k == name && *v == value);
    if present {
        pairs.retain(|(k, v)| !(*k == name && *v == value));
    } else {
        pairs.push((name, value));
    }
    (format!("{path}?{}", encode_query(&pairs)), present)
}

async fn search_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let ctx = PageCtx::new(&prefs, &uri);
    let lang = ctx.lang;
    let (query, page) = parse_query(&params, prefs.city.kato, lang)?;
    let results = state.search.search(query.clone()).await.map_err(|e| AppError::Internal(e.into()))?;
    let categories = state.catalog.categories().await?;

    let mut hits = Vec::with_capacity(results.hits.len());
    for h in &results.hits {
        // A product unpublished a moment ago may still be in the index: skip it.
        let Ok(product) = state.catalog.product(h.product_id).await else { continue };
        hits.push(Hit {
            url: format!("/products/{}", h.product_id),
            title: product.title.get(lang).clone(),
            brand: product.brand.clone(),
            price: t_args(lang, "price-from", &[("price", Money::from_tiyn(h.min_price_tiyn).format(lang).into())]),
            sellers: t_args(lang, "offers-count", &[("count", i64::from(h.offer_count).into())]),
            available: h.available,
        });
    }

    let groups = facet_groups(&state, &ctx, &params, "/search", &query, &results, &categories).await?;
    let f = &results.facets;

    let sorts = [
        (Sort::Relevance, "sort-relevance"),
        (Sort::PriceAsc, "sort-price-asc"),
        (Sort::PriceDesc, "sort-price-desc"),
        (Sort::Newest, "sort-newest"),
    ]
    .into_iter()
    .map(|(s, key)| SortLink { text: ctx.t(key), url: ctx.url_with("sort", sort_code(s)), current: s == query.sort })
    .collect();
    let tenge = |t: Option<i64>| t.map(|t| (t / 100).to_string()).unwrap_or_default();
    let price_hint = match (f.price_min_tiyn, f.price_max_tiyn) {
        (Some(lo), Some(hi)) => {
            format!("{} – {}", Money::from_tiyn(lo).format(lang), Money::from_tiyn(hi).format(lang))
        }
        _ => String::new(),
    };
    let keep = params
        .pairs()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "price_min" | "price_max" | "page" | "available"))
        .cloned()
        .collect();
    let pages = u32::try_from(results.total.min(duken_search::MAX_OFFSET as u64).div_ceil(u64::from(page.per_page)))
        .unwrap_or(u32::MAX)
        .max(1);
    html(&SearchPage {
        q: query.text.clone(),
        total: results.total,
        relaxed: results.relaxed,
        ready: state.search.is_ready(),
        hits,
        groups,
        sorts,
        price_min: tenge(query.price_min_tiyn),
        price_max: tenge(query.price_max_tiyn),
        price_hint,
        available_only: query.available_only,
        available_count: f.available_count,
        keep,
        pager: Pager::new(&ctx, page.page, pages),
        ctx,
    })
}

/// The facet groups of a result as links that toggle one filter each on `path` (the search
/// page, or a category page's link into it).
pub async fn facet_groups(
    state: &AppState,
    ctx: &PageCtx,
    params: &Params,
    path: &str,
    query: &duken_search::SearchQuery,
    results: &duken_search::SearchResults,
    categories: &[duken_store::catalog::Category],
) -> Result<Vec<FacetGroup>, AppError> {
    let lang = ctx.lang;
    let mut groups = Vec::new();
    let f = &results.facets;
    let category_values: Vec<FacetValue> = f
        .categories
        .iter()
        .filter_map(|(id, count)| {
            let c = categories.iter().find(|c| c.id == *id)?;
            // Show the level below the chosen category (or the top level when none is chosen).
            if c.parent_id != query.category_id {
                return None;
            }
            let (url, chosen) = toggled(path, params, "category", &id.to_string());
            Some(FacetValue { text: c.name.get(lang).clone(), count: *count, url, chosen })
        })
        .collect();
    if let Some(chosen) = query.category_id.and_then(|id| categories.iter().find(|c| c.id == id)) {
        let (url, _) = toggled(path, params, "category", &chosen.id.to_string());
        groups.push(FacetGroup {
            title: ctx.t("facet-category"),
            values: std::iter::once(FacetValue {
                text: chosen.name.get(lang).clone(),
                count: results.total,
                url,
                chosen: true,
            })
            .chain(category_values)
            .collect(),
        });
    } else if !category_values.is_empty() {
        groups.push(FacetGroup { title: ctx.t("facet-category"), values: category_values });
    }
    if !f.brands.is_empty() {
        groups.push(FacetGroup {
            title: ctx.t("facet-brand"),
            values: f
                .brands
                .iter()
                .map(|(b, count)| {
                    let chosen_value =
                        query.brands.iter().find(|q| q.eq_ignore_ascii_case(b)).cloned().unwrap_or_else(|| b.clone());
                    let (url, chosen) = toggled(path, params, "brand", &chosen_value);
                    FacetValue { text: b.clone(), count: *count, url, chosen }
                })
                .collect(),
        });
    }
    if !f.sellers.is_empty() {
        let mut values = Vec::new();
        for (id, count) in &f.sellers {
            let Ok(seller) = state.catalog.seller(*id).await else { continue };
            let (url, chosen) = toggled(path, params, "seller", &id.to_string());
            values.push(FacetValue { text: seller.display_name.clone(), count: *count, url, chosen });
        }
        groups.push(FacetGroup { title: ctx.t("facet-seller"), values });
    }
    // Attribute facets once a category is chosen: its schema names them and their values.
    if let Some(category) = query.category_id {
        let schema = state.store.category_schema(category).await?;
        for (code, values) in &f.attributes {
            let Some(def) = schema.iter().find(|d| &d.code == code && d.facet) else { continue };
            let name = if def.unit.is_empty() {
                def.name.get(lang).clone()
            } else {
                format!("{}, {}", def.name.get(lang), def.unit)
            };
            groups.push(FacetGroup {
                title: name,
                values: values
                    .iter()
                    .map(|(v, count)| {
                        let text = match def.kind {
                            duken_core::attributes::AttributeKind::Boolean => {
                                ctx.t(if v == "true" { "value-yes" } else { "value-no" })
                            }
                            _ => def.value_name(v, lang).to_owned(),
                        };
                        let (url, chosen) = toggled(path, params, &format!("a.{code}"), v);
                        FacetValue { text, count: *count, url, chosen }
                    })
                    .collect(),
            });
        }
    }

    Ok(groups)
}
