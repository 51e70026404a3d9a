//! Merchant API tokens are trusted for a moment after a lookup (`sellers::TrustedTokens`): a
//! revocation through the same store is refused at once, and a store sharing the database
//! refuses the revoked token within a second, on both databases.

mod common;

use std::time::Duration;

use duken_store::{DatabaseTarget, Store};

async fn a_token(store: &Store) -> (i64, i64, &'static str) {
    store.seed_synthetic(20, 1).await.unwrap();
    let seller = store.find_seller_by_key("syn-seller-1").await.unwrap();
    let hash = "b1f2c3d4e5f60718293a4b5c6d7e8f90b1f2c3d4e5f60718293a4b5c6d7e8f90";
    let id = store.create_seller_token(seller, "tool", hash, "test", "test").await.unwrap();
    (seller, id, hash)
}

async fn revoked_at_once(store: &Store) {
    let (seller, id, hash) = a_token(store).await;
    assert_eq!(store.seller_of_token(hash).await.unwrap(), Some(seller));
    assert_eq!(store.seller_of_token(hash).await.unwrap(), Some(seller), "trusted, not looked up again");
    assert_eq!(store.seller_of_token("0000").await.unwrap(), None);
    store.revoke_seller_token(seller, id, "test", "test").await.unwrap();
    assert_eq!(store.seller_of_token(hash).await.unwrap(), None, "refused right after the revocation");
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseTarget::SqliteFile(dir.path().join("t.db")), 2).await.unwrap();
    store.migrate().await.unwrap();
    revoked_at_once(&store).await;
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_on_postgres() {
    common::on_fresh_postgres("duken_tokens", |store| async move { revoked_at_once(&store).await }).await;
}

/// Two servers on one database: the one that did not revoke the token stops trusting it within
/// a second.
#[tokio::test]
async fn another_server_refuses_a_revoked_token_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let target = DatabaseTarget::SqliteFile(dir.path().join("t.db"));
    let here = Store::open(&target, 2).await.unwrap();
    here.migrate().await.unwrap();
    let there = Store::open(&target, 2).await.unwrap();
    let (seller, id, hash) = a_token(&here).await;
    assert_eq!(there.seller_of_token(hash).await.unwrap(), Some(seller));
    here.revoke_seller_token(seller, id, "test", "test").await.unwrap();
    assert_eq!(here.seller_of_token(hash).await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(there.seller_of_token(hash).await.unwrap(), None, "refused there a second later");
}
