//! Checks of plain fields shared by the API and the command line.

/// A trimmed, lower-case e-mail address, or what is wrong with it. The address is parsed as
/// mail sees it (RFC 5322, with the parser that sends the mail): no display name, angle
/// brackets or comments, so what is stored is the address mail goes to.
pub fn email(raw: &str) -> Result<String, String> {
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
    if ok { Ok(e) } else { Err(format!("`{}` is not an e-mail address", raw.trim())) }
}

/// A trimmed phone number of 6 to 15 digits, or what is wrong with it.
pub fn phone(raw: &str) -> Result<String, String> {
    let p = raw.trim();
    let digits = p.chars().filter(char::is_ascii_digit).count();
    if (6..=15).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        Ok(p.to_owned())
    } else {
        Err("A phone number needs 6 to 15 digits, such as +44 7700 900123.".to_owned())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(super::email(" Ada@Example.COM ").as_deref(), Ok("ada@example.com"));
        let bad = ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@example.com", "ada@.com"];
        let disguised = [
            "a<x@evil.example>",
            "Ada <ada@example.com>",
            "ada@example.com (Ada)",
            "\"a\"@example.com",
            "ada,b@example.com",
        ];
        for bad in bad.into_iter().chain(disguised) {
            assert!(super::email(bad).is_err(), "{bad}");
        }
    }
}
