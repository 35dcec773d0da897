//! The dashboard: open alerts (emergency and doctor first), today's sessions, the check-ins
//! due today and whether they were answered, and the response rate of the last 30 days.

use crate::AppState;
use crate::error::Error;
use crate::service::check_in::StoredReport;
use crate::staff::answer::Answer;
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, local_day, local_time, respond};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use store::tally::Day;
use store::{AlertStatus, ClientId, MessageStatus, SessionId, Store};

/// An alert in a list: who, when, and what the client said.
#[derive(Debug)]
pub struct AlertLine {
    /// Alert id.
    pub id: i64,
    /// Level.
    pub level: care::Level,
    /// Client id.
    pub client_id: ClientId,
    /// Client name.
    pub client_name: String,
    /// The client's phone, to call them back.
    pub client_phone: Option<String>,
    /// When raised, local time.
    pub when: String,
    /// What the client said, and why it was sorted as it was.
    pub answer: Option<Answer>,
    /// Who acknowledged, when, and their note.
    pub acknowledged: Option<String>,
}

/// A client's note from the last week, for the therapist to read.
#[derive(Debug)]
pub struct NoteLine {
    client_id: ClientId,
    client_name: String,
    when: String,
    level: care::Level,
    note: String,
    notices: Vec<String>,
}

/// How far back the dashboard lists clients' notes, and how many.
const NOTES_DAYS: i64 = 7;
const NOTES_LIMIT: u32 = 50;
/// The days, today included, of the dashboard's share of check-ins answered.
const RATE_DAYS: i64 = 30;

/// A check-in due today.
#[derive(Debug)]
pub struct DueLine {
    client_id: ClientId,
    client_name: String,
    what: String,
    due: String,
    answered: bool,
}

/// A session today.
#[derive(Debug)]
pub struct SessionLine {
    client_id: ClientId,
    client_name: String,
    what: String,
    when: String,
}

/// A message that could not be sent.
#[derive(Debug)]
pub struct FailedLine {
    what: String,
    when: String,
    reason: String,
    client_id: Option<ClientId>,
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// What staff should know of a time in the last day when the database could not save.
    outage: Option<String>,
    failed: Vec<FailedLine>,
    alerts: Vec<AlertLine>,
    /// Every non-empty note of the last week, newest first (care policy v1.2).
    notes: Vec<NoteLine>,
    due: Vec<DueLine>,
    sessions: Vec<SessionLine>,
    answered: u64,
    asked: u64,
    rate: Option<u64>,
}

/// A page of the alerts of `status` as lines, most urgent first, after `after`; and the
/// cursor of the next page when there is one.
pub async fn alert_lines<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    status: Option<AlertStatus>,
    after: Option<&store::AlertPosition>,
    limit: u32,
) -> Result<(Vec<AlertLine>, Option<String>), Error> {
    let rows = state.store.alerts(clinic.id, status, after, limit + 1).await?;
    let (page, more) = crate::page::split(rows, limit);
    let next = page.last().filter(|_| more).map(|a| crate::page::alert_cursor(&store::AlertPosition::of(a)));
    // The page's clients and check-ins in one read each.
    let client_ids = unique(page.iter().map(|a| a.client_id).collect());
    let clients = by_id(state.store.clients_by_ids(clinic.id, &client_ids).await?, |c| c.id);
    let check_in_ids = unique(page.iter().map(|a| a.check_in_id).collect());
    let mut check_ins = by_id(state.store.check_ins_by_ids(clinic.id, &check_in_ids).await?, |c| c.id);
    let mut lines = Vec::new();
    for a in page {
        let (client, check_in) = (clients.get(&a.client_id).cloned(), check_ins.remove(&a.check_in_id));
        lines.push(line_of(state, clinic, a, client, check_in).await?);
    }
    Ok((lines, next))
}

