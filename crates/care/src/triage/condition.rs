//! The condition of a triage rule, as compiled from `knowledge/triage.toml`, and its
//! evaluation against the facts of one check-in.
//!
//! The language is a small fixed vocabulary with `any` and `all` and no negation: every part
//! only becomes true as symptoms, conditions, soreness, hours or rise grow, so adding a
//! symptom or raising soreness can never make a rule stop firing, and so never lowers the level.

use crate::codes::{CodeSet, Trend};
use crate::vocabulary::Vocabulary;

/// A compiled rule condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// At least one part holds.
    Any(Vec<Condition>),
    /// Every part holds.
    All(Vec<Condition>),
    /// The report has one of these symptoms (after normalisation).
    SymptomsAny(CodeSet),
    /// The client has one of these conditions (after normalisation).
    ConditionsAny(CodeSet),
    /// One of these areas was worked or is reported sore.
    AreaInvolved(CodeSet),
    /// Soreness at least this.
    SorenessAtLeast(u8),
    /// Excess (soreness above usual pain) at least this.
    ExcessAtLeast(u8),
    /// Rise since the previous check-in at least this; false when there is none.
    RiseAtLeast(i8),
    /// Hours since the session at least this.
    HoursAtLeast(f64),
    /// The client's trend is this.
    Trend(Trend),
    /// A given temperature at least this.
    TemperatureAtLeastC(f64),
    /// A given temperature below this.
    TemperatureBelowC(f64),
    /// A known age in months below this; an unknown baby's age counts as below.
    AgeMonthsBelow(u32),
    /// Known pregnancy weeks at least this.
    PregnancyWeeksAtLeast(u8),
    /// Pregnancy weeks not given.
    PregnancyWeeksUnknown,
}

/// What triage knows about one check-in after normalisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Symptoms, with implied general codes and temperature-derived fever added.
    pub symptoms: CodeSet,
    /// Client conditions, with implied ones added.
    pub conditions: CodeSet,
    /// Areas worked in the session or reported sore.
    pub areas_involved: CodeSet,
    /// Soreness 0-10.
    pub soreness: u8,
    /// Soreness above the client's usual pain, never below 0.
    pub excess: u8,
    /// Soreness minus the previous soreness, when there was one.
    pub rise: Option<i8>,
    /// Hours since the session ended.
    pub hours_since: f64,
    /// The client's trend.
    pub trend: Option<Trend>,
    /// Temperature in °C, when given.
    pub temperature_c: Option<f64>,
    /// Age in completed months, when given.
    pub age_months: Option<u32>,
    /// A baby's session whose baby's age is unknown: read as under any age threshold.
    pub baby_age_unknown: bool,
    /// Weeks of pregnancy, when given.
    pub pregnancy_weeks: Option<u8>,
}

impl Condition {
    /// Whether the condition holds for `facts`.
    pub fn holds(&self, f: &Facts) -> bool {
        match self {
            Condition::Any(parts) => parts.iter().any(|c| c.holds(f)),
            Condition::All(parts) => parts.iter().all(|c| c.holds(f)),
            Condition::SymptomsAny(set) => f.symptoms.intersects(*set),
            Condition::ConditionsAny(set) => f.conditions.intersects(*set),
            Condition::AreaInvolved(set) => f.areas_involved.intersects(*set),
            Condition::SorenessAtLeast(n) => f.soreness >= *n,
            Condition::ExcessAtLeast(n) => f.excess >= *n,
            Condition::RiseAtLeast(n) => f.rise.is_some_and(|r| r >= *n),
            Condition::HoursAtLeast(h) => f.hours_since >= *h,
            Condition::Trend(t) => f.trend == Some(*t),
            Condition::TemperatureAtLeastC(t) => f.temperature_c.is_some_and(|x| x >= *t),
            Condition::TemperatureBelowC(t) => f.temperature_c.is_some_and(|x| x < *t),
            Condition::AgeMonthsBelow(m) => f.age_months.map_or(f.baby_age_unknown, |a| a < *m),
            Condition::PregnancyWeeksAtLeast(w) => f.pregnancy_weeks.is_some_and(|x| x >= *w),
            Condition::PregnancyWeeksUnknown => f.pregnancy_weeks.is_none(),
        }
    }

    /// The symptoms this condition mentions anywhere.
    pub fn symptoms_named(&self) -> CodeSet {
        match self {
            Condition::Any(parts) | Condition::All(parts) => {
                parts.iter().fold(CodeSet::empty(), |acc, c| acc.union(c.symptoms_named()))
            }
            Condition::SymptomsAny(set) => *set,
            _ => CodeSet::empty(),
        }
    }

    /// The condition in words, for staff and for `aftercare kb show`.
    pub fn describe(&self, vocabulary: &Vocabulary) -> String {
        let list = |codes: Vec<&str>| codes.join(", ");
        match self {
            Condition::Any(parts) => {
                format!("any of ({})", parts.iter().map(|c| c.describe(vocabulary)).collect::<Vec<_>>().join("; "))
            }
            Condition::All(parts) => {
                format!("all of ({})", parts.iter().map(|c| c.describe(vocabulary)).collect::<Vec<_>>().join("; "))
            }
            Condition::SymptomsAny(set) => {
                format!("symptom {}", list(vocabulary.symptoms.codes_of(*set)))
            }
            Condition::ConditionsAny(set) => {
                format!("condition {}", list(vocabulary.conditions.codes_of(*set)))
            }
            Condition::AreaInvolved(set) => format!("area {} worked or sore", list(vocabulary.areas.codes_of(*set))),
            Condition::SorenessAtLeast(n) => format!("soreness >= {n}"),
            Condition::ExcessAtLeast(n) => format!("excess >= {n}"),
            Condition::RiseAtLeast(n) => format!("rise >= {n}"),
            Condition::HoursAtLeast(h) => format!("hours_since >= {h}"),
            Condition::Trend(t) => format!("trend = {}", t.code()),
            Condition::TemperatureAtLeastC(t) => format!("temperature_c >= {t:.1}"),
            Condition::TemperatureBelowC(t) => format!("temperature_c < {t:.1}"),
            Condition::AgeMonthsBelow(m) => format!("age_months < {m}"),
            Condition::PregnancyWeeksAtLeast(w) => format!("pregnancy_weeks >= {w}"),
            Condition::PregnancyWeeksUnknown => "pregnancy_weeks unknown".to_owned(),
        }
    }
}
