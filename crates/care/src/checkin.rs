//! The engine's inputs about a session, a client and a check-in report, in the JSON format of
//! care policy section 2, and their validation into plain values the engine can trust.
//!
//! Documents (`*Doc`) are what arrives; [`Session`], [`Client`], [`Report`] and [`CheckIn`]
//! exist only once every field is known to be valid. An unknown field, an unknown code or a
//! number out of range is an [`InputError`] that names the field and what is allowed.

use crate::codes::{CodeSet, Trend};
use crate::input::{InputError, InputErrors, number_in, whole_number};
use crate::knowledge::Knowledge;
use crate::vocabulary::Vocabulary;
use serde::Deserialize;
use serde_json::Number;
use std::collections::BTreeMap;

/// The longest note a client may write, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;
/// The longest time after a session a check-in may report (a year), in hours.
pub const HOURS_SINCE_MAX: f64 = 8760.0;
/// The oldest age accepted, in months (130 years).
pub const AGE_MONTHS_MAX: i64 = 1560;
/// The longest pregnancy accepted, in weeks.
pub const PREGNANCY_WEEKS_MAX: i64 = 45;
/// Temperatures accepted, in °C (care policy v1.2 section 2): anything else is refused,
/// never dropped, and a value inside is used as given, never rounded.
pub const TEMPERATURE_C: (f64, f64) = (30.0, 45.0);
/// A baby's age is below this, in completed months: 36 months or more is not a baby.
pub const BABY_AGE_MONTHS_BELOW: i64 = 36;

/// A session as it arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionDoc {
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// Areas worked.
    pub areas: Vec<String>,
    /// The client's first massage ever.
    #[serde(default)]
    pub first_massage: Option<bool>,
    /// Hard exercise just before the massage.
    #[serde(default)]
    pub hard_exercise_before: Option<bool>,
}

/// A client as it arrives with a check-in or a plan request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientDoc {
    /// Condition codes.
    #[serde(default)]
    pub conditions: Option<Vec<String>>,
    /// Age in completed months.
    #[serde(default)]
    pub age_months: Option<Number>,
    /// Usual pain 0-10 in the worked areas.
    #[serde(default)]
    pub usual_pain: Option<Number>,
    /// Weeks of pregnancy.
    #[serde(default)]
    pub pregnancy_weeks: Option<Number>,
}

/// A check-in report as it arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDoc {
    /// Hours since the session ended.
    pub hours_since: Number,
    /// Soreness 0-10.
    pub soreness: Number,
    /// The lowest earlier soreness for this session.
    #[serde(default)]
    pub previous_soreness: Option<Number>,
    /// better, same or worse.
    #[serde(default)]
    pub trend: Option<String>,
    /// Areas that are sore.
    #[serde(default)]
    pub sore_areas: Option<Vec<String>>,
    /// Symptoms new or worse since the massage; `[]` means "none of these".
    pub symptoms: Vec<String>,
    /// Temperature in °C.
    #[serde(default)]
    pub temperature_c: Option<Number>,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// A whole check-in as it arrives (care policy section 2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInDoc {
    /// The session.
    pub session: SessionDoc,
    /// The client.
    #[serde(default)]
    pub client: ClientDoc,
    /// The report.
    pub report: ReportDoc,
}

/// A valid session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Massage type index.
    pub massage_type: u8,
    /// Pressure index (0 is lightest).
    pub pressure: u8,
    /// Areas worked.
    pub areas: CodeSet,
    /// The client's first massage ever.
    pub first_massage: bool,
    /// Hard exercise just before.
    pub hard_exercise_before: bool,
}

/// A valid client.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Client {
    /// Conditions as given (implied ones are added by the engine).
    pub conditions: CodeSet,
    /// Age in completed months.
    pub age_months: Option<u32>,
    /// Usual pain 0-10 (0 when not given).
    pub usual_pain: u8,
    /// Weeks of pregnancy.
    pub pregnancy_weeks: Option<u8>,
}

