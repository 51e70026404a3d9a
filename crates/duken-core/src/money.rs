//! Money in Kazakhstan tenge, held as integer tiyn (1 ₸ = 100 tiyn). Never floats.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// An amount in tiyn. Arithmetic is checked: an overflow is a `None`, never a wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_tiyn(tiyn: i64) -> Self {
        Money(tiyn)
    }

    /// Whole tenge, as the Kaspi merchant API and price lists give them.
    pub fn from_tenge(tenge: i64) -> Option<Self> {
        tenge.checked_mul(100).map(Money)
    }

    pub const fn tiyn(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn checked_mul(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).map(Money)
    }

    /// The amount as people read it in the given language: `189 990 ₸` in Kazakh and
    /// Russian (no-break space between thousands, comma before tiyn), `₸189,990` in English.
    /// Tiyn are shown only when there are any.
    pub fn format(self, lang: Lang) -> String {
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let (tenge, tiyn) = (abs / 100, abs % 100);
        let (group_sep, decimal_sep) = match lang {
            Lang::Kk | Lang::Ru => ('\u{a0}', ','),
            Lang::En => (',', '.'),
        };
        let digits = tenge.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 8);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(group_sep);
            }
            grouped.push(ch);
        }
        if tiyn != 0 {
            grouped.push(decimal_sep);
            grouped.push_str(&format!("{tiyn:02}"));
        }
        let sign = if negative { "−" } else { "" };
        match lang {
            Lang::Kk | Lang::Ru => format!("{sign}{grouped}\u{a0}₸"),
            Lang::En => format!("{sign}₸{grouped}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_whole_tenge_per_language() {
        let m = Money::from_tenge(189_990).unwrap();
        assert_eq!(m.format(Lang::Ru), "189\u{a0}990\u{a0}₸");
        assert_eq!(m.format(Lang::Kk), "189\u{a0}990\u{a0}₸");
        assert_eq!(m.format(Lang::En), "₸189,990");
    }

    #[test]
    fn formats_tiyn_small_and_negative_amounts() {
        assert_eq!(Money::from_tiyn(123_456_705).format(Lang::Ru), "1\u{a0}234\u{a0}567,05\u{a0}₸");
        assert_eq!(Money::from_tiyn(5).format(Lang::En), "₸0.05");
        assert_eq!(Money::ZERO.format(Lang::Ru), "0\u{a0}₸");
        assert_eq!(Money::from_tiyn(-100_000).format(Lang::En), "−₸1,000");
        assert_eq!(Money::from_tiyn(i64::MIN).format(Lang::En), "−₸92,233,720,368,547,758.08");
    }

    #[test]
    fn overflow_is_none() {
        assert_eq!(Money::from_tenge(i64::MAX / 10), None);
        assert_eq!(Money::from_tiyn(i64::MAX).checked_add(Money::from_tiyn(1)), None);
        assert_eq!(Money::from_tiyn(i64::MIN).checked_sub(Money::from_tiyn(1)), None);
        assert_eq!(Money::from_tiyn(i64::MAX).checked_mul(2), None);
    }

    proptest! {
        #[test]
        fn formatted_digits_are_the_amount(tiyn in any::<i64>()) {
            let m = Money::from_tiyn(tiyn);
            for lang in Lang::ALL {
                let text = m.format(lang);
                let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
                let abs = tiyn.unsigned_abs();
                let expected = if abs % 100 == 0 { (abs / 100).to_string() } else { format!("{}{:02}", abs / 100, abs % 100) };
                prop_assert_eq!(digits, expected);
                prop_assert_eq!(text.starts_with('−'), tiyn < 0);
            }
        }

        #[test]
        fn checked_arithmetic_matches_i128(a in any::<i64>(), b in any::<i64>()) {
            let (ma, mb) = (Money::from_tiyn(a), Money::from_tiyn(b));
            let sum = i128::from(a) + i128::from(b);
            prop_assert_eq!(ma.checked_add(mb).map(Money::tiyn).map(i128::from), i64::try_from(sum).ok().map(i128::from));
            let diff = i128::from(a) - i128::from(b);
            prop_assert_eq!(ma.checked_sub(mb).map(Money::tiyn).map(i128::from), i64::try_from(diff).ok().map(i128::from));
        }
    }
}
