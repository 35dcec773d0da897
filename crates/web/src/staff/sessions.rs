//! Taking an intake and recording a session from the client's page: the intake gives the
//! screening and the suggested type and pressure; the session form (a body map with plain
//! checkboxes beneath it) previews the aftercare plan before saving, and saving shows the
//! client's plan and check-in links once.

use crate::AppState;
use crate::error::Error;
use crate::extract::{Fields, PathId, StaffForm};
use crate::intake_form::{Choice, IntakeChoices, LocalCondition, choices, intake_answers};
use crate::service::profile::{client_doc, contacts};
use crate::service::session::{SessionBody, SessionOutcome};
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, local_time, render, respond};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::{ClientId, NewIntake, Role, Store};

#[derive(Template)]
#[template(path = "staff/intake.html")]
struct IntakePage {
    layout: Layout,
    client_id: ClientId,
    client_name: String,
    goals: Vec<Choice>,
    conditions: Vec<Choice>,
    local: Vec<LocalCondition>,
    pressures: Vec<Choice>,
    /// `yes`, `no`, or empty when not answered.
    first_massage: String,
    usual_pain: String,
    pregnancy_weeks: String,
    due_date: String,
    error: Option<String>,
    /// What came before: the last intake it was filled in from, and the sessions since.
    before: IntakeContext,
}

/// An earlier session, beside the intake form.
#[derive(Debug)]
struct HistoryLine {
    when: String,
    what: String,
    /// The highest soreness reported after it.
    soreness: String,
    /// The most urgent answer after it, when any was above self-care.
    level: Option<care::Level>,
}

/// What the intake form shows beside it: where its answers came from, the client's sessions,
/// and the pressure the last intake suggests now, with why.
#[derive(Debug, Default)]
struct IntakeContext {
    previous: Option<String>,
    history: Vec<HistoryLine>,
    pressure_note: Option<String>,
}

async fn client_and_clinic<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    id: ClientId,
) -> Result<(store::Clinic, store::Client), Error> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let client = state.store.client(clinic.id, id).await?.ok_or_else(|| Error::not_found("client"))?;
    Ok((clinic, client))
}

fn intake_page(
    state_kb: &care::Knowledge,
    who: &SignedIn,
    clinic: &store::Clinic,
    client: &store::Client,
    f: &Fields,
    error: Option<String>,
    before: IntakeContext,
) -> IntakePage {
    let IntakeChoices { goals, conditions, local, pressures } = choices(state_kb, f);
    let text = |name: &str| f.one(name).unwrap_or_default().to_owned();
    IntakePage {
        layout: Layout::signed_in(who, clinic, format!("Intake: {}", client.name), "clients"),
        client_id: client.id,
        client_name: client.name.clone(),
        goals,
        conditions,
        local,
        pressures,
        first_massage: text("first_massage"),
        usual_pain: text("usual_pain"),
        pregnancy_weeks: text("pregnancy_weeks"),
        due_date: text("due_date"),
        error,
        before,
    }
}

/// The form's fields from an intake as it stands now: its conditions and weeks of pregnancy
/// counted on from the day it was recorded, and not a first massage once there have been
/// sessions.
fn fields_of_intake(
    kb: &care::Knowledge,
    latest: &crate::service::intake::LatestIntake<'_>,
    now: store::Timestamp,
    had_sessions: bool,
) -> Fields {
    let Ok(doc) = serde_json::from_str::<care::screening::IntakeDoc>(&latest.stored.body) else {
        return Fields::default();
    };
    let days = (now.0 - latest.stored.created_at.0).max(0) / (24 * store::Timestamp::HOUR_MS);
    let codes: Vec<String> = doc.conditions.iter().map(|c| c.code.clone()).collect();
    let recorded_weeks = doc.pregnancy_weeks.as_ref().and_then(serde_json::Number::as_i64);
    let (kept, weeks) = care::checkin::conditions_at(kb, &codes, recorded_weeks, days);
    let mut f: Vec<(String, String)> = doc.goals.iter().map(|g| ("goal".to_owned(), g.clone())).collect();
    for c in doc.conditions.iter().filter(|c| kept.contains(&c.code)) {
        f.push(("condition".to_owned(), c.code.clone()));
        for a in c.areas.iter().flatten() {
            f.push((format!("areas_{}", c.code), a.clone()));
        }
    }
    f.push(("first_massage".to_owned(), if doc.first_massage && !had_sessions { "yes" } else { "no" }.to_owned()));
    if let Some(p) = &doc.preferred_pressure {
        f.push(("preferred_pressure".to_owned(), p.clone()));
    }
    if let Some(n) = &doc.usual_pain {
        f.push(("usual_pain".to_owned(), n.to_string()));
    }
    if let Some(w) = weeks {
        f.push(("pregnancy_weeks".to_owned(), w.to_string()));
    }
    Fields(f)
}

