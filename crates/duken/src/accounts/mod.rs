//! Accounts (§2): sign-in by Kazakhstan mobile number and a one-time code, sessions, and the
//! development SMS outbox. Pages in [`html`].
//!
//! **Partial** (see README): passwords, API tokens, roles, agreement versions, the consent
//! ledger and the operator console are not built yet.
//!
//! Secrets never leave as they came: codes are stored as HMAC-SHA256 under the server key,
//! session tokens as SHA-256; neither is ever logged. Only the SMS text carries the code.

pub mod api;
pub mod html;
pub mod password;

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use duken_core::Phone;
use duken_core::otp::CodePolicy;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
pub const SESSION_COOKIE: &str = "session";

/// The server's secret key for keyed hashes of codes (and later of API tokens).
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// From `hex` (64 hex digits) when given, else from `DATA_DIR/secret.key`, created with
    /// fresh random bytes (mode 0600) on first start. Nodes sharing one database must share
    /// the key: give it to each through `DUKEN_SECRET_KEY`.
    pub fn load(given: Option<&str>, data_dir: &Path) -> anyhow::Result<SecretKey> {
        if let Some(given) = given.filter(|h| !h.trim().is_empty()) {
            return from_hex(given.trim()).context("DUKEN_SECRET_KEY must be 64 hexadecimal digits");
        }
        let path = data_dir.join("secret.key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return from_hex(text.trim()).with_context(|| format!("{} is not 64 hexadecimal digits", path.display()));
        }
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let key: [u8; 32] = rand::random();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
        std::io::Write::write_all(&mut file, hex(&key).as_bytes())?;
        Ok(SecretKey(key))
    }

    /// HMAC-SHA256 of the parts under the key, in hex.
    pub fn keyed_hash(&self, parts: &[&[u8]]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p);
        }
        hex(&mac.finalize().into_bytes())
    }

    /// The stored form of a code sent to a number.
    pub fn code_hash(&self, phone: &Phone, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"duken/login-code/");
        mac.update(phone.as_str().as_bytes());
        mac.update(b"/");
        mac.update(code.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

fn from_hex(text: &str) -> anyhow::Result<SecretKey> {
    anyhow::ensure!(text.len() == 64, "wrong length");
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(SecretKey(key))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A new session token (for the cookie) and its stored hash.
pub fn new_session_token() -> (String, String) {
    let token = hex(&rand::random::<[u8; 32]>());
    let hash = token_hash(&token);
    (token, hash)
}

/// How a session token is stored: tokens are random, so a plain SHA-256 suffices.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Accounts' settings and key, shared by the handlers.
pub struct Accounts {
    pub key: SecretKey,
    pub policy: CodePolicy,
    /// Demo mode: the SMS outbox page exists.
    pub demo: bool,
    /// The agreement version in force, re-read at most once a second (another node may
    /// publish one).
    pub current_agreement: crate::catalog::cache::TtlCache<(), i32>,
}

impl Accounts {
    pub fn new(key: SecretKey, demo: bool) -> Self {
        Accounts {
            key,
            policy: CodePolicy::default(),
            demo,
            current_agreement: crate::catalog::cache::TtlCache::new(std::time::Duration::from_secs(1), 1),
        }
    }

    pub async fn agreement_version(&self, store: &duken_store::Store) -> Result<i32, duken_store::StoreError> {
        self.current_agreement
            .get_or_load((), async { Ok(store.current_agreement().await?.map_or(1, |a| a.version)) })
            .await
    }

    pub fn new_code(&self) -> String {
        self.policy.code_from(rand::random::<u64>())
    }

    /// A new 4-digit hand-over code (§10).
    pub fn new_handover_code(&self) -> String {
        duken_core::order::HandoverPolicy::default().code_from(rand::random::<u64>())
    }

    /// The stored form of an order's hand-over code.
    pub fn handover_hash(&self, order_id: i64, code: &str) -> String {
        self.key.keyed_hash(&[b"duken/handover-code/", order_id.to_string().as_bytes(), b"/", code.as_bytes()])
    }

    pub fn session_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
        now + SESSION_LIFETIME
    }
}

/// The address a request came from, for throttling and the session list.
pub fn client_ip(headers: &axum::http::HeaderMap) -> String {
    // Behind a proxy, its first X-Forwarded-For entry; a deployment without one should strip
    // the header at its edge.
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().chars().take(64).collect())
        .unwrap_or_else(|| "direct".to_owned())
}

