//! The orders part of the merchant API (`../shared/kaspi-merchant-api.md`, "Orders"): lists
//! with the real service's filters, paging and leniency; one order, its entries and their
//! products; and `POST /shop/api/v2/orders` for the seller's changes (accept, cancel,
//! assemble, complete with the buyer's hand-over code, §10). Money is whole tenge, dates epoch
//! milliseconds; an order's `id` is its number in base64 without padding.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use duken_core::order::{Action, CancellationReason, DeliveryMode, State as OrderState, Status};
use duken_store::orders::{ChangeOutcome, DateField, Order, OrderChange, OrderEntry, OrderScope, SellerOrderQuery};
use serde::Serialize;
use serde_json::{Value, json};

use super::{SellerAuth, json_api};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::params::Params;
use crate::web::request_id::RequestId;

const BASE: &str = "/shop/api/v2";
/// The real service's largest page; larger asks are clamped, not refused.
const MAX_PAGE_SIZE: i64 = 100;
const DEFAULT_PAGE_SIZE: i64 = 20;
/// The longest creation-date window, plus slack for tools that compute `now − 14 days`
/// a little before sending.
const MAX_WINDOW_MS: i64 = 14 * 86_400_000 + 60_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{BASE}/orders"), get(list).post(change))
        .route(&format!("{BASE}/orders/{{id}}"), get(one))
        .route(&format!("{BASE}/orders/{{id}}/entries"), get(entries))
        .route(&format!("{BASE}/orderentries/{{id}}/product"), get(entry_product))
}

/// Standard base64 without padding, as order ids are.
pub fn base64_id(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The text of a base64 id (padding and the URL-safe alphabet accepted too); `None` if it is
/// not one.
pub fn from_base64_id(id: &str) -> Option<String> {
    let id = id.trim_end_matches('=');
    if id.is_empty() || id.len() > 200 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(id.len() * 3 / 4);
    for c in id.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).ok()?);
        }
    }
    String::from_utf8(out).ok()
}

fn tenge(tiyn: i64) -> i64 {
    (tiyn + 50).div_euclid(100)
}

/// The absolute base for links: tools join `links.next` to nothing.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(axum::http::header::HOST))
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        .unwrap_or("127.0.0.1:8080");
    let scheme = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

fn bad(field: &'static str, key: &'static str) -> AppError {
    AppError::bad_param(field, Message::new(key))
}

/// An epoch-millisecond number, or an ISO-8601 date or date-time (a date is midnight UTC).
fn parse_when(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(n) = raw.parse::<i64>() {
        return DateTime::from_timestamp_millis(n);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

fn list_of<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    field: &'static str,
    key: &'static str,
) -> Result<Vec<T>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(Vec::new()) };
    raw.split(',').map(|v| parse(v.trim()).ok_or_else(|| bad(field, key))).collect()
}

/// The list query from the request's parameters, checked as the real service checks them.
fn order_query(seller_id: i64, params: &Params, now: DateTime<Utc>) -> Result<(SellerOrderQuery, i64, i64), AppError> {
    let number = match params.get("page[number]") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| bad("page[number]", "merchant-orders-page-number"))?,
    };
    let size = match params.get("page[size]") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad("page[size]", "merchant-orders-page-size"))?,
    }
    .min(MAX_PAGE_SIZE);
    let date = |attr: &str, bound: &str| -> Result<Option<DateTime<Utc>>, AppError> {
        match params.get(&format!("filter[orders][{attr}][{bound}]")) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => parse_when(v).map(Some).ok_or_else(|| bad("filter[orders]", "merchant-orders-date")),
        }
    };
    let created_to = date("creationDate", "$le")?.unwrap_or(now);
    let created_from = date("creationDate", "$ge")?.unwrap_or(created_to - chrono::Duration::days(14));
    if (created_to - created_from).num_milliseconds() > MAX_WINDOW_MS {
        return Err(bad("filter[orders][creationDate]", "merchant-orders-window"));
    }
    let mut dates = vec![(DateField::Created, Some(created_from), Some(created_to))];
    for (attr, field) in [
        ("approvedByBankDate", DateField::ApprovedByBank),
        ("plannedDeliveryDate", DateField::PlannedDelivery),
        ("acceptedByMerchantDate", DateField::Accepted),
        ("completedDate", DateField::Completed),
    ] {
        let (from, to) = (date(attr, "$ge")?, date(attr, "$le")?);
        if from.is_some() || to.is_some() {
            dates.push((field, from, to));
        }
    }
    let signature_required = match params.get("filter[orders][signatureRequired]").map(str::trim) {
        None | Some("") => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(bad("filter[orders][signatureRequired]", "merchant-orders-boolean")),
    };
    let states = list_of(
        params.get("filter[orders][state]"),
        OrderState::parse,
        "filter[orders][state]",
        "merchant-orders-state",
    )?;
    if states.contains(&OrderState::AwaitingPayment) {
        return Err(bad("filter[orders][state]", "merchant-orders-state"));
    }
    let query = SellerOrderQuery {
        seller_id,
        states,
        statuses: list_of(
            params.get("filter[orders][status]"),
            Status::parse,
            "filter[orders][status]",
            "merchant-orders-status",
        )?,
        delivery_modes: list_of(
            params.get("filter[orders][deliveryType]"),
            DeliveryMode::parse,
            "filter[orders][deliveryType]",
            "merchant-orders-delivery",
        )?,
        signature_required,
        code: params.get("filter[orders][code]").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned),
        dates,
        limit: size,
        offset: number.saturating_mul(size),
    };
    Ok((query, number, size))
}