/// A valid report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Hours since the session ended.
    pub hours_since: f64,
    /// Soreness 0-10.
    pub soreness: u8,
    /// The lowest earlier soreness.
    pub previous_soreness: Option<u8>,
    /// The client's trend.
    pub trend: Option<Trend>,
    /// Sore areas.
    pub sore_areas: CodeSet,
    /// Symptoms as ticked.
    pub symptoms: CodeSet,
    /// Temperature in °C.
    pub temperature_c: Option<f64>,
    /// Free text.
    pub note: Option<String>,
}

/// A valid check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    /// The session.
    pub session: Session,
    /// The client.
    pub client: Client,
    /// The report.
    pub report: Report,
}

impl SessionDoc {
    /// Validates the session against the vocabulary.
    pub fn validate(&self, v: &Vocabulary, field: &str, errors: &mut Vec<InputError>) -> Option<Session> {
        let massage_type = v.massage_types.resolve(&format!("{field}.massage_type"), &self.massage_type);
        let pressure = v.pressures.resolve(&format!("{field}.pressure"), &self.pressure);
        let areas = Vocabulary::resolve_set(&v.areas, &format!("{field}.areas"), &self.areas, errors);
        let (massage_type, pressure) = collect2(massage_type, pressure, errors)?;
        Some(Session {
            massage_type,
            pressure,
            areas,
            first_massage: self.first_massage.unwrap_or(false),
            hard_exercise_before: self.hard_exercise_before.unwrap_or(false),
        })
    }
}

impl ClientDoc {
    /// Validates the client against the vocabulary.
    pub fn validate(&self, v: &Vocabulary, field: &str, errors: &mut Vec<InputError>) -> Client {
        let conditions = Vocabulary::resolve_set(
            &v.conditions,
            &format!("{field}.conditions"),
            self.conditions.as_deref().unwrap_or_default(),
            errors,
        );
        let mut whole = |name: &str, n: &Option<Number>, max: i64| {
            n.as_ref()
                .and_then(|n| whole_number(&format!("{field}.{name}"), n, 0, max).map_err(|e| errors.push(e)).ok())
        };
        let age_months = whole("age_months", &self.age_months, AGE_MONTHS_MAX).map(|n| n as u32);
        let usual_pain = whole("usual_pain", &self.usual_pain, 10).map_or(0, |n| n as u8);
        let pregnancy_weeks = whole("pregnancy_weeks", &self.pregnancy_weeks, PREGNANCY_WEEKS_MAX).map(|n| n as u8);
        Client { conditions, age_months, usual_pain, pregnancy_weeks }
    }
}

impl ReportDoc {
    /// Validates the report against the vocabulary.
    pub fn validate(&self, v: &Vocabulary, field: &str, errors: &mut Vec<InputError>) -> Option<Report> {
        let f = |name: &str| format!("{field}.{name}");
        let hours_since = number_in(&f("hours_since"), &self.hours_since, 0.0, HOURS_SINCE_MAX);
        let soreness = whole_number(&f("soreness"), &self.soreness, 0, 10);
        let previous_soreness = self
            .previous_soreness
            .as_ref()
            .and_then(|n| whole_number(&f("previous_soreness"), n, 0, 10).map_err(|e| errors.push(e)).ok())
            .map(|n| n as u8);
        let trend = self.trend.as_deref().and_then(|t| {
            Trend::from_code(t)
                .ok_or_else(|| {
                    InputError::new(
                        f("trend"),
                        format!("`{t}` is not a known trend; allowed: better, same, worse, or null"),
                    )
                })
                .map_err(|e| errors.push(e))
                .ok()
        });
        let sore_areas =
            Vocabulary::resolve_set(&v.areas, &f("sore_areas"), self.sore_areas.as_deref().unwrap_or_default(), errors);
        let symptoms = Vocabulary::resolve_set(&v.symptoms, &f("symptoms"), &self.symptoms, errors);
        let temperature_c = self.temperature_c.as_ref().and_then(|n| {
            number_in(&f("temperature_c"), n, TEMPERATURE_C.0, TEMPERATURE_C.1).map_err(|e| errors.push(e)).ok()
        });
        if let Some(note) = &self.note {
            let chars = note.chars().count();
            if chars > NOTE_MAX_CHARS {
                errors.push(InputError::new(
                    f("note"),
                    format!("is {chars} characters long; allowed: at most {NOTE_MAX_CHARS}"),
                ));
            }
        }
        let (hours_since, soreness) = collect2(hours_since, soreness, errors)?;
        Some(Report {
            hours_since,
            soreness: soreness as u8,
            previous_soreness,
            trend,
            sore_areas,
            symptoms,
            temperature_c,
            note: self.note.clone(),
        })
    }
}

