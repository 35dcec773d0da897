//! The audit trail for owners: who read or changed what, when and from where, for the clinic
//! or for one client, newest first, a page at a time. An entry outlives the client's record.

use crate::AppState;
use crate::error::Error;
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, local_time, respond};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use store::{AuditAction, AuditId, ClientId, Role, Store};

/// Entries on one page.
const PER_PAGE: u32 = 100;

/// `GET /audit` query: `client` (an id) and `before` (an entry's id, for the next page).
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    client: Option<String>,
    before: Option<String>,
}

/// An entry as the page shows it.
#[derive(Debug)]
struct Line {
    when: String,
    who: String,
    client: Option<(i64, String)>,
    what: &'static str,
    detail: String,
    from: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: Layout,
    client: Option<(i64, String)>,
    lines: Vec<Line>,
    next: Option<String>,
}

/// An action in plain words.
fn words(a: AuditAction) -> &'static str {
    match a {
        AuditAction::ViewClient => "read the record",
        AuditAction::CreateClient => "added the client",
        AuditAction::TakeIntake => "took an intake",
        AuditAction::IntakeLink => "made an intake link",
        AuditAction::RecordSession => "recorded a session",
        AuditAction::AcknowledgeAlert => "acknowledged an alert",
        AuditAction::ClientMessages => "changed the client's messages",
        AuditAction::ChangeSettings => "changed the settings",
        AuditAction::Export => "exported records",
        AuditAction::ChangePassword => "changed their password",
        AuditAction::PasswordLink => "had a link to choose a password e-mailed",
        AuditAction::TwoFactor => "changed their two-step sign-in",
        AuditAction::EraseClient => "erased the client's data",
    }
}

/// `GET /audit?client=ID&before=ID`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn, Query(q): Query<AuditQuery>) -> Response {
    if who.staff.role != Role::Owner {
        return Error::forbidden("only the clinic's owner may read the audit trail").into_response();
    }
    respond(page(&state, &who, q).await, StatusCode::OK)
}

async fn page<S: Store>(state: &AppState<S>, who: &SignedIn, q: AuditQuery) -> Result<AuditPage, Error> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let positive = |raw: Option<&str>| raw.and_then(|t| t.parse::<i64>().ok()).filter(|id| *id > 0);
    let client_id = positive(q.client.as_deref()).map(ClientId);
    let before = positive(q.before.as_deref()).map(AuditId);
    let staff = state.store.staff_of_clinic(clinic.id).await?;
    let entries = state.store.audit_trail(clinic.id, client_id, before, PER_PAGE).await?;
    let mut names: Vec<(ClientId, String)> = Vec::new();
    let mut lines = Vec::new();
    for e in &entries {
        let client = match e.client_id {
            Some(id) => {
                if !names.iter().any(|(c, _)| *c == id) {
                    let name = state
                        .store
                        .client(clinic.id, id)
                        .await?
                        .map_or_else(|| format!("client {id} (no longer on record)"), |c| c.name);
                    names.push((id, name));
                }
                names.iter().find(|(c, _)| *c == id).map(|(c, n)| (c.get(), n.clone()))
            }
            None => None,
        };
        lines.push(Line {
            when: local_time(e.at, &clinic.timezone),
            who: e
                .staff_id
                .and_then(|id| staff.iter().find(|s| s.id == id))
                .map_or_else(|| "staff".to_owned(), |s| s.name.clone()),
            client,
            what: words(e.action),
            detail: e.detail.clone(),
            from: e.address.clone(),
        });
    }
    let client = match client_id {
        Some(id) => Some((
            id.get(),
            state.store.client(clinic.id, id).await?.map_or_else(|| format!("client {id}"), |c| c.name),
        )),
        None => None,
    };
    let next = entries.last().filter(|_| entries.len() == PER_PAGE as usize).map(|e| match client_id {
        Some(c) => format!("/audit?client={c}&before={}", e.id),
        None => format!("/audit?before={}", e.id),
    });
    Ok(AuditPage { layout: Layout::signed_in(who, &clinic, "Audit trail", "settings"), client, lines, next })
}
