//! The clinical knowledge base: the TOML files under `knowledge/`, embedded in the binary,
//! checked when loaded, and optionally overridden by a clinic's own directory.
//!
//! Loading takes file contents, not paths: the engine does no IO. The command line reads a
//! clinic's directory and hands its files here.

pub mod compile;
pub mod locale;
pub mod model;
pub mod raw;

use compile::RawKnowledge;
use model::*;
use raw::*;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;

use crate::vocabulary::Vocabulary;

/// The names of the knowledge files, in the order they are read.
pub const FILE_NAMES: [&str; 8] = [
    "sources.toml",
    "vocabulary.toml",
    "triage.toml",
    "screening.toml",
    "recommendation.toml",
    "plan.toml",
    "stretches.toml",
    "countries.toml",
];

macro_rules! builtin_file {
    ($name:literal) => {
        ($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge/", $name)))
    };
}

/// The built-in knowledge files, embedded at build time.
pub const BUILTIN: [(&str, &str); 8] = [
    builtin_file!("sources.toml"),
    builtin_file!("vocabulary.toml"),
    builtin_file!("triage.toml"),
    builtin_file!("screening.toml"),
    builtin_file!("recommendation.toml"),
    builtin_file!("plan.toml"),
    builtin_file!("stretches.toml"),
    builtin_file!("countries.toml"),
];

/// One knowledge file handed to the loader.
#[derive(Debug, Clone)]
pub struct KnowledgeFile {
    /// The file name, one of [`FILE_NAMES`].
    pub name: String,
    /// How to name the file in messages (its path).
    pub display: String,
    /// Its contents.
    pub text: String,
}

/// A problem in the knowledge files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeError {
    /// The file.
    pub file: String,
    /// The 1-based line, when the problem is at one place.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.problem),
            None => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

/// Every problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeErrors(pub Vec<KnowledgeError>);

impl fmt::Display for KnowledgeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::input::write_lines(f, &self.0)
    }
}

impl std::error::Error for KnowledgeErrors {}

/// The loaded, checked knowledge.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// Every code and its label.
    pub vocabulary: Vocabulary,
    /// Levels, rules and warning signs.
    pub triage: TriageKnowledge,
    /// Intake screening.
    pub screening: ScreeningKnowledge,
    /// Massage type and pressure recommendation.
    pub recommendation: RecommendationKnowledge,
    /// The aftercare plan.
    pub plan: PlanKnowledge,
    /// The stretch library.
    pub stretches: Vec<Stretch>,
    /// Emergency numbers.
    pub countries: Vec<Country>,
    /// Every source.
    pub sources: Vec<Source>,
}

impl Knowledge {
    /// The built-in knowledge.
    ///
    /// # Errors
    /// Only if the embedded files are invalid, which the test suite rules out.
    pub fn builtin() -> Result<Knowledge, KnowledgeErrors> {
        Self::load(&builtin_files(), &[])
    }

    /// The built-in knowledge with a clinic's files layered on top.
    ///
    /// # Errors
    /// Every problem in the files, each with file, line and what is wrong; and any override
    /// that would lower or remove an emergency or doctor rule.
    pub fn with_overrides(overrides: &[KnowledgeFile]) -> Result<Knowledge, KnowledgeErrors> {
        Self::load(&builtin_files(), overrides)
    }

