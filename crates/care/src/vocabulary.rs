//! The policy's vocabulary (care policy section 1): every code the engine accepts, with the
//! plain-language label a client reads. Codes are looked up once at the edge and carried as
//! small indices inside the engine.

use crate::codes::{CodeSet, Level};
use crate::input::InputError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Something that has a stable code.
pub trait Coded {
    /// The stable lower_snake_case code.
    fn code(&self) -> &str;
}

/// The codes of one kind, in the order of the knowledge file, with a lookup by code.
#[derive(Debug, Clone)]
pub struct CodeTable<E> {
    kind: &'static str,
    entries: Vec<E>,
    index: HashMap<String, u8>,
}

impl<E: Coded> CodeTable<E> {
    /// A table of `kind` (used in messages, such as "symptom") from its entries. The caller
    /// has checked that codes are unique and that there are at most [`CodeSet::CAPACITY`].
    pub(crate) fn new(kind: &'static str, entries: Vec<E>) -> CodeTable<E> {
        let index = entries.iter().enumerate().map(|(i, e)| (e.code().to_owned(), i as u8)).collect();
        CodeTable { kind, entries, index }
    }

    /// The index of `code`, if it is in the table.
    pub fn lookup(&self, code: &str) -> Option<u8> {
        self.index.get(code).copied()
    }

    /// The index of `code`, or an error on `field` that names the code and lists the valid ones.
    pub fn resolve(&self, field: &str, code: &str) -> Result<u8, InputError> {
        self.lookup(code).ok_or_else(|| {
            InputError::new(
                field,
                format!(
                    "`{code}` is not a known {} code; allowed: {}",
                    self.kind,
                    self.codes().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// The entry at `index`.
    ///
    /// # Panics
    /// Never for an index this table handed out.
    pub fn get(&self, index: u8) -> &E {
        &self.entries[index as usize]
    }

    /// The set of the known codes among `codes`; unknown ones are left out.
    pub fn set_of(&self, codes: &[String]) -> CodeSet {
        codes.iter().filter_map(|c| self.lookup(c)).collect()
    }

    /// The entry with `code`.
    pub fn by_code(&self, code: &str) -> Option<&E> {
        self.lookup(code).map(|i| self.get(i))
    }

    /// All entries, in file order.
    pub fn entries(&self) -> &[E] {
        &self.entries
    }

    /// The entries, to fill in what can only be resolved once the table exists.
    pub(crate) fn entries_mut(&mut self) -> &mut [E] {
        &mut self.entries
    }

    /// All codes, in file order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Coded::code)
    }

    /// The codes of the entries in `set`.
    pub fn codes_of(&self, set: CodeSet) -> Vec<&str> {
        set.iter().map(|i| self.get(i).code()).collect()
    }

    /// What kind of code this table holds.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

macro_rules! coded {
    ($($t:ty),*) => {$(impl Coded for $t { fn code(&self) -> &str { &self.code } })*};
}
coded!(Area, MassageType, Pressure, Goal, Condition, Symptom);

/// Coarse body regions, used for caps such as "no firm or deep pressure on the legs".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Head, face and neck.
    HeadNeck,
    /// Shoulders, back, chest, abdomen, glutes and hips.
    Trunk,
    /// Upper arms, forearms and hands.
    Arm,
    /// Thighs, calves, shins and feet.
    Leg,
}

impl Region {
    /// Plain words for the region, for notes.
    pub fn label(self) -> &'static str {
        match self {
            Region::HeadNeck => "the head and neck",
            Region::Trunk => "the trunk",
            Region::Arm => "the arms",
            Region::Leg => "the legs",
        }
    }
}

/// A body area.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    /// Stable code.
    pub code: String,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
    /// The region the area belongs to.
    pub region: Region,
}

/// How likely a massage type is to leave soreness (care policy section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SorenessRisk {
    /// Rarely leaves soreness.
    Low,
    /// Deep or focused work: soreness is more likely.
    Raised,
}

/// A massage type.
#[derive(Debug, Clone, Serialize)]
pub struct MassageType {
    /// Stable code.
    pub code: String,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
    /// Whether this type makes soreness more likely.
    pub soreness_risk: SorenessRisk,
    /// Whether this session's client is a baby (infant massage): a check-in's age is then
    /// the baby's, 0 to 35 months, and an unknown age reads as under 3 months.
    pub for_baby: bool,
}

/// A pressure; the table is ordered lightest first.
#[derive(Debug, Clone, Serialize)]
pub struct Pressure {
    /// Stable code.
    pub code: String,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
}

/// A client goal at intake.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    /// Stable code.
    pub code: String,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
}

