//! Every query the SQLite store runs keeps the access path written in `query_plans.txt`.
//!
//! The test records the SQL of every statement the store runs while the conformance suite
//! uses every store method (the store logs each one it prepares, at trace level, under the
//! target `store_sqlite::sql`), then asks SQLite for each one's plan (`EXPLAIN QUERY PLAN`) on a
//! database the size of a busy clinic after a year (10,000 sessions, beside 99 small
//! clinics) with the statistics `ANALYZE` gathers. It fails when:
//! - a query scans a table (every table grows with use), or sorts for its `ORDER BY` in a
//!   temporary B-tree, unless the file says why that is bounded (`allow:`);
//! - a plan differs from the one in the file (an index dropped, a query changed), or a query
//!   is missing from the file: read the new plan, then write the file again with
//!   `AFTERCARE_BLESS_PLANS=1 cargo test -p store-sqlite query_plans` and review its diff.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};
use store::Store;
use store_sqlite::SqliteStore;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};

const PLANS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sqlite/query_plans.txt");

/// Where the store logs every statement it prepares, in the event's field `sql`.
const SQL_TARGET: &str = "store_sqlite::sql";

/// The SQL of every statement run in this test binary, from the store's `store_sqlite::sql`
/// events.
fn statements() -> &'static Mutex<BTreeSet<String>> {
    static SEEN: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    SEEN.get_or_init(|| {
        // Set once, before the first statement this test runs, for the whole binary.
        let _ = tracing::subscriber::set_global_default(Recorder);
        Mutex::new(BTreeSet::new())
    })
}

struct Recorder;

/// The `sql` field of an event.
#[derive(Default)]
struct Sql(String);

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "sql" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl tracing::Subscriber for Recorder {
    /// The store's statements; nothing else.
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == SQL_TARGET
    }

    /// The store logs its statements at trace level: every level is wanted.
    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() != SQL_TARGET {
            return;
        }
        let mut sql = Sql::default();
        event.record(&mut sql);
        let text = sql.0.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return;
        }
        if let Ok(mut seen) = statements().lock() {
            seen.insert(text);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// A statement of the store's own that reads or writes the clinic's data: not a `PRAGMA`,
/// the health check (`SELECT 1`), the migrations' bookkeeping or a look at the schema.
fn is_data_statement(sql: &str) -> bool {
    let first = sql.split_whitespace().next().unwrap_or("").to_uppercase();
    let lower = sql.to_lowercase();
    ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&first.as_str())
        && sql != "SELECT 1"
        && !lower.contains("migrations")
        && !lower.contains("user_version")
        && !lower.contains("pragma")
        && !lower.contains("sqlite_master")
        && !lower.contains("sqlite_schema")
}

/// One clinic a year into busy use (2,500 clients, 10,000 sessions, 20,000 check-ins) beside
/// 99 small ones, with realistic shares of alerts, messages and feedback.
const SEED: &str = "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO clinics (id, name, country, timezone, created_at) SELECT i, 'Clinic ' || i, 'GB', 'Europe/London', 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO staff (id, clinic_id, email, name, role, created_at)
  SELECT i, (i - 1) / 10 + 1, 's' || i || '@x.example', 'Staff ' || i,
         CASE WHEN i % 10 = 1 THEN 'owner' WHEN i % 10 = 0 THEN 'front_desk' ELSE 'therapist' END, 0 FROM n;
INSERT INTO api_tokens (clinic_id, staff_id, label, token_hash, created_at)
  SELECT clinic_id, id, 'token', randomblob(32), 0 FROM staff;
INSERT INTO staff_sessions (clinic_id, staff_id, token_hash, csrf_token, created_at, expires_at)
  SELECT clinic_id, id, randomblob(32), 'csrf', 0, 43200000 FROM staff;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4480)
INSERT INTO clients (id, clinic_id, name, email, phone, created_at)
  SELECT i, CASE WHEN i <= 2500 THEN 1 ELSE 2 + (i - 2501) / 20 END, 'Client ' || i, 'c' || i || '@x.example',
         '+44 7700 ' || i, i FROM n;
INSERT INTO intakes (clinic_id, client_id, body, created_at) SELECT clinic_id, id, '{}', id FROM clients;
INSERT INTO intake_links (clinic_id, client_id, link_hash, created_at, expires_at, used_at)
  SELECT clinic_id, id, randomblob(32), id, id + 604800000, id + 1000 FROM clients;
INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, first_massage,
                      ended_at, created_at)
  SELECT c.clinic_id, c.id, (c.clinic_id - 1) * 10 + 2 + k.k, 'swedish', 'medium', '[\"neck\"]', '[]', 0,
         c.id * 1000 + k.k * 86400000, c.id * 1000 + k.k * 86400000
  FROM clients c, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k;
INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, created_at)
  SELECT s.clinic_id, s.id, 'check_in', h.h, s.ended_at + h.h * 3600000, s.ended_at + (h.h + 168) * 3600000,
         randomblob(32), s.created_at
  FROM sessions s, (SELECT 24 AS h UNION ALL SELECT 48) h;
INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, submitted_at)
  SELECT clinic_id, session_id, id, '{}', id % 11, offset_hours,
         CASE WHEN id % 50 = 0 THEN 'emergency' WHEN id % 20 = 0 THEN 'doctor' WHEN id % 7 = 0 THEN 'therapist'
              ELSE 'self_care' END, '[]', due_at
  FROM follow_ups WHERE id % 5 != 0;
INSERT INTO alerts (clinic_id, check_in_id, client_id, level, status, created_at)
  SELECT c.clinic_id, c.id, s.client_id, c.level, CASE WHEN c.id % 10 = 0 THEN 'open' ELSE 'acknowledged' END,
         c.submitted_at
  FROM check_ins c JOIN sessions s ON s.id = c.session_id WHERE c.level != 'self_care';
INSERT INTO feedback (clinic_id, check_in_id, rating, comment, created_at)
  SELECT clinic_id, id, 1 + id % 5, NULL, submitted_at FROM check_ins WHERE id % 4 = 0;
INSERT INTO products (clinic_id, name, item, url, created_at) SELECT id, 'Arnica', 'P-heat', NULL, 0 FROM clinics;
INSERT INTO messages (clinic_id, kind, recipient, follow_up_id, idempotency_key, due_at, next_attempt, status,
                      attempts, created_at)
  SELECT f.clinic_id, k.kind, 'client', f.id, f.id || '-' || k.kind, f.due_at, f.due_at,
         CASE WHEN f.id % 100 = 0 THEN 'pending' WHEN f.id % 97 = 0 THEN 'failed' ELSE 'sent' END, 1, f.created_at
  FROM follow_ups f, (SELECT 'check_in' AS kind UNION ALL SELECT 'reminder') k;
INSERT INTO messages (clinic_id, kind, recipient, staff_id, alert_id, idempotency_key, due_at, next_attempt, status,
                      created_at)
  SELECT a.clinic_id, 'alert', 'staff', (a.clinic_id - 1) * 10 + 2, a.id, 'alert-' || a.id, a.created_at,
         a.created_at, 'sent', a.created_at
  FROM alerts a WHERE a.level != 'therapist';
ANALYZE;
";

/// One query's plan as the file holds it.
#[derive(Debug, Default, Clone, PartialEq)]
struct Entry {
    plan: Vec<String>,
    allow: Option<String>,
}

fn read_file() -> BTreeMap<String, Entry> {
    let text = std::fs::read_to_string(PLANS_FILE).unwrap_or_default();
    let mut entries = BTreeMap::new();
    let mut current: Option<(String, Entry)> = None;
    for line in text.lines() {
        if let Some(sql) = line.strip_prefix("query: ") {
            if let Some((q, e)) = current.take() {
                entries.insert(q, e);
            }
            current = Some((sql.to_owned(), Entry::default()));
        } else if let Some((_, e)) = current.as_mut() {
            if let Some(step) = line.strip_prefix("plan:  ") {
                e.plan.push(step.to_owned());
            } else if let Some(why) = line.strip_prefix("allow: ") {
                e.allow = Some(why.to_owned());
            }
        }
    }
    if let Some((q, e)) = current {
        entries.insert(q, e);
    }
    entries
}

fn write_file(entries: &BTreeMap<String, Entry>) {
    let mut out = String::from(
        "# The access path of every query the SQLite store runs, on a busy clinic's database with\n\
         # fresh statistics (see tests/sqlite/query_plans.rs). `allow:` says why a scan or a sort\n\
         # stays small as the clinic grows. Rewrite with AFTERCARE_BLESS_PLANS=1 and review the diff.\n",
    );
    for (sql, e) in entries {
        out.push_str(&format!("\nquery: {sql}\n"));
        for step in &e.plan {
            out.push_str(&format!("plan:  {step}\n"));
        }
        if let Some(why) = &e.allow {
            out.push_str(&format!("allow: {why}\n"));
        }
    }
    std::fs::write(PLANS_FILE, out).unwrap();
}

