//! Consumer credit and 0-0-N installments from partner banks (§3, §9.1-3): what a bank's
//! product allows for an amount, the repayment schedule, and the annual effective rate (ГЭСВ)
//! that must be shown before the buyer signs. Pure rules, no I/O.
//!
//! Money is tiyn throughout; only the effective rate, a root of a polynomial in the rate, is
//! found with floating point. Dates are calendar dates in Asia/Almaty (the caller turns "now"
//! into the local date of issue).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Money;

/// The longest term any product may name, in months (ten years).
pub const MAX_TERM: u16 = 120;

/// Installments (no interest, no fee: the seller pays the bank) or credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    Installments,
    Credit,
}

/// How the principal is repaid: equal payments, or equal parts of the principal with
/// interest on what is left (payments shrink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repayment {
    Annuity,
    Differentiated,
}

/// From this amount on, these terms (months) may be chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermTier {
    pub from: Money,
    pub terms: Vec<u16>,
}

/// A bank's credit or installments product, as the operator configures it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Unique within the bank: `0-0-12`, `credit-24`.
    pub code: String,
    pub kind: ProductKind,
    pub repayment: Repayment,
    /// Nominal annual rate in hundredths of a percent (2990 is 29.90 %).
    #[serde(default)]
    pub rate_bp: u32,
    /// A fee taken once, at issue, in hundredths of a percent of the amount.
    #[serde(default)]
    pub issue_fee_bp: u32,
    /// A fee with every monthly payment, in hundredths of a percent of the amount.
    #[serde(default)]
    pub monthly_fee_bp: u32,
    pub min_amount: Money,
    pub max_amount: Money,
    /// Terms by amount: the last tier whose `from` the amount reaches applies.
    pub tiers: Vec<TermTier>,
}

/// Why a product's settings cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("the product code is empty or longer than 40 characters")]
    Code,
    #[error("installments carry no interest and no fee")]
    InstallmentsWithCost,
    #[error("the nominal rate is over 100 % or a fee over 50 %")]
    Rate,
    #[error("the amount range is empty or not positive")]
    AmountRange,
    #[error("a product needs at least one tier of terms, in increasing order of amount")]
    Tiers,
    #[error("a term is between 1 and 120 months, listed once")]
    Term,
}

impl Product {
    /// Checks the settings an operator typed or a configuration file gave.
    pub fn validate(&self) -> Result<(), ProductError> {
        let code = self.code.trim();
        if code.is_empty() || code.chars().count() > 40 {
            return Err(ProductError::Code);
        }
        if self.kind == ProductKind::Installments
            && (self.rate_bp != 0 || self.issue_fee_bp != 0 || self.monthly_fee_bp != 0)
        {
            return Err(ProductError::InstallmentsWithCost);
        }
        if self.rate_bp > 10_000 || self.issue_fee_bp > 5_000 || self.monthly_fee_bp > 5_000 {
            return Err(ProductError::Rate);
        }
        if self.min_amount.tiyn() <= 0 || self.max_amount < self.min_amount {
            return Err(ProductError::AmountRange);
        }
        if self.tiers.is_empty() || self.tiers.windows(2).any(|w| w[0].from >= w[1].from) {
            return Err(ProductError::Tiers);
        }
        for tier in &self.tiers {
            let mut seen = tier.terms.clone();
            seen.sort_unstable();
            seen.dedup();
            if tier.terms.is_empty()
                || seen.len() != tier.terms.len()
                || seen.iter().any(|t| !(1..=MAX_TERM).contains(t))
            {
                return Err(ProductError::Term);
            }
        }
        Ok(())
    }

    /// The terms an amount allows: none when it is outside the product's range.
    pub fn terms_for(&self, amount: Money) -> &[u16] {
        if amount < self.min_amount || amount > self.max_amount {
            return &[];
        }
        self.tiers.iter().rev().find(|t| amount >= t.from).map_or(&[], |t| t.terms.as_slice())
    }
}

/// Why no schedule can be drawn for this amount and term.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the amount is outside {min:?}..={max:?}")]
    AmountOutOfRange { min: Money, max: Money },
    #[error("this amount allows terms of {allowed:?} months")]
    TermNotAllowed { allowed: Vec<u16> },
}

/// One monthly payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// 1 for the first payment.
    pub number: u16,
    pub date: NaiveDate,
    pub principal: Money,
    pub interest: Money,
    pub fee: Money,
    pub total: Money,
    /// What is left to repay after this payment.
    pub balance_after: Money,
}