/// An order as a JSON:API resource object.
async fn resource(state: &AppState, order: &Order, base: &str) -> Result<Value, AppError> {
    let stores = state.catalog.seller_stores(order.seller_id).await?;
    Ok(serde_json::to_value(resource_with(order, base, &stores)).unwrap_or(Value::Null))
}

/// An order resource, serialized straight from these fields: a list of 100 orders is written
/// without first building a tree of maps (that tree was a fifth of the list's CPU time).
#[derive(Serialize)]
struct OrderResource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    attributes: OrderAttributes<'a>,
    relationships: OrderRelationships,
    links: SelfLink,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderAttributes<'a> {
    code: &'a str,
    total_price: i64,
    payment_mode: &'a str,
    credit_term: Option<i32>,
    creation_date: i64,
    planned_delivery_date: Option<i64>,
    approved_by_bank_date: Option<i64>,
    state: &'a str,
    status: &'a str,
    delivery_mode: &'a str,
    delivery_cost: i64,
    delivery_cost_for_seller: i64,
    is_kaspi_delivery: bool,
    signature_required: bool,
    pre_order: bool,
    assembled: bool,
    number_of_space: Option<i32>,
    pickup_point_id: Option<&'a str>,
    planned_shipment_date: Option<i64>,
    shipment_date: Option<i64>,
    kaspi_delivery: Option<KaspiDelivery>,
    delivery_address: Option<DeliveryAddress<'a>>,
    customer: Customer<'a>,
    origin_address: Option<OriginAddress<'a>>,
    cancellation_reason: Option<&'a str>,
    cancellation_comment: Option<&'a str>,
}

/// The marketplace courier's part; duken's own couriers come with the delivery issue, so
/// nothing in it is known yet.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KaspiDelivery {
    waybill: Option<String>,
    waybill_number: Option<String>,
    courier_transmission_date: Option<i64>,
    courier_transmission_planning_date: Option<i64>,
    express: bool,
    returned_to_warehouse: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryAddress<'a> {
    formatted_address: &'a str,
    town: &'a str,
    street_name: Option<&'a str>,
    street_number: Option<&'a str>,
    district: Option<&'a str>,
    building: Option<&'a str>,
    apartment: Option<&'a str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// The buyer: only the id unless the buyer's consent (§9.1) disclosed the name and phone.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Customer<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell_phone: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OriginAddress<'a> {
    id: &'a str,
    display_name: &'a str,
    address: StoreAddress<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StoreAddress<'a> {
    formatted_address: &'a str,
    town: Option<&'a duken_core::Kato>,
}

#[derive(Serialize)]
struct OrderRelationships {
    entries: RelatedLink,
}

#[derive(Serialize)]
struct RelatedLink {
    links: Related,
}

#[derive(Serialize)]
struct Related {
    related: String,
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    this: String,
}

