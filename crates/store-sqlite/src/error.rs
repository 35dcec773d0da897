//! SQLite's errors, as the store's.

use store::StoreError;

/// An error inside the store: SQLite's, or the store's own (a corrupt value, a missing row).
#[derive(Debug)]
pub enum Error {
    Sql(rusqlite::Error),
    Store(StoreError),
}

/// The result of the store's own functions.
pub type Res<T> = Result<T, Error>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sql(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::Store(e) => e,
            Error::Sql(e) => of_sqlite(e),
        }
    }
}

/// Whether `e` says a unique value is taken.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == 2067 || f.extended_code == 1555)
}

fn of_sqlite(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::{CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, ReadOnly, SystemIoFailure};
    if is_unique_violation(&e) {
        return StoreError::Conflict(if e.to_string().contains("staff.email") { "e-mail" } else { "value" });
    }
    match &e {
        // The database cannot be written or read just now, rather than the query being wrong.
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, DatabaseBusy | DatabaseLocked | ReadOnly | SystemIoFailure | DiskFull | CannotOpen) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("record"),
        _ => StoreError::Database(Box::new(e)),
    }
}
