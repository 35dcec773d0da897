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
