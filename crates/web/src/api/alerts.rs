//! The alert queue: open alerts with their client and check-in, most urgent first, and
//! acknowledging one with a note.

use super::json_body;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{Error, ErrorBody};
use crate::extract::PathId;
use crate::service::alert::{self, AlertOut, AlertPage};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde::Deserialize;
use store::{AlertId, AlertStatus, Role, Store};

/// `GET /api/v1/alerts` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `open`, `acknowledged` or `all` (the default).
    #[param(pattern = "^(open|acknowledged|all)$")]
    status: Option<String>,
    /// Alerts on a page, 1 to 200 (50 by default).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(pattern = r"^(emergency|doctor|therapist)\.-?[0-9]{1,18}\.[1-9][0-9]{0,17}$")]
    cursor: Option<String>,
}

/// A page of the clinic's alerts, emergency and doctor first, newest first within a level,
/// and the cursor of the next page.
#[utoipa::path(get, path = "/api/v1/alerts", operation_id = "list_alerts", tag = "alerts", params(AlertQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of alerts", body = AlertPage),
        (status = 400, description = "The query string could not be read", body = ErrorBody), (status = 401, description = "No valid API token", body = ErrorBody), (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Query(q): Query<AlertQuery>,
) -> Result<Json<AlertPage>, Error> {
    let status = match q.status.as_deref() {
        None | Some("all") => None,
        Some(s) => Some(AlertStatus::from_code(s).ok_or_else(|| {
            Error::invalid("status", format!("`{s}` is not allowed; allowed: open, acknowledged, all"))
        })?),
    };
    let limit = crate::page::limit(q.limit.as_deref())?;
    let after = q.cursor.as_deref().map(crate::page::parse_alert_cursor).transpose()?;
    Ok(Json(alert::page(&state, caller.clinic_id(), status, after, limit).await?))
}

/// An acknowledgement's body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    /// What was done, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// Acknowledges an alert: who, when and their note are kept; the first acknowledgement stands.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", operation_id = "acknowledge_alert", tag = "alerts", params(("id" = i64, Path, description = "The alert's id")),
    request_body(content = Option<AckBody>), security(("bearer" = [])),
    responses((status = 200, description = "Acknowledged", body = AlertOut), (status = 400, description = "The body is not the JSON expected", body = ErrorBody), (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "The caller's role may not do this", body = ErrorBody), (status = 404, description = "Not found in the caller's clinic", body = ErrorBody), (status = 409, description = "Already done", body = ErrorBody),
        (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn acknowledge<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    PathId(id): PathId<AlertId>,
    body: Bytes,
) -> Result<Json<AlertOut>, Error> {
    caller.require(&[Role::Owner, Role::Therapist], "acknowledge alerts")?;
    let body: Option<AckBody> = if body.is_empty() { None } else { json_body(&body)? };
    let done = alert::acknowledge(&state, &caller.0, id, body.and_then(|b| b.note)).await?;
    let client = done.client.as_ref().map(|c| store::ClientId(c.id));
    let what = format!("alert {}", done.id);
    crate::audit::changed(&state, &caller.0, &caller.1, client, store::AuditAction::AcknowledgeAlert, what).await;
    Ok(Json(done))
}
