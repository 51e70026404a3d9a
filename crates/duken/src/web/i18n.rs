//! Every user-facing string comes from the Fluent files in `locales/{kk,ru,en}.ftl`,
//! compiled into the binary. A key missing in one language is a test failure
//! (`tests::every_language_has_every_message`), not a runtime surprise.

use std::sync::LazyLock;

use duken_core::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

const SOURCES: [(Lang, &str); 3] = [
    (Lang::Kk, include_str!("../../locales/kk.ftl")),
    (Lang::Ru, include_str!("../../locales/ru.ftl")),
    (Lang::En, include_str!("../../locales/en.ftl")),
];

struct I18n {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

static I18N: LazyLock<I18n> = LazyLock::new(|| {
    let bundles = SOURCES
        .iter()
        .map(|&(lang, source)| {
            let id: LanguageIdentifier = lang.code().parse().expect("kk, ru and en are valid language ids");
            let resource = FluentResource::try_new(source.to_owned())
                .unwrap_or_else(|(_, errors)| panic!("locales/{}.ftl does not parse: {errors:?}", lang.code()));
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around arguments: they show as junk in <title> and
            // in JSON error messages, and our arguments are never right-to-left.
            bundle.set_use_isolating(false);
            bundle.add_resource(resource).unwrap_or_else(|errors| panic!("locales/{}.ftl: {errors:?}", lang.code()));
            (lang, bundle)
        })
        .collect();
    I18n { bundles }
});

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    let i18n = &*I18N;
    &i18n.bundles.iter().find(|(l, _)| *l == lang).unwrap_or(&i18n.bundles[1]).1
}

/// An argument of a message: text or a number (numbers choose plural forms).
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Number(v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Number(i64::from(v))
    }
}

/// The message `key` in `lang`. A missing key renders as the key itself and is logged.
pub fn t(lang: Lang, key: &str) -> String {
    t_args(lang, key, &[])
}

pub fn t_args(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        tracing::warn!(key, lang = lang.code(), "missing translation");
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.as_str())),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = vec![];
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(key, lang = lang.code(), ?errors, "translation error");
    }
    text.into_owned()
}

/// A message to be rendered later, in whatever language the response is in.
#[derive(Clone, Debug)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        Message { key, args: vec![] }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        t_args(lang, self.key, &self.args)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn ids(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    #[test]
    fn every_language_has_every_message() {
        let en = ids(SOURCES[2].1);
        assert!(en.len() > 50);
        for (lang, source) in SOURCES {
            let these = ids(source);
            let missing: Vec<_> = en.difference(&these).collect();
            let extra: Vec<_> = these.difference(&en).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", lang.code());
            // Parsing all three is part of the check.
            assert!(bundle(lang).has_message("site-name"));
        }
    }

    /// Every key the code and templates use exists (in English; the test above extends it
    /// to all languages).
    #[test]
    fn every_key_used_exists() {
        let en = ids(SOURCES[2].1);
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut used = BTreeSet::new();
        let mut stack =
            vec![std::path::PathBuf::from(format!("{root}src")), std::path::PathBuf::from(format!("{root}templates"))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["t(\"", "Message::new(\"", "t_args(\"", "t_num(\"", "t_str(\""] {
                    let mut rest = text.as_str();
                    while let Some(at) = rest.find(marker) {
                        // `t(` must be a call of its own, not the tail of `insert(` and the like.
                        let standalone = rest[..at].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                        let after = &rest[at + marker.len()..];
                        let key: String =
                            after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
                        if standalone && key.contains('-') {
                            used.insert(key);
                        }
                        rest = after;
                    }
                }
            }
        }
        let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(used.len() > 30, "{used:?}");
        assert!(missing.is_empty(), "keys used but not in en.ftl: {missing:?}");
    }

    #[test]
    fn plurals_follow_each_language() {
        assert_eq!(t_args(Lang::Ru, "sellers-count", &[("count", Arg::Number(1))]), "1 продавец");
        assert_eq!(t_args(Lang::Ru, "sellers-count", &[("count", Arg::Number(3))]), "3 продавца");
        assert_eq!(t_args(Lang::Ru, "sellers-count", &[("count", Arg::Number(5))]), "5 продавцов");
        assert_eq!(t_args(Lang::En, "sellers-count", &[("count", Arg::Number(1))]), "1 seller");
        assert_eq!(t_args(Lang::En, "sellers-count", &[("count", Arg::Number(2))]), "2 sellers");
        assert_eq!(t_args(Lang::Kk, "sellers-count", &[("count", Arg::Number(2))]), "2 сатушы");
    }

    #[test]
    fn missing_keys_fall_back_to_the_key() {
        assert_eq!(t(Lang::Ru, "no-such-key"), "no-such-key");
    }
}
