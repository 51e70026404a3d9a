//! Published texts: the user agreement (§1, §7) and the help pages (§11, §12), in kk, ru
//! and en, compiled into the binary from `content/`.
//!
//! The agreement shown here is version 1; the accounts issue moves agreement versions into
//! the database (operators publish new ones) and this text becomes its first row.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use duken_core::{Lang, Localized};
use serde::Deserialize;

use crate::app::AppState;
use crate::catalog::clip;
use crate::web::error::AppError;
use crate::web::i18n::Message;
use crate::web::page::{PageCtx, html};
use crate::web::prefs::Prefs;

/// The texts of version 1, compiled in; inserted into `agreement_versions` at first start.
pub fn first_agreement() -> (Localized, Localized) {
    let summary = Localized {
        kk: "Алғашқы редакция.".to_owned(),
        ru: "Первая редакция.".to_owned(),
        en: "The first version.".to_owned(),
    };
    let text = Localized { kk: AGREEMENT.kk.to_owned(), ru: AGREEMENT.ru.to_owned(), en: AGREEMENT.en.to_owned() };
    (summary, text)
}

/// Text of a page in each language.
struct Texts {
    kk: &'static str,
    ru: &'static str,
    en: &'static str,
}

impl Texts {
    fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.kk,
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }
}

macro_rules! texts {
    ($dir:literal, $name:literal) => {
        Texts {
            kk: include_str!(concat!("../../content/", $dir, "/", $name, "kk.html")),
            ru: include_str!(concat!("../../content/", $dir, "/", $name, "ru.html")),
            en: include_str!(concat!("../../content/", $dir, "/", $name, "en.html")),
        }
    };
}

const AGREEMENT: Texts = texts!("agreement", "");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HelpEntry {
    slug: String,
    title: Localized,
    summary: Localized,
}

struct HelpPage {
    entry: HelpEntry,
    body: Texts,
}

static HELP: LazyLock<Vec<HelpPage>> = LazyLock::new(|| {
    let entries: Vec<HelpEntry> =
        serde_json::from_str(include_str!("../../content/help/index.json")).expect("content/help/index.json is valid");
    let bodies = [
        ("how-to-buy", texts!("help", "how-to-buy.")),
        ("delivery", texts!("help", "delivery.")),
        ("credit", texts!("help", "credit.")),
        ("returns", texts!("help", "returns.")),
    ];
    entries
        .into_iter()
        .map(|entry| {
            let body = bodies
                .iter()
                .find(|(slug, _)| *slug == entry.slug)
                .map(|(_, t)| Texts { kk: t.kk, ru: t.ru, en: t.en })
                .unwrap_or_else(|| panic!("help page {} has no text files", entry.slug));
            HelpPage { entry, body }
        })
        .collect()
});

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agreement", get(show_agreement))
        .route("/help", get(help_index))
        .route("/help/{slug}", get(show_help))
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    ctx: PageCtx,
    version: i64,
    published: String,
    body: String,
}

/// The version in force, in the visitor's language (§1: it applies to every visitor).
async fn show_agreement(
    State(state): State<AppState>,
    Extension(prefs): Extension<Prefs>,
    uri: Uri,
) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let current = state
        .store
        .current_agreement()
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no agreement version")))?;
    html(&AgreementPage {
        version: i64::from(current.version),
        published: duken_core::time::format_local(current.published_at, ctx.lang),
        body: current.text.get(ctx.lang).clone(),
        ctx,
    })
}

pub struct HelpLink {
    pub url: String,
    pub title: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "help_index.html")]
struct HelpIndexPage {
    ctx: PageCtx,
    pages: Vec<HelpLink>,
}

async fn help_index(Extension(prefs): Extension<Prefs>, uri: Uri) -> Result<Response, AppError> {
    let ctx = PageCtx::new(&prefs, &uri);
    let pages = HELP
        .iter()
        .map(|p| HelpLink {
            url: format!("/help/{}", p.entry.slug),
            title: p.entry.title.get(ctx.lang).clone(),
            summary: p.entry.summary.get(ctx.lang).clone(),
        })
        .collect();
    html(&HelpIndexPage { pages, ctx })
}

#[derive(Template)]
#[template(path = "help_page.html")]
struct HelpPageView {
    ctx: PageCtx,
    title: String,
    body: &'static str,
}

async fn show_help(
    Extension(prefs): Extension<Prefs>,
    Path(slug): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    let Some(page) = HELP.iter().find(|p| p.entry.slug == slug) else {
        return Err(AppError::NotFound(Message::new("error-no-such-help").arg("slug", clip(&slug))));
    };
    let ctx = PageCtx::new(&prefs, &uri);
    html(&HelpPageView { title: page.entry.title.get(ctx.lang).clone(), body: page.body.get(ctx.lang), ctx })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_help_page_has_its_texts() {
        assert_eq!(HELP.len(), 4);
        for page in HELP.iter() {
            for lang in Lang::ALL {
                assert!(page.body.get(lang).contains("<h1>"), "{} {}", page.entry.slug, lang.code());
            }
        }
    }

    #[test]
    fn the_agreement_has_every_clause_in_every_language() {
        for lang in Lang::ALL {
            let text = AGREEMENT.get(lang);
            for n in 1..=14 {
                assert!(text.contains(&format!("id=\"s{n}\"")), "§{n} missing in {}", lang.code());
            }
            for sub in ["s9-1", "s9-2", "s10-1", "s10-2", "s13-1", "s13-2", "s13-3"] {
                assert!(text.contains(&format!("id=\"{sub}\"")), "{sub} missing in {}", lang.code());
            }
        }
    }
}