    /// A complete knowledge base from `base`, with `overrides` layered on top.
    ///
    /// # Errors
    /// As [`Knowledge::with_overrides`].
    pub fn load(base: &[KnowledgeFile], overrides: &[KnowledgeFile]) -> Result<Knowledge, KnowledgeErrors> {
        let mut errors = Vec::new();
        let base_raw = parse_all(base, &mut errors, false);
        if !errors.is_empty() {
            return Err(KnowledgeErrors(errors));
        }
        let base_knowledge = compile::compile(base_raw).map_err(KnowledgeErrors)?;
        if overrides.is_empty() {
            return Ok(base_knowledge);
        }
        let mut merged = parse_all(base, &mut errors, false);
        let over = parse_all(overrides, &mut errors, true);
        merge(&mut merged, over, &mut errors);
        if !errors.is_empty() {
            return Err(KnowledgeErrors(errors));
        }
        let knowledge = compile::compile(merged).map_err(KnowledgeErrors)?;
        let problems = compile::check_override(&base_knowledge, &knowledge);
        if problems.is_empty() { Ok(knowledge) } else { Err(KnowledgeErrors(problems)) }
    }

    /// The source with `id`.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The country with ISO code `code` (any case).
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.iter().find(|c| c.code.eq_ignore_ascii_case(code))
    }
}

