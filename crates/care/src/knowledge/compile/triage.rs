//! triage.toml: the disclaimer, the normalisation, the levels, the rules, the warning signs,
//! usual pain, the check-in schedule and pregnancy.

use super::condition::condition;
use super::schedule::schedule;
use super::{Problems, RawKnowledge, cites, code, codes, is_id, text};
use crate::codes::{CodeSet, Level};
use crate::knowledge::model::{LevelText, Pregnancy, Rule, TriageKnowledge, WarningSign};
use crate::vocabulary::Vocabulary;
use std::collections::HashSet;

/// Compiles triage.toml, checking each of its tables against the vocabulary and the sources.
pub(super) fn triage(
    p: &mut Problems,
    raw: &RawKnowledge,
    v: &Vocabulary,
    source_ids: &HashSet<String>,
) -> TriageKnowledge {
    let disclaimer = match &raw.disclaimer {
        Some(d) => {
            text(p, &d.origin, "disclaimer", &d.value);
            d.value.clone()
        }
        None => {
            p.missing("triage.toml", "no `disclaimer`");
            String::new()
        }
    };
    let note_flag = match &raw.note_flag {
        Some(n) => {
            text(p, &n.origin, "note_flag", &n.value);
            for part in ["{phrase}", "{what}"] {
                if !n.value.contains(part) {
                    p.at(&n.origin, format!("note_flag must contain {part}"));
                }
            }
            n.value.clone()
        }
        None => {
            p.missing("triage.toml", "no `note_flag`");
            String::new()
        }
    };
    let mut required = |value: &Option<crate::knowledge::raw::Located<String>>, name: &str| match value {
        Some(v) => {
            text(p, &v.origin, name, &v.value);
            v.value.clone()
        }
        None => {
            p.missing("triage.toml", format!("no `{name}`"));
            String::new()
        }
    };
    let no_number = (
        required(&raw.no_emergency_number, "no_emergency_number"),
        required(&raw.no_urgent_advice_line, "no_urgent_advice_line"),
    );
    let (fever_symptom, fever_at_least_c) = match &raw.normalise {
        Some(n) => {
            let s = code(p, &n.origin, "[normalise] fever_symptom", &v.symptoms, &n.value.fever_symptom);
            if !(34.0..=43.0).contains(&n.value.fever_at_least_c) {
                p.at(&n.origin, "[normalise] fever_at_least_c must be a temperature from 34.0 to 43.0");
            }
            (s, n.value.fever_at_least_c)
        }
        None => {
            p.missing("triage.toml", "no [normalise] table");
            (0, 38.0)
        }
    };
    let levels = levels(p, raw);
    let rules = rules(p, raw, v, source_ids);
    let warning_signs = warning_signs(p, raw, v, &rules);
    let (usual_pain_soreness_at_least, usual_pain) = match &raw.usual_pain {
        Some(u) => {
            if !(1..=10).contains(&u.value.soreness_at_least) {
                p.at(&u.origin, "[usual_pain] soreness_at_least must be from 1 to 10");
            }
            text(p, &u.origin, "[usual_pain] label", &u.value.label);
            text(p, &u.origin, "[usual_pain] instruction", &u.value.instruction);
            (u.value.soreness_at_least, (u.value.label.clone(), u.value.instruction.clone()))
        }
        None => {
            p.missing("triage.toml", "no [usual_pain] table");
            (8, (String::new(), String::new()))
        }
    };
    let schedule = schedule(p, raw.schedule.as_ref(), &rules, source_ids);
    let pregnancy = pregnancy(p, raw, v, source_ids);
    TriageKnowledge {
        pregnancy,
        disclaimer,
        note_flag,
        no_number,
        fever_symptom,
        fever_at_least_c,
        levels,
        rules,
        warning_signs,
        schedule,
        usual_pain_soreness_at_least,
        usual_pain,
    }
}

/// Compiles the `[[level]]` texts, checking that each level is described once and has an instruction.
fn levels(p: &mut Problems, raw: &RawKnowledge) -> Vec<LevelText> {
    let mut levels: Vec<Option<LevelText>> = vec![None; 4];
    for l in &raw.levels {
        let slot = &mut levels[l.value.code as usize];
        if slot.is_some() {
            p.at(&l.origin, format!("level `{}` is described twice", l.value.code));
        }
        text(p, &l.origin, "level instruction", &l.value.instruction);
        *slot = Some(LevelText {
            level: l.value.code,
            label: l.value.label.clone(),
            instruction: l.value.instruction.clone(),
        });
    }
    Level::ALL
        .iter()
        .zip(levels)
        .map(|(level, t)| {
            t.unwrap_or_else(|| {
                p.missing("triage.toml", format!("no [[level]] for `{level}`"));
                LevelText { level: *level, label: String::new(), instruction: String::new() }
            })
        })
        .collect()
}

