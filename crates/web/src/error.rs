//! The one error of the web app, answered in the shape its audience reads:
//!
//! - an API caller (`/api/…`, `/healthz`, `/readyz`, a JSON check-in) gets the documented
//!   JSON body `{"error": {"code", "message", "field"}}`;
//! - a browser gets an HTML page: the staff layout on a staff page, and on a client's page
//!   the client frame with the warning signs and, when known, the clinic's emergency number.
//!
//! What the caller can fix is a 4xx with its field named; anything else is a 500 whose cause
//! goes to the log (with the request's id, see [`crate::request_log`]) and never to the user.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Any error with its cause, as kept in a source chain.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An error answered to a caller.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    /// What caused it, for the log only.
    #[source]
    source: Option<BoxError>,
}

/// The JSON body of an error, as the API document describes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, and where.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `invalid`, `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `link_expired`, `too_many`, `unavailable`, `internal`, and the framework's
    /// own (`method_not_allowed`, `too_large`, `unsupported_media_type`, `timeout`).
    pub code: String,
    /// The problem in plain words.
    pub message: String,
    /// The field at fault, when one is (`report.soreness`, `name`, …).
    pub field: Option<String>,
}

/// What an error page shows, kept on the response so that the page for a browser is made
/// from the same error the API would have answered.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The stable code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// The field at fault.
    pub field: Option<String>,
}

impl Error {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Error {
        Error { status, code, message: message.into(), field: None, source: None }
    }

    /// A bad field (422).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error { field: Some(field.into()), ..Error::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message) }
    }

    /// A body that is not the JSON expected (400).
    pub fn bad_request(message: impl Into<String>, field: Option<String>) -> Error {
        Error { field, ..Error::new(StatusCode::BAD_REQUEST, "bad_request", message) }
    }

    /// Nothing with this id in the caller's clinic (404), whether it does not exist or
    /// belongs to another clinic.
    pub fn not_found(what: &str) -> Error {
        Error::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    /// No valid credentials (401).
    pub fn unauthorized() -> Error {
        Error::new(StatusCode::UNAUTHORIZED, "unauthorized", "send a valid API token as `Authorization: Bearer TOKEN`")
    }

    /// The caller's role may not do this (403).
    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A client link that has expired (410).
    pub fn link_expired() -> Error {
        Error::new(StatusCode::GONE, "link_expired", "this link has expired; please contact your clinic")
    }

    /// A conflict with stored data (409).
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// The database cannot save or read just now (503): nothing was saved, and the same
    /// request may work in a few minutes.
    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// Too many requests (429).
    pub fn too_many(message: impl Into<String>) -> Error {
        Error::new(StatusCode::TOO_MANY_REQUESTS, "too_many", message)
    }

    /// Anything else (500): `context` says what was being done, `source` why it failed. Both
    /// go to the log when the error is answered, never to the user.
    pub fn internal(context: &str, source: impl Into<BoxError>) -> Error {
        Error {
            source: Some(format!("{context}: {}", chain(&*source.into())).into()),
            ..Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; nothing was saved",
            )
        }
    }

    /// The first of the care engine's input errors, with its field made relative to `strip`.
    pub fn from_input(errors: &care::InputErrors, strip: &str) -> Error {
        match errors.0.first() {
            Some(e) => {
                let field = e.field.strip_prefix(strip).unwrap_or(&e.field).to_owned();
                Error::invalid(field, e.problem.clone())
            }
            None => Error::bad_request("invalid input", None),
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

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail { code: self.code.to_owned(), message: self.message.clone(), field: self.field.clone() },
        }
    }
}

/// An error and every cause under it, as one line.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Error {
        match e {
            store::StoreError::NotFound(what) => Error::not_found(what),
            store::StoreError::Conflict(what) => Error::conflict(format!("{what} is already taken")),
            store::StoreError::Unavailable(_) => Error {
                source: Some(Box::new(e)),
                ..Error::unavailable(
                    "we could not save this just now, so nothing was saved; please try again in a few minutes",
                )
            },
            other => Error::internal("the store", other),
        }
    }
}

impl From<askama::Error> for Error {
    fn from(e: askama::Error) -> Error {
        Error::internal("rendering a page", e)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        // The cause goes to the log, inside the request's span and so with its id.
        match &self.source {
            Some(cause) if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE => {
                tracing::error!(code = self.code, cause = %chain(&**cause), "request failed");
            }
            Some(cause) => tracing::warn!(code = self.code, cause = %chain(&**cause), "request refused"),
            None => {}
        }
        let shown = Shown { code: self.code, message: self.message.clone(), field: self.field.clone() };
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        response.extensions_mut().insert(shown);
        response
    }
}

/// The error answer to a framework rejection or a plain-text error (no route, a wrong method,
/// a body over the limit), from its status and text: the same shape as every other error.
pub fn from_status(status: StatusCode, text: &str) -> Error {
    let (code, default) = match status {
        StatusCode::NOT_FOUND => ("not_found", "there is no such route; see /api/v1/openapi.json"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this route does not take this method"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the body is larger than 64 KiB"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as application/json"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long; please send it again"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many", "too many requests; please wait a minute and try again"),
        s if s.is_server_error() => ("internal", "something went wrong on our side; nothing was saved"),
        _ => ("bad_request", "the request could not be read"),
    };
    let message = if text.is_empty() || status.is_server_error() { default.to_owned() } else { text.to_owned() };
    Error::new(status, code, message)
}
