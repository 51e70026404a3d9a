//! Building the application from its configuration, and serving it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use duken_store::Store;
use duken_store::demo::DemoCatalog;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::accounts::{Accounts, SecretKey};
use crate::catalog::cache::CatalogReader;
use crate::config::Config;
use crate::telemetry;
use crate::web::prefs::Cities;

/// What every handler can reach. Cloned several times per request (by the middleware and the
/// `State` extractors), so it is one `Arc`: one counter to touch, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The contents of [`AppState`].
pub struct Shared {
    pub store: Store,
    /// Catalog reads for pages and the buyer API, through a short-lived cache.
    pub catalog: Arc<CatalogReader>,
    pub cities: Arc<Cities>,
    pub accounts: Arc<Accounts>,
    pub metrics: PrometheusHandle,
    /// Where uploads (price lists, photos) and the search index live.
    pub data_dir: Arc<std::path::PathBuf>,
    pub search: Arc<crate::search::Search>,
    /// The largest price list accepted, in bytes.
    pub max_pricelist_bytes: u64,
    /// Price lists may be fetched from private addresses (`--feed-allow-private`).
    pub feed_allow_private: bool,
    /// Legal caps on the effective rate (ГЭСВ) by date: an offer over the cap is never shown.
    pub credit_caps: Arc<Vec<duken_core::credit::RateCap>>,
    /// How duken talks to partner banks.
    pub banks: Arc<crate::credit::client::Banks>,
}

pub struct App {
    state: AppState,
    router: Router,
    shutdown_grace: Duration,
}

impl App {
    /// Opens and migrates the database, loads the demo shop into an empty one (demo mode),
    /// and builds the router.
    pub async fn build(config: &Config) -> anyhow::Result<App> {
        App::build_with(config, Router::new()).await
    }

    /// As [`App::build`], with extra routes (tests add a handler that panics).
    pub async fn build_with(config: &Config, extra: Router<AppState>) -> anyhow::Result<App> {
        let target = config.database_target()?;
        tracing::info!(database = %target, "opening the database");
        let store = Store::open(&target, config.db_max_connections).await?;
        store.migrate().await?;
        if config.demo_mode() && store.count_products().await? == 0 {
            let report = store.seed_demo(&DemoCatalog::bundled()?).await?;
            tracing::info!(?report, "empty database: loaded the demo shop");
        }
        let credit_caps = crate::credit::load_banks(config, &store).await?;
        let (summary, text) = crate::content::first_agreement();
        store.publish_agreement(&summary, &text, "system", "", true).await?;
        if config.demo_mode() {
            crate::accounts::seed_demo_accounts(&store).await?;
        }
        let cities = Arc::new(Cities::new(store.list_cities().await?)?);
        let catalog = Arc::new(CatalogReader::new(store.clone(), Duration::from_millis(config.catalog_cache_ms)));
        let key = SecretKey::load(config.secret_key.as_deref(), &config.data_dir)?;
        if !config.demo_mode() {
            // Only the development SMS port exists so far (README: status).
            tracing::warn!("demo mode is off and no SMS gateway is built yet: sign-in codes reach no one");
        }
        let accounts = Arc::new(Accounts::new(key, config.demo_mode()));
        let index_dir = crate::search::index_dir(&config.data_dir, &target.to_string());
        let search = crate::search::Search::open(store.clone(), index_dir.clone()).map_err(|e| {
            anyhow::anyhow!(
                "opening the search index in {}: {e} (a search index belongs to one process: give each duken process its own --data-dir)",
                index_dir.display()
            )
        })?;
        // A small catalog is indexed before the first request; a large one in the background
        // (searches find nothing until then, and the page says so).
        if !search.is_ready() && store.count_products().await? <= 50_000 {
            search.rebuild().await?;
        }
        search.spawn_follower();
        let state = AppState(Arc::new(Shared {
            store,
            catalog,
            cities,
            accounts,
            metrics: telemetry::metrics_handle(),
            data_dir: Arc::new(config.data_dir.clone()),
            search,
            max_pricelist_bytes: config.max_pricelist_bytes,
            feed_allow_private: config.feed_allow_private,
            credit_caps: Arc::new(credit_caps),
            banks: Arc::new(crate::credit::client::Banks::new(config)),
        }));
        crate::pricelist::spawn_feed_scheduler(state.clone(), config.feed_allow_private);
        crate::orders::jobs::spawn(state.clone(), Duration::from_millis(config.order_jobs_interval_ms.max(10)));
        crate::credit::jobs::spawn(state.clone(), Duration::from_millis(config.credit_jobs_interval_ms.max(10)));
        let router = crate::web::router(state.clone(), extra);
        Ok(App { state, router, shutdown_grace: Duration::from_secs(config.shutdown_grace_secs) })
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Serves until `shutdown` completes, then stops taking connections, lets requests in
    /// flight finish (up to the grace period), and closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        if let Ok(addr) = listener.local_addr() {
            self.state.banks.listening_on(addr);
        }
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = axum::serve(listener, self.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop_tx.send(true);
            });
        let mut stopping = stop_rx.clone();
        let grace = self.shutdown_grace;
        tokio::select! {
            result = server => result?,
            () = async move {
                let _ = stopping.wait_for(|s| *s).await;
                tokio::time::sleep(grace).await;
            } => tracing::warn!("requests still running after the grace period; stopping anyway"),
        }
        self.state.store.close().await;
        Ok(())
    }
}

/// Resolves on SIGTERM (service managers) or Ctrl-C (a terminal).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
