//! The test harness: every test starts the real duken server on a random port against a
//! fresh database and speaks HTTP to it.
//!
//! [`backend_tests!`] turns each test body into two tests, `…::sqlite` (a new SQLite file in a
//! temporary directory) and `…::postgres` (a new database `duken_test_<random>` on the server
//! named by `DUKEN_TEST_POSTGRES_URL`, dropped afterwards). Without that variable the
//! PostgreSQL variant prints that it was skipped and passes, unless
//! `DUKEN_TEST_REQUIRE_POSTGRES=1` makes that a failure (CI sets it).

use std::future::Future;
use std::panic::AssertUnwindSafe;

use duken::{App, Config};
use duken_store::{DatabaseTarget, Store};
use futures_util::FutureExt;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
}

/// A response read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Every value of a header, joined with `, ` (several `Set-Cookie`s, say).
    pub fn header(&self, name: &str) -> String {
        self.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(", ")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a readable body");
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    /// GET with a header, e.g. `Accept-Language` or `Cookie`.
    pub async fn get_with(&self, path: &str, name: &str, value: &str) -> Reply {
        self.send(self.client.get(self.url(path)).header(name, value)).await
    }

    /// Sends raw bytes and returns the raw answer (for what no client library would send).
    pub async fn raw(&self, request: &[u8]) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.base.trim_start_matches("http://")).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = vec![];
        // The server may close before reading everything we sent; what it answered is what counts.
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let reply = self.get(path).await;
        assert!(
            reply.header("content-type").starts_with("application/json"),
            "{path}: content-type {}",
            reply.header("content-type")
        );
        (reply.status, reply.json())
    }

    /// A fingerprint of every catalog table, to prove a request wrote nothing.
    pub async fn catalog_fingerprint(&self) -> Vec<i64> {
        let mut out = vec![];
        for table in ["cities", "sellers", "stores", "categories", "products", "offers", "offer_prices", "offer_stocks"]
        {
            let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
            let n: i64 = duken_store::on_pool!(self.store.pool(), |p| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap());
            out.push(n);
        }
        let prices: Option<i64> = duken_store::on_pool!(self.store.pool(), |p| sqlx::query_scalar(
            "SELECT CAST(SUM(price_tiyn) AS BIGINT) FROM offer_prices"
        )
        .fetch_one(p)
        .await
        .unwrap());
        out.push(prices.unwrap_or(0));
        out
    }
}

/// Every log line of the test process, at debug level, kept in memory so a test can check
/// that nothing secret was ever logged. `TEST_LOG=1` also prints them.
static LOGS: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();

struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = std::io::stderr().write_all(buf);
        }
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn install_log_capture() {
    let buffer = LOGS.get_or_init(Default::default).clone();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_ansi(false)
        .with_writer(move || Capture(buffer.clone()))
        .try_init();
}

pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.get_or_init(Default::default).lock().unwrap()).into_owned()
}

/// Extra routes only tests mount: a handler that panics, to see what a visitor gets.
fn test_routes() -> axum::Router<duken::AppState> {
    axum::Router::new().route(
        "/test/panic",
        axum::routing::get(|| async {
            if std::hint::black_box(true) {
                panic!("secret internal detail: the handler exploded");
            }
            "unreachable"
        }),
    )
}

pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    install_log_capture();
    let mut config = Config::defaults();
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    config.data_dir = data_dir.path().to_path_buf();
    config.database_url = None;
    config.demo = Some(true);
    config.shutdown_grace_secs = 5;
    // Small enough that a test can go over it.
    config.max_pricelist_bytes = 8 * 1024 * 1024;
    // Tests serve sellers' price lists from 127.0.0.1.
    config.feed_allow_private = true;
    // Order jobs (expiry, notifications, webhooks) run often, so tests need not wait long.
    config.order_jobs_interval_ms = 100;
    // Credit jobs likewise; calls to banks time out, retry and poll within a test's patience.
    config.credit_jobs_interval_ms = 50;
    config.bank_timeout_ms = 1_000;
    config.bank_retry_ms = 50;
    config.bank_poll_secs = 1;

    let mut postgres: Option<(String, String)> = None;
    if let Backend::Postgres = backend {
        let Some(admin_url) = std::env::var("DUKEN_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
            assert!(
                std::env::var("DUKEN_TEST_REQUIRE_POSTGRES").is_err(),
                "DUKEN_TEST_REQUIRE_POSTGRES is set but DUKEN_TEST_POSTGRES_URL is not"
            );
            eprintln!("skipped: set DUKEN_TEST_POSTGRES_URL to run this test on PostgreSQL");
            return;
        };
        let name = format!("duken_test_{:016x}", rand_u64());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect to DUKEN_TEST_POSTGRES_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        admin.close().await.ok();
        config.database_url = Some(with_database(&admin_url, &name));
        postgres = Some((admin_url, name));
    }

    let app = App::build_with(&config, test_routes()).await.expect("the app builds");
    let store = app.store().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));
    duken::pricelist::install_tls();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let outcome = AssertUnwindSafe(test(TestApp { base, client, store: store.clone() })).catch_unwind().await;

    let _ = stop.send(());
    server.await.expect("the server task ends").expect("the server stops cleanly");
    store.close().await;
    if let Some((admin_url, name)) = postgres {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    drop(data_dir);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish()
}

/// The same server URL with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(with_database("postgres://postgres@127.0.0.1:5432/test", "x"), "postgres://postgres@127.0.0.1:5432/x");
    assert_eq!(with_database("postgres://u:p@h/test?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    let _ = DatabaseTarget::from_url("postgres://h/x").unwrap();
}

/// Declares tests that run on every backend: `async fn name(app: TestApp) { … }` becomes the
/// module `name` with the tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! backend_tests {
    ($( $(#[doc = $doc:literal])* async fn $name:ident($app:ident: TestApp) $body:block )*) => {$(
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{Backend, TestApp, run};

            async fn body($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite, body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres, body).await;
            }
        }
    )*};
}
