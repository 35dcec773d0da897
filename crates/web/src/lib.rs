//! # The Aftercare web app
//!
//! The JSON API for clinics (bearer tokens, clinic-scoped), the staff's pages and the client
//! check-in links, over any [`store::Store`]. The use cases are in [`service`]; handlers are
//! thin: they extract the request ([`extract`]), call a use case, and answer JSON or render a
//! page. Every error is answered in its audience's shape ([`error_page`]) and logged with its
//! request's id ([`request_log`]). The clock is passed in ([`Clock`]), never read here.

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod check_in_form;
pub mod client_intake;
pub mod client_pages;
pub mod demo;
pub mod error;
pub mod error_page;
pub mod extract;
pub mod fields;
pub mod headers;
pub mod intake_form;
pub mod language;
pub mod openapi;
pub mod page;
pub mod rate_limit;
pub mod render;
pub mod request_log;
pub mod secret;
pub mod serve;
pub mod service;
pub mod staff;
pub mod stop_messages;
pub mod time;
pub mod write_health;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use care::Knowledge;
use std::sync::Arc;
use store::Store;

/// The largest request body accepted (a check-in note is at most 2000 characters).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub use followup::outbox::LINK_VALID_AFTER_DUE_HOURS;
pub use store::{Clock, FixedClock};

/// Everything a request needs.
pub struct AppState<S: Store> {
    /// The store.
    pub store: S,
    /// The clinical knowledge, in English: staff pages, the API, storage.
    pub knowledge: Arc<Knowledge>,
    /// The knowledge and the words of every language a client may read.
    pub languages: Arc<care::knowledge::locale::Languages>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The address clients reach the app at, for the links in messages (no trailing slash).
    pub base_url: String,
    /// Limits requests per address on the routes anyone can reach.
    pub rate_limiter: rate_limit::RateLimiter,
    /// Whether the database can save data, and the check-ins it could not save yet.
    pub write_health: Arc<write_health::WriteHealth>,
    /// The folders where the follow-ups keep messages as files, scrubbed when a client's
    /// data is erased.
    pub outboxes: Vec<followup::transport::file::FileTransport>,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            store: self.store.clone(),
            knowledge: self.knowledge.clone(),
            languages: self.languages.clone(),
            clock: self.clock.clone(),
            base_url: self.base_url.clone(),
            rate_limiter: self.rate_limiter.clone(),
            write_health: self.write_health.clone(),
            outboxes: self.outboxes.clone(),
        }
    }
}

impl<S: Store> std::fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

/// A route of the API document.
pub struct ApiRoute<S: Store> {
    /// Its method.
    pub method: Method,
    /// Its path, as the document writes it.
    pub path: &'static str,
    handler: MethodRouter<AppState<S>>,
}

impl<S: Store> std::fmt::Debug for ApiRoute<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Every route of the API document: every route that answers JSON, and the client's check-in
/// form beside its JSON check-in. A test checks that each is in the document and that the
/// document has no other.
pub fn api_routes<S: Store>() -> Vec<ApiRoute<S>> {
    let route =
        |method: Method, path: &'static str, handler: MethodRouter<AppState<S>>| ApiRoute { method, path, handler };
    vec![
        route(Method::GET, "/healthz", get(api::healthz::<S>)),
        route(Method::GET, "/readyz", get(api::readyz::<S>)),
        route(Method::GET, "/api/v1/openapi.json", get(api::openapi::<S>)),
        route(Method::POST, "/api/v1/clients", post(api::clients::create::<S>)),
        route(Method::GET, "/api/v1/clients/{id}", get(api::clients::show::<S>)),
        route(Method::POST, "/api/v1/clients/{id}/intake", post(api::clients::intake::<S>)),
        route(Method::GET, "/api/v1/clients/{id}/fhir", get(api::clients::fhir::<S>)),
        route(Method::POST, "/api/v1/sessions", post(api::sessions::record::<S>)),
        route(Method::GET, "/api/v1/alerts", get(api::alerts::list::<S>)),
        route(Method::POST, "/api/v1/alerts/{id}/acknowledge", post(api::alerts::acknowledge::<S>)),
        // The client's check-in: JSON here, the form's page for a form body; and the form.
        route(Method::POST, "/c/{token}", post(client_pages::submit::<S>)),
        route(Method::GET, "/c/{token}", get(client_pages::form::<S>)),
    ]
}

