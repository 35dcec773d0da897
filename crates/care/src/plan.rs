//! "What to expect" and the aftercare plan (care policy section 5): made from the session and
//! the client, each item with its evidence grade in plain words, cautions applied, stretches
//! for the areas worked, the clinic's products where linked, and the warning signs.

use crate::checkin::{Client, ClientDoc, Session, SessionDoc};
use crate::codes::{CodeSet, Level};
use crate::input::{InputError, InputErrors};
use crate::knowledge::Knowledge;
use crate::knowledge::model::{CautionEffect, ExpectFactor, GradeText, ItemKind, Stretch};
use crate::triage::{Contacts, RedFlag, red_flags};
use crate::vocabulary::SorenessRisk;
use serde::{Deserialize, Serialize};

/// How likely soreness is and its normal course.
#[derive(Debug, Clone, Serialize)]
pub struct Expectation<'k> {
    /// Heading.
    pub title: &'k str,
    /// Whether something about this session makes soreness more likely.
    pub soreness_more_likely: bool,
    /// The summary for this session.
    pub summary: &'k str,
    /// The factors that apply, in words.
    pub factors: Vec<&'k str>,
    /// Their codes.
    pub factor_codes: Vec<ExpectFactor>,
    /// The normal course.
    pub course: &'k [String],
    /// Source ids.
    pub sources: &'k [String],
}

/// What to expect after this session.
pub fn expect<'k>(kb: &'k Knowledge, session: &Session, _client: &Client) -> Expectation<'k> {
    let v = &kb.vocabulary;
    let firm = v.pressures.lookup("firm").unwrap_or(u8::MAX);
    let applies = |f: ExpectFactor| match f {
        ExpectFactor::FirstMassage => session.first_massage,
        ExpectFactor::FirmOrDeepPressure => session.pressure >= firm,
        ExpectFactor::DeepTechnique => v.massage_types.get(session.massage_type).soreness_risk == SorenessRisk::Raised,
        ExpectFactor::HardExerciseBefore => session.hard_exercise_before,
    };
    let e = &kb.plan.expect;
    let factor_codes: Vec<ExpectFactor> = ExpectFactor::ALL.into_iter().filter(|f| applies(*f)).collect();
    let factors = factor_codes
        .iter()
        .map(|f| e.factors[ExpectFactor::ALL.iter().position(|x| x == f).unwrap_or(0)].as_str())
        .collect();
    Expectation {
        title: &e.title,
        soreness_more_likely: !factor_codes.is_empty(),
        summary: if factor_codes.is_empty() { &e.usual } else { &e.raised },
        factors,
        factor_codes,
        course: &e.course,
        sources: &e.sources,
    }
}

/// A clinic product as it arrives, linked to a plan item.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Name.
    pub name: String,
    /// The plan item id it belongs to (for example `epsom_salt`).
    pub item: String,
    /// Where to buy or read about it.
    #[serde(default)]
    pub url: Option<String>,
    /// A short description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A plan request as it arrives: a session, its client and the clinic's products.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDoc {
    /// The session.
    pub session: SessionDoc,
    /// The client.
    #[serde(default)]
    pub client: ClientDoc,
    /// The clinic's products.
    #[serde(default)]
    pub products: Vec<Product>,
}

/// A valid plan request.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The session.
    pub session: Session,
    /// The client.
    pub client: Client,
    /// The products.
    pub products: Vec<Product>,
}

impl PlanDoc {
    /// Validates the request.
    ///
    /// # Errors
    /// Every invalid field, named with its path.
    pub fn validate(&self, kb: &Knowledge) -> Result<PlanRequest, InputErrors> {
        let v = &kb.vocabulary;
        let mut errors = Vec::new();
        let session = self.session.validate(v, "session", &mut errors);
        if self.session.areas.is_empty() {
            errors.push(InputError::new("session.areas", "is empty; list at least one area worked"));
        }
        let client = self.client.validate(v, "client", &mut errors);
        validate_products(kb, &self.products, &mut errors);
        match session {
            Some(session) if errors.is_empty() => Ok(PlanRequest { session, client, products: self.products.clone() }),
            _ => Err(InputErrors(errors)),
        }
    }
}

/// Checks that every product has a name and links to a plan item that exists.
pub fn validate_products(kb: &Knowledge, products: &[Product], errors: &mut Vec<InputError>) {
    for (i, p) in products.iter().enumerate() {
        if p.name.trim().is_empty() {
            errors.push(InputError::new(format!("products[{i}].name"), "is empty"));
        }
        if !kb.plan.items.iter().any(|it| it.id == p.item) {
            let ids: Vec<&str> = kb.plan.items.iter().map(|it| it.id.as_str()).collect();
            errors.push(InputError::new(
                format!("products[{i}].item"),
                format!("`{}` is not a plan item; allowed: {}", p.item, ids.join(", ")),
            ));
        }
    }
}

/// Parses and validates a plan request.
///
/// # Errors
/// Malformed JSON and every invalid field.
pub fn parse_plan_request(kb: &Knowledge, json: &str) -> Result<PlanRequest, InputErrors> {
    let doc: PlanDoc = crate::input::from_json(json)?;
    doc.validate(kb)
}

/// A stretch chosen for the areas worked.
#[derive(Debug, Clone, Serialize)]
pub struct ChosenStretch<'k> {
    /// The stretch.
    #[serde(flatten)]
    pub stretch: &'k Stretch,
    /// The worked areas it is for.
    pub for_areas: Vec<&'k str>,
}

