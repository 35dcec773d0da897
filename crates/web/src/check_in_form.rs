//! The client's check-in form as the product asks it (care policy section 1): symptoms new or
//! worse since the massage, grouped with the most serious first, each group answered or
//! marked "none of these" so that an incomplete form never returns self-care, and the
//! follow-up questions of near-synonym symptoms applied from the knowledge base. Pure: it
//! turns form fields into a check-in body or says what is missing.

use crate::service::check_in::CheckInBody;
use care::codes::Level;
use care::knowledge::locale::Locale;
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
    /// `temperature_confirmed`: the unit the client confirmed when asked whether the value
    /// was on the other scale.
    pub temperature_confirmed: Option<String>,
    /// `note_checked`: the note was checked for warning signs and the client answered.
    pub note_checked: bool,
    /// `note_yes`: warning signs from the note the client says are happening now.
    pub note_yes: Vec<String>,
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
                "temperature_confirmed" => f.temperature_confirmed = non_empty,
                "note_checked" => f.note_checked = true,
                "note_yes" => f.note_yes.push(value),
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
    /// A temperature that looked like the other scale: the unit the client chose, asked about.
    pub scale_asked: Option<String>,
    /// What to do, in plain words.
    pub message: String,
}

/// Turns the form into a check-in body, or lists what the client still has to answer.
pub fn to_check_in(words: &Locale, form: &FormAnswers) -> Result<CheckInBody, Vec<FormProblem>> {
    let v = &words.knowledge.vocabulary;
    let mut problems = Vec::new();
    let soreness = match form.soreness.as_deref().map(str::parse::<u8>) {
        Some(Ok(n)) if n <= 10 => Some(n),
        Some(_) => {
            problems.push(FormProblem {
                group: None,
                scale_asked: None,
                message: words.word("error_soreness").to_owned(),
            });
            None
        }
        None => {
            problems.push(FormProblem {
                group: None,
                scale_asked: None,
                message: words.word("error_soreness").to_owned(),
            });
            None
        }
    };
    for group in REQUIRED_GROUPS {
        let ticked = form.symptoms.iter().any(|s| v.symptoms.by_code(s).is_some_and(|x| x.group == group));
        if !ticked && !form.none.iter().any(|n| n == group.code()) {
            problems.push(FormProblem {
                group: Some(group),
                scale_asked: None,
                message: words.word("error_group").to_owned(),
            });
        }
    }
    // Follow-up answers travel with the body: every channel applies them the same way
    // (`care::checkin::apply_follow_ups`), a blank read as the knowledge says.
    let follow_ups: std::collections::BTreeMap<String, String> =
        form.follow_ups.iter().filter(|(_, a)| !a.is_empty()).map(|(k, a)| (k.clone(), a.clone())).collect();
    // A warning sign the note mentions that the client says is happening now is ticked.
    let mut symptoms = form.symptoms.clone();
    for code in &form.note_yes {
        if v.symptoms.by_code(code).is_some_and(|s| !s.note_phrases.is_empty()) && !symptoms.contains(code) {
            symptoms.push(code.clone());
        }
    }
    let temperature_c = match form.temperature.as_deref() {
        None => None,
        Some(text) => match text.replace(',', ".").parse::<f64>() {
            Ok(t) if t.is_finite() => {
                let unit = form.temperature_unit.as_deref().unwrap_or("c");
                // A value that looks like the other scale is asked about, not refused
                // (care policy v1.2 section 2): 98.6 with °C chosen, or 37.5 with °F.
                let looks_f = unit != "f" && (86.0..=113.0).contains(&t);
                let looks_c = unit == "f" && (30.0..=45.0).contains(&t);
                if (looks_f || looks_c) && form.temperature_confirmed.as_deref() != Some(unit) {
                    let (chosen, other) = if looks_f { ("°C", "°F") } else { ("°F", "°C") };
                    problems.push(FormProblem {
                        group: None,
                        scale_asked: Some(unit.to_owned()),
                        message: words
                            .fill("error_temperature_scale", &[("value", text), ("chosen", chosen), ("other", other)]),
                    });
                    None
                } else {
                    // °F is converted explicitly and never rounded to a tenth: only the
                    // floating-point noise of the conversion is removed.
                    let c = if unit == "f" { ((t - 32.0) * 5.0 / 9.0 * 1e6).round() / 1e6 } else { t };
                    Number::from_f64(c)
                }
            }
            _ => {
                problems.push(FormProblem {
                    group: None,
                    scale_asked: None,
                    message: words.word("error_temperature_number").to_owned(),
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
            follow_ups: (!follow_ups.is_empty()).then_some(follow_ups),
        }),
        _ => Err(problems),
    }
}

/// What was wrong with an answer, in plain words for the client: never a field's code name.
pub fn plain_problems(words: &Locale, problems: &[care::InputError]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for p in problems {
        let field = p.field.rsplit('.').next().unwrap_or_default();
        let field = field.split('[').next().unwrap_or_default();
        let key = match field {
            "temperature_c" => "problem_temperature",
            "soreness" | "previous_soreness" => "problem_soreness",
            "note" => "problem_note",
            "age_months" => "problem_baby_age",
            "symptoms" | "follow_ups" => "problem_signs",
            "sore_areas" => "problem_areas",
            "trend" => "problem_trend",
            _ => "problem_other",
        };
        let text = words.word(key);
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out.join("; ")
}
