//! Credit and installments from partner banks (§3, §9.1-3): the banks the operator configured,
//! and every offer a bank product makes for an amount — schedule, total, overpayment and ГЭСВ —
//! shown before the buyer commits (`GET /api/v1/credit/offers`, the product page, the cart).
//!
//! Applications: checkout on credit makes a request (`applications`), routed to banks and
//! kept moving by the background jobs (`jobs`: the durable queue of calls, polling, expiry)
//! and the banks' webhooks (`webhook`); the buyer follows it on `requests`' pages. The bank
//! side for development and tests is `bank_sim`; the envelope both sides sign is `protocol`.

pub mod api;
pub mod applications;
pub mod bank_sim;
pub mod client;
pub mod html;
pub mod jobs;
pub mod protocol;
pub mod requests;
pub mod webhook;

use chrono::{NaiveDate, Utc};
use duken_core::Money;
use duken_core::credit::{RateCap, Schedule};
use duken_store::Store;
use duken_store::credit::{BankProduct, BanksFile};

use crate::app::AppState;
use crate::config::Config;

/// Loads `--banks-config` (or, in demo mode with no bank yet, the demo banks) and returns the
/// effective-rate caps to apply.
pub async fn load_banks(config: &Config, store: &Store) -> anyhow::Result<Vec<RateCap>> {
    let file = match &config.banks_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading the banks configuration {}: {e}", path.display()))?;
            let file = BanksFile::parse(&text, &path.display().to_string())?;
            store.load_banks(&file, "config").await?;
            tracing::info!(banks = file.banks.len(), path = %path.display(), "partner banks loaded");
            Some(file)
        }
        None if config.demo_mode() && store.banks().await?.is_empty() => {
            let file = BanksFile::demo()?;
            store.load_banks(&file, "demo").await?;
            tracing::info!(banks = file.banks.len(), "demo mode: the simulated demo banks configured");
            None
        }
        None => None,
    };
    Ok(file.and_then(|f| f.rate_caps).unwrap_or_else(duken_core::credit::unsecured_caps))
}

/// One bank product's schedule for one term.
pub struct Offer {
    pub bank: BankProduct,
    pub schedule: Schedule,
}

/// What the calculator found for an amount.
pub enum Offers {
    /// Every offer within the cap (possibly none when all are over it), by bank, product, term.
    Found(Vec<Offer>),
    /// No product takes this amount; the range the products cover together, if any.
    OutOfRange(Option<(Money, Money)>),
}

/// Today in Asia/Almaty: the day a loan signed now would be issued.
pub fn issue_date() -> NaiveDate {
    duken_core::time::to_almaty(Utc::now()).date_naive()
}

/// Every offer of every active product for `amount`, issued on `issued_on`.
pub async fn offers(state: &AppState, amount: Money, issued_on: NaiveDate) -> Result<Offers, duken_store::StoreError> {
    // Through the catalog reader's short cache: every product page asks.
    let products = state.catalog.credit_products().await?;
    let takes: Vec<&BankProduct> = products.iter().filter(|p| !p.product.terms_for(amount).is_empty()).collect();
    if takes.is_empty() {
        let min = products.iter().map(|p| p.product.min_amount).min();
        let max = products.iter().map(|p| p.product.max_amount).max();
        return Ok(Offers::OutOfRange(min.zip(max)));
    }
    let mut found = Vec::new();
    for bank in takes {
        for schedule in duken_core::credit::offers(&bank.product, amount, issued_on, &state.credit_caps) {
            found.push(Offer { bank: bank.clone(), schedule });
        }
    }
    Ok(Offers::Found(found))
}

/// `29.9` from tenths of a percent.
pub fn percent_tenths(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, (tenths % 10).abs())
}

/// `29.90` from hundredths of a percent.
pub fn percent_bp(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_read_as_written() {
        assert_eq!(percent_tenths(0), "0.0");
        assert_eq!(percent_tenths(268), "26.8");
        assert_eq!(percent_bp(2990), "29.90");
        assert_eq!(percent_bp(5), "0.05");
    }
}
