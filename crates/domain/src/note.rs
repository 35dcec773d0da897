//! Free-text notes.

use crate::Problem;

/// A free-text note: trimmed, not empty, at most [`Note::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Note(String);

crate::text_value!(Note);

impl Note {
    /// The most characters (not bytes) a note may have, after trimming.
    pub const MAX_CHARS: usize = 2000;

    /// The trimmed note; `None` if nothing is left after trimming; [`Problem::NoteTooLong`] if
    /// it is longer than [`Self::MAX_CHARS`] characters.
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let note = raw.trim();
        if note.is_empty() {
            Ok(None)
        } else if note.chars().count() > Self::MAX_CHARS {
            Err(Problem::NoteTooLong)
        } else {
            Ok(Some(Self(note.to_owned())))
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_empty_is_none() {
        assert_eq!(Note::parse("  sore left shoulder\n").unwrap().unwrap().as_str(), "sore left shoulder");
        assert_eq!(Note::parse(""), Ok(None));
        assert_eq!(Note::parse(" \n\t "), Ok(None));
    }

    #[test]
    fn notes_are_at_most_2000_characters_not_bytes() {
        assert!(Note::parse(&"a".repeat(2000)).unwrap().is_some());
        assert_eq!(Note::parse(&"a".repeat(2001)), Err(Problem::NoteTooLong));
        assert!(Note::parse(&"ü".repeat(2000)).unwrap().is_some());
        assert_eq!(Note::parse(&"ü".repeat(2001)), Err(Problem::NoteTooLong));
        assert!(Note::parse(&format!("\n{}\n", "a".repeat(2000))).unwrap().is_some());
        assert_eq!(Problem::NoteTooLong.to_string(), "at most 2000 characters");
    }
}
