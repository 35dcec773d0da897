//! What a client said in a check-in, in plain words for the staff who act on it: soreness,
//! trend, sore areas and each symptom by its label, the temperature in °C and °F, the note,
//! how long after the session; and why the answer was sorted as it was (each rule's clinical
//! reason and what the client was told, with the rule's id small beside it).

use crate::service::check_in::StoredReport;
use care::{Knowledge, Level};

/// A rule that fired, as staff read it.
#[derive(Debug, Clone)]
pub struct RuleLine {
    /// The rule's id, shown small.
    pub id: String,
    /// Its level.
    pub level: Level,
    /// The clinical reason.
    pub reason: String,
    /// What the client was told to do.
    pub told: String,
}

/// A check-in's answer in plain words.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// "6 out of 10", or that it could not be read.
    pub soreness: String,
    /// Since the last check-in: "better", "about the same" or "worse".
    pub trend: Option<&'static str>,
    /// The sore areas, by label.
    pub areas: Vec<String>,
    /// The symptoms new or worse since the massage, by label; empty for none of these.
    pub symptoms: Vec<String>,
    /// The temperature in °C and °F.
    pub temperature: Option<String>,
    /// The note, as written.
    pub note: Option<String>,
    /// How long after the session it was sent, such as "26 h after the session".
    pub after: String,
    /// Why it was sorted as it was.
    pub rules: Vec<RuleLine>,
    /// What staff must know first: an answer that could not be read, warning signs in the
    /// note, a baby's age that was unknown.
    pub notices: Vec<String>,
}

/// A temperature in °C as staff read it, with °F beside it.
pub fn temperature(celsius: f64) -> String {
    format!("{celsius:.1} °C ({:.1} °F)", celsius * 9.0 / 5.0 + 32.0)
}

impl Answer {
    /// The answer of check-in `c` in plain words.
    pub fn of(kb: &Knowledge, c: &store::CheckIn) -> Answer {
        let report = StoredReport::read(&c.report);
        let v = &kb.vocabulary;
        let area = |code: &String| v.areas.by_code(code).map_or_else(|| code.clone(), |a| a.label.to_lowercase());
        let symptom = |code: &String| v.symptoms.by_code(code).map_or_else(|| code.clone(), |s| s.label.clone());
        let rules = c
            .fired
            .iter()
            .filter_map(|id| kb.triage.rules.iter().find(|r| &r.id == id))
            .map(|r| RuleLine {
                id: r.id.clone(),
                level: r.level,
                reason: r.clinical_reason.clone(),
                told: r.advice.clone(),
            })
            .collect();
        Answer {
            soreness: match c.soreness {
                Some(s) => format!("{s} out of 10"),
                None => "could not be read".to_owned(),
            },
            trend: match report.trend.as_deref() {
                Some("better") => Some("better"),
                Some("same") => Some("about the same"),
                Some("worse") => Some("worse"),
                _ => None,
            },
            areas: report.sore_areas.iter().flatten().map(area).collect(),
            symptoms: report.symptoms.iter().map(symptom).collect(),
            temperature: report.temperature_c.as_ref().and_then(serde_json::Number::as_f64).map(temperature),
            note: report.note().map(str::to_owned),
            after: format!("{:.0} h after the session", c.hours_since.floor()),
            rules,
            notices: notices(kb, c, &report),
        }
    }
}

/// What staff must know of a check-in before its rules, in plain words (care policy v1.2):
/// an answer that could not be read (with what was wrong), the warning signs its note
/// mentions, and a baby's age that was unknown and read as under 3 months.
pub fn notices(kb: &Knowledge, c: &store::CheckIn, report: &StoredReport) -> Vec<String> {
    let mut out = Vec::new();
    if !c.triaged {
        out.push(format!(
            "This answer could not be read, so it was not sorted: {}. Read it as sent and contact the client.",
            c.problems.join("; ")
        ));
    }
    for flag in report.note_flags.iter().flatten() {
        let label = kb.vocabulary.symptoms.by_code(&flag.code).map_or(flag.code.as_str(), |s| s.label.as_str());
        out.push(format!(
            "The note mentions a warning sign: {label} (“{}”), not ticked as happening now.",
            flag.phrase
        ));
    }
    if report.baby_age_unknown == Some(true) {
        out.push("The baby's age was unknown (no date of birth on the session): read as under 3 months.".to_owned());
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_show_both_scales() {
        assert_eq!(temperature(38.0), "38.0 °C (100.4 °F)");
        assert_eq!(temperature(34.9), "34.9 °C (94.8 °F)");
    }
}
