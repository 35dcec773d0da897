//! IANA time zones.

use crate::Problem;
use std::fmt;

/// An IANA time zone name that this build knows, with the zone it names. The name is kept as
/// given (the lookup ignores ASCII case), so it is the text that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl TimeZoneName {
    /// The zone named `tz`, or [`Problem::TimeZone`]. The text is not trimmed: a stored name
    /// must be the one that was looked up.
    pub fn parse(tz: &str) -> Result<Self, Problem> {
        match jiff::tz::TimeZone::get(tz) {
            Ok(zone) => Ok(Self { name: tz.to_owned(), zone }),
            Err(_) => Err(Problem::TimeZone(tz.to_owned())),
        }
    }

    /// The name, such as `Europe/London`.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The time zone.
    pub fn zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }
}

impl AsRef<str> for TimeZoneName {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_are_accepted_with_their_zone() {
        let london = TimeZoneName::parse("Europe/London").unwrap();
        assert_eq!(london.as_str(), "Europe/London");
        assert_eq!(london.zone().iana_name(), Some("Europe/London"));
        assert_eq!(TimeZoneName::parse("UTC").unwrap().zone(), &jiff::tz::TimeZone::UTC);
        assert!(TimeZoneName::parse("Australia/Sydney").is_ok());
        // The lookup ignores ASCII case; the name is kept as it was checked.
        let lower = TimeZoneName::parse("europe/london").unwrap();
        assert_eq!((lower.as_str(), lower.zone()), ("europe/london", london.zone()));
    }

    #[test]
    fn other_text_is_refused() {
        for bad in ["", "London", "Europe/Lundon", " Europe/London", "Europe/London ", "+01:00", "GMT+1/x"] {
            assert_eq!(TimeZoneName::parse(bad), Err(Problem::TimeZone(bad.to_owned())), "{bad}");
        }
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus").unwrap_err().to_string(),
            "`Mars/Olympus` is not an IANA time zone such as Europe/London"
        );
    }
}
