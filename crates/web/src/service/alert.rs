//! A clinic's alerts: a page of them, most urgent first, and acknowledging one with a note.

use crate::AppState;
use crate::error::Error;
use crate::time::to_rfc3339;
use serde::Serialize;
use serde_json::Value;
use store::{Acknowledgement, Alert, AlertId, AlertPosition, AlertStatus, ClinicId, Staff, StaffId, Store};

/// The client an alert is about, to call them back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertClient {
    /// E-mail address.
    pub email: Option<String>,
    /// The client's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
}

/// The check-in that raised an alert.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertCheckIn {
    /// The rules it fired.
    pub fired: Vec<String>,
    /// Exact hours after the session's end.
    pub hours_since: f64,
    /// The check-in's id.
    pub id: i64,
    /// The answer as sent, with what staff must read.
    #[schema(value_type = Object)]
    pub report: Value,
    /// The session it was about.
    pub session_id: i64,
    /// Soreness, when it could be read.
    pub soreness: Option<u8>,
    /// When it was sent (RFC 3339).
    pub submitted_at: String,
}

/// An alert with its client and check-in (fields in alphabetical order, as always answered).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertOut {
    /// When acknowledged (RFC 3339).
    pub acknowledged_at: Option<String>,
    /// Who acknowledged it (a staff id).
    pub acknowledged_by: Option<i64>,
    /// The check-in that raised it.
    pub check_in: Option<AlertCheckIn>,
    /// The client.
    pub client: Option<AlertClient>,
    /// When raised (RFC 3339).
    pub created_at: String,
    /// The alert's id.
    pub id: i64,
    /// Its level: `therapist`, `doctor` or `emergency`.
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: care::Level,
    /// The acknowledgement's note.
    pub note: Option<String>,
    /// `open` or `acknowledged`.
    pub status: String,
}

async fn out<S: Store>(state: &AppState<S>, a: &Alert) -> Result<AlertOut, Error> {
    let client = state.store.client(a.clinic_id, a.client_id).await?;
    let check_in = state.store.check_in(a.clinic_id, a.check_in_id).await?;
    Ok(AlertOut {
        acknowledged_at: a.acknowledged_at.map(to_rfc3339),
        acknowledged_by: a.acknowledged_by.map(StaffId::get),
        check_in: check_in.map(|c| AlertCheckIn {
            fired: c.fired,
            hours_since: c.hours_since,
            id: c.id.get(),
            report: serde_json::from_str(&c.report).unwrap_or(Value::Null),
            session_id: c.session_id.get(),
            soreness: c.soreness,
            submitted_at: to_rfc3339(c.submitted_at),
        }),
        client: client.map(|c| AlertClient { email: c.email, id: c.id.get(), name: c.name, phone: c.phone }),
        created_at: to_rfc3339(a.created_at),
        id: a.id.get(),
        level: a.level,
        note: a.note.clone(),
        status: a.status.code().to_owned(),
    })
}

/// A page of alerts and where the next starts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertPage {
    /// The alerts, emergency and doctor first, newest first within a level.
    pub alerts: Vec<AlertOut>,
    /// The next page's cursor, when there is one.
    pub next_cursor: Option<String>,
}

/// A page of `limit` alerts of `clinic` with `status` (all when none), after `after`.
pub async fn page<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    status: Option<AlertStatus>,
    after: Option<AlertPosition>,
    limit: u32,
) -> Result<AlertPage, Error> {
    let rows = state.store.alerts(clinic, status, after.as_ref(), limit + 1).await?;
    let (page, more) = crate::page::split(rows, limit);
    let next_cursor = page.last().filter(|_| more).map(|a| crate::page::alert_cursor(&AlertPosition::of(a)));
    let mut alerts = Vec::new();
    for a in &page {
        alerts.push(out(state, a).await?);
    }
    Ok(AlertPage { alerts, next_cursor })
}

/// Acknowledges alert `id` by `staff`, with their note: the first acknowledgement and its note
/// stand, a second is a conflict.
pub async fn acknowledge<S: Store>(
    state: &AppState<S>,
    staff: &Staff,
    id: AlertId,
    note: Option<String>,
) -> Result<AlertOut, Error> {
    let note = match note {
        Some(text) => domain::Note::parse(&text).map_err(|p| Error::invalid("note", p.to_string()))?,
        None => None,
    };
    let note = note.map(domain::Note::into_string);
    let ack = Acknowledgement { staff_id: staff.id, note, now: state.clock.now() };
    let (alert, closed) =
        state.store.acknowledge_alert(staff.clinic_id, id, ack).await?.ok_or_else(|| Error::not_found("alert"))?;
    if !closed {
        return Err(Error::conflict(
            "this alert was already acknowledged; the first acknowledgement and its note stand",
        ));
    }
    out(state, &alert).await
}
