//! §1, §7: versions of the user agreement, and who accepted which.

use chrono::{DateTime, Utc};
use duken_core::Localized;
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::{Store, StoreError, on_pool, on_tx};

#[derive(Clone, Debug)]
pub struct AgreementVersion {
    pub version: i32,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub summary: Localized,
    pub text: Localized,
}

#[derive(FromRow)]
struct Row {
    version: i32,
    published_at: DateTime<Utc>,
    published_by: String,
    summary_kk: String,
    summary_ru: String,
    summary_en: String,
    text_kk: String,
    text_ru: String,
    text_en: String,
}

impl From<Row> for AgreementVersion {
    fn from(r: Row) -> Self {
        AgreementVersion {
            version: r.version,
            published_at: r.published_at,
            published_by: r.published_by,
            summary: Localized { kk: r.summary_kk, ru: r.summary_ru, en: r.summary_en },
            text: Localized { kk: r.text_kk, ru: r.text_ru, en: r.text_en },
        }
    }
}

const COLUMNS: &str =
    "version, published_at, published_by, summary_kk, summary_ru, summary_en, text_kk, text_ru, text_en";

impl Store {
    /// The version in force: the newest published.
    pub async fn current_agreement(&self) -> Result<Option<AgreementVersion>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM agreement_versions ORDER BY version DESC LIMIT 1");
        let row: Option<Row> =
            on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_optional(p).await)?;
        Ok(row.map(Into::into))
    }

    pub async fn agreement_versions(&self) -> Result<Vec<AgreementVersion>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM agreement_versions ORDER BY version DESC");
        let rows: Vec<Row> =
            on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Publishes the next version (audited) and returns its number. With `only_if_none`, does
    /// nothing when any version exists (how version 1 is put in at first start).
    pub async fn publish_agreement(
        &self,
        summary: &Localized,
        text: &Localized,
        actor: &str,
        request_id: &str,
        only_if_none: bool,
    ) -> Result<Option<i32>, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let newest: Option<i32> =
            on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT MAX(version) FROM agreement_versions").fetch_one(t).await)?;
        if only_if_none && newest.is_some() {
            return Ok(None);
        }
        let version = newest.unwrap_or(0) + 1;
        on_tx!(&mut tx, |t| {
            sqlx::query(
            "INSERT INTO agreement_versions (version, published_at, published_by, summary_kk, summary_ru, summary_en, text_kk, text_ru, text_en)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(version)
        .bind(now)
        .bind(actor)
        .bind(&summary.kk)
        .bind(&summary.ru)
        .bind(&summary.en)
        .bind(&text.kk)
        .bind(&text.ru)
        .bind(&text.en)
        .execute(t)
        .await
        .map(|_| ())
        })?;
        let subject = format!("agreement:{version}");
        tx.audit(&AuditEntry {
            actor,
            action: "agreement.published",
            subject: &subject,
            reason: &summary.en,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    /// The newest version the user accepted.
    pub async fn accepted_version(&self, user_id: i64) -> Result<Option<i32>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT MAX(version) FROM agreement_acceptances WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_one(p)
        .await)?)
    }

    /// Records a signed-in user's acceptance of `version` (audited).
    pub async fn accept_agreement(
        &self,
        user_id: i64,
        acceptance: &crate::accounts::NewAcceptance<'_>,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.record_acceptance(user_id, acceptance, Utc::now()).await?;
        let user = format!("user:{user_id}");
        let subject = format!("agreement:{}", acceptance.version);
        tx.audit(&AuditEntry {
            actor: &user,
            action: "agreement.accepted",
            subject: &subject,
            reason: acceptance.channel,
            request_id,
        })
        .await?;
        tx.commit().await
    }
}

impl crate::Tx {
    /// Records that `user_id` accepted an agreement version, in this transaction.
    pub async fn record_acceptance(
        &mut self,
        user_id: i64,
        acceptance: &crate::accounts::NewAcceptance<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, |t| {
            sqlx::query(
            "INSERT INTO agreement_acceptances (user_id, version, accepted_at, ip, user_agent, channel) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(user_id)
        .bind(acceptance.version)
        .bind(now)
        .bind(acceptance.ip)
        .bind(acceptance.user_agent)
        .bind(acceptance.channel)
        .execute(t)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}
