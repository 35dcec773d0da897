//! Small value types shared by the engine: the triage [`Level`], the client's [`Trend`],
//! and [`CodeSet`], a set of vocabulary codes of one kind kept as a bit set so that rule
//! checks are a few machine instructions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The four triage levels, ordered from least to most urgent (care policy section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Normal soreness: the aftercare plan is enough.
    SelfCare,
    /// Tell your therapist.
    Therapist,
    /// Get medical advice today.
    Doctor,
    /// Call the emergency number now.
    Emergency,
}

impl Level {
    /// Every level, least urgent first.
    pub const ALL: [Level; 4] = [Level::SelfCare, Level::Therapist, Level::Doctor, Level::Emergency];

    /// The stable code of the level, as in the policy.
    pub fn code(self) -> &'static str {
        match self {
            Level::SelfCare => "self_care",
            Level::Therapist => "therapist",
            Level::Doctor => "doctor",
            Level::Emergency => "emergency",
        }
    }

    /// Parses a level code.
    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The client's answer to "compared with your last check-in".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Better than at the last check-in.
    Better,
    /// About the same.
    Same,
    /// Worse.
    Worse,
}

impl Trend {
    /// Every trend, in the order a form shows them.
    pub const ALL: [Trend; 3] = [Trend::Better, Trend::Same, Trend::Worse];

    /// The stable code of the trend.
    pub fn code(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Same => "same",
            Trend::Worse => "worse",
        }
    }

    /// Parses a trend code.
    pub fn from_code(code: &str) -> Option<Trend> {
        Trend::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// A set of codes of one vocabulary table, by index. A table holds at most
/// [`CodeSet::CAPACITY`] codes (checked when the knowledge loads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CodeSet(u64);

impl CodeSet {
    /// The most codes one table may hold.
    pub const CAPACITY: usize = 64;

    /// The empty set.
    pub const fn empty() -> CodeSet {
        CodeSet(0)
    }

    /// Adds the code at `index`.
    pub fn insert(&mut self, index: u8) {
        debug_assert!((index as usize) < Self::CAPACITY);
        self.0 |= 1u64 << index;
    }

    /// Whether the code at `index` is in the set.
    pub fn contains(self, index: u8) -> bool {
        (index as usize) < Self::CAPACITY && self.0 & (1u64 << index) != 0
    }

    /// Whether the two sets share a code.
    pub fn intersects(self, other: CodeSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The union of the two sets.
    #[must_use]
    pub fn union(self, other: CodeSet) -> CodeSet {
        CodeSet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The indices in the set, smallest first.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let i = bits.trailing_zeros() as u8;
            bits &= bits - 1;
            Some(i)
        })
    }
}

impl FromIterator<u8> for CodeSet {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        let mut set = CodeSet::empty();
        for i in iter {
            set.insert(i);
        }
        set
    }
}
