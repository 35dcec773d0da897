//! Statements and rows: how every table module runs its SQL and reads its records.
//!
//! As in the SQLite store, the records' column lists and their readers are written once, in
//! [`store::columns`]; this backend reads a row for them through a [`Cols`]. Statements are
//! prepared once per connection and cached by the driver.

use crate::error::{Error, Res};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{PgConnection, Postgres, Row};
use store::columns;
use store::{StoreError, StoreResult};

/// A statement with its parameters bound.
pub type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// Every statement starts here; it is logged (target `store_postgres::sql`, level trace).
pub fn sql(sql: &'static str) -> Query<'static> {
    tracing::trace!(target: "store_postgres::sql", sql);
    sqlx::query(sql)
}

/// Every row of `q`, each read by `read`.
pub async fn all<T>(
    c: &mut PgConnection,
    q: Query<'_>,
    read: fn(&mut dyn columns::Row) -> StoreResult<T>,
) -> Res<Vec<T>> {
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter().map(|row| read(&mut Cols::new(row)).map_err(Error::Store)).collect()
}

/// The first row of `q`, if any, read by `read`.
pub async fn one<T>(
    c: &mut PgConnection,
    q: Query<'_>,
    read: fn(&mut dyn columns::Row) -> StoreResult<T>,
) -> Res<Option<T>> {
    match q.fetch_optional(&mut *c).await? {
        Some(row) => Ok(Some(read(&mut Cols::new(&row))?)),
        None => Ok(None),
    }
}

/// The row `q` must give (a `RETURNING` or an aggregate), read by `read`.
pub async fn the<T>(c: &mut PgConnection, q: Query<'_>, read: fn(&mut dyn columns::Row) -> StoreResult<T>) -> Res<T> {
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
}

/// The primitive reads; a column of another type, or a NULL where a value is due, is the
/// driver's error.
impl columns::Row for Cols<'_> {
    fn int(&mut self) -> StoreResult<i64> {
        Ok(self.get::<i64>()?)
    }

    fn opt_int(&mut self) -> StoreResult<Option<i64>> {
        Ok(self.get::<Option<i64>>()?)
    }

    fn real(&mut self) -> StoreResult<f64> {
        Ok(self.get::<f64>()?)
    }

    fn text(&mut self) -> StoreResult<String> {
        Ok(self.get::<String>()?)
    }

    fn opt_text(&mut self) -> StoreResult<Option<String>> {
        Ok(self.get::<Option<String>>()?)
    }

    /// PostgreSQL keeps yes or no as a BOOLEAN.
    fn flag(&mut self) -> StoreResult<bool> {
        Ok(self.get::<bool>()?)
    }
}

/// A stored value that cannot be read back.
pub fn corrupt(what: String) -> Error {
    Error::Store(StoreError::Corrupt(what))
}

/// A list of strings as stored: a JSON array.
pub fn to_json(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

/// Ids as one array parameter: a statement takes any number of them (`id = ANY($2)`).
pub fn id_list(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.collect()
}
