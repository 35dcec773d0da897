//! The intake form's fields, shared by the staff's form and the client's intake link: goals,
//! conditions with the areas of local ones, usual pain, preferred pressure and first massage,
//! turned into the intake the care engine reads and checked by it.

use crate::extract::Fields;
use care::Knowledge;
use care::knowledge::locale::Locale;
use care::screening::IntakeDoc;
use serde_json::{Value, json};

/// A choice on the intake form (a goal, a condition, an area, a pressure).
#[derive(Debug)]
pub struct Choice {
    /// Stable code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Hint, if any.
    pub hint: Option<String>,
    /// Whether it was chosen.
    pub checked: bool,
}

/// A local condition with the areas it may affect.
#[derive(Debug)]
pub struct LocalCondition {
    /// Condition code.
    pub code: String,
    /// Condition label.
    pub label: String,
    /// The areas.
    pub areas: Vec<Choice>,
}

/// Everything the intake form offers, with what `f` already chose.
#[derive(Debug)]
pub struct IntakeChoices {
    /// Goals.
    pub goals: Vec<Choice>,
    /// Conditions.
    pub conditions: Vec<Choice>,
    /// Local conditions' areas.
    pub local: Vec<LocalCondition>,
    /// Pressures.
    pub pressures: Vec<Choice>,
}

/// The intake form's choices from the vocabulary, checked as in the submitted fields `f`.
pub fn choices(kb: &Knowledge, f: &Fields) -> IntakeChoices {
    let v = &kb.vocabulary;
    let chosen = |name: &str, code: &str| f.all(name).contains(&code);
    let choice = |code: &String, label: &String, hint: &Option<String>, checked: bool| Choice {
        code: code.clone(),
        label: label.clone(),
        hint: hint.clone(),
        checked,
    };
    IntakeChoices {
        goals: v.goals.entries().iter().map(|g| choice(&g.code, &g.label, &g.hint, chosen("goal", &g.code))).collect(),
        conditions: v
            .conditions
            .entries()
            .iter()
            .map(|c| choice(&c.code, &c.label, &c.hint, chosen("condition", &c.code)))
            .collect(),
        local: v
            .conditions
            .entries()
            .iter()
            .filter(|c| c.local)
            .map(|c| LocalCondition {
                code: c.code.clone(),
                label: c.label.clone(),
                areas: v
                    .areas
                    .entries()
                    .iter()
                    .map(|a| choice(&a.code, &a.label, &None, chosen(&format!("areas_{}", c.code), &a.code)))
                    .collect(),
            })
            .collect(),
        pressures: v
            .pressures
            .entries()
            .iter()
            .map(|p| choice(&p.code, &p.label, &p.hint, f.one("preferred_pressure") == Some(p.code.as_str())))
            .collect(),
    }
}

/// The weeks of pregnancy on `today`, from the form's weeks or its due date (a pregnancy is
/// 40 weeks to its due date), or what the person must fix. None when neither was given.
fn pregnancy_weeks(words: &Locale, f: &Fields, today: jiff::civil::Date) -> Result<Option<i64>, String> {
    let max = care::checkin::PREGNANCY_WEEKS_MAX;
    if let Some(w) = f.one("pregnancy_weeks") {
        return match w.parse::<i64>() {
            Ok(n) if (0..=max).contains(&n) => Ok(Some(n)),
            _ => Err(words.fill("error_weeks", &[("max", &max.to_string())])),
        };
    }
    let Some(due) = f.one("due_date") else { return Ok(None) };
    let Some(due) = crate::time::parse_date(due) else {
        return Err(words.word("error_due_date").to_owned());
    };
    let days_to_due = today.until(due).map_err(|e| e.to_string())?.get_days();
    let days_pregnant = 280 - i64::from(days_to_due);
    if !(0..=max * 7).contains(&days_pregnant) {
        return Err(words.word("error_due_date_range").to_owned());
    }
    Ok(Some(days_pregnant / 7))
}

/// The intake (JSON, as stored) from the form's fields, or what the person must fix. The
/// weeks of pregnancy are stored as they stand on `today`, the intake's date, from which each
/// check-in counts them on.
pub fn intake_answers(words: &Locale, f: &Fields, today: jiff::civil::Date) -> Result<Value, String> {
    let kb = &words.knowledge;
    let conditions: Vec<Value> = f
        .all("condition")
        .into_iter()
        .map(|code| {
            let areas = f.all(&format!("areas_{code}"));
            if areas.is_empty() { json!({"code": code}) } else { json!({"code": code, "areas": areas}) }
        })
        .collect();
    let Some(first) = f.one("first_massage") else {
        return Err(words.word("error_first_massage").to_owned());
    };
    let mut answers = json!({"goals": f.all("goal"), "conditions": conditions, "first_massage": first == "yes"});
    if let Some(p) = f.one("preferred_pressure") {
        answers["preferred_pressure"] = json!(p);
    }
    if let Some(n) = f.one("usual_pain") {
        answers["usual_pain"] = n.parse::<u8>().map_or(json!(n), |x| json!(x));
    }
    if let Some(weeks) = pregnancy_weeks(words, f, today)? {
        if !f.all("condition").iter().any(|c| care::checkin::is_pregnancy(kb, c)) {
            return Err(words.word("error_weeks_not_pregnant").to_owned());
        }
        answers["pregnancy_weeks"] = json!(weeks);
    }
    serde_json::from_value::<IntakeDoc>(answers.clone())
        .map_err(|e| e.to_string())
        .and_then(|doc| doc.validate(kb).map(|_| ()).map_err(|e| e.to_string()))?;
    Ok(answers)
}
