//! §1, §7: agreement versions in the database; publishing a new one; re-acceptance before the
//! next account change, with the session intact.

use reqwest::StatusCode;

use crate::accounts::Browser;

crate::backend_tests! {
    async fn a_new_version_is_accepted_before_the_next_account_change(app: TestApp) {
        let mut buyer = Browser::signed_in(&app, "+77010000001").await;
        let csrf = buyer.csrf();
        let reply = buyer.post("/profile/name", &[("csrf", &csrf), ("name", "Айгерім")]).await;
        assert_eq!(reply.header("location"), "/profile", "version 1 is accepted: the change goes through");
        assert!(buyer.get("/profile").await.body.contains("Айгерім"));

        let mut admin = Browser::signed_in(&app, "+77010000009").await;
        let admin_csrf = admin.csrf();
        // Bad input: every field is needed; a buyer may not publish.
        let reply = admin.post("/console/agreement/publish?lang=en", &[("csrf", &admin_csrf), ("summary_en", "x")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body.contains("all three languages"));
        let reply = buyer.post("/console/agreement/publish", &[("csrf", &csrf), ("summary_en", "x")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let form = [
            ("csrf", admin_csrf.as_str()),
            ("summary_kk", "Қайтару мерзімі нақтыланды."),
            ("summary_ru", "Уточнён срок возврата."),
            ("summary_en", "The return period is made precise."),
            ("text_kk", "§1. Жаңа мәтін."),
            ("text_ru", "§1. Новый текст.\n\n<script>alert(1)</script>"),
            ("text_en", "§1. New text."),
        ];
        let reply = admin.post("/console/agreement/publish", &form).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

        // Visitors see version 2, escaped.
        let page = Browser::new(&app).get("/agreement?lang=ru").await;
        assert!(page.body.contains("Редакция 2") && page.body.contains("Новый текст"));
        assert!(!page.body.contains("<script>alert"));

        // The buyer's next account change detours through acceptance.
        buyer.get("/profile").await;
        let reply = buyer
            .app
            .send(
                buyer.app.client.post(buyer.app.url("/profile/name"))
                    .header("cookie", buyer.cookie_header())
                    .header("referer", format!("{}/profile?lang=en", buyer.app.base))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf={csrf}&name=Aigerim")),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.header("location"), "/agreement/accept?next=%2Fprofile%3Flang%3Den");
        assert!(buyer.get("/profile").await.body.contains("Айгерім"), "nothing changed yet");
        let accept = buyer.get("/agreement/accept?next=%2Fprofile%3Flang%3Den&lang=en").await;
        assert_eq!(accept.status, StatusCode::OK);
        assert!(accept.body.contains("The return period is made precise.") && accept.body.contains("You accepted version 1"));
        // Accepting a version other than the one shown does not count.
        let reply = buyer.post("/agreement/accept", &[("csrf", &csrf), ("version", "1"), ("next", "/profile")]).await;
        assert_eq!(reply.header("location"), "/agreement/accept");
        let reply = buyer.post("/agreement/accept", &[("csrf", &csrf), ("version", "2"), ("next", "/profile?lang=en")]).await;
        assert_eq!(reply.header("location"), "/profile?lang=en", "back where they were");
        let profile = buyer.get("/profile?lang=en").await;
        assert_eq!(profile.status, StatusCode::OK, "still signed in");
        assert!(profile.body.contains("version 2, accepted"));
        let reply = buyer.post("/profile/name", &[("csrf", &csrf), ("name", "Aigerim")]).await;
        assert_eq!(reply.header("location"), "/profile", "the change goes through now");

        let (audit, _) = app.store.list_audit(Some("agreement:2"), None, duken_core::PageRequest::first()).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert!(actions.contains(&"agreement.published") && actions.contains(&"agreement.accepted"), "{actions:?}");
        let acceptances = app.store.acceptances(duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE phone = '+77010000001'").fetch_one(p).await.unwrap())).await.unwrap();
        assert_eq!(acceptances[0].version, 2);
        assert_eq!(acceptances[0].channel, "web");

        // New accounts accept the version in force.
        let _ = Browser::signed_in(&app, "+77019998877").await;
        let user: i64 = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT id FROM users WHERE phone = '+77019998877'").fetch_one(p).await.unwrap());
        assert_eq!(app.store.accepted_version(user).await.unwrap(), Some(2));
    }
}