impl CheckInDoc {
    /// Validates the whole check-in, reporting every problem found.
    ///
    /// # Errors
    /// Every invalid field, each named with its path.
    pub fn validate(&self, kb: &Knowledge) -> Result<CheckIn, InputErrors> {
        let v = &kb.vocabulary;
        let mut errors = Vec::new();
        let session = self.session.validate(v, "session", &mut errors);
        let client = self.client.validate(v, "client", &mut errors);
        let report = self.report.validate(v, "report", &mut errors);
        if let Some(s) = &session {
            // For a baby's session the age is the baby's: 0 to 35 months. Left out, it is
            // unknown, and triage reads it as under 3 months (the safe default).
            let t = v.massage_types.get(s.massage_type);
            if t.for_baby && client.age_months.is_some_and(|a| i64::from(a) >= BABY_AGE_MONTHS_BELOW) {
                errors.push(InputError::new(
                    "client.age_months",
                    format!(
                        "is {} months: for a baby's session (`{}`) it is the baby's age in completed months, from 0 to {}",
                        client.age_months.unwrap_or_default(),
                        t.code,
                        BABY_AGE_MONTHS_BELOW - 1
                    ),
                ));
            }
        }
        match (session, report) {
            (Some(session), Some(report)) if errors.is_empty() => Ok(CheckIn { session, client, report }),
            _ => Err(InputErrors(errors)),
        }
    }
}

/// Parses and validates a check-in in the JSON format of care policy section 2.
///
/// # Errors
/// Malformed JSON, a missing or unknown field, an unknown code, a number out of range.
pub fn parse_check_in(kb: &Knowledge, json: &str) -> Result<CheckIn, InputErrors> {
    let doc: CheckInDoc = crate::input::from_json(json)?;
    doc.validate(kb)
}

fn collect2<A, B>(a: Result<A, InputError>, b: Result<B, InputError>, errors: &mut Vec<InputError>) -> Option<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Some((a, b)),
        (a, b) => {
            errors.extend(a.err());
            errors.extend(b.err());
            None
        }
    }
}

/// What a follow-up answer may be.
pub const FOLLOW_UP_ANSWERS: [&str; 2] = ["yes", "no"];

