//! The client's check-in, from the link in their message: the link's context is loaded once,
//! the answer is triaged at once, stored with its alert in one transaction, and only then
//! answered, so an acknowledged check-in is never lost. The JSON answer (`POST /c/{token}`)
//! and the page of the form answer are both made from the one [`CheckInOutcome`].

use crate::AppState;
use crate::error::Error;
use crate::secret::{hash_secret, looks_like_link_token, new_link};
use crate::service::profile::{client_doc_of, contacts};
use care::checkin::{CheckInDoc, ReportDoc, SessionDoc};
use care::triage::TriageReport;
use care::{Knowledge, Level};
use followup::outbox;
use followup::window::time_zone;
use serde::{Deserialize, Serialize};
use serde_json::Number;
use std::collections::BTreeMap;
use store::tally::Day;
use store::{CheckInStats, Client, Clinic, ClinicId, FollowUp, NewAlert, NewCheckIn, Session, Store, StoreError};

/// What the client sends.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    /// Soreness 0 to 10, a whole number.
    #[schema(value_type = i64, minimum = 0, maximum = 10)]
    pub soreness: Number,
    /// How the soreness is going since the last check-in: `better`, `same` or `worse`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^(better|same|worse)$")]
    pub trend: Option<String>,
    /// The sore areas, by area code (`neck`, `lower_back`, …).
    #[serde(default)]
    pub sore_areas: Option<Vec<String>>,
    /// The symptoms new or worse since the massage, by code; required, `[]` for none of
    /// these (care policy section 1).
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true)]
    pub symptoms: Option<Vec<String>>,
    /// Temperature in °C, 30.0 to 45.0.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 30.0, maximum = 45.0)]
    pub temperature_c: Option<Number>,
    /// A note in the client's words, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Answers to the follow-up questions, `yes` or `no` by symptom code (`headache`,
    /// `numbness`, `muscle_weakness`, `dizziness`). A ticked symptom whose question is not
    /// answered reads as the serious code, as a blank does on the form.
    #[serde(default)]
    pub follow_ups: Option<BTreeMap<String, String>>,
}

/// Everything a client link leads to, loaded once per request.
#[derive(Debug, Clone)]
pub struct LinkContext {
    /// The follow-up the link belongs to.
    pub follow_up: FollowUp,
    /// Its clinic.
    pub clinic: Clinic,
    /// Its session.
    pub session: Session,
    /// Its client.
    pub client: Client,
    /// The client's latest intake, if they have one.
    pub latest_intake: Option<store::Intake>,
    /// The check-ins already given for the session.
    pub earlier: CheckInStats,
    /// The hours after the session of its follow-ups, in order.
    pub scheduled_hours: Vec<i64>,
}

/// A link that does not lead to a check-in now, and the clinic it belongs to when that is
/// known (for its emergency number on the page that says so).
#[derive(Debug)]
pub struct LinkProblem {
    /// Why: not found (404), expired (410), or the database (503, 500).
    pub error: Error,
    /// The link's clinic, when known.
    pub clinic_id: Option<ClinicId>,
}

impl From<Error> for LinkProblem {
    fn from(error: Error) -> LinkProblem {
        LinkProblem { error, clinic_id: None }
    }
}

