//! Checks the knowledge files as written and turns them into the engine's model. Every
//! problem is collected with its file and line; nothing half-checked is ever returned.

use super::model::*;
use super::raw::*;
use super::{Knowledge, KnowledgeError};
use crate::codes::{CodeSet, Level};
use crate::triage::condition::Condition as When;
use crate::vocabulary::*;
use std::collections::{HashMap, HashSet};

/// The merged knowledge as written, file by file.
#[derive(Debug, Default)]
pub(super) struct RawKnowledge {
    pub areas: Vec<Located<RawArea>>,
    pub massage_types: Vec<Located<RawMassageType>>,
    pub pressures: Vec<Located<RawLabelled>>,
    pub goals: Vec<Located<RawLabelled>>,
    pub conditions: Vec<Located<RawCondition>>,
    pub symptoms: Vec<Located<RawSymptom>>,
    pub disclaimer: Option<Located<String>>,
    pub normalise: Option<Located<RawNormalise>>,
    pub schedule: Option<Located<RawSchedule>>,
    pub usual_pain: Option<Located<RawUsualPain>>,
    pub pregnancy: Option<Located<RawPregnancy>>,
    pub levels: Vec<Located<RawLevelText>>,
    pub rules: Vec<Located<RawRule>>,
    pub warning_signs: Vec<Located<RawWarningSign>>,
    pub first_massage: Option<Located<RawFirstMassage>>,
    pub baby_screening: Option<Located<RawFirstMassage>>,
    pub postpone: Option<Located<RawPostpone>>,
    pub baby_plan: Option<Located<RawBabyPlan>>,
    pub after_birth: Option<Located<RawAfterBirth>>,
    pub screening: Vec<Located<RawScreen>>,
    pub default_pressure: Option<Located<String>>,
    pub default_types: Option<Located<Vec<RawTypeChoice>>>,
    pub history: Option<Located<RawHistory>>,
    pub goal_types: Vec<Located<RawGoalTypes>>,
    pub condition_types: Vec<Located<RawConditionTypes>>,
    pub grades: Vec<Located<RawGrade>>,
    pub expect: Option<Located<RawExpect>>,
    pub items: Vec<Located<RawItem>>,
    pub stretches: Vec<Located<RawStretch>>,
    pub countries: Vec<Located<Country>>,
    pub sources: Vec<Located<Source>>,
}

/// Collects problems.
struct Problems(Vec<KnowledgeError>);

