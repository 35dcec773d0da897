//! Calendar dates and time zone names as the product reads them.

/// Whether `name` is an IANA time zone this machine knows.
pub fn is_time_zone(name: &str) -> bool {
    crate::TimeZoneName::parse(name).is_ok()
}

/// Parses a calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<jiff::civil::Date>().ok()
}

/// Completed months of age on `at` for someone born on `birth` (negative before birth).
pub fn completed_months(birth: jiff::civil::Date, at: jiff::civil::Date) -> i64 {
    let months =
        (i64::from(at.year()) - i64::from(birth.year())) * 12 + i64::from(at.month()) - i64::from(birth.month());
    if at.day() < birth.day() { months - 1 } else { months }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
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

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-11-30"), Some(jiff::civil::date(2026, 11, 30)));
        for bad in ["", "2026-11-30 ", " 2026-11-30", "30/11/2026", "2026-11-30T00:00", "+002026-11-30", "2026-13-01"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn months_before_birth_are_negative() {
        let d = |s: &str| parse_date(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(completed_months(d("2026-11-30"), d("2026-11-30")), 0);
        assert_eq!(completed_months(d("2026-11-30"), d("2026-10-30")), -1);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(is_time_zone("Europe/London"));
        assert!(is_time_zone("UTC"));
        assert!(!is_time_zone("Europe/Lundon"));
        assert!(!is_time_zone(""));
    }
}
