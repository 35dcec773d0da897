//! Checks the knowledge files as written and turns them into the engine's model. Every
//! problem is collected with its file and line; nothing half-checked is ever returned.

mod condition;
mod countries;
mod overrides;
mod plan;
mod recommendation;
mod schedule;
mod screening;
mod sources;
mod stretches;
mod triage;
mod vocabulary;

pub(super) use overrides::check_override;

use super::model::{Country, Source};
use super::raw::*;
use super::{Knowledge, KnowledgeError};
use crate::codes::CodeSet;
use crate::vocabulary::{CodeTable, Coded};
use std::collections::HashSet;

/// The merged knowledge as written, file by file.
#[derive(Debug, Default)]
pub(super) struct RawKnowledge {
    pub areas: Vec<Located<RawArea>>,
    pub massage_types: Vec<Located<RawMassageType>>,
    pub pressures: Vec<Located<RawLabelled>>,
    pub goals: Vec<Located<RawLabelled>>,
    pub conditions: Vec<Located<RawCondition>>,
    pub symptoms: Vec<Located<RawSymptom>>,
    pub disclaimer: Option<Located<String>>,
    pub note_flag: Option<Located<String>>,
    pub no_emergency_number: Option<Located<String>>,
    pub no_urgent_advice_line: Option<Located<String>>,
    pub normalise: Option<Located<RawNormalise>>,
    pub schedule: Option<Located<RawSchedule>>,
    pub usual_pain: Option<Located<RawUsualPain>>,
    pub pregnancy: Option<Located<RawPregnancy>>,
    pub levels: Vec<Located<RawLevelText>>,
    pub rules: Vec<Located<RawRule>>,
    pub warning_signs: Vec<Located<RawWarningSign>>,
    pub first_massage: Option<Located<RawFirstMassage>>,
    pub baby_screening: Option<Located<RawFirstMassage>>,
    pub postpone: Option<Located<RawPostpone>>,
    pub baby_plan: Option<Located<RawBabyPlan>>,
    pub after_birth: Option<Located<RawAfterBirth>>,
    pub screening: Vec<Located<RawScreen>>,
    pub default_pressure: Option<Located<String>>,
    pub default_types: Option<Located<Vec<RawTypeChoice>>>,
    pub history: Option<Located<RawHistory>>,
    pub goal_types: Vec<Located<RawGoalTypes>>,
    pub condition_types: Vec<Located<RawConditionTypes>>,
    pub grades: Vec<Located<RawGrade>>,
    pub expect: Option<Located<RawExpect>>,
    pub items: Vec<Located<RawItem>>,
    pub stretches: Vec<Located<RawStretch>>,
    pub countries: Vec<Located<Country>>,
    pub sources: Vec<Located<Source>>,
}

/// Checks every knowledge file and builds the engine's model, or returns every problem found.
pub(super) fn compile(raw: RawKnowledge) -> Result<Knowledge, Vec<KnowledgeError>> {
    let mut p = Problems(Vec::new());
    // Sources first: everything else cites them.
    let (source_ids, source_list) = sources::sources(&mut p, &raw);
    let vocabulary = vocabulary::vocabulary(&mut p, &raw);
    let v = &vocabulary;
    let triage = triage::triage(&mut p, &raw, v, &source_ids);
    let screening = screening::screening(&mut p, &raw, v, &source_ids);
    let recommendation = recommendation::recommendation(&mut p, &raw, v, &triage.rules);
    let plan = plan::plan(&mut p, &raw, v, &source_ids);
    let stretches = stretches::stretches(&mut p, &raw, v);
    let countries = countries::countries(&mut p, &raw);

    if p.0.is_empty() {
        Ok(Knowledge {
            vocabulary,
            triage,
            screening,
            recommendation,
            plan,
            stretches,
            countries,
            sources: source_list,
        })
    } else {
        Err(p.0)
    }
}

/// Collects problems.
struct Problems(Vec<KnowledgeError>);

impl Problems {
    fn at(&mut self, origin: &Origin, problem: impl Into<String>) {
        self.0.push(KnowledgeError { file: origin.file.to_string(), line: Some(origin.line), problem: problem.into() });
    }
    fn missing(&mut self, file: &str, problem: impl Into<String>) {
        self.0.push(KnowledgeError { file: format!("knowledge/{file}"), line: None, problem: problem.into() });
    }
}

/// Whether `s` is a lower_snake_case ASCII code.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `s` is an id of letters, digits, '-' and '_'.
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Resolves codes of `table` into a set, reporting unknown ones at `origin`.
fn codes<E: Coded>(p: &mut Problems, origin: &Origin, what: &str, table: &CodeTable<E>, list: &[String]) -> CodeSet {
    let mut set = CodeSet::empty();
    for c in list {
        match table.lookup(c) {
            Some(i) => set.insert(i),
            None => p.at(origin, format!("{what} names {} `{c}`, which is not in the vocabulary", table.kind())),
        }
    }
    set
}

/// Resolves one code of `table`, reporting it at `origin` when unknown.
fn code<E: Coded>(p: &mut Problems, origin: &Origin, what: &str, table: &CodeTable<E>, c: &str) -> u8 {
    table.lookup(c).unwrap_or_else(|| {
        p.at(origin, format!("{what} names {} `{c}`, which is not in the vocabulary", table.kind()));
        0
    })
}

/// Checks that `what` cites only sources in sources.toml, and at least one when `required`.
fn cites(p: &mut Problems, origin: &Origin, what: &str, known: &HashSet<String>, list: &[String], required: bool) {
    if required && list.is_empty() {
        p.at(origin, format!("{what} cites no source"));
    }
    for s in list {
        if !known.contains(s) {
            p.at(origin, format!("{what} cites source `{s}`, which is not in sources.toml"));
        }
    }
}

/// Reports `what` when it is blank.
fn text(p: &mut Problems, origin: &Origin, what: &str, s: &str) {
    if s.trim().is_empty() {
        p.at(origin, format!("{what} is empty"));
    }
}
