//! The request log: every request gets an id (`x-request-id`, made here unless a proxy in
//! front sent one, and answered back), and one span named `request` carries it with the
//! method and the route, so that each line logged while answering, a 500's cause included,
//! names its request. The route is logged as written (`/c/{token}`), never the path: a client
//! link's address is its secret.

use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnBodyChunk, DefaultOnEos, DefaultOnFailure, DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::Level;

/// The header that carries a request's id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Makes a random id for each request: 16 hex digits.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes).ok()?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        hex.parse().ok().map(RequestId::new)
    }
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

/// The layer that gives each request its id.
pub fn set_id_layer() -> SetRequestIdLayer<RandomId> {
    SetRequestIdLayer::new(REQUEST_ID, RandomId)
}

/// The layer that answers each request's id back, so a person reporting a problem can quote it.
pub fn propagate_id_layer() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(REQUEST_ID)
}
