//! The schema: migrations embedded in the binary, run in order at start, each once.
//!
//! Which have run is kept in `_sqlx_migrations`, the table (and the checksum, SHA-384 of the
//! migration's text) that earlier versions of this store kept, so that their databases open
//! unchanged. A migration that ran is never changed: one whose text no longer matches its
//! checksum stops the start, as the schema would no longer be what the code expects.

use crate::error::{Error, Res};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha384};
use store::StoreError;

/// The migrations, in order: a new migration is a new file and a new line here.
const MIGRATIONS: [(i64, &str, &str); 20] = [
    (1, "clinics clients sessions", include_str!("../migrations/0001_clinics_clients_sessions.sql")),
    (2, "staff sessions", include_str!("../migrations/0002_staff_sessions.sql")),
    (3, "products feedback", include_str!("../migrations/0003_products_feedback.sql")),
    (4, "intake links", include_str!("../migrations/0004_intake_links.sql")),
    (5, "check-in schedule", include_str!("../migrations/0005_check_in_schedule.sql")),
    (6, "message texts", include_str!("../migrations/0006_message_texts.sql")),
    (7, "outbox", include_str!("../migrations/0007_outbox.sql")),
    (8, "write probe", include_str!("../migrations/0008_write_probe.sql")),
    (9, "access paths", include_str!("../migrations/0009_access_paths.sql")),
    (10, "one alert per link", include_str!("../migrations/0010_one_alert_per_link.sql")),
    (11, "api token expiry", include_str!("../migrations/0011_api_token_expiry.sql")),
    (12, "answers not read", include_str!("../migrations/0012_answers_not_read.sql")),
    (13, "notes to read", include_str!("../migrations/0013_notes_to_read.sql")),
    (14, "staff sessions by staff", include_str!("../migrations/0014_staff_sessions_by_staff.sql")),
    (15, "audit trail", include_str!("../migrations/0015_audit_trail.sql")),
    (16, "staff accounts", include_str!("../migrations/0016_staff_accounts.sql")),
    (17, "clinic contact", include_str!("../migrations/0017_clinic_contact.sql")),
    (18, "client language", include_str!("../migrations/0018_client_language.sql")),
    (19, "outcome tallies", include_str!("../migrations/0019_outcome_tallies.sql")),
    (20, "alert tallies", include_str!("../migrations/0020_alert_tallies.sql")),
];

/// Migrations that manage their own transaction (a table rebuilt with foreign keys off).
const OWN_TRANSACTION: [i64; 1] = [12];

/// Runs every migration that has not run, each in a transaction with its record.
pub fn migrate(c: &mut Connection) -> Res<()> {
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
             version BIGINT PRIMARY KEY,
             description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
             success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL,
             execution_time BIGINT NOT NULL
         )",
    )?;
    for (version, description, sql) in MIGRATIONS {
        let checksum = Sha384::digest(sql.as_bytes()).to_vec();
        let ran: Option<(bool, Vec<u8>)> = c
            .query_row("SELECT success, checksum FROM _sqlx_migrations WHERE version = ?", [version], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match ran {
            Some((true, held)) if held == checksum => continue,
            Some((true, _)) => {
                return Err(refused(format!("migration {version} ({description}) was changed after it ran")));
            }
            Some((false, _)) => {
                return Err(refused(format!("migration {version} ({description}) failed part way earlier")));
            }
            None => {}
        }
        // The store never reads the clock: no time of the run is kept (0 where it was).
        let record = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                      VALUES (?, ?, TRUE, ?, 0)";
        if OWN_TRANSACTION.contains(&version) {
            c.execute_batch(sql)?;
            c.execute(record, rusqlite::params![version, description, checksum])?;
        } else {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.execute(record, rusqlite::params![version, description, checksum])?;
            tx.commit()?;
        }
    }
    Ok(())
}

fn refused(why: String) -> Error {
    Error::Store(StoreError::Database(why.into()))
}
