//! The JSON API for clinics: `/api/v1/…`, bearer-token authenticated and clinic-scoped.

pub mod alerts;
pub mod clients;
pub mod sessions;

use crate::AppState;
use crate::error::Error;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::Store;

/// Whether the database can be read and written.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DatabaseHealth {
    /// It can be read.
    pub read: bool,
    /// It can save data now.
    pub write: bool,
}

/// The server's health.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// The database's state.
    pub database: DatabaseHealth,
    /// `ok`, `cannot save` or `database unavailable`.
    pub status: &'static str,
    /// Check-ins kept in memory until the database can save them.
    pub unsaved_check_ins: usize,
}

/// Whether this server takes answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// It does.
    pub ready: bool,
}

/// `GET /healthz`: whether the database can be read and can save data now (a small write,
/// committed), and how many check-ins wait to be saved. 200 when both work, else 503 with
/// what fails. A successful probe also saves the check-ins that wait.
#[utoipa::path(get, path = "/healthz", operation_id = "health", tag = "health",
    responses((status = 200, description = "The database can be read and can save", body = Health), (status = 503, description = "The database cannot be read or cannot save now", body = Health)))]
pub async fn healthz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    let read = state.store.ping().await.is_ok();
    let probe = state.write_health.probe(&state.store, state.clock.now()).await;
    let ok = read && probe.writable && probe.unsaved == 0;
    let body = Health {
        status: if ok {
            "ok"
        } else if read {
            "cannot save"
        } else {
            "database unavailable"
        },
        database: DatabaseHealth { read, write: probe.writable },
        unsaved_check_ins: probe.unsaved,
    };
    (if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

/// `GET /readyz`: for a load balancer, 200 when this server can take answers, else 503. It
/// answers from the last write probe (`serve` probes every few seconds, and a refused write
/// counts), so polling it writes nothing.
#[utoipa::path(get, path = "/readyz", operation_id = "ready", tag = "health",
    responses((status = 200, description = "This server takes answers", body = Ready), (status = 503, description = "This server cannot save answers now", body = Ready)))]
pub async fn readyz<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    if state.write_health.status().0.is_none() {
        (StatusCode::OK, Json(Ready { ready: true }))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Ready { ready: false }))
    }
}

/// This document: made from the typed requests and answers of the handlers.
#[utoipa::path(get, path = "/api/v1/openapi.json", operation_id = "api_document", tag = "health",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
pub async fn openapi<S: Store>(State(state): State<AppState<S>>) -> impl IntoResponse {
    Json(crate::openapi::document(&state.knowledge))
}

/// Parses a JSON request body, naming the field that is wrong.
pub fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::bad_request("the body is not UTF-8 text", None))?;
    care::input::from_json(text).map_err(|e| {
        if e.field.is_empty() || e.problem.starts_with("not valid JSON") {
            Error::bad_request(format!("the body {}", e.problem), (!e.field.is_empty()).then(|| e.field.clone()))
        } else {
            Error::invalid(e.field, e.problem)
        }
    })
}
