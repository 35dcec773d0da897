//! The JSON API for clinics: `/api/v1/…`, bearer-token authenticated and clinic-scoped.

pub mod alerts;
pub mod clients;
pub mod sessions;

use crate::error::ApiError;
use crate::{AppState, OPENAPI};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde_json::json;
use store::Store;

/// `GET /healthz`: whether the database can be read and can save data now (a small write,
/// committed), and how many check-ins wait to be saved. 200 when both work, else 503 with
/// what fails. A successful probe also saves the check-ins that wait.
pub async fn healthz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    let read = state.store.ping().await.is_ok();
    let probe = state.write_health.probe(&state.store, state.clock.now()).await;
    let ok = read && probe.writable && probe.unsaved == 0;
    let body = json!({
        "status": if ok { "ok" } else if read { "cannot save" } else { "database unavailable" },
        "database": {"read": read, "write": probe.writable},
        "unsaved_check_ins": probe.unsaved,
    });
    (if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

/// `GET /readyz`: for a load balancer, 200 when this server can take answers, else 503. It
/// answers from the last write probe (`serve` probes every few seconds, and a refused write
/// counts), so polling it writes nothing.
pub async fn readyz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    if state.write_health.status().0.is_none() {
        (StatusCode::OK, Json(json!({"ready": true})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"ready": false})))
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Parses a JSON request body, naming the field that is wrong.
pub fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("the body is not UTF-8 text", None))?;
    care::input::from_json(text).map_err(|e| {
        if e.field.is_empty() || e.problem.starts_with("not valid JSON") {
            ApiError::bad_request(format!("the body {}", e.problem), (!e.field.is_empty()).then(|| e.field.clone()))
        } else {
            ApiError::invalid(e.field, e.problem)
        }
    })
}

/// Reads an id from the path; anything but a positive whole number is "not found".
pub fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| ApiError::not_found(what))
}
