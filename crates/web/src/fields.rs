//! Checks of plain fields shared by the API and the staff pages; the rules live in `domain`.

/// A trimmed, lower-case e-mail address, or what is wrong with it (see [`domain::Email`]).
pub fn email(raw: &str) -> Result<String, String> {
    domain::Email::parse(raw).map(domain::Email::into_string).map_err(|p| p.to_string())
}

/// A trimmed phone number of 6 to 15 digits, or what is wrong with it (see [`domain::Phone`]).
pub fn phone(raw: &str) -> Result<String, String> {
    domain::Phone::parse(raw).map(domain::Phone::into_string).map_err(|p| p.to_string())
}
