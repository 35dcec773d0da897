//! The schema: migrations embedded in the binary, run in order at start, each once.
//!
//! Which have run is kept in `schema_migrations` with a checksum of each migration's text
//! (SHA-256, as PostgreSQL computes it): a migration changed after it ran stops the start. The
//! whole run holds a transaction-level advisory lock, so that several `serve` processes
//! starting at once migrate one after the other.

use crate::error::{Error, Res};
use crate::rows::sql;
use sqlx::{Connection, PgConnection, Row};
use store::StoreError;

/// The migrations, in order: a new migration is a new file and a new line here.
const MIGRATIONS: [(i64, &str, &str); 3] = [
    (1, "schema", include_str!("../migrations/0001_schema.sql")),
    (2, "outcome tallies", include_str!("../migrations/0002_outcome_tallies.sql")),
    (3, "alert tallies", include_str!("../migrations/0003_alert_tallies.sql")),
];

/// The advisory lock's key: any number, the same in every process.
const LOCK: i64 = 0x0af7_ec4e;

/// Runs every migration that has not run, all in one transaction.
pub async fn migrate(c: &mut PgConnection) -> Res<()> {
    let mut tx = c.begin().await?;
    sql("SELECT pg_advisory_xact_lock($1)").bind(LOCK).execute(&mut *tx).await?;
    // Quiet: "already exists, skipping" is no news at every start.
    sql("SET LOCAL client_min_messages = warning").execute(&mut *tx).await?;
    sql("CREATE TABLE IF NOT EXISTS schema_migrations (
             version      BIGINT PRIMARY KEY,
             description  TEXT   NOT NULL,
             checksum     TEXT   NOT NULL
         )")
    .execute(&mut *tx)
    .await?;
    for (version, description, text) in MIGRATIONS {
        let checksum: String = sql("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')")
            .bind(text)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let held: Option<String> = sql("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        match held {
            Some(held) if held == checksum => continue,
            Some(_) => return Err(refused(format!("migration {version} ({description}) was changed after it ran"))),
            None => {}
        }
        sqlx::raw_sql(text).execute(&mut *tx).await?;
        sql("INSERT INTO schema_migrations (version, description, checksum) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(description)
            .bind(checksum)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn refused(why: String) -> Error {
    Error::Store(StoreError::Database(why.into()))
}
