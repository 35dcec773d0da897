//! The plain fields of the staff's and clients' forms, with what is wrong in a form's words;
//! the rules live in `domain`, and the API words its own answers from them.

/// A trimmed, lower-case e-mail address, or what is wrong with it in a form's words (see
/// [`domain::Email`]).
pub fn email(raw: &str) -> Result<String, String> {
    domain::Email::parse(raw)
        .map(domain::Email::into_string)
        .map_err(|_| format!("“{}” is not an e-mail address. Write one such as ada@example.com.", raw.trim()))
}

/// A trimmed phone number of 6 to 15 digits, or what is wrong with it (see [`domain::Phone`]).
pub fn phone(raw: &str) -> Result<String, String> {
    domain::Phone::parse(raw).map(domain::Phone::into_string).map_err(|p| p.to_string())
}