/// [`resource`] with the seller's stores at hand (a list reads them once).
fn resource_with<'a>(
    order: &'a Order,
    base: &str,
    stores: &'a [duken_store::catalog::SellerStore],
) -> OrderResource<'a> {
    let id = base64_id(&order.code);
    let delivery = DeliveryMode::parse(&order.delivery_mode);
    let courier = delivery.is_some_and(DeliveryMode::is_marketplace_courier);
    let pickup = order.pickup_store_id.and_then(|s| stores.iter().find(|x| x.id == s));
    let origin_store = pickup.or(stores.first());
    let disclosed = !(order.customer_name.is_empty() && order.customer_phone.is_empty());
    let (first, last) = order.customer_name.split_once(' ').unwrap_or((order.customer_name.as_str(), ""));
    let customer = Customer {
        id: base64_id(&format!("buyer-{}", order.buyer_id)),
        name: disclosed.then_some(order.customer_name.as_str()),
        first_name: disclosed.then_some(first),
        last_name: disclosed.then_some(last),
        cell_phone: disclosed.then(|| order.customer_phone.trim_start_matches("+7")),
    };
    let delivery_address = (!order.delivery_address.is_empty()).then(|| DeliveryAddress {
        formatted_address: &order.delivery_address,
        town: &order.city_kato,
        street_name: None,
        street_number: None,
        district: None,
        building: None,
        apartment: None,
        latitude: None,
        longitude: None,
    });
    let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    OrderResource {
        kind: "orders",
        attributes: OrderAttributes {
            code: &order.code,
            total_price: tenge(order.total_tiyn),
            payment_mode: &order.payment_mode,
            credit_term: order.credit_term,
            creation_date: order.created_at.timestamp_millis(),
            planned_delivery_date: ms(order.planned_delivery_at),
            approved_by_bank_date: ms(order.approved_at),
            state: &order.state,
            status: &order.status,
            delivery_mode: &order.delivery_mode,
            delivery_cost: tenge(order.delivery_cost_tiyn),
            delivery_cost_for_seller: tenge(order.delivery_cost_tiyn),
            is_kaspi_delivery: courier,
            signature_required: order.payment_mode == "PAY_WITH_CREDIT",
            pre_order: order.pre_order,
            assembled: order.assembled,
            number_of_space: order.number_of_space,
            pickup_point_id: pickup.map(|s| s.code.as_str()),
            planned_shipment_date: None,
            shipment_date: None,
            kaspi_delivery: courier.then_some(KaspiDelivery {
                waybill: None,
                waybill_number: None,
                courier_transmission_date: None,
                courier_transmission_planning_date: None,
                express: false,
                returned_to_warehouse: false,
            }),
            delivery_address,
            customer,
            origin_address: origin_store.map(|s| OriginAddress {
                id: &s.code,
                display_name: &s.name,
                address: StoreAddress { formatted_address: &s.address, town: s.city_kato.as_ref() },
            }),
            cancellation_reason: order.cancellation_reason.as_deref(),
            cancellation_comment: Some(order.cancellation_comment.as_str()).filter(|c| !c.is_empty()),
        },
        relationships: OrderRelationships {
            entries: RelatedLink { links: Related { related: format!("{base}{BASE}/orders/{id}/entries") } },
        },
        links: SelfLink { this: format!("{base}{BASE}/orders/{id}") },
        id,
    }
}

async fn entry_resource(state: &AppState, order: &Order, e: &OrderEntry, base: &str) -> Result<Value, AppError> {
    let id = base64_id(&format!("{}_{}", order.code, e.entry_number));
    let product = state.store.product_any_status(e.product_id).await?;
    let categories = state.catalog.categories().await?;
    let category = categories.iter().find(|c| c.id == product.category_id);
    let store_code =
        state.catalog.seller_stores(order.seller_id).await?.iter().find(|s| s.id == e.store_id).map(|s| s.code.clone());
    Ok(json!({
        "type": "orderentries",
        "id": id,
        "attributes": {
            "quantity": e.quantity,
            "basePrice": tenge(e.base_price_tiyn),
            "totalPrice": tenge(e.total_price_tiyn),
            "entryNumber": e.entry_number,
            "deliveryCost": 0,
            "offer": { "code": e.seller_sku, "name": e.name },
            "category": category.map(|c| json!({ "code": c.code, "title": c.name.ru })),
            "weight": Value::Null,
        },
        "relationships": {
            "product": { "data": { "type": "masterproducts", "id": product.code },
                         "links": { "related": format!("{base}{BASE}/orderentries/{id}/product") } },
            "deliveryPointOfService": { "data": store_code.map(|c| json!({ "type": "deliverypointofservices", "id": c })) },
        },
        "links": { "self": format!("{base}{BASE}/orderentries/{id}") },
    }))
}

fn page_link(base: &str, params: &Params, number: i64) -> String {
    let mut pairs: Vec<(&str, String)> =
        params.pairs().iter().filter(|(k, _)| k != "page[number]").map(|(k, v)| (k.as_str(), v.clone())).collect();
    pairs.push(("page[number]", number.to_string()));
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    format!("{base}{BASE}/orders?{}", crate::web::params::encode_query(&refs))
}

