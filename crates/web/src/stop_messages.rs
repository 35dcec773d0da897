//! A client's way out: `GET /u/{token}` asks "stop messages?", and `POST /u/{token}` stops
//! them (also the one-click unsubscribe of RFC 8058 that mail programs send). The token is
//! the one in the message's own link; unlike a check-in, stopping messages still works after
//! the link has expired. Staff can stop and resume messages from the client's page.

use crate::AppState;
use crate::error_page::client_problem;
use crate::language::PageLanguage;
use crate::render::{ClientFrame, page};
use crate::secret::{hash_secret, looks_like_link_token};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use care::knowledge::locale::Locale;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{ClientId, Clinic, Store};

#[derive(Template)]
#[template(path = "stop_messages.html")]
struct StopPage {
    frame: ClientFrame,
    token: String,
}

/// The clinic and client of a message link, or the page to answer instead.
async fn open<S: Store>(
    state: &AppState<S>,
    locale: &Arc<Locale>,
    token: &str,
    peer: SocketAddr,
) -> Result<(Clinic, ClientId), Response> {
    let not_found = |state: &AppState<S>| {
        crate::rate_limit::count_failure(state, peer).unwrap_or_else(|| {
            client_problem(
                ClientFrame::of(locale, None),
                locale.word("link_broken"),
                locale.word("link_broken_text"),
                StatusCode::NOT_FOUND,
            )
        })
    };
    if !looks_like_link_token(token) {
        return Err(not_found(state));
    }
    let found = async {
        let Some(f) = state.store.follow_up_by_link_hash(&hash_secret(token)).await? else { return Ok(None) };
        let clinic = state.store.clinic(f.clinic_id).await?;
        let session = state.store.session(f.clinic_id, f.session_id).await?;
        Ok::<_, store::StoreError>(clinic.zip(session).map(|(c, s)| (c, s.client_id)))
    }
    .await;
    match found {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(unavailable(locale, &crate::error::Error::from(e))),
    }
}

/// `GET /u/{token}`: asks whether to stop messages (a link scanner's visit changes nothing).
pub async fn ask<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLanguage(locale): PageLanguage,
    Path(token): Path<String>,
) -> Response {
    let (clinic, _) = match open(&state, &locale, &token, peer).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    page(&StopPage { frame: ClientFrame::of(&locale, Some(&clinic)), token }, StatusCode::OK)
}

/// `POST /u/{token}`: stops messages to the client.
pub async fn stop<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLanguage(locale): PageLanguage,
    Path(token): Path<String>,
) -> Response {
    let (clinic, client_id) = match open(&state, &locale, &token, peer).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let now = state.clock.now();
    let already = state.store.client(clinic.id, client_id).await.ok().flatten().and_then(|c| c.opted_out_at);
    if already.is_none()
        && let Err(e) = state.store.set_client_opted_out(clinic.id, client_id, Some(now)).await
    {
        return unavailable(&locale, &crate::error::Error::from(e));
    }
    client_problem(
        ClientFrame::of(&locale, Some(&clinic)),
        locale.word("stopped"),
        &locale.fill("stopped_text", &[("clinic", &clinic.name)]),
        StatusCode::OK,
    )
}

/// The page for a stop link the database could not serve: nothing changed, try again.
fn unavailable(locale: &Arc<Locale>, e: &crate::error::Error) -> Response {
    client_problem(ClientFrame::of(locale, None), locale.word("cannot_now"), locale.word("cannot_now_text"), e.status())
}
