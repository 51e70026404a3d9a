//! Issue 7: a buyer checks out a cart from two sellers through the JSON API, pays through the
//! simulated acquirer, and each seller sees, accepts and completes the order through the
//! Kaspi-compatible orders API with a plain HTTP client, the way sellers' tools do (§4, §10).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{Browser, code_from_outbox};
use crate::helpers::{Reply, TestApp};

const ALMATY: &str = "750000000";

pub(crate) async fn buyer(app: &TestApp, phone: &str) -> String {
    let sent = app.send(app.client.post(app.url("/api/v1/auth/code")).json(&json!({"phone": phone}))).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = code_from_outbox(app, phone).await;
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/signin"))
                .json(&json!({"phone": phone, "code": code, "accept_agreement_version": 1})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

pub(crate) async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.send(app.client.post(app.url(path)).bearer_auth(token).json(&body)).await
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    app.send(app.client.get(app.url(path)).bearer_auth(token)).await
}

/// A seller tool's call: `X-Auth-Token`, JSON:API media type, `Content-Type` even on GET.
async fn tool(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("X-Auth-Token", token)
        .header("Accept", "*/*")
        .header("Content-Type", "application/vnd.api+json;charset=UTF-8");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(b) = body {
        request = request.header("Content-Type", "text/plain").body(b.to_string());
    }
    app.send(request).await
}

/// An offer with units in a store and a price in Almaty: (offer, seller, store, price, units).
pub(crate) async fn offers_in_stock(app: &TestApp) -> Vec<(i64, i64, i64, i64, i64)> {
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(
        "SELECT o.id, o.seller_id, st.store_id, op.price_tiyn, CAST(st.quantity AS BIGINT)
         FROM offers o JOIN offer_prices op ON op.offer_id = o.id AND op.city_kato = $1
         JOIN offer_stocks st ON st.offer_id = o.id JOIN stores w ON w.id = st.store_id AND w.city_kato IS NOT NULL
         JOIN products p ON p.id = o.product_id AND p.status = 'active'
         JOIN sellers s ON s.id = o.seller_id AND s.status = 'active'
         WHERE o.available = TRUE AND st.quantity >= 3 ORDER BY o.seller_id, o.id"
    )
    .bind(ALMATY)
    .fetch_all(p)
    .await
    .unwrap())
}

async fn units(app: &TestApp, offer: i64, store: i64) -> i64 {
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar::<_, i64>(
        "SELECT CAST(quantity AS BIGINT) FROM offer_stocks WHERE offer_id = $1 AND store_id = $2"
    )
    .bind(offer)
    .bind(store)
    .fetch_one(p)
    .await
    .unwrap())
}

/// The newest hand-over code sent to `phone` for `order` (other SMS, such as notifications,
/// come and go meanwhile).
async fn handover_code(app: &TestApp, phone: &str, order: &str) -> String {
    let sms = app.store.list_sms(50).await.unwrap();
    sms.iter()
        .filter(|m| m.phone == phone && m.body.contains(order))
        .find_map(|m| m.body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 4).map(str::to_owned))
        .expect("a hand-over code was sent")
}

/// A webhook call as received: event id, timestamp, signature, body.
type Delivery = (String, String, String, String);

fn b64(code: &str) -> String {
    duken::merchant_api::orders::base64_id(code)
}

