//! Safe headers on every response: a strict Content-Security-Policy (this origin's own style
//! sheets and scripts only, never inline, never framed), no content sniffing, no referrer
//! from client pages (their address carries the client's link), nothing stored by caches
//! (pages and answers carry health data, links and credentials; only `/assets/` may be
//! kept), and HSTS when the app is served over https.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The browsable API document's page: Swagger UI fetches the document and sets styles on
/// its elements, from this origin only.
pub const API_DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A page a client reaches from a link whose address is a secret, or from such a page.
fn is_client_page(path: &str) -> bool {
    ["/c/", "/i/", "/u/"].iter().any(|p| path.starts_with(p)) || path == "/why-sore"
}

/// Adds the headers; `https` is whether the app's address is an https one.
pub async fn secure(State(https): State<bool>, request: Request, next: Next) -> Response {
    let client = is_client_page(request.uri().path());
    let docs = request.uri().path() == "/api/v1/docs";
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let policy = if docs { API_DOCS_POLICY } else { CONTENT_SECURITY_POLICY };
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let referrer = if client { "no-referrer" } else { "same-origin" };
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}
