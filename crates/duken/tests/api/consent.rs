//! §9.1: consents given at sign-up, withdrawn on the profile; every disclosure decided and
//! logged; all of a person's data exported as one JSON file.

use duken_core::consent::{Purpose, Recipient};
use duken_store::consent::{Disclosure, DisclosureOutcome, NewConsent};
use reqwest::StatusCode;

use crate::accounts::Browser;
use crate::helpers::TestApp;

async fn user_id(app: &TestApp, phone: &str) -> i64 {
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(phone)
        .fetch_one(p)
        .await
        .unwrap())
}

fn to_seller<'a>(user: i64, fields: &'a [&'a str], abroad: bool) -> Disclosure<'a> {
    Disclosure {
        subject_user: user,
        recipient: Recipient::Seller,
        recipient_ref: "seller:1",
        fields,
        purpose: Purpose::Purchase,
        abroad,
        request_id: "test",
    }
}

crate::backend_tests! {
    async fn consents_from_sign_up_are_seen_withdrawn_and_respected(app: TestApp) {
        let mut b = Browser::signed_in(&app, "+77015550011").await;
        let user = user_id(&app, "+77015550011").await;
        let consents = app.store.consents(user).await.unwrap();
        let expected: usize = Purpose::ALL.iter().map(|p| p.recipients().len()).sum();
        assert_eq!(consents.len(), expected, "every §9.1 purpose with its recipients");
        assert!(consents.iter().all(|c| c.context == "signup" && c.cross_border && c.text_shown.contains("1)")));

        let fields = ["name", "phone", "address"];
        let allowed = app.store.disclose(&to_seller(user, &fields, false)).await.unwrap();
        let DisclosureOutcome::Allowed { legal_basis } = allowed else { panic!("a consent covers it") };
        assert!(legal_basis.contains("§9.1 item 1"), "{legal_basis}");

        let profile = b.get("/profile?lang=en").await;
        assert!(profile.body.contains("My consents") && profile.body.contains("1) buying goods"));
        assert!(profile.body.contains("seller (seller:1)") && profile.body.contains("name,phone,address"));

        // Withdraw the purchase → seller consent from the profile.
        let consent = consents.iter().find(|c| c.purpose == "purchase" && c.recipient == "seller").unwrap().id.to_string();
        let csrf = b.csrf();
        let reply = b.post("/profile/consents/withdraw", &[("csrf", &csrf), ("consent", &consent)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = b.post("/profile/consents/withdraw?lang=en", &[("csrf", &csrf), ("consent", &consent)]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "a withdrawn consent cannot be withdrawn again");
        assert_eq!(app.store.disclose(&to_seller(user, &fields, false)).await.unwrap(), DisclosureOutcome::Refused);

        // Another person cannot withdraw it.
        let mut other = Browser::signed_in(&app, "+77015550022").await;
        let other_user = user_id(&app, "+77015550022").await;
        let theirs = app.store.consents(other_user).await.unwrap()[0].id;
        let csrf = b.csrf();
        let reply = b.post("/profile/consents/withdraw", &[("csrf", &csrf), ("consent", &theirs.to_string())]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(app.store.consents(other_user).await.unwrap().iter().all(|c| c.withdrawn_at.is_none()));
        let _ = other.get("/profile").await;

        // A consent given again, this time not for transfers abroad.
        app.store
            .give_consents(user, &[NewConsent { purpose: Purpose::Purchase, recipient: Recipient::Seller, cross_border: false, text_shown: "checkout text", context: "checkout" }], "test")
            .await
            .unwrap();
        assert!(matches!(app.store.disclose(&to_seller(user, &fields, false)).await.unwrap(), DisclosureOutcome::Allowed { .. }));
        assert_eq!(app.store.disclose(&to_seller(user, &fields, true)).await.unwrap(), DisclosureOutcome::Refused, "not abroad");

        let log = app.store.disclosures(user).await.unwrap();
        assert_eq!(log.len(), 4, "every decision is logged");
        assert_eq!(log.iter().filter(|d| d.outcome == "refused").count(), 2);
        assert!(log.iter().filter(|d| d.outcome == "refused").all(|d| d.legal_basis == "no consent"));
        let profile = b.get("/profile?lang=en").await;
        assert!(profile.body.contains("refused: no consent"));
        assert!(profile.body.contains("withdrawn"));

        let (audit, _) = app.store.list_audit(None, Some(&format!("user:{user}")), duken_core::PageRequest::first()).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "consent.withdrawn"));
        assert!(audit.iter().any(|a| a.action == "consent.given"));
    }

    async fn a_person_downloads_all_their_data(app: TestApp) {
        let mut b = Browser::signed_in(&app, "+77015550033").await;
        let user = user_id(&app, "+77015550033").await;
        app.store.disclose(&to_seller(user, &["phone"], false)).await.unwrap();
        let reply = b.get("/profile/export").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.header("content-type").starts_with("application/json"));
        assert!(reply.header("content-disposition").contains("attachment"));
        let doc = reply.json();
        assert_eq!(doc["account"]["phone"], "+77015550033");
        assert_eq!(doc["agreement_acceptances"][0]["version"], 1);
        assert!(doc["consents"].as_array().unwrap().len() >= 14);
        assert_eq!(doc["disclosures"][0]["fields"][0], "phone");
        assert!(!doc["sessions"].as_array().unwrap().is_empty());
        assert!(doc["audit_log"].as_array().unwrap().iter().any(|a| a["action"] == "account.created"));
        // Nothing secret in it.
        let text = reply.body;
        assert!(!text.contains("token_hash") && !text.contains("code_hash"));
        // Anonymous: sent to sign in.
        assert_eq!(Browser::new(&app).get("/profile/export").await.status, StatusCode::SEE_OTHER);
    }
}
