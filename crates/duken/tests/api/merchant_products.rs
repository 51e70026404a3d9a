//! The product part of the Kaspi-compatible merchant API, driven the way sellers' tools do:
//! a plain HTTP client, `X-Auth-Token`, `text/plain` bodies, both base paths.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::Browser;
use crate::helpers::{Reply, TestApp};

const OWNER: &str = "+77010000008";

/// Issues a token in the cabinet as the demo seller's owner would, and reads it off the page.
async fn token(app: &TestApp) -> String {
    let seller = app.store.find_seller_by_key("alatau-tech").await.unwrap();
    let mut owner = Browser::signed_in(app, OWNER).await;
    owner.get(&format!("/cabinet/{seller}")).await;
    let csrf = owner.csrf();
    let page = owner.post(&format!("/cabinet/{seller}/tokens"), &[("csrf", &csrf), ("name", "1C")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("cache-control"), "no-store");
    page.body.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<String>) -> Reply {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("X-Auth-Token", token)
        .header("Accept", "*/*")
        .header("Content-Type", "application/vnd.api+json;charset=UTF-8");
    if let Some(b) = body {
        request = request.header("Content-Type", "text/plain").body(b);
    }
    app.send(request).await
}

crate::backend_tests! {
    async fn a_tool_reads_the_schema_and_uploads_products(app: TestApp) {
        let token = token(&app).await;
        for base in ["/shop/api/products", "/shop/api/v2/products"] {
            let reply = call(&app, reqwest::Method::GET, &format!("{base}/classification/categories?unknown=1"), &token, None).await;
            assert_eq!(reply.status, StatusCode::OK);
            assert!(reply.header("content-type").starts_with("application/vnd.api+json"));
            let list = reply.json();
            assert!(list.as_array().unwrap().iter().any(|c| c["code"] == "smartphones" && c["parentCode"] == "phones-gadgets"));
        }
        let attrs = call(&app, reqwest::Method::GET, "/shop/api/products/classification/attributes?c=smartphones", &token, None).await.json();
        let color = attrs.as_array().unwrap().iter().find(|a| a["code"] == "color").unwrap();
        assert_eq!((color["type"].as_str(), color["mandatory"].as_bool()), (Some("enum"), Some(true)));
        let values = call(&app, reqwest::Method::GET, "/shop/api/products/classification/attribute/values?c=smartphones&a=color", &token, None).await.json();
        assert!(values.as_array().unwrap().iter().any(|v| v["code"] == "black"));
        let bad = call(&app, reqwest::Method::GET, "/shop/api/products/classification/attributes?c=nope", &token, None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.json()["errors"][0]["status"], "400");
        let schema = call(&app, reqwest::Method::GET, "/shop/api/products/import/schema", &token, None).await.json();
        assert_eq!(schema["type"], "array");

        // An upload with one good product, one breaking the schema, one unknown category, a
        // duplicate, and an object that is not a product.
        let upload = json!([
            {"sku": "IMP-1", "title": "Смартфон Импорт 1", "brand": "Importa", "category": "smartphones",
             "description": "Импортирован", "attributes": [{"code": "memory_gb", "value": 256}, {"code": "ram_gb", "value": "8"},
             {"code": "color", "value": "black"}, {"code": "screen_in", "value": "6.5"}], "images": [{"url": "https://img.example/1.jpg"}]},
            {"sku": "IMP-2", "title": "Bad", "brand": "Importa", "category": "smartphones",
             "attributes": [{"code": "memory_gb", "value": "much"}, {"code": "color", "value": "plaid"}]},
            {"sku": "IMP-3", "title": "Nowhere", "brand": "Importa", "category": "no-such-category"},
            {"sku": "IMP-1", "title": "Twice", "brand": "Importa", "category": "smartphones"},
            "not an object"
        ]);
        let reply = call(&app, reqwest::Method::POST, "/shop/api/products/import", &token, Some(upload.to_string())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer = reply.json();
        assert_eq!(answer["status"], "UPLOADED");
        let code = answer["code"].as_str().unwrap().to_owned();
        let status = call(&app, reqwest::Method::GET, &format!("/shop/api/products/import?i={code}"), &token, None).await.json();
        assert_eq!((status["status"].as_str(), status["total"].as_i64()), (Some("FINISHED"), Some(5)));
        let result = call(&app, reqwest::Method::GET, &format!("/shop/api/v2/products/import/result?i={code}"), &token, None).await.json();
        let items = result["items"].as_array().unwrap();
        let statuses: Vec<&str> = items.iter().map(|i| i["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["SUCCESS", "ERROR", "ERROR", "ERROR", "ERROR"]);
        assert_eq!(items[0]["moderation"], true);
        assert!(items[0]["warnings"][0].as_str().unwrap().contains("not fetched"));
        let errors = items[1]["errors"].to_string();
        assert!(errors.contains("memory_gb") && errors.contains("color") && errors.contains("ram_gb"), "{errors}");
        assert!(items[2]["errors"][0].as_str().unwrap().contains("unknown code"));
        assert!(items[3]["errors"][0].as_str().unwrap().contains("earlier"));
        // The good one is a card waiting for moderation, with its content versioned.
        let product = items[0]["productId"].as_i64().unwrap();
        let versions = app.store.content_versions(product).await.unwrap();
        assert_eq!(versions[0].source, "import");

        // Bad bodies and tokens: JSON:API errors, never HTML.
        for (body, status) in [("{}", StatusCode::BAD_REQUEST), ("not json", StatusCode::BAD_REQUEST), ("[]", StatusCode::BAD_REQUEST)] {
            let reply = call(&app, reqwest::Method::POST, "/shop/api/products/import", &token, Some(body.into())).await;
            assert_eq!(reply.status, status, "{body}");
            assert!(reply.json()["errors"].is_array());
        }
        for bad_token in ["", "nope", &"f".repeat(64)] {
            let reply = call(&app, reqwest::Method::GET, "/shop/api/products/classification/categories", bad_token, None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{bad_token:?}");
            assert!(reply.header("content-type").starts_with("application/vnd.api+json"));
            let doc: Value = reply.json();
            assert_eq!(doc["errors"][0]["status"], "401");
        }
        // Another seller's upload is not found with this token.
        let other = duken::sellers::cabinet::issue_seller_token(&app.store, app.store.find_seller_by_key("saryarka-digital").await.unwrap(), "x", "test", "").await.unwrap();
        let reply = call(&app, reqwest::Method::GET, &format!("/shop/api/products/import?i={code}"), &other, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);

        // A revoked token stops working.
        let seller = app.store.find_seller_by_key("alatau-tech").await.unwrap();
        for t in app.store.seller_tokens(seller).await.unwrap() {
            app.store.revoke_seller_token(seller, t.id, "test", "").await.unwrap();
        }
        let reply = call(&app, reqwest::Method::GET, "/shop/api/products/classification/categories", &token, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
}
