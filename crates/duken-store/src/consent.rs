//! §9.1: the consent ledger and the disclosure log, the small interface every module that
//! passes a person's data on calls:
//!
//! - [`Store::give_consents`] when the person agrees (sign-up, checkout, chat), with the text
//!   they saw;
//! - [`Store::withdraw_consent`] when they take it back (for the future);
//! - [`Store::disclose`] *before* any transfer: it refuses one that no live consent covers
//!   and logs every decision, allowed or refused, with its legal basis.

use chrono::{DateTime, Utc};
use duken_core::consent::{Grant, Purpose, Recipient, allowing};
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::{Store, StoreError, Tx, on_pool, on_tx};

#[derive(Clone, Debug)]
pub struct NewConsent<'a> {
    pub purpose: Purpose,
    pub recipient: Recipient,
    pub cross_border: bool,
    pub text_shown: &'a str,
    /// `signup`, `checkout`, `chat` or `profile`.
    pub context: &'a str,
}

#[derive(Clone, Debug, FromRow)]
pub struct ConsentRecord {
    pub id: i64,
    pub purpose: String,
    pub recipient: String,
    pub cross_border: bool,
    pub text_shown: String,
    pub context: String,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A transfer about to happen.
#[derive(Clone, Debug)]
pub struct Disclosure<'a> {
    pub subject_user: i64,
    pub recipient: Recipient,
    /// Which recipient: `seller:3`, `bank:1`, …
    pub recipient_ref: &'a str,
    pub fields: &'a [&'a str],
    pub purpose: Purpose,
    /// The recipient is outside Kazakhstan.
    pub abroad: bool,
    pub request_id: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisclosureOutcome {
    /// Go ahead; the log names this basis.
    Allowed { legal_basis: String },
    /// No live consent covers it: do not transfer.
    Refused,
}

#[derive(Clone, Debug, FromRow)]
pub struct DisclosureRecord {
    pub id: i64,
    pub recipient: String,
    pub recipient_ref: String,
    pub fields: String,
    pub purpose: String,
    pub abroad: bool,
    pub outcome: String,
    pub legal_basis: String,
    pub at: DateTime<Utc>,
}

const CONSENT_COLUMNS: &str = "id, purpose, recipient, cross_border, text_shown, context, given_at, withdrawn_at";

/// The consent among `records` that allows this transfer (`duken_core::consent::allowing`),
/// if any.
pub fn allowing_consent(
    records: &[ConsentRecord],
    purpose: Purpose,
    recipient: Recipient,
    abroad: bool,
) -> Option<i64> {
    let grants: Vec<(i64, Grant)> = records
        .iter()
        .filter_map(|r| {
            Some((
                r.id,
                Grant {
                    purpose: Purpose::parse(&r.purpose)?,
                    recipient: Recipient::parse(&r.recipient)?,
                    cross_border: r.cross_border,
                    withdrawn: r.withdrawn_at.is_some(),
                },
            ))
        })
        .collect();
    let only: Vec<Grant> = grants.iter().map(|(_, g)| *g).collect();
    allowing(&only, purpose, recipient, abroad).map(|i| grants[i].0)
}

fn legal_basis(consent_id: i64, purpose: Purpose) -> String {
    format!("consent:{consent_id} (§9.1 item {})", purpose.item())
}

impl Tx {
    /// [`Store::disclose`] inside a transaction the caller commits (a checkout logs each
    /// seller's disclosure with the orders it is for).
    pub async fn disclose(&mut self, d: &Disclosure<'_>) -> Result<DisclosureOutcome, StoreError> {
        self.disclose_under(d, None).await
    }

