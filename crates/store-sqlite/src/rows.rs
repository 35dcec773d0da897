//! Statements and rows: how every table module runs its SQL and reads its records.
//!
//! The records' column lists and their readers are written once, for both backends, in
//! [`store::columns`]; this backend reads a row for them through a [`Cols`].

use crate::error::{Error, Res};
use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row};
use store::columns;
use store::{StoreError, StoreResult};

/// Every statement passes here: prepared once per connection, then taken from its cache.
/// The statement is logged (target `store_sqlite::sql`, level trace) for the query-plan test.
fn prepare<'c>(c: &'c Connection, sql: &'static str) -> Res<rusqlite::CachedStatement<'c>> {
    tracing::trace!(target: "store_sqlite::sql", sql);
    Ok(c.prepare_cached(sql)?)
}

/// Every row of `sql`, each read by `read`.
pub fn all<T>(
    c: &Connection,
    sql: &'static str,
    params: impl Params,
    read: fn(&mut dyn columns::Row) -> StoreResult<T>,
) -> Res<Vec<T>> {
    let mut statement = prepare(c, sql)?;
    let mut rows = statement.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(&mut Cols::new(row))?);
    }
    Ok(out)
}

/// The first row of `sql`, if any, read by `read`.
pub fn one<T>(
    c: &Connection,
    sql: &'static str,
    params: impl Params,
    read: fn(&mut dyn columns::Row) -> StoreResult<T>,
) -> Res<Option<T>> {
    let mut statement = prepare(c, sql)?;
    let mut rows = statement.query(params)?;
    match rows.next()? {
        Some(row) => Ok(Some(read(&mut Cols::new(row))?)),
        None => Ok(None),
    }
}

/// The row `sql` must give (a `RETURNING` or an aggregate), read by `read`.
pub fn the<T>(
    c: &Connection,
    sql: &'static str,
    params: impl Params,
    read: fn(&mut dyn columns::Row) -> StoreResult<T>,
) -> Res<T> {
    one(c, sql, params, read)?.ok_or(Error::Store(StoreError::NotFound("record")))
}

/// Runs `sql`; how many rows it changed.
pub fn exec(c: &Connection, sql: &'static str, params: impl Params) -> Res<usize> {
    Ok(prepare(c, sql)?.execute(params)?)
}

/// The first column of the first row of `sql`.
pub fn value<T: FromSql>(c: &Connection, sql: &'static str, params: impl Params) -> Res<T> {
    Ok(prepare(c, sql)?.query_row(params, |r| r.get(0))?)
}

/// A row's columns, read in order.
#[derive(Debug)]
pub struct Cols<'r, 's> {
    row: &'r Row<'s>,
    next: usize,
}

impl<'r, 's> Cols<'r, 's> {
    pub fn new(row: &'r Row<'s>) -> Self {
        Cols { row, next: 0 }
    }

    /// The next column.
    pub fn get<T: FromSql>(&mut self) -> Res<T> {
        let value = self.row.get(self.next)?;
        self.next += 1;
        Ok(value)
    }
}

/// The primitive reads; a column of another type, or a NULL where a value is due, is
/// SQLite's error.
impl columns::Row for Cols<'_, '_> {
    fn int(&mut self) -> StoreResult<i64> {
        Ok(self.get()?)
    }

    fn opt_int(&mut self) -> StoreResult<Option<i64>> {
        Ok(self.get()?)
    }

    fn real(&mut self) -> StoreResult<f64> {
        Ok(self.get()?)
    }

    fn text(&mut self) -> StoreResult<String> {
        Ok(self.get()?)
    }

    fn opt_text(&mut self) -> StoreResult<Option<String>> {
        Ok(self.get()?)
    }

    /// SQLite keeps yes or no as an integer: anything but 0 is yes.
    fn flag(&mut self) -> StoreResult<bool> {
        Ok(self.get::<i64>()? != 0)
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

/// Ids as one JSON array: a statement takes any number of them as one parameter
/// (`IN (SELECT value FROM json_each(?))`).
pub fn id_list(ids: impl Iterator<Item = i64>) -> String {
    let mut out = String::from("[");
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}