/// What the intake form shows beside it, and the latest intake's answers to start from.
async fn intake_context<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    client: &store::Client,
) -> Result<(IntakeContext, Option<Fields>), Error> {
    let kb = &state.knowledge;
    let label =
        |code: &str| kb.vocabulary.massage_types.by_code(code).map_or_else(|| code.to_owned(), |t| t.label.clone());
    let mut history = Vec::new();
    let sessions = state.store.sessions_of_client(clinic.id, client.id, None, u32::MAX).await?;
    for s in sessions.iter().rev().take(10) {
        let check_ins = state.store.check_ins_of_session(clinic.id, s.id).await?;
        history.push(HistoryLine {
            when: local_time(s.ended_at, &clinic.timezone),
            what: format!("{}, {} pressure", label(&s.massage_type), s.pressure),
            soreness: check_ins
                .iter()
                .filter_map(|c| c.soreness)
                .max()
                .map_or_else(|| "no answer".to_owned(), |m| format!("at most {m} out of 10")),
            level: check_ins.iter().map(|c| c.level).max().filter(|l| *l > care::Level::SelfCare),
        });
    }
    let Some(latest) = crate::service::intake::latest_recommendation(state, clinic.id, client.id).await? else {
        return Ok((IntakeContext { history, ..IntakeContext::default() }, None));
    };
    let r = &latest.recommendation;
    let pressure_note = Some(match r.pressure {
        Some(p) => format!("Suggested pressure now: {p}. {}", r.pressure_reasons.join(" ")),
        None => r.pressure_reasons.join(" "),
    });
    let previous = Some(format!(
        "Filled in from the intake of {}. Ask what has changed, and change only that.",
        local_time(latest.stored.created_at, &clinic.timezone)
    ));
    let fields = fields_of_intake(kb, &latest, state.clock.now(), !sessions.is_empty());
    Ok((IntakeContext { previous, history, pressure_note }, Some(fields)))
}

/// `GET /clients/{id}/intake`: a new intake, filled in from the last one when there is one.
pub async fn intake_form<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    PathId(id): PathId<ClientId>,
) -> Response {
    let result = async {
        let (clinic, client) = client_and_clinic(&state, &who, id).await?;
        let (before, fields) = intake_context(&state, &clinic, &client).await?;
        Ok(intake_page(&state.knowledge, &who, &clinic, &client, &fields.unwrap_or_default(), None, before))
    };
    respond(result.await, StatusCode::OK)
}

