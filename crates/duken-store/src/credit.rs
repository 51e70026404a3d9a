//! Partner banks and their credit and installments products (§3, §9.1-3), as the operator
//! configured them (console, or `--banks-config FILE` at start). The rules of a product are
//! `duken_core::credit`; this module stores them.

use chrono::Utc;
use duken_core::Money;
use duken_core::credit::{Product, ProductKind, Repayment, TermTier};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::{Store, StoreError, on_pool, on_tx};

/// A bank as a configuration file or the console gives it. Its products replace the bank's
/// earlier ones: a product left out is withdrawn (kept for the applications that name it).
#[derive(Clone, Deserialize, Serialize)]
pub struct BankConfig {
    pub code: String,
    pub name: String,
    pub api_base_url: String,
    pub api_key: String,
    pub webhook_secret: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub products: Vec<Product>,
}

fn yes() -> bool {
    true
}

/// Secrets stay out of logs and panics.
impl std::fmt::Debug for BankConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankConfig")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("api_base_url", &self.api_base_url)
            .field("active", &self.active)
            .field("products", &self.products.len())
            .finish_non_exhaustive()
    }
}

impl BankConfig {
    /// Checks what an operator typed: a code, a name, an http(s) address, both secrets, and
    /// every product (unique codes).
    pub fn validate(&self) -> Result<(), String> {
        let code_ok =
            |c: &str| !c.is_empty() && c.len() <= 40 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
        if !code_ok(&self.code) {
            return Err(format!("bank code {:?}: letters, digits and hyphens, at most 40", self.code));
        }
        if self.name.trim().is_empty() {
            return Err(format!("bank {}: the name is empty", self.code));
        }
        if !(self.api_base_url.starts_with("http://") || self.api_base_url.starts_with("https://")) {
            return Err(format!("bank {}: the API address must start with http:// or https://", self.code));
        }
        // Empty: keep the stored ones (the console never shows them back).
        let weak = |s: &str| !s.is_empty() && s.len() < 16;
        if weak(&self.api_key) || weak(&self.webhook_secret) {
            return Err(format!("bank {}: the API key and the webhook secret need at least 16 characters", self.code));
        }
        let mut codes = std::collections::BTreeSet::new();
        for p in &self.products {
            p.validate().map_err(|e| format!("bank {}, product {:?}: {e}", self.code, p.code))?;
            if !codes.insert(p.code.as_str()) {
                return Err(format!("bank {}: product {:?} is listed twice", self.code, p.code));
            }
        }
        Ok(())
    }
}

/// A banks configuration file: `{"banks": [...], "rate_caps": [...]}`; without `rate_caps`,
/// the legal caps for unsecured bank loans (`duken_core::credit::unsecured_caps`).
#[derive(Clone, Debug, Deserialize)]
pub struct BanksFile {
    pub banks: Vec<BankConfig>,
    #[serde(default)]
    pub rate_caps: Option<Vec<duken_core::credit::RateCap>>,
}

const DEMO_BANKS_JSON: &str = include_str!("../demo/banks.json");

impl BanksFile {
    pub fn parse(text: &str, name: &str) -> Result<BanksFile, StoreError> {
        let file: BanksFile = serde_json::from_str(text).map_err(|e| StoreError::Config(format!("{name}: {e}")))?;
        for bank in &file.banks {
            bank.validate().map_err(|e| StoreError::Config(format!("{name}: {e}")))?;
        }
        Ok(file)
    }

    /// The two simulated banks of the demo shop.
    pub fn demo() -> Result<BanksFile, StoreError> {
        BanksFile::parse(DEMO_BANKS_JSON, "demo/banks.json")
    }
}

/// A partner bank as pages show it (no secrets).
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Bank {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub api_base_url: String,
    pub active: bool,
}

/// An active product of an active bank.
#[derive(Clone, Debug)]
pub struct BankProduct {
    pub product_id: i64,
    pub bank_id: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub product: Product,
}

#[derive(FromRow)]
struct ProductRow {
    id: i64,
    bank_id: i64,
    bank_code: String,
    bank_name: String,
    code: String,
    kind: String,
    repayment: String,
    rate_bp: i32,
    issue_fee_bp: i32,
    monthly_fee_bp: i32,
    min_amount_tiyn: i64,
    max_amount_tiyn: i64,
    tiers: String,
}