/// An alert as staff read it: who, when, what the client said, and who acknowledged it.
pub async fn alert_line<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    a: store::Alert,
) -> Result<AlertLine, Error> {
    let client = state.store.client(clinic.id, a.client_id).await?;
    let check_in = state.store.check_in(clinic.id, a.check_in_id).await?;
    line_of(state, clinic, a, client, check_in).await
}

/// The line of an alert whose client and check-in are read.
async fn line_of<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    a: store::Alert,
    client: Option<store::Client>,
    check_in: Option<store::CheckIn>,
) -> Result<AlertLine, Error> {
    {
        let acknowledged = match (a.acknowledged_at, a.acknowledged_by) {
            (Some(at), Some(by)) => {
                let who =
                    state.store.staff_in_clinic(clinic.id, by).await?.map_or_else(|| "staff".to_owned(), |s| s.name);
                Some(format!(
                    "{who}, {}{}",
                    local_time(at, &clinic.timezone),
                    a.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
                ))
            }
            _ => None,
        };
        Ok(AlertLine {
            id: a.id.get(),
            level: a.level,
            client_id: a.client_id,
            client_phone: client.as_ref().and_then(|c| c.phone.clone()),
            client_name: client.map_or_else(|| "client".to_owned(), |c| c.name),
            when: local_time(a.created_at, &clinic.timezone),
            answer: check_in.as_ref().map(|c| Answer::of(&state.knowledge, c)),
            acknowledged,
        })
    }
}

/// The notice of a time in the last day when the database could not save: when, and what
/// became of this clinic's clients' answers.
fn outage_notice<S: Store>(state: &AppState<S>, clinic: &store::Clinic, now: store::Timestamp) -> Option<String> {
    let o = state.write_health.last_outage().filter(|o| now.0 - o.to.0 < 24 * 3_600_000)?;
    let (from, to) = (local_time(o.from, &clinic.timezone), local_time(o.to, &clinic.timezone));
    let refused = o.refused.get(&clinic.id).copied().unwrap_or(0);
    let saved = o.saved_late.get(&clinic.id).copied().unwrap_or(0);
    let answers = match refused {
        0 => "No client of yours sent an answer meanwhile.".to_owned(),
        _ => format!(
            "{refused} answer(s) from your clients could not be saved when sent; {saved} were saved as soon as it \
             could, with their alerts. Those clients were told their answer was not saved and shown the warning \
             signs. A client who sent one may also try again or phone you."
        ),
    };
    Some(format!("Aftercare could not save anything from {from} to {to}. {answers}"))
}

/// Each id once.
fn unique<T: Ord + Copy>(mut ids: Vec<T>) -> Vec<T> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Records by their id.
fn by_id<T, K: std::hash::Hash + Eq>(records: Vec<T>, id: impl Fn(&T) -> K) -> std::collections::HashMap<K, T> {
    records.into_iter().map(|r| (id(&r), r)).collect()
}

/// `GET /`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn) -> Response {
    respond(page(&state, &who).await, StatusCode::OK)
}

