//! Typed attribute schemas of categories (§6: sellers provide characteristics, and the
//! marketplace checks them against the category's schema before a card shows them).
//!
//! A category's schema is its own attributes plus its ancestors'. Values are stored as
//! normalised text: numbers in plain decimal (`6.1`, `128`), booleans as `true`/`false`,
//! enums as the value's code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeKind {
    /// One of a fixed list of values.
    Enum,
    /// A number in a unit (`GB`, `kg`, `inch`).
    Number,
    Boolean,
    /// Free text up to [`MAX_TEXT`] characters.
    Text,
}

pub const MAX_TEXT: usize = 500;

impl AttributeKind {
    pub const ALL: [AttributeKind; 4] =
        [AttributeKind::Enum, AttributeKind::Number, AttributeKind::Boolean, AttributeKind::Text];

    pub fn code(self) -> &'static str {
        match self {
            AttributeKind::Enum => "enum",
            AttributeKind::Number => "number",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Text => "text",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One attribute of a schema, as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeRule {
    pub code: String,
    pub kind: AttributeKind,
    pub required: bool,
    /// Allowed value codes of an enum.
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttributeProblem {
    pub code: String,
    /// A message key: `attribute-unknown`, `attribute-required`, `attribute-not-number`,
    /// `attribute-not-boolean`, `attribute-not-allowed`, `attribute-too-long`.
    pub message: &'static str,
    pub value: String,
}

/// An attribute code: 1–64 lower-case ASCII letters, digits and `_`, starting with a letter.
pub fn is_attribute_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code.as_bytes()[0].is_ascii_lowercase()
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A number as people type it (`6,1`, ` 128 `, `-3.50`), in plain decimal without
/// trailing zeros; `None` if it is not one (no exponents, no thousands separators).
pub fn normalize_number(text: &str) -> Option<String> {
    let t = text.trim().replace(',', ".");
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 15 || frac.len() > 6 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let sign = if int == "0" && frac.is_empty() { "" } else { sign };
    Some(if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") })
}

/// Yes and no in Kazakh, Russian and English, and as tools send them.
pub fn normalize_boolean(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "да" | "иә" | "ия" | "бар" => Some(true),
        "false" | "no" | "0" | "нет" | "жоқ" => Some(false),
        _ => None,
    }
}

/// Checks `values` against `schema`: every problem, or the normalised values.
pub fn validate(
    schema: &[AttributeRule],
    values: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<AttributeProblem>> {
    let mut problems = Vec::new();
    let mut normalized = BTreeMap::new();
    let problem = |code: &str, message, value: &str| AttributeProblem {
        code: code.to_owned(),
        message,
        value: value.chars().take(100).collect(),
    };
    for (code, value) in values {
        let Some(rule) = schema.iter().find(|r| &r.code == code) else {
            problems.push(problem(code, "attribute-unknown", value));
            continue;
        };
        let value_trimmed = value.trim();
        if value_trimmed.is_empty() {
            // An empty value is the same as none; the required check below catches it.
            continue;
        }
        let checked = match rule.kind {
            AttributeKind::Number => normalize_number(value_trimmed).ok_or("attribute-not-number"),
            AttributeKind::Boolean => {
                normalize_boolean(value_trimmed).map(|b| b.to_string()).ok_or("attribute-not-boolean")
            }
            AttributeKind::Enum => rule
                .values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(value_trimmed))
                .cloned()
                .ok_or("attribute-not-allowed"),
            AttributeKind::Text if value_trimmed.chars().count() > MAX_TEXT => Err("attribute-too-long"),
            AttributeKind::Text => Ok(value_trimmed.to_owned()),
        };
        match checked {
            Ok(v) => {
                normalized.insert(code.clone(), v);
            }
            Err(message) => problems.push(problem(code, message, value)),
        }
    }
    for rule in schema.iter().filter(|r| r.required) {
        if !normalized.contains_key(&rule.code) && !problems.iter().any(|p| p.code == rule.code) {
            problems.push(problem(&rule.code, "attribute-required", ""));
        }
    }
    if problems.is_empty() { Ok(normalized) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn schema() -> Vec<AttributeRule> {
        vec![
            AttributeRule {
                code: "color".into(),
                kind: AttributeKind::Enum,
                required: true,
                values: vec!["black".into(), "white".into()],
            },
            AttributeRule { code: "memory_gb".into(), kind: AttributeKind::Number, required: true, values: vec![] },
            AttributeRule { code: "nfc".into(), kind: AttributeKind::Boolean, required: false, values: vec![] },
            AttributeRule { code: "note".into(), kind: AttributeKind::Text, required: false, values: vec![] },
        ]
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn good_values_are_normalised() {
        let out = validate(&schema(), &map(&[("color", "Black"), ("memory_gb", " 128,0 "), ("nfc", "иә")])).unwrap();
        assert_eq!(out, map(&[("color", "black"), ("memory_gb", "128"), ("nfc", "true")]));
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let long = "я".repeat(MAX_TEXT + 1);
        let problems =
            validate(&schema(), &map(&[("color", "red"), ("nfc", "maybe"), ("note", &long), ("weight", "1")]))
                .unwrap_err();
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.code.as_str(), p.message)).collect();
        assert_eq!(
            got,
            [
                ("color", "attribute-not-allowed"),
                ("nfc", "attribute-not-boolean"),
                ("note", "attribute-too-long"),
                ("weight", "attribute-unknown"),
                ("memory_gb", "attribute-required"),
            ]
        );
        let problems = validate(&schema(), &map(&[("color", "white"), ("memory_gb", "1e3")])).unwrap_err();
        assert_eq!(problems[0].message, "attribute-not-number");
    }

    #[test]
    fn numbers() {
        assert_eq!(normalize_number("6,10").as_deref(), Some("6.1"));
        assert_eq!(normalize_number("007").as_deref(), Some("7"));
        assert_eq!(normalize_number("-0.0").as_deref(), Some("0"));
        assert_eq!(normalize_number("-3.5").as_deref(), Some("-3.5"));
        for bad in ["", ".5", "1.2.3", "1 000", "NaN", "inf", "1e3", "--1", "12345678901234567"] {
            assert_eq!(normalize_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes() {
        assert!(is_attribute_code("memory_gb") && is_attribute_code("c1"));
        assert!(
            !is_attribute_code("1c")
                && !is_attribute_code("Color")
                && !is_attribute_code("")
                && !is_attribute_code("a-b")
        );
    }

    proptest! {
        #[test]
        fn normalising_a_number_twice_changes_nothing(int in 0u64..1_000_000_000, frac in 0u32..1_000_000, neg: bool) {
            let text = format!("{}{int}.{frac:06}", if neg { "-" } else { "" });
            let once = normalize_number(&text).unwrap();
            prop_assert_eq!(normalize_number(&once), Some(once.clone()));
        }

        #[test]
        fn validate_never_panics(code in "[a-z_]{0,8}", value in "\\PC{0,40}") {
            let _ = validate(&schema(), &map(&[(&code, &value)]));
        }
    }
}
