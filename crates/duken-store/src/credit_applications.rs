//! Credit applications (§3, §9.1-3): a buyer's checkout on credit (`credit_requests`), the
//! applications the routing policy sends to banks, their audited events, the durable queue of
//! calls to banks, and the webhooks' deduplication and nonces. The life cycle's rules are
//! `duken_core::credit_application`; every change goes through [`Tx::apply_application_event`],
//! which applies them and settles the request and its orders in the same transaction.

use chrono::{DateTime, Duration, Utc};
use duken_core::consent::{Purpose, Recipient};
use duken_core::credit_application::{ApplicationEvent, ApplicationState, Refusal, RoutingPolicy, apply};
use duken_core::order::{Action, CancellationReason, State};
use serde::Serialize;
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::consent::{Disclosure, DisclosureOutcome};
use crate::orders::{ChangeOutcome, OrderChange, OrderScope};
use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// The operator's routing setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Routing {
    pub policy: RoutingPolicy,
    pub preferred_bank_id: Option<i64>,
}

impl Default for Routing {
    /// With nothing set: the bank of the product the buyer picked, alone.
    fn default() -> Self {
        Routing { policy: RoutingPolicy::Preferred, preferred_bank_id: None }
    }
}

/// A credit request as checkout makes it.
pub struct NewRequest<'a> {
    pub checkout_id: i64,
    pub buyer_id: i64,
    pub amount_tiyn: i64,
    pub product_id: i64,
    pub term_months: u16,
    pub policy: RoutingPolicy,
    pub iin: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub expires_at: DateTime<Utc>,
    /// (bank, product) for each bank the application goes to.
    pub targets: &'a [(i64, i64)],
    pub request_id: &'a str,
}

/// What was made of a [`NewRequest`].
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    /// The request's id; `replayed` when the checkout already had one (nothing new made).
    Request { id: i64, replayed: bool },
    /// The buyer has not consented to this bank receiving the data (nothing made).
    NoConsent { bank_id: i64 },
}

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct CreditRequest {
    pub id: i64,
    pub checkout_id: i64,
    pub buyer_id: i64,
    pub amount_tiyn: i64,
    pub product_id: i64,
    pub term_months: i32,
    pub policy: String,
    #[serde(skip)]
    pub iin: String,
    #[serde(skip)]
    pub buyer_name: String,
    #[serde(skip)]
    pub phone: String,
    pub state: String,
    pub returned_tiyn: i64,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CreditRequest {
    /// `9001•••••007`: enough for the buyer to recognise, not enough to use.
    pub fn masked_iin(&self) -> String {
        let chars: Vec<char> = self.iin.chars().collect();
        if chars.len() != 12 {
            return "•".repeat(chars.len());
        }
        format!("{}••••••{}", chars[..4].iter().collect::<String>(), chars[10..].iter().collect::<String>())
    }
}

/// One bank's application, with the bank and product named.
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Application {
    pub id: i64,
    pub request_id: i64,
    pub bank_id: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub product_id: i64,
    pub product_code: String,
    pub term_months: i32,
    pub amount_tiyn: i64,
    pub state: String,
    pub bank_ref: Option<String>,
    pub counter_amount_tiyn: Option<i64>,
    pub counter_term_months: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn state(&self) -> Result<ApplicationState, StoreError> {
        ApplicationState::parse(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("credit application {} state", self.id)))
    }
}

const APPLICATION_COLUMNS: &str = "a.id, a.request_id, a.bank_id, b.code AS bank_code, b.name AS bank_name,
     a.product_id, p.code AS product_code, a.term_months, a.amount_tiyn, a.state, a.bank_ref,
     a.counter_amount_tiyn, a.counter_term_months, a.created_at, a.updated_at";
const APPLICATION_FROM: &str =
    "credit_applications a JOIN banks b ON b.id = a.bank_id JOIN bank_products p ON p.id = a.product_id";
const REQUEST_COLUMNS: &str =
    "id, checkout_id, buyer_id, amount_tiyn, product_id, term_months, policy, iin, buyer_name,
     phone, state, returned_tiyn, expires_at, created_at, updated_at";

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct ApplicationEventRecord {
    pub id: i64,
    pub application_id: i64,
    pub event: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What the bank said, beside the event: its reference, or its counter-offer.
#[derive(Clone, Copy, Debug, Default)]
pub struct BankFacts<'a> {
    pub bank_ref: Option<&'a str>,
    pub counter: Option<(i64, i32)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Applied(ApplicationState),
    /// The rules refuse it (a duplicate or late answer): nothing changed.
    Refused(Refusal),
}

/// A webhook's fate.
#[derive(Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied(ApplicationState),
    /// This event id was received before: nothing changed.
    Duplicate,
    /// A valid event the application's state no longer takes (late or out of order).
    Ignored(Refusal),
    /// No application of this bank has that id: nothing recorded.
    UnknownApplication,
    /// Not an event duken knows.
    UnknownEvent,
}

