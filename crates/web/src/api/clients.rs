//! `/api/v1/clients…`: add a client, read a client's record, take an intake.

use super::json_body;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{Error, ErrorBody};
use crate::extract::PathId;
use crate::service::client::{self, ClientOut, ClientRecord, NewClientBody};
use crate::service::intake::{self, IntakeBody, IntakeOutcome};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use store::{AuditAction, ClientId, Store};

/// Adds a client.
#[utoipa::path(post, path = "/api/v1/clients", operation_id = "create_client", tag = "clients", request_body = NewClientBody,
    security(("bearer" = [])),
    responses((status = 201, description = "The client, added", body = ClientOut), (status = 400, description = "The body is not the JSON expected", body = ErrorBody), (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn create<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<ClientOut>), Error> {
    let made = client::create(&state, caller.clinic_id(), json_body(&body)?).await?;
    crate::audit::changed(&state, &caller.0, &caller.1, Some(ClientId(made.id)), AuditAction::CreateClient, "").await;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `GET /api/v1/clients/{id}` query: a page of the client's sessions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// Sessions on a page, 1 to 200 (50 by default).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// Where the page starts: the `next_cursor` of the page before.
    #[param(pattern = r"^-?[0-9]{1,18}\.[1-9][0-9]{0,17}$")]
    cursor: Option<String>,
}

/// A client with their intake and a page of sessions (oldest first) with their check-ins,
/// follow-ups and messages; `next_cursor` continues.
#[utoipa::path(get, path = "/api/v1/clients/{id}", operation_id = "get_client", tag = "clients", params(("id" = i64, Path, description = "The client's id"), SessionsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The client and a page of sessions", body = ClientRecord), (status = 401, description = "No valid API token", body = ErrorBody), (status = 404, description = "Not found in the caller's clinic", body = ErrorBody),
        (status = 400, description = "The query string could not be read", body = ErrorBody),
        (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    PathId(id): PathId<ClientId>,
    Query(q): Query<SessionsQuery>,
) -> Result<Json<ClientRecord>, Error> {
    let limit = crate::page::limit(q.limit.as_deref())?;
    let after = q.cursor.as_deref().map(crate::page::parse_session_cursor).transpose()?;
    let record = client::record(&state, caller.clinic_id(), id, limit, after).await?;
    // Answered only once the read is in the audit trail.
    crate::audit::read(&state, &caller.0, &caller.1, id).await?;
    Ok(Json(record))
}

/// The client's whole record as a FHIR R4 `Bundle` (type `collection`): `Patient`, an
/// `Encounter` and a `Procedure` per session, and per check-in a `QuestionnaireResponse` with
/// `Observation`s of soreness (LOINC 72514-3) and temperature (LOINC 8310-5). For owners and
/// therapists; the read is in the audit trail.
#[utoipa::path(get, path = "/api/v1/clients/{id}/fhir", operation_id = "get_client_fhir", tag = "clients", params(("id" = i64, Path, description = "The client's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "A FHIR R4 Bundle", content_type = "application/fhir+json", body = Object), (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "The caller's role may not export records", body = ErrorBody),
        (status = 404, description = "Not found in the caller's clinic", body = ErrorBody)))]
pub async fn fhir<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    PathId(id): PathId<ClientId>,
) -> Result<axum::response::Response, Error> {
    caller.require(&[store::Role::Owner, store::Role::Therapist], "export a client's record")?;
    let body = crate::service::fhir::client_bundle(&state, caller.clinic_id(), id).await?;
    crate::audit::read(&state, &caller.0, &caller.1, id).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/fhir+json")], body).into_response())
}

/// Stores the client's intake and answers its screening and recommendation (the history
/// comes from the client's recorded sessions).
#[utoipa::path(post, path = "/api/v1/clients/{id}/intake", operation_id = "take_intake", tag = "clients", params(("id" = i64, Path, description = "The client's id")),
    request_body = IntakeBody,
    security(("bearer" = [])),
    responses((status = 200, description = "Stored; its screening and recommendation", body = IntakeOutcome), (status = 400, description = "The body is not the JSON expected", body = ErrorBody), (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "Not found in the caller's clinic", body = ErrorBody), (status = 422, description = "A field is wrong; `field` names it", body = ErrorBody)))]
pub async fn intake<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    PathId(id): PathId<ClientId>,
    body: Bytes,
) -> Result<Json<IntakeOutcome>, Error> {
    let intake: IntakeBody = json_body(&body)?;
    let raw = String::from_utf8_lossy(&body).into_owned();
    let outcome = intake::take(&state, caller.clinic_id(), id, intake, raw).await?;
    crate::audit::changed(&state, &caller.0, &caller.1, Some(id), AuditAction::TakeIntake, "").await;
    Ok(Json(outcome))
}
