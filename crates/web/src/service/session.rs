//! Recording a session: the plan is made, and the follow-ups are written in the same
//! transaction, each with its own client link. The API and the staff's session form both
//! record through [`record`].

use crate::AppState;
use crate::error::Error;
use crate::secret::new_link;
use crate::service::profile::{client_doc, contacts};
use crate::time::{parse_rfc3339, to_rfc3339};
use care::checkin::SessionDoc;
use followup::outbox::{self, Link};
use followup::window::time_zone;
use serde::{Deserialize, Serialize};
use store::{ClientId, NewSession, Staff, Store, Timestamp};

/// A session to record (`POST /api/v1/sessions`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    /// The client.
    #[schema(minimum = 1)]
    pub client_id: i64,
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// Areas worked, at least one.
    #[schema(min_items = 1)]
    pub areas: Vec<String>,
    /// Techniques, at most 20, each 1 to 100 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub techniques: Vec<String>,
    /// When it ended (RFC 3339); now when left out.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub ended_at: Option<String>,
    /// Notes, at most 4000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// For an `infant` session, required: the baby's date of birth, `YYYY-MM-DD`.
    #[serde(default)]
    pub baby_birth_date: Option<String>,
}

/// The baby's date of birth of a baby's session (care policy v1.2 section 2): required, not
/// in the future, and under 36 months before the session; refused on any other session.
fn baby_birth_date(
    kb: &care::Knowledge,
    body: &SessionBody,
    ended_on: Option<jiff::civil::Date>,
) -> Result<Option<String>, Error> {
    let for_baby = kb.vocabulary.massage_types.by_code(&body.massage_type).is_some_and(|t| t.for_baby);
    let text = body.baby_birth_date.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let Some(text) = text else {
        return if for_baby {
            Err(Error::invalid(
                "baby_birth_date",
                format!("is required for an `{}` session: the baby's date of birth, YYYY-MM-DD", body.massage_type),
            ))
        } else {
            Ok(None)
        };
    };
    if !for_baby {
        return Err(Error::invalid("baby_birth_date", "is only for an `infant` session"));
    }
    let date = crate::time::parse_date(text)
        .ok_or_else(|| Error::invalid("baby_birth_date", format!("`{text}` is not a date in the form YYYY-MM-DD")))?;
    if let Some(on) = ended_on {
        if date > on {
            return Err(Error::invalid("baby_birth_date", "is in the future"));
        }
        let months = crate::time::completed_months(date, on);
        if months >= care::checkin::BABY_AGE_MONTHS_BELOW {
            return Err(Error::invalid(
                "baby_birth_date",
                format!(
                    "is {months} months before the session: an `infant` session is for a baby under {} months",
                    care::checkin::BABY_AGE_MONTHS_BELOW
                ),
            ));
        }
    }
    Ok(Some(date.to_string()))
}

fn ended_at(body: &SessionBody, now: Timestamp) -> Result<Timestamp, Error> {
    let Some(text) = &body.ended_at else { return Ok(now) };
    let t = parse_rfc3339(text).ok_or_else(|| {
        Error::invalid("ended_at", format!("`{text}` is not an RFC 3339 time such as 2026-11-27T15:30:00Z"))
    })?;
    if t.0 > now.0 + 5 * 60 * 1000 {
        return Err(Error::invalid("ended_at", "is in the future"));
    }
    if t < now.plus_hours(-24 * 365) {
        return Err(Error::invalid("ended_at", "is more than a year ago"));
    }
    Ok(t)
}

/// A follow-up of a recorded session, with its client link (shown once: only its hash is kept).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpLink {
    /// The client's check-in address.
    pub check_in_url: String,
    /// When the invitation is due (RFC 3339).
    pub due_at: String,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
    /// The follow-up's id.
    pub id: i64,
    /// `check_in`.
    pub kind: String,
}

/// A recorded session: its plan and follow-ups. The fields are in alphabetical order, the
/// order the API has always answered them in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionOutcome {
    /// The client.
    pub client_id: i64,
    /// When it ended (RFC 3339).
    pub ended_at: String,
    /// Whether it was the client's first massage ever.
    pub first_massage: bool,
    /// The follow-ups, the first with the plan.
    pub follow_ups: Vec<FollowUpLink>,
    /// The session's id.
    pub id: i64,
    /// The client's aftercare plan (see `aftercare plan --json`).
    #[schema(value_type = Object)]
    pub plan: serde_json::Value,
}

