//! Names of people and clinics.

use crate::Problem;

/// A client's, staff member's or clinic's name: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

crate::text_value!(PersonName);

impl PersonName {
    /// The most characters (not bytes) a name may have.
    pub const MAX_CHARS: usize = 200;

    /// The rule, for callers who word their own sentence around it.
    pub const RULE: &str = "1 to 200 characters";

    /// The trimmed name, or [`Problem::NameLength`] if it is empty or longer than
    /// [`Self::MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > Self::MAX_CHARS {
            return Err(Problem::NameLength);
        }
        Ok(Self(name.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(PersonName::parse("  Ada Lovelace \n").unwrap().as_str(), "Ada Lovelace");
        assert_eq!(PersonName::parse("A").unwrap().into_string(), "A");
    }

    #[test]
    fn names_are_1_to_200_characters_not_bytes() {
        assert_eq!(PersonName::parse(""), Err(Problem::NameLength));
        assert_eq!(PersonName::parse(" \t\n "), Err(Problem::NameLength));
        assert!(PersonName::parse(&"a".repeat(200)).is_ok());
        assert_eq!(PersonName::parse(&"a".repeat(201)), Err(Problem::NameLength));
        // 200 characters of two bytes each are still 200 characters.
        let accented = "é".repeat(200);
        assert_eq!(PersonName::parse(&accented).unwrap().as_str(), accented);
        assert_eq!(PersonName::parse(&"é".repeat(201)), Err(Problem::NameLength));
        // Surrounding spaces do not count.
        assert!(PersonName::parse(&format!("  {}  ", "a".repeat(200))).is_ok());
    }

    #[test]
    fn the_problem_states_the_rule() {
        assert_eq!(Problem::NameLength.to_string(), "must be 1 to 200 characters");
        assert_eq!(Problem::NameLength.to_string(), format!("must be {}", PersonName::RULE));
    }
}
