//! The alert queue: open alerts with their client and check-in, most urgent first, and
//! acknowledging one with a note.

use super::{json_body, path_id};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::time::to_rfc3339;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Acknowledgement, Alert, AlertPosition, AlertStatus, Role, Store};

/// `GET /api/v1/alerts` query.
#[derive(Debug, Deserialize)]
pub struct AlertQuery {
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

async fn alert_json<S: Store>(state: &AppState<S>, a: &Alert) -> Result<Value, ApiError> {
    let client = state.store.client(a.clinic_id, a.client_id).await?;
    let check_in = state.store.check_in(a.clinic_id, a.check_in_id).await?;
    Ok(json!({
        "id": a.id, "level": a.level, "status": a.status.code(), "created_at": to_rfc3339(a.created_at),
        "client": client.map(|c| json!({"id": c.id, "name": c.name, "phone": c.phone, "email": c.email})),
        "check_in": check_in.map(|c| json!({
            "id": c.id, "session_id": c.session_id, "soreness": c.soreness, "hours_since": c.hours_since,
            "fired": c.fired, "submitted_at": to_rfc3339(c.submitted_at),
            "report": serde_json::from_str::<Value>(&c.report).unwrap_or(Value::Null),
        })),
        "acknowledged_by": a.acknowledged_by, "acknowledged_at": a.acknowledged_at.map(to_rfc3339), "note": a.note,
    }))
}

/// `GET /api/v1/alerts?status=open&limit=50&cursor=…`: a page of the clinic's alerts,
/// emergency and doctor first, newest first within a level, and the cursor of the next page.
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Query(q): Query<AlertQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("all") => None,
        Some(s) => Some(AlertStatus::from_code(s).ok_or_else(|| {
            ApiError::invalid("status", format!("`{s}` is not allowed; allowed: open, acknowledged, all"))
        })?),
    };
    let limit = crate::page::limit(q.limit.as_deref())?;
    let after = q.cursor.as_deref().map(crate::page::parse_alert_cursor).transpose()?;
    let rows = state.store.alerts(caller.clinic_id(), status, after.as_ref(), limit + 1).await?;
    let (page, more) = crate::page::split(rows, limit);
    let next_cursor = page.last().filter(|_| more).map(|a| crate::page::alert_cursor(&AlertPosition::of(a)));
    let mut alerts = Vec::new();
    for a in &page {
        alerts.push(alert_json(&state, a).await?);
    }
    Ok(Json(json!({"alerts": alerts, "next_cursor": next_cursor})))
}

/// `POST /api/v1/alerts/{id}/acknowledge` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckBody {
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/alerts/{id}/acknowledge`: who acknowledged, when, and their note are kept.
pub async fn acknowledge<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Owner, Role::Therapist], "acknowledge alerts")?;
    let id = path_id(&id, "alert")?;
    let body: AckBody = if body.is_empty() { AckBody { note: None } } else { json_body(&body)? };
    let note = body.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid("note", "at most 2000 characters"));
    }
    let now = state.clock.now();
    let ack = Acknowledgement { staff_id: caller.0.id, note, now };
    let (alert, closed) = state
        .store
        .acknowledge_alert(caller.clinic_id(), id, ack)
        .await?
        .ok_or_else(|| ApiError::not_found("alert"))?;
    if !closed {
        return Err(ApiError::conflict(
            "this alert was already acknowledged; the first acknowledgement and its note stand",
        ));
    }
    Ok(Json(alert_json(&state, &alert).await?))
}