/// Loads what a client link leads to, if the link works now. The link's token is the
/// client's only credential.
pub async fn open_link<S: Store>(state: &AppState<S>, token: &str) -> Result<LinkContext, LinkProblem> {
    let hash = looks_like_link_token(token).then(|| hash_secret(token));
    // One read: the follow-up, its clinic, session, client and the client's latest intake,
    // and the check-ins so far.
    let found = match &hash {
        Some(h) => state.store.link_context(h).await,
        None => Ok(None),
    };
    let records = match found {
        Ok(Some(r)) => r,
        Ok(None) => return Err(Error::not_found("link").into()),
        // The database cannot answer: the clinic is the one this link was last seen with.
        Err(e) => {
            let clinic_id = hash.and_then(|h| state.write_health.numbers.clinic_of_link(&h));
            return Err(LinkProblem { error: e.into(), clinic_id });
        }
    };
    let store::LinkRecords { follow_up, clinic, session, client, latest_intake, earlier, scheduled_hours } = records;
    if let Some(h) = &hash {
        state.write_health.numbers.remember_link(h, follow_up.clinic_id);
    }
    if state.clock.now() > follow_up.expires_at {
        return Err(LinkProblem { error: Error::link_expired(), clinic_id: Some(follow_up.clinic_id) });
    }
    if let Some(c) = state.knowledge.country(&clinic.country) {
        state.write_health.numbers.remember(clinic.id, &c.emergency);
    }
    Ok(LinkContext { follow_up, clinic, session, client, latest_intake, earlier, scheduled_hours })
}

/// A rule that fired, as the client reads it: the gentle reason and the advice (clinical
/// reasons are for staff).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FiredReason {
    /// What to do.
    pub advice: String,
    /// The rule's level.
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: Level,
    /// Why, in plain words.
    pub reason: String,
    /// The rule's id (`D-severe-pain`, …).
    pub rule: String,
}

/// A warning sign the note mentions and no box says, with what to do if it is happening now.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteFlag {
    /// The symptom's code.
    pub code: String,
    /// The symptom's group.
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: Level,
    /// The words found in the note.
    pub phrase: String,
    /// "You wrote about …. If this is happening now: …".
    pub text: String,
}

/// A warning sign, shown whatever the answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RedFlag {
    /// `emergency` or `doctor`: what to do when it happens.
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: Level,
    /// The sign in plain words.
    pub text: String,
}

/// What the client should do, as answered to a check-in. The fields are in alphabetical
/// order, the order the API has always answered them in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInOutcome {
    /// The advice of the rules at the answer's level.
    pub advice: Vec<String>,
    /// The stored check-in's number, for the client to quote.
    pub check_in_id: i64,
    /// The product triages and explains; it does not diagnose.
    pub disclaimer: String,
    /// The emergency number of the clinic's country, when known.
    pub emergency_number: Option<String>,
    /// Every rule that fired.
    pub fired: Vec<FiredReason>,
    /// The one thing to do first.
    pub instruction: String,
    /// A short name of the level.
    pub label: String,
    /// The level: `self_care`, `therapist`, `doctor` or `emergency`.
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: Level,
    /// Warning signs the note mentions, shown first.
    pub note_flags: Vec<NoteFlag>,
    /// The warning signs, emergency first.
    pub red_flags: Vec<RedFlag>,
    /// Whether the clinic is told (at once from `doctor`, else in the morning digest).
    pub staff_told: bool,
    /// Whether the clinic is told at once.
    pub staff_told_at_once: bool,
}

/// The answer as stored: as sent, with the symptoms the follow-up answers recorded and what
/// staff must read (the warning signs the note mentions, a baby's age that was unknown).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredReport {
    /// Soreness as sent.
    #[serde(default)]
    pub soreness: Option<Number>,
    /// Trend as sent.
    #[serde(default)]
    pub trend: Option<String>,
    /// Sore areas as sent.
    #[serde(default)]
    pub sore_areas: Option<Vec<String>>,
    /// The symptoms as sent, or as the follow-up answers recorded them.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// The follow-up answers as sent.
    #[serde(default)]
    pub follow_ups: Option<BTreeMap<String, String>>,
    /// Temperature as sent.
    #[serde(default)]
    pub temperature_c: Option<Number>,
    /// The note as sent.
    #[serde(default)]
    pub note: Option<String>,
    /// The warning signs the note mentions and no box says (triaged answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_flags: Option<Vec<NoteFlag>>,
    /// Whether a baby's age was unknown and read as under 3 months (triaged answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baby_age_unknown: Option<bool>,
}

