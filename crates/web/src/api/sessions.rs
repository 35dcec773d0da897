//! `POST /api/v1/sessions`: records a session, answers its aftercare plan and follow-ups.

use super::json_body;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{Error, ErrorBody};
use crate::service::session::{self, SessionBody, SessionOutcome};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use store::{Role, Store};

/// Records a session: its plan, and its follow-ups with each client link (shown once).
#[utoipa::path(post, path = "/api/v1/sessions", operation_id = "record_session", tag = "sessions", request_body = SessionBody,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded: the plan and the follow-ups", body = SessionOutcome), (status = 400, description = "The body is not the JSON expected", body = ErrorBody), (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "The caller's role may not do this", body = ErrorBody), (status = 404, description = "Not found in the caller's clinic", body = ErrorBody), (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn record<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<SessionOutcome>), Error> {
    caller.require(&[Role::Owner, Role::Therapist], "record sessions")?;
    let recorded = session::record(&state, &caller.0, json_body(&body)?).await?;
    let what = format!("session {}", recorded.id);
    let client = Some(store::ClientId(recorded.client_id));
    crate::audit::changed(&state, &caller.0, &caller.1, client, store::AuditAction::RecordSession, what).await;
    Ok((StatusCode::CREATED, Json(recorded)))
}
