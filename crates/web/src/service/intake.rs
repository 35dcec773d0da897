//! A client's intake: stored, screened and answered with the suggested massage types and
//! pressure, the history coming from the client's recorded sessions.

use crate::AppState;
use crate::error::Error;
use care::screening::{IntakeConditionDoc, IntakeDoc, PastSessionDoc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{ClientId, ClinicId, NewIntake, Store};

/// The client's past sessions as the recommendation reads them: type, pressure, the highest
/// soreness reported after it and every rule its check-ins fired.
pub async fn history<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    client: ClientId,
) -> Result<Vec<PastSessionDoc>, Error> {
    let mut history = Vec::new();
    for s in state.store.sessions_of_client(clinic, client, None, u32::MAX).await? {
        let check_ins = state.store.check_ins_of_session(clinic, s.id).await?;
        let Some(max) = check_ins.iter().filter_map(|c| c.soreness).max() else { continue };
        let mut fired: Vec<String> = check_ins.iter().flat_map(|c| c.fired.iter().cloned()).collect();
        fired.sort();
        fired.dedup();
        history.push(PastSessionDoc {
            massage_type: s.massage_type,
            pressure: s.pressure,
            max_soreness: max.into(),
            fired,
        });
    }
    Ok(history)
}

/// A condition at intake.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionBody {
    /// The condition's code (`pregnancy`, `varicose_veins`, …).
    pub code: String,
    /// The areas a local condition affects, by area code.
    #[serde(default)]
    pub areas: Option<Vec<String>>,
}

/// An intake (`POST /api/v1/clients/{id}/intake`). The client's history is not sent: it comes
/// from their recorded sessions.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeBody {
    /// Goal codes, most important first.
    #[serde(default)]
    pub goals: Vec<String>,
    /// Conditions.
    #[serde(default)]
    pub conditions: Vec<ConditionBody>,
    /// Usual pain, 0 to 10.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10)]
    pub usual_pain: Option<serde_json::Number>,
    /// Preferred pressure code.
    #[serde(default)]
    pub preferred_pressure: Option<String>,
    /// Whether this is the client's first massage ever.
    pub first_massage: bool,
    /// Age in completed months.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub age_months: Option<serde_json::Number>,
    /// Weeks of pregnancy, when pregnant.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub pregnancy_weeks: Option<serde_json::Number>,
    /// Not sent: refused with its reason when it is.
    #[serde(default)]
    #[schema(ignore)]
    pub history: Option<Value>,
}

impl IntakeBody {
    /// The intake as the engine reads it, with no history yet.
    fn into_doc(self) -> IntakeDoc {
        IntakeDoc {
            goals: self.goals,
            conditions: self
                .conditions
                .into_iter()
                .map(|c| IntakeConditionDoc { code: c.code, areas: c.areas })
                .collect(),
            usual_pain: self.usual_pain,
            preferred_pressure: self.preferred_pressure,
            first_massage: self.first_massage,
            age_months: self.age_months,
            pregnancy_weeks: self.pregnancy_weeks,
            history: Vec::new(),
        }
    }
}

/// The screening and recommendation of an intake.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntakeOutcome {
    /// The suggested massage types and pressure, with their reasons.
    #[schema(value_type = Object)]
    pub recommendation: Value,
    /// The screening: `proceed`, `modify`, `postpone` or `refer`, with its items.
    #[schema(value_type = Object)]
    pub screening: Value,
}

/// The latest intake of a client, read with their history as it is now.
#[derive(Debug)]
pub struct LatestIntake<'k> {
    /// As stored.
    pub stored: store::Intake,
    /// As the engine reads it.
    pub intake: care::screening::Intake,
    /// Its screening, suggested types and pressure.
    pub recommendation: care::screening::Recommendation<'k>,
}

/// The latest intake of a client read with their history now, when it still validates: the
/// recommendation a staff page shows.
pub async fn latest_recommendation<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    client: ClientId,
) -> Result<Option<LatestIntake<'_>>, Error> {
    let Some(stored) = state.store.latest_intake(clinic, client).await? else { return Ok(None) };
    let mut doc: IntakeDoc =
        serde_json::from_str(&stored.body).map_err(|e| Error::internal("reading a stored intake", e))?;
    doc.history = history(state, clinic, client).await?;
    Ok(doc.validate(&state.knowledge).ok().map(|intake| LatestIntake {
        recommendation: care::recommend(&state.knowledge, &intake),
        stored,
        intake,
    }))
}