#[derive(Serialize, Deserialize)]
struct StoredTier {
    from: i64,
    terms: Vec<u16>,
}

impl ProductRow {
    fn into_product(self) -> Result<BankProduct, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("bank product {}: {what}", self.id));
        let kind = match self.kind.as_str() {
            "installments" => ProductKind::Installments,
            "credit" => ProductKind::Credit,
            _ => return Err(corrupt("kind")),
        };
        let repayment = match self.repayment.as_str() {
            "annuity" => Repayment::Annuity,
            "differentiated" => Repayment::Differentiated,
            _ => return Err(corrupt("repayment")),
        };
        let tiers: Vec<StoredTier> = serde_json::from_str(&self.tiers).map_err(|_| corrupt("tiers"))?;
        let bp = |v: i32| u32::try_from(v).map_err(|_| corrupt("rate"));
        Ok(BankProduct {
            product_id: self.id,
            bank_id: self.bank_id,
            bank_code: self.bank_code,
            bank_name: self.bank_name,
            product: Product {
                code: self.code,
                kind,
                repayment,
                rate_bp: bp(self.rate_bp)?,
                issue_fee_bp: bp(self.issue_fee_bp)?,
                monthly_fee_bp: bp(self.monthly_fee_bp)?,
                min_amount: Money::from_tiyn(self.min_amount_tiyn),
                max_amount: Money::from_tiyn(self.max_amount_tiyn),
                tiers: tiers.into_iter().map(|t| TermTier { from: Money::from_tiyn(t.from), terms: t.terms }).collect(),
            },
        })
    }
}

fn kind_str(k: ProductKind) -> &'static str {
    match k {
        ProductKind::Installments => "installments",
        ProductKind::Credit => "credit",
    }
}

fn repayment_str(r: Repayment) -> &'static str {
    match r {
        Repayment::Annuity => "annuity",
        Repayment::Differentiated => "differentiated",
    }
}

