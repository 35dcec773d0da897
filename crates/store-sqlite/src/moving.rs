//! Moving a clinic: its rows read in one snapshot, or written in one transaction (the tables
//! and columns are `store::moving`'s). These statements are built once from those lists; they
//! serve the operator's export and import, never a request.

use crate::error::{Error, Res};
use crate::rows::corrupt;
use rusqlite::Connection;
use rusqlite::types::{Value as Sql, ValueRef};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use store::moving::{CLINIC, Kind, Row, RowSink, TABLES, Table, Value};
use store::{ClinicId, StoreError};

/// A table's statements.
struct Statements {
    select: String,
    insert: String,
    count: String,
}

fn statements() -> &'static [Statements] {
    static ALL: OnceLock<Vec<Statements>> = OnceLock::new();
    ALL.get_or_init(|| {
        TABLES
            .iter()
            .map(|t| {
                let columns = column_list(t);
                let marks = vec!["?"; t.columns.len()].join(", ");
                Statements {
                    select: format!("SELECT {columns} FROM {} WHERE clinic_id = ? ORDER BY id", t.name),
                    insert: format!("INSERT INTO {} (clinic_id, {columns}) VALUES (?, {marks})", t.name),
                    count: format!("SELECT count(*) FROM {} WHERE clinic_id = ?", t.name),
                }
            })
            .collect()
    })
}

fn column_list(t: &Table) -> String {
    t.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

fn clinic_select() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| format!("SELECT {} FROM clinics WHERE id = ?", column_list(&CLINIC)))
}

fn clinic_insert() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let marks = vec!["?"; CLINIC.columns.len()].join(", ");
        format!("INSERT INTO clinics ({}) VALUES ({marks}) RETURNING id", column_list(&CLINIC))
    })
}

/// A row's values, read as its table's columns say.
fn read_row(t: &Table, row: &rusqlite::Row<'_>) -> Res<Row> {
    t.columns
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| {
            let value = match (kind, row.get_ref(i)?) {
                (_, ValueRef::Null) => Value::Null,
                (Kind::Int, ValueRef::Integer(v)) => Value::Int(v),
                (Kind::Bool, ValueRef::Integer(v)) => Value::Bool(v != 0),
                (Kind::Real, ValueRef::Real(v)) => Value::Real(v),
                (Kind::Real, ValueRef::Integer(v)) => Value::Real(v as f64),
                (Kind::Text, ValueRef::Text(v)) => Value::Text(
                    String::from_utf8(v.to_vec()).map_err(|_| corrupt(format!("{}.{name}: not UTF-8", t.name)))?,
                ),
                (Kind::Bytes, ValueRef::Blob(v)) => Value::Bytes(v.to_vec()),
                (kind, other) => {
                    return Err(corrupt(format!(
                        "{}.{name}: a {:?} where a {kind:?} belongs",
                        t.name,
                        other.data_type()
                    )));
                }
            };
            Ok(value)
        })
        .collect()
}

fn to_sql(value: &Value) -> Sql {
    match value {
        Value::Null => Sql::Null,
        Value::Int(v) => Sql::Integer(*v),
        Value::Real(v) => Sql::Real(*v),
        Value::Text(v) => Sql::Text(v.clone()),
        Value::Bytes(v) => Sql::Blob(v.clone()),
        Value::Bool(v) => Sql::Integer(i64::from(*v)),
    }
}

fn sunk(why: String) -> Error {
    Error::Store(StoreError::Database(why.into()))
}

/// Reads the clinic's rows into `sink`, in one read transaction: one snapshot of the data.
/// (A private in-memory database reads inside the writer's transaction, on its one
/// connection, which is a snapshot already.)
pub fn export_clinic(c: &Connection, clinic_id: ClinicId, mut sink: RowSink) -> Res<bool> {
    let snapshot = if c.is_autocommit() { Some(c.unchecked_transaction()?) } else { None };
    let clinic = {
        let mut st = c.prepare_cached(clinic_select())?;
        let mut rows = st.query([clinic_id.get()])?;
        match rows.next()? {
            Some(row) => read_row(&CLINIC, row)?,
            None => return Ok(false),
        }
    };
    sink(&CLINIC, clinic).map_err(sunk)?;
    for (t, s) in TABLES.iter().zip(statements()) {
        let mut st = c.prepare_cached(&s.select)?;
        let mut rows = st.query([clinic_id.get()])?;
        while let Some(row) = rows.next()? {
            sink(t, read_row(t, row)?).map_err(sunk)?;
        }
    }
    if let Some(snapshot) = snapshot {
        snapshot.commit()?;
    }
    Ok(true)
}

/// Writes an exported clinic: its own row (a new id), then every other row with its id.
/// Runs inside the writer's transaction: a row that fails undoes the whole import.
pub fn import_clinic(c: &Connection, clinic: &Row, rows: &[(usize, Row)], written: &AtomicU64) -> Res<ClinicId> {
    let id: i64 = c
        .prepare_cached(clinic_insert())?
        .query_row(rusqlite::params_from_iter(clinic.iter().map(to_sql)), |r| r.get(0))?;
    written.fetch_add(1, Ordering::Relaxed);
    let all = statements();
    for (table, row) in rows {
        let s = all.get(*table).ok_or_else(|| corrupt(format!("table number {table}")))?;
        let values = std::iter::once(Sql::Integer(id)).chain(row.iter().map(to_sql));
        c.prepare_cached(&s.insert)?.execute(rusqlite::params_from_iter(values))?;
        written.fetch_add(1, Ordering::Relaxed);
    }
    // The outcome tallies are not moved: they are counted here from the rows.
    let timezone = crate::clinics::clinic(c, ClinicId(id))?.map(|k| k.timezone).unwrap_or_default();
    crate::outcomes::recount(c, ClinicId(id), &timezone)?;
    Ok(ClinicId(id))
}

/// How many rows the clinic has in each table.
pub fn count_clinic_rows(c: &Connection, clinic_id: ClinicId) -> Res<Vec<u64>> {
    statements()
        .iter()
        .map(|s| {
            let n: i64 = c.prepare_cached(&s.count)?.query_row([clinic_id.get()], |r| r.get(0))?;
            Ok(n.max(0) as u64)
        })
        .collect()
}
