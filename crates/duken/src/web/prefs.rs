//! What a visitor has chosen: the language and the city whose prices they see.
//!
//! Language: `?lang=`, then the `lang` cookie, then `Accept-Language`, then Russian.
//! City: `?city=` (KATO or Kaspi city id), then the `city` cookie, then Almaty. A choice made
//! by query on a page is remembered in a cookie (the JSON API sets no cookies). An unknown language silently falls back; an unknown
//! city falls back with a notice on the page (the JSON API refuses it instead, see
//! [`Prefs::city_problem`]).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use duken_core::roles::Role;
use duken_core::{Kato, Lang};
use duken_store::accounts::{RoleGrant, SessionUser};
use duken_store::catalog::City;

use crate::web::params::Params;

/// The cities duken knows, loaded at start from the `cities` table.
#[derive(Debug)]
pub struct Cities {
    list: Vec<Arc<City>>,
    default: usize,
}

impl Cities {
    pub fn new(list: Vec<City>) -> anyhow::Result<Self> {
        anyhow::ensure!(!list.is_empty(), "the cities table is empty: the migrations did not run");
        let default = list.iter().position(|c| c.kato == Kato::ALMATY).unwrap_or(0);
        Ok(Cities { list: list.into_iter().map(Arc::new).collect(), default })
    }

    pub fn all(&self) -> &[Arc<City>] {
        &self.list
    }

    pub fn default_city(&self) -> &Arc<City> {
        &self.list[self.default]
    }

    /// A city by its KATO code or its Kaspi city id.
    pub fn resolve(&self, code: &str) -> Option<&Arc<City>> {
        let code = code.trim();
        // Asked on every request: compare numbers, not each city's code formatted anew.
        let by_kato = Kato::parse(code).ok().and_then(|kato| self.list.iter().find(|c| c.kato == kato));
        by_kato.or_else(|| self.list.iter().find(|c| c.kaspi_city_id == code))
    }

    pub fn get(&self, kato: Kato) -> Option<&City> {
        self.list.iter().find(|c| c.kato == kato).map(|c| &**c)
    }
}

/// The visitor's choices for this request, in the request's extensions. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Prefs {
    pub lang: Lang,
    pub city: Arc<City>,
    /// The `?city=` value given when it named no known city.
    pub city_problem: Option<String>,
    pub cities: Arc<Cities>,
    /// The signed-in user, resolved once per request from the session cookie.
    pub viewer: Option<Arc<Viewer>>,
    /// The CSRF token every form of this visitor carries (the `csrf` cookie's value).
    pub csrf: Arc<str>,
    /// Whether the token came with the request (a form can only match one that did).
    pub csrf_from_cookie: bool,
}

pub const CSRF_COOKIE: &str = "csrf";

/// A signed-in person and the roles they hold now.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub session_id: i64,
    pub user_id: i64,
    pub phone: String,
    pub roles: Vec<Role>,
    /// The sellers this person works for, with the role held at each (owner or manager).
    pub sellers: Vec<(i64, Role)>,
    /// The newest agreement version this person accepted.
    pub accepted_version: i32,
    /// Signed in by an `Authorization: Bearer` header (a program), not a cookie (a browser).
    pub bearer: bool,
}

impl Viewer {
    pub fn from_session(session: SessionUser, grants: &[RoleGrant], accepted_version: i32) -> Self {
        let roles = grants.iter().filter_map(|g| Role::parse(&g.role)).collect();
        let sellers = grants
            .iter()
            .filter_map(|g| Some((g.seller_id?, Role::parse(&g.role).filter(|r| r.needs_seller())?)))
            .collect();
        Viewer {
            session_id: session.session_id,
            user_id: session.user_id,
            phone: session.phone,
            roles,
            sellers,
            accepted_version,
            bearer: false,
        }
    }

    /// The role this person holds at a seller, if they work for it.
    pub fn seller_role(&self, seller_id: i64) -> Option<Role> {
        self.sellers.iter().find(|(s, _)| *s == seller_id).map(|(_, r)| *r)
    }

    /// The API token in use (their ids are stored negated in `session_id`).
    pub fn api_token(&self) -> Option<i64> {
        (self.session_id < 0).then_some(-self.session_id)
    }

    /// How this person appears in the audit log.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user_id)
    }
}

