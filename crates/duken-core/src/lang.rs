//! The three languages of the shop and text given in all of them.

use serde::{Deserialize, Serialize};

/// A language duken speaks. Russian is the default: it is the language most buyers in
/// Kazakhstan read, and every text exists in all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// The BCP 47 code (`kk`, `ru`, `en`), used in `?lang=`, cookies and `<html lang>`.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, for the language switch.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::Kk => "Қазақша",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    /// A language tag as sent by browsers or typed by people: `kk`, `kk-KZ`, `RU`, `en_US`.
    /// `kz` is accepted for Kazakh because people type the country code for the language.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "kk" | "kz" | "kaz" => Some(Lang::Kk),
            "ru" | "rus" => Some(Lang::Ru),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language from an `Accept-Language` header: the highest `q` among the ones
    /// duken speaks, the earlier one on a tie. Malformed entries are skipped.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, u32)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else { continue };
            let mut quality = 1000;
            for param in parts {
                if let Some(q) = param.trim().strip_prefix("q=") {
                    quality = parse_quality(q).unwrap_or(0);
                }
            }
            if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// `q` values are 0 … 1 with up to three decimals; kept as thousandths to avoid floats.
fn parse_quality(q: &str) -> Option<u32> {
    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let frac_value: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().ok()? };
    let value = whole.checked_mul(1000)?.checked_add(frac_value)?;
    (value <= 1000).then_some(value)
}

/// A text given in each of the three languages (catalog names, descriptions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized<T = String> {
    pub kk: T,
    pub ru: T,
    pub en: T,
}

impl<T> Localized<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_people_and_browsers_send() {
        assert_eq!(Lang::parse("kk-KZ"), Some(Lang::Kk));
        assert_eq!(Lang::parse("KZ"), Some(Lang::Kk));
        assert_eq!(Lang::parse("ru_RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse(" en "), Some(Lang::En));
        assert_eq!(Lang::parse("xx"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::parse("<script>"), None);
    }

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(Lang::from_accept_language("kk-KZ,kk;q=0.9,ru;q=0.8"), Some(Lang::Kk));
        assert_eq!(Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.5,ru;q=0.7"), Some(Lang::Ru));
        assert_eq!(Lang::from_accept_language("en;q=0.3, kk;q=0.31"), Some(Lang::Kk));
        assert_eq!(Lang::from_accept_language("en, ru"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("ru;q=0"), None);
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language("ru;q=abc,en;q=1.5"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn localized_text_is_picked_by_language() {
        let t = Localized { kk: "Дүкен", ru: "Магазин", en: "Shop" };
        assert_eq!(*t.get(Lang::Kk), "Дүкен");
        assert_eq!(*t.get(Lang::Ru), "Магазин");
        assert_eq!(*t.get(Lang::En), "Shop");
    }
}
