//! duken's storage: one [`Store`] over an embedded SQLite file or PostgreSQL.
//!
//! SQL is written once, in the dialect both understand (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT … DO UPDATE`, `WITH RECURSIVE`, `CAST(… AS BIGINT)`), and dispatched to the
//! concrete pool by [`on_pool!`]. Where the dialects really differ, a function gets one small
//! arm per backend. Each backend has its own migrations under `migrations/{sqlite,postgres}`
//! with the same file names, embedded in the binary.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, templates or languages
//! beyond the `kk/ru/en` columns; it returns rows and [`StoreError`]s.

pub mod accounts;
pub mod agreement;
pub mod attributes;
pub mod audit;
pub mod catalog;
pub mod consent;
pub mod credit;
pub mod credit_applications;
pub mod demo;
mod error;
pub mod order_counts;
pub mod orders;
pub mod pricelists;
pub mod products;
pub mod search_feed;
pub mod sellers;
pub mod synthetic;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, SqlitePool};

pub use error::StoreError;

/// Runs `$e` with `$p` bound to whichever concrete pool (or transaction) the store holds.
/// The body is compiled once per backend, so the same SQL text serves both.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $e:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $e,
            $crate::Pool::Postgres($p) => $e,
        }
    };
}

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// An SQLite file, created (with its folder) on first use.
    SqliteFile(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseTarget {
    /// `sqlite://path`, `sqlite:path` or a PostgreSQL URL.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or(path);
            if !path.is_empty() && path != ":memory:" {
                return Ok(DatabaseTarget::SqliteFile(PathBuf::from(path)));
            }
        }
        Err(StoreError::Config(format!(
            "unsupported database URL {}: use postgres://… or sqlite://FILE",
            redact_url(url)
        )))
    }

    pub fn sqlite_in(data_dir: &Path) -> Self {
        DatabaseTarget::SqliteFile(data_dir.join("duken.db"))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseTarget::SqliteFile(_) => Backend::Sqlite,
            DatabaseTarget::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Shown in logs and `--help` without the password.
impl std::fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseTarget::SqliteFile(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseTarget::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

impl std::fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool of one of the two backends. Cheap to clone (pools are shared handles).
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How busy the pool is, for `/metrics`.
#[derive(Clone, Copy, Debug)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// The application's handle on its database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// Where the seller API's list reads go: on PostgreSQL a few read-only connections whose
    /// prepared statements run on their generic plans (see [`Store::list_reads`]); on SQLite
    /// the one pool.
    list_reads: Pool,
    max_connections: u32,
    /// Merchant API tokens found valid a moment ago ([`sellers::TrustedTokens`]).
    trusted_tokens: std::sync::Arc<sellers::TrustedTokens>,
}

/// Pushes `IN ($n, $n+1, …)` for `values`.
pub(crate) fn push_in<'t, DB: sqlx::Database, T>(q: &mut sqlx::QueryBuilder<DB>, values: impl IntoIterator<Item = T>)
where
    T: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push(" IN (");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    sep.push_unseparated(")");
}

impl Store {
    /// Opens (and for SQLite creates) the database. Does not migrate: see [`Store::migrate`].
    pub async fn open(target: &DatabaseTarget, max_connections: u32) -> Result<Store, StoreError> {
        let max_connections = max_connections.max(1);
        let (pool, list_reads) = match target {
            DatabaseTarget::SqliteFile(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!("cannot create the data directory {}: {e}", dir.display()))
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    // WAL lets readers work while one writer commits; NORMAL sync is safe with WAL.
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // Statement journals (every multi-row write keeps one, to undo itself alone)
                    // and temporary sorts in memory rather than in files: 5 % of a price-list
                    // import was writing statement journals to disk.
                    .pragma("temp_store", "memory")
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                (Pool::Sqlite(pool.clone()), Pool::Sqlite(pool))
            }
            DatabaseTarget::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL {}: {e}", redact_url(url))))?;
                // One direct connection first, so that a wrong host, password or database name
                // is reported as itself rather than as a pool timeout.
                let first = sqlx::PgConnection::connect_with(&options).await?;
                first.close().await?;
                let list_reads =
                    PgPoolOptions::new()
                        .max_connections((max_connections / 2).max(1))
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_lazy_with(options.clone().options([
                            ("plan_cache_mode", "force_generic_plan"),
                            ("default_transaction_read_only", "on"),
                        ]));
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                (Pool::Postgres(pool), Pool::Postgres(list_reads))
            }
        };
        Ok(Store { pool, list_reads, max_connections, trusted_tokens: Default::default() })
    }

    /// Brings the schema up to date with the migrations embedded for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await)?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (open, idle) = on_pool!(&self.pool, |p| (p.size(), p.num_idle()));
        PoolStats { open, idle: u32::try_from(idle).unwrap_or(u32::MAX), max: self.max_connections }
    }

    /// Waits for connections in use to be returned, then closes them all.
    pub async fn close(&self) {
        on_pool!(&self.pool, |p| p.close().await);
        on_pool!(&self.list_reads, |p| p.close().await);
    }

    /// The pool for the seller API's list reads, each one statement (a page and its total in
    /// one snapshot). On PostgreSQL its connections are read-only and run prepared statements
    /// on their generic plans: the orders list's statements are then planned once per
    /// connection instead of on every request (planning was half the database's time under
    /// load, for index scans whose best plan does not depend on the values), and a read needs
    /// no transaction around it: one round trip instead of three (BENCHMARKS.md). Kept apart
    /// from the main pool so that no other statement loses its custom plans.
    pub fn list_reads(&self) -> &Pool {
        &self.list_reads
    }
}

/// An open transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Like [`on_pool!`], for a [`Tx`]: `$c` is the transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $e:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $e
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $e
            }
        }
    };
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Store {
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            // IMMEDIATE: the write lock is taken at BEGIN, so concurrent transactions queue
            // behind the busy timeout instead of one failing when it upgrades a read to a write.
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(DatabaseTarget::from_url("postgres://u:p@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(DatabaseTarget::from_url("postgresql://h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(
            DatabaseTarget::from_url("sqlite://data/x.db?mode=rwc").unwrap(),
            DatabaseTarget::SqliteFile(PathBuf::from("data/x.db"))
        );
        assert!(DatabaseTarget::from_url("sqlite::memory:").is_err());
        assert!(DatabaseTarget::from_url("mysql://root@h/db").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(redact_url("postgres://duken:s3cret@db:5432/duken"), "postgres://duken:***@db:5432/duken");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
        let target = DatabaseTarget::from_url("postgres://a:b@c/d").unwrap();
        assert!(!format!("{target} {target:?}").contains(":b@"));
        let err = DatabaseTarget::from_url("mysql://root:pw@h/db").unwrap_err().to_string();
        assert!(!err.contains("pw"), "{err}");
    }
}
