//! Moving a clinic: its rows read in one snapshot, or written in one transaction (the tables
//! and columns are `store::moving`'s). These statements are built once from those lists; they
//! serve the operator's export and import, never a request.

use crate::error::{Error, Res};
use crate::rows::{corrupt, sql};
use sqlx::postgres::PgRow;
use sqlx::{Connection, PgConnection, Row as _};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use store::moving::{CLINIC, Kind, Row, RowSink, TABLES, Table, Value};
use store::{ClinicId, StoreError};

/// How many rows an export reads at a time.
const PAGE: i64 = 1000;

/// A table's statements.
struct Statements {
    select: String,
    insert: String,
    count: String,
    /// Moves the table's id sequence past every id in it, so that new rows never take an
    /// imported row's id.
    sequence: String,
}

fn statements() -> &'static [Statements] {
    static ALL: OnceLock<Vec<Statements>> = OnceLock::new();
    ALL.get_or_init(|| {
        TABLES
            .iter()
            .map(|t| {
                let columns = column_list(t);
                let marks = (2..t.columns.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                let name = t.name;
                Statements {
                    select: format!(
                        "SELECT {columns} FROM {name} WHERE clinic_id = $1 AND id > $2 ORDER BY id LIMIT {PAGE}"
                    ),
                    insert: format!("INSERT INTO {name} (clinic_id, {columns}) VALUES ($1, {marks})"),
                    count: format!("SELECT count(*) FROM {name} WHERE clinic_id = $1"),
                    sequence: format!(
                        "SELECT setval(q.s::regclass, GREATEST(nextval(q.s::regclass), \
                         (SELECT COALESCE(max(id), 1) FROM {name}))) \
                         FROM (SELECT pg_get_serial_sequence('{name}', 'id') AS s) q"
                    ),
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
    SQL.get_or_init(|| format!("SELECT {} FROM clinics WHERE id = $1", column_list(&CLINIC)))
}

fn clinic_insert() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let marks = (1..=CLINIC.columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        format!("INSERT INTO clinics ({}) VALUES ({marks}) RETURNING id", column_list(&CLINIC))
    })
}

/// A row's values, read as its table's columns say.
fn read_row(t: &Table, row: &PgRow) -> Res<Row> {
    t.columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
                Kind::Real => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::Real),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, Value::Bytes),
                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map_or(Value::Null, Value::Bool),
            })
        })
        .collect()
}

/// Binds a value as its column's kind (a null too has a type for PostgreSQL).
fn bind<'q>(q: crate::rows::Query<'q>, kind: Kind, value: &Value) -> Res<crate::rows::Query<'q>> {
    Ok(match (kind, value) {
        (Kind::Int, Value::Null) => q.bind(None::<i64>),
        (Kind::Real, Value::Null) => q.bind(None::<f64>),
        (Kind::Text, Value::Null) => q.bind(None::<String>),
        (Kind::Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
        (Kind::Bool, Value::Null) => q.bind(None::<bool>),
        (Kind::Int, Value::Int(v)) => q.bind(*v),
        (Kind::Real, Value::Real(v)) => q.bind(*v),
        (Kind::Text, Value::Text(v)) => q.bind(v.clone()),
        (Kind::Bytes, Value::Bytes(v)) => q.bind(v.clone()),
        (Kind::Bool, Value::Bool(v)) => q.bind(*v),
        (kind, value) => return Err(corrupt(format!("a {value:?} where a {kind:?} belongs"))),
    })
}

fn sunk(why: String) -> Error {
    Error::Store(StoreError::Database(why.into()))
}

/// Reads the clinic's rows into `sink`, in one repeatable-read transaction: one snapshot of
/// the data, a page of rows at a time.
pub async fn export_clinic(c: &mut PgConnection, clinic_id: ClinicId, mut sink: RowSink) -> Res<bool> {
    let mut tx = c.begin().await?;
    sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let Some(clinic) = sql(clinic_select()).bind(clinic_id.get()).fetch_optional(&mut *tx).await? else {
        return Ok(false);
    };
    sink(&CLINIC, read_row(&CLINIC, &clinic)?).map_err(sunk)?;
    for (t, s) in TABLES.iter().zip(statements()) {
        let mut after = i64::MIN;
        loop {
            let page = sql(&s.select).bind(clinic_id.get()).bind(after).fetch_all(&mut *tx).await?;
            for row in &page {
                let values = read_row(t, row)?;
                if let Some(Value::Int(id)) = values.first() {
                    after = *id;
                }
                sink(t, values).map_err(sunk)?;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Writes an exported clinic: its own row (a new id), then every other row with its id, then
/// moves each table's id sequence past the ids written. Runs in the caller's transaction: a
/// row that fails undoes the whole import.
pub async fn import_clinic(
    c: &mut PgConnection,
    clinic: Row,
    rows: Vec<(usize, Row)>,
    written: &AtomicU64,
) -> Res<ClinicId> {
    let mut q = sql(clinic_insert());
    for ((_, kind), value) in CLINIC.columns.iter().zip(&clinic) {
        q = bind(q, *kind, value)?;
    }
    let id: i64 = q.fetch_one(&mut *c).await?.try_get(0)?;
    written.fetch_add(1, Ordering::Relaxed);
    let all = statements();
    for (table, row) in &rows {
        let (t, s) = TABLES.get(*table).zip(all.get(*table)).ok_or_else(|| corrupt(format!("table number {table}")))?;
        let mut q = sql(&s.insert).bind(id);
        for ((_, kind), value) in t.columns.iter().zip(row) {
            q = bind(q, *kind, value)?;
        }
        q.execute(&mut *c).await?;
        written.fetch_add(1, Ordering::Relaxed);
    }
    for s in all {
        sql(&s.sequence).execute(&mut *c).await?;
    }
    // The outcome tallies are not moved: they are counted here from the rows.
    let timezone = crate::clinics::clinic(&mut *c, ClinicId(id)).await?.map(|k| k.timezone).unwrap_or_default();
    crate::outcomes::recount(c, ClinicId(id), &timezone).await?;
    Ok(ClinicId(id))
}

/// How many rows the clinic has in each table.
pub async fn count_clinic_rows(c: &mut PgConnection, clinic_id: ClinicId) -> Res<Vec<u64>> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for s in statements() {
        let n: i64 = sql(&s.count).bind(clinic_id.get()).fetch_one(&mut *c).await?.try_get(0)?;
        counts.push(n.max(0) as u64);
    }
    Ok(counts)
}
