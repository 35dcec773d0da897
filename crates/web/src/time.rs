//! Instants in and out of the API: RFC 3339 text outside, UTC milliseconds inside.

use store::Timestamp;

/// An instant as RFC 3339 UTC text.
pub fn to_rfc3339(t: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(t.0).map(|ts| ts.to_string()).unwrap_or_else(|_| t.0.to_string())
}

/// Parses RFC 3339 text (with an offset) into an instant.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    text.parse::<jiff::Timestamp>().ok().map(|ts| Timestamp(ts.as_millisecond()))
}

/// Whether `name` is an IANA time zone this machine knows.
pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// Parses a calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<jiff::civil::Date>().ok()
}

/// The calendar date of an instant in a time zone.
pub fn local_date(t: Timestamp, tz: &jiff::tz::TimeZone) -> Option<jiff::civil::Date> {
    jiff::Timestamp::from_millisecond(t.0).ok().map(|ts| ts.to_zoned_datetime(tz.clone()).date())
}

/// Completed months of age on `at` for someone born on `birth` (negative before birth).
pub fn completed_months(birth: jiff::civil::Date, at: jiff::civil::Date) -> i64 {
    let months =
        (i64::from(at.year()) - i64::from(birth.year())) * 12 + i64::from(at.month()) - i64::from(birth.month());
    if at.day() < birth.day() { months - 1 } else { months }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn completed_months_count_whole_months_only() {
        let d = |s: &str| parse_date(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(completed_months(d("2026-10-25"), d("2026-11-30")), 1);
        assert_eq!(completed_months(d("2026-10-30"), d("2026-11-29")), 0);
        assert_eq!(completed_months(d("2023-11-30"), d("2026-11-30")), 36);
        assert_eq!(completed_months(d("2023-12-01"), d("2026-11-30")), 35);
        assert!(parse_date("2026-2-1").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }
}
