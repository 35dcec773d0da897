//! Moving a clinic between databases: `aftercare export clinic` writes a clinic's whole data
//! to a file, `aftercare import` loads such a file into either backend.
//!
//! The file is JSON lines (format `aftercare-clinic`, version 1):
//!
//! ```text
//! {"format":"aftercare-clinic","version":1,"policy":"1.2"}
//! {"table":"clinics","row":{"name":"Calm Hands",...}}
//! {"table":"staff","row":{"id":1,"email":"...",...}}
//! ...
//! {"end":{"rows":{"clinics":1,"staff":3,...}}}
//! ```
//!
//! The clinic's own row comes first, then every row of each table of `store::moving::TABLES`
//! in that order, by id; a row is an object of its table's columns (`clinic_id` left out:
//! rows belong to the clinic of the file). Bytes are lowercase hex, booleans `true`/`false`,
//! absent values `null`. The last line counts the rows of each table, so that a file cut
//! short is refused. Nothing in it depends on the database it came from: a clinic exported,
//! imported elsewhere and exported again gives the same file.

use crate::DataArgs;
use crate::commands::{Failure, failed};
use crate::operate::{Opened, open, runtime};
use serde_json::{Map, Value as Json, json};
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use store::moving::{CLINIC, Kind, Row, TABLES, Table, Value};
use store::{ClinicId, Store};

/// The file's format name and version.
const FORMAT: &str = "aftercare-clinic";
const VERSION: u64 = 1;

/// `aftercare export clinic`.
pub fn export(data: &DataArgs, clinic_id: i64, out: &Path) -> Result<(), Failure> {
    runtime()?.block_on(async {
        match open(data).await? {
            Opened::Sqlite(store) => export_from(&store, clinic_id, out).await,
            Opened::Postgres(store) => export_from(&store, clinic_id, out).await,
        }
    })
}

/// What an export has written so far.
struct Written {
    file: BufWriter<std::fs::File>,
    counts: Vec<u64>,
}

async fn export_from<S: Store>(store: &S, clinic_id: i64, out: &Path) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| Failure::input(format!("--out: cannot write {}: {e}", out.display()));
    // Written beside the target, then renamed: a failed export leaves no half file under its name.
    let partial = out.with_extension("partial");
    let file = owner_only(&partial).map_err(cannot)?;
    let mut file = BufWriter::new(file);
    let header = json!({"format": FORMAT, "version": VERSION, "policy": care::POLICY_VERSION});
    writeln!(file, "{header}").map_err(cannot)?;
    let written = Arc::new(Mutex::new(Written { file, counts: vec![0; TABLES.len() + 1] }));
    let sink = {
        let written = written.clone();
        Box::new(move |table: &'static Table, row: Row| {
            let mut w = written.lock().map_err(|_| "the export stopped".to_owned())?;
            let index = table_index(table.name).unwrap_or(0);
            if let Some(n) = w.counts.get_mut(index) {
                *n += 1;
            }
            let line = json!({"table": table.name, "row": row_json(table, &row)});
            writeln!(w.file, "{line}").map_err(|e| e.to_string())
        })
    };
    let found = store.export_clinic(ClinicId(clinic_id), sink).await.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        failed(format!("the export failed: {e}"))
    })?;
    if !found {
        let _ = std::fs::remove_file(&partial);
        return Err(Failure::input(format!("--clinic: there is no clinic {clinic_id}")));
    }
    let mut w = written.lock().map_err(|_| failed("the export stopped"))?;
    let rows: Map<String, Json> = names().zip(&w.counts).map(|(name, n)| (name.to_owned(), Json::from(*n))).collect();
    writeln!(w.file, "{}", json!({"end": {"rows": rows}})).map_err(cannot)?;
    w.file.flush().map_err(cannot)?;
    w.file.get_ref().sync_all().map_err(cannot)?;
    std::fs::rename(&partial, out).map_err(cannot)?;
    let total: u64 = w.counts.iter().sum();
    println!("{}", out.display());
    eprintln!(
        "clinic {clinic_id}: {total} rows written; the file holds secrets' hashes and unsent links: keep it safe"
    );
    Ok(())
}