/// A due call to a bank, with what it needs to be made.
#[derive(Clone, Debug, FromRow)]
pub struct BankCall {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub amount_tiyn: Option<i64>,
    pub reason: String,
    /// Tries so far, this one included once claimed.
    pub attempts: i32,
    /// When it fell due: the claim takes it only if no one has moved it since.
    pub due_at: DateTime<Utc>,
    pub bank_code: String,
    pub api_base_url: String,
    pub api_key: String,
    pub bank_ref: Option<String>,
    pub state: String,
}

/// An application waiting on its bank, to be asked for its state.
#[derive(Clone, Debug, FromRow)]
pub struct PollTarget {
    pub application_id: i64,
    pub bank_ref: String,
    pub api_base_url: String,
    pub api_key: String,
}

/// A bank's API address and key, for calls made while the buyer waits.
#[derive(Clone, FromRow)]
pub struct BankApi {
    pub bank_id: i64,
    pub code: String,
    pub api_base_url: String,
    pub api_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for BankApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankApi").field("code", &self.code).field("api_base_url", &self.api_base_url).finish()
    }
}

/// A page of the applications list (console, bank view).
pub struct ApplicationQuery {
    pub bank_id: Option<i64>,
    pub state: Option<ApplicationState>,
    pub limit: i64,
    pub offset: i64,
}

/// An application as the lists show it, with its request's buyer and amount.
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct ApplicationRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub application: Application,
    pub buyer_id: i64,
    pub request_state: String,
}

