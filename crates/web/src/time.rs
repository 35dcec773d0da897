//! Instants in and out of the API: RFC 3339 text outside, UTC milliseconds inside. Dates, ages
//! and time zone names are read in `domain::time`.

pub use domain::time::{completed_months, is_time_zone, parse_date};
use store::Timestamp;

/// An instant as RFC 3339 UTC text ([`Timestamp::to_rfc3339`]).
pub fn to_rfc3339(t: Timestamp) -> String {
    t.to_rfc3339()
}

/// Parses RFC 3339 text (with an offset) into an instant ([`Timestamp::parse_rfc3339`]).
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    Timestamp::parse_rfc3339(text)
}

/// The calendar date of an instant in a time zone ([`Timestamp::local_date`]).
pub fn local_date(t: Timestamp, tz: &jiff::tz::TimeZone) -> Option<jiff::civil::Date> {
    t.local_date(tz)
}