crate::backend_tests! {
    async fn a_cart_from_two_sellers_becomes_two_orders_each_seller_handles(app: TestApp) {
        let stock = offers_in_stock(&app).await;
        let a = stock[0];
        let b = *stock.iter().find(|o| o.1 != a.1).expect("offers of two sellers in stock");
        let token = buyer(&app, "+77051112233").await;

        for (offer, _, _, _, _) in [a, b] {
            assert_eq!(post(&app, "/api/v1/cart/items", &token, json!({"offer_id": offer, "quantity": 2})).await.status, StatusCode::NO_CONTENT);
        }
        assert_eq!(post(&app, "/api/v1/cart/items", &token, json!({"offer_id": a.0, "quantity": 0})).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(post(&app, "/api/v1/cart/items", &token, json!({"offer_id": 999_999, "quantity": 1})).await.status, StatusCode::NOT_FOUND);
        let cart = get(&app, "/api/v1/cart", &token).await.json();
        assert_eq!(cart["items"].as_array().unwrap().len(), 2);
        assert_eq!(cart["total"]["tiyn"], json!(2 * a.3 + 2 * b.3));

        let delivery = json!({
            a.1.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": a.2},
            b.1.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": b.2},
        });
        let checkout = |key: &str, price_a: i64, consent: bool| json!({
            "idempotency_key": key, "payment_mode": "PREPAID", "consent_to_sellers": consent, "delivery": delivery,
            "lines": [{"offer_id": a.0, "quantity": 2, "price_tiyn": price_a}, {"offer_id": b.0, "quantity": 2, "price_tiyn": b.3}],
        });
        // A tampered price is recomputed and refused; no consent, no order; nothing is reserved.
        let stale = post(&app, "/api/v1/checkout?lang=en", &token, checkout("k0", a.3 - 100, true)).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert_eq!(stale.json()["errors"][0]["code"], "price_changed");
        assert_eq!(stale.json()["errors"][0]["now"]["tiyn"], json!(a.3));
        assert_eq!(post(&app, "/api/v1/checkout", &token, checkout("k0", a.3, false)).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(units(&app, a.0, a.2).await, a.4);

        let placed = post(&app, "/api/v1/checkout", &token, checkout("k1", a.3, true)).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let placed = placed.json();
        let orders = placed["orders"].as_array().unwrap().clone();
        assert_eq!(orders.len(), 2);
        assert_eq!(units(&app, a.0, a.2).await, a.4 - 2, "the units are reserved at placement");
        // A double submit with the same key makes nothing new.
        let again = post(&app, "/api/v1/checkout", &token, checkout("k1", a.3, true)).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["orders"], json!(orders));
        assert_eq!(units(&app, a.0, a.2).await, a.4 - 2);
        assert_eq!(get(&app, "/api/v1/cart", &token).await.json()["items"].as_array().unwrap().len(), 0, "bought lines leave the cart");

        let code_a = orders.iter().find(|o| o["seller_id"] == json!(a.1)).unwrap()["code"].as_str().unwrap().to_owned();
        let code_b = orders.iter().find(|o| o["seller_id"] == json!(b.1)).unwrap()["code"].as_str().unwrap().to_owned();
        let seller_a = duken::sellers::cabinet::issue_seller_token(&app.store, a.1, "1C", "test", "").await.unwrap();
        let seller_b = duken::sellers::cabinet::issue_seller_token(&app.store, b.1, "1C", "test", "").await.unwrap();

        // Unpaid, the order is not the seller's business yet.
        let early = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders/{}", b64(&code_a)), &seller_a, &[], None).await;
        assert_eq!(early.status, StatusCode::NOT_FOUND);

        // A forged acquirer callback is refused and changes nothing; the simulator's is applied.
        let payment = placed["payment"]["id"].as_i64().unwrap();
        let forged = app.send(app.client.post(app.url("/payments/callback")).header("X-Signature", "00")
            .json(&json!({"payment_id": payment, "event_id": "e1", "outcome": "paid", "amount_tiyn": 1, "timestamp": chrono::Utc::now().timestamp()}))).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&app, &format!("/api/v1/orders/{code_a}"), &token).await.json()["state"], "AWAITING_PAYMENT");
        let paid = post(&app, &format!("/api/v1/payments/{payment}/simulate"), &token, json!({"outcome": "paid"})).await;
        assert_eq!(paid.json()["settlement"], "applied", "{}", paid.body);

        // The seller's tool lists its new orders, with the real service's leniency.
        let now = chrono::Utc::now().timestamp_millis();
        let ge = now - 14 * 86_400_000;
        let list = tool(&app, reqwest::Method::GET, &format!(
            "/shop/api/v2/orders?page[number]=0&page[size]=1000&filter[orders][state]=NEW&filter[orders][creationDate][$ge]={ge}&filter[orders][creationDate][$le]={now}&include[orders]=user&filter[orders][by]=creationDate&include=entries"
        ), &seller_a, &[], None).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.header("content-type").starts_with("application/vnd.api+json"));
        let doc = list.json();
        assert_eq!(doc["meta"]["totalCount"], 1);
        let order = &doc["data"][0];
        assert_eq!(order["id"], json!(b64(&code_a)));
        assert_eq!(order["attributes"]["status"], "APPROVED_BY_BANK");
        assert_eq!(order["attributes"]["totalPrice"], json!(2 * a.3 / 100));
        assert!(order["attributes"]["creationDate"].is_i64());
        assert_eq!(order["attributes"]["customer"]["cellPhone"], "7051112233");
        assert!(doc["links"]["self"].as_str().unwrap().starts_with("http://127.0.0.1:"), "links are absolute");
        // Every attribute tools read, with the type they parse it as.
        let attrs = order["attributes"].as_object().unwrap();
        let kind = |v: &Value| match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(n) if n.is_i64() => "int",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        for (name, allowed) in [
            ("code", &["string"][..]), ("totalPrice", &["int"]), ("paymentMode", &["string"]), ("creditTerm", &["int", "null"]),
            ("creationDate", &["int"]), ("plannedDeliveryDate", &["int", "null"]), ("approvedByBankDate", &["int", "null"]),
            ("state", &["string"]), ("status", &["string"]), ("deliveryMode", &["string"]), ("deliveryCost", &["int"]),
            ("deliveryCostForSeller", &["int"]), ("isKaspiDelivery", &["bool"]), ("signatureRequired", &["bool"]),
            ("preOrder", &["bool"]), ("assembled", &["bool"]), ("pickupPointId", &["string", "null"]),
            ("plannedShipmentDate", &["int", "null"]), ("shipmentDate", &["int", "null"]), ("kaspiDelivery", &["object", "null"]),
            ("deliveryAddress", &["object", "null"]), ("customer", &["object"]), ("originAddress", &["object", "null"]),
        ] {
            let v = attrs.get(name).unwrap_or_else(|| panic!("{name} is missing"));
            assert!(allowed.contains(&kind(v)), "{name} is {} ({v})", kind(v));
        }
        for (name, allowed) in [("id", &["string"][..]), ("name", &["string"]), ("firstName", &["string"]), ("lastName", &["string"]), ("cellPhone", &["string"])] {
            assert!(allowed.contains(&kind(&attrs["customer"][name])), "customer.{name}");
        }
        assert!(attrs["approvedByBankDate"].is_i64(), "a paid order has its approval date");
        let entry = doc["included"][0]["attributes"].as_object().unwrap();
        for (name, allowed) in [
            ("quantity", &["int"][..]), ("basePrice", &["int"]), ("totalPrice", &["int"]), ("entryNumber", &["int"]),
            ("deliveryCost", &["int"]), ("offer", &["object"]), ("category", &["object", "null"]), ("weight", &["number", "int", "null"]),
        ] {
            let v = entry.get(name).unwrap_or_else(|| panic!("entry {name} is missing"));
            assert!(allowed.contains(&kind(v)), "entry {name} is {} ({v})", kind(v));
        }
        assert!(entry["offer"]["code"].is_string() && entry["offer"]["name"].is_string());
        assert_eq!(doc["included"][0]["attributes"]["quantity"], 2);
        assert_eq!(doc["included"][0]["type"], "orderentries");
        // ISO dates, an exact 14-day window; bad page sizes and a 15-day window are refused.
        let iso = tool(&app, reqwest::Method::GET, "/shop/api/v2/orders?filter[orders][creationDate][$ge]=2026-01-01", &seller_a, &[], None).await;
        assert_eq!(iso.status, StatusCode::BAD_REQUEST, "from 2026-01-01 to now is more than 14 days");
        let day = (chrono::Utc::now() - chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
        let iso = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders?filter[orders][creationDate][$ge]={day}&page[size]=200"), &seller_a, &[], None).await;
        assert_eq!(iso.status, StatusCode::OK, "{}", iso.body);
        assert_eq!(iso.json()["meta"]["totalCount"], 1);
        for bad in ["page[size]=0", "page[size]=-1", "page[size]=many", &format!("filter[orders][creationDate][$ge]={}", now - 15 * 86_400_000)] {
            let reply = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders?{bad}"), &seller_a, &[], None).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(reply.json()["errors"][0]["status"], "400");
        }
        // Another seller's order is not found; no token is unauthorized.
        assert_eq!(tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders/{}", b64(&code_a)), &seller_b, &[], None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(tool(&app, reqwest::Method::GET, "/shop/api/v2/orders", "nope", &[], None).await.status, StatusCode::UNAUTHORIZED);
        let entries = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders/{}/entries", b64(&code_a)), &seller_a, &[], None).await.json();
        let entry_id = entries["data"][0]["id"].as_str().unwrap().to_owned();
        let product = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orderentries/{entry_id}/product"), &seller_a, &[], None).await;
        assert_eq!(product.status, StatusCode::OK);
        assert!(product.json()["data"]["attributes"]["manufacturer"].is_string());

        // Accept (only from APPROVED_BY_BANK: twice is an illegal transition that says so).
        let accept = json!({"data": {"type": "orders", "id": b64(&code_a), "attributes": {"code": code_a, "status": "ACCEPTED_BY_MERCHANT"}}});
        let accepted = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[], Some(accept.clone())).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(accepted.json()["data"]["attributes"]["state"], "PICKUP");
        let twice = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders?lang=en", &seller_a, &[], Some(accept)).await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST);
        assert!(twice.json()["errors"][0]["detail"].as_str().unwrap().contains("cannot ACCEPT"), "{}", twice.body);
        let unknown = json!({"data": {"id": b64(&code_a), "attributes": {"status": "SHIPPED"}}});
        assert_eq!(tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[], Some(unknown)).await.status, StatusCode::BAD_REQUEST);

        // Completion needs the buyer's code: sent on request, five wrong tries lock it.
        let complete = json!({"data": {"type": "orders", "id": b64(&code_a), "attributes": {"status": "COMPLETED"}}});
        let no_code = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[], Some(complete.clone())).await;
        assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
        let sent = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[("X-Send-Code", "true")], Some(complete.clone())).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(!sent.body.contains("sms"), "the code is not in the seller's answer");
        let code = handover_code(&app, "+77051112233", &code_a).await;
        let wrong = if code == "0000" { "1111" } else { "0000" };
        for _ in 0..5 {
            let reply = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[("X-Security-Code", wrong)], Some(complete.clone())).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        }
        let locked = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders?lang=en", &seller_a, &[("X-Security-Code", &code)], Some(complete.clone())).await;
        assert_eq!(locked.status, StatusCode::BAD_REQUEST);
        assert!(locked.json()["errors"][0]["detail"].as_str().unwrap().contains("locked"));
        tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[("X-Send-Code", "true")], Some(complete.clone())).await;
        let code = handover_code(&app, "+77051112233", &code_a).await;
        // The buyer's own order shows the live code, as the SMS does (§10); the seller never sees it.
        assert_eq!(get(&app, &format!("/api/v1/orders/{code_a}"), &token).await.json()["handover_code"], json!(code));
        let seen = tool(&app, reqwest::Method::GET, &format!("/shop/api/v2/orders/{}", b64(&code_a)), &seller_a, &[], None).await;
        assert!(!seen.body.contains(&format!("\"{code}\"")), "{}", seen.body);
        let done = tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_a, &[("X-Security-Code", &code)], Some(complete)).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.json()["data"]["attributes"]["status"], "COMPLETED");
        assert_eq!(units(&app, a.0, a.2).await, a.4 - 2, "completion takes the reserved units");

        // The buyer cancels the other order before its seller accepts: its units come back.
        let cancelled = post(&app, &format!("/api/v1/orders/{code_b}/cancel"), &token, json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(cancelled.json()["status"], "CANCELLED");
        assert_eq!(units(&app, b.0, b.2).await, b.4);
        let seller_cancel = json!({"data": {"id": b64(&code_b), "attributes": {"status": "CANCELLED", "cancellationReason": "MERCHANT_OUT_OF_STOCK"}}});
        assert_eq!(tool(&app, reqwest::Method::POST, "/shop/api/v2/orders", &seller_b, &[], Some(seller_cancel)).await.status, StatusCode::BAD_REQUEST);

        // The timeline names every step with its actor; another buyer sees none of it.
        let mine = get(&app, &format!("/api/v1/orders/{code_a}"), &token).await.json();
        assert_eq!(mine["handover_code"], Value::Null, "a completed order shows no code");
        let actions: Vec<&str> = mine["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["PLACE", "CONFIRM_PAYMENT", "ACCEPT", "SEND_CODE", "SEND_CODE", "COMPLETE"]);
        let other = buyer(&app, "+77051112244").await;
        assert_eq!(get(&app, &format!("/api/v1/orders/{code_a}"), &other).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_guest_cart_is_checked_out_on_the_pages_after_signing_in(app: TestApp) {
        let stock = offers_in_stock(&app).await;
        let (offer, seller, store, _, left) = stock[0];
        let product: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT product_id FROM offers WHERE id = $1")
            .bind(offer).fetch_one(p).await.unwrap());
        let mut guest = Browser::new(&app);
        let page = guest.get(&format!("/products/{product}?lang=en")).await;
        assert!(page.body.contains("action=\"/cart/add\""), "the product page offers the cart");
        let csrf = guest.csrf();
        let added = guest.post("/cart/add", &[("csrf", &csrf), ("offer", &offer.to_string()), ("quantity", "1")]).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
        assert!(guest.cookies.contains_key("cart"), "a guest cart is kept by a cookie");
        let cart = guest.get("/cart?lang=en").await;
        assert!(cart.body.contains("Sign in to place the order"), "{}", cart.body);
        assert_eq!(guest.post("/cart/add", &[("csrf", "forged"), ("offer", &offer.to_string()), ("quantity", "1")]).await.status, StatusCode::FORBIDDEN);

        // Signing in keeps the cart; the checkout form places the order and leads to payment.
        guest.request_code("+77053334455").await;
        let code = code_from_outbox(&app, "+77053334455").await;
        guest.enter_code("+77053334455", &code).await;
        let cart = guest.get("/cart?lang=en").await;
        assert!(cart.body.contains("Place the order"), "{}", cart.body);
        let key = cart.body.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let price = cart.body.split(&format!("name=\"price_{offer}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = guest.csrf();
        let form = |consent: bool, price: String| {
            let mut f = vec![
                ("csrf".to_owned(), csrf.clone()), ("idempotency_key".to_owned(), key.clone()),
                (format!("line_{offer}"), "1".to_owned()), (format!("price_{offer}"), price),
                (format!("delivery_{seller}"), format!("pickup:{store}")),
            ];
            if consent { f.push(("consent".to_owned(), "on".to_owned())); }
            f
        };
        let post_form = |f: Vec<(String, String)>| f;
        let no_consent = post_form(form(false, price.clone()));
        let refs: Vec<(&str, &str)> = no_consent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = guest.post("/checkout?lang=en", &refs).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("agree that each seller sees your name"), "{}", refused.body);
        let tampered = post_form(form(true, "100".to_owned()));
        let refs: Vec<(&str, &str)> = tampered.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let changed = guest.post("/checkout?lang=en", &refs).await;
        assert_eq!(changed.status, StatusCode::CONFLICT);
        assert!(changed.body.contains("The price changed"), "{}", changed.body);
        let good = post_form(form(true, price));
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let placed = guest.post("/checkout", &refs).await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
        let pay_url = placed.header("location");
        assert!(pay_url.starts_with("/pay/"), "{pay_url}");
        assert_eq!(units(&app, offer, store).await, left - 1);
        let pay = guest.get(&pay_url).await;
        assert_eq!(pay.status, StatusCode::OK);
        let csrf = guest.csrf();
        assert_eq!(guest.post(&pay_url, &[("csrf", &csrf), ("outcome", "paid")]).await.status, StatusCode::SEE_OTHER);
        let orders = guest.get("/orders?lang=en").await;
        assert!(orders.body.contains("waiting for the seller to accept"), "{}", orders.body);
        let code = orders.body.split("href=\"/orders/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let page = guest.get(&format!("/orders/{code}?lang=en")).await;
        assert!(page.body.contains("only when you have the goods in your hands"));
        let csrf = guest.csrf();
        assert_eq!(guest.post(&format!("/orders/{code}/cancel"), &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(units(&app, offer, store).await, left, "a cancelled order gives its units back");
        assert!(guest.get(&format!("/orders/{code}?lang=en")).await.body.contains("Cancelled"));
        // Another person's order page is not found.
        let mut other = Browser::signed_in(&app, "+77053334466").await;
        assert_eq!(other.get(&format!("/orders/{code}")).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_cart_offers_pickup_where_the_units_are(app: TestApp) {
        // An offer of a seller with two pickup points in Almaty, its units in the second only.
        let stock = offers_in_stock(&app).await;
        let stores_of = |seller: i64| {
            let app = &app;
            async move {
                duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM stores WHERE seller_id = $1 AND city_kato = $2 ORDER BY id"
                ).bind(seller).bind(ALMATY).fetch_all(p).await.unwrap())
            }
        };
        let mut chosen = None;
        for (offer, seller, _, _, _) in &stock {
            let stores = stores_of(*seller).await;
            if stores.len() >= 2 {
                chosen = Some((*offer, *seller, stores[0], stores[1]));
                break;
            }
        }
        let (offer, seller, empty, full) = chosen.expect("a demo seller with two pickup points in Almaty");
        duken_store::on_pool!(app.store.pool(), |p| {
            sqlx::query("DELETE FROM offer_stocks WHERE offer_id = $1 AND store_id IN ($2, $3)")
                .bind(offer).bind(empty).bind(full).execute(p).await.unwrap();
            sqlx::query("INSERT INTO offer_stocks (offer_id, store_id, quantity) VALUES ($1, $2, 0), ($1, $3, 5)")
                .bind(offer).bind(empty).bind(full).execute(p).await.unwrap();
        });
        let mut buyer = Browser::signed_in(&app, "+77053334477").await;
        buyer.get("/cart?lang=en").await;
        let csrf = buyer.csrf();
        let added = buyer.post("/cart/add", &[("csrf", &csrf), ("offer", &offer.to_string()), ("quantity", "2")]).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
        let cart = buyer.get("/cart?lang=en").await;
        let radio = |store: i64| {
            let value = format!("value=\"pickup:{store}\"");
            cart.body.split(&value).nth(1).unwrap_or_else(|| panic!("store {store} is offered: {}", cart.body)).split('>').next().unwrap().to_owned()
        };
        assert!(radio(full).contains("checked") && !radio(full).contains("disabled"), "{}", radio(full));
        assert!(radio(empty).contains("disabled") && !radio(empty).contains("checked"), "{}", radio(empty));
        assert!(cart.body.contains("not enough units there"));
        let order_of = cart.body.find(&format!("pickup:{full}\"")).unwrap();
        assert!(order_of < cart.body.find(&format!("pickup:{empty}\"")).unwrap(), "the point with the units comes first");
        assert!(!cart.body.contains(&format!("name=\"delivery_{seller}\" value=\"local\" checked")));

        // More than any one point has: the seller's delivery is chosen.
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE offer_stocks SET quantity = 3 WHERE offer_id = $1 AND store_id = $2")
            .bind(offer).bind(empty).execute(p).await.map(|_| ()).unwrap());
        let csrf = buyer.csrf();
        buyer.post("/cart/add", &[("csrf", &csrf), ("offer", &offer.to_string()), ("quantity", "4")]).await;
        let cart = buyer.get("/cart?lang=en").await;
        assert!(cart.body.contains(&format!("name=\"delivery_{seller}\" value=\"local\" checked")), "{}", cart.body);
    }

    async fn the_seller_handles_an_order_in_the_cabinet(app: TestApp) {
        // The demo seller "alatau-tech", whose owner is a demo account.
        let seller = app.store.find_seller_by_key("alatau-tech").await.unwrap();
        let stock = offers_in_stock(&app).await;
        let (offer, _, store, price, left) = *stock.iter().find(|o| o.1 == seller).expect("the demo seller has stock");
        // A buyer with an API token, signed in on the pages too (before any order SMS arrives).
        let token = duken::bench::make_buyers(&app.store, 1, "+7705").await.unwrap().remove(0);
        let mut buyer_pages = Browser::signed_in(&app, "+77050000000").await;
        let placed = post(&app, "/api/v1/checkout", &token, json!({
            "idempotency_key": "c1", "payment_mode": "PREPAID", "consent_to_sellers": true,
            "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store}},
            "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
        })).await.json();
        let code = placed["orders"][0]["code"].as_str().unwrap().to_owned();
        let payment = placed["payment"]["id"].as_i64().unwrap();
        post(&app, &format!("/api/v1/payments/{payment}/simulate"), &token, json!({"outcome": "paid"})).await;

        let mut owner = Browser::signed_in(&app, "+77010000008").await;
        let page = owner.get(&format!("/cabinet/{seller}/orders?state=NEW&lang=en")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&code) && page.body.contains(">Accept<"), "{}", page.body);
        let csrf = owner.csrf();
        let base = format!("/cabinet/{seller}/orders/{code}");
        assert_eq!(owner.post(&format!("{base}/accept"), &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(owner.post(&format!("{base}/send-code"), &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
        let handover = handover_code(&app, "+77050000000", &code).await;
        // §10: the buyer sees the code on their own order page; the seller's pages never show it.
        let mine = buyer_pages.get(&format!("/orders/{code}?lang=en")).await;
        assert!(mine.body.contains(&format!("Hand-over code: {handover}")), "{}", mine.body);
        assert!(!owner.get(&format!("/cabinet/{seller}/orders?code={code}")).await.body.contains(&format!("code: {handover}")));
        let wrong = if handover == "0000" { "1111" } else { "0000" };
        assert_eq!(owner.post(&format!("{base}/complete"), &[("csrf", &csrf), ("code", wrong)]).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(owner.post(&format!("{base}/complete"), &[("csrf", &csrf), ("code", &handover)]).await.status, StatusCode::SEE_OTHER);
        let done = owner.get(&format!("/cabinet/{seller}/orders?code={code}")).await;
        assert!(done.body.contains("COMPLETED"), "{}", done.body);
        assert_eq!(units(&app, offer, store).await, left - 1);
        // Another seller's staff, or a buyer, get nothing.
        let mut stranger = Browser::signed_in(&app, "+77054445577").await;
        assert_ne!(stranger.get(&format!("/cabinet/{seller}/orders")).await.status, StatusCode::OK);
        assert_eq!(get(&app, &format!("/api/v1/orders/{code}"), &token).await.json()["status"], "COMPLETED");
    }

    async fn unpaid_orders_expire_and_every_event_is_delivered_once(app: TestApp) {
        // A webhook receiver that fails its first call, then records what it gets.
        let received: std::sync::Arc<std::sync::Mutex<Vec<Delivery>>> = Default::default();
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let hook = {
            let (received, calls) = (received.clone(), calls.clone());
            axum::Router::new().route("/hook", axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let (received, calls) = (received.clone(), calls.clone());
                async move {
                    if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
                    received.lock().unwrap().push((h("x-duken-event-id"), h("x-duken-timestamp"), h("x-duken-signature"), body));
                    axum::http::StatusCode::OK
                }
            }))
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

        let stock = offers_in_stock(&app).await;
        let (offer, seller, store, price, left) = stock[0];
        app.store.set_seller_webhook(seller, Some((&hook_url, "s3cret")), "test", "").await.unwrap();
        let token = buyer(&app, "+77056667788").await;
        let body = |key: &str| json!({
            "idempotency_key": key, "payment_mode": "PREPAID", "consent_to_sellers": true,
            "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store}},
            "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
        });
        let unpaid = post(&app, "/api/v1/checkout", &token, body("e1")).await.json()["orders"][0]["code"].as_str().unwrap().to_owned();
        assert_eq!(units(&app, offer, store).await, left - 1);
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE orders SET hold_until = $1 WHERE code = $2")
            .bind(chrono::Utc::now() - chrono::Duration::minutes(1)).bind(&unpaid).execute(p).await.map(|_| ()).unwrap());
        let mut expired = Value::Null;
        for _ in 0..100 {
            expired = get(&app, &format!("/api/v1/orders/{unpaid}"), &token).await.json();
            if expired["status"] == "CANCELLED" { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(expired["status"], "CANCELLED", "{expired}");
        assert_eq!(expired["cancellation_reason"], "PAYMENT_NOT_RECEIVED");
        assert_eq!(units(&app, offer, store).await, left, "the hold ran out: the unit is back");

        // A credit checkout needs a bank offer, the IIN and the consent, and waits for the
        // signature (the credit tests follow it further).
        let mut credit = body("e2");
        credit["payment_mode"] = json!("PAY_WITH_CREDIT");
        assert_eq!(post(&app, "/api/v1/checkout", &token, credit.clone()).await.status, StatusCode::BAD_REQUEST);
        let offers = app.get_json(&format!("/api/v1/credit/offers?amount={price}")).await.1;
        let first = &offers["data"][0];
        assert!(first.is_object(), "the demo banks lend {price} tiyn: {offers}");
        credit["credit_product"] = first["product"]["id"].clone();
        credit["credit_term"] = first["term_months"].clone();
        credit["iin"] = json!("900101300007");
        credit["consent_to_bank"] = json!(true);
        let signed = post(&app, "/api/v1/checkout", &token, credit).await;
        assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.body);
        let code = signed.json()["orders"][0]["code"].as_str().unwrap().to_owned();
        assert_eq!(get(&app, &format!("/api/v1/orders/{code}"), &token).await.json()["state"], "SIGN_REQUIRED");

        // The buyer's inbox and SMS, the seller's inbox, and the webhook (after one failure).
        let placed = post(&app, "/api/v1/checkout", &token, body("e3")).await.json();
        let paid_code = placed["orders"][0]["code"].as_str().unwrap().to_owned();
        post(&app, &format!("/api/v1/payments/{}/simulate", placed["payment"]["id"]), &token, json!({"outcome": "paid"})).await;
        let mut notes = Value::Null;
        for _ in 0..100 {
            notes = get(&app, "/api/v1/notifications?lang=en", &token).await.json();
            if notes["data"].as_array().unwrap().iter().any(|n| n["order"] == json!(paid_code) && n["kind"] == "paid") { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let kinds: Vec<(String, String)> = notes["data"].as_array().unwrap().iter()
            .map(|n| (n["order"].as_str().unwrap().to_owned(), n["kind"].as_str().unwrap().to_owned())).collect();
        assert!(kinds.contains(&(unpaid.clone(), "expired".into())), "{kinds:?}");
        assert!(kinds.contains(&(paid_code.clone(), "paid".into())), "{kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == (paid_code.clone(), "paid".to_owned())).count(), 1, "one notification per event");
        let sms = app.store.list_sms(20).await.unwrap();
        assert_eq!(sms.iter().filter(|m| m.phone == "+77056667788" && m.body.contains(&paid_code)).count(), 1, "{sms:?}");
        let seller_notes = app.store.notifications(None, Some(seller), 10).await.unwrap();
        assert!(seller_notes.iter().any(|n| n.order_code == paid_code && n.kind == "new"));
        for _ in 0..200 {
            if received.lock().unwrap().iter().any(|r| r.3.contains(&paid_code) && r.3.contains("CONFIRM_PAYMENT")) { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let got = received.lock().unwrap().clone();
        assert!(got.iter().any(|r| r.3.contains(&paid_code) && r.3.contains("CONFIRM_PAYMENT")), "{got:?}");
        for (event, timestamp, signature, body) in &got {
            assert_eq!(signature, &duken::orders::jobs::webhook_signature("s3cret", timestamp.parse().unwrap(), body.as_bytes()));
            assert_eq!(serde_json::from_str::<Value>(body).unwrap()["event_id"], json!(event));
        }
        let mut ids: Vec<&String> = got.iter().map(|r| &r.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), got.len(), "each event is delivered once after it succeeded");
    }

    async fn a_flash_sale_of_100_units_to_2000_buyers_sells_exactly_100(app: TestApp) {
        let (offer, seller, store, price, _) = offers_in_stock(&app).await[0];
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE offer_stocks SET quantity = 100 WHERE offer_id = $1 AND store_id = $2")
            .bind(offer).bind(store).execute(p).await.map(|_| ()).unwrap());
        // 2 000 buyers with accounts, the agreement accepted and the consent to sellers given.
        let tokens = duken::bench::make_buyers(&app.store, 2000, "+7707").await.unwrap();
        let body = json!({
            "idempotency_key": "flash", "payment_mode": "PREPAID", "consent_to_sellers": true,
            "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store}},
            "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
        });
        let started = std::time::Instant::now();
        let replies = futures_util::future::join_all(tokens.iter().map(|t| post(&app, "/api/v1/checkout", t, body.clone()))).await;
        eprintln!("2000 checkouts in {:?}", started.elapsed());
        let sold = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        let told_sold_out = replies
            .iter()
            .filter(|r| r.status == StatusCode::CONFLICT && r.json()["errors"][0]["code"] == "not_enough_stock" && r.json()["errors"][0]["left"] == 0)
            .count();
        let other: Vec<(StatusCode, &str)> = replies.iter().filter(|r| r.status != StatusCode::CREATED && r.status != StatusCode::CONFLICT).map(|r| (r.status, r.body.as_str())).take(3).collect();
        assert_eq!((sold, told_sold_out), (100, 1900), "{other:?}");
        let refused = replies.iter().find(|r| r.status == StatusCode::CONFLICT).unwrap().json();
        assert_eq!(refused["errors"][0]["pickup_store_id"], json!(store), "the pickup point is named");
        assert!(refused["errors"][0]["title"].as_str().unwrap().contains("пункте выдачи"), "{refused}");
        assert_eq!(units(&app, offer, store).await, 0);
        let (orders, reserved): (i64, i64) = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT CAST(COUNT(DISTINCT o.id) AS BIGINT), CAST(COALESCE(SUM(e.quantity), 0) AS BIGINT) FROM orders o JOIN order_entries e ON e.order_id = o.id WHERE e.offer_id = $1"
        ).bind(offer).fetch_one(p).await.unwrap());
        assert_eq!((orders, reserved), (100, 100), "every order whole, every unit accounted for");
    }

    async fn concurrent_checkouts_never_sell_more_than_the_stock(app: TestApp) {
        let (offer, seller, store, price, _) = offers_in_stock(&app).await[0];
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE offer_stocks SET quantity = 3 WHERE offer_id = $1 AND store_id = $2")
            .bind(offer).bind(store).execute(p).await.map(|_| ()).unwrap());
        let mut tokens = Vec::new();
        for i in 0..8 {
            tokens.push(buyer(&app, &format!("+7705222330{i}")).await);
        }
        let body = json!({
            "idempotency_key": "flash", "payment_mode": "PREPAID", "consent_to_sellers": true,
            "delivery": {seller.to_string(): {"mode": "DELIVERY_PICKUP", "pickup_store_id": store}},
            "lines": [{"offer_id": offer, "quantity": 1, "price_tiyn": price}],
        });
        let replies = futures_util::future::join_all(tokens.iter().map(|t| post(&app, "/api/v1/checkout", t, body.clone()))).await;
        let sold = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        let refused = replies.iter().filter(|r| r.status == StatusCode::CONFLICT && r.json()["errors"][0]["code"] == "not_enough_stock").count();
        assert_eq!((sold, refused), (3, 5), "{:?}", replies.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
        assert_eq!(units(&app, offer, store).await, 0);
    }
}

crate::backend_tests! {
    async fn several_lines_of_one_seller_make_one_order_with_numbered_lines(app: TestApp) {
        let stock = offers_in_stock(&app).await;
        let (a, b) = stock
            .iter()
            .find_map(|x| stock.iter().find(|y| y.1 == x.1 && y.0 != x.0).map(|y| (*x, *y)))
            .expect("two offers of one seller in stock");
        let token = buyer(&app, "+77051113355").await;
        for offer in [a.0, b.0] {
            post(&app, "/api/v1/cart/items", &token, json!({"offer_id": offer, "quantity": 1})).await;
        }
        let placed = post(&app, "/api/v1/checkout", &token, json!({
            "idempotency_key": "two-lines", "payment_mode": "PREPAID", "consent_to_sellers": true,
            "delivery": { a.1.to_string(): {"mode": "DELIVERY_LOCAL", "address": "Абая 1, кв. 2"} },
            "lines": [{"offer_id": a.0, "quantity": 1, "price_tiyn": a.3}, {"offer_id": b.0, "quantity": 2, "price_tiyn": b.3}],
        })).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let orders = placed.json()["orders"].as_array().unwrap().clone();
        assert_eq!(orders.len(), 1, "one seller, one order");
        let lines: Vec<(i32, i64, i32, i64)> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_as(
            "SELECT e.entry_number, e.offer_id, e.quantity, e.total_price_tiyn FROM order_entries e
             JOIN orders o ON o.id = e.order_id WHERE o.buyer_id = (SELECT buyer_id FROM orders WHERE code = $1)
             ORDER BY e.entry_number"
        )
        .bind(orders[0]["code"].as_str().unwrap())
        .fetch_all(p)
        .await
        .unwrap());
        assert_eq!(lines, vec![(1, a.0, 1, a.3), (2, b.0, 2, 2 * b.3)]);
        let total: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT total_tiyn FROM orders WHERE code = $1")
            .bind(orders[0]["code"].as_str().unwrap()).fetch_one(p).await.unwrap());
        assert_eq!(total, a.3 + 2 * b.3);
        let outbox: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox x JOIN orders o ON o.id = x.order_id WHERE o.code = $1"
        ).bind(orders[0]["code"].as_str().unwrap()).fetch_one(p).await.unwrap());
        assert_eq!(outbox, 1, "the PLACE event's outbox row");
        let cart = get(&app, "/api/v1/cart", &token).await.json();
        assert!(cart["items"].as_array().unwrap().is_empty(), "the bought lines left the cart: {cart}");
        assert!(placed.json()["payment"]["id"].is_i64(), "a pending payment for a prepaid checkout: {}", placed.body);
    }
}
