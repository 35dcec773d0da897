//! A client's way out: `GET /u/{token}` asks "stop messages?", and `POST /u/{token}` stops
//! them (also the one-click unsubscribe of RFC 8058 that mail programs send). The token is
//! the one in the message's own link; unlike a check-in, stopping messages still works after
//! the link has expired. Staff can stop and resume messages from the client's page.

use crate::AppState;
use crate::error_page::client_problem;
use crate::render::{ClientFrame, page};
use crate::secret::{hash_secret, looks_like_link_token};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::net::SocketAddr;
use store::{ClientId, Clinic, Store};

#[derive(Template)]
#[template(path = "stop_messages.html")]
struct StopPage {
    frame: ClientFrame,
    token: String,
}

/// The clinic and client of a message link, or the page to answer instead.
async fn open<S: Store>(state: &AppState<S>, token: &str, peer: SocketAddr) -> Result<(Clinic, ClientId), Response> {
    let not_found = |state: &AppState<S>| {
        crate::rate_limit::count_failure(state, peer).unwrap_or_else(|| {
            client_problem(
                ClientFrame::of(&state.knowledge, None),
                "This link does not work",
                "Check that you copied the whole link from your message, or contact your clinic.",
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
        Err(e) => Err(unavailable(state, &crate::error::Error::from(e))),
    }
}

/// `GET /u/{token}`: asks whether to stop messages (a link scanner's visit changes nothing).
pub async fn ask<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let (clinic, _) = match open(&state, &token, peer).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    page(&StopPage { frame: ClientFrame::of(&state.knowledge, Some(&clinic)), token }, StatusCode::OK)
}

/// `POST /u/{token}`: stops messages to the client.
pub async fn stop<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let (clinic, client_id) = match open(&state, &token, peer).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let now = state.clock.now();
    let already = state.store.client(clinic.id, client_id).await.ok().flatten().and_then(|c| c.opted_out_at);
    if already.is_none()
        && let Err(e) = state.store.set_client_opted_out(clinic.id, client_id, Some(now)).await
    {
        return unavailable(&state, &crate::error::Error::from(e));
    }
    client_problem(
        ClientFrame::of(&state.knowledge, Some(&clinic)),
        "Messages stopped",
        &format!(
            "You will get no more messages from Aftercare for {}. If you change your mind, ask your clinic to start them again.",
            clinic.name
        ),
        StatusCode::OK,
    )
}

/// The page for a stop link the database could not serve: nothing changed, try again.
fn unavailable<S: Store>(state: &AppState<S>, e: &crate::error::Error) -> Response {
    client_problem(
        ClientFrame::of(&state.knowledge, None),
        "We cannot do this just now",
        "Nothing was changed. Please try again in a few minutes.",
        e.status(),
    )
}
