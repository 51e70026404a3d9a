//! The operator console's partner banks (§3, §9.1-3): every bank with its products, and (for
//! administrators) saving a bank as JSON — the same form as `--banks-config` — with every
//! setting validated and the change audited. Secrets are never shown back: left empty, the
//! stored ones are kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use duken_core::credit::{ProductKind, Repayment};
use duken_store::StoreError;
use duken_store::credit::{BankConfig, BankProduct};

use crate::accounts::html::check_csrf;
use crate::app::AppState;
use crate::credit::percent_bp;
use crate::web::access;
use crate::web::error::AppError;
use crate::web::page::{PageCtx, html};
use crate::web::prefs::Prefs;
use crate::web::request_id::RequestId;
use duken_core::roles::Access;

pub fn routes() -> Router<AppState> {
    let look = Router::new().route("/console/banks", get(banks_page)).route_layer(access::layer(Access::Operator));
    let change = Router::new().route("/console/banks", post(save)).route_layer(access::layer(Access::Admin));
    look.merge(change)
}

pub struct ProductLine {
    pub code: String,
    pub kind: String,
    pub repayment: String,
    pub rate: String,
    pub fees: String,
    pub amounts: String,
    pub terms: String,
}

pub struct BankLine {
    pub code: String,
    pub name: String,
    pub api_base_url: String,
    pub active: bool,
    pub products: Vec<ProductLine>,
    /// The bank as JSON for the form, secrets left empty.
    pub json: String,
}

#[derive(Template)]
#[template(path = "console/banks.html")]
struct BanksPage {
    ctx: PageCtx,
    banks: Vec<BankLine>,
    admin: bool,
    /// What the form holds: a bank to edit, or what was sent back with its problem.
    draft: String,
    problem: Option<String>,
}

fn product_line(ctx: &PageCtx, p: &BankProduct) -> ProductLine {
    let p = &p.product;
    let terms: Vec<String> = p
        .tiers
        .iter()
        .map(|t| {
            format!(
                "{}+: {}",
                t.from.format(ctx.lang),
                t.terms.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    ProductLine {
        code: p.code.clone(),
        kind: ctx.t(match p.kind {
            ProductKind::Installments => "console-bank-installments",
            ProductKind::Credit => "console-bank-credit",
        }),
        repayment: ctx.t(match p.repayment {
            Repayment::Annuity => "console-bank-annuity",
            Repayment::Differentiated => "console-bank-differentiated",
        }),
        rate: format!("{} %", percent_bp(p.rate_bp)),
        fees: format!("{} % + {} %/mo", percent_bp(p.issue_fee_bp), percent_bp(p.monthly_fee_bp)),
        amounts: format!("{} – {}", p.min_amount.format(ctx.lang), p.max_amount.format(ctx.lang)),
        terms: terms.join("; "),
    }
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    uri: &Uri,
    draft: String,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(prefs, uri);
    let (banks, products) = tokio::try_join!(state.store.banks(), state.store.credit_products())?;
    let lines = banks
        .into_iter()
        .map(|b| {
            let mine: Vec<&BankProduct> = products.iter().filter(|p| p.bank_id == b.id).collect();
            let config = BankConfig {
                code: b.code.clone(),
                name: b.name.clone(),
                api_base_url: b.api_base_url.clone(),
                api_key: String::new(),
                webhook_secret: String::new(),
                active: b.active,
                products: mine.iter().map(|p| p.product.clone()).collect(),
            };
            BankLine {
                products: mine.iter().map(|p| product_line(&ctx, p)).collect(),
                json: serde_json::to_string_pretty(&config).unwrap_or_default(),
                code: b.code,
                name: b.name,
                api_base_url: b.api_base_url,
                active: b.active,
            }
        })
        .collect();
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let admin = prefs.viewer.as_ref().is_some_and(|v| Access::Admin.allows(&v.roles));
    Ok((status, html(&BanksPage { ctx, banks: lines, admin, draft, problem })?).into_response())
}

async fn banks_page(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    render(&state, &prefs, &uri, String::new(), None).await
}

async fn save(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    Extension(request_id): Extension<RequestId>,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&prefs, &form)?;
    let viewer = access::viewer(&prefs)?;
    let text = form.get("bank").map(String::as_str).unwrap_or("").trim().to_owned();
    let bank: BankConfig = match serde_json::from_str(&text) {
        Ok(b) => b,
        Err(e) => {
            let problem = prefs_text(&prefs, "console-bank-bad-json", &e.to_string());
            return render(&state, &prefs, &uri, text, Some(problem)).await;
        }
    };
    match state.store.save_bank(&bank, &viewer.actor(), &request_id.0).await {
        Ok(_) => {
            state.catalog.forget_credit_products();
            Ok(Redirect::to("/console/banks").into_response())
        }
        Err(StoreError::Config(why)) => {
            let problem = prefs_text(&prefs, "console-bank-refused", &why);
            render(&state, &prefs, &uri, text, Some(problem)).await
        }
        Err(e) => Err(e.into()),
    }
}

fn prefs_text(prefs: &Prefs, key: &str, detail: &str) -> String {
    crate::web::i18n::t_args(prefs.lang, key, &[("detail", crate::web::i18n::Arg::Text(crate::catalog::clip(detail)))])
}
