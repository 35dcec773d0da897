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

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(e) => {
            eprintln!("aftercare: health check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "database unavailable"})))
        }
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
