//! The request log: every request gets an id (`x-request-id`, made here unless a proxy in
//! front sent a plain one, and answered back), and one span named `request` carries it with the
//! method and the route, so that each line logged while answering, a 500's cause included,
//! names its request. The route is logged as written (`/c/{token}`), never the path: a client
//! link's address is its secret.

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnBodyChunk, DefaultOnEos, DefaultOnFailure, DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::Level;

/// The header that carries a request's id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A new request id: 16 random hex digits.
fn new_id() -> HeaderValue {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return HeaderValue::from_static("-");
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&hex).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// Gives each request an id, keeping one a proxy in front sent when it is short and plain
/// (letters, digits, `-`, `_`, `.`, at most 64), and answers it back, so a person reporting a
/// problem can quote it.
pub async fn assign_id(mut request: axum::extract::Request, next: Next) -> Response {
    let sent = request.headers().get(&REQUEST_ID).filter(|v| {
        let b = v.as_bytes();
        !b.is_empty() && b.len() <= 64 && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
    });
    let id = sent.cloned().unwrap_or_else(new_id);
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The span of a request: its id, method and route.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> tracing::Span {
        let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        let route = request.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
        tracing::info_span!("request", id = %id, method = %request.method(), route = %route)
    }
}

/// The layer that logs each request in its span: one line when it is answered, with the
/// status and the time taken, and an error line for each 5xx.
pub fn trace_layer() -> TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    RequestSpan,
    (),
    DefaultOnResponse,
    DefaultOnBodyChunk,
    DefaultOnEos,
    DefaultOnFailure,
> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        .on_failure(DefaultOnFailure::new().level(Level::ERROR))
}
