//! §3: seller onboarding — applications, the operator's decision, the seller's stores and
//! staff invitations. Every change is audited in the same transaction as the change.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use duken_core::seller::{Application, NewStore};
use duken_core::{PageRequest, Phone};
use sqlx::FromRow;

use crate::accounts::Change;
use crate::audit::AuditEntry;
use crate::{Store, StoreError, Tx, on_pool, on_tx};

#[derive(Clone, Debug, FromRow)]
pub struct SellerApplication {
    pub id: i64,
    pub user_id: i64,
    pub user_phone: String,
    pub bin: Option<String>,
    pub legal_name: String,
    pub display_name: String,
    pub country: String,
    pub is_eaeu: bool,
    pub contact_phone: String,
    pub contact_email: String,
    pub store_code: String,
    pub store_name: String,
    pub store_city_kato: Option<String>,
    pub store_address: String,
    pub store_hours: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub seller_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

const APPLICATION_COLUMNS: &str = "a.id, a.user_id, u.phone AS user_phone, a.bin, a.legal_name, a.display_name, a.country, \
     a.is_eaeu, a.contact_phone, a.contact_email, a.store_code, a.store_name, a.store_city_kato, a.store_address, \
     a.store_hours, a.status, a.decision_reason, a.decided_at, a.seller_id, a.created_at";

/// The operator's answer to an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Clone, Debug, FromRow)]
pub struct Invitation {
    pub id: i64,
    pub seller_id: i64,
    pub seller_name: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

/// A person who works for a seller.
#[derive(Clone, Debug, FromRow)]
pub struct StaffMember {
    pub grant_id: i64,
    pub user_id: i64,
    pub phone: String,
    pub display_name: String,
    pub role: String,
    pub granted_at: DateTime<Utc>,
}

/// Where and how often duken fetches a seller's price list.
#[derive(Clone, Debug, FromRow)]
pub struct FeedSettings {
    pub seller_id: i64,
    pub pricelist_url: Option<String>,
    pub pricelist_every_hours: i32,
    pub pricelist_fetched_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records an application (audited). One pending application per user at a time, and a
    /// BIN that already belongs to a seller cannot apply again: both are conflicts.
    pub async fn apply_for_seller(&self, user_id: i64, app: &Application, request_id: &str) -> Result<i64, StoreError> {
        let now = Utc::now();
        let bin = app.bin.as_ref().map(|b| b.as_str());
        let mut tx = self.begin().await?;
        let pending: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "SELECT id FROM seller_applications WHERE user_id = $1 AND status = 'pending'"
        )
        .bind(user_id)
        .fetch_optional(t)
        .await)?;
        if pending.is_some() {
            return Err(StoreError::Conflict("pending application".into()));
        }
        if let Some(bin) = bin {
            let taken: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM sellers WHERE bin = $1")
                .bind(bin)
                .fetch_optional(t)
                .await)?;
            if taken.is_some() {
                return Err(StoreError::Conflict("bin taken".into()));
            }
        }
        let city = app.store.city_kato.map(|k| k.to_string());
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO seller_applications (user_id, bin, legal_name, display_name, country, is_eaeu,
                 contact_phone, contact_email, store_code, store_name, store_city_kato, store_address, store_hours,
                 status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14) RETURNING id"
        )
        .bind(user_id)
        .bind(bin)
        .bind(&app.legal_name)
        .bind(&app.display_name)
        .bind(app.country.code())
        .bind(app.country.is_eaeu())
        .bind(app.contact_phone.as_str())
        .bind(&app.contact_email)
        .bind(&app.store.code)
        .bind(&app.store.name)
        .bind(city)
        .bind(&app.store.address)
        .bind(&app.store.opening_hours)
        .bind(now)
        .fetch_one(t)
        .await)?;
        let actor = format!("user:{user_id}");
        let subject = format!("seller_application:{id}");
        tx.audit(&AuditEntry {
            actor: &actor,
            action: "seller.applied",
            subject: &subject,
            reason: &app.legal_name,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Applications, newest first, optionally only those in one status.
    pub async fn seller_applications(
        &self,
        status: Option<&str>,
        page: PageRequest,
    ) -> Result<(Vec<SellerApplication>, i64), StoreError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM seller_applications a JOIN users u ON u.id = a.user_id
             WHERE ($1 IS NULL OR a.status = $1) ORDER BY a.id DESC LIMIT $2 OFFSET $3"
        );
        Ok(on_pool!(self.pool(), |p| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(status)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(p)
                .await?;
            let total = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM seller_applications WHERE ($1 IS NULL OR status = $1)",
            )
            .bind(status)
            .fetch_one(p)
            .await?;
            (rows, total)
        }))
    }

    pub async fn seller_application(&self, id: i64) -> Result<SellerApplication, StoreError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM seller_applications a JOIN users u ON u.id = a.user_id WHERE a.id = $1"
        );
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_one(p).await)?)
    }

    /// A user's own applications, newest first.
    pub async fn applications_of(&self, user_id: i64) -> Result<Vec<SellerApplication>, StoreError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM seller_applications a JOIN users u ON u.id = a.user_id
             WHERE a.user_id = $1 ORDER BY a.id DESC"
        );
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user_id)
            .fetch_all(p)
            .await)?)
    }

    /// The operator's decision (audited). Approval creates the seller (its merchant id is its
    /// BIN, or `seller-<application id>` for a foreign company), its first store, and the
    /// applicant's owner role, all in one transaction. A decided application is a conflict.
    pub async fn decide_application(
        &self,
        id: i64,
        decision: Decision,
        operator_user_id: i64,
        reason: &str,
        request_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        let now = Utc::now();
        let app = self.seller_application(id).await?;
        let mut tx = self.begin().await?;
        // Claim the application first, so two operators deciding at once cannot both win.
        let status = match decision {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
        };
        let claimed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE seller_applications SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4
             WHERE id = $5 AND status = 'pending'"
        )
        .bind(status)
        .bind(reason)
        .bind(operator_user_id)
        .bind(now)
        .bind(id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed != 1 {
            return Err(StoreError::Conflict("already decided".into()));
        }
        let actor = format!("user:{operator_user_id}");
        let subject = format!("seller_application:{id}");
        let action = match decision {
            Decision::Approve => "seller.approved",
            Decision::Reject => "seller.rejected",
        };
        tx.audit(&AuditEntry { actor: &actor, action, subject: &subject, reason, request_id }).await?;
        if decision == Decision::Reject {
            tx.commit().await?;
            return Ok(None);
        }
        let code = app.bin.clone().unwrap_or_else(|| format!("seller-{id}"));
        let seller_id: i64 = on_tx!(&mut tx, |t| {
            sqlx::query_scalar(
            "INSERT INTO sellers (code, bin, legal_name, display_name, country, is_eaeu, contact_phone, contact_email,
                                  created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id"
        )
        .bind(&code)
        .bind(&app.bin)
        .bind(&app.legal_name)
        .bind(&app.display_name)
        .bind(&app.country)
        .bind(app.is_eaeu)
        .bind(&app.contact_phone)
        .bind(&app.contact_email)
        .bind(now)
        .fetch_one(t)
        .await
        })?;
        on_tx!(&mut tx, |t| sqlx::query("UPDATE seller_applications SET seller_id = $1 WHERE id = $2")
            .bind(seller_id)
            .bind(id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let store = NewStore {
            code: app.store_code.clone(),
            name: app.store_name.clone(),
            city_kato: app.store_city_kato.as_deref().and_then(|k| duken_core::Kato::parse(k).ok()),
            address: app.store_address.clone(),
            opening_hours: app.store_hours.clone(),
        };
        tx.insert_store(seller_id, &app.country, &store, &actor, request_id).await?;
        let change = Change { actor: &actor, reason: "seller application approved", request_id };
        tx.grant_role(app.user_id, duken_core::roles::Role::SellerOwner.code(), Some(seller_id), change).await?;
        tx.commit().await?;
        Ok(Some(seller_id))
    }

    /// Adds a store to a seller (audited); a store code the seller already uses is a conflict.
    pub async fn add_store(
        &self,
        seller_id: i64,
        store: &NewStore,
        actor: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let country: String =
            on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT country FROM sellers WHERE id = $1")
                .bind(seller_id)
                .fetch_one(p)
                .await)?;
        let mut tx = self.begin().await?;
        let id = tx.insert_store(seller_id, &country, store, actor, request_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a store's name, city, address and hours (its code stays: price lists use it).
    pub async fn update_store(
        &self,
        seller_id: i64,
        store_id: i64,
        store: &NewStore,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE stores SET name = $1, city_kato = $2, address = $3, opening_hours = $4
             WHERE id = $5 AND seller_id = $6"
        )
        .bind(&store.name)
        .bind(store.city_kato.map(|k| k.to_string()))
        .bind(&store.address)
        .bind(&store.opening_hours)
        .bind(store_id)
        .bind(seller_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("store:{store_id}");
        tx.audit(&AuditEntry { actor, action: "store.updated", subject: &subject, reason: &store.name, request_id })
            .await?;
        tx.record_seller_change(seller_id).await?;
        tx.commit().await
    }

    /// Invites a manager by phone number (audited); a pending invitation for the same number
    /// is a conflict.
    pub async fn invite_manager(
        &self,
        seller_id: i64,
        phone: &Phone,
        invited_by: i64,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let pending: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "SELECT id FROM seller_invitations WHERE seller_id = $1 AND phone = $2
               AND accepted_at IS NULL AND revoked_at IS NULL"
        )
        .bind(seller_id)
        .bind(phone.as_str())
        .fetch_optional(t)
        .await)?;
        if pending.is_some() {
            return Err(StoreError::Conflict("invitation pending".into()));
        }
        let id: i64 = on_tx!(&mut tx, |t| {
            sqlx::query_scalar(
            "INSERT INTO seller_invitations (seller_id, phone, invited_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(seller_id)
        .bind(phone.as_str())
        .bind(invited_by)
        .bind(now)
        .fetch_one(t)
        .await
        })?;
        let actor = format!("user:{invited_by}");
        let subject = format!("seller:{seller_id}");
        // The number itself stays out of the audit log; the invitation row holds it.
        let reason = format!("invitation:{id}");
        tx.audit(&AuditEntry {
            actor: &actor,
            action: "seller.manager_invited",
            subject: &subject,
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Pending invitations, of one seller or to one phone number.
    pub async fn pending_invitations(
        &self,
        seller_id: Option<i64>,
        phone: Option<&Phone>,
    ) -> Result<Vec<Invitation>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT i.id, i.seller_id, s.display_name AS seller_name, i.phone, i.created_at
             FROM seller_invitations i JOIN sellers s ON s.id = i.seller_id
             WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL
               AND ($1 IS NULL OR i.seller_id = $1) AND ($2 IS NULL OR i.phone = $2)
             ORDER BY i.id"
        )
        .bind(seller_id)
        .bind(phone.map(Phone::as_str))
        .fetch_all(p)
        .await)?)
    }

    /// The invitee (signed in with the invited number) accepts: the manager role is granted.
    pub async fn accept_invitation(
        &self,
        invitation_id: i64,
        user_id: i64,
        phone: &Phone,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let seller_id: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "UPDATE seller_invitations SET accepted_at = $1
             WHERE id = $2 AND phone = $3 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING seller_id"
        )
        .bind(now)
        .bind(invitation_id)
        .bind(phone.as_str())
        .fetch_optional(t)
        .await)?;
        let seller_id = seller_id.ok_or(StoreError::NotFound)?;
        let actor = format!("user:{user_id}");
        let reason = format!("invitation:{invitation_id} accepted");
        let change = Change { actor: &actor, reason: &reason, request_id };
        tx.grant_role(user_id, duken_core::roles::Role::SellerManager.code(), Some(seller_id), change).await?;
        tx.commit().await?;
        Ok(seller_id)
    }

    /// The seller's owner withdraws an invitation not yet accepted (audited).
    pub async fn revoke_invitation(
        &self,
        seller_id: i64,
        invitation_id: i64,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE seller_invitations SET revoked_at = $1
             WHERE id = $2 AND seller_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL"
        )
        .bind(Utc::now())
        .bind(invitation_id)
        .bind(seller_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("seller:{seller_id}");
        let reason = format!("invitation:{invitation_id}");
        tx.audit(&AuditEntry {
            actor,
            action: "seller.invitation_revoked",
            subject: &subject,
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await
    }

    /// The seller's active staff: owners and managers.
    pub async fn seller_staff(&self, seller_id: i64) -> Result<Vec<StaffMember>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT r.id AS grant_id, u.id AS user_id, u.phone, u.display_name, r.role, r.granted_at
             FROM user_roles r JOIN users u ON u.id = r.user_id
             WHERE r.seller_id = $1 AND r.revoked_at IS NULL ORDER BY r.role DESC, r.id"
        )
        .bind(seller_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn feed_settings(&self, seller_id: i64) -> Result<FeedSettings, StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT id AS seller_id, pricelist_url, pricelist_every_hours, pricelist_fetched_at FROM sellers WHERE id = $1"
        )
        .bind(seller_id)
        .fetch_one(p)
        .await
        })?)
    }

    /// Sets (or clears) the URL duken fetches the seller's price list from (audited).
    pub async fn set_feed(
        &self,
        seller_id: i64,
        url: Option<&str>,
        every_hours: i32,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE sellers SET pricelist_url = $1, pricelist_every_hours = $2, updated_at = $3 WHERE id = $4"
        )
        .bind(url)
        .bind(every_hours)
        .bind(Utc::now())
        .bind(seller_id)
        .execute(t)
        .await
        .map(|_| ()))?;
        let subject = format!("seller:{seller_id}");
        tx.audit(&AuditEntry {
            actor,
            action: "seller.feed_set",
            subject: &subject,
            reason: url.unwrap_or(""),
            request_id,
        })
        .await?;
        tx.commit().await
    }

    /// Sellers whose price list is due for a fetch at `now`.
    pub async fn feeds_due(&self, now: DateTime<Utc>) -> Result<Vec<FeedSettings>, StoreError> {
        let rows: Vec<FeedSettings> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id AS seller_id, pricelist_url, pricelist_every_hours, pricelist_fetched_at
             FROM sellers WHERE pricelist_url IS NOT NULL AND status = 'active' ORDER BY id"
        )
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .filter(|f| {
                f.pricelist_fetched_at
                    .is_none_or(|at| now - at >= chrono::Duration::hours(i64::from(f.pricelist_every_hours)))
            })
            .collect())
    }

    pub async fn mark_feed_fetched(&self, seller_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query("UPDATE sellers SET pricelist_fetched_at = $1 WHERE id = $2")
            .bind(at)
            .bind(seller_id)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}

