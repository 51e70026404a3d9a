//! Operations and the shared machinery: health, readiness, metrics, OpenAPI, request ids,
//! error pages, panics, method and size limits, idempotent seeding.

use reqwest::StatusCode;

crate::backend_tests! {
    async fn health_and_readiness(app: TestApp) {
        let (status, body) = app.get_json("/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
        let (status, body) = app.get_json("/readyz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], app.store.backend().name());
    }

    async fn metrics_count_requests_by_route_with_latency_and_pool_use(app: TestApp) {
        app.get("/products/1").await;
        app.get("/api/v1/products/1").await;
        app.get("/no-such-page").await;
        let reply = app.get("/metrics").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.header("content-type").starts_with("text/plain"));
        let text = reply.body;
        for needle in [
            "duken_http_requests_total{",
            "route=\"/products/{id}\"",
            "route=\"/api/v1/products/{id}\"",
            "route=\"unmatched\"",
            "status=\"404\"",
            "duken_http_request_duration_seconds_bucket{",
            "le=\"0.005\"",
            "duken_db_pool_connections{state=\"in_use\"}",
            "duken_db_pool_max_connections",
        ] {
            assert!(text.contains(needle), "/metrics lacks {needle}:\n{text}");
        }
    }

    async fn openapi_describes_every_json_endpoint(app: TestApp) {
        let (status, doc) = app.get_json("/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for path in ["/api/v1/categories", "/api/v1/products", "/api/v1/products/{id}", "/api/v1/sellers", "/api/v1/sellers/{id}", "/healthz", "/readyz", "/api/v1/cart", "/api/v1/orders", "/api/v1/orders/{code}", "/api/v1/notifications"] {
            assert!(paths.contains_key(path), "{path} is not in /openapi.json");
            assert!(paths[path]["get"]["responses"]["200"].is_object(), "{path} has no 200 response");
        }
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(paths["/api/v1/checkout"]["post"]["responses"]["409"].is_object());
        for schema in ["ProductView", "OfferView", "MoneyView", "SellerView", "ErrorDocument", "CheckoutBody", "DeliveryBody"] {
            assert!(schemas.contains_key(schema), "schema {schema} missing");
        }
        let params: Vec<&str> = paths["/api/v1/products"]["get"]["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        for p in ["category", "city", "page", "per_page", "sort"] {
            assert!(params.contains(&p), "{p} not documented: {params:?}");
        }
    }

    async fn every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(app: TestApp) {
        let reply = app.get("/").await;
        assert_eq!(reply.header("x-request-id").len(), 16);
        let reply = app.get_with("/api/v1/products/999999", "x-request-id", "proxy-abc-123").await;
        assert_eq!(reply.header("x-request-id"), "proxy-abc-123");
        assert_eq!(reply.json()["meta"]["request_id"], "proxy-abc-123");
        let reply = app.get_with("/", "x-request-id", "bad id with spaces").await;
        assert_ne!(reply.header("x-request-id"), "bad id with spaces");
    }

    async fn a_panic_is_a_500_with_a_request_id_and_no_internals(app: TestApp) {
        let reply = app.get_with("/test/panic", "accept-language", "en").await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(reply.header("content-type").starts_with("text/html"));
        let id = reply.header("x-request-id").to_owned();
        assert!(reply.body.contains(&id), "the page shows the request id");
        assert!(reply.body.contains("Something went wrong"));
        assert!(!reply.body.contains("secret internal detail"));
        assert!(!reply.body.contains("panicked"));
        // The server is still serving.
        assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    }

    async fn unknown_paths_are_localized_404_pages_or_json(app: TestApp) {
        let reply = app.get("/no/such/page?lang=kk").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.header("content-type").starts_with("text/html"));
        assert!(reply.body.contains("Бет табылмады"), "{}", reply.body);
        assert!(reply.body.contains("<html lang=\"kk\">"));
        let (status, body) = app.get_json("/api/v1/nothing-here").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["errors"][0]["code"], "not_found");
        assert_eq!(body["errors"][0]["status"], "404");
    }

    async fn other_methods_are_405_with_allow(app: TestApp) {
        let reply = app.send(app.client.post(app.url("/api/v1/products")).body("{}")).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.json()["errors"][0]["code"], "method_not_allowed");
        assert!(reply.header("allow").contains("GET"), "Allow: {}", reply.header("allow"));
        let reply = app.send(app.client.delete(app.url("/products/1"))).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(reply.header("content-type").starts_with("text/html"));
    }

    async fn seeding_the_demo_again_changes_nothing(app: TestApp) {
        let before = app.catalog_fingerprint().await;
        assert!(before[4] >= 50, "at least 50 demo products: {before:?}");
        let catalog = duken_store::demo::DemoCatalog::bundled().unwrap();
        app.store.seed_demo(&catalog).await.unwrap();
        assert_eq!(app.catalog_fingerprint().await, before);
    }
}
