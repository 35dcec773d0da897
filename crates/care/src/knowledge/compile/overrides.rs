//! What a clinic's knowledge directory may change: it may add and raise, never lower or loosen.

use super::Problems;
use crate::codes::Level;
use crate::knowledge::model::Rule;
use crate::knowledge::{Knowledge, KnowledgeError};
use std::collections::HashMap;

/// Checks that a clinic's overrides only add rules and raise levels (care policy section 3):
/// an `emergency` or `doctor` rule may be reworded or raised, never lowered or given a
/// different condition; the normalisation may not change; a screening outcome may not become
/// less strict, nor a pressure cap looser.
pub(in crate::knowledge) fn check_override(base: &Knowledge, merged: &Knowledge) -> Vec<KnowledgeError> {
    let mut p = Problems(Vec::new());
    let merged_rules: HashMap<&str, &Rule> = merged.triage.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    for b in &base.triage.rules {
        let Some(m) = merged_rules.get(b.id.as_str()) else {
            continue;
        };
        if m.level < b.level {
            p.at(&m.origin, format!("rule {} may not be lowered from `{}` to `{}`", b.id, b.level, m.level));
        }
        if b.level >= Level::Doctor && m.when != b.when {
            p.at(
                &m.origin,
                format!(
                    "rule {} is an `{}` rule: its condition may not change (add a new rule instead)",
                    b.id, b.level
                ),
            );
        }
    }
    if base.triage.schedule != merged.triage.schedule {
        p.missing(
            "triage.toml",
            "[schedule] may not be changed by a clinic's knowledge directory (the check-in hours are a clinic setting)",
        );
    }
    if base.triage.fever_at_least_c != merged.triage.fever_at_least_c
        || base.triage.fever_symptom != merged.triage.fever_symptom
    {
        p.missing("triage.toml", "[normalise] may not be changed by a clinic's knowledge directory");
    }
    for (b, m) in base.screening.conditions.iter().zip(&merged.screening.conditions) {
        let looser = |bc: Option<u8>, mc: Option<u8>| match (bc, mc) {
            (Some(b), Some(m)) => m > b,
            (Some(_), None) => true,
            _ => false,
        };
        let region_looser = b
            .region_caps
            .iter()
            .any(|(region, cap)| looser(Some(*cap), m.region_caps.iter().find(|(r, _)| r == region).map(|(_, c)| *c)));
        let dropped = (b.clearance.is_some() && m.clearance.is_none())
            || b.avoid_regions.iter().any(|r| !m.avoid_regions.contains(r));
        if m.outcome < b.outcome || looser(b.pressure_cap, m.pressure_cap) || region_looser || dropped {
            p.at(&m.origin, "a clinic's screening may be stricter than the built-in one, never looser");
        }
    }
    if merged.screening.baby_cap.0 > base.screening.baby_cap.0 {
        p.missing("screening.toml", "[baby] pressure_cap may be lowered by a clinic, never raised");
    }
    if merged.screening.first_massage_cap > base.screening.first_massage_cap {
        p.missing("screening.toml", "[first_massage] pressure_cap may be lowered by a clinic, never raised");
    }
    p.0
}
