//! The intake form's fields, shared by the staff's form and the client's intake link: goals,
//! conditions with the areas of local ones, usual pain, preferred pressure and first massage,
//! turned into the intake the care engine reads and checked by it.

use care::Knowledge;
use care::screening::IntakeDoc;
use serde_json::{Value, json};

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