/// Applies the answers to the follow-up questions of near-synonym symptoms (care policy v1.2
/// section 1) to the ticked symptom codes, as every channel that asks a client must: a "yes"
/// records the serious code (for dizziness, light-headedness on standing instead); a symptom
/// ticked with its question unanswered is read as the knowledge says (the serious code for
/// headache, numbness and muscle weakness). A "yes" counts even when the symptom itself was
/// not ticked: the safe reading of a yes is the serious one. The answers are keyed by the
/// symptom code; `field` names them in errors (`follow_ups`).
///
/// # Errors
/// An answer for a symptom with no follow-up question, or an answer other than yes or no.
pub fn apply_follow_ups(
    kb: &Knowledge,
    symptoms: &[String],
    answers: &BTreeMap<String, String>,
    field: &str,
) -> Result<Vec<String>, Vec<InputError>> {
    let v = &kb.vocabulary;
    let mut errors = Vec::new();
    for (code, answer) in answers {
        let answer = answer.trim();
        let asks = v.symptoms.by_code(code).is_some_and(|s| s.follow_up.is_some());
        if !asks {
            let with: Vec<&str> =
                v.symptoms.entries().iter().filter(|s| s.follow_up.is_some()).map(|s| s.code.as_str()).collect();
            errors.push(InputError::new(
                format!("{field}.{code}"),
                format!("`{code}` has no follow-up question; allowed: {}", with.join(", ")),
            ));
        } else if !answer.is_empty() && !FOLLOW_UP_ANSWERS.contains(&answer) {
            errors.push(InputError::new(
                format!("{field}.{code}"),
                format!("`{answer}` is not allowed; allowed: yes, no"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<String> = symptoms.to_vec();
    for symptom in v.symptoms.entries() {
        let Some(follow_up) = &symptom.follow_up else { continue };
        let code = symptom.code.as_str();
        let ticked = symptoms.iter().any(|s| s == code);
        let answer = answers.get(code).map_or("", |a| a.trim());
        let yes = answer == "yes" || (ticked && answer.is_empty() && follow_up.blank_counts_as_yes);
        if !yes {
            continue;
        }
        match follow_up.mode {
            crate::vocabulary::FollowUpMode::Add => out.push(follow_up.records.clone()),
            crate::vocabulary::FollowUpMode::Instead => {
                out.retain(|s| s != code);
                out.push(follow_up.records.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A client's conditions and weeks of pregnancy as they stand `days_since` days after they
/// were recorded (care policy v1.2 section 2): recorded weeks are counted on, never reused as
/// if they were today's. Whole weeks recorded may stand for any day of that week, so each
/// estimate leans to the safe side: the weeks triage reads count the recorded week as nearly
/// over (a rule from 20 weeks fires no later than it should), while the pregnancy ends only
/// `ends_after_weeks` after the latest start the record allows (so it never stops counting
/// early); with no weeks recorded, the record ends that many weeks after it was made. The
/// after-birth condition ends `after_birth_weeks` after it was recorded. Codes the vocabulary
/// does not know are kept, for validation to name.
pub fn conditions_at(
    kb: &Knowledge,
    conditions: &[String],
    recorded_weeks: Option<i64>,
    days_since: i64,
) -> (Vec<String>, Option<i64>) {
    let rules = &kb.triage.pregnancy;
    let v = &kb.vocabulary;
    let is = |code: &str, set: CodeSet| v.conditions.lookup(code).is_some_and(|i| set.contains(i));
    let days_since = days_since.max(0);
    let fewest_days = recorded_weeks.map_or(days_since, |w| w * 7 + days_since);
    let over = fewest_days >= i64::from(rules.ends_after_weeks) * 7;
    let birth_over = days_since >= i64::from(rules.after_birth_weeks) * 7;
    let after_birth = v.conditions.get(rules.after_birth).code.as_str();
    let kept: Vec<String> = conditions
        .iter()
        .filter(|c| {
            let ended = (over && is(c, rules.conditions)) || (birth_over && c.as_str() == after_birth);
            !ended
        })
        .cloned()
        .collect();
    let pregnant = kept.iter().any(|c| is(c, rules.conditions));
    let weeks = recorded_weeks.map(|w| (w * 7 + 6 + days_since) / 7);
    (kept, weeks.filter(|w| pregnant && *w <= PREGNANCY_WEEKS_MAX))
}

/// Whether `code` is one of the conditions that are a pregnancy (not the weeks after birth).
pub fn is_pregnancy(kb: &Knowledge, code: &str) -> bool {
    kb.vocabulary.conditions.lookup(code).is_some_and(|i| kb.triage.pregnancy.conditions.contains(i))
}
