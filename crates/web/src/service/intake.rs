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

/// The latest intake of a client read with their history now, when it still validates: the
/// recommendation a staff page shows.
pub async fn latest_recommendation<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    client: ClientId,
) -> Result<Option<(store::Intake, care::screening::Recommendation<'_>)>, Error> {
    let Some(stored) = state.store.latest_intake(clinic, client).await? else { return Ok(None) };
    let mut doc: IntakeDoc =
        serde_json::from_str(&stored.body).map_err(|e| Error::internal("reading a stored intake", e))?;
    doc.history = history(state, clinic, client).await?;
    Ok(doc.validate(&state.knowledge).ok().map(|valid| (stored, care::recommend(&state.knowledge, &valid))))
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