/// A client condition at intake.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    /// Stable code.
    pub code: String,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
    /// Whether the condition affects particular body areas.
    pub local: bool,
    /// Conditions this one implies (for example `preeclampsia` implies `pregnant`).
    #[serde(skip)]
    pub implies: CodeSet,
}

/// A follow-up question asked when a client ticks a symptom with a more serious near-synonym.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    /// The question, in plain words.
    pub question: String,
    /// The symptom code recorded on "yes".
    pub records: String,
    /// Whether "yes" adds the code or replaces the ticked one.
    pub mode: FollowUpMode,
    /// Whether an unanswered question counts as "yes".
    pub blank_counts_as_yes: bool,
}

/// What a "yes" to a follow-up question does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpMode {
    /// Record the serious code as well.
    Add,
    /// Record the other code instead of the ticked one.
    Instead,
}

/// A check-in symptom.
#[derive(Debug, Clone, Serialize)]
pub struct Symptom {
    /// Stable code.
    pub code: String,
    /// The level this symptom raises on its own (its group in the policy).
    pub group: Level,
    /// Plain-language label.
    pub label: String,
    /// Optional one-line hint.
    pub hint: Option<String>,
    /// General symptoms this specific one adds before rules run.
    #[serde(skip)]
    pub implies: CodeSet,
    /// The follow-up question, if any.
    pub follow_up: Option<FollowUp>,
    /// Words in a free-text note that mention this sign: lower case, apostrophes folded to
    /// `'`. Only emergency- and doctor-group symptoms have them.
    pub note_phrases: Vec<String>,
    /// The conditions of which one must be on the client's record for the form to ask this
    /// (a pregnancy sign, say); empty: asked of everyone. Triage is the same either way: the
    /// code is accepted from every channel, and the note's phrases still flag it.
    pub asked_with: Vec<String>,
    /// The words of an infant session's form, to the parent about the baby; `None` when the
    /// sign is not asked of a baby.
    pub baby_label: Option<String>,
    /// The hint of an infant session's form.
    pub baby_hint: Option<String>,
}

impl Symptom {
    /// Whether the form asks this of a client with these `conditions` (`None`: no intake on
    /// record, so nothing is known and everything is asked).
    pub fn asked_of(&self, conditions: Option<&[String]>) -> bool {
        match conditions {
            _ if self.asked_with.is_empty() => true,
            None => true,
            Some(held) => self.asked_with.iter().any(|c| held.contains(c)),
        }
    }
}

/// The whole vocabulary.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Body areas.
    pub areas: CodeTable<Area>,
    /// Massage types.
    pub massage_types: CodeTable<MassageType>,
    /// Pressures, lightest first.
    pub pressures: CodeTable<Pressure>,
    /// Client goals.
    pub goals: CodeTable<Goal>,
    /// Client conditions.
    pub conditions: CodeTable<Condition>,
    /// Check-in symptoms.
    pub symptoms: CodeTable<Symptom>,
}

impl Vocabulary {
    /// Resolves a list of codes of one table into a set, naming each bad entry by its index.
    pub(crate) fn resolve_set<E: Coded>(
        table: &CodeTable<E>,
        field: &str,
        codes: &[String],
        errors: &mut Vec<InputError>,
    ) -> CodeSet {
        let mut set = CodeSet::empty();
        for (i, code) in codes.iter().enumerate() {
            match table.resolve(&format!("{field}[{i}]"), code) {
                Ok(ix) => set.insert(ix),
                Err(e) => errors.push(e),
            }
        }
        set
    }

    /// The areas of `region`.
    pub fn areas_in(&self, region: Region) -> CodeSet {
        self.areas.entries().iter().enumerate().filter(|(_, a)| a.region == region).map(|(i, _)| i as u8).collect()
    }

    /// Adds every implied symptom (`implies` is already transitive: it is closed when the
    /// knowledge loads).
    pub fn close_symptoms(&self, set: CodeSet) -> CodeSet {
        set.iter().fold(set, |acc, i| acc.union(self.symptoms.get(i).implies))
    }

    /// Adds every implied condition (`implies` is transitive, as for symptoms).
    pub fn close_conditions(&self, set: CodeSet) -> CodeSet {
        set.iter().fold(set, |acc, i| acc.union(self.conditions.get(i).implies))
    }
}