pub fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect()
}

/// Sends a sign-in code to `phone` (the web form and the API both come here): throttled per
/// number and per address (429 with Retry-After), the code stored only as its HMAC, the SMS —
/// in the visitor's language, with the §10 warning — through the SMS port.
pub async fn send_code(
    state: &crate::app::AppState,
    lang: duken_core::Lang,
    headers: &axum::http::HeaderMap,
    phone: &Phone,
) -> Result<(), crate::web::error::AppError> {
    use duken_core::otp::Throttle;

    use crate::web::i18n::Message;
    let accounts = &state.accounts;
    let now = Utc::now();
    let ip = client_ip(headers);
    let recent = state.store.recent_codes(phone, &ip, now - Duration::hours(1)).await?;
    if let Throttle::Wait(wait) = accounts.policy.may_send(now, &recent) {
        let secs = u64::try_from(wait.num_seconds().max(1)).unwrap_or(1);
        return Err(crate::web::error::AppError::TooManyRequests {
            retry_after_secs: secs,
            message: Message::new("error-too-many-codes").arg("seconds", i64::try_from(secs).unwrap_or(i64::MAX)),
        });
    }
    let code = accounts.new_code();
    let sms = Message::new("sms-code").arg("code", code.as_str()).render(lang);
    state.store.issue_code(phone, &accounts.key.code_hash(phone, &code), &ip, &sms, now).await?;
    Ok(())
}

/// Creates an API token named `name` for the viewer; returns its id and the token, to be
/// shown once.
pub async fn issue_api_token(
    state: &crate::app::AppState,
    viewer: &crate::web::prefs::Viewer,
    name: &str,
    request_id: &str,
) -> Result<(i64, String), crate::web::error::AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(crate::web::error::AppError::bad_param("name", crate::web::i18n::Message::new("error-name")));
    }
    let token = format!("dkn_{}", new_session_token().0);
    let id = state.store.create_api_token(viewer.user_id, name, &token_hash(&token), request_id).await?;
    Ok((id, token))
}

/// A new token at every sign-in: the browser's old session (if any) is ended first, so a
/// token set before signing in never becomes a signed-in one. Bearer clients keep theirs.
pub async fn end_browser_session(
    state: &crate::app::AppState,
    prefs: &crate::web::prefs::Prefs,
    request_id: &crate::web::request_id::RequestId,
    now: DateTime<Utc>,
) -> Result<(), duken_store::StoreError> {
    if let Some(old) = prefs.viewer.as_ref().filter(|v| !v.bearer) {
        state.store.revoke_sessions(old.user_id, Some(old.session_id), &request_id.0, now).await?;
    }
    Ok(())
}

/// Checks a code typed for `phone` and signs the number in (creating its account, with the
/// agreement in force accepted through `channel` and the sign-up consents, if it has none).
/// The web form and the API both come here. Returns the new session token, or the message to
/// show the person (wrong, expired, locked, no code); every wrong try is counted.
pub async fn sign_in(
    state: &crate::app::AppState,
    prefs: &crate::web::prefs::Prefs,
    request_id: &crate::web::request_id::RequestId,
    headers: &axum::http::HeaderMap,
    phone: &Phone,
    code: &str,
    channel: &str,
) -> Result<Result<String, crate::web::i18n::Message>, crate::web::error::AppError> {
    use duken_core::otp::{CheckOutcome, constant_time_eq};
    use duken_store::accounts::{NewAcceptance, NewAccount, NewSession};

    use crate::web::i18n::Message;
    let accounts = &state.accounts;
    if !accounts.policy.is_well_formed(code) {
        return Ok(Err(Message::new("error-code-format")));
    }
    let now = Utc::now();
    let stored = state.store.latest_code(phone).await?;
    let matches = stored
        .as_ref()
        .is_some_and(|s| constant_time_eq(s.code_hash.as_bytes(), accounts.key.code_hash(phone, code).as_bytes()));
    let outcome = accounts.policy.check(now, stored.as_ref().map(|s| &s.issued), matches);
    if outcome.counts_as_wrong()
        && let Some(s) = &stored
    {
        state.store.count_wrong_attempt(s.id).await?;
    }
    let Some(stored) = stored.filter(|_| outcome == CheckOutcome::Accepted) else {
        return Ok(Err(match outcome {
            CheckOutcome::Wrong { remaining } => Message::new("error-code-wrong").arg("remaining", remaining),
            CheckOutcome::Locked => Message::new("error-code-locked"),
            CheckOutcome::Expired => Message::new("error-code-expired"),
            CheckOutcome::NoCode | CheckOutcome::Accepted => Message::new("error-code-none"),
        }));
    };
    end_browser_session(state, prefs, request_id, now).await?;
    let (token, token_hash) = new_session_token();
    let (ip, agent) = (client_ip(headers), user_agent(headers));
    let session =
        NewSession { token_hash: &token_hash, expires_at: Accounts::session_expiry(now), ip: &ip, user_agent: &agent };
    let version = accounts.agreement_version(&state.store).await?;
    let acceptance = NewAcceptance { version, ip: &ip, user_agent: &agent, channel };
    let consent_text = crate::web::i18n::t(prefs.lang, "consent-signup-text");
    let consents = signup_consents(&consent_text);
    let new_account = NewAccount { acceptance, consents: &consents };
    let Some((user_id, _)) =
        state.store.sign_in_with_code(stored.id, phone, &session, &new_account, &request_id.0, now).await?
    else {
        return Ok(Err(Message::new("error-code-none")));
    };
    crate::orders::html::merge_guest_cart(state, headers, user_id).await?;
    Ok(Ok(token))
}

