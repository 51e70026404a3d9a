//! What every HTML page shares: the visitor's language and city, the language and city
//! switches, notices, and the translation helpers templates call (`ctx.t("key")`).

use askama::Template;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use duken_core::{Lang, Money};

use crate::web::error::AppError;
use crate::web::i18n::{Arg, Message, t, t_args};
use crate::web::params::{Params, encode_query};
use crate::web::prefs::Prefs;

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub url: String,
    pub current: bool,
}

pub struct CityOption {
    pub kato: String,
    pub name: String,
    pub selected: bool,
}

pub struct PageCtx {
    pub lang: Lang,
    pub city_name: String,
    pub cities: Vec<CityOption>,
    pub path: String,
    params: Params,
    pub notices: Vec<String>,
    /// For the hidden `csrf` field of every form.
    pub csrf: String,
    pub signed_in: bool,
    /// Operator staff see the console link.
    pub operator: bool,
    /// Seller staff see the cabinet link.
    pub seller_staff: bool,
}

impl PageCtx {
    pub fn new(prefs: &Prefs, uri: &Uri) -> Self {
        let mut ctx = PageCtx::bare(prefs.clone(), uri.path());
        ctx.params = Params::from_uri(uri);
        ctx
    }

    /// For error pages: no query parameters are carried into the switches' links.
    pub fn bare(prefs: Prefs, path: &str) -> Self {
        let lang = prefs.lang;
        let mut notices = vec![];
        if let Some(given) = &prefs.city_problem {
            notices.push(
                Message::new("city-unknown")
                    .arg("given", given.chars().take(40).collect::<String>())
                    .arg("city", prefs.city.name.get(lang).as_str())
                    .render(lang),
            );
        }
        PageCtx {
            lang,
            city_name: prefs.city.name.get(lang).clone(),
            cities: prefs
                .cities
                .all()
                .iter()
                .map(|c| CityOption {
                    kato: c.kato.to_string(),
                    name: c.name.get(lang).clone(),
                    selected: c.kato == prefs.city.kato,
                })
                .collect(),
            path: path.to_owned(),
            params: Params::default(),
            notices,
            csrf: prefs.csrf.to_string(),
            signed_in: prefs.viewer.is_some(),
            operator: prefs.viewer.as_ref().is_some_and(|v| duken_core::roles::Access::Operator.allows(&v.roles)),
            seller_staff: prefs.viewer.as_ref().is_some_and(|v| !v.sellers.is_empty()),
        }
    }

    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn t_str(&self, key: &str, name: &str, value: &str) -> String {
        t_args(self.lang, key, &[(name, Arg::from(value))])
    }

    pub fn t_num(&self, key: &str, name: &str, value: &i64) -> String {
        t_args(self.lang, key, &[(name, Arg::Number(*value))])
    }

    pub fn money(&self, m: Money) -> String {
        m.format(self.lang)
    }

    /// This page with `name` set to `value` (and the page number reset unless that is what
    /// changes), keeping the other parameters.
    pub fn url_with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .params
            .pairs()
            .iter()
            .filter(|(k, _)| k != name && (name == "page" || k != "page"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push((name, value));
        format!("{}?{}", self.path, encode_query(&pairs))
    }

    pub fn lang_links(&self) -> Vec<LangLink> {
        Lang::ALL
            .iter()
            .map(|&l| LangLink {
                code: l.code(),
                name: l.native_name(),
                url: self.url_with("lang", l.code()),
                current: l == self.lang,
            })
            .collect()
    }

    /// Parameters the city form must carry along so the page stays what it was.
    pub fn city_form_params(&self) -> Vec<(String, String)> {
        self.params.pairs().iter().filter(|(k, _)| !matches!(k.as_str(), "city" | "page" | "lang")).cloned().collect()
    }
}

/// Renders a template into an HTML response.
pub fn html(template: &impl Template) -> Result<Response, AppError> {
    Ok(Html(template.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageCtx,
    pub title: String,
    pub details: Vec<String>,
    pub status: u16,
    pub request_id: String,
}

/// Links to the neighbouring pages of a paginated list.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub first_url: Option<String>,
}

impl Pager {
    pub fn new(ctx: &PageCtx, page: u32, pages: u32) -> Self {
        let link = |p: u32| ctx.url_with("page", &p.to_string());
        Pager {
            page,
            pages,
            prev_url: (page > 1 && page <= pages).then(|| link(page - 1)),
            next_url: (page < pages).then(|| link(page + 1)),
            // Beyond the last page, the way back is to the first one.
            first_url: (page > pages).then(|| link(1)),
        }
    }
}