    /// [`Tx::disclose`], given the consent that allowed it when the caller read the ledger
    /// moments before: one statement logs the disclosure if that consent is still live (the
    /// checkout's common case); otherwise the ledger is read again and decides.
    pub async fn disclose_under(
        &mut self,
        d: &Disclosure<'_>,
        known: Option<i64>,
    ) -> Result<DisclosureOutcome, StoreError> {
        let now = Utc::now();
        if let Some(consent) = known {
            let basis = legal_basis(consent, d.purpose);
            if self.log_disclosure(d, "allowed", &basis, now, Some(consent)).await? {
                return Ok(DisclosureOutcome::Allowed { legal_basis: basis });
            }
        }
        let sql = format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE user_id = $1 ORDER BY id");
        let records: Vec<ConsentRecord> = on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(d.subject_user)
            .fetch_all(t)
            .await)?;
        let outcome = match allowing_consent(&records, d.purpose, d.recipient, d.abroad) {
            Some(id) => DisclosureOutcome::Allowed { legal_basis: legal_basis(id, d.purpose) },
            None => DisclosureOutcome::Refused,
        };
        let (label, basis) = match &outcome {
            DisclosureOutcome::Allowed { legal_basis } => ("allowed", legal_basis.as_str()),
            DisclosureOutcome::Refused => ("refused", "no consent"),
        };
        self.log_disclosure(d, label, basis, now, None).await?;
        Ok(outcome)
    }

    /// Writes a disclosure's row; under `live_consent`, only if that consent of the subject's
    /// is still live (then whether it was).
    async fn log_disclosure(
        &mut self,
        d: &Disclosure<'_>,
        outcome: &str,
        legal_basis: &str,
        at: DateTime<Utc>,
        live_consent: Option<i64>,
    ) -> Result<bool, StoreError> {
        Ok(on_tx!(&mut *self, |t| {
            sqlx::query(
                "INSERT INTO disclosures (subject_user_id, recipient, recipient_ref, fields, purpose, abroad, outcome,
                     legal_basis, at, request_id)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
                 WHERE $11 IS NULL
                    OR EXISTS (SELECT 1 FROM consents WHERE id = $11 AND user_id = $1 AND withdrawn_at IS NULL)",
            )
            .bind(d.subject_user)
            .bind(d.recipient.code())
            .bind(d.recipient_ref)
            .bind(d.fields.join(","))
            .bind(d.purpose.code())
            .bind(d.abroad)
            .bind(outcome)
            .bind(legal_basis)
            .bind(at)
            .bind(d.request_id)
            .bind(live_consent)
            .execute(t)
            .await
            .map(|r| r.rows_affected() == 1)
        })?)
    }

    /// Records consents in this transaction (sign-up gives them with the account).
    pub async fn give_consents(
        &mut self,
        user_id: i64,
        consents: &[NewConsent<'_>],
        request_id: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        for c in consents {
            on_tx!(&mut *self, |t| sqlx::query(
                "INSERT INTO consents (user_id, purpose, recipient, cross_border, text_shown, context, given_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(user_id)
            .bind(c.purpose.code())
            .bind(c.recipient.code())
            .bind(c.cross_border)
            .bind(c.text_shown)
            .bind(c.context)
            .bind(now)
            .execute(t)
            .await
            .map(|_| ()))?;
        }
        if !consents.is_empty() {
            let user = format!("user:{user_id}");
            let reason = format!("{} consent(s), {}", consents.len(), consents[0].context);
            self.audit(&AuditEntry {
                actor: &user,
                action: "consent.given",
                subject: &user,
                reason: &reason,
                request_id,
            })
            .await?;
        }
        Ok(())
    }
}

impl Store {
    pub async fn give_consents(
        &self,
        user_id: i64,
        consents: &[NewConsent<'_>],
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.give_consents(user_id, consents, request_id).await?;
        tx.commit().await
    }

    pub async fn consents(&self, user_id: i64) -> Result<Vec<ConsentRecord>, StoreError> {
        let sql = format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE user_id = $1 ORDER BY id");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user_id)
            .fetch_all(p)
            .await)?)
    }

    /// Withdraws one of the user's own live consents (audited); `false` if there is none.
    pub async fn withdraw_consent(&self, user_id: i64, consent_id: i64, request_id: &str) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE consents SET withdrawn_at = $1 WHERE id = $2 AND user_id = $3 AND withdrawn_at IS NULL"
        )
        .bind(now)
        .bind(consent_id)
        .bind(user_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed == 1 {
            let user = format!("user:{user_id}");
            let subject = format!("consent:{consent_id}");
            tx.audit(&AuditEntry {
                actor: &user,
                action: "consent.withdrawn",
                subject: &subject,
                reason: "by the user",
                request_id,
            })
            .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Decides whether a transfer may happen and logs the decision either way.
    pub async fn disclose(&self, d: &Disclosure<'_>) -> Result<DisclosureOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = tx.disclose(d).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn disclosures(&self, user_id: i64) -> Result<Vec<DisclosureRecord>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, recipient, recipient_ref, fields, purpose, abroad, outcome, legal_basis, at FROM disclosures
             WHERE subject_user_id = $1 ORDER BY id DESC"
        )
        .bind(user_id)
        .fetch_all(p)
        .await)?)
    }
}
