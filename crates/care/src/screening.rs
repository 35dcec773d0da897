//! Intake screening and recommendation (care policy section 4): what each condition means
//! for today's session, the massage types that fit the client's goals, and a pressure capped
//! by screening and lowered by how sore the last session left the client.

use crate::checkin::{AGE_MONTHS_MAX, PREGNANCY_WEEKS_MAX};
use crate::codes::CodeSet;
use crate::input::{InputError, InputErrors, whole_number};
use crate::knowledge::Knowledge;
use crate::knowledge::model::{ScreeningOutcome, TypeChoice};
use crate::vocabulary::{Region, Vocabulary};
use serde::{Deserialize, Serialize};
use serde_json::Number;

/// A condition at intake, with the areas it affects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeConditionDoc {
    /// Condition code.
    pub code: String,
    /// Areas it affects (local conditions).
    #[serde(default)]
    pub areas: Option<Vec<String>>,
}

/// An earlier session of the client, for the soreness-history step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastSessionDoc {
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// The highest soreness reported after it.
    pub max_soreness: Number,
    /// Triage rules fired by its check-ins.
    #[serde(default)]
    pub fired: Vec<String>,
}

/// An intake as it arrives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeDoc {
    /// Goal codes, most important first.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Conditions.
    #[serde(default)]
    pub conditions: Vec<IntakeConditionDoc>,
    /// Usual pain 0-10.
    #[serde(default)]
    pub usual_pain: Option<Number>,
    /// Preferred pressure code.
    #[serde(default)]
    pub preferred_pressure: Option<String>,
    /// First massage ever.
    pub first_massage: bool,
    /// Age in completed months.
    #[serde(default)]
    pub age_months: Option<Number>,
    /// Weeks of pregnancy.
    #[serde(default)]
    pub pregnancy_weeks: Option<Number>,
    /// Earlier sessions, oldest first.
    #[serde(default)]
    pub history: Vec<PastSessionDoc>,
}

/// A valid condition at intake.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeCondition {
    /// Condition index.
    pub condition: u8,
    /// Areas it affects.
    pub areas: CodeSet,
}

/// A valid earlier session.
#[derive(Debug, Clone, PartialEq)]
pub struct PastSession {
    /// Massage type index.
    pub massage_type: u8,
    /// Pressure index.
    pub pressure: u8,
    /// Highest soreness after it.
    pub max_soreness: u8,
    /// Rules fired by its check-ins.
    pub fired: Vec<String>,
}

/// A valid intake.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    /// Goals in the client's order.
    pub goals: Vec<u8>,
    /// Conditions as given.
    pub conditions: Vec<IntakeCondition>,
    /// Usual pain.
    pub usual_pain: u8,
    /// Preferred pressure.
    pub preferred_pressure: Option<u8>,
    /// First massage ever.
    pub first_massage: bool,
    /// Age in months.
    pub age_months: Option<u32>,
    /// Weeks of pregnancy.
    pub pregnancy_weeks: Option<u8>,
    /// Earlier sessions, oldest first.
    pub history: Vec<PastSession>,
}

