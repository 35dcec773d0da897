//! vocabulary.toml: every code the engine knows, with its label, and what each implies.

use super::{Problems, RawKnowledge, code, codes, is_code, text};
use crate::codes::{CodeSet, Level};
use crate::knowledge::raw::{Located, RawLabelled};
use crate::vocabulary::{
    Area, CodeTable, Coded, Condition, FollowUp, Goal, MassageType, Pressure, Symptom, Vocabulary,
};
use std::collections::HashSet;

/// Compiles vocabulary.toml, checking codes, labels, `implies`, follow-ups and note phrases.
pub(super) fn vocabulary(p: &mut Problems, raw: &RawKnowledge) -> Vocabulary {
    let areas = table(
        p,
        "area",
        "area",
        &raw.areas,
        |r| &r.code,
        |r| Area { code: r.code.clone(), label: r.label.clone(), hint: r.hint.clone(), region: r.region },
    );
    let massage_types = table(
        p,
        "massage type",
        "massage_type",
        &raw.massage_types,
        |r| &r.code,
        |r| MassageType {
            code: r.code.clone(),
            label: r.label.clone(),
            hint: r.hint.clone(),
            soreness_risk: r.soreness_risk,
            for_baby: r.for_baby,
        },
    );
    let labelled = |r: &RawLabelled| (r.code.clone(), r.label.clone(), r.hint.clone());
    let pressures = table(
        p,
        "pressure",
        "pressure",
        &raw.pressures,
        |r| &r.code,
        |r| {
            let (code, label, hint) = labelled(r);
            Pressure { code, label, hint }
        },
    );
    let goals = table(
        p,
        "goal",
        "goal",
        &raw.goals,
        |r| &r.code,
        |r| {
            let (code, label, hint) = labelled(r);
            Goal { code, label, hint }
        },
    );
    let mut conditions = table(
        p,
        "condition",
        "condition",
        &raw.conditions,
        |r| &r.code,
        |r| Condition {
            code: r.code.clone(),
            label: r.label.clone(),
            hint: r.hint.clone(),
            local: r.local,
            implies: CodeSet::empty(),
        },
    );
    let mut symptoms = table(
        p,
        "symptom",
        "symptom",
        &raw.symptoms,
        |r| &r.code,
        |r| Symptom {
            code: r.code.clone(),
            group: r.group,
            label: r.label.clone(),
            hint: r.hint.clone(),
            implies: CodeSet::empty(),
            follow_up: r.follow_up.as_ref().map(|f| FollowUp {
                question: f.question.clone(),
                records: f.records.clone(),
                mode: f.mode,
                blank_counts_as_yes: f.blank_counts_as_yes,
            }),
            note_phrases: r.note_phrases.iter().map(|n| crate::note::fold(n)).collect(),
            asked_with: r.asked_with.clone(),
            baby_label: r.baby_label.clone().filter(|_| r.asked_of_baby != Some(false)),
            baby_hint: r.baby_hint.clone().filter(|_| r.asked_of_baby != Some(false)),
        },
    );
    // `implies` names codes of the same table, so it is resolved once the table exists.
    let implies = implied(p, "condition", &conditions, &raw.conditions, |r| &r.code, |r| &r.implies);
    for (c, set) in conditions.entries_mut().iter_mut().zip(implies) {
        c.implies = set;
    }
    let implies = implied(p, "symptom", &symptoms, &raw.symptoms, |r| &r.code, |r| &r.implies);
    for (s, set) in symptoms.entries_mut().iter_mut().zip(implies) {
        s.implies = set;
    }
    for e in &raw.symptoms {
        let r = &e.value;
        match (r.asked_of_baby != Some(false), &r.baby_label) {
            (true, None) => p.at(
                &e.origin,
                format!(
                    "symptom `{}` is asked on an infant session but has no baby_label (or set asked_of_baby = false)",
                    r.code
                ),
            ),
            (false, Some(_)) => {
                p.at(&e.origin, format!("symptom `{}` has a baby_label but asked_of_baby = false", r.code));
            }
            _ => {}
        }
        for code in &e.value.asked_with {
            if conditions.by_code(code).is_none() {
                p.at(
                    &e.origin,
                    format!("symptom `{}`: asked_with names `{code}`, which is not a condition", e.value.code),
                );
            }
        }
        for phrase in &e.value.note_phrases {
            if crate::note::fold(phrase).split(' ').all(str::is_empty) {
                p.at(&e.origin, format!("symptom `{}` has an empty note phrase", e.value.code));
            }
        }
        if !e.value.note_phrases.is_empty() && e.value.group < Level::Doctor {
            p.at(
                &e.origin,
                format!(
                    "symptom `{}` is in the `{}` group: only emergency- and doctor-group symptoms have note phrases",
                    e.value.code, e.value.group
                ),
            );
        }
        if let Some(f) = &e.value.follow_up {
            code(p, &e.origin, &format!("symptom `{}` follow-up", e.value.code), &symptoms, &f.records);
            text(p, &e.origin, "follow-up question", &f.question);
        }
    }
    for e in raw
        .areas
        .iter()
        .map(|e| (&e.origin, &e.value.label))
        .chain(raw.symptoms.iter().map(|e| (&e.origin, &e.value.label)))
        .chain(raw.conditions.iter().map(|e| (&e.origin, &e.value.label)))
        .chain(raw.goals.iter().map(|e| (&e.origin, &e.value.label)))
        .chain(raw.pressures.iter().map(|e| (&e.origin, &e.value.label)))
        .chain(raw.massage_types.iter().map(|e| (&e.origin, &e.value.label)))
    {
        text(p, e.0, "label", e.1);
    }
    Vocabulary { areas, massage_types, pressures, goals, conditions, symptoms }
}