/// A loan's repayment schedule with what it costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub amount: Money,
    pub term: u16,
    pub issued_on: NaiveDate,
    /// Taken at issue.
    pub issue_fee: Money,
    pub payments: Vec<Payment>,
    /// Every payment and the issue fee.
    pub total_paid: Money,
    /// `total_paid` less the amount.
    pub overpayment: Money,
    /// ГЭСВ in tenths of a percent (`295` is 29.5 %).
    pub effective_rate_tenths: i64,
}

impl Schedule {
    /// The first payment: what "per month" means in an offer (an annuity's are all equal but
    /// the last; a differentiated schedule's first is its largest).
    pub fn monthly(&self) -> Money {
        self.payments.first().map_or(Money::ZERO, |p| p.total)
    }
}

/// `value × numerator / denominator`, rounded half up, for non-negative values.
fn share(value: i64, numerator: u32, denominator: i64) -> i64 {
    let n = i128::from(value) * i128::from(numerator);
    let d = i128::from(denominator);
    i64::try_from((n * 2 + d) / (2 * d)).unwrap_or(i64::MAX)
}

/// The schedule of `amount` over `term` months, issued on `issued_on`: payment k falls on the
/// same day k months later (the month's last day when it is shorter); interest is the nominal
/// rate over twelve on what is left; the last payment repays whatever rounding left over.
pub fn schedule(product: &Product, amount: Money, term: u16, issued_on: NaiveDate) -> Result<Schedule, Refusal> {
    let allowed = product.terms_for(amount);
    if allowed.is_empty() {
        return Err(Refusal::AmountOutOfRange { min: product.min_amount, max: product.max_amount });
    }
    if !allowed.contains(&term) {
        return Err(Refusal::TermNotAllowed { allowed: allowed.to_vec() });
    }
    let p = amount.tiyn();
    let n = i64::from(term);
    let monthly_rate = f64::from(product.rate_bp) / 10_000.0 / 12.0;
    let annuity = if product.rate_bp == 0 {
        (p + n - 1) / n
    } else {
        let exact = p as f64 * monthly_rate / (1.0 - (1.0 + monthly_rate).powi(i32::from(term)).recip());
        exact.round() as i64
    };
    let fee = share(p, product.monthly_fee_bp, 10_000);
    let mut balance = p;
    let mut payments = Vec::with_capacity(usize::from(term));
    for k in 1..=term {
        let interest = share(balance, product.rate_bp, 120_000);
        let principal = if k == term {
            balance
        } else {
            match product.repayment {
                Repayment::Annuity => (annuity - interest).clamp(0, balance),
                Repayment::Differentiated => (p / n).min(balance),
            }
        };
        balance -= principal;
        let date = issued_on.checked_add_months(Months::new(u32::from(k))).unwrap_or(NaiveDate::MAX);
        payments.push(Payment {
            number: k,
            date,
            principal: Money::from_tiyn(principal),
            interest: Money::from_tiyn(interest),
            fee: Money::from_tiyn(fee),
            total: Money::from_tiyn(principal + interest + fee),
            balance_after: Money::from_tiyn(balance),
        });
    }
    let issue_fee = share(p, product.issue_fee_bp, 10_000);
    let total_paid = payments.iter().map(|x| x.total.tiyn()).sum::<i64>() + issue_fee;
    let flows: Vec<(i64, i64)> = std::iter::once((0, p - issue_fee))
        .chain(payments.iter().map(|x| ((x.date - issued_on).num_days(), -x.total.tiyn())))
        .collect();
    let effective_rate_tenths = (effective_rate(&flows) * 1000.0).round() as i64;
    Ok(Schedule {
        amount,
        term,
        issued_on,
        issue_fee: Money::from_tiyn(issue_fee),
        payments,
        total_paid: Money::from_tiyn(total_paid),
        overpayment: Money::from_tiyn(total_paid - p),
        effective_rate_tenths,
    })
}