impl Problems {
    fn at(&mut self, origin: &Origin, problem: impl Into<String>) {
        self.0.push(KnowledgeError { file: origin.file.to_string(), line: Some(origin.line), problem: problem.into() });
    }
    fn missing(&mut self, file: &str, problem: impl Into<String>) {
        self.0.push(KnowledgeError { file: format!("knowledge/{file}"), line: None, problem: problem.into() });
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
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

/// Resolves codes of `table` into a set, reporting unknown ones at `origin`.
fn codes<E: Coded>(p: &mut Problems, origin: &Origin, what: &str, table: &CodeTable<E>, list: &[String]) -> CodeSet {
    let mut set = CodeSet::empty();
    for c in list {
        match table.lookup(c) {
            Some(i) => set.insert(i),
            None => p.at(origin, format!("{what} names {} `{c}`, which is not in the vocabulary", table.kind())),
        }
    }
    set
}

fn code<E: Coded>(p: &mut Problems, origin: &Origin, what: &str, table: &CodeTable<E>, c: &str) -> u8 {
    table.lookup(c).unwrap_or_else(|| {
        p.at(origin, format!("{what} names {} `{c}`, which is not in the vocabulary", table.kind()));
        0
    })
}

fn sources(p: &mut Problems, origin: &Origin, what: &str, known: &HashSet<String>, list: &[String], required: bool) {
    if required && list.is_empty() {
        p.at(origin, format!("{what} cites no source"));
    }
    for s in list {
        if !known.contains(s) {
            p.at(origin, format!("{what} cites source `{s}`, which is not in sources.toml"));
        }
    }
}

fn text(p: &mut Problems, origin: &Origin, what: &str, s: &str) {
    if s.trim().is_empty() {
        p.at(origin, format!("{what} is empty"));
    }
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

pub(super) fn compile(raw: RawKnowledge) -> Result<Knowledge, Vec<KnowledgeError>> {
    let mut p = Problems(Vec::new());

    // Sources first: everything else cites them.
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
        text(&mut p, &s.origin, &format!("source `{}` title", v.id), &v.title);
        source_list.push(v.clone());
    }
    if source_list.is_empty() {
        p.missing("sources.toml", "no [[source]] entries");
    }

    // Vocabulary.
    let areas = table(
        &mut p,
        "area",
        "area",
        &raw.areas,
        |r| &r.code,
        |r| Area { code: r.code.clone(), label: r.label.clone(), hint: r.hint.clone(), region: r.region },
    );
    let massage_types = table(
        &mut p,
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
        &mut p,
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
        &mut p,
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
        &mut p,
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
        &mut p,
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
        },
    );
    // `implies` names codes of the same table, so it is resolved once the table exists.
    let implies = implied(&mut p, "condition", &conditions, &raw.conditions, |r| &r.code, |r| &r.implies);
    for (c, set) in conditions.entries_mut().iter_mut().zip(implies) {
        c.implies = set;
    }
    let implies = implied(&mut p, "symptom", &symptoms, &raw.symptoms, |r| &r.code, |r| &r.implies);
    for (s, set) in symptoms.entries_mut().iter_mut().zip(implies) {
        s.implies = set;
    }
    for e in &raw.symptoms {
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
            code(&mut p, &e.origin, &format!("symptom `{}` follow-up", e.value.code), &symptoms, &f.records);
            text(&mut p, &e.origin, "follow-up question", &f.question);
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
        text(&mut p, e.0, "label", e.1);
    }
    let vocabulary = Vocabulary { areas, massage_types, pressures, goals, conditions, symptoms };
    let v = &vocabulary;

    // Triage.
    let disclaimer = match &raw.disclaimer {
        Some(d) => {
            text(&mut p, &d.origin, "disclaimer", &d.value);
            d.value.clone()
        }
        None => {
            p.missing("triage.toml", "no `disclaimer`");
            String::new()
        }
    };
    let (fever_symptom, fever_at_least_c) = match &raw.normalise {
        Some(n) => {
            let s = code(&mut p, &n.origin, "[normalise] fever_symptom", &v.symptoms, &n.value.fever_symptom);
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
    let mut levels: Vec<Option<LevelText>> = vec![None; 4];
    for l in &raw.levels {
        let slot = &mut levels[l.value.code as usize];
        if slot.is_some() {
            p.at(&l.origin, format!("level `{}` is described twice", l.value.code));
        }
        text(&mut p, &l.origin, "level instruction", &l.value.instruction);
        *slot = Some(LevelText {
            level: l.value.code,
            label: l.value.label.clone(),
            instruction: l.value.instruction.clone(),
        });
    }
    let levels: Vec<LevelText> = Level::ALL
        .iter()
        .zip(levels)
        .map(|(level, t)| {
            t.unwrap_or_else(|| {
                p.missing("triage.toml", format!("no [[level]] for `{level}`"));
                LevelText { level: *level, label: String::new(), instruction: String::new() }
            })
        })
        .collect();
    let mut rule_ids = HashSet::new();
    let mut rules = Vec::new();
    for r in &raw.rules {
        let v_ = &r.value;
        let what = format!("rule {}", v_.id);
        if !is_id(&v_.id) {
            p.at(&r.origin, format!("rule id `{}` may hold only letters, digits, '-' and '_'", v_.id));
        }
        if !rule_ids.insert(v_.id.clone()) {
            p.at(&r.origin, format!("duplicate rule id `{}`", v_.id));
        }
        if v_.level == Level::SelfCare {
            p.at(
                &r.origin,
                format!("{what}: a rule cannot fire at `self_care` (self_care is what remains when no rule fires)"),
            );
        }
        let when = condition(&mut p, &r.origin, &what, v, &v_.when);
        for (field, value) in
            [("client_reason", &v_.client_reason), ("clinical_reason", &v_.clinical_reason), ("advice", &v_.advice)]
        {
            text(&mut p, &r.origin, &format!("{what} {field}"), value);
        }
        sources(&mut p, &r.origin, &what, &source_ids, &v_.sources, true);
        rules.push(Rule {
            id: v_.id.clone(),
            level: v_.level,
            when,
            client_reason: v_.client_reason.clone(),
            clinical_reason: v_.clinical_reason.clone(),
            advice: v_.advice.clone(),
            sources: v_.sources.clone(),
            first_instruction: v_.first_instruction.clone(),
            headline: v_.headline.clone(),
            origin: r.origin.clone(),
        });
    }
    if rules.is_empty() {
        p.missing("triage.toml", "no [[rule]] entries");
    }
    let warning_signs: Vec<WarningSign> = raw
        .warning_signs
        .iter()
        .map(|w| {
            text(&mut p, &w.origin, "warning sign", &w.value.text);
            for id in &w.value.rules {
                if !rules.iter().any(|r| &r.id == id) {
                    p.at(&w.origin, format!("warning sign names rule `{id}`, which is not a rule"));
                }
            }
            WarningSign {
                level: w.value.level,
                text: w.value.text.clone(),
                symptoms: codes(&mut p, &w.origin, "warning sign", &v.symptoms, &w.value.symptoms),
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
    let (usual_pain_soreness_at_least, usual_pain) = match &raw.usual_pain {
        Some(u) => {
            if !(1..=10).contains(&u.value.soreness_at_least) {
                p.at(&u.origin, "[usual_pain] soreness_at_least must be from 1 to 10");
            }
            text(&mut p, &u.origin, "[usual_pain] label", &u.value.label);
            text(&mut p, &u.origin, "[usual_pain] instruction", &u.value.instruction);
            (u.value.soreness_at_least, (u.value.label.clone(), u.value.instruction.clone()))
        }
        None => {
            p.missing("triage.toml", "no [usual_pain] table");
            (8, (String::new(), String::new()))
        }
    };
    let schedule = schedule(&mut p, raw.schedule.as_ref(), &rules, &source_ids);
    let pregnancy = match &raw.pregnancy {
        Some(r) => {
            sources(&mut p, &r.origin, "[pregnancy]", &source_ids, &r.value.sources, true);
            if !(38..=45).contains(&r.value.ends_after_weeks) || !(1..=12).contains(&r.value.after_birth_weeks) {
                p.at(&r.origin, "[pregnancy] ends_after_weeks must be from 38 to 45, after_birth_weeks from 1 to 12");
            }
            Pregnancy {
                conditions: codes(&mut p, &r.origin, "[pregnancy] conditions", &v.conditions, &r.value.conditions),
                ends_after_weeks: r.value.ends_after_weeks,
                after_birth: code(&mut p, &r.origin, "[pregnancy] after_birth", &v.conditions, &r.value.after_birth),
                after_birth_weeks: r.value.after_birth_weeks,
            }
        }
        None => {
            p.missing("triage.toml", "no [pregnancy] table");
            Pregnancy { conditions: CodeSet::empty(), ends_after_weeks: 43, after_birth: 0, after_birth_weeks: 6 }
        }
    };
    let triage = TriageKnowledge {
        pregnancy,
        disclaimer,
        fever_symptom,
        fever_at_least_c,
        levels,
        rules,
        warning_signs,
        schedule,
        usual_pain_soreness_at_least,
        usual_pain,
    };

    // Screening.
    let (first_massage_cap, first_massage_note, first_massage_sources) = match &raw.first_massage {
        Some(f) => {
            sources(&mut p, &f.origin, "[first_massage]", &source_ids, &f.value.sources, true);
            (
                code(&mut p, &f.origin, "[first_massage] pressure_cap", &v.pressures, &f.value.pressure_cap),
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
            sources(&mut p, &b.origin, "[baby]", &source_ids, &b.value.sources, true);
            (code(&mut p, &b.origin, "[baby] pressure_cap", &v.pressures, &b.value.pressure_cap), b.value.note.clone())
        }
        None => {
            p.missing("screening.toml", "no [baby] table");
            (0, String::new())
        }
    };
    let postpone = match &raw.postpone {
        Some(r) => {
            text(&mut p, &r.origin, "[postpone] see_doctor", &r.value.see_doctor);
            text(&mut p, &r.origin, "[postpone] rebook", &r.value.rebook);
            PostponeText {
                see_doctor: r.value.see_doctor.clone(),
                rebook: r.value.rebook.clone(),
                rebook_conditions: codes(
                    &mut p,
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
        sources(&mut p, &s.origin, &what, &source_ids, &s.value.sources, true);
        text(&mut p, &s.origin, &format!("{what} note"), &s.value.note);
        screening_entries[ix as usize] = Some(ScreeningEntry {
            outcome: match s.value.outcome {
                RawOutcome::Modify => ScreeningOutcome::Modify,
                RawOutcome::AvoidArea => ScreeningOutcome::AvoidArea,
                RawOutcome::Postpone => ScreeningOutcome::Postpone,
            },
            pressure_cap: s.value.pressure_cap.as_ref().map(|c| code(&mut p, &s.origin, &what, &v.pressures, c)),
            region_caps: s
                .value
                .region_caps
                .iter()
                .map(|c| (c.region, code(&mut p, &s.origin, &what, &v.pressures, &c.at_most)))
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
    let screening = ScreeningKnowledge {
        first_massage_cap,
        first_massage_note,
        first_massage_sources,
        baby_cap,
        postpone,
        conditions: screening_conditions,
    };

    // Recommendation.
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
        Some(d) => code(&mut p, &d.origin, "default_pressure", &v.pressures, &d.value),
        None => {
            p.missing("recommendation.toml", "no `default_pressure`");
            0
        }
    };
    let default = match &raw.default_types {
        Some(d) => choices(&mut p, &d.origin, "default", &d.value),
        None => {
            p.missing("recommendation.toml", "no `default` types");
            Vec::new()
        }
    };
    let (history_soreness_at_least, history_rules) = match &raw.history {
        Some(h) => {
            for id in &h.value.rules {
                if !rule_ids.contains(id) {
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
            types: choices(&mut p, &g.origin, &what, &g.value.types),
            first_massage: g.value.first_massage.as_ref().map(|f| choices(&mut p, &g.origin, &what, f)),
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
            conditions: codes(&mut p, &c.origin, "recommendation condition", &v.conditions, &c.value.conditions),
            prefer: c
                .value
                .prefer
                .as_ref()
                .map(|t| code(&mut p, &c.origin, "recommendation prefer", &v.massage_types, t)),
            avoid: codes(&mut p, &c.origin, "recommendation avoid", &v.massage_types, &c.value.avoid),
            unless: codes(&mut p, &c.origin, "recommendation unless", &v.conditions, &c.value.unless),
            reason: c.value.reason.clone(),
        })
        .collect();
    let recommendation = RecommendationKnowledge {
        default_pressure,
        default,
        history_soreness_at_least,
        history_rules,
        goals: goal_types,
        conditions: condition_types,
    };

    // Plan.
    let mut grades: Vec<Option<GradeText>> = vec![None; 4];
    for g in &raw.grades {
        match Grade::ALL.iter().position(|x| x.code() == g.value.code) {
            Some(i) => {
                if grades[i].is_some() {
                    p.at(&g.origin, format!("grade `{}` is described twice", g.value.code));
                }
                grades[i] = Some(GradeText {
                    code: Grade::ALL[i],
                    label: g.value.label.clone(),
                    meaning: g.value.meaning.clone(),
                });
            }
            None => {
                p.at(&g.origin, format!("grade `{}` is not one of good, limited, none, contradicted", g.value.code))
            }
        }
    }
    let grades = Grade::ALL
        .iter()
        .zip(grades)
        .map(|(g, t)| {
            t.unwrap_or_else(|| {
                p.missing("plan.toml", format!("no [[grade]] for `{}`", g.code()));
                GradeText { code: *g, label: String::new(), meaning: String::new() }
            })
        })
        .collect();
    let expect = match &raw.expect {
        Some(e) => {
            sources(&mut p, &e.origin, "[expect]", &source_ids, &e.value.sources, true);
            let mut factors = vec![None; ExpectFactor::ALL.len()];
            for f in &e.value.factor {
                match ExpectFactor::ALL.iter().position(|x| x.code() == f.code) {
                    Some(i) => factors[i] = Some((f.text.clone(), f.general.clone())),
                    None => p.at(&e.origin, format!("[[expect.factor]] `{}` is not one of first_massage, firm_or_deep_pressure, deep_technique, hard_exercise_before", f.code)),
                }
            }
            let (factors, general_factors) = ExpectFactor::ALL
                .iter()
                .zip(factors)
                .map(|(f, t)| {
                    t.unwrap_or_else(|| {
                        p.at(&e.origin, format!("no [[expect.factor]] for `{}`", f.code()));
                        (String::new(), String::new())
                    })
                })
                .unzip();
            ExpectText {
                title: e.value.title.clone(),
                usual: e.value.usual.clone(),
                raised: e.value.raised.clone(),
                course: e.value.course.clone(),
                sources: e.value.sources.clone(),
                factors,
                general_raised: e.value.general_raised.clone(),
                general_factors,
            }
        }
        None => {
            p.missing("plan.toml", "no [expect] table");
            ExpectText {
                title: String::new(),
                usual: String::new(),
                raised: String::new(),
                course: Vec::new(),
                sources: Vec::new(),
                factors: Vec::new(),
                general_raised: String::new(),
                general_factors: Vec::new(),
            }
        }
    };
    let mut item_ids = HashSet::new();
    let mut items = Vec::new();
    for i in &raw.items {
        let it = &i.value;
        let what = format!("plan item `{}`", it.id);
        if !item_ids.insert(it.id.clone()) {
            p.at(&i.origin, format!("duplicate plan item id `{}`", it.id));
        }
        let kind = match it.kind.as_str() {
            "advice" => ItemKind::Advice,
            "stretches" => ItemKind::Stretches,
            other => {
                p.at(&i.origin, format!("{what}: kind `{other}` is not one of advice, stretches"));
                ItemKind::Advice
            }
        };
        let grade = match it.grade.as_deref() {
            None => {
                p.at(&i.origin, format!("{what} has no evidence grade"));
                Grade::None
            }
            Some(g) => Grade::ALL.iter().copied().find(|x| x.code() == g).unwrap_or_else(|| {
                p.at(&i.origin, format!("{what}: grade `{g}` is not one of good, limited, none, contradicted"));
                Grade::None
            }),
        };
        if it.text.is_empty() {
            p.at(&i.origin, format!("{what} has no text"));
        }
        sources(&mut p, &i.origin, &what, &source_ids, &it.sources, true);
        let cautions = it
            .caution
            .iter()
            .map(|c| Caution {
                conditions: codes(&mut p, &i.origin, &format!("{what} caution"), &v.conditions, &c.conditions),
                unless: codes(&mut p, &i.origin, &format!("{what} caution"), &v.conditions, &c.unless),
                effect: match c.effect.as_str() {
                    "replace" => CautionEffect::Replace,
                    "add" => CautionEffect::Add,
                    other => {
                        p.at(&i.origin, format!("{what}: caution effect `{other}` is not one of replace, add"));
                        CautionEffect::Add
                    }
                },
                text: c.text.clone(),
            })
            .collect();
        if it.for_baby && kind == ItemKind::Stretches {
            p.at(&i.origin, format!("{what}: a baby's plan has no stretches"));
        }
        items.push(PlanItem {
            for_baby: it.for_baby,
            id: it.id.clone(),
            kind,
            title: it.title.clone(),
            text: it.text.clone(),
            grade,
            grade_note: it.grade_note.clone(),
            sources: it.sources.clone(),
            cautions,
        });
    }
    if items.iter().filter(|i| i.kind == ItemKind::Stretches).count() != 1 {
        p.missing("plan.toml", "exactly one plan item must be of kind `stretches`");
    }
    if !items.iter().any(|i| i.for_baby) {
        p.missing("plan.toml", "no plan item `for_baby`: a baby's session needs a plan of its own");
    }
    let (baby_summary, baby_course, baby_warning_signs, baby_sources) = match &raw.baby_plan {
        Some(b) => {
            text(&mut p, &b.origin, "[baby] summary", &b.value.summary);
            if b.value.warning_signs.is_empty() {
                p.at(&b.origin, "[baby] has no warning_signs");
            }
            sources(&mut p, &b.origin, "[baby]", &source_ids, &b.value.sources, true);
            (b.value.summary.clone(), b.value.course.clone(), b.value.warning_signs.clone(), b.value.sources.clone())
        }
        None => {
            p.missing("plan.toml", "no [baby] table");
            Default::default()
        }
    };
    let after_birth_warning = match &raw.after_birth {
        Some(a) => {
            text(&mut p, &a.origin, "[after_birth] warning_sign", &a.value.warning_sign);
            sources(&mut p, &a.origin, "[after_birth]", &source_ids, &a.value.sources, true);
            a.value.warning_sign.clone()
        }
        None => {
            p.missing("plan.toml", "no [after_birth] table");
            String::new()
        }
    };
    let plan = PlanKnowledge {
        grades,
        expect,
        items,
        baby_summary,
        baby_course,
        baby_warning_signs,
        baby_sources,
        after_birth_warning,
    };

    // Stretches.
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
                areas: codes(&mut p, &s.origin, &what, &v.areas, &st.areas),
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

    // Countries.
    let mut country_codes = HashSet::new();
    let countries = raw
        .countries
        .iter()
        .map(|c| {
            let ct = &c.value;
            if ct.code.len() != 2 || !ct.code.chars().all(|ch| ch.is_ascii_uppercase()) {
                p.at(&c.origin, format!("country code `{}` must be two capital letters (ISO 3166-1)", ct.code));
            }
            if !country_codes.insert(ct.code.clone()) {
                p.at(&c.origin, format!("duplicate country `{}`", ct.code));
            }
            let dialable = |n: &str| !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit() || ch == ' ');
            if !dialable(&ct.emergency) || ct.urgent_advice.as_deref().is_some_and(|n| !dialable(n)) {
                p.at(&c.origin, format!("country `{}`: numbers may hold only digits and spaces", ct.code));
            }
            ct.clone()
        })
        .collect();

    if p.0.is_empty() {
        Ok(Knowledge {
            vocabulary,
            triage,
            screening,
            recommendation,
            plan,
            stretches,
            countries,
            sources: source_list,
        })
    } else {
        Err(p.0)
    }
}

fn condition(p: &mut Problems, origin: &Origin, what: &str, v: &Vocabulary, raw: &RawWhen) -> When {
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

/// Checks that a clinic's overrides only add rules and raise levels (care policy section 3):
/// an `emergency` or `doctor` rule may be reworded or raised, never lowered or given a
/// different condition; the normalisation may not change; a screening outcome may not become
/// less strict, nor a pressure cap looser.
pub(super) fn check_override(base: &Knowledge, merged: &Knowledge) -> Vec<KnowledgeError> {
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

fn schedule(
    p: &mut Problems,
    raw: Option<&Located<RawSchedule>>,
    rules: &[Rule],
    source_ids: &HashSet<String>,
) -> Schedule {
    let Some(Located { origin, value: s }) = raw else {
        p.missing("triage.toml", "no [schedule] table");
        return Schedule {
            window_start_hour: 8,
            window_end_hour: 20,
            check_in_hours: vec![24, 48],
            remind_after_hours: 8,
            extra: Vec::new(),
        };
    };
    if s.window_start_hour >= s.window_end_hour || s.window_end_hour > 24 {
        p.at(origin, "[schedule] window_start_hour must come before window_end_hour, both from 0 to 24");
    }
    if s.check_in_hours.is_empty()
        || s.check_in_hours.windows(2).any(|w| w[0] >= w[1])
        || s.check_in_hours.iter().any(|h| !(1..=24 * 30).contains(h))
    {
        p.at(origin, "[schedule] check_in_hours must be ascending hours from 1 to 720");
    }
    if !(1..=72).contains(&s.remind_after_hours) {
        p.at(origin, "[schedule] remind_after_hours must be from 1 to 72");
    }
    let mut extra = Vec::new();
    for (i, e) in s.extra.iter().enumerate() {
        let what = format!("[[schedule.extra]] number {}", i + 1);
        if e.at_hours <= e.after_hours || e.at_hours > 24 * 30 {
            p.at(origin, format!("{what}: at_hours must be after after_hours and at most 720"));
        }
        if e.soreness_at_least.is_none() && e.excess_at_least.is_none() && e.fired_any.is_empty() && !e.trend_not_better
        {
            p.at(origin, format!("{what} has no condition"));
        }
        if e.soreness_at_least.is_some_and(|v| v > 10) || e.excess_at_least.is_some_and(|v| v > 10) {
            p.at(origin, format!("{what}: soreness and excess are from 0 to 10"));
        }
        for id in &e.fired_any {
            if !rules.iter().any(|r| &r.id == id) {
                p.at(origin, format!("{what} names rule `{id}`, which is not a rule"));
            }
        }
        sources(p, origin, &what, source_ids, &e.sources, true);
        extra.push(ExtraCheckIn {
            after_hours: e.after_hours,
            at_hours: e.at_hours,
            soreness_at_least: e.soreness_at_least,
            excess_at_least: e.excess_at_least,
            fired_any: e.fired_any.clone(),
            trend_not_better: e.trend_not_better,
            sources: e.sources.clone(),
        });
    }
    Schedule {
        window_start_hour: s.window_start_hour,
        window_end_hour: s.window_end_hour,
        check_in_hours: s.check_in_hours.clone(),
        remind_after_hours: s.remind_after_hours,
        extra,
    }
}
