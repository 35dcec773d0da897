//! The one error type of the web layer. It answers JSON `{"error": {"code", "message", "field"}}`
//! with a 4xx status for what the caller can fix, and a plain 500 for the rest, whose details
//! go to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API caller.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

impl ApiError {
    /// A bad field (422).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A body that is not the JSON expected (400).
    pub fn bad_request(message: impl Into<String>, field: Option<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message: message.into(), field }
    }

    /// Nothing with this id in the caller's clinic (404), whether it does not exist or
    /// belongs to another clinic.
    pub fn not_found(what: &str) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: format!("{what} not found"), field: None }
    }

    /// No valid credentials (401).
    pub fn unauthorized() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "send a valid API token as `Authorization: Bearer TOKEN`".to_owned(),
            field: None,
        }
    }

    /// The caller's role may not do this (403).
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: message.into(), field: None }
    }

    /// A client link that has expired (410).
    pub fn link_expired() -> ApiError {
        ApiError {
            status: StatusCode::GONE,
            code: "link_expired",
            message: "this link has expired; please contact your clinic".to_owned(),
            field: None,
        }
    }

    /// A conflict with stored data (409).
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::CONFLICT, code: "conflict", message: message.into(), field: None }
    }

    /// The database cannot save or read just now (503): nothing was saved, and the same
    /// request may work in a few minutes.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "unavailable", message: message.into(), field: None }
    }

    /// Too many requests (429).
    pub fn too_many(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::TOO_MANY_REQUESTS, code: "too_many", message: message.into(), field: None }
    }

    /// Anything else (500). The details are logged, never shown.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        eprintln!("aftercare: internal error in {context}: {error}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "something went wrong on our side; nothing was saved".to_owned(),
            field: None,
        }
    }

    /// The first of the care engine's input errors, with its field made relative to `strip`.
    pub fn from_input(errors: &care::InputErrors, strip: &str) -> ApiError {
        match errors.0.first() {
            Some(e) => {
                let field = e.field.strip_prefix(strip).unwrap_or(&e.field).to_owned();
                ApiError::invalid(field, e.problem.clone())
            }
            None => ApiError::bad_request("invalid input", None),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message for the caller.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field at fault, if one is.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> ApiError {
        match e {
            store::StoreError::NotFound(what) => ApiError::not_found(what),
            store::StoreError::Conflict(what) => ApiError::conflict(format!("{what} is already taken")),
            store::StoreError::Unavailable(e) => {
                eprintln!("aftercare: the database is unavailable: {e}");
                ApiError::unavailable(
                    "we could not save this just now, so nothing was saved; please try again in a few minutes",
                )
            }
            other => ApiError::internal("store", other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "field": self.field}});
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
        }
        response
    }
}

/// Under `/api/`, every error answer is the documented JSON body, the framework's own
/// rejections included (no route 404, 405, a body over the limit 413, a query string that
/// cannot be read 400): their plain text becomes the message.
pub async fn api_errors_as_json(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096).await.ok();
    let text = text.as_deref().and_then(|b| std::str::from_utf8(b).ok()).map(str::trim).unwrap_or("");
    let (code, default) = match status {
        StatusCode::NOT_FOUND => ("not_found", "there is no such route; see /api/v1/openapi.json"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this route does not take this method"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the body is larger than 64 KiB"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as application/json"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long; please send it again"),
        s if s.is_server_error() => ("internal", "something went wrong on our side; nothing was saved"),
        _ => ("bad_request", "the request could not be read"),
    };
    let message = if text.is_empty() || status.is_server_error() { default.to_owned() } else { text.to_owned() };
    ApiError { status, code, message, field: None }.into_response()
}
