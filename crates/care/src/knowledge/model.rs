//! The clinical knowledge once loaded and checked: every code resolved to an index, every
//! source reference known to exist.

use super::raw::Origin;
use crate::codes::{CodeSet, Level};
use crate::triage::condition::Condition;
use crate::vocabulary::Region;
use serde::{Deserialize, Serialize};

/// Triage knowledge: levels, normalisation, rules and warning signs.
#[derive(Debug, Clone)]
pub struct TriageKnowledge {
    /// Shown with every result: the product does not diagnose.
    pub disclaimer: String,
    /// What the client reads when their note mentions a warning sign: `{phrase}` is the
    /// words found, `{what}` the instruction of the sign's level.
    pub note_flag: String,
    /// What `{emergency}` and `{urgent_advice}` read where the clinic's country has no such
    /// number ("your local emergency number", "your local urgent medical advice line").
    pub no_number: (String, String),
    /// The symptom a high temperature adds (`fever`).
    pub fever_symptom: u8,
    /// The temperature from which it is added (38.0 °C).
    pub fever_at_least_c: f64,
    /// What the client is told first, by level (indexed by `Level as usize`).
    pub levels: Vec<LevelText>,
    /// Every rule, in file order.
    pub rules: Vec<Rule>,
    /// The warning signs every result and plan shows.
    pub warning_signs: Vec<WarningSign>,
    /// When follow-ups go out.
    pub schedule: Schedule,
    /// When a recorded pregnancy, or a recorded birth, stops counting.
    pub pregnancy: Pregnancy,
    /// A self-care result at or above this soreness is pain at the client's usual level.
    pub usual_pain_soreness_at_least: u8,
    /// The label and what such a client is told first, instead of "normal soreness".
    pub usual_pain: (String, String),
}

/// When a recorded pregnancy, or a recorded birth, stops counting (care policy v1.2 section 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Pregnancy {
    /// The conditions that are the pregnancy; they end together.
    pub conditions: CodeSet,
    /// The pregnancy ends this many weeks after its start as worked out.
    pub ends_after_weeks: u8,
    /// The after-birth condition.
    pub after_birth: u8,
    /// It ends this many weeks after it was recorded.
    pub after_birth_weeks: u8,
}

/// When follow-ups go out (care policy section 6).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Messages to clients go from this local hour...
    pub window_start_hour: u8,
    /// ...until this one (inclusive of the hour's first instant).
    pub window_end_hour: u8,
    /// The default check-ins, in hours after the session's end.
    pub check_in_hours: Vec<i64>,
    /// Hours after an unanswered invitation went out at which the client is reminded once.
    pub remind_after_hours: i64,
    /// Extra check-ins that depend on an answer.
    pub extra: Vec<ExtraCheckIn>,
}

/// One more check-in, when an answer calls for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraCheckIn {
    /// It follows a check-in answered through the invitation at these hours or a later one.
    pub after_hours: i64,
    /// Hours after the session's end at which it is due.
    pub at_hours: i64,
    /// Any of these parts is enough: soreness at least...
    pub soreness_at_least: Option<u8>,
    /// ...excess over usual pain at least...
    pub excess_at_least: Option<u8>,
    /// ...one of these rules fired...
    pub fired_any: Vec<String>,
    /// ...or the trend is anything but `better` (or not given).
    pub trend_not_better: bool,
    /// Source ids.
    pub sources: Vec<String>,
}

impl TriageKnowledge {
    /// The client text of `level`.
    pub fn level(&self, level: Level) -> &LevelText {
        &self.levels[level as usize]
    }

    /// The rule with `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// What a client at one level is told first.
#[derive(Debug, Clone, Serialize)]
pub struct LevelText {
    /// The level.
    pub level: Level,
    /// A short name for the level.
    pub label: String,
    /// The instruction, with `{emergency}` and `{urgent_advice}` to fill in.
    pub instruction: String,
}

/// What a client whose own intake screens `postpone` is told (care policy v1.2 section 4).
#[derive(Debug, Clone)]
pub struct PostponeText {
    /// Not today; see a doctor first.
    pub see_doctor: String,
    /// Not today; book another day (for `rebook_conditions`).
    pub rebook: String,
    /// Conditions that mean rebooking rather than seeing a doctor.
    pub rebook_conditions: CodeSet,
}

/// A triage rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, such as `E-breathing`.
    pub id: String,
    /// The level the rule raises.
    pub level: Level,
    /// When it fires.
    pub when: Condition,
    /// The reason in gentle words for the client; never names a diagnosis.
    pub client_reason: String,
    /// The reason for staff.
    pub clinical_reason: String,
    /// What the client should do.
    pub advice: String,
    /// Ids of the sources behind the rule.
    pub sources: Vec<String>,
    /// What the client is told first when this rule fired at the result's level, instead
    /// of the level's instruction (maternity unit, cancer team, a baby).
    pub first_instruction: Option<String>,
    /// The short heading that goes with `first_instruction`, instead of the level's label.
    pub headline: Option<String>,
    /// Where the rule was written.
    pub origin: Origin,
}

