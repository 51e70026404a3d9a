use thiserror::Error;

/// What can go wrong in storage, by meaning: callers match on `NotFound` and `Conflict`
/// and treat the rest as internal.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule of the schema refused the write; the text names it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Bad configuration (an unsupported URL, an unwritable data directory).
    #[error("{0}")]
    Config(String),
    /// Data read back from the database that breaks a domain rule (a corrupt row).
    #[error("invalid stored data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("constraint").to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}
