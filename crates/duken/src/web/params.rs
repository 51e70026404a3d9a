//! Reading query strings and path ids leniently and with clear errors.
//!
//! Query strings are decoded as UTF-8 with invalid bytes replaced (so `%FF` is a character,
//! not an error); the first occurrence of a name wins; unknown names are ignored.

use axum::http::Uri;
use duken_core::{PageRequest, PagingError};

use crate::web::error::{AppError, FieldError};
use crate::web::i18n::Message;

#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn from_uri(uri: &Uri) -> Self {
        Params(form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn page(&self) -> Result<PageRequest, AppError> {
        PageRequest::parse(self.get("page"), self.get("per_page")).map_err(|e| {
            let (field, message) = match e {
                PagingError::Page { max } => ("page", Message::new("error-page-number").arg("max", max)),
                PagingError::PerPage { max } => ("per_page", Message::new("error-per-page").arg("max", max)),
            };
            AppError::BadRequest(vec![FieldError { field, message }])
        })
    }
}

/// A numeric id from a path. `None` when it is not a positive whole number.
pub fn parse_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

/// An id sent in a form, path or body: a positive whole number, or a 400 naming the field.
pub fn id_param(raw: &str, field: &'static str) -> Result<i64, AppError> {
    parse_id(raw.trim()).ok_or_else(|| AppError::bad_param(field, Message::new("error-bad-id").arg("given", clip(raw))))
}

/// A visitor's input, cut short for echoing in messages.
pub fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Query string for links: these pairs, `name=value`, in order, percent-encoded.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_and_duplicates_are_tolerated() {
        let p = Params::from_uri(&"/x?q=%FF%FE&page=2&page=3&lang=kk".parse().unwrap());
        assert_eq!(p.get("q"), Some("\u{FFFD}\u{FFFD}"));
        assert_eq!(p.get("page"), Some("2"));
        assert_eq!(p.get("none"), None);
    }

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(parse_id("42"), Some(42));
        for bad in ["0", "-1", "abc", "1.0", "99999999999999999999", ""] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
