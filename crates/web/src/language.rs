//! Which language a client's page is in: `?lang=` on its address (the language switch), else
//! the language on the client's record, else the browser's `Accept-Language`, else English.
//! Staff pages are in English.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use care::knowledge::locale::Locale;
use std::convert::Infallible;
use std::sync::Arc;
use store::Store;

/// The language of a page, for `parts`' request and a client whose record says `recorded`.
pub fn of_request<S: Store>(state: &AppState<S>, parts: &Parts, recorded: Option<&str>) -> Arc<Locale> {
    let asked = parts
        .uri
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
    let languages = &state.languages;
    asked
        .as_deref()
        .and_then(|code| languages.get(code))
        .or_else(|| recorded.and_then(|code| languages.get(code)))
        .or_else(|| {
            parts
                .headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| languages.from_accept_language(h))
        })
        .unwrap_or_else(|| languages.english())
        .clone()
}

/// The language of a client page that belongs to no client (the general "Why am I sore?"
/// page, a link that does not work).
#[derive(Debug, Clone)]
pub struct PageLanguage(pub Arc<Locale>);

impl<S: Store> FromRequestParts<AppState<S>> for PageLanguage {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        Ok(PageLanguage(of_request(state, parts, None)))
    }
}
