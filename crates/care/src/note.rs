//! The free-text note (care policy v1.2 section 3). The note never sets the level: triage
//! reads only coded answers. But a note that mentions a warning sign is acted on: the form
//! asks about it, the result shows what to do first, and staff are told. This module finds
//! the phrases of the knowledge base in a note.
//!
//! Matching ignores case, folds curly apostrophes to `'`, treats any run of spaces, tabs or
//! line breaks as one space, and needs whole words: `fit` is found in "had a fit" but not in
//! "fitness". It ignores nothing else: "no chest pain" is flagged too, because a person then
//! reads it.

use crate::codes::{CodeSet, Level};
use crate::knowledge::Knowledge;
use serde::Serialize;

/// A warning sign a note mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteFlag {
    /// The symptom code the phrase belongs to.
    pub code: String,
    /// The phrase found, as the knowledge writes it.
    pub phrase: String,
    /// The symptom's group: what to do if it is happening now.
    #[serde(skip)]
    pub level: Level,
}

/// A note as it is matched: lower case, apostrophes folded, spaces collapsed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' => out.push('\''),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

/// Whether `phrase` (already folded) occurs in `folded` as whole words.
fn contains_words(folded: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    folded.match_indices(phrase).any(|(at, _)| {
        let before = folded[..at].chars().next_back();
        let after = folded[at + phrase.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// Every warning sign the note mentions, one flag per symptom (its first phrase found), in
/// the order of the vocabulary: emergency group first.
pub fn note_flags(kb: &Knowledge, note: &str) -> Vec<NoteFlag> {
    let folded = fold(note);
    if folded.is_empty() {
        return Vec::new();
    }
    let mut flags = Vec::new();
    for s in kb.vocabulary.symptoms.entries() {
        if let Some(phrase) = s.note_phrases.iter().find(|p| contains_words(&folded, p)) {
            flags.push(NoteFlag { code: s.code.clone(), phrase: phrase.clone(), level: s.group });
        }
    }
    flags.sort_by_key(|f| std::cmp::Reverse(f.level));
    flags
}

/// The warning signs the note mentions that the coded answer does not already report
/// (`reported`, after normalisation): a sign already ticked needs no second word.
pub fn unreported_flags(kb: &Knowledge, note: &str, reported: CodeSet) -> Vec<NoteFlag> {
    let is_reported = |code: &str| kb.vocabulary.symptoms.lookup(code).is_some_and(|i| reported.contains(i));
    note_flags(kb, note).into_iter().filter(|f| !is_reported(&f.code)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_words(&fold("I had a FIT last night"), "fit"));
        assert!(!contains_words(&fold("my fitness class"), "fit"));
        assert!(contains_words(&fold("I can\u{2019}t   breathe"), "can't breathe"));
        assert!(contains_words(&fold("tight chest."), "tight chest"));
        assert!(!contains_words(&fold("scola"), "cola"));
    }
}
