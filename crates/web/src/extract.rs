//! What handlers take from a request, checked at the edge: an id from the path, a staff
//! member's form (its origin and CSRF token checked), and a client link's context (the token
//! resolved, a link that does not work counted against the caller's address).

use crate::AppState;
use crate::error::Error;
use crate::service::check_in::{LinkContext, LinkProblem, open_link};
use crate::staff::auth::{SignedIn, check_csrf};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, MatchedPath, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use store::Store;

/// A positive id from the path's `{id}`, as the id of the record the route names
/// (`PathId<ClientId>`); anything else is "not found" (404), named by the route
/// (`/clients/{id}` → "client not found").
#[derive(Debug, Clone, Copy)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: From<i64>> FromRequestParts<S> for PathId<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let route = parts.extensions.get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
        let what = route
            .split('/')
            .take_while(|segment| *segment != "{id}")
            .last()
            .map_or("record", |s| s.strip_suffix('s').unwrap_or(s))
            .to_owned();
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| Error::not_found(&what))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| PathId(T::from(id)))
            .ok_or_else(|| Error::not_found(&what))
    }
}

/// A form body as name and value pairs, values trimmed.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().map(|(k, v)| (k, v.trim().to_owned())).collect())
    }

    /// The first non-empty value of `name`.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str()).collect()
    }
}

/// A signed-in staff member's form: it came from this app (`Origin`) and carries the
/// session's CSRF token, or it is refused (403) before the handler runs.
#[derive(Debug)]
pub struct StaffForm {
    /// Who sent it.
    pub who: SignedIn,
    /// Its fields.
    pub fields: Fields,
}

impl<S: Store> FromRequest<AppState<S>> for StaffForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let who = SignedIn::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = Fields::parse(&bytes);
        check_csrf(state, &parts.headers, &who, fields.one("csrf")).map_err(IntoResponse::into_response)?;
        Ok(StaffForm { who, fields })
    }
}

/// A client link that works now, with everything it leads to. A link that does not work is
/// counted against the caller's address (see [`crate::rate_limit`]) and answered with the page
/// that says so, with the warning signs and, when known, the clinic's emergency number.
#[derive(Debug)]
pub struct ClientLink {
    /// The link's token, as in its address.
    pub token: String,
    /// What it leads to.
    pub context: LinkContext,
    /// The caller's address.
    pub peer: SocketAddr,
    /// The language of the page: `?lang=`, the client's, or the browser's.
    pub locale: std::sync::Arc<care::knowledge::locale::Locale>,
}

impl<S: Store> FromRequestParts<AppState<S>> for ClientLink {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
        let Path(token) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::not_found("link").into_response())?;
        match open_link(state, &token).await {
            Ok(context) => {
                let locale = crate::language::of_request(state, parts, context.client.language.as_deref());
                Ok(ClientLink { token, context, peer, locale })
            }
            Err(problem) => {
                let locale = crate::language::of_request(state, parts, None);
                Err(link_problem_response(state, problem, peer, &locale).await)
            }
        }
    }
}

/// The answer to a link that does not work: counted for the rate limit unless the database
/// was at fault, then the page that says what to do.
pub async fn link_problem_response<S: Store>(
    state: &AppState<S>,
    problem: LinkProblem,
    peer: SocketAddr,
    locale: &std::sync::Arc<care::knowledge::locale::Locale>,
) -> Response {
    if problem.error.status() != axum::http::StatusCode::SERVICE_UNAVAILABLE
        && let Some(limited) = crate::rate_limit::count_failure(state, peer)
    {
        return limited;
    }
    crate::client_pages::link_problem(state, locale, &problem.error, problem.clinic_id).await
}
