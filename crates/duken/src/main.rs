use anyhow::Context;
use clap::Parser;
use duken::{App, Cli, Command, Config};
use duken_store::Store;
use duken_store::demo::DemoCatalog;
use mimalloc::MiMalloc;

/// mimalloc instead of the system allocator: request handling allocates many small, short-lived
/// buffers, and glibc's malloc spent about a tenth of the CPU on them under load (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    if cli.config.database_url.is_none() {
        cli.config.database_url = std::env::var("DATABASE_URL").ok();
    }
    let _log_writer = duken::telemetry::init_logging(cli.config.log_format, &cli.config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            let store = open(&config).await?;
            tracing::info!("the database schema is up to date");
            store.close().await;
            Ok(())
        }
        Command::Seed => {
            anyhow::ensure!(config.demo == Some(true), "nothing to load: say which data set, e.g. `duken seed --demo`");
            let store = open(&config).await?;
            let report = store.seed_demo(&DemoCatalog::bundled()?).await?;
            let (summary, text) = duken::content::first_agreement();
            store.publish_agreement(&summary, &text, "system", "", true).await?;
            duken::accounts::seed_demo_accounts(&store).await?;
            println!(
                "demo shop loaded: {} categories, {} sellers, {} stores, {} products, {} offers",
                report.categories, report.sellers, report.stores, report.products, report.offers
            );
            store.close().await;
            Ok(())
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    let target = config.database_target()?;
    let store = Store::open(&target, config.db_max_connections).await.with_context(|| format!("opening {target}"))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!("duken is serving on http://{}", listener.local_addr()?);
    app.serve(listener, duken::app::shutdown_signal()).await
}