impl Store {
    /// Saves a bank and its products in one transaction (audited); products the bank no longer
    /// lists are withdrawn. Refuses invalid settings whole.
    pub async fn save_bank(&self, bank: &BankConfig, actor: &str, request_id: &str) -> Result<i64, StoreError> {
        bank.validate().map_err(StoreError::Config)?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        if bank.api_key.is_empty() || bank.webhook_secret.is_empty() {
            let known: Option<i64> = on_tx!(&mut tx, |t| sqlx::query_scalar("SELECT id FROM banks WHERE code = $1")
                .bind(&bank.code)
                .fetch_optional(&mut *t)
                .await)?;
            if known.is_none() {
                return Err(StoreError::Config(format!(
                    "bank {}: a new bank needs its API key and webhook secret",
                    bank.code
                )));
            }
        }
        let bank_id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO banks (code, name, api_base_url, api_key, webhook_secret, active, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, api_base_url = excluded.api_base_url,
                 api_key = CASE WHEN excluded.api_key = '' THEN banks.api_key ELSE excluded.api_key END,
                 webhook_secret = CASE WHEN excluded.webhook_secret = '' THEN banks.webhook_secret
                                       ELSE excluded.webhook_secret END,
                 active = excluded.active,
                 updated_at = excluded.updated_at
             RETURNING id"
        )
        .bind(&bank.code)
        .bind(bank.name.trim())
        .bind(&bank.api_base_url)
        .bind(&bank.api_key)
        .bind(&bank.webhook_secret)
        .bind(bank.active)
        .bind(now)
        .fetch_one(&mut *t)
        .await)?;
        on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE bank_products SET active = FALSE, updated_at = $2 WHERE bank_id = $1"
        )
        .bind(bank_id)
        .bind(now)
        .execute(&mut *t)
        .await
        .map(|_| ()))?;
        for p in &bank.products {
            let tiers: Vec<StoredTier> =
                p.tiers.iter().map(|t| StoredTier { from: t.from.tiyn(), terms: t.terms.clone() }).collect();
            let tiers = serde_json::to_string(&tiers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let bp = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
            on_tx!(&mut tx, |t| sqlx::query(
                "INSERT INTO bank_products (bank_id, code, kind, repayment, rate_bp, issue_fee_bp, monthly_fee_bp,
                     min_amount_tiyn, max_amount_tiyn, tiers, active, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11)
                 ON CONFLICT (bank_id, code) DO UPDATE SET kind = excluded.kind, repayment = excluded.repayment,
                     rate_bp = excluded.rate_bp, issue_fee_bp = excluded.issue_fee_bp,
                     monthly_fee_bp = excluded.monthly_fee_bp, min_amount_tiyn = excluded.min_amount_tiyn,
                     max_amount_tiyn = excluded.max_amount_tiyn, tiers = excluded.tiers, active = TRUE,
                     updated_at = excluded.updated_at"
            )
            .bind(bank_id)
            .bind(p.code.trim())
            .bind(kind_str(p.kind))
            .bind(repayment_str(p.repayment))
            .bind(bp(p.rate_bp))
            .bind(bp(p.issue_fee_bp))
            .bind(bp(p.monthly_fee_bp))
            .bind(p.min_amount.tiyn())
            .bind(p.max_amount.tiyn())
            .bind(&tiers)
            .bind(now)
            .execute(&mut *t)
            .await
            .map(|_| ()))?;
        }
        let subject = format!("bank:{}", bank.code);
        let codes: Vec<&str> = bank.products.iter().map(|p| p.code.as_str()).collect();
        let reason = format!("products: {}; active: {}", codes.join(", "), bank.active);
        tx.audit(&AuditEntry { actor, action: "bank.saved", subject: &subject, reason: &reason, request_id }).await?;
        tx.commit().await?;
        Ok(bank_id)
    }

    /// Saves every bank of a file (each in its own transaction, all validated first).
    pub async fn load_banks(&self, file: &BanksFile, actor: &str) -> Result<(), StoreError> {
        for bank in &file.banks {
            self.save_bank(bank, actor, "").await?;
        }
        Ok(())
    }

    pub async fn banks(&self) -> Result<Vec<Bank>, StoreError> {
        Ok(on_pool!(self.pool(), |p| sqlx::query_as(
            "SELECT id, code, name, api_base_url, active FROM banks ORDER BY name, id"
        )
        .fetch_all(p)
        .await)?)
    }

    /// Every active product of every active bank, by bank then product code.
    pub async fn credit_products(&self) -> Result<Vec<BankProduct>, StoreError> {
        let rows: Vec<ProductRow> = on_pool!(self.pool(), |p| {
            sqlx::query_as(
            "SELECT p.id, p.bank_id, b.code AS bank_code, b.name AS bank_name, p.code, p.kind, p.repayment, p.rate_bp,
                    p.issue_fee_bp, p.monthly_fee_bp, p.min_amount_tiyn, p.max_amount_tiyn, p.tiers
             FROM bank_products p JOIN banks b ON b.id = p.bank_id
             WHERE p.active AND b.active ORDER BY b.name, b.id, p.code"
        )
        .fetch_all(p)
        .await
        })?;
        rows.into_iter().map(ProductRow::into_product).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_banks_are_valid() {
        let file = BanksFile::demo().unwrap();
        assert_eq!(file.banks.len(), 2);
        assert!(file.rate_caps.is_none());
    }

    #[test]
    fn bad_bank_settings_are_refused_whole_and_secrets_stay_out_of_debug() {
        let mut bank = BanksFile::demo().unwrap().banks.remove(0);
        let debug = format!("{bank:?}");
        assert!(!debug.contains(&bank.api_key) && !debug.contains(&bank.webhook_secret), "{debug}");
        type Change = Box<dyn Fn(&mut BankConfig)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|b| b.code = "bad code".into()), "bank code"),
            (Box::new(|b| b.name = " ".into()), "name is empty"),
            (Box::new(|b| b.api_base_url = "ftp://bank".into()), "http"),
            (Box::new(|b| b.webhook_secret = "short".into()), "16 characters"),
            (Box::new(|b| b.api_key = "0123456789abcde".into()), "16 characters"),
            (Box::new(|b| b.products[1].rate_bp = 20_000), "over 100 %"),
            (Box::new(|b| b.products[1].code = b.products[0].code.clone()), "listed twice"),
        ];
        for (change, expected) in cases {
            let mut b = bank.clone();
            change(&mut b);
            let err = b.validate().unwrap_err();
            assert!(err.contains(expected), "{err} should say {expected}");
        }
        bank.products.clear();
        assert!(bank.validate().is_ok(), "a bank without products is allowed (it offers nothing)");
        let err = BanksFile::parse("{\"banks\": [{\"code\": 1}]}", "banks.json").unwrap_err();
        assert!(err.to_string().contains("banks.json"), "{err}");
    }
}
