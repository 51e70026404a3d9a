//! What the store's integration tests share: a migrated store in a database of its own.

use std::future::Future;

use duken_store::{DatabaseTarget, Pool, Store};

/// Runs `test` on a new, migrated PostgreSQL database named `{prefix}_…`, dropped afterwards
/// whatever the outcome; does nothing without `DUKEN_TEST_POSTGRES_URL`.
pub async fn on_fresh_postgres<F, Fut>(prefix: &str, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(url) = std::env::var("DUKEN_TEST_POSTGRES_URL") else { return };
    let admin = Store::open(&DatabaseTarget::Postgres(url.clone()), 1).await.unwrap();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("{prefix}_{}_{nanos}", std::process::id());
    let Pool::Postgres(p) = admin.pool() else { unreachable!() };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await.unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let store = Store::open(&DatabaseTarget::Postgres(format!("{base}/{name}")), 4).await.unwrap();
    store.migrate().await.unwrap();
    // On its own task, so that a failed assertion still drops the database.
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(p).await.unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
