//! stretches.toml: the stretch library.

use super::{Problems, RawKnowledge, codes};
use crate::knowledge::model::Stretch;
use crate::vocabulary::Vocabulary;
use std::collections::HashSet;

/// Compiles stretches.toml, checking ids, steps, holds and areas, and that every body area has a stretch.
pub(super) fn stretches(p: &mut Problems, raw: &RawKnowledge, v: &Vocabulary) -> Vec<Stretch> {
    let mut stretch_ids = HashSet::new();
    let stretches: Vec<Stretch> = raw
        .stretches
        .iter()
        .map(|s| {
            let st = &s.value;
            let what = format!("stretch `{}`", st.id);
            if !stretch_ids.insert(st.id.clone()) {
                p.at(&s.origin, format!("duplicate stretch id `{}`", st.id));
            }
            if st.steps.is_empty() {
                p.at(&s.origin, format!("{what} has no steps"));
            }
            if st.hold_seconds > 120 || st.repeat == 0 || st.repeat > 30 {
                p.at(&s.origin, format!("{what}: hold_seconds must be 0 to 120 and repeat 1 to 30"));
            }
            Stretch {
                id: st.id.clone(),
                name: st.name.clone(),
                areas: codes(p, &s.origin, &what, &v.areas, &st.areas),
                steps: st.steps.clone(),
                hold_seconds: st.hold_seconds,
                repeat: st.repeat,
                per_side: st.per_side,
                how_often: st.how_often.clone(),
                caution: st.caution.clone(),
            }
        })
        .collect();
    for (i, area) in v.areas.entries().iter().enumerate() {
        if !stretches.iter().any(|s| s.areas.contains(i as u8)) {
            p.missing("stretches.toml", format!("no stretch for body area `{}`", area.code));
        }
    }
    stretches
}
