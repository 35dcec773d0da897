//! `aftercare backup`: a consistent copy of the SQLite database in a new file, taken while
//! `serve` keeps running. A PostgreSQL database is backed up with PostgreSQL's own tools,
//! which the command names instead (see docs/operations.md).

use crate::DataArgs;
use crate::commands::{Failure, failed};
use crate::operate::runtime;
use std::path::{Path, PathBuf};
use store_sqlite::SqliteStore;

/// `aftercare backup --out FILE`.
pub fn backup(data: &DataArgs, out: &Path) -> Result<(), Failure> {
    let source = sqlite_file(data)?;
    if !source.is_file() {
        return Err(Failure::input(format!("aftercare backup: there is no database at {}", source.display())));
    }
    if out.symlink_metadata().is_ok() {
        return Err(Failure::input(format!("--out: {} exists; a backup never overwrites a file", out.display())));
    }
    runtime()?.block_on(async {
        // Opened but not migrated: the copy is the database as it is, before any upgrade.
        let store = match data.database.as_deref() {
            Some(url) => SqliteStore::open_url(url).await,
            None => SqliteStore::open_dir(&data.data).await,
        }
        .map_err(|e| failed(format!("cannot open the database {}: {}", source.display(), causes(&e))))?;
        let copied = store.backup_to(out).await;
        store.close().await;
        let bytes = copied.map_err(|e| failed(format!("cannot back up to {}: {}", out.display(), causes(&e))))?;
        println!("backed up {} to {} ({bytes} bytes)", source.display(), out.display());
        Ok(())
    })
}

/// The SQLite database file of `--data` or of a `sqlite:` `--database`; a PostgreSQL or
/// in-memory database is refused, saying what to do instead.
fn sqlite_file(data: &DataArgs) -> Result<PathBuf, Failure> {
    let Some(url) = data.database.as_deref() else {
        return Ok(data.data.join("aftercare.db"));
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(Failure::input(
            "aftercare backup: the database is PostgreSQL, which is backed up with its own tools \
             (see docs/operations.md):\n  \
             pg_dump --format=custom --file=FILE \"URL\"\n\
             and restored into a new, empty database with:\n  \
             pg_restore --exit-on-error --single-transaction --dbname=\"URL\" FILE",
        ));
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(Failure::input("--database: neither a postgres:// nor a sqlite: URL"));
    };
    if rest == ":memory:" {
        return Err(Failure::input("aftercare backup: an in-memory database has no file to back up"));
    }
    // As `SqliteStore::open_url` reads it: `sqlite://PATH` or `sqlite:PATH`, options after `?`.
    let path = rest.strip_prefix("//").unwrap_or(rest);
    Ok(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

/// An error and each of its causes, for the operator.
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}
