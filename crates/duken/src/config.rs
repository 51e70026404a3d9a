//! Command line and environment: every flag can also be set by a `DUKEN_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use duken_store::{DatabaseTarget, StoreError};

#[derive(Parser, Debug)]
#[command(name = "duken", version, about = "duken: an open marketplace for Kazakhstan", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the shop, the APIs and operations endpoints (the default).
    Serve,
    /// Create the database if needed and bring its schema up to date, then exit.
    Migrate,
    /// Load a data set into the database, then exit: `duken seed --demo` loads the demo shop
    /// (sellers, one outside the EAEU; categories, products, offers; demo accounts; idempotent);
    /// `duken seed --synthetic N` a deterministic catalog of N products (kk/ru names, brands,
    /// typed attributes, ~3 offers each from many sellers in many cities) for benchmarks, then
    /// rebuilds the search index.
    Seed {
        /// How many synthetic products to generate.
        #[arg(long)]
        synthetic: Option<u64>,
        /// The generator's seed: the same seed and N give the same catalog.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measurements for BENCHMARKS.md.
    Bench {
        #[command(subcommand)]
        action: BenchCommand,
    },
    /// Import a seller's XML price list (Kaspi format), exactly as an upload in the seller
    /// cabinet does: every offer is checked first, then all apply or none. Prints the report;
    /// exits non-zero when the file is rejected.
    ImportPricelist {
        /// The price list file.
        file: PathBuf,
        /// The seller: its id, BIN or merchant id. By default, the seller the file's
        /// `<merchantid>` names.
        #[arg(long)]
        seller: Option<String>,
    },
    /// Print a new merchant API token (`X-Auth-Token`) for a seller, as the seller cabinet
    /// issues them; it is stored hashed and shown only this once.
    SellerToken {
        /// The seller: its id, BIN or merchant id.
        #[arg(long)]
        seller: String,
        /// A name to tell the token apart in the cabinet.
        #[arg(long, default_value = "command line")]
        name: String,
    },
    /// Run a simulated partner bank (the bank side of the credit protocol) on its own port,
    /// with the API key and webhook secret of bank CODE in `--banks-config` (or the demo banks).
    /// Decisions: rejected above `--reject-over-tenge` or for IINs ending in
    /// `--reject-iin-suffix`, a counter-offer above `--counter-over-tenge`, else approved.
    /// Signing codes it "texts" are shown at /dev/codes.
    BankSim {
        /// The bank's code in the banks configuration.
        #[arg(long)]
        bank: String,
        /// Where the simulated bank listens (the bank's `api_base_url`).
        #[arg(long = "bank-listen", default_value = "127.0.0.1:18301")]
        bank_listen: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 300)]
        latency_ms: u64,
        #[arg(long)]
        reject_over_tenge: Option<i64>,
        #[arg(long)]
        counter_over_tenge: Option<i64>,
        #[arg(long)]
        reject_iin_suffix: Option<String>,
        /// Share of requests answered 503 or not at all, 0 to 1.
        #[arg(long, default_value_t = 0.0)]
        fault_rate: f64,
        /// Share of webhooks dropped, duplicated or sent late, 0 to 1.
        #[arg(long, default_value_t = 0.0)]
        webhook_fault_rate: f64,
        /// Text this signing code every time instead of a random one (scripted demos).
        #[arg(long)]
        signing_code: Option<String>,
    },
    /// Search index maintenance.
    Search {
        #[command(subcommand)]
        action: SearchCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum BenchCommand {
    /// Run mixed Kazakh/Russian/Latin queries with facets and filters against this database's
    /// search index (in process, one at a time) and print latency percentiles and the index size.
    Search {
        #[arg(long, default_value_t = 1000)]
        queries: usize,
    },
    /// Write a deterministic Kaspi XML price list of N offers for a seller (its stores and the
    /// cities), to measure `duken import-pricelist`.
    WritePricelist {
        file: PathBuf,
        #[arg(long)]
        seller: String,
        #[arg(long, default_value_t = 1_000_000)]
        offers: u64,
    },
    /// Load N orders (a tenth for the busiest seller, the rest spread over every seller with
    /// stock, over the last 90 days) and print a merchant API token of the busiest seller, to
    /// load `GET /shop/api/v2/orders` with it.
    SeedOrders {
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
    },
    /// Place checkouts against a running server (`--url`) on this database for `--seconds`
    /// from `--clients` concurrent buyers (made here, with their API tokens), one unit of one of
    /// up to 500 offers each (their stock raised so that it never runs out), and print checkouts per second
    /// and latency percentiles.
    Checkouts {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum SearchCommand {
    /// Rebuild the search index of this database from the catalog (in `DATA_DIR/search/`).
    /// A running server on the same data directory picks the new index up at its next start;
    /// until then it keeps following catalog changes in its own.
    Reindex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address and port to serve on.
    #[arg(long, env = "DUKEN_LISTEN", default_value = "127.0.0.1:8080", global = true)]
    pub listen: SocketAddr,

    /// Directory for the embedded SQLite database and, later, uploaded media.
    #[arg(long, env = "DUKEN_DATA_DIR", default_value = "./duken-data", global = true)]
    pub data_dir: PathBuf,

    /// `postgres://user:password@host/db` to use PostgreSQL instead of the embedded SQLite
    /// file (also read from `DATABASE_URL`).
    #[arg(long, env = "DUKEN_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Largest number of open database connections.
    #[arg(long, env = "DUKEN_DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,

    /// How long catalog query results may be reused, in milliseconds (0: never). Prices and
    /// stock changed elsewhere show on pages at most this late.
    #[arg(long, env = "DUKEN_CATALOG_CACHE_MS", default_value_t = 1000, global = true)]
    pub catalog_cache_ms: u64,

    /// Demo mode: an empty database gets the demo shop and demo accounts at start, and the SMS
    /// outbox page shows sign-in codes. On by default for the embedded SQLite database, off
    /// when a database URL is given, unless `--demo` (or `--demo=false`) says otherwise.
    #[arg(long = "demo", env = "DUKEN_DEMO", num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set, global = true)]
    pub demo: Option<bool>,

    /// The server's secret key (64 hex digits) for hashing sign-in codes; by default read from
    /// (or created in) `DATA_DIR/secret.key`. Nodes sharing a database must share it.
    #[arg(long, env = "DUKEN_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Log lines as text for people or JSON for collectors.
    #[arg(long, env = "DUKEN_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// Log filter, in `tracing` syntax.
    #[arg(long, env = "DUKEN_LOG", default_value = "info,sqlx=warn", global = true)]
    pub log: String,

    /// Seconds to let in-flight requests finish after SIGTERM or Ctrl-C.
    #[arg(long = "shutdown-grace", env = "DUKEN_SHUTDOWN_GRACE", default_value_t = 20, global = true)]
    pub shutdown_grace_secs: u64,

    /// The largest price list accepted, in bytes (uploads and `import-pricelist`).
    #[arg(long, env = "DUKEN_MAX_PRICELIST_BYTES", default_value_t = 1024 * 1024 * 1024, global = true)]
    pub max_pricelist_bytes: u64,

    /// Let price lists be fetched from loopback and private network addresses. Off by default:
    /// a seller's URL must not reach services inside the operator's network.
    #[arg(long, env = "DUKEN_FEED_ALLOW_PRIVATE", default_value_t = false, global = true)]
    pub feed_allow_private: bool,

    /// How often unpaid orders are expired and order notifications delivered, in milliseconds.
    #[arg(long, env = "DUKEN_ORDER_JOBS_INTERVAL_MS", default_value_t = 2000, global = true)]
    pub order_jobs_interval_ms: u64,

    /// Partner banks and their products, loaded at start (JSON: `{"banks": [...], "rate_caps":
    /// [...]}`, see `crates/duken-store/demo/banks.json`); in demo mode without it, the two
    /// simulated demo banks.
    #[arg(long, env = "DUKEN_BANKS_CONFIG", global = true)]
    pub banks_config: Option<std::path::PathBuf>,

    /// The address banks reach this shop at, for their webhooks (`{url}/banks/{code}/webhook`);
    /// by default `http://` and the address the server listens on.
    #[arg(long, env = "DUKEN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// How often credit applications are sent, retried, polled and expired, in milliseconds.
    #[arg(long, env = "DUKEN_CREDIT_JOBS_INTERVAL_MS", default_value_t = 500, global = true)]
    pub credit_jobs_interval_ms: u64,

    /// How long a call to a bank may take before it counts as failed (and is retried).
    #[arg(long, env = "DUKEN_BANK_TIMEOUT_MS", default_value_t = 10_000, global = true)]
    pub bank_timeout_ms: u64,

    /// The first retry of a failed call to a bank waits this long; each next one twice as
    /// long, up to a minute.
    #[arg(long, env = "DUKEN_BANK_RETRY_MS", default_value_t = 1_000, global = true)]
    pub bank_retry_ms: u64,

    /// An application the bank has been quiet about this long is asked for (a lost webhook).
    #[arg(long, env = "DUKEN_BANK_POLL_SECS", default_value_t = 30, global = true)]
    pub bank_poll_secs: u64,
}

impl Config {
    /// Defaults, as if no flag and no variable were given (for tests and tools).
    pub fn defaults() -> Self {
        Cli::parse_from(["duken"]).config
    }

    pub fn demo_mode(&self) -> bool {
        self.demo.unwrap_or_else(|| self.database_url.as_deref().is_none_or(|u| u.trim().is_empty()))
    }

    pub fn database_target(&self) -> Result<DatabaseTarget, StoreError> {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => DatabaseTarget::from_url(url.trim()),
            _ => Ok(DatabaseTarget::sqlite_in(&self.data_dir)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_work_before_and_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["duken", "--listen", "127.0.0.1:9000", "migrate", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(cli.config.listen.port(), 9000);
        assert_eq!(cli.config.data_dir, PathBuf::from("/tmp/x"));
        assert!(matches!(cli.command, Some(Command::Migrate)));
        let cli = Cli::try_parse_from(["duken", "seed", "--demo"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Seed { synthetic: None, .. })));
        assert_eq!(cli.config.demo, Some(true));
        let cli = Cli::try_parse_from(["duken", "--demo=false"]).unwrap();
        assert_eq!(cli.config.demo, Some(false));
    }

    #[test]
    fn demo_mode_is_on_for_the_embedded_database_only_unless_asked() {
        let mut c = Config::defaults();
        assert!(c.demo_mode());
        c.database_url = Some("postgres://u@h/db".into());
        assert!(!c.demo_mode());
        c.demo = Some(true);
        assert!(c.demo_mode());
        c.database_url = None;
        c.demo = Some(false);
        assert!(!c.demo_mode());
    }

    #[test]
    fn sqlite_in_the_data_dir_unless_a_url_is_given() {
        let mut c = Config::defaults();
        c.data_dir = PathBuf::from("/srv/duken");
        assert_eq!(c.database_target().unwrap(), DatabaseTarget::SqliteFile(PathBuf::from("/srv/duken/duken.db")));
        c.database_url = Some("postgres://u@h/db".into());
        assert_eq!(c.database_target().unwrap().backend(), duken_store::Backend::Postgres);
    }
}