impl IntakeDoc {
    /// Validates the intake.
    ///
    /// # Errors
    /// Every invalid field, named with its path.
    pub fn validate(&self, kb: &Knowledge) -> Result<Intake, InputErrors> {
        let v = &kb.vocabulary;
        let mut errors = Vec::new();
        let mut goals = Vec::new();
        for (i, g) in self.goals.iter().enumerate() {
            match v.goals.resolve(&format!("goals[{i}]"), g) {
                Ok(ix) if !goals.contains(&ix) => goals.push(ix),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        let mut conditions = Vec::new();
        for (i, c) in self.conditions.iter().enumerate() {
            let field = format!("conditions[{i}]");
            let code = v.conditions.resolve(&format!("{field}.code"), &c.code);
            let areas = Vocabulary::resolve_set(
                &v.areas,
                &format!("{field}.areas"),
                c.areas.as_deref().unwrap_or_default(),
                &mut errors,
            );
            match code {
                Ok(ix) => {
                    let local = v.conditions.get(ix).local;
                    if !areas.is_empty() && !local {
                        errors.push(InputError::new(
                            format!("{field}.areas"),
                            format!("`{}` is not a local condition, so it takes no areas", c.code),
                        ));
                    }
                    // A local condition says where (policy section 1), unless the screening knows
                    // which regions to avoid without it (varicose veins: the legs).
                    if areas.is_empty() && local && kb.screening.conditions[ix as usize].avoid_regions.is_empty() {
                        errors.push(InputError::new(
                            format!("{field}.areas"),
                            format!("is required for `{}`: list the body areas it affects", c.code),
                        ));
                    }
                    conditions.push(IntakeCondition { condition: ix, areas });
                }
                Err(e) => errors.push(e),
            }
        }
        let mut whole = |field: &str, n: &Option<Number>, max: i64| {
            n.as_ref().and_then(|n| whole_number(field, n, 0, max).map_err(|e| errors.push(e)).ok())
        };
        let usual_pain = whole("usual_pain", &self.usual_pain, 10).map_or(0, |n| n as u8);
        let age_months = whole("age_months", &self.age_months, AGE_MONTHS_MAX).map(|n| n as u32);
        let pregnancy_weeks = whole("pregnancy_weeks", &self.pregnancy_weeks, PREGNANCY_WEEKS_MAX).map(|n| n as u8);
        let preferred_pressure = self
            .preferred_pressure
            .as_deref()
            .and_then(|p| v.pressures.resolve("preferred_pressure", p).map_err(|e| errors.push(e)).ok());
        let mut history = Vec::new();
        for (i, h) in self.history.iter().enumerate() {
            let field = format!("history[{i}]");
            let t = v.massage_types.resolve(&format!("{field}.massage_type"), &h.massage_type);
            let p = v.pressures.resolve(&format!("{field}.pressure"), &h.pressure);
            let s = whole_number(&format!("{field}.max_soreness"), &h.max_soreness, 0, 10);
            for (j, id) in h.fired.iter().enumerate() {
                if kb.triage.rule(id).is_none() {
                    errors.push(InputError::new(
                        format!("{field}.fired[{j}]"),
                        format!("`{id}` is not a known triage rule id"),
                    ));
                }
            }
            match (t, p, s) {
                (Ok(massage_type), Ok(pressure), Ok(s)) => {
                    history.push(PastSession { massage_type, pressure, max_soreness: s as u8, fired: h.fired.clone() });
                }
                (t, p, s) => errors.extend([t.err(), p.err(), s.err()].into_iter().flatten()),
            }
        }
        if errors.is_empty() {
            Ok(Intake {
                goals,
                conditions,
                usual_pain,
                preferred_pressure,
                first_massage: self.first_massage,
                age_months,
                pregnancy_weeks,
                history,
            })
        } else {
            Err(InputErrors(errors))
        }
    }
}

/// Parses and validates an intake.
///
/// # Errors
/// As [`IntakeDoc::validate`], and malformed JSON.
pub fn parse_intake(kb: &Knowledge, json: &str) -> Result<Intake, InputErrors> {
    let doc: IntakeDoc = crate::input::from_json(json)?;
    doc.validate(kb)
}

/// A pressure cap on a region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCap<'k> {
    /// The region.
    pub region: Region,
    /// Plain words for it.
    pub region_label: &'static str,
    /// The firmest pressure allowed there.
    pub at_most: &'k str,
}

/// What one condition means for the session.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningItem<'k> {
    /// Condition code.
    pub condition: &'k str,
    /// Its label.
    pub label: &'k str,
    /// Its outcome.
    pub outcome: ScreeningOutcome,
    /// Areas to avoid.
    pub avoid_areas: Vec<&'k str>,
    /// The firmest pressure allowed anywhere.
    pub pressure_cap: Option<&'k str>,
    /// Caps on regions.
    pub region_caps: Vec<RegionCap<'k>>,
    /// Clearance needed first.
    pub clearance: Option<&'k str>,
    /// For staff.
    pub note: &'k str,
    /// Whether the client gave it or another condition implies it.
    pub implied: bool,
    /// Source ids.
    pub sources: &'k [String],
}