/// The annual effective rate i of cash flows `(days from issue, amount)` — the borrower
/// receives the first, pays the rest — solving Σ CF_k / (1 + i)^(d_k / 365) = 0 (NBRK
/// resolution No. 137). The sum grows with i, so bisection finds the one root.
pub fn effective_rate(flows: &[(i64, i64)]) -> f64 {
    let value = |i: f64| -> f64 { flows.iter().map(|&(d, cf)| cf as f64 / (1.0 + i).powf(d as f64 / 365.0)).sum() };
    let (mut lo, mut hi) = (-0.99_f64, 1.0_f64);
    while value(hi) < 0.0 && hi < 1e6 {
        hi *= 2.0;
    }
    if value(lo) > 0.0 {
        return lo;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if value(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    (lo + hi) / 2.0
}

/// The legal cap on the effective rate from a date on (tenths of a percent): the law changes
/// it, so caps are dated settings, not a constant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCap {
    pub since: NaiveDate,
    pub max_tenths: i64,
}

/// Caps for unsecured bank loans: 56 % until 2025-06-15, 46 % since 2025-06-16.
pub fn unsecured_caps() -> Vec<RateCap> {
    vec![
        RateCap { since: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(), max_tenths: 560 },
        RateCap { since: NaiveDate::from_ymd_opt(2025, 6, 16).unwrap_or_default(), max_tenths: 460 },
    ]
}

/// The cap in force on a date (the latest that started by then); `None`: no cap known.
pub fn cap_on(caps: &[RateCap], on: NaiveDate) -> Option<i64> {
    caps.iter().filter(|c| c.since <= on).max_by_key(|c| c.since).map(|c| c.max_tenths)
}

/// Every schedule a product gives this amount (one per allowed term), leaving out any whose
/// effective rate is over the cap in force: such an offer is never shown.
pub fn offers(product: &Product, amount: Money, issued_on: NaiveDate, caps: &[RateCap]) -> Vec<Schedule> {
    let cap = cap_on(caps, issued_on);
    product
        .terms_for(amount)
        .iter()
        .filter_map(|&term| schedule(product, amount, term, issued_on).ok())
        .filter(|s| cap.is_none_or(|c| s.effective_rate_tenths <= c))
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn tenge(t: i64) -> Money {
        Money::from_tenge(t).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Kaspi's published installment tiers (../shared/domain-kz.md).
    fn installments() -> Product {
        Product {
            code: "0-0-N".into(),
            kind: ProductKind::Installments,
            repayment: Repayment::Annuity,
            rate_bp: 0,
            issue_fee_bp: 0,
            monthly_fee_bp: 0,
            min_amount: tenge(10_000),
            max_amount: tenge(2_000_000),
            tiers: vec![
                TermTier { from: tenge(10_000), terms: vec![3] },
                TermTier { from: tenge(15_000), terms: vec![3, 6] },
                TermTier { from: tenge(25_000), terms: vec![3, 6, 12] },
                TermTier { from: tenge(50_000), terms: vec![3, 6, 12, 24] },
            ],
        }
    }

    fn credit(repayment: Repayment, rate_bp: u32, issue_fee_bp: u32, monthly_fee_bp: u32) -> Product {
        Product {
            code: "credit".into(),
            kind: ProductKind::Credit,
            repayment,
            rate_bp,
            issue_fee_bp,
            monthly_fee_bp,
            min_amount: tenge(5_000),
            max_amount: tenge(5_000_000),
            tiers: vec![TermTier { from: tenge(5_000), terms: vec![3, 6, 12, 24, 36, 60] }],
        }
    }

    /// An independent root finder for the checks: Newton's method on the same equation.
    fn newton_rate(flows: &[(i64, f64)]) -> f64 {
        let mut i = 0.1_f64;
        for _ in 0..100 {
            let (mut f, mut df) = (0.0, 0.0);
            for &(d, cf) in flows {
                let t = d as f64 / 365.0;
                f += cf * (1.0 + i).powf(-t);
                df += -t * cf * (1.0 + i).powf(-t - 1.0);
            }
            let step = f / df;
            i -= step;
            if step.abs() < 1e-14 {
                break;
            }
        }
        i
    }

    #[test]
    fn tiers_give_the_terms_of_the_amount() {
        let p = installments();
        p.validate().unwrap();
        assert_eq!(p.terms_for(tenge(9_999)), &[] as &[u16]);
        assert_eq!(p.terms_for(tenge(10_000)), &[3]);
        assert_eq!(p.terms_for(tenge(24_999)), &[3, 6]);
        assert_eq!(p.terms_for(tenge(49_999)), &[3, 6, 12]);
        assert_eq!(p.terms_for(tenge(50_000)), &[3, 6, 12, 24]);
        assert_eq!(p.terms_for(tenge(2_000_001)), &[] as &[u16]);
    }

    #[test]
    fn a_term_the_amount_does_not_allow_is_refused() {
        let p = installments();
        let r = schedule(&p, tenge(20_000), 12, date(2026, 12, 5)).unwrap_err();
        assert_eq!(r, Refusal::TermNotAllowed { allowed: vec![3, 6] });
        let r = schedule(&p, tenge(5_000), 3, date(2026, 12, 5)).unwrap_err();
        assert!(matches!(r, Refusal::AmountOutOfRange { .. }));
    }

    #[test]
    fn bad_products_are_refused() {
        let mut p = installments();
        p.rate_bp = 100;
        assert_eq!(p.validate(), Err(ProductError::InstallmentsWithCost));
        let mut p = installments();
        p.tiers.swap(0, 1);
        assert_eq!(p.validate(), Err(ProductError::Tiers));
        let mut p = installments();
        p.tiers[0].terms = vec![3, 3];
        assert_eq!(p.validate(), Err(ProductError::Term));
        let mut p = installments();
        p.tiers[0].terms = vec![0];
        assert_eq!(p.validate(), Err(ProductError::Term));
        let mut p = credit(Repayment::Annuity, 12_000, 0, 0);
        assert_eq!(p.validate(), Err(ProductError::Rate));
        p.rate_bp = 2_400;
        p.max_amount = tenge(1);
        assert_eq!(p.validate(), Err(ProductError::AmountRange));
    }

    #[test]
    fn installments_0_0_12_cost_nothing() {
        let s = schedule(&installments(), Money::from_tiyn(9_999_901), 12, date(2026, 12, 5)).unwrap();
        assert_eq!(s.payments.len(), 12);
        assert_eq!(s.overpayment, Money::ZERO);
        assert_eq!(s.effective_rate_tenths, 0);
        // 99 999.01 ₸ over 12: 8 333.26 ₸ eleven times (rounded up), the last takes the rest.
        assert!(s.payments[..11].iter().all(|p| p.total == Money::from_tiyn(833_326)));
        assert_eq!(s.payments[11].total, Money::from_tiyn(9_999_901 - 11 * 833_326));
        assert_eq!(s.payments[0].date, date(2027, 1, 5));
        assert_eq!(s.payments[11].date, date(2027, 12, 5));
    }

    #[test]
    fn payment_dates_keep_the_day_or_take_the_months_last() {
        let s = schedule(&installments(), tenge(30_000), 6, date(2027, 1, 31)).unwrap();
        let dates: Vec<NaiveDate> = s.payments.iter().map(|p| p.date).collect();
        assert_eq!(
            dates,
            [
                date(2027, 2, 28),
                date(2027, 3, 31),
                date(2027, 4, 30),
                date(2027, 5, 31),
                date(2027, 6, 30),
                date(2027, 7, 31)
            ]
        );
    }

    #[test]
    fn an_annuity_matches_the_textbook_formula() {
        // 100 000 ₸ for 12 months at 24 %: 2 % a month.
        let s = schedule(&credit(Repayment::Annuity, 2_400, 0, 0), tenge(100_000), 12, date(2026, 12, 5)).unwrap();
        let exact = 100_000.0 * 0.02 / (1.0 - 1.02_f64.powi(-12));
        assert_eq!(s.monthly().tiyn(), (exact * 100.0).round() as i64);
        assert_eq!(s.monthly(), Money::from_tiyn(945_596));
        // Interest of the first month: 2 % of 100 000 ₸.
        assert_eq!(s.payments[0].interest, tenge(2_000));
        let paid: i64 = s.payments.iter().map(|p| p.total.tiyn()).sum();
        assert_eq!(s.total_paid.tiyn(), paid);
        assert!((s.overpayment.tiyn() - (exact * 12.0 * 100.0 - 10_000_000.0).round() as i64).abs() <= 12);
        // The effective rate of a nominal 24 % paid monthly is above 24 %: (1.02)^12 − 1 =
        // 26.8 % by months; by days over 365 the root of the dated flows, found independently.
        let flows: Vec<(i64, f64)> = std::iter::once((0, 10_000_000.0))
            .chain(s.payments.iter().map(|p| ((p.date - s.issued_on).num_days(), -(p.total.tiyn() as f64))))
            .collect();
        let independent = newton_rate(&flows);
        assert_eq!(s.effective_rate_tenths, (independent * 1000.0).round() as i64);
        assert!((260..=275).contains(&s.effective_rate_tenths), "{}", s.effective_rate_tenths);
    }

    #[test]
    fn fees_raise_the_effective_rate_above_the_nominal_one() {
        let plain = schedule(&credit(Repayment::Annuity, 2_000, 0, 0), tenge(300_000), 24, date(2026, 12, 5)).unwrap();
        let fees =
            schedule(&credit(Repayment::Annuity, 2_000, 300, 50), tenge(300_000), 24, date(2026, 12, 5)).unwrap();
        assert!(plain.effective_rate_tenths > 200);
        assert!(
            fees.effective_rate_tenths > plain.effective_rate_tenths + 50,
            "{} vs {}",
            fees.effective_rate_tenths,
            plain.effective_rate_tenths
        );
        assert_eq!(fees.issue_fee, tenge(9_000));
        assert!(fees.payments.iter().all(|p| p.fee == tenge(1_500)));
        let flows: Vec<(i64, f64)> = std::iter::once((0, (30_000_000 - 900_000) as f64))
            .chain(fees.payments.iter().map(|p| ((p.date - fees.issued_on).num_days(), -(p.total.tiyn() as f64))))
            .collect();
        assert_eq!(fees.effective_rate_tenths, (newton_rate(&flows) * 1000.0).round() as i64);
    }

    #[test]
    fn a_differentiated_schedule_shrinks() {
        let s =
            schedule(&credit(Repayment::Differentiated, 1_800, 0, 0), tenge(120_000), 12, date(2026, 12, 5)).unwrap();
        assert!(s.payments.windows(2).all(|w| w[0].total > w[1].total));
        assert!(s.payments.iter().all(|p| p.principal == tenge(10_000)));
        // 1.5 % a month of 120 000 ₸, then of 110 000 ₸.
        assert_eq!(s.payments[0].interest, tenge(1_800));
        assert_eq!(s.payments[1].interest, tenge(1_650));
    }

    #[test]
    fn offers_over_the_cap_are_left_out() {
        // 40 % nominal with a 2 % monthly fee: far above 46 %.
        let costly = credit(Repayment::Annuity, 4_000, 0, 200);
        let on = date(2026, 12, 5);
        assert!(offers(&costly, tenge(100_000), on, &unsecured_caps()).is_empty());
        assert!(!offers(&costly, tenge(100_000), on, &[]).is_empty(), "without a cap they are drawn");
        let fair = credit(Repayment::Annuity, 2_400, 0, 0);
        assert_eq!(offers(&fair, tenge(100_000), on, &unsecured_caps()).len(), 6);
        assert_eq!(cap_on(&unsecured_caps(), date(2025, 6, 15)), Some(560));
        assert_eq!(cap_on(&unsecured_caps(), date(2025, 6, 16)), Some(460));
    }

    proptest! {
        #[test]
        fn principal_parts_sum_to_the_loan_and_payments_are_positive(
            amount in 500_000_i64..500_000_000,
            term_index in 0usize..6,
            rate_bp in 0u32..5_000,
            monthly_fee_bp in 0u32..100,
            differentiated in any::<bool>(),
            day in 1u32..29,
        ) {
            let repayment = if differentiated { Repayment::Differentiated } else { Repayment::Annuity };
            let product = credit(repayment, rate_bp, 0, monthly_fee_bp);
            let term = [3u16, 6, 12, 24, 36, 60][term_index];
            let s = schedule(&product, Money::from_tiyn(amount), term, date(2026, 12, day)).unwrap();
            prop_assert_eq!(s.payments.len(), usize::from(term));
            prop_assert_eq!(s.payments.iter().map(|p| p.principal.tiyn()).sum::<i64>(), amount);
            prop_assert!(s.payments.iter().all(|p| p.total.tiyn() > 0 && p.principal.tiyn() >= 0));
            prop_assert_eq!(s.payments.last().unwrap().balance_after, Money::ZERO);
            prop_assert!(s.payments.windows(2).all(|w| w[0].date < w[1].date));
            if !differentiated {
                let first = s.payments[0].total;
                prop_assert!(s.payments[..s.payments.len() - 1].iter().all(|p| p.total == first));
            }
            prop_assert_eq!(s.overpayment.tiyn() == 0, rate_bp == 0 && monthly_fee_bp == 0);
            if rate_bp == 0 && monthly_fee_bp == 0 {
                prop_assert_eq!(s.effective_rate_tenths, 0);
            } else {
                prop_assert!(s.effective_rate_tenths > 0);
            }
        }
    }
}
