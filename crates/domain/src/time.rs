//! Instants, calendar dates and time zone names as the product reads them.

/// A UTC instant, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds in an hour.
    pub const HOUR_MS: i64 = 3_600_000;

    /// This instant moved by `hours`.
    #[must_use]
    pub fn plus_hours(self, hours: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(hours.saturating_mul(Self::HOUR_MS)))
    }

    /// Hours from `earlier` to this instant, with fractions, never rounded.
    pub fn hours_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / Self::HOUR_MS as f64
    }

    /// This instant as RFC 3339 UTC text, as the API and the command line write it.
    pub fn to_rfc3339(self) -> String {
        jiff::Timestamp::from_millisecond(self.0).map(|ts| ts.to_string()).unwrap_or_else(|_| self.0.to_string())
    }

    /// Reads RFC 3339 text with an offset, such as `2026-11-27T15:30:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        text.parse::<jiff::Timestamp>().ok().map(|ts| Timestamp(ts.as_millisecond()))
    }

    /// The calendar date of this instant in a time zone.
    pub fn local_date(self, tz: &jiff::tz::TimeZone) -> Option<jiff::civil::Date> {
        jiff::Timestamp::from_millisecond(self.0).ok().map(|ts| ts.to_zoned_datetime(tz.clone()).date())
    }
}

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
