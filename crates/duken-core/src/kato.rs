//! KATO, the classifier of administrative-territorial objects: the code of a city or
//! district in Kazakhstan (`750000000` Almaty, `710000000` Astana).
//!
//! Kaspi price lists and links use *city ids* that equal KATO for most cities but keep
//! legacy codes for some (Shymkent `511010000` while its KATO is `790000000`). The list of
//! cities, with both codes, lives in the database (`cities` table) so operators can add
//! more; this module only knows the shape of a code.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A KATO code: exactly nine digits, the first (the region) not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kato(u32);

#[derive(Debug, Error, PartialEq, Eq)]
#[error("a KATO code is nine digits, such as 750000000 for Almaty")]
pub struct KatoError;

impl Kato {
    /// Almaty, the city whose prices are shown when a visitor has chosen none.
    pub const ALMATY: Kato = Kato(750_000_000);
    pub const ASTANA: Kato = Kato(710_000_000);

    pub fn parse(text: &str) -> Result<Kato, KatoError> {
        let text = text.trim();
        if text.len() != 9 || !text.bytes().all(|b| b.is_ascii_digit()) || text.starts_with('0') {
            return Err(KatoError);
        }
        text.parse().map(Kato).map_err(|_| KatoError)
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Kato {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:09}", self.0)
    }
}

impl TryFrom<String> for Kato {
    type Error = KatoError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Kato::parse(&value)
    }
}

impl From<Kato> for String {
    fn from(value: Kato) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_nine_digit_codes() {
        assert_eq!(Kato::parse("750000000"), Ok(Kato::ALMATY));
        assert_eq!(Kato::parse(" 710000000 "), Ok(Kato::ASTANA));
        assert_eq!(Kato::ALMATY.to_string(), "750000000");
    }

    #[test]
    fn rejects_anything_else() {
        for bad in
            ["", "75000000", "7500000000", "075000000", "75000000a", "-75000000", "７５００００００", "750 000 000"]
        {
            assert_eq!(Kato::parse(bad), Err(KatoError), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(code in 100_000_000u32..=999_999_999) {
            let kato = Kato::parse(&code.to_string()).unwrap();
            prop_assert_eq!(Kato::parse(&kato.to_string()), Ok(kato));
        }
    }
}
