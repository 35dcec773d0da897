//! Phone numbers.

use crate::Problem;

/// A trimmed phone number of 6 to 15 digits, written with digits and `+-().` and spaces only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

crate::text_value!(Phone);

impl Phone {
    /// The trimmed number, or [`Problem::Phone`].
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let p = raw.trim();
        let digits = p.chars().filter(char::is_ascii_digit).count();
        if (6..=15).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            Ok(Self(p.to_owned()))
        } else {
            Err(Problem::Phone)
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_trimmed_and_kept_as_written() {
        assert_eq!(Phone::parse(" +44 7700 900123 ").unwrap().as_str(), "+44 7700 900123");
        assert_eq!(Phone::parse("(020) 7946-0018").unwrap().into_string(), "(020) 7946-0018");
        assert!(Phone::parse("123456").is_ok());
        assert!(Phone::parse("123456789012345").is_ok());
    }

    #[test]
    fn phones_need_6_to_15_digits_and_nothing_else() {
        for bad in ["", "12345", "1234567890123456", "+44 7700 90012x", "07700/900123", "tel:07700900123", "٠١٢٣٤٥٦"]
        {
            assert_eq!(Phone::parse(bad), Err(Problem::Phone), "{bad}");
        }
        assert_eq!(Problem::Phone.to_string(), "A phone number needs 6 to 15 digits, such as +44 7700 900123.");
    }
}
