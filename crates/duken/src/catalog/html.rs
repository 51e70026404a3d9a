//! Storefront pages: home, category tree, category, product, sellers, seller.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use duken_core::PageRequest;
use duken_core::time::format_local;
use duken_store::catalog::{Category, ProductOrder, ProductQuery, ProductSummary};

use super::{ancestry, availability_text, children, clip, not_found, order_code, parse_order, price_range_text};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::{Message, t, t_args};
use crate::web::page::{PageCtx, Pager, html};
use crate::web::params::{Params, parse_id};
use crate::web::prefs::Prefs;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/categories", get(list_categories))
        .route("/categories/{id}", get(show_category))
        .route("/products/{id}", get(show_product))
        .route("/sellers", get(list_sellers))
        .route("/sellers/{id}", get(show_seller))
}

/// A link in a list or breadcrumb trail.
pub struct Link {
    pub url: String,
    pub text: String,
}

pub struct CategoryGroup {
    pub link: Link,
    pub children: Vec<Link>,
}

/// A product in a list, as shown on cards.
pub struct ProductCard {
    pub url: String,
    pub title: String,
    pub brand: String,
    pub price: String,
    pub has_price: bool,
    pub sellers: String,
}

pub struct SortOption {
    pub url: String,
    pub text: String,
    pub current: bool,
}

fn category_link(ctx: &PageCtx, c: &Category) -> Link {
    Link { url: format!("/categories/{}", c.id), text: c.name.get(ctx.lang).clone() }
}

fn category_groups(ctx: &PageCtx, categories: &[Category]) -> Vec<CategoryGroup> {
    children(categories, None)
        .into_iter()
        .map(|root| CategoryGroup {
            link: category_link(ctx, root),
            children: children(categories, Some(root.id)).into_iter().map(|c| category_link(ctx, c)).collect(),
        })
        .collect()
}

fn product_cards(ctx: &PageCtx, products: &[ProductSummary]) -> Vec<ProductCard> {
    products
        .iter()
        .map(|p| ProductCard {
            url: format!("/products/{}", p.id),
            title: p.title.get(ctx.lang).clone(),
            brand: p.brand.clone(),
            price: price_range_text(ctx.lang, p.min_price, p.max_price, &ctx.city_name),
            has_price: p.min_price.is_some(),
            sellers: t_args(ctx.lang, "sellers-count", &[("count", p.seller_count.into())]),
        })
        .collect()
}

fn sort_options(ctx: &PageCtx, current: ProductOrder) -> Vec<SortOption> {
    [
        (ProductOrder::Newest, "sort-newest"),
        (ProductOrder::PriceAsc, "sort-price-asc"),
        (ProductOrder::PriceDesc, "sort-price-desc"),
    ]
    .into_iter()
    .map(|(order, key)| SortOption {
        url: ctx.url_with("sort", order_code(order)),
        text: ctx.t(key),
        current: order == current,
    })
    .collect()
}

/// A path id that is not a positive number names no page: a 404 that says so.
fn path_id(raw: &str, what: &'static str) -> Result<i64, AppError> {
    parse_id(raw).ok_or_else(|| AppError::NotFound(Message::new(what).arg("id", clip(raw))))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    groups: Vec<CategoryGroup>,
    products: Vec<ProductCard>,
}

async fn home(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let query = ProductQuery {
        category: None,
        seller: None,
        city: prefs.city.kato,
        order: ProductOrder::Newest,
        page: PageRequest { page: 1, per_page: 12 },
    };
    let (categories, listing) = tokio::try_join!(state.catalog.categories(), state.catalog.list_products(&query))?;
    let products = &listing.0;
    html(&HomePage { groups: category_groups(&ctx, &categories), products: product_cards(&ctx, products), ctx })
}

#[derive(Template)]
#[template(path = "categories.html")]
struct CategoriesPage {
    ctx: PageCtx,
    groups: Vec<CategoryGroup>,
}

async fn list_categories(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let categories = state.catalog.categories().await?;
    html(&CategoriesPage { groups: category_groups(&ctx, &categories), ctx })
}

#[derive(Template)]
#[template(path = "category.html")]
struct CategoryPage {
    ctx: PageCtx,
    id: i64,
    /// Filters of the category (brand, seller, price, characteristics): each a link into the
    /// category's search results with that filter on.
    facets: Vec<crate::search::html::FacetGroup>,
    name: String,
    trail: Vec<Link>,
    subcategories: Vec<Link>,
    products: Vec<ProductCard>,
    total: i64,
    sorts: Vec<SortOption>,
    pager: Pager,
}

