//! sources.toml: the works every rule, screening and plan item cites.

use super::{Problems, RawKnowledge, is_id, text};
use crate::knowledge::model::Source;
use std::collections::HashSet;

/// Compiles sources.toml, checking ids, evidence and verification; returns the ids and the sources.
pub(super) fn sources(p: &mut Problems, raw: &RawKnowledge) -> (HashSet<String>, Vec<Source>) {
    let mut source_ids = HashSet::new();
    let mut source_list = Vec::new();
    const EVIDENCE: [&str; 10] = [
        "systematic_review",
        "rct",
        "cohort",
        "cross_sectional",
        "case_series",
        "case_report",
        "guideline",
        "patient_information",
        "expert_opinion",
        "policy",
    ];
    const VERIFIED: [&str; 4] = ["primary", "secondary", "not_verified", "policy"];
    for s in &raw.sources {
        let v = &s.value;
        if !is_id(&v.id) {
            p.at(&s.origin, format!("source id `{}` may hold only letters, digits, '-' and '_'", v.id));
        }
        if !source_ids.insert(v.id.clone()) {
            p.at(&s.origin, format!("duplicate source id `{}`", v.id));
        }
        if !EVIDENCE.contains(&v.evidence.as_str()) {
            p.at(
                &s.origin,
                format!("source `{}`: evidence `{}` is not one of {}", v.id, v.evidence, EVIDENCE.join(", ")),
            );
        }
        if !VERIFIED.contains(&v.verified.as_str()) {
            p.at(
                &s.origin,
                format!("source `{}`: verified `{}` is not one of {}", v.id, v.verified, VERIFIED.join(", ")),
            );
        }
        text(p, &s.origin, &format!("source `{}` title", v.id), &v.title);
        source_list.push(v.clone());
    }
    if source_list.is_empty() {
        p.missing("sources.toml", "no [[source]] entries");
    }
    (source_ids, source_list)
}