/// Compiles the `[[rule]]` entries, checking ids, levels, conditions, texts and sources.
fn rules(p: &mut Problems, raw: &RawKnowledge, v: &Vocabulary, source_ids: &HashSet<String>) -> Vec<Rule> {
    let mut rule_ids = HashSet::new();
    let mut rules = Vec::new();
    for r in &raw.rules {
        let rule = &r.value;
        let what = format!("rule {}", rule.id);
        if !is_id(&rule.id) {
            p.at(&r.origin, format!("rule id `{}` may hold only letters, digits, '-' and '_'", rule.id));
        }
        if !rule_ids.insert(rule.id.clone()) {
            p.at(&r.origin, format!("duplicate rule id `{}`", rule.id));
        }
        if rule.level == Level::SelfCare {
            p.at(
                &r.origin,
                format!("{what}: a rule cannot fire at `self_care` (self_care is what remains when no rule fires)"),
            );
        }
        let when = condition(p, &r.origin, &what, v, &rule.when);
        for (field, value) in [
            ("client_reason", &rule.client_reason),
            ("clinical_reason", &rule.clinical_reason),
            ("advice", &rule.advice),
        ] {
            text(p, &r.origin, &format!("{what} {field}"), value);
        }
        cites(p, &r.origin, &what, source_ids, &rule.sources, true);
        rules.push(Rule {
            id: rule.id.clone(),
            level: rule.level,
            when,
            client_reason: rule.client_reason.clone(),
            clinical_reason: rule.clinical_reason.clone(),
            advice: rule.advice.clone(),
            sources: rule.sources.clone(),
            first_instruction: rule.first_instruction.clone(),
            headline: rule.headline.clone(),
            origin: r.origin.clone(),
        });
    }
    if rules.is_empty() {
        p.missing("triage.toml", "no [[rule]] entries");
    }
    rules
}

/// Compiles the `[[warning_sign]]` lines, checking that every urgent rule has one.
fn warning_signs(p: &mut Problems, raw: &RawKnowledge, v: &Vocabulary, rules: &[Rule]) -> Vec<WarningSign> {
    let warning_signs: Vec<WarningSign> = raw
        .warning_signs
        .iter()
        .map(|w| {
            text(p, &w.origin, "warning sign", &w.value.text);
            for id in &w.value.rules {
                if !rules.iter().any(|r| &r.id == id) {
                    p.at(&w.origin, format!("warning sign names rule `{id}`, which is not a rule"));
                }
            }
            WarningSign {
                level: w.value.level,
                text: w.value.text.clone(),
                symptoms: codes(p, &w.origin, "warning sign", &v.symptoms, &w.value.symptoms),
                rules: w.value.rules.clone(),
            }
        })
        .collect();
    if warning_signs.is_empty() {
        p.missing("triage.toml", "no [[warning_sign]] entries");
    }
    // Every urgent rule has a line in the client's words (care policy v1.2 section 3).
    for r in rules.iter().filter(|r| r.level >= Level::Doctor) {
        if !warning_signs.iter().any(|w| w.rules.contains(&r.id)) {
            p.at(&r.origin, format!("rule {} is a `{}` rule with no [[warning_sign]] line naming it", r.id, r.level));
        }
    }
    warning_signs
}

/// Compiles the `[pregnancy]` table, checking its conditions, its weeks and its sources.
fn pregnancy(p: &mut Problems, raw: &RawKnowledge, v: &Vocabulary, source_ids: &HashSet<String>) -> Pregnancy {
    match &raw.pregnancy {
        Some(r) => {
            cites(p, &r.origin, "[pregnancy]", source_ids, &r.value.sources, true);
            if !(38..=45).contains(&r.value.ends_after_weeks) || !(1..=12).contains(&r.value.after_birth_weeks) {
                p.at(&r.origin, "[pregnancy] ends_after_weeks must be from 38 to 45, after_birth_weeks from 1 to 12");
            }
            Pregnancy {
                conditions: codes(p, &r.origin, "[pregnancy] conditions", &v.conditions, &r.value.conditions),
                ends_after_weeks: r.value.ends_after_weeks,
                after_birth: code(p, &r.origin, "[pregnancy] after_birth", &v.conditions, &r.value.after_birth),
                after_birth_weeks: r.value.after_birth_weeks,
            }
        }
        None => {
            p.missing("triage.toml", "no [pregnancy] table");
            Pregnancy { conditions: CodeSet::empty(), ends_after_weeks: 43, after_birth: 0, after_birth_weeks: 6 }
        }
    }
}