/// Every route of the app.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let https = state.base_url.starts_with("https://");
    let api = api_routes::<S>().into_iter().fold(Router::new(), |r, a| r.route(a.path, a.handler));
    api.route("/", get(staff::dashboard::show::<S>))
        .route("/sign-out", post(staff::auth::sign_out::<S>))
        .route("/alerts", get(staff::alerts::show::<S>))
        .route("/account", get(staff::account::show::<S>))
        .route("/outcomes", get(staff::outcomes::show::<S>))
        .route("/audit", get(staff::audit::show::<S>))
        .route("/outcomes/export", get(staff::outcomes::export::<S>))
        .route("/account/password", post(staff::account::change_password::<S>))
        .route("/account/two-factor", get(staff::two_factor::show::<S>).post(staff::two_factor::change::<S>))
        .route("/sign-in/code", get(staff::two_factor::code_page::<S>).post(staff::two_factor::submit_code::<S>))
        .route("/password/forgot", get(staff::password::forgot_page).post(staff::password::forgot::<S>))
        .route("/password/{token}", get(staff::password::choose_page::<S>).post(staff::password::choose::<S>))
        .route("/alerts/{id}", get(staff::alerts::one::<S>))
        .route("/alerts/{id}/acknowledge", post(staff::alerts::acknowledge::<S>))
        .route("/clients", get(staff::clients::list::<S>).post(staff::clients::create::<S>))
        .route("/clients/{id}", get(staff::clients::show::<S>))
        .route("/clients/{id}/intake", get(staff::sessions::intake_form::<S>).post(staff::sessions::save_intake::<S>))
        .route("/clients/{id}/sessions/new", get(staff::sessions::new_session::<S>))
        .route("/clients/{id}/messages", post(staff::clients::messages::<S>))
        .route("/clients/{id}/intake-link", post(staff::clients::intake_link::<S>))
        .route("/clients/{id}/data.json", get(staff::clients::data::<S>))
        .route("/clients/{id}/fhir.json", get(staff::clients::fhir::<S>))
        .route("/clients/{id}/erase", post(staff::clients::erase::<S>))
        .route("/clients/{id}/sessions", post(staff::sessions::save_session::<S>))
        .route("/settings", get(staff::settings::show::<S>))
        .route("/settings/clinic", post(staff::settings::clinic::<S>))
        .route("/settings/schedule", post(staff::settings::schedule::<S>))
        .route("/settings/alerts", post(staff::settings::alerts::<S>))
        .route("/settings/contact", post(staff::settings::contact::<S>))
        .route("/settings/messages", post(staff::settings::messages::<S>))
        .route("/settings/products", post(staff::settings::add_product::<S>))
        .route("/settings/products/{id}/remove", post(staff::settings::remove_product::<S>))
        .route("/settings/intake-link", post(staff::settings::intake_link::<S>))
        .route("/settings/staff", post(staff::settings::add_staff::<S>))
        .route("/settings/staff/{id}", post(staff::settings::change_staff::<S>))
        .route("/settings/staff/{id}/password-link", post(staff::settings::password_link::<S>))
        .route("/settings/two-factor", post(staff::settings::two_factor::<S>))
        .route("/why-sore", get(client_pages::why_sore::<S>))
        .route("/assets/{name}", get(assets::serve))
        .route("/api/v1/docs", get(assets::api_docs))
        // Anyone can reach these; failures are limited per address (see `rate_limit`).
        .route("/c/{token}/plan", get(client_pages::plan::<S>))
        .route("/c/{token}/why-sore", get(client_pages::why_sore_of_link::<S>))
        .route("/c/{token}/feedback", post(client_pages::feedback::<S>))
        .route("/u/{token}", get(stop_messages::ask::<S>).post(stop_messages::stop::<S>))
        .route("/i/{token}", get(client_intake::form::<S>).post(client_intake::submit::<S>))
        .route("/sign-in", get(staff::auth::sign_in_page).post(staff::auth::sign_in::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error_page::answer_errors::<S>))
        .layer(request_log::trace_layer())
        .layer(axum::middleware::from_fn(request_log::assign_id))
        .layer(axum::middleware::from_fn_with_state(https, headers::secure))
        .with_state(state)
}

/// Serves the app on `listener` until `shutdown` completes, within the default
/// [`serve::Limits`].
///
/// # Errors
/// When the server fails.
pub async fn serve<S: Store>(
    listener: tokio::net::TcpListener,
    state: AppState<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve::serve_with(listener, state, shutdown, serve::Limits::default()).await
}