/// Creates `path` readable by its owner only, replacing an earlier partial file.
fn owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The clinic's table, then every moved table, by name.
fn names() -> impl Iterator<Item = &'static str> {
    std::iter::once(CLINIC.name).chain(TABLES.iter().map(|t| t.name))
}

/// 0 for the clinic's own row, 1 + the index in `TABLES` for the others.
fn table_index(name: &str) -> Option<usize> {
    names().position(|n| n == name)
}

fn row_json(table: &Table, row: &Row) -> Json {
    let object: Map<String, Json> = table
        .columns
        .iter()
        .zip(row)
        .map(|((name, _), value)| {
            let v = match value {
                Value::Null => Json::Null,
                Value::Int(v) => Json::from(*v),
                Value::Real(v) => Json::from(*v),
                Value::Text(v) => Json::from(v.as_str()),
                Value::Bytes(v) => Json::from(v.iter().map(|b| format!("{b:02x}")).collect::<String>()),
                Value::Bool(v) => Json::from(*v),
            };
            ((*name).to_owned(), v)
        })
        .collect();
    Json::Object(object)
}

/// A row of `table` from its JSON object, every column checked.
fn row_of(table: &Table, json: &Json) -> Result<Row, String> {
    let Some(object) = json.as_object() else {
        return Err("`row` must be an object of the table's columns".to_owned());
    };
    if let Some(unknown) = object.keys().find(|k| !table.columns.iter().any(|(name, _)| name == k)) {
        return Err(format!("{} has no column `{unknown}`", table.name));
    }
    table
        .columns
        .iter()
        .map(|(name, kind)| {
            let v = object.get(*name).ok_or_else(|| format!("{}.{name} is missing", table.name))?;
            let value = match (kind, v) {
                (_, Json::Null) => Some(Value::Null),
                (Kind::Int, Json::Number(n)) => n.as_i64().map(Value::Int),
                (Kind::Real, Json::Number(n)) => n.as_f64().map(Value::Real),
                (Kind::Text, Json::String(s)) => Some(Value::Text(s.clone())),
                (Kind::Bytes, Json::String(s)) => hex(s).map(Value::Bytes),
                (Kind::Bool, Json::Bool(b)) => Some(Value::Bool(*b)),
                _ => None,
            };
            let expected = match kind {
                Kind::Int => "a whole number",
                Kind::Real => "a number",
                Kind::Text => "text",
                Kind::Bytes => "lowercase hex",
                Kind::Bool => "true or false",
            };
            value.ok_or_else(|| format!("{}.{name} must be {expected} or null, not {v}", table.name))
        })
        .collect()
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// An exported clinic, read and checked.
struct Export {
    clinic: Row,
    rows: Vec<(usize, Row)>,
    counts: Vec<u64>,
}

/// Reads and checks a whole export file; an error names the line and what is wrong.
fn read_export(path: &Path) -> Result<Export, Failure> {
    let file =
        std::fs::File::open(path).map_err(|e| Failure::input(format!("FILE: cannot read {}: {e}", path.display())))?;
    let at = |n: usize, why: String| Failure::input(format!("{}: line {n}: {why}", path.display()));
    let mut lines = std::io::BufReader::new(file).lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut next = || -> Result<Option<(usize, Json)>, Failure> {
        match lines.next() {
            None => Ok(None),
            Some((n, line)) => {
                let line = line.map_err(|e| at(n, format!("cannot be read: {e}")))?;
                let json = serde_json::from_str(&line).map_err(|e| at(n, format!("not JSON: {e}")))?;
                Ok(Some((n, json)))
            }
        }
    };
    let Some((_, header)) = next()? else {
        return Err(Failure::input(format!("{}: the file is empty", path.display())));
    };
    if header.get("format").and_then(Json::as_str) != Some(FORMAT) {
        return Err(at(1, format!("not an Aftercare clinic export (its first line must name the format `{FORMAT}`)")));
    }
    match header.get("version").and_then(Json::as_u64) {
        Some(VERSION) => {}
        other => {
            return Err(at(1, format!("format version {other:?} is not one this program reads (it reads {VERSION})")));
        }
    }
    let mut clinic = None;
    let mut rows = Vec::new();
    let mut counts = vec![0_u64; TABLES.len() + 1];
    let mut last = 0;
    loop {
        let Some((n, line)) = next()? else {
            return Err(Failure::input(format!(
                "{}: the file ends before its last line (the row counts): it was cut short",
                path.display()
            )));
        };
        if let Some(end) = line.get("end") {
            for (i, name) in names().enumerate() {
                let said = end.get("rows").and_then(|r| r.get(name)).and_then(Json::as_u64);
                if said != counts.get(i).copied() {
                    return Err(at(
                        n,
                        format!("{name}: {said:?} rows said, {} read", counts.get(i).copied().unwrap_or(0)),
                    ));
                }
            }
            if next()?.is_some() {
                return Err(at(n + 1, "nothing may follow the row counts".to_owned()));
            }
            break;
        }
        let name = line.get("table").and_then(Json::as_str).ok_or_else(|| at(n, "no `table`".to_owned()))?;
        let index = table_index(name).ok_or_else(|| at(n, format!("`{name}` is not a table of a clinic's data")))?;
        if index < last || (index == 0 && clinic.is_some()) {
            return Err(at(
                n,
                format!("`{name}` comes out of order (the clinic's row first, then the tables in order)"),
            ));
        }
        if index > 0 && clinic.is_none() {
            return Err(at(n, "the clinic's own row must come first".to_owned()));
        }
        last = index;
        let json = line.get("row").ok_or_else(|| at(n, "no `row`".to_owned()))?;
        if let Some(c) = counts.get_mut(index) {
            *c += 1;
        }
        if index == 0 {
            clinic = Some(row_of(&CLINIC, json).map_err(|why| at(n, why))?);
        } else {
            let table = TABLES.get(index - 1).ok_or_else(|| at(n, format!("table {name}")))?;
            rows.push((index - 1, row_of(table, json).map_err(|why| at(n, why))?));
        }
    }
    let clinic = clinic.ok_or_else(|| Failure::input(format!("{}: the file has no clinic row", path.display())))?;
    Ok(Export { clinic, rows, counts })
}

/// `aftercare import`.
pub fn import(data: &DataArgs, file: &Path) -> Result<(), Failure> {
    let export = read_export(file)?;
    runtime()?.block_on(async {
        match open(data).await? {
            Opened::Sqlite(store) => import_into(&store, export).await,
            Opened::Postgres(store) => import_into(&store, export).await,
        }
    })
}

async fn import_into<S: Store>(store: &S, export: Export) -> Result<(), Failure> {
    let total: u64 = export.counts.iter().sum();
    let written = Arc::new(AtomicU64::new(0));
    let progress = show_progress(written.clone(), total);
    let imported = store.import_clinic(export.clinic, export.rows, written.clone()).await;
    progress.abort();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    let clinic_id = imported.map_err(|e| match e {
        store::StoreError::Conflict(what) => Failure::input(format!(
            "FILE: nothing was imported: {} Was this clinic imported here already?",
            if what == "e-mail" {
                "a staff e-mail of the file belongs to someone in this database already."
            } else {
                "a value of the file that must be unique (a link, a token, or, in SQLite, a row id, which \
                 SQLite keeps one of for every clinic) is in this database already. Into SQLite, import into \
                 a new data directory."
            }
        )),
        other => failed(format!("the import failed, and nothing was imported: {other}")),
    })?;
    let stored = store.count_clinic_rows(clinic_id).await.map_err(failed)?;
    let expected = export.counts.get(1..).unwrap_or_default();
    if stored != expected {
        return Err(failed(format!(
            "clinic {clinic_id} was imported, but its rows do not add up: {stored:?} stored, {expected:?} in the file"
        )));
    }
    // The planner's statistics, brought up to date now rather than at the next start.
    store.refresh_statistics().await.map_err(failed)?;
    println!("clinic {clinic_id} imported: {total} rows, each table's count checked");
    Ok(())
}

/// Redraws "rows written of total" on standard error while an import runs, when it is a
/// terminal.
fn show_progress(written: Arc<AtomicU64>, total: u64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            tick.tick().await;
            let done = written.load(Ordering::Relaxed).min(total);
            let width = 30;
            let filled = (done * width).checked_div(total).unwrap_or(width);
            let bar: String = (0..width).map(|i| if i < filled { '#' } else { '.' }).collect();
            eprint!("\rimporting [{bar}] {done} of {total} rows");
        }
    })
}
