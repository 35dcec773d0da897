//! What is wrong with a value that was refused. Each message is a sentence fragment or sentence
//! a caller can show as it is, or put after the name of the field it came from.

use crate::{Note, PersonName};

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A person's or clinic's name that is empty after trimming, or too long.
    #[error("must be {}", PersonName::RULE)]
    NameLength,
    /// Text that is not an e-mail address (it holds the trimmed text).
    #[error("`{0}` is not an e-mail address")]
    Email(String),
    /// Text that is not a phone number.
    #[error("A phone number needs 6 to 15 digits, such as +44 7700 900123.")]
    Phone,
    /// A name that is not an IANA time zone (it holds the text as given).
    #[error("`{0}` is not an IANA time zone such as Europe/London")]
    TimeZone(String),
    /// A note longer than [`Note::MAX_CHARS`].
    #[error("at most {} characters", Note::MAX_CHARS)]
    NoteTooLong,
}
