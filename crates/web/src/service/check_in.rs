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
    /// Answers to the follow-up questions, `yes` or `no` by symptom code (`headache`,
    /// `numbness`, `muscle_weakness`, `dizziness`). A ticked symptom whose question is not
    /// answered reads as the serious code, as a blank does on the form.
    #[serde(default)]
    pub follow_ups: Option<std::collections::BTreeMap<String, String>>,
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

/// Why a check-in was not triaged (it is stored all the same): the problems, each naming
/// its field.
#[derive(Debug, Clone)]
pub struct NotRead {
    /// Every problem.
    pub problems: Vec<care::InputError>,
    /// The emergency number, when the clinic's country is known.
    pub emergency_number: Option<String>,
}

/// Triages and stores a check-in for follow-up `f`, and answers what the client should do.
///
/// An answer the engine refuses (a value out of range, an unknown code, a follow-up answer
/// that is not yes or no) is never dropped: it is stored as sent, not triaged, the clinic is
/// alerted at once, and the client is told what to change (care policy v1.2 section 3). Only
/// an incomplete answer (no symptoms list) is refused without being kept.
pub async fn submit_check_in<S: Store>(
    state: &AppState<S>,
    f: &FollowUp,
    body: CheckInBody,
) -> Result<Value, ApiError> {
    match triage_and_store(state, f, body).await? {
        Ok(answer) => Ok(answer),
        Err(not_read) => Err(not_read_error(&not_read)),
    }
}

/// The answer to an answer that could not be read: 422, what was wrong, and that it was kept.
pub fn not_read_error(n: &NotRead) -> ApiError {
    let call = n.emergency_number.as_deref().unwrap_or("your local emergency number");
    let first = n.problems.first().cloned().unwrap_or_else(|| care::InputError::new("", "could not be read"));
    ApiError::invalid(
        first.field.trim_start_matches("report.").to_owned(),
        format!(
            "{}. Your answer was kept and your clinic has been told. If you have any warning sign, call {call} now.",
            n.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        ),
    )
}

