//! Time: UTC in storage, Asia/Almaty on screen.
//!
//! Kazakhstan moved to a single zone, UTC+5, on 2024-03-01 at 00:00 local time (it was
//! UTC+6 in Almaty and Astana before). The rule is small and fixed, so it lives here rather
//! than in a copy of the whole tz database.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use crate::Lang;

/// 2024-03-01 00:00 in UTC+6: the instant Almaty moved from UTC+6 to UTC+5.
const SWITCH_TO_UTC5: i64 = 1_709_229_600;

pub fn almaty_offset(at: DateTime<Utc>) -> FixedOffset {
    let hours = if at.timestamp() < SWITCH_TO_UTC5 { 6 } else { 5 };
    FixedOffset::east_opt(hours * 3600).expect("a whole-hour offset is valid")
}

pub fn to_almaty(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    almaty_offset(at).from_utc_datetime(&at.naive_utc())
}

/// A date and time as shown on pages: `24.11.2026 15:30` (kk, ru) or `2026-11-24 15:30` (en).
pub fn format_local(at: DateTime<Utc>, lang: Lang) -> String {
    let local = to_almaty(at);
    match lang {
        Lang::Kk | Lang::Ru => local.format("%d.%m.%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn almaty_is_utc_plus_5_now_and_plus_6_before_march_2024() {
        assert_eq!(to_almaty(utc("2026-11-24T10:00:00Z")).to_rfc3339(), "2026-11-24T15:00:00+05:00");
        assert_eq!(to_almaty(utc("2023-11-24T10:00:00Z")).to_rfc3339(), "2023-11-24T16:00:00+06:00");
        // The last minute before the switch and the first after it.
        assert_eq!(to_almaty(utc("2024-02-29T17:59:00Z")).to_rfc3339(), "2024-02-29T23:59:00+06:00");
        assert_eq!(to_almaty(utc("2024-02-29T18:00:00Z")).to_rfc3339(), "2024-02-29T23:00:00+05:00");
    }

    #[test]
    fn local_format_per_language() {
        let at = utc("2026-11-24T19:30:00Z");
        assert_eq!(format_local(at, Lang::Ru), "25.11.2026 00:30");
        assert_eq!(format_local(at, Lang::En), "2026-11-25 00:30");
    }
}