/// A warning sign, shown with every result.
#[derive(Debug, Clone, Serialize)]
pub struct WarningSign {
    /// The level at which to act on it.
    pub level: Level,
    /// The sign in plain words.
    pub text: String,
    /// The symptom codes it stands for.
    #[serde(skip)]
    pub symptoms: CodeSet,
    /// The emergency and doctor rules whose sign this line is.
    #[serde(skip)]
    pub rules: Vec<String>,
}

/// The outcome of screening one condition, ordered from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningOutcome {
    /// Nothing to change.
    None,
    /// Lighter pressure and/or medical clearance.
    Modify,
    /// Massage, but not on the listed areas.
    AvoidArea,
    /// No massage today.
    Postpone,
}

/// Screening knowledge.
#[derive(Debug, Clone)]
pub struct ScreeningKnowledge {
    /// The cap for a client's first massage ever.
    pub first_massage_cap: u8,
    /// Why.
    pub first_massage_note: String,
    /// Its sources.
    pub first_massage_sources: Vec<String>,
    /// The firmest pressure for a baby's massage (infant), and why: always, whatever else.
    pub baby_cap: (u8, String),
    /// What a client whose own intake screens `postpone` is told.
    pub postpone: PostponeText,
    /// One entry per condition, indexed like the vocabulary's conditions.
    pub conditions: Vec<ScreeningEntry>,
}

/// How one condition changes the session.
#[derive(Debug, Clone)]
pub struct ScreeningEntry {
    /// The outcome.
    pub outcome: ScreeningOutcome,
    /// The firmest pressure allowed anywhere.
    pub pressure_cap: Option<u8>,
    /// The firmest pressure allowed on a region.
    pub region_caps: Vec<(Region, u8)>,
    /// Regions to avoid when the client gave no areas.
    pub avoid_regions: Vec<Region>,
    /// Clearance needed first.
    pub clearance: Option<String>,
    /// A note for staff.
    pub note: String,
    /// Its sources.
    pub sources: Vec<String>,
    /// Where it was written.
    pub origin: Origin,
}

/// A massage type with the reason to suggest it.
#[derive(Debug, Clone)]
pub struct TypeChoice {
    /// Index of the massage type.
    pub massage_type: u8,
    /// Why, in plain words.
    pub reason: String,
}

/// Recommendation knowledge.
#[derive(Debug, Clone)]
pub struct RecommendationKnowledge {
    /// The pressure when the client has no preference.
    pub default_pressure: u8,
    /// The types when no goal is given.
    pub default: Vec<TypeChoice>,
    /// A last session of the same type this sore suggests one step lighter.
    pub history_soreness_at_least: u8,
    /// So does a last session that fired one of these rules.
    pub history_rules: Vec<String>,
    /// Types by goal, indexed like the vocabulary's goals.
    pub goals: Vec<GoalTypes>,
    /// Conditions that change the types.
    pub conditions: Vec<ConditionTypes>,
}

/// The types for one goal.
#[derive(Debug, Clone)]
pub struct GoalTypes {
    /// Ranked types.
    pub types: Vec<TypeChoice>,
    /// Ranked types for a first massage, when they differ.
    pub first_massage: Option<Vec<TypeChoice>>,
}

/// A change to the types for clients with some conditions.
#[derive(Debug, Clone)]
pub struct ConditionTypes {
    /// Not when the client has any of these (after birth is not pregnancy).
    pub unless: CodeSet,
    /// Applies when the client has any of these.
    pub conditions: CodeSet,
    /// A type to put first.
    pub prefer: Option<u8>,
    /// Types to remove.
    pub avoid: CodeSet,
    /// Why.
    pub reason: String,
}

/// An evidence grade (care policy section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Several good studies show it helps.
    Good,
    /// Small or indirect studies.
    Limited,
    /// No study shows it helps.
    None,
    /// Studies show it does not do what is claimed.
    Contradicted,
}

impl Grade {
    /// Every grade.
    pub const ALL: [Grade; 4] = [Grade::Good, Grade::Limited, Grade::None, Grade::Contradicted];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Limited => "limited",
            Grade::None => "none",
            Grade::Contradicted => "contradicted",
        }
    }
}

/// A grade in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct GradeText {
    /// The grade.
    pub code: Grade,
    /// A short label.
    pub label: String,
    /// One plain sentence.
    pub meaning: String,
}

/// Something that makes soreness more likely (care policy section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectFactor {
    /// First massage ever.
    FirstMassage,
    /// Firm or deep pressure.
    FirmOrDeepPressure,
    /// Deep tissue, trigger point or sports massage.
    DeepTechnique,
    /// Hard exercise just before the massage.
    HardExerciseBefore,
}

