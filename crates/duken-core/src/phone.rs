//! Kazakhstan mobile numbers, the identity of a buyer's account (§2).
//!
//! People write them many ways — `+7 701 234 56 78`, `8 (701) 234-56-78`, `87012345678`,
//! `7012345678` — and all become one E.164 form, `+77012345678`. Only mobile operators'
//! ranges are accepted, because the number receives a one-time code by SMS: 700–709, 747,
//! 760–769, 771, 775–778 and 785 after the country code. Fixed lines (+7 727 …, +7 7172 …)
//! and Russian numbers (+7 9XX …) share the country code and are refused with their own
//! reason.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A Kazakhstan mobile number in E.164 form (`+77012345678`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum PhoneError {
    #[error("a phone number has 11 digits, such as +7 701 234 56 78")]
    Shape,
    #[error("only Kazakhstan numbers (+7 7…) can be used")]
    Foreign,
    #[error("this is not a mobile number; a code is sent by SMS")]
    NotMobile,
}

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(PhoneError::Shape);
        }
        let mut digits = String::with_capacity(12);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                _ => return Err(PhoneError::Shape),
            }
        }
        let has_plus = trimmed.starts_with('+');
        let national = match (has_plus, digits.len()) {
            (true, 11) if digits.starts_with('7') => &digits[1..],
            (true, _) if !digits.starts_with('7') => return Err(PhoneError::Foreign),
            // 8 is the domestic trunk prefix; 7 the country code written without +.
            (false, 11) if digits.starts_with('8') || digits.starts_with('7') => &digits[1..],
            (false, 10) => &digits[..],
            _ => return Err(PhoneError::Shape),
        };
        if !national.starts_with('7') {
            // +7 9XX… and +7 3XX…, +7 4XX…, +7 8XX… are Russian numbers.
            return Err(PhoneError::Foreign);
        }
        if !is_mobile_range(&national[..3]) {
            return Err(PhoneError::NotMobile);
        }
        Ok(Phone(format!("+7{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For screens and logs that must not show the whole number: `+7 701 *** ** 78`.
    pub fn masked(&self) -> String {
        format!("+7 {} *** ** {}", &self.0[2..5], &self.0[10..])
    }
}

fn is_mobile_range(prefix: &str) -> bool {
    matches!(prefix.parse::<u16>(), Ok(700..=709 | 747 | 760..=769 | 771 | 775..=778 | 785))
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // People read numbers in groups: +7 701 234 56 78.
        let d = &self.0;
        write!(f, "+7 {} {} {} {}", &d[2..5], &d[5..8], &d[8..10], &d[10..])
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_spellings_normalise_to_e164() {
        for text in [
            "+77012345678",
            "+7 701 234 56 78",
            "+7 (701) 234-56-78",
            "8 701 234 56 78",
            "8(701)2345678",
            "87012345678",
            "77012345678",
            "7012345678",
            " 8-701-234-56-78 ",
            "+7\u{a0}701\u{a0}234\u{a0}56\u{a0}78",
        ] {
            assert_eq!(Phone::parse(text).map(|p| p.0), Ok("+77012345678".to_owned()), "{text:?}");
        }
    }

    #[test]
    fn mobile_ranges_only() {
        for ok in [
            "+77001234567",
            "+77471234567",
            "+77611234567",
            "+77711234567",
            "+77751234567",
            "+77781234567",
            "+77851234567",
        ] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        // Almaty and Astana fixed lines share +7 7.
        for fixed in ["+77272123456", "+77172123456", "+77741234567", "+77791234567", "+77861234567"] {
            assert_eq!(Phone::parse(fixed), Err(PhoneError::NotMobile), "{fixed}");
        }
    }

    #[test]
    fn foreign_and_malformed_numbers() {
        assert_eq!(Phone::parse("+79161234567"), Err(PhoneError::Foreign), "Russian mobile");
        assert_eq!(Phone::parse("89161234567"), Err(PhoneError::Foreign));
        assert_eq!(Phone::parse("+4915112345678"), Err(PhoneError::Foreign));
        assert_eq!(Phone::parse("+998901234567"), Err(PhoneError::Foreign));
        for bad in [
            "",
            "12345",
            "+7701234567",
            "+770123456789",
            "7701234567a",
            "++77012345678",
            "+7 701 234 56 78 ext 5",
            "٠٧٠١٢٣٤٥٦٧٨",
            "<script>",
            "'; DROP TABLE users; --",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shown_masked_and_grouped() {
        let p = Phone::parse("87012345678").unwrap();
        assert_eq!(p.to_string(), "+7 701 234 56 78");
        assert_eq!(format!("{p:?}"), "Phone(+7 701 *** ** 78)");
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips(prefix in prop::sample::select(vec!["700", "705", "747", "760", "771", "777", "785"]), rest in 0u32..10_000_000) {
            let e164 = format!("+7{prefix}{rest:07}");
            let phone = Phone::parse(&e164).unwrap();
            prop_assert_eq!(phone.as_str(), e164.as_str());
            prop_assert_eq!(Phone::parse(&phone.to_string()).unwrap(), phone.clone());
            let domestic = format!("8{prefix}{rest:07}");
            prop_assert_eq!(Phone::parse(&domestic).unwrap(), phone);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = Phone::parse(&text);
        }
    }
}