/// Records a session by `staff` in their clinic: validates it, makes the plan, and writes the
/// session with its follow-ups.
pub async fn record<S: Store>(state: &AppState<S>, staff: &Staff, body: SessionBody) -> Result<SessionOutcome, Error> {
    let clinic_id = staff.clinic_id;
    let now = state.clock.now();
    let ended_at = ended_at(&body, now)?;
    if body.techniques.len() > 20 || body.techniques.iter().any(|t| t.trim().is_empty() || t.chars().count() > 100) {
        return Err(Error::invalid("techniques", "at most 20, each 1 to 100 characters"));
    }
    if body.notes.as_ref().is_some_and(|n| n.chars().count() > 4000) {
        return Err(Error::invalid("notes", "at most 4000 characters"));
    }
    if body.areas.is_empty() {
        return Err(Error::invalid("areas", "is empty; list at least one area worked"));
    }
    let client =
        state.store.client(clinic_id, ClientId(body.client_id)).await?.ok_or_else(|| Error::not_found("client"))?;
    let clinic = state.store.clinic(clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let kb = &state.knowledge;
    let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
    let baby_birth_date = baby_birth_date(kb, &body, crate::time::local_date(ended_at, &tz))?;
    let (mut client_doc, intake_first) = client_doc(state, &client, now).await?;
    if baby_birth_date.is_some() {
        // The plan is the baby's: the parent's age on the client's record is not the baby's.
        client_doc.age_months = None;
    }
    let first_massage = intake_first && state.store.sessions_of_client(clinic_id, client.id, None, 1).await?.is_empty();
    let session_doc = SessionDoc {
        massage_type: body.massage_type.clone(),
        pressure: body.pressure.clone(),
        areas: body.areas.clone(),
        first_massage: Some(first_massage),
        hard_exercise_before: None,
    };
    let mut errors = Vec::new();
    let session = session_doc.validate(&kb.vocabulary, "", &mut errors);
    let client_values = client_doc.validate(&kb.vocabulary, "client", &mut errors);
    let session = match session {
        Some(s) if errors.is_empty() => s,
        _ => {
            let e = care::InputErrors(errors);
            return Err(Error::from_input(&e, "."));
        }
    };
    let products = crate::service::profile::products(state, clinic_id).await?;
    let plan = care::plan(kb, &session, &client_values, &products, contacts(kb, &clinic));
    let plan = serde_json::to_value(&plan).map_err(|e| Error::internal("plan", e))?;

    // The clinic's schedule (24 h and 48 h after the session's end unless it changed them),
    // each check-in with its own link; the plan goes with the first.
    let links: Vec<Link> = clinic.check_in_hours.iter().map(|_| new_link()).collect();
    let clinic_tz = time_zone(None, &clinic.timezone);
    let follow_ups = outbox::session(kb, &clinic.check_in_hours, ended_at, now, (&tz, &clinic_tz), &links);
    let new = NewSession {
        baby_birth_date,
        client_id: client.id,
        staff_id: staff.id,
        massage_type: body.massage_type,
        pressure: body.pressure,
        areas: body.areas,
        techniques: body.techniques,
        first_massage,
        notes: body.notes,
        ended_at,
        now,
    };
    let (recorded, follow_ups) = state.store.record_session(clinic_id, new, follow_ups).await?;
    let follow_ups = follow_ups
        .iter()
        .zip(&links)
        .map(|(f, Link { token, .. })| FollowUpLink {
            check_in_url: format!("{}/c/{token}", state.base_url),
            due_at: to_rfc3339(f.due_at),
            expires_at: to_rfc3339(f.expires_at),
            id: f.id.get(),
            kind: f.kind.clone(),
        })
        .collect();
    Ok(SessionOutcome {
        client_id: client.id.get(),
        ended_at: to_rfc3339(ended_at),
        first_massage,
        follow_ups,
        id: recorded.id.get(),
        plan,
    })
}
