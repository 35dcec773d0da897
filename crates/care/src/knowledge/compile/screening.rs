//! screening.toml: the first massage, a baby's session, postponing, and each condition's screening.

use super::{Problems, RawKnowledge, cites, code, codes, text};
use crate::codes::CodeSet;
use crate::knowledge::model::{PostponeText, ScreeningEntry, ScreeningKnowledge, ScreeningOutcome};
use crate::knowledge::raw::RawOutcome;
use crate::vocabulary::Vocabulary;
use std::collections::HashSet;

/// Compiles screening.toml, checking caps, texts and sources, and that every condition is screened once.
pub(super) fn screening(
    p: &mut Problems,
    raw: &RawKnowledge,
    v: &Vocabulary,
    source_ids: &HashSet<String>,
) -> ScreeningKnowledge {
    let (first_massage_cap, first_massage_note, first_massage_sources) = match &raw.first_massage {
        Some(f) => {
            cites(p, &f.origin, "[first_massage]", source_ids, &f.value.sources, true);
            (
                code(p, &f.origin, "[first_massage] pressure_cap", &v.pressures, &f.value.pressure_cap),
                f.value.note.clone(),
                f.value.sources.clone(),
            )
        }
        None => {
            p.missing("screening.toml", "no [first_massage] table");
            (0, String::new(), Vec::new())
        }
    };
    let baby_cap = match &raw.baby_screening {
        Some(b) => {
            cites(p, &b.origin, "[baby]", source_ids, &b.value.sources, true);
            (code(p, &b.origin, "[baby] pressure_cap", &v.pressures, &b.value.pressure_cap), b.value.note.clone())
        }
        None => {
            p.missing("screening.toml", "no [baby] table");
            (0, String::new())
        }
    };
    let postpone = match &raw.postpone {
        Some(r) => {
            text(p, &r.origin, "[postpone] see_doctor", &r.value.see_doctor);
            text(p, &r.origin, "[postpone] rebook", &r.value.rebook);
            PostponeText {
                see_doctor: r.value.see_doctor.clone(),
                rebook: r.value.rebook.clone(),
                rebook_conditions: codes(
                    p,
                    &r.origin,
                    "[postpone] rebook_conditions",
                    &v.conditions,
                    &r.value.rebook_conditions,
                ),
            }
        }
        None => {
            p.missing("screening.toml", "no [postpone] table");
            PostponeText { see_doctor: String::new(), rebook: String::new(), rebook_conditions: CodeSet::empty() }
        }
    };
    let mut screening_entries: Vec<Option<ScreeningEntry>> = vec![None; v.conditions.entries().len()];
    for s in &raw.screening {
        let what = format!("screening of `{}`", s.value.code);
        let Some(ix) = v.conditions.lookup(&s.value.code) else {
            p.at(&s.origin, format!("{what}: `{}` is not a condition in the vocabulary", s.value.code));
            continue;
        };
        if screening_entries[ix as usize].is_some() {
            p.at(&s.origin, format!("{what}: the condition is screened twice"));
        }
        cites(p, &s.origin, &what, source_ids, &s.value.sources, true);
        text(p, &s.origin, &format!("{what} note"), &s.value.note);
        screening_entries[ix as usize] = Some(ScreeningEntry {
            outcome: match s.value.outcome {
                RawOutcome::Modify => ScreeningOutcome::Modify,
                RawOutcome::AvoidArea => ScreeningOutcome::AvoidArea,
                RawOutcome::Postpone => ScreeningOutcome::Postpone,
            },
            pressure_cap: s.value.pressure_cap.as_ref().map(|c| code(p, &s.origin, &what, &v.pressures, c)),
            region_caps: s
                .value
                .region_caps
                .iter()
                .map(|c| (c.region, code(p, &s.origin, &what, &v.pressures, &c.at_most)))
                .collect(),
            avoid_regions: s.value.avoid_regions.clone(),
            clearance: s.value.clearance.clone(),
            note: s.value.note.clone(),
            sources: s.value.sources.clone(),
            origin: s.origin.clone(),
        });
    }
    let screening_conditions = screening_entries
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            if e.is_none() {
                p.missing(
                    "screening.toml",
                    format!("condition `{}` has no screening entry", v.conditions.get(i as u8).code),
                );
            }
            e
        })
        .collect();
    ScreeningKnowledge {
        first_massage_cap,
        first_massage_note,
        first_massage_sources,
        baby_cap,
        postpone,
        conditions: screening_conditions,
    }
}
