//! Statements and rows: how every table module runs its SQL and reads its records.
//!
//! A record's columns are written once, in the table's module, as a macro that gives the
//! column list (`clinic_columns!()`, or `clinic_columns!("c.")` under a table alias), and its
//! reader takes the columns in that order from a [`Cols`]. A query that joins several tables
//! lists each table's columns one after the other and reads each record in turn from the
//! same row.

use crate::error::{Error, Res};
use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row};
use store::{Level, StoreError, Timestamp};

/// `p` before each of the columns, joined by commas, as one string literal.
macro_rules! columns {
    ($p:literal; $first:ident $(, $rest:ident)* $(,)?) => {
        concat!($p, stringify!($first) $(, ", ", $p, stringify!($rest))*)
    };
}
pub(crate) use columns;

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
    read: fn(&mut Cols<'_, '_>) -> Res<T>,
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
    read: fn(&mut Cols<'_, '_>) -> Res<T>,
) -> Res<Option<T>> {
    let mut statement = prepare(c, sql)?;
    let mut rows = statement.query(params)?;
    match rows.next()? {
        Some(row) => Ok(Some(read(&mut Cols::new(row))?)),
        None => Ok(None),
    }
}

/// The row `sql` must give (a `RETURNING` or an aggregate), read by `read`.
pub fn the<T>(c: &Connection, sql: &'static str, params: impl Params, read: fn(&mut Cols<'_, '_>) -> Res<T>) -> Res<T> {
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
