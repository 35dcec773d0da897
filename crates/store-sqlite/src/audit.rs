//! The audit trail, append-only.

use crate::error::{Error, Res};
use crate::rows::{all, one};
use rusqlite::{Connection, params};
use store::audit_entry_columns;
use store::columns::{read_audit_entry, read_id};
use store::{AuditEntry, AuditId, ClientId, ClinicId, NewAuditEntry, StoreError};

/// Adds an entry to the clinic's audit trail. `NotFound` when the member is not of the
/// clinic, or the client named is not.
pub fn record_audit(c: &Connection, clinic_id: ClinicId, entry: NewAuditEntry) -> Res<()> {
    // The member must be of the clinic, and so must the client, when one is named.
    let added: Option<i64> = one(
        c,
        "INSERT INTO audit_log (clinic_id, staff_id, client_id, action, detail, address, at) \
         SELECT ?1, s.id, ?2, ?3, ?4, ?5, ?6 FROM staff s WHERE s.id = ?7 AND s.clinic_id = ?1 \
         AND (?2 IS NULL OR EXISTS (SELECT 1 FROM clients c WHERE c.id = ?2 AND c.clinic_id = s.clinic_id)) RETURNING id",
        params![
            clinic_id.get(),
            entry.client_id.map(ClientId::get),
            entry.action.code(),
            entry.detail,
            entry.address,
            entry.now.0,
            entry.staff_id.get()
        ],
        read_id,
    )?;
    added.map(|_| ()).ok_or(Error::Store(StoreError::NotFound("staff member or client")))
}

/// A page of the clinic's audit trail, newest first, before `before` (an entry's id) when
/// given; only one client's entries when `client` is given.
pub fn audit_trail(
    c: &Connection,
    clinic_id: ClinicId,
    client: Option<ClientId>,
    before: Option<AuditId>,
    limit: u32,
) -> Res<Vec<AuditEntry>> {
    let before = before.map_or(i64::MAX, AuditId::get);
    match client {
        Some(client) => all(
            c,
            concat!(
                "SELECT ",
                audit_entry_columns!(),
                " FROM audit_log WHERE clinic_id = ? AND client_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            ),
            (clinic_id.get(), client.get(), before, i64::from(limit)),
            read_audit_entry,
        ),
        None => all(
            c,
            concat!(
                "SELECT ",
                audit_entry_columns!(),
                " FROM audit_log WHERE clinic_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            ),
            (clinic_id.get(), before, i64::from(limit)),
            read_audit_entry,
        ),
    }
}
