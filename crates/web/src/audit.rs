//! The audit trail: every read of a client's record and every change, who, when, what and
//! from where, kept append-only by the store. A read is shown only once it is in the trail;
//! a change that is saved stands even if its entry could not be written, and that failure is
//! logged.

use crate::AppState;
use crate::error::Error;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::SocketAddr;
use store::{AuditAction, ClientId, NewAuditEntry, Staff, Store};

/// The network address of a request.
pub fn address(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default()
}

fn entry<S: Store>(
    state: &AppState<S>,
    staff: &Staff,
    address: &str,
    client: Option<ClientId>,
    action: AuditAction,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        staff_id: staff.id,
        client_id: client,
        action,
        detail,
        address: address.to_owned(),
        now: state.clock.now(),
    }
}

/// Records a read of `client`'s record; the record may be shown only when this succeeds.
///
/// # Errors
/// When the trail cannot be written.
pub async fn read<S: Store>(state: &AppState<S>, staff: &Staff, address: &str, client: ClientId) -> Result<(), Error> {
    let e = entry(state, staff, address, Some(client), AuditAction::ViewClient, String::new());
    Ok(state.store.record_audit(staff.clinic_id, e).await?)
}

/// Records a change that was saved; a failure to record it is logged, and the change stands.
pub async fn changed<S: Store>(
    state: &AppState<S>,
    staff: &Staff,
    address: &str,
    client: Option<ClientId>,
    action: AuditAction,
    detail: impl Into<String>,
) {
    let e = entry(state, staff, address, client, action, detail.into());
    if let Err(err) = state.store.record_audit(staff.clinic_id, e).await {
        tracing::error!(action = action.code(), cause = %crate::error::chain(&err), "a change could not be written to the audit trail");
    }
}
