//! The list of bad input: each gives a clear 4xx or a normal page, never a 500, and
//! writes nothing.

use reqwest::StatusCode;

crate::backend_tests! {
    async fn unknown_ids_are_404_pages_or_json(app: TestApp) {
        for (page, text) in [("/products/999999", "999999"), ("/sellers/999999", "999999"), ("/categories/999999", "999999")] {
            let reply = app.get(&format!("{page}?lang=en")).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{page}");
            assert!(reply.body.contains(text) && reply.body.contains("There is no"), "{page}: {}", reply.body);
        }
        for path in ["/api/v1/products/999999", "/api/v1/sellers/999999"] {
            let (status, doc) = app.get_json(&format!("{path}?lang=ru")).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(doc["errors"][0]["code"], "not_found");
            assert!(doc["errors"][0]["detail"].as_str().unwrap().contains("999999"));
        }
        let reply = app.get("/help/no-such-topic").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }

    async fn non_numeric_ids_say_what_is_wrong(app: TestApp) {
        for path in ["/products/abc", "/sellers/-1", "/categories/1.5", "/products/99999999999999999999"] {
            let reply = app.get(path).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert!(reply.header("content-type").starts_with("text/html"));
        }
        for path in ["/api/v1/products/abc", "/api/v1/sellers/0"] {
            let (status, doc) = app.get_json(&format!("{path}?lang=en")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(doc["errors"][0]["code"], "invalid_parameter");
            assert_eq!(doc["errors"][0]["source"]["parameter"], "id");
            assert!(doc["errors"][0]["detail"].as_str().unwrap().contains("not an id"));
        }
        let (status, doc) = app.get_json("/api/v1/products?category=abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(doc["errors"][0]["source"]["parameter"], "category");
        let (status, _) = app.get_json("/api/v1/products?category=999999").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    async fn unknown_city_falls_back_with_a_notice_or_is_refused_by_the_api(app: TestApp) {
        let reply = app.get("/products/1?city=123456789&lang=en").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("We do not know the city “123456789”, so prices are shown for Almaty"), "{}", reply.body);
        assert!(!reply.header("set-cookie").contains("city="), "an unknown city is not remembered");
        let (status, doc) = app.get_json("/api/v1/products/1?city=nowhere&lang=en").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(doc["errors"][0]["source"]["parameter"], "city");
        assert!(doc["errors"][0]["detail"].as_str().unwrap().contains("nowhere"));
        // An empty value is no choice at all.
        let (status, doc) = app.get_json("/api/v1/products/1?city=").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["city"]["kato"], "750000000");
    }

    async fn bad_page_numbers(app: TestApp) {
        for q in ["page=-1", "page=0", "page=abc", "per_page=0", "per_page=101", "page=1e3"] {
            let reply = app.get(&format!("/categories/1?{q}&lang=en")).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{q}");
            assert!(reply.body.contains("whole number"), "{q}: clear message");
            let (status, doc) = app.get_json(&format!("/api/v1/products?{q}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
            let param = doc["errors"][0]["source"]["parameter"].as_str().unwrap();
            assert!(param == "page" || param == "per_page");
        }
        // Far beyond the end: an empty page that leads back, not an error.
        let reply = app.get("/categories/1?page=999999&lang=en").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("There is nothing on this page"));
        assert!(reply.body.contains("Back to the first page"));
        let (status, doc) = app.get_json("/api/v1/products?page=999999").await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["data"].as_array().unwrap().is_empty());
        assert!(doc["links"]["next"].is_null());
        let reply = app.get("/sellers?page=999999").await;
        assert_eq!(reply.status, StatusCode::OK);
    }

    async fn a_10_mb_body_is_refused(app: TestApp) {
        let before = app.catalog_fingerprint().await;
        // The server answers as soon as it sees the declared length, without reading 10 MB
        // (a client still writing then sees the connection close, as with any server).
        let ten_mb = 10 * 1024 * 1024;
        for (path, expect) in [("/api/v1/products", "payload_too_large"), ("/?lang=en", "at most 1 MB")] {
            let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {ten_mb}\r\nConnection: close\r\n\r\n");
            let mut request = head.into_bytes();
            request.extend(std::iter::repeat_n(b'x', 64 * 1024));
            let answer = app.raw(&request).await;
            assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {}", &answer[..answer.len().min(200)]);
            assert!(answer.contains(expect), "{path}: {answer}");
        }
        assert_eq!(app.catalog_fingerprint().await, before);
    }

    async fn oversized_headers_are_refused(app: TestApp) {
        let reply = app.get_with("/", "cookie", &format!("junk={}", "a".repeat(40_000))).await;
        assert_eq!(reply.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert!(reply.header("content-type").starts_with("text/html"));
    }

    async fn invalid_utf8_in_the_query_string_is_harmless(app: TestApp) {
        for path in ["/?lang=%FF%FE", "/categories/1?sort=%C3%28&page=%FF", "/products/1?city=%E2%82", "/api/v1/products?category=%FF"] {
            let reply = app.get(path).await;
            assert!(reply.status == StatusCode::OK || reply.status == StatusCode::BAD_REQUEST, "{path}: {}", reply.status);
        }
        // Raw bytes that are not even ASCII, sent without a client's encoding.
        let answer = app.raw(b"GET /?lang=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.1 400"), "{answer}");
    }

    async fn html_and_sql_in_every_text_parameter_is_inert(app: TestApp) {
        let before = app.catalog_fingerprint().await;
        let payloads = ["<script>alert(1)</script>", "' OR 1=1; DROP TABLE products; --", "\"><img src=x onerror=alert(1)>"];
        let pages = ["/", "/categories/1", "/products/1", "/sellers", "/sellers/1", "/agreement", "/help", "/no-such-page"];
        let apis = ["/api/v1/products", "/api/v1/products/1", "/api/v1/categories", "/api/v1/sellers/1"];
        for payload in payloads {
            let enc: String = url_encode(payload);
            for name in ["lang", "city", "sort", "page", "per_page", "category", "q"] {
                for path in pages.iter().chain(apis.iter()) {
                    let reply = app.get(&format!("{path}?{name}={enc}")).await;
                    assert!(reply.status.is_success() || reply.status.is_client_error(), "{path}?{name}: {}", reply.status);
                    if path.starts_with("/api/") {
                        // JSON carries the value as data; it is never served as something a browser renders.
                        assert!(reply.header("content-type").starts_with("application/json"), "{path}?{name}");
                        assert_eq!(reply.header("x-content-type-options"), "nosniff");
                    } else {
                        assert!(!reply.body.contains("<script>alert"), "{path}?{name} echoes raw HTML");
                        assert!(!reply.body.contains("<img src=x"), "{path}?{name} echoes raw HTML");
                    }
                }
            }
            let reply = app.get(&format!("/categories/{enc}")).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND);
            assert!(!reply.body.contains("<script>alert"));
        }
        let reply = app.get("/?city=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=en").await;
        assert!(reply.body.contains("&#60;script&#62;") || reply.body.contains("&lt;script&gt;"), "the value is shown escaped");
        assert_eq!(app.catalog_fingerprint().await, before, "nothing was written");
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
