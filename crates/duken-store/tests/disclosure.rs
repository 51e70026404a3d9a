//! §9.1: a disclosure logged under a consent the caller read moments before takes one
//! statement while that consent is live, and falls back to the ledger's decision when it was
//! withdrawn in between (or is not the subject's), on both databases.

mod common;

use duken_core::Localized;
use duken_core::consent::{Purpose, Recipient};
use duken_core::phone::Phone;
use duken_store::accounts::{NewAcceptance, NewAccount};
use duken_store::consent::{Disclosure, DisclosureOutcome, NewConsent, allowing_consent};
use duken_store::{DatabaseTarget, Store};

async fn user(store: &Store, phone: &str) -> i64 {
    let consents = [NewConsent {
        purpose: Purpose::OrderProcessing,
        recipient: Recipient::Seller,
        cross_border: false,
        text_shown: "the sellers see my name and phone",
        context: "signup",
    }];
    let acceptance = NewAcceptance { version: 1, ip: "test", user_agent: "test", channel: "web" };
    let account = NewAccount { acceptance, consents: &consents };
    store.ensure_user(&Phone::parse(phone).unwrap(), &account, "test").await.unwrap()
}

async fn disclose(store: &Store, user: i64, known: Option<i64>) -> DisclosureOutcome {
    let d = Disclosure {
        subject_user: user,
        recipient: Recipient::Seller,
        recipient_ref: "seller:1",
        fields: &["name", "phone"],
        purpose: Purpose::OrderProcessing,
        abroad: false,
        request_id: "test",
    };
    let mut tx = store.begin().await.unwrap();
    let outcome = tx.disclose_under(&d, known).await.unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn exercise(store: &Store) {
    let text = Localized { kk: "x".to_owned(), ru: "x".to_owned(), en: "x".to_owned() };
    store.publish_agreement(&text, &text, "test", "", true).await.unwrap();
    let (buyer, other) = (user(store, "+77010000101").await, user(store, "+77010000102").await);
    let live =
        allowing_consent(&store.consents(buyer).await.unwrap(), Purpose::OrderProcessing, Recipient::Seller, false)
            .expect("the sign-up consent allows it");
    let others =
        allowing_consent(&store.consents(other).await.unwrap(), Purpose::OrderProcessing, Recipient::Seller, false)
            .unwrap();
    let allowed = DisclosureOutcome::Allowed { legal_basis: format!("consent:{live} (§9.1 item 4)") };
    assert_eq!(disclose(store, buyer, Some(live)).await, allowed);
    // Another person's consent is no basis: the ledger decides (and allows, under the buyer's).
    assert_eq!(disclose(store, buyer, Some(others)).await, allowed);
    // Withdrawn after the caller read it: refused, and logged as refused.
    assert!(store.withdraw_consent(buyer, live, "test").await.unwrap());
    assert_eq!(disclose(store, buyer, Some(live)).await, DisclosureOutcome::Refused);
    let log: Vec<String> = store.disclosures(buyer).await.unwrap().into_iter().map(|d| d.outcome).collect();
    assert_eq!(log, ["refused", "allowed", "allowed"], "every decision logged, newest first");
}

#[tokio::test]
async fn a_known_consent_is_checked_again_in_the_statement_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseTarget::SqliteFile(dir.path().join("d.db")), 2).await.unwrap();
    store.migrate().await.unwrap();
    exercise(&store).await;
}

#[tokio::test]
async fn a_known_consent_is_checked_again_in_the_statement_on_postgres() {
    common::on_fresh_postgres("duken_disclosure", |store| async move { exercise(&store).await }).await;
}
