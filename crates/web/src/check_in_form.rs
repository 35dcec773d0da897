//! The client's check-in form as the product asks it (care policy section 1): symptoms new or
//! worse since the massage, grouped with the most serious first, each group answered or
//! marked "none of these" so that an incomplete form never returns self-care, and the
//! follow-up questions of near-synonym symptoms applied from the knowledge base. Pure: it
//! turns form fields into a check-in body or says what is missing.

use crate::check_in::CheckInBody;
use care::Knowledge;
use care::codes::Level;
use care::vocabulary::FollowUpMode;
use serde_json::Number;
use std::collections::HashMap;

/// The groups a client must answer (tick or "none of these"), most serious first. The
/// self-care group is optional: nothing in it raises the level.
pub const REQUIRED_GROUPS: [Level; 3] = [Level::Emergency, Level::Doctor, Level::Therapist];

/// The form fields as submitted.
#[derive(Debug, Clone, Default)]
pub struct FormAnswers {
    /// `soreness`.
    pub soreness: Option<String>,
    /// `trend`.
    pub trend: Option<String>,
    /// Every `area`.
    pub areas: Vec<String>,
    /// Every `symptom`.
    pub symptoms: Vec<String>,
    /// Every `none` (a group code whose "none of these" was ticked).
    pub none: Vec<String>,
    /// `fu_<symptom>` answers: `yes`, `no`.
    pub follow_ups: HashMap<String, String>,
    /// `temperature`.
    pub temperature: Option<String>,
    /// `temperature_unit`: `c` or `f`.
    pub temperature_unit: Option<String>,
    /// `note`.
    pub note: Option<String>,
}

impl FormAnswers {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> FormAnswers {
        let mut f = FormAnswers::default();
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.trim().to_owned();
            let non_empty = (!value.is_empty()).then(|| value.clone());
            match key.as_ref() {
                "soreness" => f.soreness = non_empty,
                "trend" => f.trend = non_empty,
                "area" => f.areas.push(value),
                "symptom" => f.symptoms.push(value),
                "none" => f.none.push(value),
                "temperature" => f.temperature = non_empty,
                "temperature_unit" => f.temperature_unit = non_empty,
                "note" => f.note = non_empty,
                k => {
                    if let Some(code) = k.strip_prefix("fu_") {
                        f.follow_ups.insert(code.to_owned(), value);
                    }
                }
            }
        }
        f
    }
}

/// A problem with the form, for one group or for the whole form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// The symptom group it concerns, if any.
    pub group: Option<Level>,
    /// What to do, in plain words.
    pub message: String,
}

/// Turns the form into a check-in body, or lists what the client still has to answer.
pub fn to_check_in(kb: &Knowledge, form: &FormAnswers) -> Result<CheckInBody, Vec<FormProblem>> {
    let v = &kb.vocabulary;
    let mut problems = Vec::new();
    let soreness = match form.soreness.as_deref().map(str::parse::<u8>) {
        Some(Ok(n)) if n <= 10 => Some(n),
        Some(_) => {
            problems.push(FormProblem { group: None, message: "Choose how sore you are, from 0 to 10.".to_owned() });
            None
        }
        None => {
            problems.push(FormProblem {
                group: None,
                message: "Choose how sore you are, from 0 to 10 (0 is not sore at all).".to_owned(),
            });
            None
        }
    };
    for group in REQUIRED_GROUPS {
        let ticked = form.symptoms.iter().any(|s| v.symptoms.by_code(s).is_some_and(|x| x.group == group));
        if !ticked && !form.none.iter().any(|n| n == group.code()) {
            problems.push(FormProblem {
                group: Some(group),
                message: "Tick any of these you have, or tick “None of these”.".to_owned(),
            });
        }
    }
    // Follow-up questions: a "yes" (or, where the knowledge says so, no answer) records the
    // more serious code; for dizziness a "yes" records light-headedness on standing instead.
    let mut symptoms: Vec<String> = form.symptoms.clone();
    for symptom in v.symptoms.entries() {
        let Some(follow_up) = &symptom.follow_up else { continue };
        let code = &symptom.code;
        let ticked = form.symptoms.contains(code);
        let answer = form.follow_ups.get(code).map(String::as_str).unwrap_or("");
        // A "yes" counts even when the symptom itself was not ticked: the question is shown
        // to everyone, and the safe reading of a yes is the serious one.
        let yes = answer == "yes" || (ticked && answer.is_empty() && follow_up.blank_counts_as_yes);
        if !yes {
            continue;
        }
        match follow_up.mode {
            FollowUpMode::Add => symptoms.push(follow_up.records.clone()),
            FollowUpMode::Instead => {
                symptoms.retain(|s| s != code);
                symptoms.push(follow_up.records.clone());
            }
        }
    }
    symptoms.sort();
    symptoms.dedup();
    let temperature_c = match form.temperature.as_deref() {
        None => None,
        Some(text) => match text.replace(',', ".").parse::<f64>() {
            Ok(t) if t.is_finite() => {
                // °F is converted explicitly, to one decimal place.
                let c = if form.temperature_unit.as_deref() == Some("f") { (t - 32.0) * 5.0 / 9.0 } else { t };
                Number::from_f64((c * 10.0).round() / 10.0)
            }
            _ => {
                problems.push(FormProblem {
                    group: None,
                    message: "Write your temperature as a number, such as 37.5.".to_owned(),
                });
                None
            }
        },
    };
    match soreness {
        Some(soreness) if problems.is_empty() => Ok(CheckInBody {
            soreness: soreness.into(),
            trend: form.trend.clone(),
            sore_areas: Some(form.areas.clone()),
            symptoms: Some(symptoms),
            temperature_c,
            note: form.note.clone(),
        }),
        _ => Err(problems),
    }
}