/// What the latest intake's screening means for a session about to be recorded: the
/// suggested type and pressure, whether the session should not happen today (and what the
/// client was told), the areas to avoid and the pressure caps, in plain words.
#[derive(Debug, Clone, Default)]
pub struct SessionScreening {
    /// The suggested massage type.
    pub suggested_type: Option<String>,
    /// The suggested pressure.
    pub suggested_pressure: Option<String>,
    /// The suggestion, or the screening's reasons, in a sentence.
    pub suggestion: String,
    /// Not today: the screening items that say so, and what the client is told.
    pub postpone: Option<String>,
    /// Area codes to avoid.
    pub avoid: Vec<String>,
    /// The pressure caps, each a line: the firmest pressure and why, then each region's.
    pub caps: Vec<String>,
}

/// The screening of the client's latest intake for a session form; none when there is no
/// intake.
pub async fn for_session<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    client: ClientId,
) -> Result<SessionScreening, Error> {
    let kb = &state.knowledge;
    let Some(latest) = latest_recommendation(state, clinic, client).await? else {
        return Ok(SessionScreening::default());
    };
    let r = &latest.recommendation;
    let s = &r.screening;
    let pressure_label =
        |code: &str| kb.vocabulary.pressures.by_code(code).map_or_else(|| code.to_owned(), |p| p.label.to_lowercase());
    let suggested_type = r.types.first().map(|t| t.massage_type.to_owned());
    let suggested_pressure = r.pressure.map(str::to_owned);
    let suggestion = match (&suggested_type, &suggested_pressure) {
        (Some(t), Some(p)) => format!("Suggested from the intake: {t}, {p} pressure. {}", r.pressure_reasons.join(" ")),
        _ => format!("Screening: {}", r.pressure_reasons.join(" ")),
    };
    let postpone = care::screening::postpone_message(kb, &latest.intake).map(|told| {
        let why: Vec<&str> = s
            .items
            .iter()
            .filter(|i| i.outcome == care::knowledge::model::ScreeningOutcome::Postpone)
            .map(|i| i.note)
            .collect();
        format!("{} The client was told: {told}", why.join(" "))
    });
    let mut caps: Vec<String> = Vec::new();
    if let Some(cap) = s.pressure_cap {
        caps.push(format!("At most {} pressure. {}", pressure_label(cap), s.notes.join(" ")));
    }
    caps.extend(
        s.region_caps
            .iter()
            .map(|c| format!("At most {} pressure on the {}.", pressure_label(c.at_most), c.region_label)),
    );
    Ok(SessionScreening {
        suggested_type,
        suggested_pressure,
        suggestion,
        postpone,
        avoid: s.avoid_areas.iter().map(|a| (*a).to_owned()).collect(),
        caps,
    })
}

/// Stores the intake `body` of client `client_id` of `clinic` (`raw` as sent) and answers its
/// screening and recommendation.
pub async fn take<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    client_id: ClientId,
    body: IntakeBody,
    raw: String,
) -> Result<IntakeOutcome, Error> {
    if body.history.as_ref().is_some_and(|h| h.as_array().is_none_or(|a| !a.is_empty())) {
        return Err(Error::invalid("history", "is filled from the client's recorded sessions; leave it out"));
    }
    let mut doc = body.into_doc();
    state.store.client(clinic, client_id).await?.ok_or_else(|| Error::not_found("client"))?;
    doc.history = history(state, clinic, client_id).await?;
    let kb = &state.knowledge;
    let intake = doc.validate(kb).map_err(|e| Error::from_input(&e, ""))?;
    let recommendation = care::recommend(kb, &intake);
    state.store.save_intake(clinic, NewIntake { client_id, body: raw, now: state.clock.now() }).await?;
    let mut answer = serde_json::to_value(&recommendation).map_err(|e| Error::internal("an intake's answer", e))?;
    let screening = answer.as_object_mut().and_then(|o| o.remove("screening")).unwrap_or(Value::Null);
    Ok(IntakeOutcome { recommendation: answer, screening })
}