/// Everything duken holds about a person (§9.1; Law 94-V), for the profile's download and
/// `GET /api/v1/me/export`. Secrets (code and token hashes) are not part of it.
pub async fn export_document(
    state: &crate::app::AppState,
    viewer: &crate::web::prefs::Viewer,
) -> Result<serde_json::Value, crate::web::error::AppError> {
    let now = Utc::now();
    let user = format!("user:{}", viewer.user_id);
    let (name, acceptances, sessions, consents, disclosures, roles, tokens, (audit, _)) = tokio::try_join!(
        state.store.display_name(viewer.user_id),
        state.store.acceptances(viewer.user_id),
        state.store.list_sessions(viewer.user_id, now),
        state.store.consents(viewer.user_id),
        state.store.disclosures(viewer.user_id),
        state.store.active_roles(viewer.user_id),
        state.store.api_tokens(viewer.user_id),
        state.store.list_audit(Some(&user), None, duken_core::PageRequest { page: 1, per_page: 100_000 }),
    )?;
    Ok(serde_json::json!({
        "exported_at": now,
        "account": { "id": viewer.user_id, "phone": viewer.phone, "name": name },
        "roles": roles.iter().map(|g| serde_json::json!({"role": g.role, "seller_id": g.seller_id, "granted_at": g.granted_at})).collect::<Vec<_>>(),
        "agreement_acceptances": acceptances.iter().map(|a| serde_json::json!({"version": a.version, "accepted_at": a.accepted_at, "channel": a.channel})).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| serde_json::json!({"id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at, "ip": s.ip, "user_agent": s.user_agent})).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| serde_json::json!({"id": t.id, "name": t.name, "created_at": t.created_at})).collect::<Vec<_>>(),
        "consents": consents.iter().map(|c| serde_json::json!({"id": c.id, "purpose": c.purpose, "recipient": c.recipient, "cross_border": c.cross_border, "context": c.context, "given_at": c.given_at, "withdrawn_at": c.withdrawn_at, "text_shown": c.text_shown})).collect::<Vec<_>>(),
        "disclosures": disclosures.iter().map(|d| serde_json::json!({"id": d.id, "recipient": d.recipient, "recipient_ref": d.recipient_ref, "fields": d.fields.split(',').collect::<Vec<_>>(), "purpose": d.purpose, "abroad": d.abroad, "outcome": d.outcome, "legal_basis": d.legal_basis, "at": d.at})).collect::<Vec<_>>(),
        "audit_log": audit.iter().map(|a| serde_json::json!({"at": a.at, "actor": a.actor, "action": a.action, "reason": a.reason})).collect::<Vec<_>>(),
    }))
}

/// The consents a new account gives at sign-up (§9.1): every purpose with the recipients the
/// agreement names for it, cross-border included, each with the text the person saw.
pub fn signup_consents(text_shown: &str) -> Vec<duken_store::consent::NewConsent<'_>> {
    use duken_core::consent::Purpose;
    Purpose::ALL
        .iter()
        .flat_map(|&purpose| {
            purpose.recipients().iter().map(move |&recipient| duken_store::consent::NewConsent {
                purpose,
                recipient,
                cross_border: true,
                text_shown,
                context: "signup",
            })
        })
        .collect()
}

/// The demo accounts (demo mode only), signed in like any other: ask for a code on
/// `/signin` and read it on `/demo/sms`. README lists them.
pub const DEMO_BUYERS: [&str; 3] = ["+77010000001", "+77010000002", "+77010000003"];
pub const DEMO_OPERATOR: &str = "+77010000009";
/// Owns the demo seller `DEMO_SELLER_CODE` (Alatau Tech).
pub const DEMO_SELLER_OWNER: &str = "+77010000008";
pub const DEMO_SELLER_CODE: &str = "alatau-tech";
/// Staff of the demo bank `alatau-demo`: sees its applications at `/bank/applications`.
pub const DEMO_BANK_STAFF: &str = "+77010000007";

/// Creates the demo accounts if missing and makes the operator an administrator; idempotent.
pub async fn seed_demo_accounts(store: &duken_store::Store) -> anyhow::Result<()> {
    use duken_store::accounts::{Change, NewAcceptance};
    let acceptance = NewAcceptance {
        version: store.current_agreement().await?.map_or(1, |a| a.version),
        ip: "demo",
        user_agent: "duken demo data",
        channel: "web",
    };
    let text = crate::web::i18n::t(duken_core::Lang::Ru, "consent-signup-text");
    let consents = signup_consents(&text);
    let new_account = duken_store::accounts::NewAccount { acceptance, consents: &consents };
    for phone in DEMO_BUYERS.iter().chain([&DEMO_OPERATOR]) {
        store.ensure_user(&Phone::parse(phone)?, &new_account, "system:demo").await?;
    }
    let operator = store.ensure_user(&Phone::parse(DEMO_OPERATOR)?, &new_account, "system:demo").await?;
    if !store.active_roles(operator).await?.iter().any(|g| g.role == "admin") {
        let change = Change { actor: "system:demo", reason: "demo operator", request_id: "" };
        store.grant_role(operator, "admin", None, change).await?;
    }
    // The owner of the first demo seller, so a newcomer can look at a seller cabinet.
    if let Ok(seller_id) = store.find_seller_by_key(DEMO_SELLER_CODE).await {
        let owner = store.ensure_user(&Phone::parse(DEMO_SELLER_OWNER)?, &new_account, "system:demo").await?;
        if !store.active_roles(owner).await?.iter().any(|g| g.seller_id == Some(seller_id)) {
            let change = Change { actor: "system:demo", reason: "demo seller owner", request_id: "" };
            store.grant_role(owner, "seller_owner", Some(seller_id), change).await?;
        }
    }
    // An employee of the first demo bank, so a newcomer can look at a bank's view.
    if let Some(bank) = store.bank_api("alatau-demo").await? {
        let staff = store.ensure_user(&Phone::parse(DEMO_BANK_STAFF)?, &new_account, "system:demo").await?;
        if store.bank_of_staff(staff).await?.is_none() {
            let change = Change { actor: "system:demo", reason: "demo bank staff", request_id: "" };
            store.grant_role(staff, "bank", None, change).await?;
            store.add_bank_staff(bank.bank_id, staff, "system:demo", "").await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_hashes_depend_on_key_number_and_code() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretKey::load(None, dir.path()).unwrap();
        let again = SecretKey::load(None, dir.path()).unwrap();
        let other = SecretKey::load(Some(&"ab".repeat(32)), dir.path()).unwrap();
        let phone = Phone::parse("+77012345678").unwrap();
        let other_phone = Phone::parse("+77012345679").unwrap();
        assert_eq!(a.code_hash(&phone, "123456"), again.code_hash(&phone, "123456"), "the key file is reused");
        assert_ne!(a.code_hash(&phone, "123456"), other.code_hash(&phone, "123456"));
        assert_ne!(a.code_hash(&phone, "123456"), a.code_hash(&other_phone, "123456"));
        assert_ne!(a.code_hash(&phone, "123456"), a.code_hash(&phone, "123457"));
        assert!(!a.code_hash(&phone, "123456").contains("123456"));
        assert_eq!(format!("{a:?}"), "SecretKey(***)");
        assert!(SecretKey::load(Some("not hex"), dir.path()).is_err());
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn session_tokens_are_random_and_stored_hashed() {
        let (t1, h1) = new_session_token();
        let (t2, _) = new_session_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 64);
        assert_eq!(token_hash(&t1), h1);
        assert_ne!(t1, h1);
    }
}
