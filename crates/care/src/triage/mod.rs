//! Check-in triage (care policy section 3): every rule that matches fires, and the level is
//! the highest level fired. [`triage`] is the hot path and works on indices only;
//! [`TriageReport`] adds the words for the client and staff.

pub mod condition;

use crate::checkin::CheckIn;
use crate::codes::{CodeSet, Level};
use crate::knowledge::Knowledge;
use crate::knowledge::model::{Country, LevelText, Rule};
use crate::note::{NoteFlag, unreported_flags};
use condition::Facts;
use serde::Serialize;

/// The decision: the level and the rules that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// The highest level fired, or `self_care`.
    pub level: Level,
    /// Indices of the fired rules in [`crate::knowledge::model::TriageKnowledge::rules`], in
    /// file order.
    pub fired: Vec<u16>,
    /// The facts the rules saw.
    pub facts: Facts,
    /// Warning signs the free-text note mentions. They never set the level; they reach a
    /// person (care policy v1.2 section 3).
    pub note_flags: Vec<NoteFlag>,
}

impl Triage {
    /// The fired rules.
    pub fn fired_rules<'k>(&self, kb: &'k Knowledge) -> impl Iterator<Item = &'k Rule> + use<'k, '_> {
        self.fired.iter().map(|&i| &kb.triage.rules[i as usize])
    }
}

/// Normalises a check-in into the facts the rules read (care policy section 2): a
/// temperature at or above the fever threshold adds `fever`, specific symptoms add their
/// general ones, conditions add the ones they imply, and usual pain gives `excess`.
pub fn facts(kb: &Knowledge, c: &CheckIn) -> Facts {
    let v = &kb.vocabulary;
    let mut symptoms = c.report.symptoms;
    if c.report.temperature_c.is_some_and(|t| t >= kb.triage.fever_at_least_c) {
        symptoms.insert(kb.triage.fever_symptom);
    }
    let symptoms = v.close_symptoms(symptoms);
    let rise = c.report.previous_soreness.map(|p| c.report.soreness as i8 - p as i8);
    Facts {
        symptoms,
        conditions: v.close_conditions(c.client.conditions),
        areas_involved: c.session.areas.union(c.report.sore_areas),
        soreness: c.report.soreness,
        excess: c.report.soreness.saturating_sub(c.client.usual_pain),
        rise,
        hours_since: c.report.hours_since,
        trend: c.report.trend,
        temperature_c: c.report.temperature_c,
        age_months: c.client.age_months,
        baby_age_unknown: c.client.age_months.is_none() && v.massage_types.get(c.session.massage_type).for_baby,
        pregnancy_weeks: c.client.pregnancy_weeks,
    }
}

/// Triages a check-in.
pub fn triage(kb: &Knowledge, checkin: &CheckIn) -> Triage {
    let mut t = decide(kb, facts(kb, checkin));
    if let Some(note) = &checkin.report.note {
        t.note_flags = unreported_flags(kb, note, t.facts.symptoms);
    }
    t
}

/// Runs every rule on `facts`.
pub fn decide(kb: &Knowledge, facts: Facts) -> Triage {
    let mut level = Level::SelfCare;
    let mut fired = Vec::new();
    for (i, rule) in kb.triage.rules.iter().enumerate() {
        if rule.when.holds(&facts) {
            level = level.max(rule.level);
            fired.push(i as u16);
        }
    }
    Triage { level, fired, facts, note_flags: Vec::new() }
}

/// Who to call, for the words of the result.
#[derive(Debug, Clone, Copy, Default)]
pub struct Contacts<'a> {
    /// The clinic's country, when known.
    pub country: Option<&'a Country>,
}

impl Contacts<'_> {
    /// Fills `{emergency}` and `{urgent_advice}` in a text, with `kb`'s words where the
    /// country has no such number or is not known.
    pub fn fill(&self, kb: &Knowledge, text: &str) -> String {
        let emergency = match self.country {
            Some(c) => c.emergency.clone(),
            None => kb.triage.no_number.0.clone(),
        };
        let urgent = match self.country.and_then(|c| c.urgent_advice.as_ref().map(|n| (n, &c.urgent_advice_name))) {
            Some((number, Some(name))) if name.contains(number.as_str()) => name.clone(),
            Some((number, Some(name))) => format!("{name} ({number})"),
            Some((number, None)) => number.clone(),
            None => kb.triage.no_number.1.clone(),
        };
        text.replace("{emergency}", &emergency).replace("{urgent_advice}", &urgent)
    }
}

/// A fired rule, in words.
#[derive(Debug, Clone, Serialize)]
pub struct FiredRule<'k> {
    /// Rule id.
    pub rule: &'k str,
    /// Its level.
    pub level: Level,
    /// The reason for the client.
    pub reason: &'k str,
    /// The reason for staff.
    pub clinical_reason: &'k str,
    /// What to do.
    pub advice: &'k str,
    /// Source ids.
    pub sources: &'k [String],
}

/// A warning sign in the result.
#[derive(Debug, Clone, Serialize)]
pub struct RedFlag<'k> {
    /// When acting on it.
    pub level: Level,
    /// The sign.
    pub text: &'k str,
}

/// A source cited by the result.
#[derive(Debug, Clone, Serialize)]
pub struct Citation<'k> {
    /// Source id.
    pub id: &'k str,
    /// The citation.
    pub citation: String,
    /// Kind of evidence.
    pub evidence: &'k str,
}

