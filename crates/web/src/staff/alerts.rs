//! The alert queue: open alerts most urgent first, each acknowledged with a note; and the
//! recently acknowledged ones, with who and when.

use crate::AppState;
use crate::error::ApiError;
use crate::staff::auth::{SignedIn, check_csrf};
use crate::staff::dashboard::{AlertLine, alert_lines};
use crate::staff::view::{Layout, respond};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::{Acknowledgement, AlertStatus, Role, Store};

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
    let result: Result<AlertsPage, ApiError> = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| ApiError::not_found("clinic"))?;
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

/// `POST /alerts/{id}/acknowledge`: `csrf`, `note`.
pub async fn acknowledge<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    who: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
    if let Err(e) = check_csrf(&state, &headers, &who, field("csrf").as_deref()) {
        return e.into_response();
    }
    if !matches!(who.staff.role, Role::Owner | Role::Therapist) {
        return ApiError::forbidden("only owner or therapist may acknowledge alerts").into_response();
    }
    let Ok(id) = crate::api::path_id(&id, "alert") else { return ApiError::not_found("alert").into_response() };
    let note = field("note").filter(|n| !n.is_empty()).map(|n| n.chars().take(2000).collect());
    let now = state.clock.now();
    let ack = Acknowledgement { staff_id: who.staff.id, note, now };
    match state.store.acknowledge_alert(who.staff.clinic_id, id, ack).await {
        Ok(Some((_, true))) => Redirect::to("/alerts").into_response(),
        Ok(Some(_)) => {
            ApiError::conflict("this alert was already acknowledged; the first acknowledgement and its note stand")
                .into_response()
        }
        Ok(None) => ApiError::not_found("alert").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
