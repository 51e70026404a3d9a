//! BIN and IIN, the 12-digit identification numbers of companies and people in Kazakhstan.
//!
//! Both share one check digit: s = Σ dᵢ·i (i = 1..11) mod 11; if s is 10, a second pass with
//! the weights 3, 4, …, 11, 1, 2; if that is 10 as well the number is invalid (it is never
//! mapped to 0). The structure differs: an IIN starts with the birth date YYMMDD and a
//! 7th digit 1–6 (century and sex); a BIN starts with the registration YYMM and a 5th digit
//! 4, 5 or 6 (legal entity, branch, representative office).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum IdNumberError {
    #[error("must be exactly 12 digits")]
    Shape,
    #[error("the check digit does not match")]
    CheckDigit,
    #[error("the date or type digits are not possible")]
    Structure,
}

/// The check digit of the first 11 digits, or `None` when no digit is possible.
pub fn check_digit(first11: &[u8; 11]) -> Option<u8> {
    let weighted =
        |weights: [u32; 11]| -> u32 { first11.iter().zip(weights).map(|(&d, w)| u32::from(d) * w).sum::<u32>() % 11 };
    let first = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let s = if first == 10 { weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) } else { first };
    (s != 10).then_some(s as u8)
}

fn digits(text: &str) -> Result<[u8; 12], IdNumberError> {
    let bytes = text.trim().as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdNumberError::Shape);
    }
    let mut out = [0u8; 12];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b - b'0';
    }
    let first11: [u8; 11] = out[..11].try_into().map_err(|_| IdNumberError::Shape)?;
    match check_digit(&first11) {
        Some(d) if d == out[11] => Ok(out),
        _ => Err(IdNumberError::CheckDigit),
    }
}

fn two(d: &[u8; 12], at: usize) -> u8 {
    d[at] * 10 + d[at + 1]
}

fn to_text(d: &[u8; 12]) -> String {
    d.iter().map(|&x| char::from(b'0' + x)).collect()
}

/// A company's business identification number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bin(String);

impl Bin {
    pub fn parse(text: &str) -> Result<Bin, IdNumberError> {
        let d = digits(text)?;
        let month = two(&d, 2);
        if !(1..=12).contains(&month) || !matches!(d[4], 4..=6) {
            return Err(IdNumberError::Structure);
        }
        Ok(Bin(to_text(&d)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A natural person's individual identification number. Never logged in full.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

impl Iin {
    pub fn parse(text: &str) -> Result<Iin, IdNumberError> {
        let d = digits(text)?;
        let (month, day) = (two(&d, 2), two(&d, 4));
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !matches!(d[6], 1..=6) {
            return Err(IdNumberError::Structure);
        }
        Ok(Iin(to_text(&d)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form for logs and screens that must not show the number: `9001******07`.
    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..4], &self.0[10..])
    }
}

impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iin({})", self.masked())
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_conversions {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = IdNumberError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                <$t>::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> Self {
                value.0
            }
        }
    };
}
string_conversions!(Bin);
string_conversions!(Iin);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples_from_domain_facts() {
        assert!(Iin::parse("900101300007").is_ok());
        // Its first pass gives 10, the second pass gives the check digit.
        assert!(Iin::parse("900101300811").is_ok());
        assert!(Bin::parse("150540001233").is_ok());
        assert_eq!(Iin::parse("900101300008"), Err(IdNumberError::CheckDigit));
        assert_eq!(Iin::parse("900101300800"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn all_zeros_passes_the_checksum_but_not_the_structure() {
        assert_eq!(Bin::parse("000000000000"), Err(IdNumberError::Structure));
        assert_eq!(Iin::parse("000000000000"), Err(IdNumberError::Structure));
    }

    #[test]
    fn shape_errors() {
        for bad in ["", "12345678901", "1234567890123", "15054000123a", "1505 4000 1233"] {
            assert_eq!(Bin::parse(bad), Err(IdNumberError::Shape), "{bad:?}");
        }
    }

    #[test]
    fn iin_is_masked_in_debug_output() {
        let iin = Iin::parse("900101300007").unwrap();
        assert_eq!(format!("{iin:?}"), "Iin(9001******07)");
    }

    #[test]
    fn a_bin_is_not_an_iin_structure() {
        // 5th digit 4 is a legal entity; as an IIN, day "40" is impossible.
        assert_eq!(Iin::parse("150540001233"), Err(IdNumberError::Structure));
    }

    proptest! {
        #[test]
        fn numbers_with_their_check_digit_pass_the_checksum(first in proptest::array::uniform11(0u8..10)) {
            if let Some(d) = check_digit(&first) {
                prop_assert!(d < 10);
                let text: String = first.iter().chain(std::iter::once(&d)).map(|&x| char::from(b'0' + x)).collect();
                prop_assert!(digits(&text).is_ok());
                // Any other last digit is refused.
                let wrong = (d + 1) % 10;
                let text: String = first.iter().chain(std::iter::once(&wrong)).map(|&x| char::from(b'0' + x)).collect();
                prop_assert_eq!(digits(&text), Err(IdNumberError::CheckDigit));
            }
        }
    }
}
