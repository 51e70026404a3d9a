//! `GET /api/v1/credit/offers?amount=<tiyn>`: every credit and installments offer for an amount.

use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use duken_core::Money;
use duken_core::credit::{ProductKind, Repayment};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{Offers, issue_date, offers, percent_bp, percent_tenths};
use crate::app::AppState;
use crate::catalog::api::money_value as money;
use crate::web::error::{AppError, ErrorDocument};
use crate::web::i18n::Message;
use crate::web::prefs::Prefs;

#[derive(Deserialize, IntoParams)]
pub struct OffersParams {
    /// The amount to borrow, in tiyn (1 ₸ = 100 tiyn), positive.
    amount: Option<String>,
}

/// Every offer partner banks' products make for an amount: bank, product (kind, repayment,
/// nominal rate, fees), term, the dated payments (Asia/Almaty dates, tiyn; the last payment
/// absorbs rounding), total paid, overpayment and the ГЭСВ (annual effective rate, one decimal).
/// Offers over the legal cap on the ГЭСВ are never listed.
#[utoipa::path(get, path = "/api/v1/credit/offers", tag = "credit", params(OffersParams),
    responses((status = 200, description = "`data`: the offers; `meta`: the amount, the issue date and the cap in force"),
              (status = 400, description = "No amount, not a positive whole number of tiyn, or outside every product's range (the message gives the range)", body = ErrorDocument)))]
pub async fn credit_offers(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Query(params): Query<OffersParams>,
) -> Result<Response, AppError> {
    let amount = params
        .amount
        .as_deref()
        .map(str::trim)
        .and_then(|a| a.parse::<i64>().ok())
        .filter(|a| *a > 0)
        .map(Money::from_tiyn)
        .ok_or_else(|| AppError::bad_param("amount", Message::new("error-credit-amount")))?;
    let issued_on = issue_date();
    let found = match offers(&state, amount, issued_on).await? {
        Offers::Found(found) => found,
        Offers::OutOfRange(Some((min, max))) => {
            return Err(AppError::bad_param(
                "amount",
                Message::new("error-credit-amount-range")
                    .arg("min", min.format(prefs.lang))
                    .arg("max", max.format(prefs.lang)),
            ));
        }
        Offers::OutOfRange(None) => {
            return Err(AppError::bad_param("amount", Message::new("error-credit-no-banks")));
        }
    };
    let data: Vec<Value> = found
        .iter()
        .map(|o| {
            let p = &o.bank.product;
            let s = &o.schedule;
            json!({
                "bank": { "code": o.bank.bank_code, "name": o.bank.bank_name },
                "product": {
                    "id": o.bank.product_id,
                    "code": p.code,
                    "kind": match p.kind { ProductKind::Installments => "installments", ProductKind::Credit => "credit" },
                    "repayment": match p.repayment { Repayment::Annuity => "annuity", Repayment::Differentiated => "differentiated" },
                    "nominal_rate_percent": percent_bp(p.rate_bp),
                    "issue_fee_percent": percent_bp(p.issue_fee_bp),
                    "monthly_fee_percent": percent_bp(p.monthly_fee_bp),
                },
                "term_months": s.term,
                "monthly_payment": money(s.monthly(), &prefs),
                "issue_fee": money(s.issue_fee, &prefs),
                "total_paid": money(s.total_paid, &prefs),
                "overpayment": money(s.overpayment, &prefs),
                "effective_rate_percent": percent_tenths(s.effective_rate_tenths),
                "payments": s.payments.iter().map(|x| json!({
                    "number": x.number,
                    "date": x.date.to_string(),
                    "principal": money(x.principal, &prefs),
                    "interest": money(x.interest, &prefs),
                    "fee": money(x.fee, &prefs),
                    "total": money(x.total, &prefs),
                    "balance_after": money(x.balance_after, &prefs),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let cap = duken_core::credit::cap_on(&state.credit_caps, issued_on);
    Ok(Json(json!({
        "data": data,
        "meta": {
            "amount": money(amount, &prefs),
            "issued_on": issued_on.to_string(),
            "effective_rate_cap_percent": cap.map(percent_tenths),
        },
    }))
    .into_response())
}
