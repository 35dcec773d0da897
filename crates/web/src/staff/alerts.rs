//! The alert queue: open alerts most urgent first, each acknowledged with a note; and the
//! recently acknowledged ones, with who and when.

use crate::AppState;
use crate::error::ApiError;
use crate::staff::auth::{SignedIn, check_csrf};
use crate::staff::dashboard::{AlertLine, alert_lines};
use crate::staff::view::{Layout, respond};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use store::{Acknowledgement, AlertStatus, Role, Store};

#[derive(Template)]
#[template(path = "staff/alerts.html")]
struct AlertsPage {
    layout: Layout,
    open: Vec<AlertLine>,
    acknowledged: Vec<AlertLine>,
    can_acknowledge: bool,
}

/// `GET /alerts`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn) -> Response {
    let result: Result<AlertsPage, ApiError> = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| ApiError::not_found("clinic"))?;
        let mut acknowledged = alert_lines(&state, &clinic, Some(AlertStatus::Acknowledged)).await?;
        acknowledged.truncate(20);
        Ok(AlertsPage {
            layout: Layout::signed_in(&who, &clinic, "Alerts", "alerts"),
            open: alert_lines(&state, &clinic, Some(AlertStatus::Open)).await?,
            acknowledged,
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
        Ok(Some(alert)) if crate::api::alerts::acknowledged_now(&alert, who.staff.id, now) => {
            Redirect::to("/alerts").into_response()
        }
        Ok(Some(_)) => {
            ApiError::conflict("this alert was already acknowledged; the first acknowledgement and its note stand")
                .into_response()
        }
        Ok(None) => ApiError::not_found("alert").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
