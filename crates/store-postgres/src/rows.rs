//! Statements and rows: how every table module runs its SQL and reads its records.
//!
//! As in the SQLite store, a record's columns are written once, in the table's module, as a
//! macro that gives the column list (`clinic_columns!()`, or `clinic_columns!("c.")` under a
//! table alias), and its reader takes the columns in that order from a [`Cols`]. Statements
//! are prepared once per connection and cached by the driver.

use crate::error::{Error, Res};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{PgConnection, Postgres, Row};
use store::{Level, StoreError, Timestamp};

/// `p` before each of the columns, joined by commas, as one string literal.
macro_rules! columns {
    ($p:literal; $first:ident $(, $rest:ident)* $(,)?) => {
        concat!($p, stringify!($first) $(, ", ", $p, stringify!($rest))*)
    };
}
pub(crate) use columns;

/// A statement with its parameters bound.
pub type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// Every statement starts here; it is logged (target `store_postgres::sql`, level trace).
pub fn sql(sql: &'static str) -> Query<'static> {
    tracing::trace!(target: "store_postgres::sql", sql);
    sqlx::query(sql)
}

/// Every row of `q`, each read by `read`.
pub async fn all<T>(c: &mut PgConnection, q: Query<'_>, read: fn(&mut Cols<'_>) -> Res<T>) -> Res<Vec<T>> {
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter().map(|row| read(&mut Cols::new(row))).collect()
}

/// The first row of `q`, if any, read by `read`.
pub async fn one<T>(c: &mut PgConnection, q: Query<'_>, read: fn(&mut Cols<'_>) -> Res<T>) -> Res<Option<T>> {
    match q.fetch_optional(&mut *c).await? {
        Some(row) => Ok(Some(read(&mut Cols::new(&row))?)),
        None => Ok(None),
    }
}

/// The row `q` must give (a `RETURNING` or an aggregate), read by `read`.
pub async fn the<T>(c: &mut PgConnection, q: Query<'_>, read: fn(&mut Cols<'_>) -> Res<T>) -> Res<T> {
    one(c, q, read).await?.ok_or(Error::Store(StoreError::NotFound("record")))
}

/// Runs `q`; how many rows it changed.
pub async fn exec(c: &mut PgConnection, q: Query<'_>) -> Res<u64> {
    Ok(q.execute(&mut *c).await?.rows_affected())
}

/// The first column of the row `q` must give.
pub async fn value<T>(c: &mut PgConnection, q: Query<'_>) -> Res<T>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    let row = q.fetch_one(&mut *c).await?;
    Ok(row.try_get(0)?)
}

/// A row's columns, read in order.
#[derive(Debug)]
pub struct Cols<'r> {
    row: &'r PgRow,
    next: usize,
}

impl<'r> Cols<'r> {
    pub fn new(row: &'r PgRow) -> Self {
        Cols { row, next: 0 }
    }

    /// The next column.
    pub fn get<T>(&mut self) -> Res<T>
    where
        T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
    {
        let value = self.row.try_get(self.next)?;
        self.next += 1;
        Ok(value)
    }

    /// The next column, an id.
    pub fn id<T: From<i64>>(&mut self) -> Res<T> {
        self.get::<i64>().map(T::from)
    }

    /// The next column, an id or nothing.
    pub fn opt_id<T: From<i64>>(&mut self) -> Res<Option<T>> {
        Ok(self.get::<Option<i64>>()?.map(T::from))
    }

    /// The next column, an instant.
    pub fn at(&mut self) -> Res<Timestamp> {
        self.get().map(Timestamp)
    }

    /// The next column, an instant or nothing.
    pub fn opt_at(&mut self) -> Res<Option<Timestamp>> {
        Ok(self.get::<Option<i64>>()?.map(Timestamp))
    }

    /// The next column, a count.
    pub fn count(&mut self) -> Res<u64> {
        Ok(self.get::<i64>()?.max(0) as u64)
    }

    /// The next column, a JSON list of strings.
    pub fn list(&mut self) -> Res<Vec<String>> {
        list(&self.get::<String>()?)
    }

    /// The next column, a triage level's code.
    pub fn level(&mut self) -> Res<Level> {
        let code: String = self.get()?;
        Level::from_code(&code).ok_or_else(|| corrupt(format!("level `{code}`")))
    }
}

/// A stored value that cannot be read back.
pub fn corrupt(what: String) -> Error {
    Error::Store(StoreError::Corrupt(what))
}

/// A JSON list of strings, as stored.
pub fn list(json: &str) -> Res<Vec<String>> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("a stored list: {e}")))
}

/// A list of strings as stored: a JSON array.
pub fn to_json(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

/// Ids as one array parameter: a statement takes any number of them (`id = ANY($2)`).
pub fn id_list(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.collect()
}
