//! Accounts (§2): users, one-time sign-in codes, sessions, agreement acceptances (§1, §7) and
//! the development SMS outbox. Secrets are never stored: codes and session tokens are kept
//! as hashes computed by the caller.

use chrono::{DateTime, Utc};
use duken_core::Phone;
use duken_core::otp::{IssuedCode, RecentCodes};
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::consent::NewConsent;
use crate::{Store, StoreError, on_pool, on_tx};

#[derive(Clone, Debug)]
pub struct StoredCode {
    pub id: i64,
    pub code_hash: String,
    pub issued: IssuedCode,
}

#[derive(FromRow)]
struct CodeRow {
    id: i64,
    code_hash: String,
    created_at: DateTime<Utc>,
    attempts: i32,
    used_at: Option<DateTime<Utc>>,
}

/// The signed-in user behind a session cookie.
#[derive(Clone, Debug, FromRow)]
pub struct SessionUser {
    pub session_id: i64,
    pub user_id: i64,
    pub phone: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct SessionInfo {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct Acceptance {
    pub version: i32,
    pub accepted_at: DateTime<Utc>,
    pub channel: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct SmsMessage {
    pub id: i64,
    pub phone: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What a new session records about where it came from.
#[derive(Clone, Debug)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// What a number that has no account yet brings when it signs in: the agreement it accepted
/// and the consents it gave on the sign-up screen.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    pub acceptance: NewAcceptance<'a>,
    pub consents: &'a [NewConsent<'a>],
}

/// A new account's acceptance of the agreement (§1): which version, from where, how.
#[derive(Clone, Debug)]
pub struct NewAcceptance<'a> {
    pub version: i32,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub channel: &'a str,
}

impl Store {
    /// When codes went to this number and were asked for from this address, since `since`.
    pub async fn recent_codes(&self, phone: &Phone, ip: &str, since: DateTime<Utc>) -> Result<RecentCodes, StoreError> {
        let (to_phone, from_ip) = on_pool!(self.pool(), |p| {
            let to_phone: Vec<DateTime<Utc>> =
                sqlx::query_scalar("SELECT created_at FROM login_codes WHERE phone = $1 AND created_at >= $2")
                    .bind(phone.as_str())
                    .bind(since)
                    .fetch_all(p)
                    .await?;
            let from_ip: Vec<DateTime<Utc>> =
                sqlx::query_scalar("SELECT created_at FROM login_codes WHERE requester_ip = $1 AND created_at >= $2")
                    .bind(ip)
                    .bind(since)
                    .fetch_all(p)
                    .await?;
            (to_phone, from_ip)
        });
        Ok(RecentCodes { to_phone, from_ip })
    }

    /// Records a code (by its hash) and, in the same transaction, the SMS that carries it.
    pub async fn issue_code(
        &self,
        phone: &Phone,
        code_hash: &str,
        ip: &str,
        sms_body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query(
            "INSERT INTO login_codes (phone, code_hash, requester_ip, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(phone.as_str())
        .bind(code_hash)
        .bind(ip)
        .bind(now)
        .execute(t)
        .await
        .map(|_| ()))?;
        on_tx!(&mut tx, |t| sqlx::query("INSERT INTO sms_outbox (phone, body, created_at) VALUES ($1, $2, $3)")
            .bind(phone.as_str())
            .bind(sms_body)
            .bind(now)
            .execute(t)
            .await
            .map(|_| ()))?;
        tx.commit().await
    }