impl Store {
    pub async fn credit_routing(&self) -> Result<Routing, StoreError> {
        let row: Option<(String, Option<i64>)> = on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT policy, preferred_bank_id FROM credit_routing WHERE id = 1"
        )
        .fetch_optional(p)
        .await)?;
        Ok(match row {
            Some((policy, preferred_bank_id)) => Routing {
                policy: RoutingPolicy::parse(&policy)
                    .ok_or_else(|| StoreError::Corrupt("credit routing policy".into()))?,
                preferred_bank_id,
            },
            None => Routing::default(),
        })
    }

    /// Sets the routing policy (audited). `Preferred` may name a bank; the others ignore it.
    pub async fn set_credit_routing(&self, routing: Routing, actor: &str, request_id: &str) -> Result<(), StoreError> {
        let bank = routing.preferred_bank_id.filter(|_| routing.policy == RoutingPolicy::Preferred);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| {
            sqlx::query(
            "INSERT INTO credit_routing (id, policy, preferred_bank_id, updated_by, updated_at) VALUES (1, $1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, preferred_bank_id = excluded.preferred_bank_id,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        )
        .bind(routing.policy.as_str())
        .bind(bank)
        .bind(actor)
        .bind(Utc::now())
        .execute(&mut *t)
        .await
        .map(|_| ())
        })?;
        let reason =
            format!("policy {}; preferred bank {}", routing.policy, bank.map_or("-".into(), |b| b.to_string()));
        tx.audit(&AuditEntry {
            actor,
            action: "credit.routing",
            subject: "credit_routing",
            reason: &reason,
            request_id,
        })
        .await?;
        tx.commit().await
    }

    /// Makes a credit request and its applications (drafts, each with its `send` call queued),
    /// logging each bank's disclosure of the buyer's data (§9.1). Idempotent by checkout.
    pub async fn create_credit_request(&self, new: &NewRequest<'_>) -> Result<Created, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let existing: Option<i64> =
            on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM credit_requests WHERE checkout_id = $1")
                .bind(new.checkout_id)
                .fetch_optional(&mut *t)
                .await)?;
        if let Some(id) = existing {
            tx.rollback().await?;
            return Ok(Created::Request { id, replayed: true });
        }
        for &(bank_id, _) in new.targets {
            let recipient_ref = format!("bank:{bank_id}");
            let outcome = tx
                .disclose(&Disclosure {
                    subject_user: new.buyer_id,
                    recipient: Recipient::Bank,
                    recipient_ref: &recipient_ref,
                    fields: &["iin", "name", "phone", "goods", "amount"],
                    purpose: Purpose::CreditApplication,
                    abroad: false,
                    request_id: new.request_id,
                })
                .await?;
            if outcome == DisclosureOutcome::Refused {
                // The refusal is logged; it must outlive the rollback of everything else.
                tx.rollback().await?;
                self.disclose(&Disclosure {
                    subject_user: new.buyer_id,
                    recipient: Recipient::Bank,
                    recipient_ref: &recipient_ref,
                    fields: &["iin", "name", "phone", "goods", "amount"],
                    purpose: Purpose::CreditApplication,
                    abroad: false,
                    request_id: new.request_id,
                })
                .await?;
                return Ok(Created::NoConsent { bank_id });
            }
        }
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO credit_requests (checkout_id, buyer_id, amount_tiyn, product_id, term_months, policy, iin,
                 buyer_name, phone, state, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $11) RETURNING id"
        )
        .bind(new.checkout_id)
        .bind(new.buyer_id)
        .bind(new.amount_tiyn)
        .bind(new.product_id)
        .bind(i32::from(new.term_months))
        .bind(new.policy.as_str())
        .bind(new.iin)
        .bind(new.name)
        .bind(new.phone)
        .bind(new.expires_at)
        .bind(now)
        .fetch_one(&mut *t)
        .await)?;
        let actor = format!("user:{}", new.buyer_id);
        for &(bank_id, product_id) in new.targets {
            let app: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
                "INSERT INTO credit_applications (request_id, bank_id, product_id, term_months, amount_tiyn, state,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6) RETURNING id"
            )
            .bind(id)
            .bind(bank_id)
            .bind(product_id)
            .bind(i32::from(new.term_months))
            .bind(new.amount_tiyn)
            .bind(now)
            .fetch_one(&mut *t)
            .await)?;
            let detail = format!("policy {}", new.policy);
            tx.application_event(app, "create", None, ApplicationState::Draft, &actor, &detail, now).await?;
            tx.queue_bank_call(app, "send", None, "new application", now).await?;
        }
        tx.commit().await?;
        Ok(Created::Request { id, replayed: false })
    }

    /// A request, if `buyer` (when given) owns it.
    pub async fn credit_request(&self, id: i64, buyer: Option<i64>) -> Result<CreditRequest, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE id = $1");
        let r: CreditRequest =
            on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await)?;
        if buyer.is_some_and(|b| b != r.buyer_id) {
            return Err(StoreError::NotFound);
        }
        Ok(r)
    }

    pub async fn credit_request_of_checkout(&self, checkout_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar("SELECT id FROM credit_requests WHERE checkout_id = $1")
            .bind(checkout_id)
            .fetch_optional(p)
            .await)?)
    }

    /// A buyer's credit requests, newest first.
    pub async fn buyer_credit_requests(&self, buyer_id: i64, limit: i64) -> Result<Vec<CreditRequest>, StoreError> {
        let sql =
            format!("SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE buyer_id = $1 ORDER BY id DESC LIMIT $2");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(buyer_id)
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }

    pub async fn credit_applications(&self, request_id: i64) -> Result<Vec<Application>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE a.request_id = $1 ORDER BY a.id");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(request_id).fetch_all(p).await)?)
    }

    pub async fn credit_application(&self, id: i64) -> Result<Application, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE a.id = $1");
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await)?)
    }

    /// Every event of a request's applications, oldest first.
    pub async fn credit_events(&self, request_id: i64) -> Result<Vec<ApplicationEventRecord>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT e.id, e.application_id, e.event, e.from_state, e.to_state, e.actor, e.detail, e.at
             FROM credit_application_events e JOIN credit_applications a ON a.id = e.application_id
             WHERE a.request_id = $1 ORDER BY e.id"
        )
        .bind(request_id)
        .fetch_all(p)
        .await)?)
    }

    /// A page of applications (newest first) and how many match.
    pub async fn list_credit_applications(
        &self,
        q: &ApplicationQuery,
    ) -> Result<(Vec<ApplicationRow>, i64), StoreError> {
        let filter = "($1 IS NULL OR a.bank_id = $1) AND ($2 IS NULL OR a.state = $2)";
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS}, r.buyer_id, r.state AS request_state
             FROM {APPLICATION_FROM} JOIN credit_requests r ON r.id = a.request_id
             WHERE {filter} ORDER BY a.id DESC LIMIT $3 OFFSET $4"
        );
        let count = format!("SELECT COUNT(*) FROM credit_applications a WHERE {filter}");
        let state = q.state.map(ApplicationState::as_str);
        let rows = on_pool!(self.pool(), |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(q.bank_id)
            .bind(state)
            .bind(q.limit)
            .bind(q.offset)
            .fetch_all(p)
            .await)?;
        let total: i64 = on_pool!(self.pool(), |p| sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .bind(q.bank_id)
            .bind(state)
            .fetch_one(p)
            .await)?;
        Ok((rows, total))
    }

    /// Applies an event to an application in its own transaction.
    pub async fn apply_application_event(
        &self,
        application_id: i64,
        event: ApplicationEvent,
        actor: &str,
        detail: &str,
        facts: BankFacts<'_>,
    ) -> Result<EventOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = tx.apply_application_event(application_id, event, actor, detail, facts).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The buyer picks one approved application among several (`buyer_chooses`): the others
    /// are withdrawn. False if it is not (or no longer) approved.
    pub async fn choose_application(
        &self,
        request_id: i64,
        application_id: i64,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let app = tx.lock_application(application_id).await?;
        if app.request_id != request_id || app.state()? != ApplicationState::Approved {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.withdraw_others(request_id, application_id, actor, "the buyer chose another bank").await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A bank's webhook, already checked for signature and nonce: deduplicated by its event
    /// id and applied, all in one transaction. An unknown application records nothing.
    pub async fn bank_webhook(
        &self,
        bank: &BankApi,
        event_id: &str,
        application_id: i64,
        event: &str,
        facts: BankFacts<'_>,
    ) -> Result<WebhookOutcome, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let owned: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "SELECT id FROM credit_applications WHERE id = $1 AND bank_id = $2"
        )
        .bind(application_id)
        .bind(bank.bank_id)
        .fetch_optional(&mut *t)
        .await)?;
        if owned.is_none() {
            tx.rollback().await?;
            return Ok(WebhookOutcome::UnknownApplication);
        }
        let fresh = on_tx!(&mut tx, |t| sqlx::query(
            "INSERT INTO bank_webhook_events (bank_id, event_id, application_id, outcome, received_at)
             VALUES ($1, $2, $3, 'received', $4) ON CONFLICT (bank_id, event_id) DO NOTHING"
        )
        .bind(bank.bank_id)
        .bind(event_id)
        .bind(application_id)
        .bind(now)
        .execute(&mut *t)
        .await
        .map(|r| r.rows_affected() == 1))?;
        if !fresh {
            tx.rollback().await?;
            return Ok(WebhookOutcome::Duplicate);
        }
        let parsed = ApplicationEvent::parse(event).filter(|e| {
            matches!(
                e,
                ApplicationEvent::Approve
                    | ApplicationEvent::Reject
                    | ApplicationEvent::CounterOffer
                    | ApplicationEvent::Issue
            )
        });
        let (outcome, label) = match parsed {
            None => (WebhookOutcome::UnknownEvent, format!("unknown event {event:?}")),
            Some(e) => {
                let actor = format!("bank:{}", bank.code);
                let detail = format!("webhook {event_id}");
                match tx.apply_application_event(application_id, e, &actor, &detail, facts).await? {
                    EventOutcome::Applied(s) => (WebhookOutcome::Applied(s), format!("applied: {s}")),
                    EventOutcome::Refused(r) => (WebhookOutcome::Ignored(r), format!("ignored: {r}")),
                }
            }
        };
        on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE bank_webhook_events SET outcome = $3 WHERE bank_id = $1 AND event_id = $2"
        )
        .bind(bank.bank_id)
        .bind(event_id)
        .bind(label)
        .execute(&mut *t)
        .await
        .map(|_| ()))?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records a bank's nonce; false if it was seen before (a replay). Nonces older than twice
    /// the window cannot pass the timestamp check any more and are forgotten.
    pub async fn first_use_of_bank_nonce(
        &self,
        bank_id: i64,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let fresh = on_pool!(self.pool(), |p| {
            sqlx::query(
            "INSERT INTO bank_nonces (bank_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT (bank_id, nonce) DO NOTHING"
        )
        .bind(bank_id)
        .bind(nonce)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1)
        })?;
        Ok(fresh)
    }

    pub async fn forget_bank_nonces(&self, before: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query("DELETE FROM bank_nonces WHERE seen_at < $1")
            .bind(before)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// A bank by code, with its secrets, for the protocol.
    pub async fn bank_api(&self, code: &str) -> Result<Option<BankApi>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id AS bank_id, code, api_base_url, api_key, webhook_secret FROM banks WHERE code = $1"
        )
        .bind(code)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn bank_api_by_id(&self, bank_id: i64) -> Result<BankApi, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id AS bank_id, code, api_base_url, api_key, webhook_secret FROM banks WHERE id = $1"
        )
        .bind(bank_id)
        .fetch_one(p)
        .await)?)
    }

    /// Claims up to `limit` due calls: each is pushed `lease` ahead first, so another node (or
    /// this one, if it dies mid-call) takes it again only after the lease; `attempts` counts
    /// every try, including one that never came back.
    pub async fn claim_bank_calls(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<BankCall>, StoreError> {
        let due: Vec<BankCall> = on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT c.id, c.application_id, c.kind, c.amount_tiyn, c.reason, c.attempts, c.next_attempt_at AS due_at,
                    b.code AS bank_code, b.api_base_url, b.api_key, a.bank_ref, a.state
             FROM credit_bank_calls c JOIN credit_applications a ON a.id = c.application_id
             JOIN banks b ON b.id = a.bank_id
             WHERE c.done_at IS NULL AND c.next_attempt_at <= $1 ORDER BY c.next_attempt_at LIMIT $2"
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await
        })?;
        let mut claimed = Vec::with_capacity(due.len());
        for mut call in due {
            let took = on_pool!(self.pool(), |p| sqlx::query(
                "UPDATE credit_bank_calls SET next_attempt_at = $1, attempts = attempts + 1
                 WHERE id = $2 AND next_attempt_at = $3 AND done_at IS NULL"
            )
            .bind(now + lease)
            .bind(call.id)
            .bind(call.due_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected() == 1))?;
            if took {
                call.attempts += 1;
                claimed.push(call);
            }
        }
        Ok(claimed)
    }

    /// A call the bank answered (or refused for good): done, with what came of it.
    pub async fn finish_bank_call(&self, id: i64, outcome: &str) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query(
            "UPDATE credit_bank_calls SET done_at = $2, outcome = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(Utc::now())
        .bind(outcome)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A call that failed for now: tried again at `next`.
    pub async fn retry_bank_call(&self, id: i64, next: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query(
            "UPDATE credit_bank_calls SET next_attempt_at = $2, outcome = $3 WHERE id = $1 AND done_at IS NULL"
        )
        .bind(id)
        .bind(next)
        .bind(error)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Applications waiting on their bank (sent, or signed and not yet paid out) not heard of
    /// since `quiet_since` and not asked since then either.
    pub async fn applications_to_poll(
        &self,
        quiet_since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PollTarget>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT a.id AS application_id, a.bank_ref, b.api_base_url, b.api_key
             FROM credit_applications a JOIN banks b ON b.id = a.bank_id
             WHERE a.state IN ('sent', 'signed') AND a.bank_ref IS NOT NULL AND a.updated_at < $1
               AND (a.polled_at IS NULL OR a.polled_at < $1)
             ORDER BY a.updated_at LIMIT $2"
        )
        .bind(quiet_since)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    pub async fn mark_polled(&self, application_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self.pool(), |p| sqlx::query("UPDATE credit_applications SET polled_at = $2 WHERE id = $1")
            .bind(application_id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Applications of open requests whose time ran out and that the clock may still expire.
    pub async fn overdue_applications(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT a.id FROM credit_applications a JOIN credit_requests r ON r.id = a.request_id
             WHERE a.state IN ('draft', 'sent', 'approved', 'counter_offer') AND r.expires_at < $1
             ORDER BY a.id LIMIT $2"
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    /// The goods of a request's orders: (name, quantity, line total in tiyn).
    pub async fn credit_goods(&self, checkout_id: i64) -> Result<Vec<(String, i32, i64)>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT e.name, e.quantity, e.total_price_tiyn FROM order_entries e JOIN orders o ON o.id = e.order_id
             WHERE o.checkout_id = $1 ORDER BY o.id, e.entry_number"
        )
        .bind(checkout_id)
        .fetch_all(p)
        .await)?)
    }

    /// The orders of a checkout: (id, code, state, status, total in tiyn).
    pub async fn checkout_order_states(
        &self,
        checkout_id: i64,
    ) -> Result<Vec<(i64, String, String, String, i64)>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, state, status, total_tiyn FROM orders WHERE checkout_id = $1 ORDER BY id"
        )
        .bind(checkout_id)
        .fetch_all(p)
        .await)?)
    }

    /// The bank whose applications a bank employee sees.
    pub async fn bank_of_staff(&self, user_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_scalar(
            "SELECT s.bank_id FROM bank_staff s JOIN user_roles r ON r.user_id = s.user_id
             WHERE s.user_id = $1 AND r.role = 'bank' AND r.revoked_at IS NULL ORDER BY s.bank_id LIMIT 1"
        )
        .bind(user_id)
        .fetch_optional(p)
        .await)?)
    }

    /// Makes a user staff of a bank (audited); they also need the `bank` role.
    pub async fn add_bank_staff(
        &self,
        bank_id: i64,
        user_id: i64,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |t| sqlx::query(
            "INSERT INTO bank_staff (user_id, bank_id, added_by, added_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, bank_id) DO NOTHING"
        )
        .bind(user_id)
        .bind(bank_id)
        .bind(actor)
        .bind(Utc::now())
        .execute(&mut *t)
        .await
        .map(|_| ()))?;
        let subject = format!("bank:{bank_id}");
        let reason = format!("user {user_id} added as bank staff");
        tx.audit(&AuditEntry { actor, action: "bank.staff_added", subject: &subject, reason: &reason, request_id })
            .await?;
        tx.commit().await
    }
}

