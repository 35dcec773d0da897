//! plan.toml: the evidence grades, what to expect, the plan items, a baby's plan and the
//! warning sign after birth.

use super::{Problems, RawKnowledge, cites, codes, text};
use crate::knowledge::model::{
    Caution, CautionEffect, ExpectFactor, ExpectText, Grade, GradeText, ItemKind, PlanItem, PlanKnowledge,
};
use crate::vocabulary::Vocabulary;
use std::collections::HashSet;

/// Compiles plan.toml, checking each of its tables, their texts and their sources.
pub(super) fn plan(
    p: &mut Problems,
    raw: &RawKnowledge,
    v: &Vocabulary,
    source_ids: &HashSet<String>,
) -> PlanKnowledge {
    let grades = grades(p, raw);
    let expect = expect(p, raw, source_ids);
    let items = items(p, raw, v, source_ids);
    let (baby_summary, baby_course, baby_warning_signs, baby_sources) = match &raw.baby_plan {
        Some(b) => {
            text(p, &b.origin, "[baby] summary", &b.value.summary);
            if b.value.warning_signs.is_empty() {
                p.at(&b.origin, "[baby] has no warning_signs");
            }
            cites(p, &b.origin, "[baby]", source_ids, &b.value.sources, true);
            (b.value.summary.clone(), b.value.course.clone(), b.value.warning_signs.clone(), b.value.sources.clone())
        }
        None => {
            p.missing("plan.toml", "no [baby] table");
            Default::default()
        }
    };
    let after_birth_warning = match &raw.after_birth {
        Some(a) => {
            text(p, &a.origin, "[after_birth] warning_sign", &a.value.warning_sign);
            cites(p, &a.origin, "[after_birth]", source_ids, &a.value.sources, true);
            a.value.warning_sign.clone()
        }
        None => {
            p.missing("plan.toml", "no [after_birth] table");
            String::new()
        }
    };
    PlanKnowledge {
        grades,
        expect,
        items,
        baby_summary,
        baby_course,
        baby_warning_signs,
        baby_sources,
        after_birth_warning,
    }
}

/// Compiles the `[[grade]]` texts, checking that each evidence grade is described once.
fn grades(p: &mut Problems, raw: &RawKnowledge) -> Vec<GradeText> {
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
    Grade::ALL
        .iter()
        .zip(grades)
        .map(|(g, t)| {
            t.unwrap_or_else(|| {
                p.missing("plan.toml", format!("no [[grade]] for `{}`", g.code()));
                GradeText { code: *g, label: String::new(), meaning: String::new() }
            })
        })
        .collect()
}

/// Compiles the `[expect]` table, checking its sources and that every factor is described.
fn expect(p: &mut Problems, raw: &RawKnowledge, source_ids: &HashSet<String>) -> ExpectText {
    match &raw.expect {
        Some(e) => {
            cites(p, &e.origin, "[expect]", source_ids, &e.value.sources, true);
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
    }
}

/// Compiles the `[[item]]` entries, checking each item and that there is one stretches item and a baby's items.
fn items(p: &mut Problems, raw: &RawKnowledge, v: &Vocabulary, source_ids: &HashSet<String>) -> Vec<PlanItem> {
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
        cites(p, &i.origin, &what, source_ids, &it.sources, true);
        let cautions = it
            .caution
            .iter()
            .map(|c| Caution {
                conditions: codes(p, &i.origin, &format!("{what} caution"), &v.conditions, &c.conditions),
                unless: codes(p, &i.origin, &format!("{what} caution"), &v.conditions, &c.unless),
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
    items
}