/// Builds one vocabulary table, checking codes, uniqueness and size.
fn table<R, E: Coded>(
    p: &mut Problems,
    kind: &'static str,
    file_key: &str,
    raw: &[Located<R>],
    code: impl Fn(&R) -> &str,
    build: impl Fn(&R) -> E,
) -> CodeTable<E> {
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    for e in raw {
        let c = code(&e.value);
        if !is_code(c) {
            p.at(&e.origin, format!("{kind} code `{c}` must be lower_snake_case ASCII"));
        } else if !seen.insert(c.to_owned()) {
            p.at(&e.origin, format!("duplicate {kind} code `{c}`"));
        } else {
            entries.push(build(&e.value));
        }
    }
    if entries.is_empty() {
        p.missing("vocabulary.toml", format!("no [[{file_key}]] entries"));
    }
    if entries.len() > CodeSet::CAPACITY {
        p.missing("vocabulary.toml", format!("more than {} {kind} codes", CodeSet::CAPACITY));
        entries.truncate(CodeSet::CAPACITY);
    }
    CodeTable::new(kind, entries)
}

/// Makes `implies` transitive.
fn close(implies: &mut [CodeSet]) {
    loop {
        let mut changed = false;
        for i in 0..implies.len() {
            let next = implies[i].iter().fold(implies[i], |acc, j| acc.union(implies[j as usize]));
            if next != implies[i] {
                implies[i] = next;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The transitive `implies` set of every entry of `table`, in table order.
fn implied<R, E: Coded>(
    p: &mut Problems,
    kind: &str,
    table: &CodeTable<E>,
    raw: &[Located<R>],
    code_of: impl Fn(&R) -> &str,
    implies_of: impl Fn(&R) -> &[String],
) -> Vec<CodeSet> {
    let mut sets: Vec<CodeSet> = table
        .entries()
        .iter()
        .map(|e| match raw.iter().find(|r| code_of(&r.value) == e.code()) {
            Some(r) => codes(p, &r.origin, &format!("{kind} `{}` implies", e.code()), table, implies_of(&r.value)),
            None => CodeSet::empty(),
        })
        .collect();
    close(&mut sets);
    sets
}
