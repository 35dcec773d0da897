//! PostgreSQL's errors, as the store's.

use store::StoreError;

/// An error inside the store: the database's, or the store's own (a corrupt value, a missing
/// row).
#[derive(Debug)]
pub enum Error {
    Sql(sqlx::Error),
    Store(StoreError),
}

/// The result of the store's own functions.
pub type Res<T> = Result<T, Error>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
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
            Error::Sql(e) => of_postgres(e),
        }
    }
}

/// The SQLSTATE of a database error, if `e` is one.
fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Whether `e` says a unique value is taken (SQLSTATE 23505).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    sqlstate(e).as_deref() == Some("23505")
}

fn of_postgres(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        let on_email = matches!(&e, sqlx::Error::Database(d) if d.constraint() == Some("staff_email_key"));
        return StoreError::Conflict(if on_email { "e-mail" } else { "value" });
    }
    let unavailable = match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(_) => sqlstate(&e).is_some_and(|code| {
            // 08: the connection; 53: out of resources (53100: the disk is full); 57P: the
            // server shutting down or not yet up; 40001 and 40P01: a write that lost a race,
            // to be tried again; 25006: a read-only server (a standby).
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "40001"
                || code == "40P01"
                || code == "25006"
        }),
        _ => false,
    };
    match e {
        e if unavailable => StoreError::Unavailable(e.to_string()),
        sqlx::Error::RowNotFound => StoreError::NotFound("record"),
        e => StoreError::Database(Box::new(e)),
    }
}
