//! The audit log: one table, one function to write it, and no way to change what is written
//! (the schema's triggers refuse updates and deletes on both backends).

use chrono::{DateTime, Utc};
use duken_core::PageRequest;
use sqlx::FromRow;

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// One state change: who did what to what, why, in which request.
#[derive(Clone, Debug)]
pub struct AuditEntry<'a> {
    /// `user:42`, `operator:7`, `system`, …
    pub actor: &'a str,
    /// A stable dotted name: `account.signed_in`, `session.revoked`, …
    pub action: &'a str,
    /// `user:42`, `session:9`, `order:…`
    pub subject: &'a str,
    pub reason: &'a str,
    pub request_id: &'a str,
}

#[derive(Clone, Debug, FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub reason: String,
    pub request_id: String,
}

const INSERT: &str =
    "INSERT INTO audit_log (at, actor, action, subject, reason, request_id) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// Writes one entry on its own (for changes that are a single statement).
    pub async fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
        let now = Utc::now();
        on_pool!(self.pool(), |p| sqlx::query(INSERT)
            .bind(now)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.subject)
            .bind(entry.reason)
            .bind(entry.request_id)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The newest entries first, optionally only those about one subject or by one actor.
    pub async fn list_audit(
        &self,
        subject: Option<&str>,
        actor: Option<&str>,
        page: PageRequest,
    ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        let (rows, total) = on_pool!(self.pool(), |p| {
            let rows: Vec<AuditRecord> = sqlx::query_as(
                "SELECT id, at, actor, action, subject, reason, request_id FROM audit_log
                 WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2)
                 ORDER BY id DESC LIMIT $3 OFFSET $4",
            )
            .bind(subject)
            .bind(actor)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR actor = $2)",
            )
            .bind(subject)
            .bind(actor)
            .fetch_one(p)
            .await?;
            (rows, total)
        });
        Ok((rows, total))
    }
}

impl Tx {
    /// Writes one entry in this transaction, so the change and its record commit together.
    pub async fn audit(&mut self, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
        let now = Utc::now();
        on_tx!(self, |t| sqlx::query(INSERT)
            .bind(now)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.subject)
            .bind(entry.reason)
            .bind(entry.request_id)
            .execute(t)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