/// A plan item for this client.
#[derive(Debug, Clone, Serialize)]
pub struct PlanEntry<'k> {
    /// Item id.
    pub id: &'k str,
    /// Heading.
    pub title: &'k str,
    /// Paragraphs, cautions applied.
    pub text: Vec<&'k str>,
    /// Cautions that were applied, for staff.
    pub cautions_applied: Vec<&'k str>,
    /// The evidence grade in plain words.
    pub grade: &'k GradeText,
    /// What the evidence does and does not show.
    pub grade_note: Option<&'k str>,
    /// Stretches, for the movement item.
    pub stretches: Vec<ChosenStretch<'k>>,
    /// The clinic's products for this item.
    pub products: Vec<&'k Product>,
    /// Source ids.
    pub sources: &'k [String],
}

/// The aftercare plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan<'k> {
    /// What to expect.
    pub expect: Expectation<'k>,
    /// The items in order.
    pub items: Vec<PlanEntry<'k>>,
    /// When to get help.
    pub warning_signs: Vec<RedFlag<'k>>,
    /// What to do on a warning sign, by level.
    pub emergency_instruction: String,
    /// What to do on a doctor-level sign.
    pub doctor_instruction: String,
    /// The emergency number, when the country is known.
    pub emergency_number: Option<&'k str>,
    /// The product does not diagnose.
    pub disclaimer: &'k str,
}

/// Makes the aftercare plan for a session.
pub fn plan<'k>(
    kb: &'k Knowledge,
    session: &Session,
    client: &Client,
    products: &'k [Product],
    contacts: Contacts<'k>,
) -> Plan<'k> {
    let v = &kb.vocabulary;
    let conditions = v.close_conditions(client.conditions);
    let for_baby = v.massage_types.get(session.massage_type).for_baby;
    let items = kb
        .plan
        .items
        .iter()
        .filter(|item| item.for_baby == for_baby)
        .map(|item| {
            let mut text: Vec<&str> = item.text.iter().map(String::as_str).collect();
            let mut applied = Vec::new();
            // Replacements first, so that no added caution is ever replaced away.
            let applying: Vec<_> = item
                .cautions
                .iter()
                .filter(|c| c.conditions.intersects(conditions) && !c.unless.intersects(conditions))
                .collect();
            for effect in [CautionEffect::Replace, CautionEffect::Add] {
                for c in applying.iter().filter(|c| c.effect == effect) {
                    match effect {
                        CautionEffect::Replace => text = vec![c.text.as_str()],
                        CautionEffect::Add => text.push(&c.text),
                    }
                    applied.push(c.text.as_str());
                }
            }
            PlanEntry {
                id: &item.id,
                title: &item.title,
                text,
                cautions_applied: applied,
                grade: kb.plan.grade(item.grade),
                grade_note: item.grade_note.as_deref(),
                stretches: if item.kind == ItemKind::Stretches {
                    choose_stretches(kb, session.areas)
                } else {
                    Vec::new()
                },
                products: products.iter().filter(|p| p.item == item.id).collect(),
                sources: &item.sources,
            }
        })
        .collect();
    let mut expectation = expect(kb, session, client);
    let warning_signs = if for_baby {
        // Written to the parent about the baby (policy v1.2 section 5).
        expectation.summary = &kb.plan.baby_summary;
        expectation.course = &kb.plan.baby_course;
        expectation.sources = &kb.plan.baby_sources;
        expectation.factors = Vec::new();
        expectation.factor_codes = Vec::new();
        expectation.soreness_more_likely = false;
        kb.plan.baby_warning_signs.iter().map(|t| RedFlag { level: Level::Emergency, text: t }).collect()
    } else {
        let mut flags = red_flags(kb);
        if client.conditions.contains(kb.triage.pregnancy.after_birth) {
            let at = flags.iter().position(|f| f.level < Level::Emergency).unwrap_or(flags.len());
            flags.insert(at, RedFlag { level: Level::Doctor, text: &kb.plan.after_birth_warning });
        }
        flags
    };
    Plan {
        expect: expectation,
        items,
        warning_signs,
        emergency_instruction: contacts.fill(kb, &kb.triage.level(crate::codes::Level::Emergency).instruction),
        doctor_instruction: contacts.fill(kb, &kb.triage.level(crate::codes::Level::Doctor).instruction),
        emergency_number: contacts.country.map(|c| c.emergency.as_str()),
        disclaimer: &kb.triage.disclaimer,
    }
}

/// One stretch for each area worked, in library order, reusing a stretch that already covers
/// an area.
pub fn choose_stretches(kb: &Knowledge, areas: CodeSet) -> Vec<ChosenStretch<'_>> {
    let mut chosen: Vec<(&Stretch, CodeSet)> = Vec::new();
    for area in areas.iter() {
        if let Some((_, for_areas)) = chosen.iter_mut().find(|(s, _)| s.areas.contains(area)) {
            for_areas.insert(area);
            continue;
        }
        // Prefer the stretch that covers the most of the worked areas.
        let best = kb
            .stretches
            .iter()
            .filter(|s| s.areas.contains(area))
            .min_by_key(|s| std::cmp::Reverse(s.areas.iter().filter(|a| areas.contains(*a)).count()));
        if let Some(s) = best {
            let mut set = CodeSet::empty();
            set.insert(area);
            chosen.push((s, set));
        }
    }
    chosen
        .into_iter()
        .map(|(stretch, set)| ChosenStretch { stretch, for_areas: kb.vocabulary.areas.codes_of(set) })
        .collect()
}
