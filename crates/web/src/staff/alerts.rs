//! The alert queue: open alerts most urgent first, each acknowledged with a note; and the
//! recently acknowledged ones, with who and when.

use crate::AppState;
use crate::error::Error;
use crate::extract::{PathId, StaffForm};
use crate::staff::auth::SignedIn;
use crate::staff::dashboard::{AlertLine, alert_lines};
use crate::staff::view::{Layout, respond};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::{AlertStatus, Role, Store};

#[derive(Template)]
#[template(path = "staff/alerts.html")]
struct AlertsPage {
    layout: Layout,
    open: Vec<AlertLine>,
    /// The link to the next page of open alerts, when there is one.
    more_open: Option<String>,
    acknowledged: Vec<AlertLine>,
    /// The link to older acknowledged alerts, when there are some.
    older: Option<String>,
    can_acknowledge: bool,
}

/// `GET /alerts` query: where each list's page starts (`open`, `done`: a cursor each).
#[derive(Debug, Deserialize)]
pub struct AlertsQuery {
    open: Option<String>,
    done: Option<String>,
}

/// `GET /alerts`: a page of open alerts (50) and of acknowledged ones (20), each with a link
/// to the next.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn, Query(q): Query<AlertsQuery>) -> Response {
    let result: Result<AlertsPage, Error> = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
        let open_after = q.open.as_deref().map(crate::page::parse_alert_cursor).transpose()?;
        let done_after = q.done.as_deref().map(crate::page::parse_alert_cursor).transpose()?;
        let (open, more_open) =
            alert_lines(&state, &clinic, Some(AlertStatus::Open), open_after.as_ref(), crate::page::DEFAULT_LIMIT)
                .await?;
        let (acknowledged, older) =
            alert_lines(&state, &clinic, Some(AlertStatus::Acknowledged), done_after.as_ref(), 20).await?;
        Ok(AlertsPage {
            layout: Layout::signed_in(&who, &clinic, "Alerts", "alerts"),
            open,
            more_open: more_open.map(|c| format!("/alerts?open={c}")),
            acknowledged,
            older: older.map(|c| format!("/alerts?done={c}")),
            can_acknowledge: matches!(who.staff.role, Role::Owner | Role::Therapist),
        })
    }
    .await;
    respond(result, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "staff/alert.html")]
struct AlertPage {
    layout: Layout,
    alert: AlertLine,
    can_acknowledge: bool,
}

/// `GET /alerts/{id}`: one alert, what the client said and how to reach them, and its
/// acknowledgement; the alert e-mail links here. Opening it reads the client's record, so it
/// is in the audit trail.
pub async fn one<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    PathId(id): PathId<store::AlertId>,
) -> Response {
    let result: Result<AlertPage, Error> = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
        let alert = state.store.alert(clinic.id, id).await?.ok_or_else(|| Error::not_found("alert"))?;
        crate::audit::read(&state, &who.staff, &who.address, alert.client_id).await?;
        let line = crate::staff::dashboard::alert_line(&state, &clinic, alert).await?;
        Ok(AlertPage {
            layout: Layout::signed_in(&who, &clinic, format!("Alert: {}", line.client_name), "alerts"),
            alert: line,
            can_acknowledge: matches!(who.staff.role, Role::Owner | Role::Therapist),
        })
    }
    .await;
    respond(result, StatusCode::OK)
}

/// `POST /alerts/{id}/acknowledge`: `csrf`, `note`.
pub async fn acknowledge<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<store::AlertId>,
    StaffForm { who, fields }: StaffForm,
) -> Response {
    if !matches!(who.staff.role, Role::Owner | Role::Therapist) {
        return Error::forbidden("only owner or therapist may acknowledge alerts").into_response();
    }
    let note = fields.one("note").map(str::to_owned);
    match crate::service::alert::acknowledge(&state, &who.staff, id, note).await {
        Ok(alert) => {
            let client = alert.client.map(|c| store::ClientId(c.id));
            let what = format!("alert {}", alert.id);
            crate::audit::changed(&state, &who.staff, &who.address, client, store::AuditAction::AcknowledgeAlert, what)
                .await;
            Redirect::to("/alerts").into_response()
        }
        Err(e) => e.into_response(),
    }
}
