//! The `when` of a triage rule: its parts, each checked against the vocabulary.

use super::{Problems, codes};
use crate::knowledge::raw::{Origin, RawWhen};
use crate::triage::condition::Condition as When;
use crate::vocabulary::Vocabulary;

/// Compiles a rule's `when` condition, checking that every part names known codes and sane thresholds.
pub(super) fn condition(p: &mut Problems, origin: &Origin, what: &str, v: &Vocabulary, raw: &RawWhen) -> When {
    let nonempty = |p: &mut Problems, list_len: usize, name: &str| {
        if list_len == 0 {
            p.at(origin, format!("{what}: `{name}` has no parts"));
        }
    };
    match raw {
        RawWhen::Any(parts) => {
            nonempty(p, parts.len(), "any");
            When::Any(parts.iter().map(|c| condition(p, origin, what, v, c)).collect())
        }
        RawWhen::All(parts) => {
            nonempty(p, parts.len(), "all");
            When::All(parts.iter().map(|c| condition(p, origin, what, v, c)).collect())
        }
        RawWhen::SymptomsAny(list) => {
            nonempty(p, list.len(), "symptoms_any");
            When::SymptomsAny(codes(p, origin, what, &v.symptoms, list))
        }
        RawWhen::ConditionsAny(list) => {
            nonempty(p, list.len(), "conditions_any");
            When::ConditionsAny(codes(p, origin, what, &v.conditions, list))
        }
        RawWhen::AreaInvolved(area) => When::AreaInvolved(codes(p, origin, what, &v.areas, std::slice::from_ref(area))),
        RawWhen::SorenessAtLeast(n) | RawWhen::ExcessAtLeast(n) if *n > 10 => {
            p.at(origin, format!("{what}: a soreness threshold must be 0 to 10"));
            When::SorenessAtLeast(*n)
        }
        RawWhen::SorenessAtLeast(n) => When::SorenessAtLeast(*n),
        RawWhen::ExcessAtLeast(n) => When::ExcessAtLeast(*n),
        RawWhen::RiseAtLeast(n) => When::RiseAtLeast(*n),
        RawWhen::HoursAtLeast(h) => When::HoursAtLeast(*h),
        RawWhen::Trend(t) => When::Trend(*t),
        RawWhen::TemperatureAtLeastC(t) => When::TemperatureAtLeastC(*t),
        RawWhen::TemperatureBelowC(t) => When::TemperatureBelowC(*t),
        RawWhen::AgeMonthsBelow(m) => When::AgeMonthsBelow(*m),
        RawWhen::PregnancyWeeksAtLeast(w) => When::PregnancyWeeksAtLeast(*w),
        RawWhen::PregnancyWeeksUnknown(true) => When::PregnancyWeeksUnknown,
        RawWhen::PregnancyWeeksUnknown(false) => {
            p.at(origin, format!("{what}: `pregnancy_weeks_unknown` can only be true"));
            When::PregnancyWeeksUnknown
        }
    }
}