/// The built-in files, as loader input.
pub fn builtin_files() -> Vec<KnowledgeFile> {
    BUILTIN
        .iter()
        .map(|(name, text)| KnowledgeFile {
            name: (*name).to_owned(),
            display: format!("knowledge/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

fn parse<T: DeserializeOwned + Default>(file: &KnowledgeFile, errors: &mut Vec<KnowledgeError>) -> T {
    toml::from_str(&file.text).unwrap_or_else(|e: toml::de::Error| {
        let line = e.span().map(|s| line_of(&file.text, s.start));
        errors.push(KnowledgeError { file: file.display.clone(), line, problem: e.message().trim().to_owned() });
        T::default()
    })
}

fn parse_all(files: &[KnowledgeFile], errors: &mut Vec<KnowledgeError>, partial: bool) -> RawKnowledge {
    let mut raw = RawKnowledge::default();
    for file in files {
        if !FILE_NAMES.contains(&file.name.as_str()) {
            errors.push(KnowledgeError {
                file: file.display.clone(),
                line: None,
                problem: format!("is not a knowledge file; the files are {}", FILE_NAMES.join(", ")),
            });
            continue;
        }
        let name: Arc<str> = Arc::from(file.display.as_str());
        let text = file.text.as_str();
        let whole = |line: usize| Origin { file: name.clone(), line };
        match file.name.as_str() {
            "sources.toml" => {
                let f: SourcesFile = parse(file, errors);
                raw.sources = locate(&name, text, f.source);
            }
            "vocabulary.toml" => {
                let f: VocabularyFile = parse(file, errors);
                raw.areas = locate(&name, text, f.area);
                raw.massage_types = locate(&name, text, f.massage_type);
                raw.pressures = locate(&name, text, f.pressure);
                raw.goals = locate(&name, text, f.goal);
                raw.conditions = locate(&name, text, f.condition);
                raw.symptoms = locate(&name, text, f.symptom);
            }
            "triage.toml" => {
                let f: TriageFile = parse(file, errors);
                raw.disclaimer = f.disclaimer.map(|value| Located { origin: whole(1), value });
                raw.note_flag = f.note_flag.map(|value| Located { origin: whole(1), value });
                raw.no_emergency_number = f.no_emergency_number.map(|value| Located { origin: whole(1), value });
                raw.no_urgent_advice_line = f.no_urgent_advice_line.map(|value| Located { origin: whole(1), value });
                raw.normalise = f.normalise.map(|value| Located { origin: whole(1), value });
                raw.schedule = f.schedule.map(|value| Located { origin: whole(1), value });
                raw.usual_pain = f.usual_pain.map(|value| Located { origin: whole(1), value });
                raw.pregnancy = f.pregnancy.map(|value| Located { origin: whole(1), value });
                raw.levels = locate(&name, text, f.level);
                raw.rules = locate(&name, text, f.rule);
                raw.warning_signs = locate(&name, text, f.warning_sign);
            }
            "screening.toml" => {
                let f: ScreeningFile = parse(file, errors);
                raw.first_massage = f.first_massage.map(|s| locate(&name, text, vec![s]).remove(0));
                raw.baby_screening = f.baby.map(|s| locate(&name, text, vec![s]).remove(0));
                raw.postpone = f.postpone.map(|s| locate(&name, text, vec![s]).remove(0));
                raw.screening = locate(&name, text, f.condition);
            }
            "recommendation.toml" => {
                let f: RecommendationFile = parse(file, errors);
                raw.default_pressure = f.default_pressure.map(|value| Located { origin: whole(1), value });
                raw.default_types = f.default.map(|value| Located { origin: whole(1), value });
                raw.history = f.history.map(|value| Located { origin: whole(1), value });
                raw.goal_types = locate(&name, text, f.goal);
                raw.condition_types = locate(&name, text, f.condition);
            }
            "plan.toml" => {
                let f: PlanFile = parse(file, errors);
                raw.grades = locate(&name, text, f.grade);
                raw.expect = f.expect.map(|s| locate(&name, text, vec![s]).remove(0));
                raw.items = locate(&name, text, f.item);
                raw.baby_plan = f.baby.map(|s| locate(&name, text, vec![s]).remove(0));
                raw.after_birth = f.after_birth.map(|s| locate(&name, text, vec![s]).remove(0));
            }
            "stretches.toml" => {
                let f: StretchesFile = parse(file, errors);
                raw.stretches = locate(&name, text, f.stretch);
            }
            "countries.toml" => {
                let f: CountriesFile = parse(file, errors);
                raw.countries = locate(&name, text, f.country);
            }
            _ => {}
        }
    }
    if !partial {
        for name in FILE_NAMES {
            if !files.iter().any(|f| f.name == name) {
                errors.push(KnowledgeError {
                    file: format!("knowledge/{name}"),
                    line: None,
                    problem: "is missing".to_owned(),
                });
            }
        }
    }
    raw
}

/// Replaces entries with the same key and appends new ones.
fn merge_by<T>(base: &mut Vec<Located<T>>, over: Vec<Located<T>>, key: impl Fn(&T) -> String) {
    for o in over {
        let k = key(&o.value);
        match base.iter_mut().find(|b| key(&b.value) == k) {
            Some(b) => *b = o,
            None => base.push(o),
        }
    }
}

/// Vocabulary overrides may reword a code, never add one or change what it means.
fn merge_vocabulary<T: Clone + PartialEq>(
    base: &mut [Located<T>],
    over: Vec<Located<T>>,
    code: impl Fn(&T) -> &str,
    reworded: impl Fn(&T, &T) -> T,
    errors: &mut Vec<KnowledgeError>,
) {
    for o in over {
        let c = code(&o.value).to_owned();
        match base.iter_mut().find(|b| code(&b.value) == c) {
            Some(b) if reworded(&b.value, &o.value) == o.value => *b = o,
            Some(_) => errors.push(KnowledgeError {
                file: o.origin.file.to_string(),
                line: Some(o.origin.line),
                problem: format!("`{c}`: a clinic may change only the label and hint of a vocabulary code"),
            }),
            None => errors.push(KnowledgeError {
                file: o.origin.file.to_string(),
                line: Some(o.origin.line),
                problem: format!("`{c}` is not in the built-in vocabulary; a clinic may reword codes but not add them"),
            }),
        }
    }
}

/// A table a clinic's file gives replaces the built-in one; one it leaves out keeps it.
fn replace<T>(base: &mut Option<T>, over: Option<T>) {
    if over.is_some() {
        *base = over;
    }
}

fn merge(base: &mut RawKnowledge, over: RawKnowledge, errors: &mut Vec<KnowledgeError>) {
    macro_rules! reword {
        ($t:ty) => {
            |b: &$t, o: &$t| {
                let mut r = b.clone();
                r.label = o.label.clone();
                r.hint = o.hint.clone();
                r
            }
        };
    }
    merge_vocabulary(&mut base.areas, over.areas, |r| &r.code, reword!(RawArea), errors);
    merge_vocabulary(&mut base.massage_types, over.massage_types, |r| &r.code, reword!(RawMassageType), errors);
    merge_vocabulary(&mut base.pressures, over.pressures, |r| &r.code, reword!(RawLabelled), errors);
    merge_vocabulary(&mut base.goals, over.goals, |r| &r.code, reword!(RawLabelled), errors);
    merge_vocabulary(&mut base.conditions, over.conditions, |r| &r.code, reword!(RawCondition), errors);
    // A clinic may add note phrases, never remove them: its list adds to the built-in one.
    let mut over_symptoms = over.symptoms;
    for o in &mut over_symptoms {
        if let Some(b) = base.symptoms.iter().find(|b| b.value.code == o.value.code) {
            // What a clinic's file leaves out of a baby's wording is the built-in one's.
            if o.value.asked_of_baby.is_none() {
                o.value.asked_of_baby = b.value.asked_of_baby;
            }
            if o.value.baby_label.is_none() {
                o.value.baby_label = b.value.baby_label.clone();
                o.value.baby_hint = b.value.baby_hint.clone();
            }
            let mut phrases = b.value.note_phrases.clone();
            phrases.extend(o.value.note_phrases.iter().filter(|p| !b.value.note_phrases.contains(p)).cloned());
            o.value.note_phrases = phrases;
        }
    }
    merge_vocabulary(
        &mut base.symptoms,
        over_symptoms,
        |r| &r.code,
        |b: &RawSymptom, o: &RawSymptom| {
            let mut r = b.clone();
            r.label = o.label.clone();
            r.hint = o.hint.clone();
            // A clinic may reword a baby's sign; whether it is asked of a baby stays.
            r.baby_label = o.baby_label.clone();
            r.baby_hint = o.baby_hint.clone();
            if let (Some(rf), Some(of)) = (r.follow_up.as_mut(), o.follow_up.as_ref()) {
                rf.question = of.question.clone();
            }
            r.note_phrases = o.note_phrases.clone();
            r
        },
        errors,
    );
    replace(&mut base.disclaimer, over.disclaimer);
    replace(&mut base.note_flag, over.note_flag);
    replace(&mut base.no_emergency_number, over.no_emergency_number);
    replace(&mut base.no_urgent_advice_line, over.no_urgent_advice_line);
    replace(&mut base.normalise, over.normalise);
    replace(&mut base.schedule, over.schedule);
    replace(&mut base.usual_pain, over.usual_pain);
    replace(&mut base.pregnancy, over.pregnancy);
    merge_by(&mut base.levels, over.levels, |l| l.code.code().to_owned());
    merge_by(&mut base.rules, over.rules, |r| r.id.clone());
    base.warning_signs.extend(over.warning_signs);
    replace(&mut base.first_massage, over.first_massage);
    replace(&mut base.baby_screening, over.baby_screening);
    replace(&mut base.postpone, over.postpone);
    replace(&mut base.baby_plan, over.baby_plan);
    replace(&mut base.after_birth, over.after_birth);
    merge_by(&mut base.screening, over.screening, |s| s.code.clone());
    replace(&mut base.default_pressure, over.default_pressure);
    replace(&mut base.default_types, over.default_types);
    replace(&mut base.history, over.history);
    merge_by(&mut base.goal_types, over.goal_types, |g| g.code.clone());
    base.condition_types.extend(over.condition_types);
    merge_by(&mut base.grades, over.grades, |g| g.code.clone());
    replace(&mut base.expect, over.expect);
    merge_by(&mut base.items, over.items, |i| i.id.clone());
    merge_by(&mut base.stretches, over.stretches, |s| s.id.clone());
    merge_by(&mut base.countries, over.countries, |c| c.code.clone());
    merge_by(&mut base.sources, over.sources, |s| s.id.clone());
}
