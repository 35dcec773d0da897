//! The client's check-in: `POST /c/{token}`. The link's token is the client's only
//! credential. The answer is triaged at once, stored with its alert in one transaction, and
//! only then answered, so an acknowledged check-in is never lost.

use crate::AppState;
use crate::error::ApiError;
use crate::profile::{client_doc, contacts};
use crate::secret::{hash_secret, looks_like_secret, new_link};
use care::Level;
use care::checkin::{CheckInDoc, ReportDoc, SessionDoc};
use care::triage::TriageReport;
use followup::outbox;
use followup::window::time_zone;
use serde::Deserialize;
use serde_json::{Number, Value, json};
use store::{FollowUp, NewAlert, NewCheckIn, Store, StoreError};

/// What the client sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    /// Soreness 0-10.
    pub soreness: Number,
    /// better, same, worse.
    #[serde(default)]
    pub trend: Option<String>,
    /// Sore areas.
    #[serde(default)]
    pub sore_areas: Option<Vec<String>>,
    /// Symptoms new or worse since the massage; required, `[]` for none of these.
    #[serde(default)]
    pub symptoms: Option<Vec<String>>,
    /// Temperature in °C.
    #[serde(default)]
    pub temperature_c: Option<Number>,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// The follow-up a link opens, if the link is valid now.
pub async fn follow_up<S: Store>(state: &AppState<S>, token: &str) -> Result<FollowUp, ApiError> {
    if !looks_like_secret(token) {
        return Err(ApiError::not_found("link"));
    }
    let hash = hash_secret(token);
    let f = state.store.follow_up_by_link_hash(&hash).await?.ok_or_else(|| ApiError::not_found("link"))?;
    state.write_health.numbers.remember_link(&hash, f.clinic_id);
    if state.clock.now() > f.expires_at {
        return Err(ApiError::link_expired());
    }
    Ok(f)
}

/// Triages and stores a check-in for follow-up `f`, and answers what the client should do.
pub async fn submit_check_in<S: Store>(
    state: &AppState<S>,
    f: &FollowUp,
    body: CheckInBody,
) -> Result<Value, ApiError> {
    let Some(symptoms) = body.symptoms.clone() else {
        return Err(ApiError::invalid(
            "symptoms",
            "is required: list the symptoms that are new or worse, or [] for none of these",
        ));
    };
    let clinic_id = f.clinic_id;
    let session = state.store.session(clinic_id, f.session_id).await?.ok_or_else(|| ApiError::not_found("link"))?;
    let client = state.store.client(clinic_id, session.client_id).await?.ok_or_else(|| ApiError::not_found("link"))?;
    let clinic = state.store.clinic(clinic_id).await?.ok_or_else(|| ApiError::not_found("link"))?;
    if let Some(c) = state.knowledge.country(&clinic.country) {
        state.write_health.numbers.remember(clinic.id, &c.emergency);
    }
    let earlier = state.store.check_in_stats(clinic_id, session.id).await?;
    let now = state.clock.now();
    // Exact hours from the session's end: never rounded down (care policy section 2).
    let hours_since = now.hours_since(session.ended_at).max(0.0);
    let (client_doc, _) = client_doc(state, &client).await?;
    let doc = CheckInDoc {
        session: SessionDoc {
            massage_type: session.massage_type.clone(),
            pressure: session.pressure.clone(),
            areas: session.areas.clone(),
            first_massage: Some(session.first_massage),
            hard_exercise_before: None,
        },
        client: client_doc,
        report: ReportDoc {
            hours_since: Number::from_f64(hours_since).unwrap_or_else(|| Number::from(0)),
            soreness: body.soreness.clone(),
            // The lowest earlier soreness, so that a slow climb is seen.
            previous_soreness: earlier.lowest_soreness.map(Number::from),
            trend: body.trend.clone(),
            sore_areas: body.sore_areas.clone(),
            symptoms,
            temperature_c: body.temperature_c.clone(),
            note: body.note.clone(),
        },
    };
    let kb = &state.knowledge;
    let checkin = doc.validate(kb).map_err(|e| ApiError::from_input(&e, "report."))?;
    let decision = care::triage(kb, &checkin);
    let report = TriageReport::new(kb, &decision, contacts(kb, &clinic));
    let fired: Vec<String> = report.fired.iter().map(|r| r.rule.to_owned()).collect();
    let submitted = json!({
        "soreness": body.soreness, "trend": body.trend, "sore_areas": body.sore_areas, "symptoms": doc.report.symptoms,
        "temperature_c": body.temperature_c, "note": body.note,
    });
    let new = NewCheckIn {
        session_id: session.id,
        follow_up_id: f.id,
        report: submitted.to_string(),
        soreness: checkin.report.soreness,
        hours_since,
        level: decision.level.code().to_owned(),
        fired,
        now,
    };
    // Staff hear of it (at once for doctor and emergency, in a digest for therapist), and an
    // answer that calls for one more check-in gets it: all in the check-in's transaction.
    let clinic_tz = time_zone(None, &clinic.timezone);
    let alert = (decision.level >= Level::Therapist).then(|| NewAlert {
        client_id: client.id,
        level: decision.level.code().to_owned(),
        notices: outbox::alert_notices(
            kb,
            clinic_id,
            decision.level,
            session.staff_id,
            clinic.alert_to.is_some(),
            now,
            &clinic_tz,
        ),
    });
    let scheduled: Vec<i64> =
        state.store.follow_ups_of_session(clinic_id, session.id).await?.iter().map(|f| f.offset_hours).collect();
    let fired_ids: Vec<&str> = report.fired.iter().map(|r| r.rule).collect();
    let next =
        care::schedule::extra_check_in(kb, f.offset_hours, &decision.facts, &fired_ids, &scheduled).map(|hours| {
            let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
            outbox::check_in(kb, hours, session.ended_at, now, &tz, &new_link())
        });
    let recorded = match state.store.record_check_in(clinic_id, new.clone(), alert.clone(), next.clone()).await {
        Ok((recorded, _)) => recorded,
        Err(StoreError::Unavailable(e)) => {
            // Never answered as saved: the client is told to act on warning signs now, and
            // the answer is saved with its alert as soon as the database can write again.
            eprintln!("aftercare: a check-in could not be saved and is kept until the database can write: {e}");
            state.write_health.keep_check_in(clinic_id, new, alert, next);
            return Err(not_saved(report.emergency_number));
        }
        Err(e) => return Err(e.into()),
    };

    // The client sees the gentle reasons and the advice; clinical reasons are for staff.
    let fired: Vec<Value> = report
        .fired
        .iter()
        .map(|r| json!({"rule": r.rule, "level": r.level, "reason": r.reason, "advice": r.advice}))
        .collect();
    Ok(json!({
        "check_in_id": recorded.id,
        "level": report.level,
        "label": report.label,
        "instruction": report.instruction,
        "emergency_number": report.emergency_number,
        "advice": report.advice,
        "fired": fired,
        "red_flags": report.red_flags,
        "disclaimer": report.disclaimer,
    }))
}

/// The answer to a check-in the database could not save: what to do now, in plain words.
pub fn not_saved(emergency_number: Option<&str>) -> ApiError {
    let call = emergency_number.map_or_else(|| "your local emergency number".to_owned(), str::to_owned);
    ApiError::unavailable(format!(
        "We could not save your answer. If you have any warning sign, call {call} now. \
         Otherwise please try again in a few minutes, or phone your clinic."
    ))
}
