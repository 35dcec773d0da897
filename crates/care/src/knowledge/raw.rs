//! The knowledge files exactly as written, before their codes are checked. Every entry keeps
//! the file and line it came from, so that a problem found later can name both.

use super::model::{Country, Source};
use crate::codes::{Level, Trend};
use crate::vocabulary::{FollowUpMode, Region, SorenessRisk};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// Where an entry was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as the user named it (or `knowledge/NAME` for the built-in files).
    pub file: Arc<str>,
    /// The 1-based line.
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An entry with its origin.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub origin: Origin,
    pub value: T,
}

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Turns the spanned entries of one file into located ones.
pub fn locate<T>(file: &Arc<str>, text: &str, entries: Vec<Spanned<T>>) -> Vec<Located<T>> {
    entries
        .into_iter()
        .map(|s| {
            let line = line_of(text, s.span().start);
            Located { origin: Origin { file: file.clone(), line }, value: s.into_inner() }
        })
        .collect()
}

// ------------------------------------------------------------------ vocabulary.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    #[serde(default)]
    pub area: Vec<Spanned<RawArea>>,
    #[serde(default)]
    pub massage_type: Vec<Spanned<RawMassageType>>,
    #[serde(default)]
    pub pressure: Vec<Spanned<RawLabelled>>,
    #[serde(default)]
    pub goal: Vec<Spanned<RawLabelled>>,
    #[serde(default)]
    pub condition: Vec<Spanned<RawCondition>>,
    #[serde(default)]
    pub symptom: Vec<Spanned<RawSymptom>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArea {
    pub code: String,
    pub label: String,
    pub hint: Option<String>,
    pub region: Region,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMassageType {
    pub code: String,
    pub label: String,
    pub hint: Option<String>,
    pub soreness_risk: SorenessRisk,
    #[serde(default)]
    pub for_baby: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLabelled {
    pub code: String,
    pub label: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub code: String,
    pub label: String,
    pub hint: Option<String>,
    #[serde(default)]
    pub local: bool,
    #[serde(default)]
    pub implies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSymptom {
    pub code: String,
    pub group: Level,
    pub label: String,
    pub hint: Option<String>,
    #[serde(default)]
    pub implies: Vec<String>,
    pub follow_up: Option<RawFollowUp>,
    #[serde(default)]
    pub note_phrases: Vec<String>,
    #[serde(default)]
    pub asked_with: Vec<String>,
    pub baby_label: Option<String>,
    pub baby_hint: Option<String>,
    /// `None`: asked of a baby (in a clinic's file: as the built-in knowledge says).
    pub asked_of_baby: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollowUp {
    pub question: String,
    pub records: String,
    pub mode: FollowUpMode,
    pub blank_counts_as_yes: bool,
}

// ------------------------------------------------------------------ triage.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageFile {
    pub disclaimer: Option<String>,
    pub note_flag: Option<String>,
    pub no_emergency_number: Option<String>,
    pub no_urgent_advice_line: Option<String>,
    pub normalise: Option<RawNormalise>,
    pub schedule: Option<RawSchedule>,
    pub usual_pain: Option<RawUsualPain>,
    pub pregnancy: Option<RawPregnancy>,
    #[serde(default)]
    pub level: Vec<Spanned<RawLevelText>>,
    #[serde(default)]
    pub rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub warning_sign: Vec<Spanned<RawWarningSign>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNormalise {
    pub fever_symptom: String,
    pub fever_at_least_c: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    pub window_start_hour: u8,
    pub window_end_hour: u8,
    pub check_in_hours: Vec<i64>,
    pub remind_after_hours: i64,
    #[serde(default)]
    pub extra: Vec<RawExtraCheckIn>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtraCheckIn {
    pub after_hours: i64,
    pub at_hours: i64,
    pub soreness_at_least: Option<u8>,
    pub excess_at_least: Option<u8>,
    #[serde(default)]
    pub fired_any: Vec<String>,
    #[serde(default)]
    pub trend_not_better: bool,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPregnancy {
    pub conditions: Vec<String>,
    pub ends_after_weeks: u8,
    pub after_birth: String,
    pub after_birth_weeks: u8,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUsualPain {
    pub soreness_at_least: u8,
    pub label: String,
    pub instruction: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevelText {
    pub code: Level,
    pub label: String,
    pub instruction: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub level: Level,
    pub when: RawWhen,
    pub client_reason: String,
    pub clinical_reason: String,
    pub advice: String,
    pub first_instruction: Option<String>,
    pub headline: Option<String>,
    pub sources: Vec<String>,
}

/// A rule condition as written (see the header of `knowledge/triage.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawWhen {
    Any(Vec<RawWhen>),
    All(Vec<RawWhen>),
    SymptomsAny(Vec<String>),
    ConditionsAny(Vec<String>),
    AreaInvolved(String),
    SorenessAtLeast(u8),
    ExcessAtLeast(u8),
    RiseAtLeast(i8),
    HoursAtLeast(f64),
    Trend(Trend),
    TemperatureAtLeastC(f64),
    TemperatureBelowC(f64),
    AgeMonthsBelow(u32),
    PregnancyWeeksAtLeast(u8),
    PregnancyWeeksUnknown(bool),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWarningSign {
    pub level: Level,
    pub text: String,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub rules: Vec<String>,
}

// ------------------------------------------------------------------ screening.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningFile {
    pub first_massage: Option<Spanned<RawFirstMassage>>,
    pub baby: Option<Spanned<RawFirstMassage>>,
    pub postpone: Option<Spanned<RawPostpone>>,
    #[serde(default)]
    pub condition: Vec<Spanned<RawScreen>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirstMassage {
    pub pressure_cap: String,
    pub note: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPostpone {
    pub see_doctor: String,
    pub rebook: String,
    pub rebook_conditions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOutcome {
    Modify,
    AvoidArea,
    Postpone,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScreen {
    pub code: String,
    pub outcome: RawOutcome,
    pub pressure_cap: Option<String>,
    #[serde(default)]
    pub region_caps: Vec<RawRegionCap>,
    #[serde(default)]
    pub avoid_regions: Vec<Region>,
    pub clearance: Option<String>,
    pub note: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionCap {
    pub region: Region,
    pub at_most: String,
}

// ------------------------------------------------------------------ recommendation.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFile {
    pub default_pressure: Option<String>,
    pub default: Option<Vec<RawTypeChoice>>,
    pub history: Option<RawHistory>,
    #[serde(default)]
    pub goal: Vec<Spanned<RawGoalTypes>>,
    #[serde(default)]
    pub condition: Vec<Spanned<RawConditionTypes>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTypeChoice {
    #[serde(rename = "type")]
    pub massage_type: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHistory {
    pub soreness_at_least: u8,
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGoalTypes {
    pub code: String,
    pub types: Vec<RawTypeChoice>,
    pub first_massage: Option<Vec<RawTypeChoice>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConditionTypes {
    pub conditions: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
    pub prefer: Option<String>,
    #[serde(default)]
    pub avoid: Vec<String>,
    pub reason: String,
}

// ------------------------------------------------------------------ plan.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    #[serde(default)]
    pub grade: Vec<Spanned<RawGrade>>,
    pub expect: Option<Spanned<RawExpect>>,
    #[serde(default)]
    pub item: Vec<Spanned<RawItem>>,
    pub baby: Option<Spanned<RawBabyPlan>>,
    pub after_birth: Option<Spanned<RawAfterBirth>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBabyPlan {
    pub summary: String,
    pub course: Vec<String>,
    pub warning_signs: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAfterBirth {
    pub warning_sign: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub code: String,
    pub label: String,
    pub meaning: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub title: String,
    pub usual: String,
    pub raised: String,
    pub general_raised: String,
    pub course: Vec<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub factor: Vec<RawFactor>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    pub code: String,
    pub text: String,
    pub general: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub text: Vec<String>,
    pub grade: Option<String>,
    pub grade_note: Option<String>,
    #[serde(default)]
    pub for_baby: bool,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub caution: Vec<RawCaution>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaution {
    pub conditions: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
    pub effect: String,
    pub text: String,
}

// ------------------------------------------------------------------ stretches.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StretchesFile {
    #[serde(default)]
    pub stretch: Vec<Spanned<RawStretch>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStretch {
    pub id: String,
    pub name: String,
    pub areas: Vec<String>,
    pub steps: Vec<String>,
    pub hold_seconds: u32,
    pub repeat: u32,
    pub per_side: bool,
    pub how_often: String,
    pub caution: Option<String>,
}

// ------------------------------------------------------------------ countries.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountriesFile {
    #[serde(default)]
    pub country: Vec<Spanned<Country>>,
}

// ------------------------------------------------------------------ sources.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    #[serde(default)]
    pub source: Vec<Spanned<Source>>,
}
