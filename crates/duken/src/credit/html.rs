//! The buyer's credit offers page (`/credit?amount=<tiyn>` or `?tenge=<whole tenge>`) and the
//! offers summary the product page and the cart show (§3, §9.1-3: the schedule, total,
//! overpayment and ГЭСВ before the buyer commits). Works without JavaScript: each schedule is
//! a `<details>` element.

use askama::Template;
use axum::Extension;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use duken_core::credit::ProductKind;
use duken_core::{Lang, Money};
use serde::Deserialize;

use super::{Offer, Offers, issue_date, offers, percent_bp, percent_tenths};
use crate::app::AppState;
use crate::web::error::AppError;
use crate::web::i18n::{Arg, t_args};
use crate::web::page::{PageCtx, html};
use crate::web::prefs::Prefs;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/credit", get(credit_page))
        .route("/banks/{code}/webhook", axum::routing::post(super::webhook::receive))
        .merge(super::requests::routes(state))
}

/// One payment of a schedule, as a page shows it.
pub struct PaymentView {
    pub number: u16,
    pub date: String,
    pub principal: String,
    pub interest: String,
    pub fee: String,
    pub total: String,
    pub balance: String,
}

/// One offer, as a page shows it.
pub struct OfferView {
    /// `product_id:term`, the checkout form's value for this offer.
    pub choice: String,
    pub bank: String,
    /// "0-0-12 installments" or "Credit, 29.90 % a year".
    pub product: String,
    pub term: String,
    pub monthly: String,
    pub total_paid: String,
    pub overpayment: String,
    pub issue_fee: Option<String>,
    /// ГЭСВ, "26.8 %".
    pub effective_rate: String,
    pub payments: Vec<PaymentView>,
}

/// A percent as people read it: `26,8` in Kazakh and Russian, `26.8` in English.
fn percent_text(text: String, lang: Lang) -> String {
    match lang {
        Lang::Kk | Lang::Ru => text.replace('.', ","),
        Lang::En => text,
    }
}

fn date_text(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Kk | Lang::Ru => d.format("%d.%m.%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

pub fn offer_views(found: &[Offer], lang: Lang) -> Vec<OfferView> {
    found
        .iter()
        .map(|o| {
            let p = &o.bank.product;
            let s = &o.schedule;
            let product = match p.kind {
                ProductKind::Installments => {
                    t_args(lang, "credit-product-installments", &[("term", Arg::Number(i64::from(s.term)))])
                }
                ProductKind::Credit => t_args(
                    lang,
                    "credit-product-credit",
                    &[("rate", Arg::Text(percent_text(percent_bp(p.rate_bp), lang)))],
                ),
            };
            OfferView {
                choice: format!("{}:{}", o.bank.product_id, s.term),
                bank: o.bank.bank_name.clone(),
                product,
                term: t_args(lang, "credit-months", &[("n", Arg::Number(i64::from(s.term)))]),
                monthly: s.monthly().format(lang),
                total_paid: s.total_paid.format(lang),
                overpayment: s.overpayment.format(lang),
                issue_fee: (s.issue_fee > Money::ZERO).then(|| s.issue_fee.format(lang)),
                effective_rate: format!("{} %", percent_text(percent_tenths(s.effective_rate_tenths), lang)),
                payments: s
                    .payments
                    .iter()
                    .map(|x| PaymentView {
                        number: x.number,
                        date: date_text(x.date, lang),
                        principal: x.principal.format(lang),
                        interest: x.interest.format(lang),
                        fee: x.fee.format(lang),
                        total: x.total.format(lang),
                        balance: x.balance_after.format(lang),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The offers for an amount, for a page's summary: none when no product takes it.
pub async fn summary(state: &AppState, amount: Money, lang: Lang) -> Result<Vec<OfferView>, AppError> {
    Ok(match offers(state, amount, issue_date()).await? {
        Offers::Found(found) => offer_views(&found, lang),
        Offers::OutOfRange(_) => Vec::new(),
    })
}

#[derive(Deserialize)]
struct CreditQuery {
    amount: Option<String>,
    tenge: Option<String>,
}

#[derive(Template)]
#[template(path = "credit/offers.html")]
struct CreditPage {
    ctx: PageCtx,
    /// What the form shows, in whole tenge.
    tenge: String,
    amount: String,
    problem: Option<String>,
    offers: Vec<OfferView>,
    issued_on: String,
    cap: String,
}

async fn credit_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Query(q): Query<CreditQuery>,
    uri: Uri,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let lang = ctx.lang;
    let parse = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let (typed, amount) = match (parse(&q.tenge), parse(&q.amount)) {
        (Some(t), _) => (t.clone(), t.replace([' ', '\u{a0}'], "").parse::<i64>().ok().and_then(Money::from_tenge)),
        (None, Some(a)) => {
            let m = a.parse::<i64>().ok().map(Money::from_tiyn);
            (m.map_or(a, |m| ((m.tiyn() + 99) / 100).to_string()), m)
        }
        (None, None) => (String::new(), None),
    };
    let issued_on = issue_date();
    let cap = duken_core::credit::cap_on(&state.credit_caps, issued_on)
        .map(|c| percent_text(percent_tenths(c), lang))
        .unwrap_or_default();
    let mut page = CreditPage {
        tenge: typed.clone(),
        amount: String::new(),
        problem: None,
        offers: Vec::new(),
        issued_on: date_text(issued_on, lang),
        cap,
        ctx,
    };
    // Only an amount that is not a number is the request's fault (400); an amount no bank
    // takes is an answer like any other.
    let mut status = StatusCode::OK;
    match amount.filter(|m| m.tiyn() > 0) {
        None if typed.is_empty() => {}
        None => {
            page.problem = Some(page.ctx.t("error-credit-amount-page"));
            status = StatusCode::BAD_REQUEST;
        }
        Some(amount) => {
            page.amount = amount.format(lang);
            match offers(&state, amount, issued_on).await? {
                Offers::Found(found) if found.is_empty() => page.problem = Some(page.ctx.t("credit-none-within-cap")),
                Offers::Found(found) => page.offers = offer_views(&found, lang),
                Offers::OutOfRange(Some((min, max))) => {
                    page.problem = Some(t_args(
                        lang,
                        "error-credit-amount-range",
                        &[("min", Arg::Text(min.format(lang))), ("max", Arg::Text(max.format(lang)))],
                    ));
                }
                Offers::OutOfRange(None) => page.problem = Some(page.ctx.t("error-credit-no-banks")),
            }
        }
    }
    Ok((status, html(&page)?).into_response())
}