/// The table a plan step reads (`SCAN t …`, `SEARCH t …`).
fn step_table(step: &str) -> Option<&str> {
    let rest = step.strip_prefix("SCAN ").or_else(|| step.strip_prefix("SEARCH "))?;
    rest.split_whitespace().next()
}

/// A step whose cost grows with the clinic's history: a table scan, a search that narrows
/// by nothing but the clinic (`(clinic_id=?)` walks every row of the clinic), or a sort for
/// `ORDER BY`.
fn grows(step: &str) -> bool {
    // A scan of anything but a constant row or a subquery's result reads a table (plans name
    // a table by its alias in the query, so every other scan counts).
    let scans_table =
        step.starts_with("SCAN ") && !step.starts_with("SCAN CONSTANT ROW") && !step.starts_with("SCAN (");
    let whole_clinic = step.starts_with("SEARCH ") && step.ends_with("(clinic_id=?)");
    scans_table || whole_clinic || step.contains("TEMP B-TREE FOR") && step.contains("ORDER BY")
}

/// For an `INSERT INTO t`, the steps that look for rows of tables whose foreign keys point
/// at `t`: SQLite codes them, but runs them only while a foreign-key violation is
/// outstanding (never, with immediate constraints), so they cost nothing.
fn foreign_key_check(sql: &str, step: &str, children: &BTreeMap<String, BTreeSet<String>>) -> bool {
    let Some(parent) = sql.strip_prefix("INSERT INTO ").and_then(|r| r.split_whitespace().next()) else {
        return false;
    };
    step_table(step).is_some_and(|t| children.get(parent).is_some_and(|c| c.contains(t)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_keeps_its_access_path_on_a_busy_clinic() {
    statements();
    store::conformance::run_all(super::fresh).await;
    let run: Vec<String> = statements().lock().unwrap().iter().filter(|s| is_data_statement(s)).cloned().collect();
    assert!(
        run.len() > 40,
        "the conformance suite ran only {} statements: does the store still log them (target {SQL_TARGET})?",
        run.len()
    );

    let dir = std::env::temp_dir().join(format!("aftercare-plans-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    s.close().await;
    let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
    // As the store's connections: foreign keys enforced, so that an INSERT's plan holds the
    // steps that check them (see `foreign_key_check`).
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    conn.execute_batch(SEED).unwrap();
    let pairs = |sql: &str| -> Vec<(String, String)> {
        let mut statement = conn.prepare(sql).unwrap();
        let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let links = pairs(
        "SELECT m.name, f.\"table\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
    );
    for (child, parent) in links {
        children.entry(parent).or_default().insert(child);
    }
    let indexes = pairs("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL");

    let held = read_file();
    let mut found = BTreeMap::new();
    for sql in &run {
        let mut explain =
            conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
        // NULL for every parameter, numbered (`?1`, used more than once) or not.
        for i in 1..=explain.parameter_count() {
            explain.raw_bind_parameter(i, rusqlite::types::Null).unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
        }
        let plan = explain
            .raw_query()
            .mapped(|r| r.get::<_, String>("detail"))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
        let allow = held.get(sql).and_then(|e| e.allow.clone());
        found.insert(sql.clone(), Entry { plan, allow });
    }
    if std::env::var_os("AFTERCARE_BLESS_PLANS").is_some() {
        write_file(&found);
    }

    let mut problems = Vec::new();
    for (sql, e) in &found {
        let growing: Vec<&String> =
            e.plan.iter().filter(|step| grows(step) && !foreign_key_check(sql, step, &children)).collect();
        if !growing.is_empty() && e.allow.is_none() {
            problems.push(format!("grows with the clinic ({growing:?}): {sql}"));
        }
        match held.get(sql) {
            None => problems.push(format!("not in query_plans.txt (plan {:?}): {sql}", e.plan)),
            Some(h) if h.plan != e.plan => {
                problems.push(format!("plan changed from {:?} to {:?}: {sql}", h.plan, e.plan));
            }
            Some(_) => {}
        }
    }
    // No index that nothing uses (a unique index keeps its constraint, so it stays).
    for (name, create) in &indexes {
        let used = found.values().flat_map(|e| &e.plan).any(|step| step.contains(&format!("INDEX {name} ")));
        if !used && !create.starts_with("CREATE UNIQUE") {
            problems.push(format!("index {name} is used by no query"));
        }
    }
    for sql in held.keys().filter(|sql| !found.contains_key(*sql)) {
        problems.push(format!("in query_plans.txt but no longer run: {sql}"));
    }
    drop(conn);
    std::fs::remove_dir_all(&dir).ok();
    assert!(problems.is_empty(), "{} queries need a look:\n{}", problems.len(), problems.join("\n"));
}
