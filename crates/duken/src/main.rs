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
        Command::Seed { synthetic: Some(products), seed } => {
            let store = open(&config).await?;
            let started = std::time::Instant::now();
            let report = store.seed_synthetic(products, seed).await?;
            let seeded = started.elapsed();
            println!(
                "synthetic catalog loaded in {:.1} s: {} categories, {} sellers, {} stores, {} products, {} offers, {} prices",
                seeded.as_secs_f64(),
                report.categories,
                report.sellers,
                report.stores,
                report.products,
                report.offers,
                report.prices
            );
            reindex(&config, &store).await?;
            store.close().await;
            Ok(())
        }
        Command::Bench { action } => duken::bench::run(&config, action).await,
        Command::Seed { synthetic: None, .. } => {
            anyhow::ensure!(config.demo == Some(true), "nothing to load: say which data set, e.g. `duken seed --demo`");
            let store = open(&config).await?;
            let report = store.seed_demo(&DemoCatalog::bundled()?).await?;
            store.load_banks(&duken_store::credit::BanksFile::demo()?, "demo").await?;
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
        Command::ImportPricelist { file, seller } => import_pricelist(&config, &file, seller.as_deref()).await,
        Command::SellerToken { seller, name } => {
            let store = open(&config).await?;
            let seller_id = match store.find_seller_by_key(&seller).await {
                Ok(id) => id,
                Err(duken_store::StoreError::NotFound) => {
                    anyhow::bail!("no seller has the id, BIN or merchant id {seller:?}")
                }
                Err(e) => return Err(e.into()),
            };
            let token = duken::sellers::cabinet::issue_seller_token(&store, seller_id, &name, "cli", "").await?;
            store.close().await;
            println!("{token}");
            Ok(())
        }
        Command::BankSim {
            bank,
            bank_listen,
            seed,
            latency_ms,
            reject_over_tenge,
            counter_over_tenge,
            reject_iin_suffix,
            fault_rate,
            webhook_fault_rate,
            signing_code,
        } => {
            let file = match &config.banks_config {
                Some(path) => {
                    duken_store::credit::BanksFile::parse(&std::fs::read_to_string(path)?, &path.display().to_string())?
                }
                None => duken_store::credit::BanksFile::demo()?,
            };
            let found = file.banks.iter().find(|b| b.code == bank);
            let Some(b) = found.filter(|b| !b.api_key.is_empty() && !b.webhook_secret.is_empty()) else {
                anyhow::bail!("no bank {bank:?} with an API key and webhook secret in the banks configuration");
            };
            let tiyn = |t: Option<i64>| t.and_then(|t| t.checked_mul(100));
            anyhow::ensure!(
                (0.0..=1.0).contains(&fault_rate) && (0.0..=1.0).contains(&webhook_fault_rate),
                "fault rates are between 0 and 1"
            );
            let sim = duken::credit::bank_sim::SimConfig {
                bank_code: b.code.clone(),
                api_key: b.api_key.clone(),
                webhook_secret: b.webhook_secret.clone(),
                seed,
                latency: std::time::Duration::from_millis(latency_ms),
                reject_over_tiyn: tiyn(reject_over_tenge),
                counter_over_tiyn: tiyn(counter_over_tenge),
                reject_iin_suffix,
                fault_rate,
                hang: std::time::Duration::from_secs(30),
                webhook_fault_rate,
                fixed_code: signing_code.filter(|c| !c.trim().is_empty()),
            };
            let listener = tokio::net::TcpListener::bind(&bank_listen).await?;
            println!("simulated bank {} on http://{} (signing codes at /dev/codes)", b.code, listener.local_addr()?);
            duken::credit::bank_sim::serve(sim, listener).await
        }
        Command::Search { action: duken::config::SearchCommand::Reindex } => {
            let store = open(&config).await?;
            reindex(&config, &store).await?;
            store.close().await;
            Ok(())
        }
    }
}

/// `duken import-pricelist FILE [--seller ID|BIN|MERCHANT]`: prints the report; a rejected
/// file (or an unknown seller) is a failure exit.
async fn import_pricelist(config: &Config, file: &std::path::Path, seller: Option<&str>) -> anyhow::Result<()> {
    let store = open(config).await?;
    let key = match seller {
        Some(s) => s.to_owned(),
        None => match duken::pricelist::merchant_id_of(file).with_context(|| format!("reading {}", file.display()))? {
            Ok(id) => id,
            Err(e) => anyhow::bail!("{}: {e}", file.display()),
        },
    };
    let size = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    anyhow::ensure!(
        size <= config.max_pricelist_bytes,
        "{} has {size} bytes; the limit is {} (--max-pricelist-bytes)",
        file.display(),
        config.max_pricelist_bytes
    );
    let seller_id = match store.find_seller_by_key(&key).await {
        Ok(id) => id,
        Err(duken_store::StoreError::NotFound) => anyhow::bail!("no seller has the id, BIN or merchant id {key:?}"),
        Err(e) => return Err(e.into()),
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let upload = duken::pricelist::Upload {
        seller_id,
        path: file,
        file_name: &name,
        source: "cli",
        uploaded_by: None,
        actor: "cli",
        request_id: "",
    };
    let outcome = duken::pricelist::import(&store, upload).await?;
    let record = store.pricelist_upload(seller_id, outcome.upload_id()).await?;
    store.close().await;
    match outcome {
        duken::pricelist::Outcome::Applied { upload_id, applied } => {
            println!(
                "upload {upload_id} applied for seller {seller_id}: {} offers ({} new, {} updated), {} made unavailable",
                applied.total, applied.created, applied.updated, applied.unavailable
            );
            Ok(())
        }
        duken::pricelist::Outcome::Rejected { upload_id, problem_count } => {
            let report = record.report();
            eprintln!("upload {upload_id} rejected for seller {seller_id}: nothing was applied");
            if let Some(e) = &report.file_error {
                eprintln!("line {}: {} ({})", e.line, e.detail, e.reason);
            }
            for p in &report.problems {
                eprintln!("line {}: {} {} {}", p.line, p.sku.as_deref().unwrap_or("-"), p.reason, p.detail);
            }
            if problem_count > report.problems.len() as u64 && report.file_error.is_none() {
                eprintln!("… {problem_count} problems in all");
            }
            std::process::exit(2);
        }
    }
}

/// Rebuilds the search index of this database and says how long it took and how big it is.
async fn reindex(config: &Config, store: &Store) -> anyhow::Result<()> {
    let target = config.database_target()?;
    let dir = duken::search::index_dir(&config.data_dir, &target.to_string());
    let started = std::time::Instant::now();
    let search = duken::search::Search::open(store.clone(), dir.clone())?;
    let count = search.rebuild().await?;
    println!(
        "search index rebuilt: {count} products, {} documents, {:.1} MB, in {:.1} s ({})",
        search.doc_count(),
        duken::bench::dir_size(&dir) as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
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