impl Tx {
    async fn insert_store(
        &mut self,
        seller_id: i64,
        country: &str,
        store: &NewStore,
        actor: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let exists: Option<i64> =
            on_tx!(&mut *self, |t| sqlx::query_scalar("SELECT id FROM stores WHERE seller_id = $1 AND code = $2")
                .bind(seller_id)
                .bind(&store.code)
                .fetch_optional(t)
                .await)?;
        if exists.is_some() {
            return Err(StoreError::Conflict("store code taken".into()));
        }
        // A store in a Kazakhstan city is in Kazakhstan; a warehouse abroad is in the seller's country.
        let store_country = if store.city_kato.is_some() { "KZ" } else { country };
        let id: i64 = on_tx!(&mut *self, |t| sqlx::query_scalar(
            "INSERT INTO stores (seller_id, code, name, country, city_kato, address, opening_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(seller_id)
        .bind(&store.code)
        .bind(&store.name)
        .bind(store_country)
        .bind(store.city_kato.map(|k| k.to_string()))
        .bind(&store.address)
        .bind(&store.opening_hours)
        .fetch_one(t)
        .await)?;
        let subject = format!("store:{id}");
        let reason = format!("seller:{seller_id} {}", store.code);
        self.audit(&AuditEntry { actor, action: "store.added", subject: &subject, reason: &reason, request_id })
            .await?;
        Ok(id)
    }

    /// Notes in the change feed that every product the seller offers may have changed.
    pub async fn record_seller_change(&mut self, seller_id: i64) -> Result<(), StoreError> {
        on_tx!(&mut *self, |t| sqlx::query("INSERT INTO catalog_changes (seller_id, changed_at) VALUES ($1, $2)")
            .bind(seller_id)
            .bind(Utc::now())
            .execute(t)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Notes in the change feed that one product changed.
    pub async fn record_product_change(&mut self, product_id: i64) -> Result<(), StoreError> {
        on_tx!(&mut *self, |t| sqlx::query("INSERT INTO catalog_changes (product_id, changed_at) VALUES ($1, $2)")
            .bind(product_id)
            .bind(Utc::now())
            .execute(t)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}

/// A card waiting for moderation (§6): created from a seller's offer whose SKU matched none.
#[derive(Clone, Debug, FromRow)]
pub struct PendingCard {
    pub product_id: i64,
    pub brand: String,
    pub model: String,
    pub seller_id: Option<i64>,
    pub seller_name: Option<String>,
    pub sku: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What the operator does with a card waiting for moderation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    /// Show it as a new card in this category.
    Publish {
        category_id: i64,
    },
    /// It is a product that already has a card: its offers move there, it is retired.
    Merge {
        into_product_id: i64,
    },
    Reject,
}

impl Store {
    pub async fn pending_cards(&self, page: PageRequest) -> Result<(Vec<PendingCard>, i64), StoreError> {
        Ok(on_pool!(self.pool(), |p| {
            let rows = sqlx::query_as(
                "SELECT p.id AS product_id, p.brand, p.model, o.seller_id, s.display_name AS seller_name,
                        o.seller_sku AS sku, p.created_at
                 FROM products p
                 LEFT JOIN offers o ON o.id = (SELECT MIN(o2.id) FROM offers o2 WHERE o2.product_id = p.id)
                 LEFT JOIN sellers s ON s.id = o.seller_id
                 WHERE p.status = 'pending' ORDER BY p.id LIMIT $1 OFFSET $2",
            )
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(p)
            .await?;
            let total = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE status = 'pending'")
                .fetch_one(p)
                .await?;
            (rows, total)
        }))
    }

    /// Decides a pending card (audited, noted for the search index).
    pub async fn moderate_card(
        &self,
        product_id: i64,
        decision: Moderation,
        actor: &str,
        reason: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let (status, category) = match decision {
            Moderation::Publish { category_id } => ("active", Some(category_id)),
            Moderation::Merge { .. } | Moderation::Reject => ("rejected", None),
        };
        if let Moderation::Merge { into_product_id } = decision {
            let target: Option<i64> =
                on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM products WHERE id = $1 AND status = 'active'")
                    .bind(into_product_id)
                    .fetch_optional(t)
                    .await)?;
            if target.is_none() {
                return Err(StoreError::Conflict("merge target".into()));
            }
            on_tx!(&mut tx, |t| sqlx::query(
                "UPDATE offers SET product_id = $1, updated_at = $2 WHERE product_id = $3"
            )
            .bind(into_product_id)
            .bind(now)
            .bind(product_id)
            .execute(t)
            .await
            .map(|_| ()))?;
            tx.record_product_change(into_product_id).await?;
        }
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE products SET status = $1, category_id = COALESCE($2, category_id), updated_at = $3
             WHERE id = $4 AND status = 'pending'"
        )
        .bind(status)
        .bind(category)
        .bind(now)
        .bind(product_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        tx.record_product_change(product_id).await?;
        let subject = format!("product:{product_id}");
        let (action, reason) = match decision {
            Moderation::Publish { category_id } => ("product.published", format!("category:{category_id}; {reason}")),
            Moderation::Merge { into_product_id } => {
                ("product.merged", format!("into product:{into_product_id}; {reason}"))
            }
            Moderation::Reject => ("product.rejected", reason.to_owned()),
        };
        tx.audit(&AuditEntry { actor, action, subject: &subject, reason: &reason, request_id }).await?;
        tx.commit().await
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct SellerToken {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records a merchant API token (by its hash; the caller shows the token once), audited.
    pub async fn create_seller_token(
        &self,
        seller_id: i64,
        name: &str,
        token_hash: &str,
        actor: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO seller_api_tokens (seller_id, name, token_hash, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        .bind(seller_id)
        .bind(name)
        .bind(token_hash)
        .bind(actor)
        .bind(Utc::now())
        .fetch_one(t)
        .await)?;
        let subject = format!("seller:{seller_id}");
        let reason = format!("seller_token:{id} {name}");
        tx.audit(&AuditEntry { actor, action: "seller.token_issued", subject: &subject, reason: &reason, request_id })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active seller a token belongs to, marking it used (at most once a minute).
    pub async fn seller_of_token(&self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        if let Some(seller_id) = self.trusted_tokens.get(token_hash) {
            return Ok(Some(seller_id));
        }
        let now = Utc::now();
        let found: Option<(i64, i64, Option<DateTime<Utc>>)> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT t.id, t.seller_id, t.last_used_at FROM seller_api_tokens t JOIN sellers s ON s.id = t.seller_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.status = 'active'"
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await)?;
        let Some((id, seller_id, last)) = found else { return Ok(None) };
        if last.is_none_or(|l| now - l > chrono::Duration::minutes(1)) {
            on_pool!(self.pool(), |p| sqlx::query("UPDATE seller_api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(p)
                .await
                .map(|_| ()))?;
        }
        self.trusted_tokens.insert(token_hash, seller_id);
        Ok(Some(seller_id))
    }

    pub async fn seller_tokens(&self, seller_id: i64) -> Result<Vec<SellerToken>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, name, created_by, created_at, last_used_at FROM seller_api_tokens
             WHERE seller_id = $1 AND revoked_at IS NULL ORDER BY id"
        )
        .bind(seller_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn revoke_seller_token(
        &self,
        seller_id: i64,
        token_id: i64,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE seller_api_tokens SET revoked_at = $1 WHERE id = $2 AND seller_id = $3 AND revoked_at IS NULL"
        )
        .bind(Utc::now())
        .bind(token_id)
        .bind(seller_id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("seller:{seller_id}");
        let reason = format!("seller_token:{token_id}");
        tx.audit(&AuditEntry { actor, action: "seller.token_revoked", subject: &subject, reason: &reason, request_id })
            .await?;
        tx.commit().await?;
        self.trusted_tokens.forget_all();
        Ok(())
    }
}

/// Merchant API tokens found valid within the last [`TrustedTokens::FOR`], by hash, with their
/// seller. A seller's tool sends its token with every call; looking it up each time was a
/// second database round trip for every orders list (BENCHMARKS.md, "token"). Revoking a token
/// through this store forgets them all at once; a server sharing the database with the one that
/// revoked it refuses the token at most [`TrustedTokens::FOR`] later.
#[derive(Default)]
pub(crate) struct TrustedTokens(std::sync::Mutex<HashMap<String, (i64, Instant)>>);

/// The count only: token hashes stay out of any debug output.
impl std::fmt::Debug for TrustedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |m| m.len());
        write!(f, "TrustedTokens({n})")
    }
}

impl TrustedTokens {
    pub(crate) const FOR: std::time::Duration = std::time::Duration::from_secs(1);
    /// More tokens than this in one second: start again rather than grow.
    const MOST: usize = 10_000;

    fn get(&self, token_hash: &str) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(token_hash).filter(|(_, at)| at.elapsed() < Self::FOR).map(|(seller, _)| *seller)
    }

    fn insert(&self, token_hash: &str, seller_id: i64) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= Self::MOST {
            map.retain(|_, (_, at)| at.elapsed() < Self::FOR);
            if map.len() >= Self::MOST {
                map.clear();
            }
        }
        map.insert(token_hash.to_owned(), (seller_id, Instant::now()));
    }

    fn forget_all(&self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}