    /// The newest code sent to this number.
    pub async fn latest_code(&self, phone: &Phone) -> Result<Option<StoredCode>, StoreError> {
        let row: Option<CodeRow> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code_hash, created_at, attempts, used_at FROM login_codes
             WHERE phone = $1 ORDER BY id DESC LIMIT 1"
        )
        .bind(phone.as_str())
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| StoredCode {
            id: r.id,
            code_hash: r.code_hash,
            issued: IssuedCode {
                created_at: r.created_at,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                used: r.used_at.is_some(),
            },
        }))
    }

    pub async fn count_wrong_attempt(&self, code_id: i64) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query("UPDATE login_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(code_id)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Uses the code and signs the number in: marks the code used (exactly once, even under
    /// concurrent tries), creates the account if the number has none (recording its
    /// acceptance of the agreement), and opens a session — all in one transaction, audited.
    /// Returns the user id and whether the account is new; `None` if the code was used
    /// meanwhile.
    pub async fn sign_in_with_code(
        &self,
        code_id: i64,
        phone: &Phone,
        session: &NewSession<'_>,
        new_account: &NewAccount<'_>,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, bool)>, StoreError> {
        let mut tx = self.begin().await?;
        let used =
            on_tx!(&mut tx, |t| sqlx::query("UPDATE login_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now)
                .bind(code_id)
                .execute(t)
                .await
                .map(|r| r.rows_affected()))?;
        if used != 1 {
            return Ok(None);
        }
        let existing: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(t)
            .await)?;
        let user_id = match existing {
            Some(id) => id,
            None => tx.create_user(phone, new_account, None, request_id, now).await?,
        };
        tx.open_session(user_id, session, "one-time code", request_id, now).await?;
        tx.commit().await?;
        Ok(Some((user_id, existing.is_none())))
    }

    /// The user of a live session (not revoked, not expired).
    pub async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT s.id AS session_id, u.id AS user_id, u.phone FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn list_sessions(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<SessionInfo>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC"
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(p)
        .await)?)
    }

    /// Revokes one session of the user, or all of them (`session: None`); audited. Returns
    /// how many were revoked.
    pub async fn revoke_sessions(
        &self,
        user_id: i64,
        session: Option<i64>,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let revoked = on_tx!(&mut tx, |t| {
            sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR id = $3)"
        )
        .bind(now)
        .bind(user_id)
        .bind(session)
        .execute(t)
        .await
        .map(|r| r.rows_affected())
        })?;
        let user = format!("user:{user_id}");
        let (action, subject) = match session {
            Some(id) => ("session.revoked", format!("session:{id}")),
            None => ("session.revoked_all", user.clone()),
        };
        let reason = format!("{revoked} session(s)");
        tx.audit(&AuditEntry { actor: &user, action, subject: &subject, reason: &reason, request_id }).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    pub async fn acceptances(&self, user_id: i64) -> Result<Vec<Acceptance>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT version, accepted_at, channel FROM agreement_acceptances WHERE user_id = $1 ORDER BY id DESC"
        )
        .bind(user_id)
        .fetch_all(p)
        .await)?)
    }

    /// The newest messages of the development SMS port.
    pub async fn list_sms(&self, limit: i64) -> Result<Vec<SmsMessage>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, phone, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT $1"
        )
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }
}