/// The whole result of triage, in words.
#[derive(Debug, Clone, Serialize)]
pub struct TriageReport<'k> {
    /// The level.
    pub level: Level,
    /// A short name for it.
    pub label: &'k str,
    /// What the client is told first: the level's instruction, or the first instruction of
    /// a rule that fired at the level (maternity unit, cancer team, a baby).
    pub instruction: String,
    /// The emergency number, when the country is known.
    pub emergency_number: Option<&'k str>,
    /// The advice of the rules at the result's level (what to do now).
    pub advice: Vec<&'k str>,
    /// Every fired rule.
    pub fired: Vec<FiredRule<'k>>,
    /// The warning signs, emergency first; shown whatever the level.
    pub red_flags: Vec<RedFlag<'k>>,
    /// The product does not diagnose.
    pub disclaimer: &'k str,
    /// The symptoms after normalisation.
    pub symptoms: Vec<&'k str>,
    /// Soreness above usual pain.
    pub excess: u8,
    /// Rise since the lowest earlier soreness, when known.
    pub rise: Option<i8>,
    /// Every source the fired rules cite.
    pub citations: Vec<Citation<'k>>,
    /// Warning signs the note mentions, most urgent first.
    pub note_flags: Vec<NoteFlagText<'k>>,
    /// A baby's session whose baby's age was unknown, read as under 3 months.
    pub baby_age_unknown: bool,
}

/// A warning sign the note mentions, with what to do if it is happening now.
#[derive(Debug, Clone, Serialize)]
pub struct NoteFlagText<'k> {
    /// The symptom code.
    pub code: String,
    /// The phrase found.
    pub phrase: String,
    /// The symptom's label.
    pub label: &'k str,
    /// The symptom's group.
    pub level: Level,
    /// "You wrote about {label}. If this is happening now: {instruction}".
    pub text: String,
}

impl<'k> TriageReport<'k> {
    /// Puts a decision into words.
    pub fn new(kb: &'k Knowledge, t: &Triage, contacts: Contacts<'k>) -> TriageReport<'k> {
        let level_text = kb.triage.level(t.level);
        let fired: Vec<FiredRule<'k>> = t
            .fired_rules(kb)
            .map(|r| FiredRule {
                rule: &r.id,
                level: r.level,
                reason: &r.client_reason,
                clinical_reason: &r.clinical_reason,
                advice: &r.advice,
                sources: &r.sources,
            })
            .collect();
        let mut advice: Vec<&str> = Vec::new();
        for f in fired.iter().filter(|f| f.level == t.level) {
            if !advice.contains(&f.advice) {
                advice.push(f.advice);
            }
        }
        let mut citations: Vec<Citation<'k>> = Vec::new();
        for id in fired.iter().flat_map(|f| f.sources.iter()) {
            if citations.iter().any(|c| c.id == id) {
                continue;
            }
            if let Some(s) = kb.source(id) {
                citations.push(Citation { id: &s.id, citation: s.citation(), evidence: &s.evidence });
            }
        }
        let (label, instruction) = first_instruction(kb, t, level_text);
        let note_flags = t
            .note_flags
            .iter()
            .map(|f| {
                let label = kb.vocabulary.symptoms.by_code(&f.code).map_or("", |s| s.label.as_str());
                let what = contacts.fill(kb, &kb.triage.level(f.level).instruction);
                NoteFlagText {
                    code: f.code.clone(),
                    phrase: f.phrase.clone(),
                    label,
                    level: f.level,
                    text: kb.triage.note_flag.replace("{phrase}", &f.phrase).replace("{what}", &what),
                }
            })
            .collect();
        TriageReport {
            level: t.level,
            label,
            instruction: contacts.fill(kb, instruction),
            emergency_number: contacts.country.map(|c| c.emergency.as_str()),
            advice,
            fired,
            red_flags: red_flags(kb),
            disclaimer: &kb.triage.disclaimer,
            symptoms: kb.vocabulary.symptoms.codes_of(t.facts.symptoms),
            excess: t.facts.excess,
            rise: t.facts.rise,
            citations,
            note_flags,
            baby_age_unknown: t.facts.baby_age_unknown,
        }
    }
}

/// The label and first instruction of a result (care policy v1.2 section 3, "One first
/// instruction"): a rule's own instruction replaces the level's when the rule fired at the
/// result's level. At `emergency` it does so only when every emergency rule that fired
/// carries one, so that "call the emergency number now" is never put second. A self-care
/// result at the client's usual pain level is not called normal soreness.
fn first_instruction<'k>(kb: &'k Knowledge, t: &Triage, level_text: &'k LevelText) -> (&'k str, &'k str) {
    let at_level: Vec<&Rule> = t.fired_rules(kb).filter(|r| r.level == t.level).collect();
    let own = at_level.iter().find_map(|r| r.first_instruction.as_deref().map(|i| (r, i)));
    if let Some((rule, instruction)) = own
        && (t.level < Level::Emergency || at_level.iter().all(|r| r.first_instruction.is_some()))
    {
        return (rule.headline.as_deref().unwrap_or(&level_text.label), instruction);
    }
    if t.level == Level::SelfCare && t.facts.soreness >= kb.triage.usual_pain_soreness_at_least {
        return (&kb.triage.usual_pain.0, &kb.triage.usual_pain.1);
    }
    (&level_text.label, &level_text.instruction)
}

/// The warning signs, most urgent first.
pub fn red_flags(kb: &Knowledge) -> Vec<RedFlag<'_>> {
    let mut flags: Vec<RedFlag<'_>> =
        kb.triage.warning_signs.iter().map(|w| RedFlag { level: w.level, text: &w.text }).collect();
    flags.sort_by_key(|f| std::cmp::Reverse(f.level));
    flags
}

/// The symptoms of a level's group (for forms that ask the emergency group first).
pub fn symptoms_in_group(kb: &Knowledge, level: Level) -> CodeSet {
    kb.vocabulary
        .symptoms
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, s)| s.group == level)
        .map(|(i, _)| i as u8)
        .collect()
}