/// The screening of an intake.
#[derive(Debug, Clone, Serialize)]
pub struct Screening<'k> {
    /// The strictest outcome.
    pub outcome: ScreeningOutcome,
    /// One item per condition (given or implied).
    pub items: Vec<ScreeningItem<'k>>,
    /// The firmest pressure allowed anywhere (first massage included).
    pub pressure_cap: Option<&'k str>,
    /// Caps on regions.
    pub region_caps: Vec<RegionCap<'k>>,
    /// Areas to avoid.
    pub avoid_areas: Vec<&'k str>,
    /// Why the pressure is capped, in the order the caps apply.
    pub notes: Vec<&'k str>,
    #[serde(skip)]
    cap: Option<u8>,
    #[serde(skip)]
    region_cap_ix: Vec<(Region, u8)>,
}

/// Screens an intake: one item per condition, and the strictest outcome.
pub fn screen<'k>(kb: &'k Knowledge, intake: &Intake) -> Screening<'k> {
    let v = &kb.vocabulary;
    let given: CodeSet = intake.conditions.iter().map(|c| c.condition).collect();
    let all = v.close_conditions(given);
    let mut outcome = ScreeningOutcome::None;
    let mut cap: Option<u8> = None;
    let mut region_caps: Vec<(Region, u8)> = Vec::new();
    let mut avoid = CodeSet::empty();
    let mut items = Vec::new();
    let mut notes = Vec::new();
    let tighten = |cap: &mut Option<u8>, c: u8| *cap = Some(cap.map_or(c, |x| x.min(c)));
    for ix in all.iter() {
        let entry = &kb.screening.conditions[ix as usize];
        let areas =
            intake.conditions.iter().filter(|c| c.condition == ix).fold(CodeSet::empty(), |a, c| a.union(c.areas));
        // Regions the screening always avoids are avoided whatever areas were given
        // (varicose veins: every leg area, policy v1.2 section 4).
        let areas = if entry.outcome == ScreeningOutcome::AvoidArea {
            entry.avoid_regions.iter().fold(areas, |a, r| a.union(v.areas_in(*r)))
        } else {
            areas
        };
        outcome = outcome.max(entry.outcome);
        if entry.outcome == ScreeningOutcome::AvoidArea {
            avoid = avoid.union(areas);
        }
        if let Some(c) = entry.pressure_cap {
            tighten(&mut cap, c);
        }
        for (region, c) in &entry.region_caps {
            match region_caps.iter_mut().find(|(r, _)| r == region) {
                Some((_, x)) => *x = (*x).min(*c),
                None => region_caps.push((*region, *c)),
            }
        }
        notes.push(entry.note.as_str());
        items.push(ScreeningItem {
            condition: &v.conditions.get(ix).code,
            label: &v.conditions.get(ix).label,
            outcome: entry.outcome,
            avoid_areas: if entry.outcome == ScreeningOutcome::AvoidArea {
                v.areas.codes_of(areas)
            } else {
                Vec::new()
            },
            pressure_cap: entry.pressure_cap.map(|c| v.pressures.get(c).code.as_str()),
            region_caps: entry.region_caps.iter().map(|(r, c)| region_cap(kb, *r, *c)).collect(),
            clearance: entry.clearance.as_deref(),
            note: &entry.note,
            implied: !given.contains(ix),
            sources: &entry.sources,
        });
    }
    if intake.first_massage {
        tighten(&mut cap, kb.screening.first_massage_cap);
        notes.push(&kb.screening.first_massage_note);
    }
    // A region cap looser than the overall cap says nothing more.
    region_caps.retain(|(_, c)| cap.is_none_or(|g| *c < g));
    Screening {
        outcome,
        items,
        pressure_cap: cap.map(|c| v.pressures.get(c).code.as_str()),
        region_caps: region_caps.iter().map(|(r, c)| region_cap(kb, *r, *c)).collect(),
        avoid_areas: v.areas.codes_of(avoid),
        notes,
        cap,
        region_cap_ix: region_caps,
    }
}