#[derive(Serialize)]
struct OrderList<'a> {
    data: Vec<OrderResource<'a>>,
    meta: ListMeta,
    links: ListLinks,
    #[serde(skip_serializing_if = "Option::is_none")]
    included: Option<Vec<Value>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    page_count: i64,
    total_count: i64,
}

#[derive(Serialize)]
struct ListLinks {
    #[serde(rename = "self")]
    this: String,
    first: String,
    last: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, AppError> {
    let params = Params::from_uri(&uri);
    let (query, number, size) = order_query(seller_id, &params, Utc::now())?;
    let (orders, total) = state.store.seller_orders(&query).await?;
    let base = origin(&headers);
    // Through the catalog reader's short cache: a tool pages through its orders in a burst.
    let stores = state.catalog.seller_stores(seller_id).await?;
    let pages = (total + size - 1) / size;
    let links = ListLinks {
        this: page_link(&base, &params, number),
        first: page_link(&base, &params, 0),
        last: page_link(&base, &params, (pages - 1).max(0)),
        prev: (number > 0).then(|| page_link(&base, &params, (number - 1).min(pages.max(1) - 1))),
        next: (number + 1 < pages).then(|| page_link(&base, &params, number + 1)),
    };
    let include = params.get("include").unwrap_or("");
    let included = if include.split(',').any(|i| i.trim() == "entries") {
        let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
        let mut included = Vec::new();
        for e in state.store.order_entries(&ids).await? {
            if let Some(o) = orders.iter().find(|o| o.id == e.order_id) {
                included.push(entry_resource(&state, o, &e, &base).await?);
            }
        }
        Some(included)
    } else {
        None
    };
    let doc = OrderList {
        data: orders.iter().map(|o| resource_with(o, &base, &stores)).collect(),
        meta: ListMeta { page_count: pages, total_count: total },
        links,
        included,
    };
    Ok(json_api(&doc))
}

/// The seller's order named by a base64 id (404 for anything else, another seller's too).
async fn seller_order(state: &AppState, seller_id: i64, id: &str) -> Result<Order, AppError> {
    let code = from_base64_id(id).ok_or_else(|| AppError::NotFound(Message::new("error-no-such-order")))?;
    crate::orders::order_for(state, OrderScope::Seller(seller_id), &code).await
}

async fn one(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let order = seller_order(&state, seller_id, &id).await?;
    let data = resource(&state, &order, &origin(&headers)).await?;
    Ok(json_api(&json!({ "data": data })))
}

async fn entries(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let order = seller_order(&state, seller_id, &id).await?;
    let base = origin(&headers);
    let mut data = Vec::new();
    for e in state.store.order_entries(&[order.id]).await? {
        data.push(entry_resource(&state, &order, &e, &base).await?);
    }
    let count = data.len();
    Ok(json_api(&json!({ "data": data, "meta": { "pageCount": 1, "totalCount": count } })))
}

async fn entry_product(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(Message::new("error-no-such-order"));
    let text = from_base64_id(&id).ok_or_else(not_found)?;
    let (code, number) = text.rsplit_once('_').ok_or_else(not_found)?;
    let number: i32 = number.parse().map_err(|_| not_found())?;
    let order = seller_order(&state, seller_id, &base64_id(code)).await?;
    let entry = state
        .store
        .order_entries(&[order.id])
        .await?
        .into_iter()
        .find(|e| e.entry_number == number)
        .ok_or_else(not_found)?;
    let product = state.store.product_any_status(entry.product_id).await?;
    Ok(json_api(&json!({
        "data": {
            "type": "masterproducts",
            "id": product.code,
            "attributes": { "code": product.code, "name": product.title.ru, "manufacturer": product.brand },
        }
    })))
}

/// `POST /shop/api/v2/orders`: one change of one order, by its `id` (the `code` attribute is
/// optional and, when given, must match).
async fn change(
    State(state): State<AppState>,
    SellerAuth(seller_id): SellerAuth,
    axum::Extension(request_id): axum::Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let doc: Value = serde_json::from_slice(&body).map_err(|_| bad("data", "merchant-order-body"))?;
    let data = doc.get("data").ok_or_else(|| bad("data", "merchant-order-body"))?;
    let id = data.get("id").and_then(Value::as_str).ok_or_else(|| bad("data.id", "merchant-order-body"))?;
    let attrs = data.get("attributes").cloned().unwrap_or(Value::Null);
    let order = seller_order(&state, seller_id, id).await?;
    if let Some(code) = attrs.get("code").and_then(Value::as_str)
        && code != order.code
    {
        return Err(bad("data.attributes.code", "merchant-order-code-mismatch"));
    }
    let status = attrs.get("status").and_then(Value::as_str).map(str::trim);
    let assembled = attrs.get("assembled").and_then(Value::as_bool) == Some(true);
    // Tools send the number of parcels as a string or a number.
    let number_of_space = match attrs.get("numberOfSpace") {
        Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
        Some(Value::String(s)) => s.trim().parse::<i32>().ok(),
        _ => None,
    };
    let action = match status {
        Some("ACCEPTED_BY_MERCHANT") => Action::Accept,
        Some("ASSEMBLE") => Action::Assemble,
        None if assembled => Action::Assemble,
        Some("CANCELLED") => {
            let reason = attrs
                .get("cancellationReason")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("data.attributes.cancellationReason", "merchant-order-reason"))?;
            let reason = CancellationReason::parse(reason.trim())
                .filter(|r| r.seller_may_give())
                .ok_or_else(|| bad("data.attributes.cancellationReason", "merchant-order-reason"))?;
            Action::Cancel(reason)
        }
        Some("COMPLETED") => return complete(&state, &order, &headers, &request_id.0).await,
        _ => return Err(bad("data.attributes.status", "merchant-order-status")),
    };
    if action == Action::Assemble && number_of_space.is_some_and(|n| !(1..=100).contains(&n)) {
        return Err(bad("data.attributes.numberOfSpace", "merchant-order-spaces"));
    }
    let comment: String =
        attrs.get("cancellationComment").and_then(Value::as_str).unwrap_or("").chars().take(500).collect();
    let changed = apply(&state, seller_id, &order, action, &comment, number_of_space, &request_id.0).await?;
    let data = resource(&state, &changed, &origin(&headers)).await?;
    Ok(json_api(&json!({ "data": data })))
}

