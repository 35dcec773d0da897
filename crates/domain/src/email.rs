//! E-mail addresses.

use crate::Problem;

/// A trimmed, lower-case e-mail address. The address is parsed as mail sees it (RFC 5322, with
/// the parser that sends the mail): no display name, angle brackets or comments, so what is
/// stored is the address mail goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

crate::text_value!(Email);

impl Email {
    /// The trimmed, lower-case address, or [`Problem::Email`] holding the trimmed text.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let e = raw.trim().to_lowercase();
        let parts: Vec<&str> = e.split('@').collect();
        let ok = e.len() <= 254
            && parts.len() == 2
            && !parts[0].is_empty()
            && parts[1].contains('.')
            && !parts[1].starts_with('.')
            && !parts[1].ends_with('.')
            && !e.contains(char::is_whitespace)
            && !e.starts_with('"')
            && e.parse::<lettre::Address>().is_ok();
        if ok { Ok(Self(e)) } else { Err(Problem::Email(raw.trim().to_owned())) }
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Ada@Example.COM ").map(Email::into_string).as_deref(), Ok("ada@example.com"));
        let bad = ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@example.com", "ada@.com"];
        let disguised = [
            "a<x@evil.example>",
            "Ada <ada@example.com>",
            "ada@example.com (Ada)",
            "\"a\"@example.com",
            "ada,b@example.com",
        ];
        for bad in bad.into_iter().chain(disguised) {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_problem_names_the_trimmed_text() {
        let problem = Email::parse("  not an address ").unwrap_err();
        assert_eq!(problem, Problem::Email("not an address".to_owned()));
        assert_eq!(problem.to_string(), "`not an address` is not an e-mail address");
    }

    #[test]
    fn addresses_are_at_most_254_bytes() {
        let address =
            |last: usize| format!("{}@{}.{}.{}.com", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(last));
        assert_eq!(address(57).len(), 254);
        assert!(Email::parse(&address(57)).is_ok());
        assert!(Email::parse(&address(58)).is_err());
    }
}