/// Triages and stores a check-in; an answer the engine refuses is stored untriaged, alerted,
/// and returned as [`NotRead`].
pub async fn triage_and_store<S: Store>(
    state: &AppState<S>,
    f: &FollowUp,
    body: CheckInBody,
) -> Result<Result<Value, NotRead>, ApiError> {
    let Some(ticked) = body.symptoms.clone() else {
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
    let kb = &state.knowledge;
    // Exact hours from the session's end: never rounded down (care policy section 2).
    let hours_since = now.hours_since(session.ended_at).max(0.0);
    let (mut client_doc, _) = client_doc(state, &client, now).await?;
    let for_baby = kb.vocabulary.massage_types.by_code(&session.massage_type).is_some_and(|t| t.for_baby);
    if for_baby {
        // A baby's age is the baby's, from the date of birth on the session, never the
        // parent's; unknown (a session recorded before it was asked) reads as under 3 months.
        let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
        let months = session
            .baby_birth_date
            .as_deref()
            .and_then(crate::time::parse_date)
            .zip(crate::time::local_date(now, &tz))
            .map(|(birth, today)| crate::time::completed_months(birth, today).max(0));
        client_doc.age_months = months.map(Number::from);
    }
    let followed =
        care::checkin::apply_follow_ups(kb, &ticked, &body.follow_ups.clone().unwrap_or_default(), "follow_ups");
    // The answer as sent, stored whether or not it can be triaged.
    let mut sent = json!({
        "soreness": body.soreness, "trend": body.trend, "sore_areas": body.sore_areas, "symptoms": ticked,
        "follow_ups": body.follow_ups, "temperature_c": body.temperature_c, "note": body.note,
    });
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
            symptoms: followed.as_ref().map_or_else(|_| ticked.clone(), Clone::clone),
            temperature_c: body.temperature_c.clone(),
            note: body.note.clone(),
        },
    };
    let validated = match (followed, doc.validate(kb)) {
        (Ok(_), Ok(c)) => Ok(c),
        (Err(mut a), Err(b)) => {
            a.extend(b.0);
            Err(a)
        }
        (Err(a), Ok(_)) => Err(a),
        (Ok(_), Err(b)) => Err(b.0),
    };
    let clinic_tz = time_zone(None, &clinic.timezone);
    // An alert at `level` whose notices go out as for `urgency` (at once from `doctor`).
    let alert = |level: Level, urgency: Level| NewAlert {
        client_id: client.id,
        level: level.code().to_owned(),
        notices: outbox::alert_notices(
            kb,
            clinic_id,
            urgency,
            session.staff_id,
            clinic.alert_to.is_some(),
            now,
            &clinic_tz,
        ),
    };
    let emergency_number = contacts(kb, &clinic).country.map(|c| c.emergency.as_str());
    let checkin = match validated {
        Ok(c) => c,
        Err(problems) => {
            // Kept as sent, not triaged, and the clinic told at once.
            let new = NewCheckIn {
                session_id: session.id,
                follow_up_id: f.id,
                report: sent.to_string(),
                soreness: body.soreness.as_u64().filter(|s| *s <= 10).map(|s| s as u8),
                triaged: false,
                problems: problems.iter().map(ToString::to_string).collect(),
                hours_since,
                level: Level::Therapist.code().to_owned(),
                fired: Vec::new(),
                now,
            };
            save(state, clinic_id, new, Some(alert(Level::Therapist, Level::Doctor)), None, emergency_number).await?;
            return Ok(Err(NotRead { problems, emergency_number: emergency_number.map(str::to_owned) }));
        }
    };
    let decision = care::triage(kb, &checkin);
    let report = TriageReport::new(kb, &decision, contacts(kb, &clinic));
    let fired: Vec<String> = report.fired.iter().map(|r| r.rule.to_owned()).collect();
    let note_flags: Vec<Value> = report
        .note_flags
        .iter()
        .map(|n| json!({"code": n.code, "phrase": n.phrase, "level": n.level, "text": n.text}))
        .collect();
    // As sent, with the symptoms the follow-up answers recorded and what staff must read.
    sent["symptoms"] = json!(doc.report.symptoms);
    sent["note_flags"] = json!(note_flags);
    sent["baby_age_unknown"] = json!(report.baby_age_unknown);
    let new = NewCheckIn {
        session_id: session.id,
        follow_up_id: f.id,
        report: sent.to_string(),
        soreness: Some(checkin.report.soreness),
        triaged: true,
        problems: Vec::new(),
        hours_since,
        level: decision.level.code().to_owned(),
        fired,
        now,
    };
    // Staff hear of it (at once for doctor and emergency, in a digest for therapist), and an
    // answer that calls for one more check-in gets it: all in the check-in's transaction. A
    // note that mentions a warning sign reaches a person even when the coded answer does not
    // call for one: an emergency-group sign at once, a doctor-group sign in the digest.
    let note_level = decision.note_flags.iter().map(|n| n.level).max();
    let notice_level = match note_level {
        Some(Level::Emergency) if decision.level < Level::Emergency => decision.level.max(Level::Doctor),
        Some(_) => decision.level.max(Level::Therapist),
        None => decision.level,
    };
    let raised = (notice_level >= Level::Therapist).then(|| alert(decision.level.max(Level::Therapist), notice_level));
    let staff_told = raised.is_some();
    let staff_told_at_once = staff_told && notice_level >= Level::Doctor;
    let scheduled: Vec<i64> =
        state.store.follow_ups_of_session(clinic_id, session.id).await?.iter().map(|f| f.offset_hours).collect();
    let fired_ids: Vec<&str> = report.fired.iter().map(|r| r.rule).collect();
    let next =
        care::schedule::extra_check_in(kb, f.offset_hours, &decision.facts, &fired_ids, &scheduled).map(|hours| {
            let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
            outbox::check_in(kb, hours, session.ended_at, now, &tz, &new_link())
        });
    let recorded = save(state, clinic_id, new, raised, next, emergency_number).await?;

    // The client sees the gentle reasons and the advice; clinical reasons are for staff.
    let fired: Vec<Value> = report
        .fired
        .iter()
        .map(|r| json!({"rule": r.rule, "level": r.level, "reason": r.reason, "advice": r.advice}))
        .collect();
    Ok(Ok(json!({
        "check_in_id": recorded.id,
        "level": report.level,
        "label": report.label,
        "instruction": report.instruction,
        "emergency_number": report.emergency_number,
        "advice": report.advice,
        "fired": fired,
        "note_flags": note_flags,
        "staff_told": staff_told,
        "staff_told_at_once": staff_told_at_once,
        "red_flags": report.red_flags,
        "disclaimer": report.disclaimer,
    })))
}

/// Stores a check-in with its alert and next follow-up in one transaction. When the database
/// cannot write, the answer is never answered as saved: the client is told to act on warning
/// signs now, and the answer is kept and saved with its alert as soon as it can write again.
async fn save<S: Store>(
    state: &AppState<S>,
    clinic_id: i64,
    new: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<store::NewFollowUp>,
    emergency_number: Option<&str>,
) -> Result<store::CheckIn, ApiError> {
    match state.store.record_check_in(clinic_id, new.clone(), alert.clone(), next.clone()).await {
        Ok((recorded, _)) => Ok(recorded),
        Err(StoreError::Unavailable(e)) => {
            eprintln!("aftercare: a check-in could not be saved and is kept until the database can write: {e}");
            state.write_health.keep_check_in(clinic_id, new, alert, next);
            Err(not_saved(emergency_number))
        }
        Err(e) => Err(e.into()),
    }
}

/// The answer to a check-in the database could not save: what to do now, in plain words.
pub fn not_saved(emergency_number: Option<&str>) -> ApiError {
    let call = emergency_number.map_or_else(|| "your local emergency number".to_owned(), str::to_owned);
    ApiError::unavailable(format!(
        "We could not save your answer. If you have any warning sign, call {call} now. \
         Otherwise please try again in a few minutes, or phone your clinic."
    ))
}