async fn show_category(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let id = path_id(&raw, "error-no-such-category")?;
    let ctx = PageCtx::new(&prefs, &uri);
    let params = Params::from_uri(&uri);
    let page = params.page()?;
    let categories = state.catalog.categories().await?;
    let trail = ancestry(&categories, id);
    let Some(category) = trail.last() else {
        return Err(AppError::NotFound(Message::new("error-no-such-category").arg("id", id.to_string())));
    };
    let order = parse_order(&params);
    let query = ProductQuery { category: Some(id), seller: None, city: prefs.city.kato, order, page };
    let listing = state.catalog.list_products(&query).await?;
    let (products, total) = (&listing.0, listing.1);
    let facets = category_facets(&state, &ctx, &prefs, id, &categories).await?;
    html(&CategoryPage {
        id,
        facets,
        name: category.name.get(ctx.lang).clone(),
        trail: trail.iter().map(|c| category_link(&ctx, c)).collect(),
        subcategories: children(&categories, Some(id)).into_iter().map(|c| category_link(&ctx, c)).collect(),
        products: product_cards(&ctx, products),
        total,
        sorts: sort_options(&ctx, order),
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}

/// The facets of a whole category in the buyer's city, from the search index; their links lead
/// to `/search?category=…` with the chosen filter.
async fn category_facets(
    state: &AppState,
    ctx: &PageCtx,
    prefs: &Prefs,
    id: i64,
    categories: &[Category],
) -> Result<Vec<crate::search::html::FacetGroup>, AppError> {
    let mut query = duken_search::SearchQuery::new("", prefs.city.kato.to_string());
    query.category_id = Some(id);
    query.lang = ctx.lang;
    query.limit = 1;
    let results = state.search.search(query.clone()).await.map_err(|e| AppError::Internal(e.into()))?;
    let uri: Uri = format!("/search?category={id}")
        .parse()
        .map_err(|e: axum::http::uri::InvalidUri| AppError::Internal(e.into()))?;
    let params = Params::from_uri(&uri);
    let mut groups =
        crate::search::html::facet_groups(state, ctx, &params, "/search", &query, &results, categories).await?;
    // The category itself is this page: keep only its subcategories' links.
    for g in &mut groups {
        g.values.retain(|v| !v.chosen);
    }
    groups.retain(|g| !g.values.is_empty());
    Ok(groups)
}

pub struct OfferLine {
    pub offer_id: i64,
    pub seller_url: String,
    pub seller_name: String,
    pub abroad: bool,
    pub price: String,
    pub availability: String,
    pub can_order: bool,
    pub updated: String,
}

pub struct Attribute {
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    ctx: PageCtx,
    title: String,
    brand: String,
    model: String,
    description: String,
    trail: Vec<Link>,
    attributes: Vec<Attribute>,
    offers: Vec<OfferLine>,
    photos: Vec<String>,
    video_url: String,
    /// §6: who provided the content shown, and when.
    source: String,
    /// §3: credit and installments for the lowest price one can order at.
    credit_offers: Vec<crate::credit::html::OfferView>,
    credit_amount: String,
    credit_link: String,
}

/// An attribute as a buyer reads it: the schema's name (with the unit) and the value's name
/// (enum values, yes/no); an attribute the schema no longer has is shown by its code.
fn attribute_line(
    ctx: &PageCtx,
    schema: &[duken_store::attributes::AttributeDef],
    code: &str,
    value: &str,
) -> Attribute {
    let Some(def) = schema.iter().find(|d| d.code == code) else {
        return Attribute { name: code.replace('_', " "), value: value.to_owned() };
    };
    let value = match def.kind {
        duken_core::attributes::AttributeKind::Boolean => ctx.t(if value == "true" { "value-yes" } else { "value-no" }),
        duken_core::attributes::AttributeKind::Number if !def.unit.is_empty() => format!("{value} {}", def.unit),
        _ => def.value_name(value, ctx.lang).to_owned(),
    };
    Attribute { name: def.name.get(ctx.lang).clone(), value }
}

/// "Content: Seller X, date" or "Content: duken", for §6.
fn source_line(ctx: &PageCtx, source: Option<&duken_store::products::ContentSource>) -> String {
    match source {
        Some(s) => match &s.seller_name {
            Some(name) => t_args(
                ctx.lang,
                "content-from-seller",
                &[("seller", name.as_str().into()), ("date", format_local(s.created_at, ctx.lang).into())],
            ),
            None => t_args(ctx.lang, "content-from-operator", &[("date", format_local(s.created_at, ctx.lang).into())]),
        },
        None => String::new(),
    }
}

async fn show_product(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let id = path_id(&raw, "error-no-such-product")?;
    let ctx = PageCtx::new(&prefs, &uri);
    let product = state.catalog.product(id).await.map_err(not_found("error-no-such-product", id))?;
    let (categories, offers, extras) = tokio::try_join!(
        state.catalog.categories(),
        state.catalog.offers_in_city(id, prefs.city.kato),
        state.catalog.product_extras(id, product.category_id)
    )?;
    let lang = ctx.lang;
    let lowest = offers.iter().filter(|o| o.availability().can_order()).map(|o| o.price).min();
    let credit_offers = match lowest {
        Some(price) => crate::credit::html::summary(&state, price, lang).await?,
        None => Vec::new(),
    };
    let offers = offers
        .iter()
        .map(|o| OfferLine {
            offer_id: o.offer_id,
            seller_url: format!("/sellers/{}", o.seller_id),
            seller_name: o.seller_name.clone(),
            abroad: !o.seller_is_eaeu,
            price: o.price.format(lang),
            availability: availability_text(lang, o.availability(), &ctx.city_name),
            can_order: o.availability().can_order(),
            updated: format_local(o.updated_at, lang),
        })
        .collect();
    html(&ProductPage {
        title: product.title.get(lang).clone(),
        brand: product.brand.clone(),
        model: product.model.clone(),
        description: product.description.get(lang).clone(),
        trail: ancestry(&categories, product.category_id).iter().map(|c| category_link(&ctx, c)).collect(),
        attributes: product.attributes.iter().map(|(k, v)| attribute_line(&ctx, &extras.schema, k, v)).collect(),
        offers,
        photos: extras.photos.iter().map(|p| format!("/media/{}", p.file_name)).collect(),
        video_url: product.video_url.clone(),
        source: source_line(&ctx, extras.source.as_ref()),
        credit_amount: lowest.map(|p| p.format(lang)).unwrap_or_default(),
        credit_link: lowest.map(|p| format!("/credit?amount={}", p.tiyn())).unwrap_or_default(),
        credit_offers,
        ctx,
    })
}

pub struct SellerLine {
    pub url: String,
    pub name: String,
    pub country: String,
    pub abroad: bool,
    pub offers: String,
}

#[derive(Template)]
#[template(path = "sellers.html")]
struct SellersPage {
    ctx: PageCtx,
    sellers: Vec<SellerLine>,
    pager: Pager,
}

fn country_name(ctx: &PageCtx, code: &str) -> String {
    let key = format!("country-{}", code.to_ascii_lowercase());
    let text = t(ctx.lang, &key);
    if text == key { code.to_owned() } else { text }
}

async fn list_sellers(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let page = Params::from_uri(&uri).page()?;
    let listing = state.catalog.list_sellers(page).await?;
    let (sellers, total) = (&listing.0, listing.1);
    let sellers = sellers
        .iter()
        .map(|s| SellerLine {
            url: format!("/sellers/{}", s.id),
            name: s.display_name.clone(),
            country: country_name(&ctx, &s.country),
            abroad: !s.is_eaeu,
            offers: ctx.t_num("offers-count", "count", &s.offer_count),
        })
        .collect();
    html(&SellersPage { sellers, pager: Pager::new(&ctx, page.page, page.page_count(total)), ctx })
}

pub struct StoreLine {
    pub name: String,
    pub place: String,
    pub address: String,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "seller.html")]
struct SellerPage {
    ctx: PageCtx,
    name: String,
    legal_name: String,
    bin: Option<String>,
    country: String,
    abroad: bool,
    description: String,
    since: String,
    stores: Vec<StoreLine>,
    products: Vec<ProductCard>,
    total: i64,
    pager: Pager,
}

async fn show_seller(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let id = path_id(&raw, "error-no-such-seller")?;
    let ctx = PageCtx::new(&prefs, &uri);
    let page = Params::from_uri(&uri).page()?;
    let seller = state.catalog.seller(id).await.map_err(not_found("error-no-such-seller", id))?;
    let query =
        ProductQuery { category: None, seller: Some(id), city: prefs.city.kato, order: ProductOrder::Newest, page };
    let (stores, listing) = tokio::try_join!(state.catalog.seller_stores(id), state.catalog.list_products(&query))?;
    let (products, total) = (&listing.0, listing.1);
    let lang = ctx.lang;
    let stores = stores
        .iter()
        .map(|s| StoreLine {
            name: s.name.clone(),
            place: match s.city_kato.and_then(|k| prefs.cities.get(k)) {
                Some(city) => city.name.get(lang).clone(),
                None => country_name(&ctx, &s.country),
            },
            address: s.address.clone(),
            hours: s.opening_hours.clone(),
        })
        .collect();
    html(&SellerPage {
        name: seller.display_name.clone(),
        legal_name: seller.legal_name.clone(),
        bin: seller.bin.clone(),
        country: country_name(&ctx, &seller.country),
        abroad: !seller.is_eaeu,
        description: seller.description.get(lang).clone(),
        since: format_local(seller.created_at, lang),
        stores,
        products: product_cards(&ctx, products),
        total,
        pager: Pager::new(&ctx, page.page, page.page_count(total)),
        ctx,
    })
}