/// `POST /clients/{id}/intake`: stores the intake (as the API does) and shows the client.
pub async fn save_intake<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ClientId>,
    StaffForm { who, fields: f }: StaffForm,
) -> Response {
    let (clinic, client) = match client_and_clinic(&state, &who, id).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let kb = &state.knowledge;
    let tz = followup::window::time_zone(client.timezone.as_deref(), &clinic.timezone);
    let today = crate::time::local_date(state.clock.now(), &tz).unwrap_or_default();
    let answers = match intake_answers(state.languages.english(), &f, today) {
        Ok(a) => a,
        Err(problem) => {
            let before = match intake_context(&state, &clinic, &client).await {
                Ok((before, _)) => before,
                Err(e) => return e.into_response(),
            };
            return render(
                &intake_page(kb, &who, &clinic, &client, &f, Some(problem), before),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let saved = state
        .store
        .save_intake(clinic.id, NewIntake { client_id: client.id, body: answers.to_string(), now: state.clock.now() })
        .await;
    match saved {
        Ok(_) => {
            crate::audit::changed(
                &state,
                &who.staff,
                &who.address,
                Some(client.id),
                store::AuditAction::TakeIntake,
                "",
            )
            .await;
            Redirect::to(&format!("/clients/{}", client.id)).into_response()
        }
        Err(e) => Error::from(e).into_response(),
    }
}

/// A body area on the map.
#[derive(Debug)]
struct AreaChoice {
    code: String,
    label: String,
    checked: bool,
    /// The screening says to avoid it.
    avoid: bool,
}

/// A plan item in the preview.
#[derive(Debug)]
struct PreviewItem {
    title: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/session.html")]
struct SessionPage {
    layout: Layout,
    client_id: ClientId,
    client_name: String,
    types: Vec<Choice>,
    pressures: Vec<Choice>,
    areas: Vec<AreaChoice>,
    techniques: String,
    notes: String,
    /// The baby's date of birth, for an infant session.
    baby_birth_date: String,
    /// When the session ended, local time (`YYYY-MM-DDTHH:MM`), when not now.
    ended_at: String,
    /// The latest ended time the form accepts: now, local time.
    ended_max: String,
    suggestion: String,
    /// Not today, and why: a red banner that must be acknowledged before saving.
    postpone: Option<String>,
    postpone_ack: bool,
    /// The pressure caps, each a line.
    caps: Vec<String>,
    /// The areas to avoid, by label.
    avoid: Vec<String>,
    avoid_ack: bool,
    preview: Vec<PreviewItem>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/session_saved.html")]
struct SavedPage {
    layout: Layout,
    client_id: ClientId,
    client_name: String,
    plan_url: String,
    /// The plan's link as a QR code, for the client to scan from this screen.
    plan_qr: String,
    links: Vec<(String, String)>,
}

async fn session_page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    clinic: &store::Clinic,
    client: &store::Client,
    f: &Fields,
    preview: Vec<PreviewItem>,
    error: Option<String>,
) -> Result<SessionPage, Error> {
    let kb = &state.knowledge;
    let v = &kb.vocabulary;
    // The suggestion from the latest intake picks the defaults; its screening is shown.
    let screening = crate::service::intake::for_session(state, clinic.id, client.id).await?;
    let chosen_type = f.one("massage_type").map(str::to_owned).or(screening.suggested_type.clone());
    let chosen_pressure = f
        .one("pressure")
        .map(str::to_owned)
        .or(screening.suggested_pressure.clone())
        .unwrap_or_else(|| "medium".to_owned());
    let area_label = |code: &String| v.areas.by_code(code).map_or_else(|| code.clone(), |a| a.label.to_lowercase());
    let tz = followup::window::time_zone(client.timezone.as_deref(), &clinic.timezone);
    let areas = f.all("area");
    Ok(SessionPage {
        layout: Layout::signed_in(who, clinic, format!("Record a session: {}", client.name), "clients"),
        client_id: client.id,
        client_name: client.name.clone(),
        types: v
            .massage_types
            .entries()
            .iter()
            .map(|t| Choice {
                code: t.code.clone(),
                label: t.label.clone(),
                hint: t.hint.clone(),
                checked: chosen_type.as_deref() == Some(t.code.as_str()),
            })
            .collect(),
        pressures: v
            .pressures
            .entries()
            .iter()
            .map(|p| Choice {
                code: p.code.clone(),
                label: p.label.clone(),
                hint: p.hint.clone(),
                checked: chosen_pressure == p.code,
            })
            .collect(),
        areas: v
            .areas
            .entries()
            .iter()
            .map(|a| AreaChoice {
                code: a.code.clone(),
                label: a.label.clone(),
                checked: areas.contains(&a.code.as_str()),
                avoid: screening.avoid.contains(&a.code),
            })
            .collect(),
        techniques: f.one("techniques").unwrap_or_default().to_owned(),
        notes: f.one("notes").unwrap_or_default().to_owned(),
        baby_birth_date: f.one("baby_birth_date").unwrap_or_default().to_owned(),
        ended_at: f.one("ended_at").unwrap_or_default().to_owned(),
        ended_max: local_minute(state.clock.now(), &tz),
        suggestion: screening.suggestion,
        postpone: screening.postpone,
        postpone_ack: f.one("postpone_ack") == Some("yes"),
        caps: screening.caps,
        avoid: screening.avoid.iter().map(area_label).collect(),
        avoid_ack: f.one("avoid_ack") == Some("yes"),
        preview,
        error,
    })
}

/// `GET /clients/{id}/sessions/new`.
pub async fn new_session<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    PathId(id): PathId<ClientId>,
) -> Response {
    if !matches!(who.staff.role, Role::Owner | Role::Therapist) {
        return Error::forbidden("only owner or therapist may record sessions").into_response();
    }
    let result = async {
        let (clinic, client) = client_and_clinic(&state, &who, id).await?;
        session_page(&state, &who, &clinic, &client, &Fields::default(), vec![], None).await
    }
    .await;
    respond(result, StatusCode::OK)
}

/// `POST /clients/{id}/sessions`: `action=preview` shows the plan; `action=save` records.
pub async fn save_session<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ClientId>,
    StaffForm { who, fields: f }: StaffForm,
) -> Response {
    if !matches!(who.staff.role, Role::Owner | Role::Therapist) {
        return Error::forbidden("only owner or therapist may record sessions").into_response();
    }
    let (clinic, client) = match client_and_clinic(&state, &who, id).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let areas: Vec<String> = f.all("area").into_iter().map(str::to_owned).collect();
    let techniques: Vec<String> = f
        .one("techniques")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let again = |preview: Vec<PreviewItem>, error: Option<String>, status: StatusCode| {
        let (state, who, clinic, client, f) = (&state, &who, &clinic, &client, &f);
        async move { respond(session_page(state, who, clinic, client, f, preview, error).await, status) }
    };
    // A session recorded after the fact ended at the local time written on the form.
    let tz = followup::window::time_zone(client.timezone.as_deref(), &clinic.timezone);
    let ended_at = match f.one("ended_at") {
        None => None,
        Some(text) => match parse_local_minute(text, &tz) {
            Some(t) => Some(t.to_rfc3339()),
            None => {
                let problem = "When it ended: choose a date and a time, or leave it empty for now.".to_owned();
                return again(vec![], Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
    };
    let mut body = SessionBody {
        client_id: client.id.get(),
        massage_type: f.one("massage_type").unwrap_or_default().to_owned(),
        pressure: f.one("pressure").unwrap_or_default().to_owned(),
        areas: areas.clone(),
        techniques,
        ended_at,
        notes: f.one("notes").map(str::to_owned),
        baby_birth_date: f.one("baby_birth_date").map(str::to_owned),
    };
    if areas.is_empty() {
        return again(
            vec![],
            Some("Tick the areas you worked on the body map or in the list.".to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if f.one("action") == Some("preview") {
        return match preview(&state, &clinic, &client, &body).await {
            Ok(items) => again(items, None, StatusCode::OK).await,
            Err(e) => again(vec![], Some(e.message().to_owned()), StatusCode::UNPROCESSABLE_ENTITY).await,
        };
    }
    // The screening's "not today" and its areas to avoid are read and acknowledged before a
    // session is saved, and the acknowledgement is kept in the session's notes.
    let screening = match crate::service::intake::for_session(&state, clinic.id, client.id).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let label =
        |code: &str| state.knowledge.vocabulary.areas.by_code(code).map_or(code.to_owned(), |a| a.label.to_lowercase());
    let avoided: Vec<String> = areas.iter().filter(|a| screening.avoid.contains(a)).map(|a| label(a)).collect();
    let mut kept: Vec<String> = Vec::new();
    if screening.postpone.is_some() {
        if f.one("postpone_ack") != Some("yes") {
            let problem =
                "The screening says no massage today (the red box above). Tick its box to record the session anyway.";
            return again(vec![], Some(problem.to_owned()), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        kept.push(format!("The screening said no massage today; {} recorded the session anyway.", who.staff.name));
    }
    if !avoided.is_empty() {
        if f.one("avoid_ack") != Some("yes") {
            let problem = format!(
                "You ticked areas the screening says to avoid: {}. Untick them, or tick the box to confirm they were worked.",
                avoided.join(", ")
            );
            return again(vec![], Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        kept.push(format!(
            "Worked areas the screening says to avoid ({}); confirmed by {}.",
            avoided.join(", "),
            who.staff.name
        ));
    }
    if !kept.is_empty() {
        let written = body.notes.take().filter(|n| !n.trim().is_empty());
        body.notes = Some(written.into_iter().chain(kept).collect::<Vec<_>>().join("\n"));
    }
    match crate::service::session::record(&state, &who.staff, body).await {
        Ok(SessionOutcome { follow_ups, id: session_id, .. }) => {
            let what = format!("session {session_id}");
            crate::audit::changed(
                &state,
                &who.staff,
                &who.address,
                Some(client.id),
                store::AuditAction::RecordSession,
                what,
            )
            .await;
            let links: Vec<(String, String)> = follow_ups
                .into_iter()
                .map(|f| {
                    let due = crate::time::parse_rfc3339(&f.due_at).map(|t| local_time(t, &clinic.timezone));
                    (format!("Check-in due {}", due.unwrap_or_default()), f.check_in_url)
                })
                .collect();
            let plan_url = links.first().map(|(_, u)| format!("{u}/plan")).unwrap_or_default();
            let page = SavedPage {
                layout: Layout::signed_in(&who, &clinic, "Session saved", "clients"),
                client_id: client.id,
                client_name: client.name.clone(),
                plan_qr: crate::render::qr_svg(&plan_url, "QR code of the aftercare plan's link"),
                plan_url,
                links,
            };
            render(&page, StatusCode::CREATED)
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // The API's words, without its code quotes.
            let problem = format!("{}: {}", field_label(e.field().unwrap_or_default()), e.message().replace('`', ""));
            again(vec![], Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => e.into_response(),
    }
}

async fn preview<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    client: &store::Client,
    body: &SessionBody,
) -> Result<Vec<PreviewItem>, Error> {
    let kb = &state.knowledge;
    let (client_doc, _) = client_doc(state, client, state.clock.now()).await?;
    let mut errors = Vec::new();
    let doc = care::checkin::SessionDoc {
        massage_type: body.massage_type.clone(),
        pressure: body.pressure.clone(),
        areas: body.areas.clone(),
        first_massage: None,
        hard_exercise_before: None,
    };
    let session = doc.validate(&kb.vocabulary, "session", &mut errors);
    let client_values = client_doc.validate(&kb.vocabulary, "client", &mut errors);
    let Some(session) = session.filter(|_| errors.is_empty()) else {
        return Err(Error::from_input(&care::InputErrors(errors), "session."));
    };
    let products = crate::service::profile::products(state, clinic.id).await?;
    let plan = care::plan(kb, &session, &client_values, &products, contacts(kb, clinic));
    let mut items = vec![PreviewItem {
        title: plan.expect.title.to_owned(),
        lines: std::iter::once(plan.expect.summary.to_owned())
            .chain(plan.expect.factors.iter().map(|s| (*s).to_owned()))
            .collect(),
    }];
    for i in &plan.items {
        let mut lines: Vec<String> = i.cautions_applied.iter().map(|c| format!("Caution: {c}")).collect();
        lines.extend(i.stretches.iter().map(|s| format!("Stretch: {}", s.stretch.name)));
        lines.push(format!("Evidence: {}", i.grade.label));
        items.push(PreviewItem { title: i.title.to_owned(), lines });
    }
    Ok(items)
}

/// A session field as the form names it.
fn field_label(field: &str) -> &'static str {
    match field {
        "ended_at" => "When it ended",
        "baby_birth_date" => "The baby's date of birth",
        "techniques" => "Techniques",
        "notes" => "Notes",
        "areas" => "Areas worked",
        "massage_type" => "Massage type",
        "pressure" => "Pressure",
        _ => "The session",
    }
}

/// An instant as a form's `datetime-local` value in `tz`: `YYYY-MM-DDTHH:MM`.
fn local_minute(t: store::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(t.0)
        .map(|ts| ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// Reads a form's `datetime-local` value, a wall-clock time in `tz`.
fn parse_local_minute(text: &str, tz: &jiff::tz::TimeZone) -> Option<store::Timestamp> {
    let civil = text.parse::<jiff::civil::DateTime>().ok()?;
    let zoned = civil.to_zoned_datetime(tz.clone()).ok()?;
    Some(store::Timestamp(zoned.timestamp().as_millisecond()))
}
