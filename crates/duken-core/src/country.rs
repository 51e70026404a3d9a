//! Countries of sellers, and whether goods from there cross the EAEU customs border.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An ISO 3166-1 alpha-2 country code in upper case (`KZ`, `RU`, `CN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country([u8; 2]);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("a country is a two-letter ISO 3166 code, such as KZ")]
pub struct CountryError;

/// Members of the Eurasian Economic Union: goods from sellers there cross no customs
/// border into Kazakhstan (§9.2 applies only to sellers outside it).
const EAEU: [&str; 5] = ["AM", "BY", "KZ", "KG", "RU"];

impl Country {
    pub const KZ: Country = Country(*b"KZ");

    pub fn parse(text: &str) -> Result<Country, CountryError> {
        let bytes = text.trim().as_bytes();
        match bytes {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Country([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(CountryError),
        }
    }

    pub fn code(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// §9.2: customs clearance is needed for goods from sellers outside the EAEU.
    pub fn is_eaeu(&self) -> bool {
        EAEU.contains(&self.code())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Country {
    type Error = CountryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Country::parse(&value)
    }
}

impl From<Country> for String {
    fn from(value: Country) -> Self {
        value.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eaeu_membership() {
        for member in ["KZ", "ru", "BY", "AM", "kg"] {
            assert!(Country::parse(member).unwrap().is_eaeu(), "{member}");
        }
        for outside in ["CN", "TR", "UZ", "US", "DE"] {
            assert!(!Country::parse(outside).unwrap().is_eaeu(), "{outside}");
        }
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "K", "KAZ", "K1", "ҚЗ", "  "] {
            assert_eq!(Country::parse(bad), Err(CountryError), "{bad:?}");
        }
    }
}
