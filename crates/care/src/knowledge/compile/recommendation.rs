//! recommendation.toml: the default pressure and massage types, history, and the types for each
//! goal and condition.

use super::{Problems, RawKnowledge, code, codes, text};
use crate::knowledge::model::{ConditionTypes, GoalTypes, RecommendationKnowledge, Rule, TypeChoice};
use crate::knowledge::raw::{Origin, RawTypeChoice};
use crate::vocabulary::Vocabulary;

/// Compiles recommendation.toml, checking every code and rule it names and that every goal has massage types.
pub(super) fn recommendation(
    p: &mut Problems,
    raw: &RawKnowledge,
    v: &Vocabulary,
    rules: &[Rule],
) -> RecommendationKnowledge {
    let choices = |p: &mut Problems, origin: &Origin, what: &str, list: &[RawTypeChoice]| -> Vec<TypeChoice> {
        if list.is_empty() {
            p.at(origin, format!("{what} lists no massage type"));
        }
        list.iter()
            .map(|c| {
                text(p, origin, &format!("{what} reason"), &c.reason);
                TypeChoice {
                    massage_type: code(p, origin, what, &v.massage_types, &c.massage_type),
                    reason: c.reason.clone(),
                }
            })
            .collect()
    };
    let default_pressure = match &raw.default_pressure {
        Some(d) => code(p, &d.origin, "default_pressure", &v.pressures, &d.value),
        None => {
            p.missing("recommendation.toml", "no `default_pressure`");
            0
        }
    };
    let default = match &raw.default_types {
        Some(d) => choices(p, &d.origin, "default", &d.value),
        None => {
            p.missing("recommendation.toml", "no `default` types");
            Vec::new()
        }
    };
    let (history_soreness_at_least, history_rules) = match &raw.history {
        Some(h) => {
            for id in &h.value.rules {
                if !rules.iter().any(|r| &r.id == id) {
                    p.at(&h.origin, format!("[history] names rule `{id}`, which is not in triage.toml"));
                }
            }
            if h.value.soreness_at_least > 10 {
                p.at(&h.origin, "[history] soreness_at_least must be 0 to 10");
            }
            (h.value.soreness_at_least, h.value.rules.clone())
        }
        None => {
            p.missing("recommendation.toml", "no [history] table");
            (6, Vec::new())
        }
    };
    let mut goal_types: Vec<Option<GoalTypes>> = vec![None; v.goals.entries().len()];
    for g in &raw.goal_types {
        let what = format!("goal `{}`", g.value.code);
        let Some(ix) = v.goals.lookup(&g.value.code) else {
            p.at(&g.origin, format!("{what} is not in the vocabulary"));
            continue;
        };
        if goal_types[ix as usize].is_some() {
            p.at(&g.origin, format!("{what} is listed twice"));
        }
        goal_types[ix as usize] = Some(GoalTypes {
            types: choices(p, &g.origin, &what, &g.value.types),
            first_massage: g.value.first_massage.as_ref().map(|f| choices(p, &g.origin, &what, f)),
        });
    }
    let goal_types = goal_types
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            g.unwrap_or_else(|| {
                p.missing("recommendation.toml", format!("goal `{}` has no massage types", v.goals.get(i as u8).code));
                GoalTypes { types: Vec::new(), first_massage: None }
            })
        })
        .collect();
    let condition_types = raw
        .condition_types
        .iter()
        .map(|c| ConditionTypes {
            conditions: codes(p, &c.origin, "recommendation condition", &v.conditions, &c.value.conditions),
            prefer: c.value.prefer.as_ref().map(|t| code(p, &c.origin, "recommendation prefer", &v.massage_types, t)),
            avoid: codes(p, &c.origin, "recommendation avoid", &v.massage_types, &c.value.avoid),
            unless: codes(p, &c.origin, "recommendation unless", &v.conditions, &c.value.unless),
            reason: c.value.reason.clone(),
        })
        .collect();
    RecommendationKnowledge {
        default_pressure,
        default,
        history_soreness_at_least,
        history_rules,
        goals: goal_types,
        conditions: condition_types,
    }
}
