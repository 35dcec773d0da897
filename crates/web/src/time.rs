//! Instants in and out of the API: RFC 3339 text outside, UTC milliseconds inside. Dates, ages
//! and time zone names are read in `domain::time`.

pub use domain::time::{completed_months, is_time_zone, parse_date};
use store::Timestamp;

/// An instant as RFC 3339 UTC text.
pub fn to_rfc3339(t: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(t.0).map(|ts| ts.to_string()).unwrap_or_else(|_| t.0.to_string())
}

/// Parses RFC 3339 text (with an offset) into an instant.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    text.parse::<jiff::Timestamp>().ok().map(|ts| Timestamp(ts.as_millisecond()))
}

/// The calendar date of an instant in a time zone.
pub fn local_date(t: Timestamp, tz: &jiff::tz::TimeZone) -> Option<jiff::civil::Date> {
    jiff::Timestamp::from_millisecond(t.0).ok().map(|ts| ts.to_zoned_datetime(tz.clone()).date())
}
