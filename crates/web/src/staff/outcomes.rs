//! The outcomes page (journey 6): response rates, soreness at each check-in by massage type,
//! pressure, therapist and body area, the share of answers at each level, alert rates and
//! how quickly alerts were acknowledged, for a period, a type and a therapist. Owners see the
//! clinic; a therapist sees their own sessions. Each chart is server-drawn SVG that needs no
//! script, with its numbers in a table beside it.

use crate::AppState;
use crate::error::Error;
use crate::service::outcomes::{self, Filter, Outcomes, Rows};
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, respond};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;
use store::tally::Day;
use store::{Role, Session, SessionId, StaffId, Store, Timestamp};

/// The longest period the page reads at once.
pub const MAX_DAYS: i64 = 366;
/// The period when none is asked for.
pub const DEFAULT_DAYS: i64 = 90;

/// `GET /outcomes` query.
#[derive(Debug, Deserialize)]
pub struct OutcomesQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "type")]
    massage_type: Option<String>,
    therapist: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/outcomes.html")]
struct OutcomesPage {
    layout: Layout,
    from: String,
    to: String,
    types: Vec<(String, String, bool)>,
    therapists: Vec<(i64, String, bool)>,
    own_view: bool,
    error: Option<String>,
    outcomes: Outcomes,
    response_chart: String,
    level_chart: String,
    level_total: usize,
    soreness_charts: Vec<(i64, Vec<(String, String)>)>,
    min_group: usize,
}

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Horizontal bars, one a row: its label, its value out of `max` (none: too few to compare).
fn bars(title: &str, rows: &[(String, Option<f64>)], max: f64, unit: &str) -> String {
    let (w, row, left) = (560.0, 26.0, 170.0);
    let h = row * rows.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let _ =
            write!(svg, "<text x=\"0\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">{}</text>", y + 16.0, esc(label));
        match value {
            Some(v) => {
                let len = (v / max).clamp(0.0, 1.0) * (w - left - 60.0);
                let _ = write!(
                    svg,
                    "<rect x=\"{left}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"18\" fill=\"#2f6f73\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">{v:.1}{unit}</text>",
                    y + 3.0,
                    left + len + 6.0,
                    y + 16.0
                );
            }
            None => {
                let _ = write!(
                    svg,
                    "<text x=\"{left}\" y=\"{:.1}\" font-size=\"12\" fill=\"#52606d\">too few to compare</text>",
                    y + 16.0
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The share of answers at each level, as one stacked bar.
fn stacked(levels: &[(care::Level, usize)]) -> String {
    let total: usize = levels.iter().map(|(_, n)| n).sum();
    let mut svg = String::from(
        "<svg role=\"img\" viewBox=\"0 0 560 40\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>Answers at each level</title>",
    );
    if total == 0 {
        svg.push_str(
            "<text x=\"0\" y=\"24\" font-size=\"12\" fill=\"#52606d\">No answers in this period.</text></svg>",
        );
        return svg;
    }
    let mut x = 0.0;
    for (level, n) in levels {
        let w = *n as f64 / total as f64 * 560.0;
        let colour = match level {
            care::Level::Emergency => "#b42318",
            care::Level::Doctor => "#b54708",
            care::Level::Therapist => "#1d4ed8",
            care::Level::SelfCare => "#1f7a4d",
        };
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"6\" width=\"{w:.1}\" height=\"28\" fill=\"{colour}\"><title>{level}: {n}</title></rect>"
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

/// A date from the query, or what is wrong with it.
fn date(raw: Option<&str>, field: &str, default: jiff::civil::Date) -> Result<jiff::civil::Date, String> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(text) => {
            crate::time::parse_date(text).ok_or_else(|| format!("{field}: choose a date, such as {default}."))
        }
    }
}

/// The start of a local day as an instant.
fn start_of(day: jiff::civil::Date, tz: &jiff::tz::TimeZone) -> Timestamp {
    day.to_zoned_datetime(tz.clone()).map(|z| Timestamp(z.timestamp().as_millisecond())).unwrap_or(Timestamp(0))
}

/// `GET /outcomes/export?what=clients|sessions|check_ins|alerts&from=…&to=…`: one CSV file of
/// the clinic's records of the period, for the owner.
pub async fn export<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    Query(q): Query<ExportQuery>,
) -> Response {
    if who.staff.role != Role::Owner {
        return Error::forbidden("only the clinic's owner may export its records").into_response();
    }
    let result = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
        let tz = jiff::tz::TimeZone::get(&clinic.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let today = state.clock.now().local_date(&tz).unwrap_or_default();
        let from = date(q.from.as_deref(), "From", today).map_err(|p| Error::invalid("from", p))?;
        let to = date(q.to.as_deref(), "To", today).map_err(|p| Error::invalid("to", p))?;
        let files = crate::service::export::csv(
            &state.store,
            &clinic,
            start_of(from, &tz),
            start_of(to.tomorrow().unwrap_or(to), &tz),
        )
        .await?;
        let wanted = q.what.as_deref().unwrap_or("sessions");
        let (name, body) = files
            .named()
            .into_iter()
            .find(|(n, _)| n.trim_end_matches(".csv") == wanted)
            .map(|(n, b)| (n, b.to_owned()))
            .ok_or_else(|| Error::invalid("what", "choose clients, sessions, check_ins or alerts"))?;
        Ok::<_, Error>((name, body, format!("{from}-to-{to}")))
    };
    match result.await {
        Ok((name, body, period)) => {
            let what = format!("{name}, {period}");
            crate::audit::changed(&state, &who.staff, &who.address, None, store::AuditAction::Export, what).await;
            let disposition = format!("attachment; filename=\"aftercare-{period}-{name}\"");
            (
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /outcomes/export` query.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    what: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /outcomes?from=YYYY-MM-DD&to=YYYY-MM-DD&type=CODE&therapist=ID`.
pub async fn show<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    Query(q): Query<OutcomesQuery>,
) -> Response {
    if who.staff.role == Role::FrontDesk {
        return Error::forbidden("the outcomes are for owners and therapists").into_response();
    }
    respond(page(&state, &who, q).await, StatusCode::OK)
}

async fn page<S: Store>(state: &AppState<S>, who: &SignedIn, q: OutcomesQuery) -> Result<OutcomesPage, Error> {
    let kb = &state.knowledge;
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let tz = jiff::tz::TimeZone::get(&clinic.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = state.clock.now().local_date(&tz).unwrap_or_default();
    let default_from = today.checked_sub(jiff::Span::new().days(DEFAULT_DAYS)).unwrap_or(today);
    let own_view = who.staff.role == Role::Therapist;
    let staff = state.store.staff_of_clinic(clinic.id).await?;
    let therapist = if own_view {
        Some(who.staff.id)
    } else {
        q.therapist
            .as_deref()
            .and_then(|t| t.parse::<i64>().ok())
            .map(StaffId)
            .filter(|id| staff.iter().any(|s| s.id == *id))
    };
    let massage_type = q.massage_type.filter(|t| kb.vocabulary.massage_types.by_code(t).is_some());
    let mut error = None;
    let (mut from, mut to) = (default_from, today);
    match (date(q.from.as_deref(), "From", default_from), date(q.to.as_deref(), "To", today)) {
        (Ok(f), Ok(t)) if f > t => error = Some("From must be on or before To.".to_owned()),
        (Ok(f), Ok(t)) if t.since(f).map_or(0, |s| i64::from(s.get_days())) > MAX_DAYS => {
            error = Some(format!("Choose at most {MAX_DAYS} days at a time."));
        }
        (Ok(f), Ok(t)) => (from, to) = (f, t),
        (Err(e), _) | (_, Err(e)) => error = Some(e),
    }
    let (start, end) = (start_of(from, &tz), start_of(to.tomorrow().unwrap_or(to), &tz));
    // The period's days from the tallies kept as answers and follow-ups are written; today's
    // follow-ups from the rows, as only those due so far count as asked.
    let tallies = state.store.outcome_tallies(clinic.id, Day::from_date(from), Day::from_date(to)).await?;
    let now = state.clock.now();
    let today_starts = start_of(today, &tz);
    let due_today = if to >= today {
        state.store.follow_ups_due(clinic.id, start.max(today_starts), end.min(now)).await?
    } else {
        Vec::new()
    };
    let ids: Vec<SessionId> = due_today.iter().map(|(f, _)| f.session_id).collect();
    let sessions = if ids.is_empty() { Vec::new() } else { state.store.sessions_by_ids(clinic.id, &ids).await? };
    let sessions: HashMap<SessionId, &Session> = sessions.iter().map(|s| (s.id, s)).collect();
    let asked_today: Vec<(Timestamp, bool, String, StaffId)> = due_today
        .into_iter()
        .filter_map(|(f, answered)| {
            let s = sessions.get(&f.session_id)?;
            Some((f.due_at, answered, s.massage_type.clone(), s.staff_id))
        })
        .collect();
    let filter = Filter { massage_type: massage_type.clone(), therapist };
    let name = |code: &str| -> String {
        let v = &kb.vocabulary;
        v.massage_types
            .by_code(code)
            .map(|t| t.label.clone())
            .or_else(|| v.pressures.by_code(code).map(|p| p.label.clone()))
            .or_else(|| v.areas.by_code(code).map(|a| a.label.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    let staff_name =
        |id: StaffId| staff.iter().find(|s| s.id == id).map_or_else(|| "staff".to_owned(), |s| s.name.clone());
    let rows = Rows {
        tallies: &tallies,
        today: Day::from_date(today),
        asked_today: &asked_today,
        hours: &clinic.check_in_hours,
    };
    let outcomes = outcomes::read(&rows, &filter, &name, &staff_name, &tz);
    let response_rows: Vec<(String, Option<f64>)> =
        outcomes.response.iter().map(|w| (format!("week of {}", w.start), w.rate())).collect();
    let soreness_charts = outcomes
        .soreness
        .iter()
        .map(|(h, tables)| {
            let charts = tables
                .iter()
                .map(|b| {
                    let rows: Vec<(String, Option<f64>)> = b.groups.iter().map(|g| (g.label.clone(), g.mean)).collect();
                    (b.by.to_owned(), bars(&format!("Mean soreness at {h} h by {}", b.by), &rows, 10.0, ""))
                })
                .collect();
            (*h, charts)
        })
        .collect();
    Ok(OutcomesPage {
        layout: Layout::signed_in(who, &clinic, "Outcomes", "outcomes"),
        from: from.to_string(),
        to: to.to_string(),
        types: kb
            .vocabulary
            .massage_types
            .entries()
            .iter()
            .map(|t| (t.code.clone(), t.label.clone(), massage_type.as_deref() == Some(t.code.as_str())))
            .collect(),
        therapists: staff
            .iter()
            .filter(|s| s.role != Role::FrontDesk)
            .map(|s| (s.id.get(), s.name.clone(), therapist == Some(s.id)))
            .collect(),
        own_view,
        error,
        response_chart: bars("Check-ins answered, by week", &response_rows, 100.0, "%"),
        level_chart: stacked(&outcomes.levels),
        level_total: outcomes.levels.iter().map(|(_, n)| n).sum(),
        soreness_charts,
        outcomes,
        min_group: outcomes::MIN_GROUP,
    })
}
