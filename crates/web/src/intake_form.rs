//! The intake form's fields, shared by the staff's form and the client's intake link: goals,
//! conditions with the areas of local ones, usual pain, preferred pressure and first massage,
//! turned into the intake the care engine reads and checked by it.

use care::Knowledge;
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
pub fn choices(kb: &Knowledge, f: &[(String, String)]) -> IntakeChoices {
    let v = &kb.vocabulary;
    let chosen = |name: &str, code: &str| all(f, name).contains(&code);
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
            .map(|p| choice(&p.code, &p.label, &p.hint, one(f, "preferred_pressure") == Some(p.code.as_str())))
            .collect(),
    }
}

/// A form body as name and value pairs, values trimmed.
pub fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().map(|(k, v)| (k, v.trim().to_owned())).collect()
}

/// The first non-empty value of `name`.
pub fn one<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
}

/// Every non-empty value of `name`.
pub fn all<'a>(f: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    f.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str()).collect()
}

/// The intake (JSON, as stored) from the form's fields, or what the person must fix.
pub fn intake_answers(kb: &Knowledge, f: &[(String, String)]) -> Result<Value, String> {
    let conditions: Vec<Value> = all(f, "condition")
        .into_iter()
        .map(|code| {
            let areas = all(f, &format!("areas_{code}"));
            if areas.is_empty() { json!({"code": code}) } else { json!({"code": code, "areas": areas}) }
        })
        .collect();
    let Some(first) = one(f, "first_massage") else {
        return Err("Say whether this is the first massage ever.".to_owned());
    };
    let mut answers = json!({"goals": all(f, "goal"), "conditions": conditions, "first_massage": first == "yes"});
    if let Some(p) = one(f, "preferred_pressure") {
        answers["preferred_pressure"] = json!(p);
    }
    if let Some(n) = one(f, "usual_pain") {
        answers["usual_pain"] = n.parse::<u8>().map_or(json!(n), |x| json!(x));
    }
    serde_json::from_value::<IntakeDoc>(answers.clone())
        .map_err(|e| e.to_string())
        .and_then(|doc| doc.validate(kb).map(|_| ()).map_err(|e| e.to_string()))?;
    Ok(answers)
}