pub(crate) async fn apply(
    state: &AppState,
    seller_id: i64,
    order: &Order,
    action: Action,
    comment: &str,
    number_of_space: Option<i32>,
    request_id: &str,
) -> Result<Order, AppError> {
    let change = OrderChange { action, comment, number_of_space, request_id };
    match state.store.change_order(OrderScope::Seller(seller_id), order.id, &change).await? {
        ChangeOutcome::Changed(o) => Ok(*o),
        ChangeOutcome::Refused(refusal) => Err(AppError::bad_param(
            "data.attributes.status",
            Message::new("merchant-order-refused").arg("why", refusal.to_string()),
        )),
    }
}

/// Completion at hand-over (§10): `X-Send-Code: true` sends the buyer a new code; the call
/// repeated with `X-Security-Code` completes the order when the code is right. The code is
/// never in a response or a log line.
async fn complete(
    state: &AppState,
    order: &Order,
    headers: &HeaderMap,
    request_id: &str,
) -> Result<Response, AppError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let base = origin(headers);
    let order = if header("x-send-code").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        crate::orders::handover::send_code(state, order, request_id).await?;
        order.clone()
    } else {
        let Some(given) = header("x-security-code") else {
            return Err(bad("X-Security-Code", "merchant-order-code-needed"));
        };
        crate::orders::handover::complete(state, order, given, request_id).await?
    };
    let data = resource(state, &order, &base).await?;
    Ok(json_api(&json!({ "data": data })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base64_without_padding() {
        assert_eq!(base64_id("123456789"), "MTIzNDU2Nzg5");
        assert_eq!(base64_id("12345"), "MTIzNDU");
        for text in ["1", "12", "123", "1234", "504003012", "x_1"] {
            assert_eq!(from_base64_id(&base64_id(text)).as_deref(), Some(text));
        }
        assert_eq!(from_base64_id("MTIzNDU="), Some("12345".to_owned()));
        assert_eq!(from_base64_id("not base64!"), None);
        assert_eq!(from_base64_id(""), None);
    }

    #[test]
    fn dates_come_as_milliseconds_or_iso() {
        let t = parse_when("1733400000000").unwrap();
        assert_eq!(t.timestamp_millis(), 1_733_400_000_000);
        assert_eq!(parse_when("2026-12-01").unwrap().to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(parse_when("2026-12-01T10:00:00+05:00").unwrap().to_rfc3339(), "2026-12-01T05:00:00+00:00");
        assert_eq!(parse_when("2026-12-01T10:00:00").unwrap().to_rfc3339(), "2026-12-01T10:00:00+00:00");
        assert!(parse_when("yesterday").is_none());
    }

    #[test]
    fn tenge_rounds_half_up() {
        assert_eq!(tenge(1_234_500), 12_345);
        assert_eq!(tenge(149), 1);
        assert_eq!(tenge(150), 2);
    }
}