/// A role held by a user (active unless revoked).
#[derive(Clone, Debug, FromRow)]
pub struct RoleGrant {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub seller_id: Option<i64>,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

impl crate::Tx {
    /// [`Store::grant_role`] inside a larger change (a seller's approval, an invitation).
    pub async fn grant_role(
        &mut self,
        user_id: i64,
        role: &str,
        seller_id: Option<i64>,
        change: Change<'_>,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let held: Option<i64> = on_tx!(&mut *self, |t| sqlx::query_scalar(
            "SELECT id FROM user_roles WHERE user_id = $1 AND role = $2 AND revoked_at IS NULL
               AND (seller_id = $3 OR (seller_id IS NULL AND $3 IS NULL))"
        )
        .bind(user_id)
        .bind(role)
        .bind(seller_id)
        .fetch_optional(t)
        .await)?;
        if held.is_some() {
            return Err(StoreError::Conflict("role already held".into()));
        }
        let id: i64 = on_tx!(&mut *self, |t| {
            sqlx::query_scalar(
            "INSERT INTO user_roles (user_id, role, seller_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        .bind(user_id)
        .bind(role)
        .bind(seller_id)
        .bind(change.actor)
        .bind(now)
        .fetch_one(t)
        .await
        })?;
        let subject = format!("user:{user_id}");
        let reason = match seller_id {
            Some(s) => format!("{role} of seller:{s}; {}", change.reason),
            None => format!("{role}; {}", change.reason),
        };
        self.audit(&AuditEntry {
            actor: change.actor,
            action: "role.granted",
            subject: &subject,
            reason: &reason,
            request_id: change.request_id,
        })
        .await?;
        Ok(id)
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct UserSummary {
    pub id: i64,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

/// Who changes a role and why, for the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub reason: &'a str,
    pub request_id: &'a str,
}

impl Store {
    pub async fn active_roles(&self, user_id: i64) -> Result<Vec<RoleGrant>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, user_id, role, seller_id, granted_by, granted_at FROM user_roles
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
        )
        .bind(user_id)
        .fetch_all(p)
        .await)?)
    }

    /// Grants a role (audited). A role the user already holds (for the same seller) is a
    /// conflict; a seller role needs a seller and others must have none (the schema checks).
    pub async fn grant_role(
        &self,
        user_id: i64,
        role: &str,
        seller_id: Option<i64>,
        change: Change<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.grant_role(user_id, role, seller_id, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Revokes a grant (audited); `false` if it was not active.
    pub async fn revoke_role(&self, grant_id: i64, change: Change<'_>) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let grant: Option<RoleGrant> = on_tx!(&mut tx, |t| {
            sqlx::query_as(
            "SELECT id, user_id, role, seller_id, granted_by, granted_at FROM user_roles WHERE id = $1 AND revoked_at IS NULL"
        )
        .bind(grant_id)
        .fetch_optional(t)
        .await
        })?;
        let Some(grant) = grant else { return Ok(false) };
        on_tx!(&mut tx, |t| sqlx::query("UPDATE user_roles SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(grant_id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let subject = format!("user:{}", grant.user_id);
        let reason = format!("{}; {}", grant.role, change.reason);
        tx.audit(&AuditEntry {
            actor: change.actor,
            action: "role.revoked",
            subject: &subject,
            reason: &reason,
            request_id: change.request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn list_users(&self, page: duken_core::PageRequest) -> Result<(Vec<UserSummary>, i64), StoreError> {
        let (rows, total) = on_pool!(self.pool(), |p| {
            let rows: Vec<UserSummary> =
                sqlx::query_as("SELECT id, phone, created_at FROM users ORDER BY id LIMIT $1 OFFSET $2")
                    .bind(page.limit())
                    .bind(page.offset())
                    .fetch_all(p)
                    .await?;
            let total: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(p).await?;
            (rows, total)
        });
        Ok((rows, total))
    }

    /// Roles of many users at once (for lists).
    pub async fn active_roles_of(&self, user_ids: &[i64]) -> Result<Vec<RoleGrant>, StoreError> {
        let mut out = vec![];
        for id in user_ids {
            out.extend(self.active_roles(*id).await?);
        }
        Ok(out)
    }

    /// Creates an account for a number if it has none (demo accounts), with its acceptance of
    /// the agreement; audited. Returns the user id.
    pub async fn ensure_user(
        &self,
        phone: &Phone,
        new_account: &NewAccount<'_>,
        actor: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let existing: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(t)
            .await)?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = tx.create_user(phone, new_account, Some(actor), "", Utc::now()).await?;
        tx.commit().await?;
        Ok(id)
    }
}

impl crate::Tx {
    /// Opens the account of `phone`: the user, its acceptance of the agreement and the consents
    /// it gave, audited as done by `actor` (the new user themselves when `None`).
    pub async fn create_user(
        &mut self,
        phone: &Phone,
        new_account: &NewAccount<'_>,
        actor: Option<&str>,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id: i64 = on_tx!(&mut *self, |t| sqlx::query_scalar(
            "INSERT INTO users (phone, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id"
        )
        .bind(phone.as_str())
        .bind(now)
        .fetch_one(t)
        .await)?;
        self.record_acceptance(id, &new_account.acceptance, now).await?;
        let user = format!("user:{id}");
        let reason = format!("agreement version {}", new_account.acceptance.version);
        let entry = AuditEntry {
            actor: actor.unwrap_or(&user),
            action: "account.created",
            subject: &user,
            reason: &reason,
            request_id,
        };
        self.audit(&entry).await?;
        self.give_consents(id, new_account.consents, request_id).await?;
        Ok(id)
    }
}

impl Store {
    pub async fn display_name(&self, user_id: i64) -> Result<String, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await)?)
    }

    /// Changes the name the person goes by (audited).
    pub async fn set_display_name(&self, user_id: i64, name: &str, request_id: &str) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query("UPDATE users SET display_name = $1, updated_at = $2 WHERE id = $3")
            .bind(name)
            .bind(now)
            .bind(user_id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let user = format!("user:{user_id}");
        tx.audit(&AuditEntry { actor: &user, action: "account.renamed", subject: &user, reason: "", request_id })
            .await?;
        tx.commit().await
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Creates a token (by its hash; the caller shows the token once), audited.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(t)
        .await)?;
        let user = format!("user:{user_id}");
        let subject = format!("api_token:{id}");
        tx.audit(&AuditEntry {
            actor: &user,
            action: "api_token.created",
            subject: &subject,
            reason: name,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
        )
        .bind(user_id)
        .fetch_all(p)
        .await
        })?)
    }

    /// Revokes one of the user's own tokens (audited); `false` if there is none.
    pub async fn revoke_api_token(&self, user_id: i64, token_id: i64, request_id: &str) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
        )
        .bind(now)
        .bind(token_id)
        .bind(user_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed == 1 {
            let user = format!("user:{user_id}");
            let subject = format!("api_token:{token_id}");
            tx.audit(&AuditEntry {
                actor: &user,
                action: "api_token.revoked",
                subject: &subject,
                reason: "",
                request_id,
            })
            .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The user behind a live API token; `session_id` is the token's id, negated, so it can
    /// never match a session.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<SessionUser>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT -t.id AS session_id, u.id AS user_id, u.phone FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await)?)
    }
}