impl ExpectFactor {
    /// Every factor.
    pub const ALL: [ExpectFactor; 4] = [
        ExpectFactor::FirstMassage,
        ExpectFactor::FirmOrDeepPressure,
        ExpectFactor::DeepTechnique,
        ExpectFactor::HardExerciseBefore,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ExpectFactor::FirstMassage => "first_massage",
            ExpectFactor::FirmOrDeepPressure => "firm_or_deep_pressure",
            ExpectFactor::DeepTechnique => "deep_technique",
            ExpectFactor::HardExerciseBefore => "hard_exercise_before",
        }
    }
}

/// "What to expect".
#[derive(Debug, Clone)]
pub struct ExpectText {
    /// Heading.
    pub title: String,
    /// When no factor applies.
    pub usual: String,
    /// When a factor applies.
    pub raised: String,
    /// The normal course.
    pub course: Vec<String>,
    /// Sources.
    pub sources: Vec<String>,
    /// The text of each factor, indexed like [`ExpectFactor::ALL`].
    pub factors: Vec<String>,
    /// For the general "Why am I sore?" page: what raises soreness, said of anyone.
    pub general_raised: String,
    /// Each factor said of anyone ("a first massage"), indexed like [`ExpectFactor::ALL`].
    pub general_factors: Vec<String>,
}

/// What kind of plan item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Advice.
    Advice,
    /// Advice followed by the stretches chosen for the areas worked.
    Stretches,
}

/// How a caution changes an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CautionEffect {
    /// The item's text is replaced.
    Replace,
    /// The caution is added after the text.
    Add,
}

/// A caution on a plan item.
#[derive(Debug, Clone)]
pub struct Caution {
    /// Applies when the client has any of these conditions...
    pub conditions: CodeSet,
    /// ...and none of these (after birth is not pregnancy).
    pub unless: CodeSet,
    /// How it changes the item.
    pub effect: CautionEffect,
    /// The text.
    pub text: String,
}

/// A plan item.
#[derive(Debug, Clone)]
pub struct PlanItem {
    /// For a baby's session (infant massage) only; the other items are never given to one.
    pub for_baby: bool,
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Heading.
    pub title: String,
    /// Paragraphs.
    pub text: Vec<String>,
    /// Evidence grade.
    pub grade: Grade,
    /// What the evidence does and does not show.
    pub grade_note: Option<String>,
    /// Sources.
    pub sources: Vec<String>,
    /// Cautions.
    pub cautions: Vec<Caution>,
}

/// Plan knowledge.
#[derive(Debug, Clone)]
pub struct PlanKnowledge {
    /// The grades in plain words, indexed like [`Grade::ALL`].
    pub grades: Vec<GradeText>,
    /// What to expect.
    pub expect: ExpectText,
    /// Items in order (a baby's session gets the items `for_baby`, everyone else the rest).
    pub items: Vec<PlanItem>,
    /// What a parent is told to expect after a baby's massage.
    pub baby_summary: String,
    /// The usual course after a baby's massage.
    pub baby_course: Vec<String>,
    /// When to get help for a baby (NICE NG143 red features), each an emergency.
    pub baby_warning_signs: Vec<String>,
    /// Sources of the baby's plan.
    pub baby_sources: Vec<String>,
    /// The warning line added to the plan in the 6 weeks after birth.
    pub after_birth_warning: String,
}

impl PlanKnowledge {
    /// The plain words for `grade`.
    pub fn grade(&self, grade: Grade) -> &GradeText {
        &self.grades[Grade::ALL.iter().position(|g| *g == grade).unwrap_or(0)]
    }
}

/// A stretch or gentle movement.
#[derive(Debug, Clone, Serialize)]
pub struct Stretch {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Areas it eases.
    #[serde(skip)]
    pub areas: CodeSet,
    /// Steps.
    pub steps: Vec<String>,
    /// Seconds to hold; 0 for a repeated movement.
    pub hold_seconds: u32,
    /// How many times.
    pub repeat: u32,
    /// Whether `repeat` is per side.
    pub per_side: bool,
    /// How often a day.
    pub how_often: String,
    /// A caution.
    pub caution: Option<String>,
}

/// Emergency numbers of a country, as written in `countries.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The emergency number.
    pub emergency: String,
    /// A medical advice line, where one exists.
    pub urgent_advice: Option<String>,
    /// Its name.
    pub urgent_advice_name: Option<String>,
}

/// A cited source, as written in `sources.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable id.
    pub id: String,
    /// Authors or organisation.
    pub authors: String,
    /// Year.
    pub year: Option<u16>,
    /// Title.
    pub title: String,
    /// Journal or site.
    pub published_in: String,
    /// Address.
    pub url: Option<String>,
    /// The kind of evidence (systematic review, case report, guideline, policy…).
    pub evidence: String,
    /// How it was checked: primary, secondary, not_verified, policy.
    pub verified: String,
    /// A note.
    pub note: Option<String>,
}

impl Source {
    /// The source as one citation line.
    pub fn citation(&self) -> String {
        let year = self.year.map(|y| format!(" ({y})")).unwrap_or_default();
        let url = self.url.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        format!("{}{year}. {}. {}.{url}", self.authors, self.title, self.published_in)
    }
}