impl Tx {
    /// The application, locked with its request: the request's row first, always, so that
    /// two banks answering one request at once (parallel routing) queue instead of deadlocking.
    async fn lock_application(&mut self, id: i64) -> Result<Application, StoreError> {
        on_tx!(&mut *self, |t| sqlx::query(
            "UPDATE credit_requests SET updated_at = updated_at
             WHERE id = (SELECT request_id FROM credit_applications WHERE id = $1)"
        )
        .bind(id)
        .execute(t)
        .await
        .map(|_| ()))?;
        on_tx!(&mut *self, |t| sqlx::query("UPDATE credit_applications SET updated_at = updated_at WHERE id = $1")
            .bind(id)
            .execute(t)
            .await
            .map(|_| ()))?;
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE a.id = $1");
        Ok(on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(t).await)?)
    }

    async fn request_in_tx(&mut self, id: i64) -> Result<CreditRequest, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE id = $1");
        Ok(on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(t).await)?)
    }

    async fn applications_in_tx(&mut self, request_id: i64) -> Result<Vec<Application>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM {APPLICATION_FROM} WHERE a.request_id = $1 ORDER BY a.id");
        Ok(on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(request_id).fetch_all(t).await)?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn application_event(
        &mut self,
        application_id: i64,
        event: &str,
        from: Option<ApplicationState>,
        to: ApplicationState,
        actor: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(&mut *self, |t| sqlx::query(
            "INSERT INTO credit_application_events (application_id, event, from_state, to_state, actor, detail, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(application_id)
        .bind(event)
        .bind(from.map(ApplicationState::as_str))
        .bind(to.as_str())
        .bind(actor)
        .bind(detail)
        .bind(now)
        .execute(t)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    async fn queue_bank_call(
        &mut self,
        application_id: i64,
        kind: &str,
        amount: Option<i64>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if kind == "cancel" {
            // One cancellation per application is enough: the bank's answer is final.
            let queued: Option<i64> = on_tx!(&mut *self, |t| sqlx::query_scalar(
                "SELECT id FROM credit_bank_calls WHERE application_id = $1 AND kind = 'cancel'"
            )
            .bind(application_id)
            .fetch_optional(t)
            .await)?;
            if queued.is_some() {
                return Ok(());
            }
        }
        on_tx!(&mut *self, |t| sqlx::query(
            "INSERT INTO credit_bank_calls (application_id, kind, amount_tiyn, reason, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $5)"
        )
        .bind(application_id)
        .bind(kind)
        .bind(amount)
        .bind(reason)
        .bind(now)
        .execute(t)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Applies `event` to an application under its lock; then settles the request: the first
    /// approval withdraws the others (`parallel`), an issued loan approves the orders, and
    /// when every bank has said no (or time ran out) the orders are cancelled and their lines
    /// go back to the buyer's cart (§3: another payment mode, nothing lost).
    pub async fn apply_application_event(
        &mut self,
        application_id: i64,
        event: ApplicationEvent,
        actor: &str,
        detail: &str,
        facts: BankFacts<'_>,
    ) -> Result<EventOutcome, StoreError> {
        let now = Utc::now();
        let app = self.lock_application(application_id).await?;
        let from = app.state()?;
        let to = match apply(from, event) {
            Ok(to) => to,
            Err(refusal) => {
                if let (Some(r), None) = (facts.bank_ref, app.bank_ref.as_deref()) {
                    on_tx!(&mut *self, |t| sqlx::query("UPDATE credit_applications SET bank_ref = $2 WHERE id = $1")
                        .bind(application_id)
                        .bind(r)
                        .execute(t)
                        .await
                        .map(|_| ()))?;
                }
                // A bank still going ahead with an application duken withdrew is told again.
                if matches!(from, ApplicationState::Cancelled | ApplicationState::Expired)
                    && matches!(
                        event,
                        ApplicationEvent::Send
                            | ApplicationEvent::Approve
                            | ApplicationEvent::CounterOffer
                            | ApplicationEvent::Issue
                    )
                {
                    self.queue_bank_call(application_id, "cancel", None, "withdrawn by duken", now).await?;
                }
                return Ok(EventOutcome::Refused(refusal));
            }
        };
        let counter = facts.counter.filter(|_| event == ApplicationEvent::CounterOffer);
        let (amount, term) = match (event, app.counter_amount_tiyn, app.counter_term_months) {
            (ApplicationEvent::AcceptCounterOffer, Some(a), Some(t)) => (a, t),
            _ => (app.amount_tiyn, app.term_months),
        };
        on_tx!(&mut *self, |t| {
            sqlx::query(
            "UPDATE credit_applications SET state = $2, updated_at = $3, bank_ref = COALESCE(bank_ref, $4),
                 counter_amount_tiyn = COALESCE($5, counter_amount_tiyn), counter_term_months = COALESCE($6, counter_term_months),
                 amount_tiyn = $7, term_months = $8
             WHERE id = $1"
        )
        .bind(application_id)
        .bind(to.as_str())
        .bind(now)
        .bind(facts.bank_ref)
        .bind(counter.map(|c| c.0))
        .bind(counter.map(|c| c.1))
        .bind(amount)
        .bind(term)
        .execute(t)
        .await
        .map(|_| ())
        })?;
        let detail = match counter {
            Some((a, t)) => format!("{detail}; counter-offer {a} tiyn for {t} months"),
            None => detail.to_owned(),
        };
        self.application_event(application_id, event.as_str(), Some(from), to, actor, &detail, now).await?;
        // Withdrawn at duken's side: the bank is told (it knows the application once it has
        // acknowledged it; one not yet acknowledged is cancelled when the acknowledgement comes).
        if matches!(to, ApplicationState::Cancelled | ApplicationState::Expired) && app.bank_ref.is_some() {
            self.queue_bank_call(application_id, "cancel", None, detail.as_str(), now).await?;
        }
        self.settle_request(app.request_id, application_id, event, now).await?;
        Ok(EventOutcome::Applied(to))
    }

    /// Withdraws every open application of a request but `keep`.
    async fn withdraw_others(&mut self, request_id: i64, keep: i64, actor: &str, why: &str) -> Result<(), StoreError> {
        let others = self.applications_in_tx(request_id).await?;
        for other in others.iter().filter(|a| a.id != keep) {
            if !other.state()?.is_final() {
                Box::pin(self.apply_application_event(
                    other.id,
                    ApplicationEvent::Cancel,
                    actor,
                    why,
                    BankFacts::default(),
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn settle_request(
        &mut self,
        request_id: i64,
        changed: i64,
        event: ApplicationEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let request = self.request_in_tx(request_id).await?;
        let apps = self.applications_in_tx(request_id).await?;
        let state_of = |id: i64| apps.iter().find(|a| a.id == id).and_then(|a| ApplicationState::parse(&a.state));
        let changed_state = state_of(changed);
        if request.state != "open" {
            // The request is over (cancelled by the buyer, or failed): a bank that approves or
            // pays out now is told to cancel.
            if changed_state.is_some_and(|s| !s.is_final() || s == ApplicationState::Issued) {
                if changed_state == Some(ApplicationState::Issued) {
                    self.queue_bank_call(changed, "cancel", None, "the orders were cancelled", now).await?;
                } else {
                    Box::pin(self.apply_application_event(
                        changed,
                        ApplicationEvent::Cancel,
                        "platform",
                        "the request is closed",
                        BankFacts::default(),
                    ))
                    .await?;
                }
            }
            return Ok(());
        }
        let policy = RoutingPolicy::parse(&request.policy).unwrap_or(RoutingPolicy::Preferred);
        if changed_state == Some(ApplicationState::Issued) {
            self.set_request_state(request_id, "issued", now).await?;
            Box::pin(self.withdraw_others(request_id, changed, "platform", "another bank issued the loan")).await?;
            // Orders the buyer cancelled while the bank was paying out: their part goes back.
            let cancelled: i64 = on_tx!(&mut *self, |t| sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(total_tiyn), 0) AS BIGINT) FROM orders
                 WHERE checkout_id = $1 AND status = 'CANCELLED'"
            )
            .bind(request.checkout_id)
            .fetch_one(t)
            .await)?;
            if cancelled > 0 {
                on_tx!(&mut *self, |t| sqlx::query("UPDATE credit_requests SET returned_tiyn = $2 WHERE id = $1")
                    .bind(request_id)
                    .bind(cancelled)
                    .execute(t)
                    .await
                    .map(|_| ()))?;
                let why = "orders cancelled before the payout";
                self.queue_bank_call(changed, "return", Some(cancelled), why, now).await?;
            }
            for order_id in self.checkout_orders(request.checkout_id, State::SignRequired).await? {
                let change = OrderChange {
                    action: Action::CreditIssued,
                    comment: "the bank issued the loan",
                    number_of_space: None,
                    request_id: "",
                };
                if let ChangeOutcome::Refused(r) = self.change_order(OrderScope::Platform, order_id, &change).await? {
                    tracing::warn!(order_id, refusal = %r, "an issued loan's order could not be approved");
                }
            }
            return Ok(());
        }
        if event == ApplicationEvent::Approve && policy == RoutingPolicy::Parallel {
            let earlier = apps
                .iter()
                .any(|a| a.id != changed && ApplicationState::parse(&a.state).is_some_and(|s| s.is_approved()));
            if earlier {
                // Another bank approved first: this one is withdrawn.
                Box::pin(self.apply_application_event(
                    changed,
                    ApplicationEvent::Cancel,
                    "platform",
                    "another bank approved first",
                    BankFacts::default(),
                ))
                .await?;
            } else {
                Box::pin(self.withdraw_others(request_id, changed, "platform", "another bank approved first")).await?;
            }
            return Ok(());
        }
        if event == ApplicationEvent::Sign {
            // The buyer signed: the bank pays out in its own time; the orders wait for it
            // rather than for the checkout's hold.
            on_tx!(&mut *self, |t| sqlx::query(
                "UPDATE orders SET hold_until = $2 WHERE checkout_id = $1 AND state = 'SIGN_REQUIRED'"
            )
            .bind(request.checkout_id)
            .bind(now + Duration::days(3))
            .execute(t)
            .await
            .map(|_| ()))?;
            Box::pin(self.withdraw_others(request_id, changed, "platform", "the buyer signed with another bank"))
                .await?;
            return Ok(());
        }
        let states: Vec<ApplicationState> = apps.iter().filter_map(|a| ApplicationState::parse(&a.state)).collect();
        if !states.is_empty() && states.iter().all(|s| s.is_final()) {
            // No bank will lend: the orders go, their units are released and their lines are
            // back in the buyer's cart for another payment mode.
            let any_expired = states.contains(&ApplicationState::Expired);
            let any_rejected = states.contains(&ApplicationState::Rejected);
            self.set_request_state(request_id, "failed", now).await?;
            let (action, comment) = if any_rejected || !any_expired {
                (Action::Cancel(CancellationReason::RfoRejected), "no partner bank approved the credit")
            } else {
                (Action::Expire, "no bank answered in time")
            };
            for order_id in self.checkout_orders(request.checkout_id, State::SignRequired).await? {
                let change = OrderChange { action, comment, number_of_space: None, request_id: "" };
                self.change_order(OrderScope::Platform, order_id, &change).await?;
            }
            self.restore_cart(request.buyer_id, request.checkout_id, now).await?;
        }
        Ok(())
    }

    async fn set_request_state(&mut self, id: i64, state: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_tx!(&mut *self, |t| sqlx::query("UPDATE credit_requests SET state = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(state)
            .bind(now)
            .execute(t)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    async fn checkout_orders(&mut self, checkout_id: i64, state: State) -> Result<Vec<i64>, StoreError> {
        Ok(on_tx!(&mut *self, |t| sqlx::query_scalar(
            "SELECT id FROM orders WHERE checkout_id = $1 AND state = $2 ORDER BY id"
        )
        .bind(checkout_id)
        .bind(state.as_str())
        .fetch_all(t)
        .await)?)
    }

    /// Puts a checkout's lines back in the buyer's cart (quantities add up, capped).
    async fn restore_cart(&mut self, buyer_id: i64, checkout_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let cart = self.ensure_cart(crate::orders::CartOwner::User(buyer_id), now).await?;
        on_tx!(&mut *self, |t| sqlx::query(
            "INSERT INTO cart_items (cart_id, offer_id, quantity, added_at)
             SELECT $1, e.offer_id, SUM(e.quantity), $3 FROM order_entries e JOIN orders o ON o.id = e.order_id
             WHERE o.checkout_id = $2 GROUP BY e.offer_id
             ON CONFLICT (cart_id, offer_id) DO UPDATE
             SET quantity = CASE WHEN cart_items.quantity + excluded.quantity > $4 THEN $4
                                 ELSE cart_items.quantity + excluded.quantity END"
        )
        .bind(cart)
        .bind(checkout_id)
        .bind(now)
        .bind(crate::orders::MAX_QUANTITY)
        .execute(t)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An order paid with credit was cancelled: the bank is told. Before the loan, once every
    /// order of the checkout is cancelled, the applications are withdrawn; after it, the
    /// order's amount goes back (the whole loan, once every order is cancelled).
    pub(crate) async fn credit_order_cancelled(
        &mut self,
        checkout_id: i64,
        order_total: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM credit_requests WHERE checkout_id = $1");
        let request: Option<CreditRequest> =
            on_tx!(&mut *self, |t| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(checkout_id).fetch_optional(t).await)?;
        let Some(request) = request else { return Ok(()) };
        let live: i64 = on_tx!(&mut *self, |t| sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE checkout_id = $1 AND status <> 'CANCELLED'"
        )
        .bind(checkout_id)
        .fetch_one(t)
        .await)?;
        match request.state.as_str() {
            "open" if live == 0 => {
                self.set_request_state(request.id, "cancelled", now).await?;
                for app in self.applications_in_tx(request.id).await? {
                    if !app.state()?.is_final() {
                        Box::pin(self.apply_application_event(
                            app.id,
                            ApplicationEvent::Cancel,
                            "platform",
                            "the orders were cancelled",
                            BankFacts::default(),
                        ))
                        .await?;
                    }
                }
            }
            "issued" => {
                let apps = self.applications_in_tx(request.id).await?;
                let Some(loan) = apps.iter().find(|a| a.state == ApplicationState::Issued.as_str()) else {
                    return Ok(());
                };
                let returned = request.returned_tiyn + order_total;
                on_tx!(&mut *self, |t| sqlx::query(
                    "UPDATE credit_requests SET returned_tiyn = $2, updated_at = $3 WHERE id = $1"
                )
                .bind(request.id)
                .bind(returned)
                .bind(now)
                .execute(t)
                .await
                .map(|_| ()))?;
                if live == 0 || returned >= loan.amount_tiyn {
                    self.queue_bank_call(loan.id, "cancel", None, "every order of the loan was cancelled", now).await?;
                } else {
                    self.queue_bank_call(
                        loan.id,
                        "return",
                        Some(order_total),
                        "an order of the loan was cancelled",
                        now,
                    )
                    .await?;
                }
                self.application_event(
                    loan.id,
                    "order_cancelled",
                    Some(ApplicationState::Issued),
                    ApplicationState::Issued,
                    "platform",
                    &format!("{order_total} tiyn to go back to the bank"),
                    now,
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }
}