impl Store {
    /// The account with this phone, if any.
    pub async fn user_by_phone(&self, phone: &Phone) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(p)
            .await)?)
    }

    /// The account of a number and its password hash, if it has set one.
    pub async fn password_of(&self, phone: &Phone) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let row: Option<(i64, Option<String>)> =
            on_pool!(self.pool(), |p| sqlx::query_as("SELECT id, password_hash FROM users WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(p)
                .await)?;
        Ok(row)
    }

    /// Sets (or replaces) the user's password hash; audited, without the hash.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, request_id: &str) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let user = format!("user:{user_id}");
        tx.audit(&AuditEntry { actor: &user, action: "account.password_set", subject: &user, reason: "", request_id })
            .await?;
        tx.commit().await
    }

    /// Failed password sign-ins for this number and from this address since `since`.
    pub async fn password_failures(
        &self,
        phone: &Phone,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            let by_phone: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM password_failures WHERE phone = $1 AND at >= $2",
            )
            .bind(phone.as_str())
            .bind(since)
            .fetch_one(p)
            .await?;
            let by_ip: i64 =
                sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM password_failures WHERE ip = $1 AND at >= $2")
                    .bind(ip)
                    .bind(since)
                    .fetch_one(p)
                    .await?;
            (by_phone, by_ip)
        }))
    }

    pub async fn record_password_failure(&self, phone: &Phone, ip: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query("INSERT INTO password_failures (phone, ip, at) VALUES ($1, $2, $3)")
            .bind(phone.as_str())
            .bind(ip)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Opens a session for a user who proved who they are (`how`: a password); audited.
    pub async fn open_session(
        &self,
        user_id: i64,
        session: &NewSession<'_>,
        how: &str,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.open_session(user_id, session, how, request_id, now).await?;
        tx.commit().await?;
        Ok(id)
    }
}

impl crate::Tx {
    /// Opens a session in this transaction (the one way sessions are created); audited.
    pub async fn open_session(
        &mut self,
        user_id: i64,
        session: &NewSession<'_>,
        how: &str,
        request_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let session_id: i64 = on_tx!(&mut *self, |t| sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
             VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id"
        )
        .bind(session.token_hash)
        .bind(user_id)
        .bind(now)
        .bind(session.expires_at)
        .bind(session.ip)
        .bind(session.user_agent)
        .fetch_one(t)
        .await)?;
        let user = format!("user:{user_id}");
        let subject = format!("session:{session_id}");
        self.audit(&AuditEntry { actor: &user, action: "session.opened", subject: &subject, reason: how, request_id })
            .await?;
        Ok(session_id)
    }
}
