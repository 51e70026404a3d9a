//! Roles (§2): one mechanism guards every route; the matrix of role × route, and role changes
//! through the operator console, audited.

use reqwest::StatusCode;

use crate::accounts::Browser;

const BUYER: &str = "+77010000001";
const OTHER_BUYER: &str = "+77010000002";
const OPERATOR: &str = "+77010000009";

/// Pages and who may open them.
const PAGES: [(&str, bool, bool); 5] = [
    // path, a buyer may, an operator may
    ("/profile", true, true),
    ("/console", false, true),
    ("/console/audit", false, true),
    ("/console/users", false, true),
    ("/console/audit?subject=user:1", false, true),
];

crate::backend_tests! {
    async fn the_role_matrix_holds_on_every_guarded_route(app: TestApp) {
        let mut anonymous = Browser::new(&app);
        for (path, _, _) in PAGES {
            let reply = anonymous.get(path).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous {path}");
            assert!(reply.header("location").starts_with("/signin?next="), "anonymous {path}: {}", reply.header("location"));
        }
        for path in ["/console/roles/grant", "/console/roles/revoke", "/profile/sessions/revoke"] {
            let reply = anonymous.post(path, &[]).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "anonymous POST {path}");
        }

        // Signing in from the redirect comes back to the page asked for.
        let mut returning = Browser::new(&app);
        let reply = returning.get("/profile").await;
        let signin = reply.header("location");
        returning.get(&signin).await;
        let csrf = returning.csrf();
        let reply = returning.post("/signin", &[("csrf", &csrf), ("phone", OTHER_BUYER), ("accept", "yes"), ("next", "/profile?lang=en")]).await;
        assert!(reply.header("location").contains("next=%2Fprofile%3Flang%3Den"), "{}", reply.header("location"));
        let code = crate::accounts::code_from_outbox(&app, OTHER_BUYER).await;
        let reply = returning.post("/signin/code", &[("csrf", &csrf), ("phone", OTHER_BUYER), ("code", &code), ("next", "/profile?lang=en")]).await;
        assert_eq!(reply.header("location"), "/profile?lang=en");
        let reply = returning.post("/signin", &[("csrf", &csrf), ("phone", BUYER), ("accept", "yes"), ("next", "https://evil.example/")]).await;
        assert!(reply.header("location").ends_with("next=%2Fprofile"), "no open redirect: {}", reply.header("location"));

        let mut buyer = Browser::signed_in(&app, BUYER).await;
        let mut operator = Browser::signed_in(&app, OPERATOR).await;
        for (path, buyer_may, operator_may) in PAGES {
            let reply = buyer.get(&format!("{path}{}lang=en", if path.contains('?') { '&' } else { '?' })).await;
            let expected = if buyer_may { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(reply.status, expected, "buyer {path}");
            if !buyer_may {
                assert!(reply.body.contains("does not have the role"), "buyer {path}: a clear message");
            }
            let reply = operator.get(path).await;
            assert_eq!(reply.status, if operator_may { StatusCode::OK } else { StatusCode::FORBIDDEN }, "operator {path}");
        }
        let csrf = buyer.csrf();
        let reply = buyer.post("/console/roles/grant", &[("csrf", &csrf), ("user", "1"), ("role", "admin"), ("reason", "let me in")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "a buyer cannot grant roles");
        assert!(!buyer.get("/").await.body.contains("/console\""), "no console link for buyers");
        assert!(operator.get("/").await.body.contains("href=\"/console\""), "the console link for operators");
    }

    async fn an_administrator_grants_and_revokes_a_role_and_both_are_audited(app: TestApp) {
        let mut admin = Browser::signed_in(&app, OPERATOR).await;
        let mut staff = Browser::signed_in(&app, OTHER_BUYER).await;
        assert_eq!(staff.get("/console").await.status, StatusCode::FORBIDDEN);
        let user_id: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(OTHER_BUYER)
            .fetch_one(p)
            .await
            .unwrap());
        let csrf = admin.csrf();
        let user = user_id.to_string();
        // Bad input first: each is a clear 400 and changes nothing.
        for (form, field) in [
            (vec![("user", user.as_str()), ("role", "root"), ("reason", "x")], "Choose a role"),
            (vec![("user", user.as_str()), ("role", "seller_manager"), ("reason", "x")], "seller number"),
            (vec![("user", user.as_str()), ("role", "support"), ("reason", "")], "Say why"),
            (vec![("user", "abc"), ("role", "support"), ("reason", "x")], "not an id"),
            (vec![("user", "999999"), ("role", "support"), ("reason", "x")], "no such user"),
        ] {
            let mut form = form;
            form.push(("csrf", &csrf));
            let reply = admin.post("/console/roles/grant?lang=en", &form).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}");
            assert!(reply.body.contains(field), "{field}: {}", reply.body);
        }
        assert!(app.store.active_roles(user_id).await.unwrap().is_empty());

        let reply = admin.post("/console/roles/grant", &[("csrf", &csrf), ("user", &user), ("role", "support"), ("reason", "joined support")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(staff.get("/console").await.status, StatusCode::OK, "the new role works at once");
        let staff_csrf = staff.csrf();
        let reply = staff.post("/console/roles/grant", &[("csrf", &staff_csrf), ("user", &user), ("role", "admin"), ("reason", "more")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "support staff cannot grant roles");

        let grant = app.store.active_roles(user_id).await.unwrap()[0].id.to_string();
        let reply = admin.post("/console/roles/revoke", &[("csrf", &csrf), ("grant", &grant), ("reason", "left the team")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(staff.get("/console").await.status, StatusCode::FORBIDDEN);
        let reply = admin.post("/console/roles/revoke", &[("csrf", &csrf), ("grant", &grant)]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "a revoked grant cannot be revoked twice");

        let subject = format!("user:{user_id}");
        let audit = admin.get(&format!("/console/audit?subject={subject}&lang=en")).await;
        assert_eq!(audit.status, StatusCode::OK);
        assert!(audit.body.contains("role.granted") && audit.body.contains("role.revoked"));
        assert!(audit.body.contains("joined support") && audit.body.contains("left the team"));
        let (rows, _) = app.store.list_audit(Some(&subject), None, duken_core::PageRequest::first()).await.unwrap();
        assert!(rows.iter().filter(|r| r.action.starts_with("role.")).all(|r| !r.request_id.is_empty() && r.actor.starts_with("user:")));
    }
}

crate::backend_tests! {
    async fn administrators_edit_categories_and_attribute_schemas(app: TestApp) {
        let mut operator = Browser::signed_in(&app, OPERATOR).await;
        assert_eq!(operator.get("/console/categories?lang=en").await.status, StatusCode::OK);
        let csrf = operator.csrf();
        let reply = operator.post("/console/categories", &[("csrf", &csrf), ("code", "Bad Code"), ("name_kk", ""), ("name_ru", "x"), ("name_en", "x")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let reply = operator.post("/console/categories", &[("csrf", &csrf), ("code", "e-books"), ("parent", ""), ("name_kk", "Электрондық кітаптар"), ("name_ru", "Электронные книги"), ("name_en", "E-books")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let id = reply.header("location").rsplit('/').next().unwrap().to_owned();
        let path = format!("/console/categories/{id}/attributes");
        let reply = operator.post(&path, &[("csrf", &csrf), ("code", "format"), ("kind", "enum"), ("name_kk", "Пішімі"), ("name_ru", "Формат"), ("name_en", "Format"), ("values", "")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "an enum needs values");
        let reply = operator.post(&path, &[("csrf", &csrf), ("code", "format"), ("kind", "enum"), ("required", "on"), ("name_kk", "Пішімі"), ("name_ru", "Формат"), ("name_en", "Format"), ("values", "epub | EPUB | EPUB | EPUB\npdf | PDF | PDF | PDF")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let schema = app.store.category_schema(id.parse().unwrap()).await.unwrap();
        assert_eq!((schema[0].code.as_str(), schema[0].required, schema[0].values.len()), ("format", true, 2));
        // The merchant API and the storefront see the new category at once.
        let (_, doc) = app.get_json("/api/v1/categories").await;
        assert!(doc["data"].as_array().unwrap().iter().any(|c| c["code"] == "e-books"));
        // A buyer may not change anything; the change is audited.
        let mut buyer = Browser::signed_in(&app, BUYER).await;
        buyer.get("/").await;
        let bcsrf = buyer.csrf();
        assert_eq!(buyer.post("/console/categories", &[("csrf", &bcsrf), ("code", "x")]).await.status, StatusCode::FORBIDDEN);
        let (audit, _) = app.store.list_audit(Some(&format!("category:{id}")), None, duken_core::PageRequest::first()).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "category.attribute_saved") && audit.iter().any(|a| a.action == "category.added"));
    }
}
