//! Every error is answered in the shape its audience reads, the framework's own rejections
//! included (no route, a wrong method, a body over the limit, a form that cannot be read):
//!
//! - the API (`/api/…`, `/healthz`, `/readyz`, and a check-in sent as JSON to `/c/{token}`)
//!   answers the documented JSON error body;
//! - a client's page (`/c/`, `/i/`, `/u/`, `/why-sore`) answers a page in the client frame,
//!   with the warning signs;
//! - a staff page answers a page in the staff layout.
//!
//! A handler that already answered a page (with the clinic's emergency number, say) keeps it.

use crate::AppState;
use crate::error::{ErrorBody, ErrorDetail, Shown, from_status};
use crate::render::{ClientFrame, page};
use crate::staff::view::Layout;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::Store;

/// Who reads a request's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A program, reading JSON.
    Api,
    /// A client in a browser, from a link.
    Client,
    /// Staff in a browser.
    Staff,
}

impl Audience {
    /// The audience of a request.
    pub fn of(request: &Request) -> Audience {
        let path = request.uri().path();
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let machine = path.starts_with("/api/") || path == "/healthz" || path == "/readyz";
        // A check-in sent to a client link as JSON is the API's, not the form's.
        let json_check_in =
            path.starts_with("/c/") && request.method() == Method::POST && !is_form && !path.ends_with("/feedback");
        if machine || json_check_in {
            Audience::Api
        } else if ["/c/", "/i/", "/u/"].iter().any(|p| path.starts_with(p)) || path.starts_with("/why-sore") {
            Audience::Client
        } else {
            Audience::Staff
        }
    }
}

#[derive(Template)]
#[template(path = "link_problem.html")]
struct ClientProblemPage {
    frame: ClientFrame,
    title: String,
    message: String,
}

#[derive(Template)]
#[template(path = "staff/error.html")]
struct StaffErrorPage {
    layout: Layout,
    message: String,
    back: &'static str,
    back_label: &'static str,
}

/// The page of a client problem: a title, what to do, the warning signs and, when the clinic
/// is known, its emergency number.
pub fn client_problem(frame: ClientFrame, title: &str, message: &str, status: StatusCode) -> Response {
    page(&ClientProblemPage { frame, title: title.to_owned(), message: message.to_owned() }, status)
}

/// A title for an error page.
fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Already done",
        StatusCode::UNPROCESSABLE_ENTITY => "Please check what you wrote",
        StatusCode::TOO_MANY_REQUESTS => "Too many tries",
        StatusCode::GONE => "This link has expired",
        StatusCode::SERVICE_UNAVAILABLE => "We cannot save just now",
        s if s.is_server_error() => "Something went wrong",
        _ => "This request could not be read",
    }
}

/// What a person reads for a rejection the framework made itself.
fn for_a_person(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "There is no page at this address. Check it for a typing mistake.",
        StatusCode::METHOD_NOT_ALLOWED => "This page cannot be used this way. Go back and try again.",
        StatusCode::PAYLOAD_TOO_LARGE => "What you sent is too long. Shorten it and send it again.",
        StatusCode::REQUEST_TIMEOUT => "This took too long. Please send it again.",
        StatusCode::TOO_MANY_REQUESTS => "Too many tries. Please wait a minute and try again.",
        s if s.is_server_error() => "Something went wrong on our side, and nothing was saved. Please try again.",
        _ => "What was sent could not be read. Go back and try again.",
    }
}

/// A message as a sentence: its field first when it names one, a capital, a full stop.
fn sentence(shown: &Shown) -> String {
    let text = match &shown.field {
        Some(f) if !f.is_empty() => format!("{f}: {}", shown.message),
        _ => shown.message.clone(),
    };
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Answers each error in its audience's shape (see the module's documentation).
pub async fn answer_errors<S: Store>(State(state): State<AppState<S>>, request: Request, next: Next) -> Response {
    let audience = Audience::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (is_json, is_html) = (content_type.starts_with("application/json"), content_type.starts_with("text/html"));
    if (audience == Audience::Api && is_json) || (audience != Audience::Api && is_html) {
        return response;
    }
    let shown = response.extensions().get::<Shown>().cloned();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let allow = response.headers().get(header::ALLOW).cloned();
    let shown = match shown {
        Some(s) => s,
        None if audience != Audience::Api => {
            // The framework's own rejection, in words for a person rather than a program.
            let e = from_status(status, "");
            Shown { code: e.code(), message: for_a_person(status).to_owned(), field: None }
        }
        None => {
            let text = axum::body::to_bytes(response.into_body(), 4096).await.ok();
            let text = text.as_deref().and_then(|b| std::str::from_utf8(b).ok()).map(str::trim).unwrap_or("");
            let e = from_status(status, text);
            Shown { code: e.code(), message: e.message().to_owned(), field: e.field().map(str::to_owned) }
        }
    };
    let mut answer = match audience {
        Audience::Api => {
            let body = ErrorBody {
                error: ErrorDetail { code: shown.code.to_owned(), message: shown.message, field: shown.field },
            };
            (status, axum::Json(body)).into_response()
        }
        Audience::Client => {
            client_problem(ClientFrame::of(state.languages.english(), None), title(status), &sentence(&shown), status)
        }
        Audience::Staff => {
            let (back, back_label) = if status == StatusCode::UNAUTHORIZED {
                ("/sign-in", "Sign in")
            } else {
                ("/", "Back to the dashboard")
            };
            let error_page = StaffErrorPage {
                layout: Layout::signed_out(title(status)),
                message: sentence(&shown),
                back,
                back_label,
            };
            page(&error_page, status)
        }
    };
    if let Some(v) = retry_after {
        answer.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if let Some(v) = allow {
        answer.headers_mut().insert(header::ALLOW, v);
    }
    answer
}