/// A `csrf` cookie value we issued: 64 hex digits.
fn sane_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

const YEAR: u32 = 365 * 24 * 3600;

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Choices made by query in this request, to be remembered in cookies.
#[derive(Debug, Default)]
pub struct Remember {
    lang: Option<Lang>,
    city: Option<Kato>,
    /// A CSRF token issued in this response.
    new_csrf: Option<Arc<str>>,
    /// Behind HTTPS (per `X-Forwarded-Proto`): cookies get `Secure`.
    pub secure: bool,
}

/// The request came over HTTPS (per the proxy's `X-Forwarded-Proto`): cookies get `Secure`.
pub fn behind_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The attributes of duken's cookies.
pub fn cookie_attributes(secure: bool, max_age: u32) -> String {
    format!("Path=/; Max-Age={max_age}; SameSite=Lax{}", if secure { "; Secure" } else { "" })
}

/// Decides the language and the city of a request (see the module documentation).
pub fn choose(cities: &Arc<Cities>, request: &Request) -> (Prefs, Remember) {
    let params = Params::from_uri(request.uri());
    let headers = request.headers();
    let lang_from_query = params.get("lang").and_then(Lang::parse);
    let lang = lang_from_query
        .or_else(|| cookie(headers, "lang").and_then(Lang::parse))
        .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language))
        .unwrap_or_default();

    let city_query = params.get("city").filter(|c| !c.trim().is_empty());
    let city_from_query = city_query.and_then(|c| cities.resolve(c)).cloned();
    let city_problem = city_query.filter(|_| city_from_query.is_none()).map(str::to_owned);
    // Only pages carry forms and remember choices: a program calling the JSON API names its
    // city and language in every request, and assets and operations endpoints have none.
    let path = request.uri().path();
    let pages = !(path.starts_with("/api/")
        || path.starts_with("/shop/api/")
        || path.starts_with("/static/")
        || matches!(path, "/metrics" | "/healthz" | "/readyz" | "/openapi.json" | "/favicon.ico"));
    let remember = Remember {
        lang: lang_from_query.filter(|_| pages),
        city: city_from_query.as_ref().map(|c| c.kato).filter(|_| pages),
        new_csrf: None,
        secure: false,
    };
    let city = city_from_query
        .or_else(|| cookie(headers, "city").and_then(|c| cities.resolve(c)).cloned())
        .unwrap_or_else(|| cities.default_city().clone());
    let (csrf, csrf_from_cookie): (Arc<str>, bool) = match cookie(headers, CSRF_COOKIE).filter(|v| sane_token(v)) {
        Some(token) => (Arc::from(token), true),
        None if pages => (Arc::from(crate::accounts::hex(&rand::random::<[u8; 32]>())), false),
        None => (Arc::from(""), false),
    };
    let remember = Remember {
        secure: behind_https(headers),
        new_csrf: (!csrf_from_cookie && pages).then(|| csrf.clone()),
        ..remember
    };
    (Prefs { lang, city, city_problem, cities: cities.clone(), viewer: None, csrf, csrf_from_cookie }, remember)
}

/// Sets the cookies that keep choices made by query.
pub fn remember(response: &mut Response, remember: Remember) {
    if remember.new_csrf.is_none() && remember.lang.is_none() && remember.city.is_none() {
        return;
    }
    let attributes = cookie_attributes(remember.secure, YEAR);
    let cookie = |name: &str, value: &str| HeaderValue::from_str(&format!("{name}={value}; {attributes}"));
    if let Some(token) = &remember.new_csrf
        && let Ok(v) = HeaderValue::from_str(&format!("{CSRF_COOKIE}={token}; HttpOnly; {attributes}"))
    {
        response.headers_mut().append(SET_COOKIE, v);
    }
    if let Some(lang) = remember.lang
        && let Ok(v) = cookie("lang", lang.code())
    {
        response.headers_mut().append(SET_COOKIE, v);
    }
    if let Some(kato) = remember.city
        && let Ok(v) = cookie("city", &kato.to_string())
    {
        response.headers_mut().append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; lang=kk"));
        h.append(COOKIE, HeaderValue::from_static("city=\"710000000\""));
        assert_eq!(cookie(&h, "lang"), Some("kk"));
        assert_eq!(cookie(&h, "city"), Some("710000000"));
        assert_eq!(cookie(&h, "x"), None);
    }
}