impl StoredReport {
    /// Reads a stored report; one that cannot be read (it never should) reads as empty.
    pub fn read(text: &str) -> StoredReport {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The note, when it says something.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref().map(str::trim).filter(|n| !n.is_empty())
    }
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

/// The answer to an answer that could not be read: 422, what was wrong, and that it was kept.
pub fn not_read_error(n: &NotRead) -> Error {
    let call = n.emergency_number.as_deref().unwrap_or("your local emergency number");
    let first = n.problems.first().cloned().unwrap_or_else(|| care::InputError::new("", "could not be read"));
    Error::invalid(
        first.field.trim_start_matches("report.").to_owned(),
        format!(
            "{}. Your answer was kept and your clinic has been told. If you have any warning sign, call {call} now.",
            n.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        ),
    )
}

/// The engine's input for an answer, and the answer as it will be stored.
struct Prepared {
    doc: CheckInDoc,
    stored: StoredReport,
    hours_since: f64,
    validated: Result<care::checkin::CheckIn, Vec<care::InputError>>,
}

/// Turns the answer into the engine's input: the client as their intake and record say, the
/// baby's age on a baby's session, the follow-up answers applied, exact hours since the end.
async fn prepare<S: Store>(state: &AppState<S>, link: &LinkContext, body: CheckInBody) -> Result<Prepared, Error> {
    let Some(ticked) = body.symptoms.clone() else {
        return Err(Error::invalid(
            "symptoms",
            "is required: list the symptoms that are new or worse, or [] for none of these",
        ));
    };
    let (kb, session, now) = (&state.knowledge, &link.session, state.clock.now());
    // Exact hours from the session's end: never rounded down (care policy section 2).
    let hours_since = now.hours_since(session.ended_at).max(0.0);
    let (mut client, _) = client_doc_of(&state.knowledge, &link.client, link.latest_intake.as_ref(), now)?;
    if kb.vocabulary.massage_types.by_code(&session.massage_type).is_some_and(|t| t.for_baby) {
        // A baby's age is the baby's, from the date of birth on the session, never the
        // parent's; unknown (a session recorded before it was asked) reads as under 3 months.
        let tz = time_zone(link.client.timezone.as_deref(), &link.clinic.timezone);
        let months = session
            .baby_birth_date
            .as_deref()
            .and_then(crate::time::parse_date)
            .zip(crate::time::local_date(now, &tz))
            .map(|(birth, today)| crate::time::completed_months(birth, today).max(0));
        client.age_months = months.map(Number::from);
    }
    let follow_ups = body.follow_ups.clone().unwrap_or_default();
    let followed = care::checkin::apply_follow_ups(kb, &ticked, &follow_ups, "follow_ups");
    let stored = StoredReport {
        soreness: Some(body.soreness.clone()),
        trend: body.trend.clone(),
        sore_areas: body.sore_areas.clone(),
        symptoms: ticked.clone(),
        follow_ups: body.follow_ups,
        temperature_c: body.temperature_c.clone(),
        note: body.note.clone(),
        note_flags: None,
        baby_age_unknown: None,
    };
    let doc = CheckInDoc {
        session: SessionDoc {
            massage_type: session.massage_type.clone(),
            pressure: session.pressure.clone(),
            areas: session.areas.clone(),
            first_massage: Some(session.first_massage),
            hard_exercise_before: None,
        },
        client,
        report: ReportDoc {
            hours_since: Number::from_f64(hours_since).unwrap_or_else(|| Number::from(0)),
            soreness: body.soreness,
            // The lowest earlier soreness, so that a slow climb is seen.
            previous_soreness: link.earlier.lowest_soreness.map(Number::from),
            trend: body.trend,
            sore_areas: body.sore_areas,
            symptoms: followed.as_ref().map_or_else(|_| ticked.clone(), Clone::clone),
            temperature_c: body.temperature_c,
            note: body.note,
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
    Ok(Prepared { doc, stored, hours_since, validated })
}

/// An alert at `level` whose notices go out as for `urgency` (at once from `doctor`).
fn alert<S: Store>(state: &AppState<S>, link: &LinkContext, level: Level, urgency: Level) -> NewAlert {
    let clinic = &link.clinic;
    NewAlert {
        client_id: link.client.id,
        level,
        notices: outbox::alert_notices(
            &state.knowledge,
            clinic.id,
            urgency,
            link.session.staff_id,
            clinic.alert_to.is_some(),
            state.clock.now(),
            &time_zone(None, &clinic.timezone),
        ),
    }
}

/// Triages and stores a check-in for the link's follow-up, and answers what the client should
/// do: eight store calls in all, the link's five included.
///
/// An answer the engine refuses (a value out of range, an unknown code, a follow-up answer
/// that is not yes or no) is never dropped: it is stored as sent, not triaged, the clinic is
/// alerted at once, and it is returned as [`NotRead`] so the client is told what to change
/// (care policy v1.2 section 3). Only an incomplete answer (no symptoms list) is refused
/// without being kept.
pub async fn check_in<S: Store>(
    state: &AppState<S>,
    link: &LinkContext,
    body: CheckInBody,
    words: &Knowledge,
) -> Result<Result<CheckInOutcome, NotRead>, Error> {
    let Prepared { doc, mut stored, hours_since, validated } = prepare(state, link, body).await?;
    let (kb, now) = (&state.knowledge, state.clock.now());
    let emergency_number = contacts(kb, &link.clinic).country.map(|c| c.emergency.as_str());
    // The clinic's outcomes count the answer on its day, and its follow-up on the day it was due.
    let clinic_tz = time_zone(None, &link.clinic.timezone);
    let (day, due_day) = (Day::of(now, &clinic_tz), Day::of(link.follow_up.due_at, &clinic_tz));
    let new = |stored: &StoredReport| NewCheckIn {
        session_id: link.session.id,
        follow_up_id: link.follow_up.id,
        report: serde_json::to_string(stored).unwrap_or_default(),
        soreness: None,
        triaged: false,
        problems: Vec::new(),
        hours_since,
        level: Level::Therapist,
        fired: Vec::new(),
        now,
        day,
        due_day,
    };
    let checkin = match validated {
        Ok(c) => c,
        Err(problems) => {
            // Kept as sent, not triaged, and the clinic told at once.
            let unread = NewCheckIn {
                soreness: doc.report.soreness.as_u64().filter(|s| *s <= 10).map(|s| s as u8),
                problems: problems.iter().map(ToString::to_string).collect(),
                ..new(&stored)
            };
            let raised = alert(state, link, Level::Therapist, Level::Doctor);
            save(state, link.clinic.id, unread, Some(raised), None, emergency_number).await?;
            return Ok(Err(NotRead { problems, emergency_number: emergency_number.map(str::to_owned) }));
        }
    };
    let decision = care::triage(kb, &checkin);
    let report = TriageReport::new(kb, &decision, contacts(kb, &link.clinic));
    let note_flags = note_flags_of(&report);
    stored.symptoms = doc.report.symptoms.clone();
    stored.note_flags = Some(note_flags.clone());
    stored.baby_age_unknown = Some(report.baby_age_unknown);
    let triaged = NewCheckIn {
        soreness: Some(checkin.report.soreness),
        triaged: true,
        level: decision.level,
        fired: report.fired.iter().map(|r| r.rule.to_owned()).collect(),
        ..new(&stored)
    };
    // Staff hear of it (at once for doctor and emergency, in a digest for therapist). A note
    // that mentions a warning sign reaches a person even when the coded answer does not call
    // for one: an emergency-group sign at once, a doctor-group sign in the digest.
    let notice_level = match decision.note_flags.iter().map(|n| n.level).max() {
        Some(Level::Emergency) if decision.level < Level::Emergency => decision.level.max(Level::Doctor),
        Some(_) => decision.level.max(Level::Therapist),
        None => decision.level,
    };
    let raised = (notice_level >= Level::Therapist)
        .then(|| alert(state, link, decision.level.max(Level::Therapist), notice_level));
    let staff_told = raised.is_some();
    // An answer that calls for one more check-in gets it, in the check-in's transaction.
    let (clinic_id, session) = (link.clinic.id, &link.session);
    let fired_ids: Vec<&str> = report.fired.iter().map(|r| r.rule).collect();
    let next = care::schedule::extra_check_in(
        kb,
        link.follow_up.offset_hours,
        &decision.facts,
        &fired_ids,
        &link.scheduled_hours,
    )
    .map(|hours| {
        let tz = time_zone(link.client.timezone.as_deref(), &link.clinic.timezone);
        outbox::check_in(kb, hours, session.ended_at, now, (&tz, &clinic_tz), &new_link())
    });
    let recorded = save(state, clinic_id, triaged, raised, next, emergency_number).await?;
    // What the client reads is in their language: the same decision in `words`' texts (the
    // codes, rules and thresholds of every language are the same). In English it is the
    // report already made.
    let (report, note_flags) = if std::ptr::eq(words, &**kb) {
        (report, note_flags)
    } else {
        let shown = TriageReport::new(words, &decision, contacts(words, &link.clinic));
        let flags = note_flags_of(&shown);
        (shown, flags)
    };
    Ok(Ok(CheckInOutcome {
        advice: report.advice.iter().map(|a| (*a).to_owned()).collect(),
        check_in_id: recorded.id.get(),
        disclaimer: report.disclaimer.to_owned(),
        emergency_number: report.emergency_number.map(str::to_owned),
        fired: report
            .fired
            .iter()
            .map(|r| FiredReason {
                advice: r.advice.to_owned(),
                level: r.level,
                reason: r.reason.to_owned(),
                rule: r.rule.to_owned(),
            })
            .collect(),
        instruction: report.instruction.clone(),
        label: report.label.to_owned(),
        level: report.level,
        note_flags,
        red_flags: report.red_flags.iter().map(|f| RedFlag { level: f.level, text: f.text.to_owned() }).collect(),
        staff_told,
        staff_told_at_once: staff_told && notice_level >= Level::Doctor,
    }))
}

/// The warning signs a report found in the note, as stored and answered.
fn note_flags_of(report: &TriageReport<'_>) -> Vec<NoteFlag> {
    report
        .note_flags
        .iter()
        .map(|n| NoteFlag { code: n.code.clone(), level: n.level, phrase: n.phrase.clone(), text: n.text.clone() })
        .collect()
}

/// Stores a check-in with its alert and next follow-up in one transaction. When the database
/// cannot write, the answer is never answered as saved: the client is told to act on warning
/// signs now, and the answer is kept and saved with its alert as soon as it can write again.
async fn save<S: Store>(
    state: &AppState<S>,
    clinic_id: ClinicId,
    new: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<store::NewFollowUp>,
    emergency_number: Option<&str>,
) -> Result<store::CheckIn, Error> {
    match state.store.record_check_in(clinic_id, new.clone(), alert.clone(), next.clone()).await {
        Ok((recorded, _)) => Ok(recorded),
        Err(StoreError::Unavailable(e)) => {
            tracing::warn!(cause = %e, "a check-in could not be saved and is kept until the database can write");
            state.write_health.keep_check_in(clinic_id, new, alert, next);
            Err(not_saved(emergency_number))
        }
        Err(e) => Err(e.into()),
    }
}

/// The answer to a check-in the database could not save: what to do now, in plain words.
pub fn not_saved(emergency_number: Option<&str>) -> Error {
    let call = emergency_number.map_or_else(|| "your local emergency number".to_owned(), str::to_owned);
    Error::unavailable(format!(
        "We could not save your answer. If you have any warning sign, call {call} now. \
         Otherwise please try again in a few minutes, or phone your clinic."
    ))
}
