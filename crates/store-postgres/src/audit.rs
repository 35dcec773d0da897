//! The audit trail, append-only (a trigger refuses every update and deletion).

use crate::error::{Error, Res};
use crate::rows::{all, one, sql};
use sqlx::PgConnection;
use store::audit_entry_columns;
use store::columns::{read_audit_entry, read_id};
use store::{AuditEntry, AuditId, ClientId, ClinicId, NewAuditEntry, StoreError};

/// Adds an entry to the clinic's audit trail. `NotFound` when the member is not of the
/// clinic, or the client named is not.
pub async fn record_audit(c: &mut PgConnection, clinic_id: ClinicId, entry: NewAuditEntry) -> Res<()> {
    // The member must be of the clinic, and so must the client, when one is named.
    let added: Option<i64> = one(
        c,
        sql("INSERT INTO audit_log (clinic_id, staff_id, client_id, action, detail, address, at) \
             SELECT $1::bigint, s.id, $2::bigint, $3::text, $4::text, $5::text, $6::bigint FROM staff s \
             WHERE s.id = $7 AND s.clinic_id = $1 AND ($2::bigint IS NULL \
             OR EXISTS (SELECT 1 FROM clients c WHERE c.clinic_id = s.clinic_id AND c.id = $2)) RETURNING id")
        .bind(clinic_id.get())
        .bind(entry.client_id.map(ClientId::get))
        .bind(entry.action.code())
        .bind(entry.detail)
        .bind(entry.address)
        .bind(entry.now.0)
        .bind(entry.staff_id.get()),
        read_id,
    )
    .await?;
    added.map(|_| ()).ok_or(Error::Store(StoreError::NotFound("staff member or client")))
}

/// A page of the clinic's audit trail, newest first, before `before` (an entry's id) when
/// given; only one client's entries when `client` is given.
pub async fn audit_trail(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    client: Option<ClientId>,
    before: Option<AuditId>,
    limit: u32,
) -> Res<Vec<AuditEntry>> {
    let before = before.map_or(i64::MAX, AuditId::get);
    match client {
        Some(client) => {
            all(
                c,
                sql(concat!(
                    "SELECT ",
                    audit_entry_columns!(),
                    " FROM audit_log WHERE clinic_id = $1 AND client_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
                ))
                .bind(clinic_id.get())
                .bind(client.get())
                .bind(before)
                .bind(i64::from(limit)),
                read_audit_entry,
            )
            .await
        }
        None => {
            all(
                c,
                sql(concat!(
                    "SELECT ",
                    audit_entry_columns!(),
                    " FROM audit_log WHERE clinic_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
                ))
                .bind(clinic_id.get())
                .bind(before)
                .bind(i64::from(limit)),
                read_audit_entry,
            )
            .await
        }
    }
}