async fn page<S: Store>(state: &AppState<S>, who: &SignedIn) -> Result<DashboardPage, Error> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let kb = &state.knowledge;
    let now = state.clock.now();
    let (start, end) = local_day(now, &clinic.timezone);
    // Today's follow-ups, sessions and the week's notes, with their sessions and clients
    // read in one go each, however busy the day.
    let due_today = state.store.follow_ups_due(clinic.id, start, end).await?;
    let sessions_today = state.store.sessions_between(clinic.id, start, end).await?;
    let with_notes = state.store.check_ins_with_notes(clinic.id, now.plus_hours(-24 * NOTES_DAYS), NOTES_LIMIT).await?;
    let mut session_ids: Vec<SessionId> = due_today.iter().map(|(f, _)| f.session_id).collect();
    session_ids.extend(with_notes.iter().map(|c| c.session_id));
    let of_session = by_id(state.store.sessions_by_ids(clinic.id, &unique(session_ids)).await?, |s| s.id);
    let mut client_ids: Vec<ClientId> = of_session.values().map(|s| s.client_id).collect();
    client_ids.extend(sessions_today.iter().map(|s| s.client_id));
    let of_client = by_id(state.store.clients_by_ids(clinic.id, &unique(client_ids)).await?, |c| c.id);
    let name = |id: ClientId| of_client.get(&id).map_or_else(String::new, |c| c.name.clone());
    // Check-ins answered in the last 30 days: the 29 days before today from the tallies kept
    // as follow-ups are written and answered (a cost that does not grow with the clinic's
    // activity), today's follow-ups due so far from their rows.
    let tz = jiff::tz::TimeZone::get(&clinic.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = now.local_date(&tz).unwrap_or_default();
    let first = today.checked_sub(jiff::Span::new().days(RATE_DAYS - 1)).unwrap_or(today);
    let yesterday = today.yesterday().unwrap_or(today);
    let past = state.store.outcome_tallies(clinic.id, Day::from_date(first), Day::from_date(yesterday)).await?;
    let due_so_far = due_today.iter().filter(|(f, _)| f.due_at < now);
    let asked = past.asked.iter().map(|t| t.asked).sum::<u64>() + due_so_far.clone().count() as u64;
    let answered = past.asked.iter().map(|t| t.answered).sum::<u64>()
        + due_so_far.filter(|(_, answered)| *answered).count() as u64;
    let mut due = Vec::new();
    for (f, answered) in due_today {
        let Some(session) = of_session.get(&f.session_id) else { continue };
        due.push(DueLine {
            client_id: session.client_id,
            client_name: name(session.client_id),
            what: format!("{} h check-in", f.offset_hours),
            due: local_time(f.due_at, &clinic.timezone),
            answered,
        });
    }
    let mut sessions = Vec::new();
    for s in sessions_today {
        let kind =
            kb.vocabulary.massage_types.by_code(&s.massage_type).map_or(s.massage_type.clone(), |t| t.label.clone());
        sessions.push(SessionLine {
            client_id: s.client_id,
            client_name: name(s.client_id),
            what: format!("{kind}, {} pressure", s.pressure),
            when: local_time(s.ended_at, &clinic.timezone),
        });
    }
    let mut failed = Vec::new();
    // The newest fifty failures: read as a page, however many there have been.
    for m in state.store.newest_messages(clinic.id, MessageStatus::Failed, 50).await? {
        let client_id = match m.follow_up_id {
            Some(f) => match state.store.follow_up(clinic.id, f).await? {
                Some(f) => state.store.session(clinic.id, f.session_id).await?.map(|s| s.client_id),
                None => None,
            },
            None => None,
        };
        failed.push(FailedLine {
            what: format!("{} message", m.kind.code().replace('_', "-")),
            when: local_time(m.next_attempt, &clinic.timezone),
            reason: m.last_error.unwrap_or_default(),
            client_id,
        });
    }
    let mut notes = Vec::new();
    for c in with_notes {
        let Some(session) = of_session.get(&c.session_id) else { continue };
        let report = StoredReport::read(&c.report);
        notes.push(NoteLine {
            client_id: session.client_id,
            client_name: name(session.client_id),
            when: local_time(c.submitted_at, &clinic.timezone),
            level: c.level,
            note: report.note().unwrap_or_default().to_owned(),
            notices: crate::staff::answer::notices(kb, &c, &report),
        });
    }
    Ok(DashboardPage {
        layout: Layout::signed_in(who, &clinic, "Dashboard", "dashboard"),
        outage: outage_notice(state, &clinic, now),
        failed,
        // The most urgent page; the alert queue has the rest.
        alerts: alert_lines(state, &clinic, Some(AlertStatus::Open), None, crate::page::DEFAULT_LIMIT).await?.0,
        notes,
        due,
        sessions,
        answered,
        asked,
        rate: (asked > 0).then(|| answered * 100 / asked),
    })
}
