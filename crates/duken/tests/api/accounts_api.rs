//! The accounts JSON API: codes, sign-in, me, sign-out, tokens, consents, export.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::code_from_outbox;
use crate::helpers::{Reply, TestApp};

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Reply {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    app.send(request).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    app.send(app.client.get(app.url(path)).bearer_auth(token)).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> Reply {
    app.send(app.client.delete(app.url(path)).bearer_auth(token)).await
}

async fn api_sign_in(app: &TestApp, phone: &str) -> String {
    let reply = post(app, "/api/v1/auth/code", None, json!({"phone": phone})).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let code = code_from_outbox(app, duken_core::Phone::parse(phone).unwrap().as_str()).await;
    let reply =
        post(app, "/api/v1/auth/signin", None, json!({"phone": phone, "code": code, "accept_agreement_version": 1}))
            .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

crate::backend_tests! {
    async fn a_program_signs_in_reads_me_and_signs_out(app: TestApp) {
        // Known and unknown numbers get the same answer.
        let a = post(&app, "/api/v1/auth/code", None, json!({"phone": "+77010000001"})).await;
        let b = post(&app, "/api/v1/auth/code", None, json!({"phone": "8 705 123 45 67"})).await;
        assert_eq!((a.status, a.json()), (b.status, b.json()));
        let again = post(&app, "/api/v1/auth/code", None, json!({"phone": "+77010000001"})).await;
        assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!again.header("retry-after").is_empty());

        for (body, field) in [
            (json!({"phone": "+79161234567"}), "phone"),
            (json!({"telephone": "+77010000001"}), "body"),
            (json!("not an object"), "body"),
        ] {
            let reply = post(&app, "/api/v1/auth/code?lang=en", None, body).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.json()["errors"][0]["source"]["parameter"], field);
        }

        let code = code_from_outbox(&app, "+77051234567").await;
        let reply = post(&app, "/api/v1/auth/signin?lang=en", None, json!({"phone": "+77051234567", "code": code, "accept_agreement_version": 7})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["errors"][0]["source"]["parameter"], "accept_agreement_version");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let reply = post(&app, "/api/v1/auth/signin?lang=en", None, json!({"phone": "+77051234567", "code": wrong, "accept_agreement_version": 1})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.json()["errors"][0]["detail"].as_str().unwrap().contains("Wrong code"));
        let reply = post(&app, "/api/v1/auth/signin", None, json!({"phone": "+77051234567", "code": code, "accept_agreement_version": 1})).await;
        assert_eq!(reply.status, StatusCode::OK);
        let token = reply.json()["token"].as_str().unwrap().to_owned();
        assert_eq!(reply.json()["token_type"], "Bearer");

        let me = get(&app, "/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["phone"], "+77051234567");
        assert_eq!(me.json()["accepted_agreement_version"], 1);
        let user = me.json()["id"].as_i64().unwrap();
        let acceptances = app.store.acceptances(user).await.unwrap();
        assert_eq!(acceptances[0].channel, "api");

        assert_eq!(post(&app, "/api/v1/auth/signout", Some(&token), json!({})).await.status, StatusCode::NO_CONTENT);
        let me = get(&app, "/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a revoked session is refused");
        assert_eq!(me.json()["errors"][0]["code"], "unauthorized");
        let anonymous = app.get("/api/v1/me").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&app, "/api/v1/me", "dkn_forged").await.status, StatusCode::UNAUTHORIZED);
    }

    async fn api_tokens_are_shown_once_and_revocable(app: TestApp) {
        let session = api_sign_in(&app, "+77010000002").await;
        let reply = post(&app, "/api/v1/me/tokens", Some(&session), json!({"name": "1C connector"})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let created = reply.json();
        let token = created["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("dkn_"));
        let listed = get(&app, "/api/v1/me/tokens", &session).await;
        assert_eq!(listed.json()[0]["name"], "1C connector");
        assert!(!listed.body.contains(&token), "never shown again");
        assert_eq!(get(&app, "/api/v1/me", &token).await.status, StatusCode::OK);
        let bad = post(&app, "/api/v1/me/tokens", Some(&session), json!({"name": ""})).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let path = format!("/api/v1/me/tokens/{}", created["id"]);
        assert_eq!(delete(&app, &path, &session).await.status, StatusCode::NO_CONTENT);
        assert_eq!(get(&app, "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "a revoked token is refused");
        assert_eq!(delete(&app, &path, &session).await.status, StatusCode::NOT_FOUND);
        let stored: Vec<String> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(p).await.unwrap());
        assert!(stored.iter().all(|h| !h.contains(&token[4..])), "stored hashed");
    }

    async fn consents_disclosures_and_export_over_the_api(app: TestApp) {
        let token = api_sign_in(&app, "+77010000003").await;
        let consents = get(&app, "/api/v1/me/consents", &token).await.json();
        let count = consents.as_array().unwrap().len();
        assert!(count >= 14);
        let reply = post(&app, "/api/v1/me/consents", Some(&token), json!({"purpose": "gossip", "recipient": "seller", "cross_border": false, "text_shown": "x"})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["errors"][0]["source"]["parameter"], "purpose");
        let reply = post(&app, "/api/v1/me/consents", Some(&token), json!({"purpose": "support_chat", "recipient": "chatbot_provider", "cross_border": false, "text_shown": "Чат-бот сөйлесу тарихын сақтайды."})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let consents = get(&app, "/api/v1/me/consents", &token).await.json();
        assert_eq!(consents.as_array().unwrap().len(), count + 1);
        let first = consents[0]["id"].as_i64().unwrap();
        assert_eq!(delete(&app, &format!("/api/v1/me/consents/{first}"), &token).await.status, StatusCode::NO_CONTENT);
        assert_eq!(delete(&app, &format!("/api/v1/me/consents/{first}"), &token).await.status, StatusCode::NOT_FOUND);
        assert_eq!(delete(&app, "/api/v1/me/consents/abc", &token).await.status, StatusCode::BAD_REQUEST);

        let disclosures = get(&app, "/api/v1/me/disclosures", &token).await;
        assert_eq!(disclosures.status, StatusCode::OK);
        let export = get(&app, "/api/v1/me/export", &token).await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(export.json()["account"]["phone"], "+77010000003");
        assert!(export.json()["consents"].as_array().unwrap().iter().any(|c| c["withdrawn_at"].is_string()));

        let (_, doc) = app.get_json("/openapi.json").await;
        for path in ["/api/v1/auth/code", "/api/v1/auth/signin", "/api/v1/auth/signout", "/api/v1/me", "/api/v1/me/consents", "/api/v1/me/consents/{id}", "/api/v1/me/disclosures", "/api/v1/me/export", "/api/v1/me/tokens", "/api/v1/me/tokens/{id}"] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
    }
}