fn region_cap(kb: &Knowledge, region: Region, cap: u8) -> RegionCap<'_> {
    RegionCap { region, region_label: region.label(), at_most: &kb.vocabulary.pressures.get(cap).code }
}

/// A suggested massage type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeSuggestion<'k> {
    /// Massage type code.
    pub massage_type: &'k str,
    /// Its label.
    pub label: &'k str,
    /// Why.
    pub reasons: Vec<&'k str>,
}

/// The recommendation for a session.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation<'k> {
    /// The screening it respects.
    pub screening: Screening<'k>,
    /// Massage types, best first; empty when the session is postponed.
    pub types: Vec<TypeSuggestion<'k>>,
    /// The suggested pressure; none when the session is postponed.
    pub pressure: Option<&'k str>,
    /// Why that pressure.
    pub pressure_reasons: Vec<String>,
    /// Types the goals suggested but a condition ruled out, with the reason.
    pub ruled_out: Vec<RuledOut<'k>>,
}

/// A massage type ruled out by a condition.
#[derive(Debug, Clone, Serialize)]
pub struct RuledOut<'k> {
    /// Massage type code.
    pub massage_type: &'k str,
    /// Why.
    pub reason: &'k str,
}

/// Recommends massage types and a pressure from an intake and its history.
pub fn recommend<'k>(kb: &'k Knowledge, intake: &Intake) -> Recommendation<'k> {
    let v = &kb.vocabulary;
    let screening = screen(kb, intake);
    if screening.outcome == ScreeningOutcome::Postpone {
        return Recommendation {
            screening,
            types: Vec::new(),
            pressure: None,
            pressure_reasons: vec!["No massage today: see the screening.".to_owned()],
            ruled_out: Vec::new(),
        };
    }
    let r = &kb.recommendation;
    // Score each type: a type scores more the higher it stands in each goal's list.
    let mut ranked: Vec<(u8, usize, Vec<&'k str>)> = Vec::new();
    let lists: Vec<&'k [TypeChoice]> = if intake.goals.is_empty() {
        vec![&r.default]
    } else {
        intake
            .goals
            .iter()
            .map(|&g| {
                let goal = &r.goals[g as usize];
                match (&goal.first_massage, intake.first_massage) {
                    (Some(first), true) => first.as_slice(),
                    _ => goal.types.as_slice(),
                }
            })
            .collect()
    };
    for list in lists {
        for (pos, choice) in list.iter().enumerate() {
            let score = list.len() - pos;
            match ranked.iter_mut().find(|(t, _, _)| *t == choice.massage_type) {
                Some((_, s, reasons)) => {
                    *s += score;
                    if !reasons.contains(&choice.reason.as_str()) {
                        reasons.push(&choice.reason);
                    }
                }
                None => ranked.push((choice.massage_type, score, vec![&choice.reason])),
            }
        }
    }
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1)); // stable: ties keep goal order
    let conditions = v.close_conditions(intake.conditions.iter().map(|c| c.condition).collect());
    let mut ruled_out = Vec::new();
    for rule in r.conditions.iter().filter(|c| c.conditions.intersects(conditions) && !c.unless.intersects(conditions))
    {
        for (t, _, _) in ranked.iter().filter(|(t, _, _)| rule.avoid.contains(*t)) {
            ruled_out.push(RuledOut { massage_type: &v.massage_types.get(*t).code, reason: &rule.reason });
        }
        ranked.retain(|(t, _, _)| !rule.avoid.contains(*t));
        if let Some(prefer) = rule.prefer {
            match ranked.iter().position(|(t, _, _)| *t == prefer) {
                Some(i) => {
                    let mut entry = ranked.remove(i);
                    entry.2.insert(0, &rule.reason);
                    ranked.insert(0, entry);
                }
                None => ranked.insert(0, (prefer, 0, vec![&rule.reason])),
            }
        }
    }
    if ranked.is_empty() {
        // Every suggestion was ruled out by a condition: fall back to the default types.
        ranked = r.default.iter().map(|c| (c.massage_type, 0, vec![c.reason.as_str()])).collect();
    }
    let types: Vec<TypeSuggestion<'k>> = ranked
        .iter()
        .map(|(t, _, reasons)| TypeSuggestion {
            massage_type: &v.massage_types.get(*t).code,
            label: &v.massage_types.get(*t).label,
            reasons: reasons.clone(),
        })
        .collect();

    // Pressure: preference, then the history step, then the screening caps.
    let pressure_name = |p: u8| v.pressures.get(p).code.as_str();
    let mut reasons = Vec::new();
    let mut pressure = match intake.preferred_pressure {
        Some(p) => {
            reasons.push(format!("The client prefers {} pressure.", pressure_name(p)));
            p
        }
        None => {
            reasons.push(format!("No preference given: {} pressure to start.", pressure_name(r.default_pressure)));
            r.default_pressure
        }
    };
    if let Some(&(top, _, _)) = ranked.first() {
        let last = intake.history.iter().rev().find(|h| h.massage_type == top);
        if let Some(last) = last {
            let fired = last.fired.iter().find(|id| r.history_rules.contains(id));
            if last.max_soreness >= r.history_soreness_at_least || fired.is_some() {
                let lighter = last.pressure.saturating_sub(1);
                if lighter < pressure {
                    let why = match fired {
                        Some(id) => format!("fired {id}"),
                        None => format!("left the client at soreness {}/10", last.max_soreness),
                    };
                    reasons.push(format!(
                        "The last {} session at {} pressure {why}: one step lighter, {}.",
                        v.massage_types.get(top).code,
                        pressure_name(last.pressure),
                        pressure_name(lighter)
                    ));
                    pressure = lighter;
                }
            }
        }
    }
    if let Some(cap) = screening.cap
        && pressure > cap
    {
        reasons.push(format!("Screening allows at most {} pressure.", pressure_name(cap)));
        pressure = cap;
    }
    // A baby's massage is light, always.
    if let Some(&(top, _, _)) = ranked.first()
        && v.massage_types.get(top).for_baby
        && pressure > kb.screening.baby_cap.0
    {
        reasons.push(kb.screening.baby_cap.1.clone());
        pressure = kb.screening.baby_cap.0;
    }
    for (region, cap) in &screening.region_cap_ix {
        if pressure > *cap {
            reasons.push(format!("On {} at most {} pressure.", region.label(), pressure_name(*cap)));
        }
    }
    Recommendation { screening, types, pressure: Some(pressure_name(pressure)), pressure_reasons: reasons, ruled_out }
}

/// What a client whose own intake screens `postpone` is told, in plain words, or None when
/// the massage can go ahead (care policy v1.2 section 4). Only `rebook` conditions postponing
/// means rebooking; any other means seeing a doctor first.
pub fn postpone_message<'k>(kb: &'k Knowledge, intake: &Intake) -> Option<&'k str> {
    let s = screen(kb, intake);
    if s.outcome != ScreeningOutcome::Postpone {
        return None;
    }
    let t = &kb.screening.postpone;
    let v = &kb.vocabulary;
    let conditions = v.close_conditions(intake.conditions.iter().map(|c| c.condition).collect());
    let see_doctor = conditions.iter().any(|c| {
        kb.screening.conditions[c as usize].outcome == ScreeningOutcome::Postpone && !t.rebook_conditions.contains(c)
    });
    Some(if see_doctor { &t.see_doctor } else { &t.rebook })
}
