//! # The SQLite store
//!
//! Aftercare's embedded default: one SQLite file in WAL mode with `synchronous = FULL`, so a
//! check-in is on disk when its transaction commits and survives a crash. Migrations are
//! embedded in the binary and run at start.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlSafeStr, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use store::*;

mod group_commit;

#[cfg(feature = "testing")]
pub mod testing;

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Check-ins go through one writer that commits them in groups (`group_commit`).
    check_ins: std::sync::Arc<group_commit::CheckInWriter>,
}

fn db(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(if d.message().contains("staff.email") { "e-mail" } else { "value" });
        }
        // SQLite's primary result codes (the low byte of an extended code) that say the
        // database cannot be written or read just now, rather than that the query is wrong.
        const BUSY: i64 = 5;
        const LOCKED: i64 = 6;
        const READONLY: i64 = 8;
        const IOERR: i64 = 10;
        const FULL: i64 = 13;
        const CANTOPEN: i64 = 14;
        let primary = d.code().and_then(|c| c.parse::<i64>().ok()).map(|c| c & 0xff);
        if matches!(primary, Some(BUSY | LOCKED | READONLY | IOERR | FULL | CANTOPEN)) {
            return StoreError::Unavailable(e.to_string());
        }
    }
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound("record"),
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Database(Box::new(other)),
    }
}

/// The id in `column` of a row, as its type.
fn id<T: From<i64>>(r: &SqliteRow, column: &str) -> StoreResult<T> {
    r.try_get::<i64, _>(column).map(T::from).map_err(db)
}

/// The id in `column` of a row, when there is one.
fn opt_id<T: From<i64>>(r: &SqliteRow, column: &str) -> StoreResult<Option<T>> {
    r.try_get::<Option<i64>, _>(column).map(|id| id.map(T::from)).map_err(db)
}

/// Write transactions take SQLite's write lock when they start, so that two of them wait
/// for each other (up to the busy timeout) instead of one failing when it first writes.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// A query built from this file's column lists and constant SQL only, never from input.
fn q<'a>(sql: String) -> sqlx::query::Query<'a, sqlx::Sqlite, <sqlx::Sqlite as sqlx::Database>::Arguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

/// The schema, embedded in the binary, in order: a new migration is a new file and a new
/// line here.
const MIGRATIONS: [(i64, &str, &str); 18] = [
    (1, "clinics clients sessions", include_str!("../migrations/0001_clinics_clients_sessions.sql")),
    (2, "staff sessions", include_str!("../migrations/0002_staff_sessions.sql")),
    (3, "products feedback", include_str!("../migrations/0003_products_feedback.sql")),
    (4, "intake links", include_str!("../migrations/0004_intake_links.sql")),
    (5, "check-in schedule", include_str!("../migrations/0005_check_in_schedule.sql")),
    (6, "message texts", include_str!("../migrations/0006_message_texts.sql")),
    (7, "outbox", include_str!("../migrations/0007_outbox.sql")),
    (8, "write probe", include_str!("../migrations/0008_write_probe.sql")),
    (9, "access paths", include_str!("../migrations/0009_access_paths.sql")),
    (10, "one alert per link", include_str!("../migrations/0010_one_alert_per_link.sql")),
    (11, "api token expiry", include_str!("../migrations/0011_api_token_expiry.sql")),
    (12, "answers not read", include_str!("../migrations/0012_answers_not_read.sql")),
    (13, "notes to read", include_str!("../migrations/0013_notes_to_read.sql")),
    (14, "staff sessions by staff", include_str!("../migrations/0014_staff_sessions_by_staff.sql")),
    (15, "audit trail", include_str!("../migrations/0015_audit_trail.sql")),
    (16, "staff accounts", include_str!("../migrations/0016_staff_accounts.sql")),
    (17, "clinic contact", include_str!("../migrations/0017_clinic_contact.sql")),
    (18, "client language", include_str!("../migrations/0018_client_language.sql")),
];

/// Migrations that manage their own transaction (a table rebuilt with foreign keys off).
const OWN_TRANSACTION: [i64; 1] = [12];

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, name, sql)| {
                let no_tx = OWN_TRANSACTION.contains(version);
                Migration::new(*version, (*name).into(), MigrationType::Simple, sql.into_sql_str(), no_tx)
            })
            .collect(),
    )
}

fn list(json: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("a stored list: {e}")))
}

fn to_json(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

/// The triage level in a row's `level`.
fn level(r: &SqliteRow) -> StoreResult<Level> {
    let code: String = r.try_get("level").map_err(db)?;
    Level::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("level `{code}`")))
}

fn role(code: &str) -> StoreResult<Role> {
    Role::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("role `{code}`")))
}

impl SqliteStore {
    /// The row of `select` (a column list and table) with `id` in the clinic, read by `read`.
    /// The rows of `select` with an id among `ids` and the clinic's: one statement whatever
    /// the number of ids (they travel as one JSON array).
    async fn by_ids<T>(
        &self,
        select: &str,
        ids: impl Iterator<Item = i64>,
        clinic_id: ClinicId,
        read: fn(&SqliteRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let ids = format!("[{}]", ids.map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        // `+clinic_id`: the ids lead (a primary-key look-up each), never an index of the clinic.
        let rows = q(format!("{select} WHERE +clinic_id = ? AND id IN (SELECT value FROM json_each(?))"))
            .bind(clinic_id.get())
            .bind(ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, read)
    }

    async fn by_id<T>(
        &self,
        select: &str,
        id: impl Into<i64>,
        clinic_id: ClinicId,
        read: fn(&SqliteRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let row = q(format!("{select} WHERE id = ? AND clinic_id = ?"))
            .bind(Into::<i64>::into(id))
            .bind(clinic_id.get())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        one(row, read)
    }

    /// Opens (creating if needed) the database file `aftercare.db` in `dir`.
    ///
    /// # Errors
    /// When the directory or the database cannot be opened.
    pub async fn open_dir(dir: &Path) -> StoreResult<SqliteStore> {
        let file = dir.join("aftercare.db");
        owner_only(dir, &file).map_err(|e| StoreError::Database(format!("{}: {e}", dir.display()).into()))?;
        Self::open(SqliteConnectOptions::new().filename(file)).await
    }

    /// Opens a database from a `sqlite:` URL (`sqlite::memory:` for a private in-memory one).
    ///
    /// # Errors
    /// When the URL is invalid or the database cannot be opened.
    pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url).map_err(db)?;
        if url.contains(":memory:") {
            // One connection, so that every query sees the same private database.
            let pool = pool_options().max_connections(1).connect_with(options.foreign_keys(true)).await.map_err(db)?;
            return Ok(SqliteStore { pool, check_ins: Default::default() });
        }
        Self::open(options).await
    }

    /// Closes every connection, waiting for them to finish what they are doing.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn open(options: SqliteConnectOptions) -> StoreResult<SqliteStore> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // What is deleted or overwritten is zeroed in the file, not left in free space:
            // a client's erased words must not be readable from the database file.
            .pragma("secure_delete", "ON")
            // The planner's statistics, as SQLite advises for long-lived connections: gathered
            // (within a bounded effort) when a connection opens, on new and old databases
            // alike, and refreshed every hour by `refresh_statistics`.
            .pragma("analysis_limit", "400")
            .pragma("optimize", "0x10002");
        let pool = pool_options().max_connections(4).connect_with(options).await.map_err(db)?;
        Ok(SqliteStore { pool, check_ins: Default::default() })
    }
}

/// Creates `dir` (with its parents) and the database `file` readable by their owner only,
/// before SQLite opens it: SQLite gives its WAL and shared-memory files the database file's
/// permissions. What exists already keeps its permissions.
fn owner_only(dir: &Path, file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(file)?;
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)?;
        let _ = file;
    }
    Ok(())
}

/// The pool's settings. A connection goes back to the pool only when no transaction is left
/// open on it. A transaction whose `COMMIT` or `ROLLBACK` failed (a full disk, an I/O error)
/// can leave SQLite inside a transaction while sqlx counts one level too many; reused, that
/// connection would run every later "transaction" as a savepoint nested inside one that never
/// commits, answering success for writes that are never saved while holding the write lock
/// that every other connection then waits for. Such a connection is closed instead (SQLite
/// rolls back what it held), and the pool opens a fresh one.
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new().after_release(|conn, _| {
        Box::pin(async move {
            if !sqlx::Connection::is_in_transaction(conn) {
                return Ok(true);
            }
            // A dropped transaction queues its rollback: one round trip lets it run, then
            // the connection is kept only if that rollback worked.
            sqlx::Connection::ping(&mut *conn).await?;
            Ok(!sqlx::Connection::is_in_transaction(conn))
        })
    })
}

const CLINIC_COLUMNS: &str = "id, name, country, timezone, check_in_hours, plan_message, check_in_message, alert_to, \
                              require_two_factor, phone, email, created_at";
const STAFF_COLUMNS: &str = "id, clinic_id, email, name, role, active, password_hash, password_chosen, totp_secret";
const STAFF: &str = "SELECT id, clinic_id, email, name, role, active, password_hash, password_chosen, totp_secret \
                     FROM staff";
const CLIENT: &str =
    "SELECT id, clinic_id, name, email, phone, timezone, age_months, language, opted_out_at, created_at FROM clients";
const MESSAGE_COLUMNS: &str = "id, clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token, \
                               idempotency_key, due_at, next_attempt, status, attempts, channel, last_error, sent_at, \
                               created_at";
const INTAKE: &str = "SELECT id, clinic_id, client_id, body, created_at FROM intakes";
const SESSION: &str = "SELECT id, clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, \
                       first_massage, notes, ended_at, created_at, baby_birth_date FROM sessions";
const FOLLOW_UP: &str = "SELECT id, clinic_id, session_id, kind, offset_hours, due_at, expires_at FROM follow_ups";
const CHECK_IN: &str = "SELECT id, clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, \
                        submitted_at, triaged, problems FROM check_ins";
const ALERT: &str = "SELECT id, clinic_id, check_in_id, client_id, level, status, created_at, acknowledged_by, \
                     acknowledged_at, note FROM alerts";

/// A row's columns under a prefix: `c_name` read as `name` (a query that joins several
/// tables names each table's columns apart).
struct Cols<'a>(&'a SqliteRow, &'static str);

impl Cols<'_> {
    fn get<'r, T>(&'r self, column: &str) -> StoreResult<T>
    where
        T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        if self.1.is_empty() {
            self.0.try_get(column).map_err(db)
        } else {
            self.0.try_get(format!("{}{column}", self.1).as_str()).map_err(db)
        }
    }

    fn id<T: From<i64>>(&self, column: &str) -> StoreResult<T> {
        self.get::<i64>(column).map(T::from)
    }
}

/// `columns` (a list such as `id, name`) of table alias `t`, each named `{prefix}{column}`.
fn aliased(columns: &str, t: &str, prefix: &str) -> String {
    columns.split(',').map(str::trim).map(|c| format!("{t}.{c} AS {prefix}{c}")).collect::<Vec<_>>().join(", ")
}

fn clinic(r: &SqliteRow) -> StoreResult<Clinic> {
    clinic_in(&Cols(r, ""))
}

fn clinic_in(r: &Cols<'_>) -> StoreResult<Clinic> {
    Ok(Clinic {
        id: r.id("id")?,
        name: r.get("name")?,
        country: r.get("country")?,
        timezone: r.get("timezone")?,
        check_in_hours: serde_json::from_str(r.get::<&str>("check_in_hours")?)
            .map_err(|e| StoreError::Corrupt(format!("a check-in schedule: {e}")))?,
        plan_message: r.get("plan_message")?,
        check_in_message: r.get("check_in_message")?,
        alert_to: r.get("alert_to")?,
        require_two_factor: r.get("require_two_factor")?,
        phone: r.get("phone")?,
        email: r.get("email")?,
        created_at: Timestamp(r.get("created_at")?),
    })
}

fn staff(r: &SqliteRow) -> StoreResult<Staff> {
    Ok(Staff {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        email: r.try_get("email").map_err(db)?,
        name: r.try_get("name").map_err(db)?,
        role: role(r.try_get("role").map_err(db)?)?,
        active: r.try_get("active").map_err(db)?,
        password_hash: r.try_get::<Option<String>, _>("password_hash").map_err(db)?.map(Redacted::new),
        password_chosen: r.try_get("password_chosen").map_err(db)?,
        totp_secret: r.try_get::<Option<String>, _>("totp_secret").map_err(db)?.map(Redacted::new),
    })
}

fn client(r: &SqliteRow) -> StoreResult<Client> {
    client_in(&Cols(r, ""))
}

/// Sets one column of a client of a clinic (`?`: the value, the client, the clinic) and
/// answers the client as it now is.
fn client_update(column: &str) -> String {
    format!(
        "UPDATE clients SET {column} = ? WHERE id = ? AND clinic_id = ? RETURNING {}",
        CLIENT.trim_start_matches("SELECT ").trim_end_matches(" FROM clients")
    )
}

fn client_in(r: &Cols<'_>) -> StoreResult<Client> {
    Ok(Client {
        id: r.id("id")?,
        clinic_id: r.id("clinic_id")?,
        name: r.get("name")?,
        email: r.get("email")?,
        phone: r.get("phone")?,
        timezone: r.get("timezone")?,
        age_months: r.get::<Option<i64>>("age_months")?.map(|a| a as u32),
        language: r.get("language")?,
        opted_out_at: r.get::<Option<i64>>("opted_out_at")?.map(Timestamp),
        created_at: Timestamp(r.get("created_at")?),
    })
}

fn intake(r: &SqliteRow) -> StoreResult<Intake> {
    Ok(Intake {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        client_id: id(r, "client_id")?,
        body: r.try_get("body").map_err(db)?,
        created_at: Timestamp(r.try_get("created_at").map_err(db)?),
    })
}

fn session(r: &SqliteRow) -> StoreResult<Session> {
    session_in(&Cols(r, ""))
}

fn session_in(r: &Cols<'_>) -> StoreResult<Session> {
    Ok(Session {
        id: r.id("id")?,
        clinic_id: r.id("clinic_id")?,
        client_id: r.id("client_id")?,
        staff_id: r.id("staff_id")?,
        massage_type: r.get("massage_type")?,
        pressure: r.get("pressure")?,
        areas: list(r.get("areas")?)?,
        techniques: list(r.get("techniques")?)?,
        first_massage: r.get("first_massage")?,
        notes: r.get("notes")?,
        baby_birth_date: r.get("baby_birth_date")?,
        ended_at: Timestamp(r.get("ended_at")?),
        created_at: Timestamp(r.get("created_at")?),
    })
}

fn follow_up(r: &SqliteRow) -> StoreResult<FollowUp> {
    follow_up_in(&Cols(r, ""))
}

fn follow_up_in(r: &Cols<'_>) -> StoreResult<FollowUp> {
    Ok(FollowUp {
        id: r.id("id")?,
        clinic_id: r.id("clinic_id")?,
        session_id: r.id("session_id")?,
        kind: r.get("kind")?,
        offset_hours: r.get("offset_hours")?,
        due_at: Timestamp(r.get("due_at")?),
        expires_at: Timestamp(r.get("expires_at")?),
    })
}

fn check_in(r: &SqliteRow) -> StoreResult<CheckIn> {
    Ok(CheckIn {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        session_id: id(r, "session_id")?,
        follow_up_id: id(r, "follow_up_id")?,
        report: r.try_get("report").map_err(db)?,
        soreness: r.try_get::<Option<i64>, _>("soreness").map_err(db)?.map(|s| s as u8),
        hours_since: r.try_get("hours_since").map_err(db)?,
        level: level(r)?,
        fired: list(r.try_get("fired").map_err(db)?)?,
        submitted_at: Timestamp(r.try_get("submitted_at").map_err(db)?),
        triaged: r.try_get::<i64, _>("triaged").map_err(db)? != 0,
        problems: match r.try_get::<Option<String>, _>("problems").map_err(db)? {
            Some(p) => list(&p)?,
            None => Vec::new(),
        },
    })
}

fn alert(r: &SqliteRow) -> StoreResult<Alert> {
    let status: String = r.try_get("status").map_err(db)?;
    Ok(Alert {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        check_in_id: id(r, "check_in_id")?,
        client_id: id(r, "client_id")?,
        level: level(r)?,
        status: AlertStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("alert status `{status}`")))?,
        created_at: Timestamp(r.try_get("created_at").map_err(db)?),
        acknowledged_by: opt_id(r, "acknowledged_by")?,
        acknowledged_at: r.try_get::<Option<i64>, _>("acknowledged_at").map_err(db)?.map(Timestamp),
        note: r.try_get("note").map_err(db)?,
    })
}

fn product(r: &SqliteRow) -> StoreResult<Product> {
    Ok(Product {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        name: r.try_get("name").map_err(db)?,
        item: r.try_get("item").map_err(db)?,
        url: r.try_get("url").map_err(db)?,
    })
}

fn feedback(r: &SqliteRow) -> StoreResult<Feedback> {
    Ok(Feedback {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        check_in_id: id(r, "check_in_id")?,
        rating: r.try_get::<Option<i64>, _>("rating").map_err(db)?.map(|x| x as u8),
        comment: r.try_get("comment").map_err(db)?,
        created_at: Timestamp(r.try_get("created_at").map_err(db)?),
    })
}

/// A `COUNT(*)` column.
fn r_count(row: &SqliteRow, name: &str) -> StoreResult<u64> {
    row.try_get::<i64, _>(name).map(|n| n.max(0) as u64).map_err(db)
}

fn all<T>(rows: Vec<SqliteRow>, f: fn(&SqliteRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect()
}

fn one<T>(row: Option<SqliteRow>, f: fn(&SqliteRow) -> StoreResult<T>) -> StoreResult<Option<T>> {
    row.as_ref().map(f).transpose()
}

impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        migrator().run(&self.pool).await.map_err(|e| StoreError::Database(Box::new(e)))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(db)
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        sqlx::query("PRAGMA optimize").execute(&self.pool).await.map(|_| ()).map_err(db)
    }

    async fn write_probe(&self, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO write_probe (id, probed_at) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
        )
        .bind(now.0)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db)
    }

    async fn create_clinic(&self, new: NewClinic, owner: NewStaff) -> StoreResult<(Clinic, Staff)> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let row = q(format!(
            "INSERT INTO clinics (name, country, timezone, check_in_hours, created_at) VALUES (?, ?, ?, ?, ?) \
             RETURNING {CLINIC_COLUMNS}"
        ))
        .bind(&new.name)
        .bind(&new.country)
        .bind(&new.timezone)
        .bind(serde_json::Value::from(new.check_in_hours.clone()).to_string())
        .bind(new.now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let clinic = clinic(&row)?;
        let owner = insert_staff(&mut tx, clinic.id, &owner).await?;
        tx.commit().await.map_err(db)?;
        Ok((clinic, owner))
    }

    async fn clinic(&self, clinic_id: ClinicId) -> StoreResult<Option<Clinic>> {
        let row = q(format!("SELECT {CLINIC_COLUMNS} FROM clinics WHERE id = ?"))
            .bind(clinic_id.get())
            .fetch_optional(&self.pool)
            .await;
        one(row.map_err(db)?, clinic)
    }

    async fn update_clinic(
        &self,
        clinic_id: ClinicId,
        name: &str,
        country: &str,
        timezone: &str,
    ) -> StoreResult<Clinic> {
        let row = q(format!(
            "UPDATE clinics SET name = ?, country = ?, timezone = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"
        ))
        .bind(name)
        .bind(country)
        .bind(timezone)
        .bind(clinic_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        clinic(&row)
    }

    async fn set_check_in_hours(&self, clinic_id: ClinicId, hours: &[i64]) -> StoreResult<Clinic> {
        let row = q(format!("UPDATE clinics SET check_in_hours = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"))
            .bind(serde_json::Value::from(hours.to_vec()).to_string())
            .bind(clinic_id.get())
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        clinic(&row)
    }

    async fn set_message_texts(
        &self,
        clinic_id: ClinicId,
        plan: Option<&str>,
        check_in: Option<&str>,
    ) -> StoreResult<Clinic> {
        let row = q(format!(
            "UPDATE clinics SET plan_message = ?, check_in_message = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"
        ))
        .bind(plan)
        .bind(check_in)
        .bind(clinic_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        clinic(&row)
    }

    async fn staff_of_clinic(&self, clinic_id: ClinicId) -> StoreResult<Vec<Staff>> {
        let rows = q(format!("{STAFF} WHERE clinic_id = ? ORDER BY name COLLATE NOCASE, id"))
            .bind(clinic_id.get())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, staff)
    }

    async fn update_staff(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        role: Role,
        active: bool,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let row = q(format!(
            "UPDATE staff SET role = ?, active = ? WHERE id = ? AND clinic_id = ? RETURNING {STAFF_COLUMNS}"
        ))
        .bind(role.code())
        .bind(active)
        .bind(staff_id.get())
        .bind(clinic_id.get())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if !active {
            // A deactivated member's tokens end with them: reactivation does not bring them back.
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND clinic_id = ? AND revoked_at IS NULL",
            )
            .bind(now.0)
            .bind(staff_id.get())
            .bind(clinic_id.get())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        one(row, staff)
    }

    async fn set_staff_password(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        password_hash: Redacted<String>,
        keep: &[u8],
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let changed =
            sqlx::query("UPDATE staff SET password_hash = ?, password_chosen = 1 WHERE id = ? AND clinic_id = ?")
                .bind(password_hash.expose())
                .bind(staff_id.get())
                .bind(clinic_id.get())
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected()
                == 1;
        if changed {
            sqlx::query("DELETE FROM staff_sessions WHERE staff_id = ? AND clinic_id = ? AND token_hash != ?")
                .bind(staff_id.get())
                .bind(clinic_id.get())
                .bind(keep)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn products(&self, clinic_id: ClinicId) -> StoreResult<Vec<Product>> {
        let rows = sqlx::query("SELECT id, clinic_id, name, item, url FROM products WHERE clinic_id = ? ORDER BY id")
            .bind(clinic_id.get())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, product)
    }

    async fn add_product(&self, clinic_id: ClinicId, p: NewProduct) -> StoreResult<Product> {
        let row = sqlx::query(
            "INSERT INTO products (clinic_id, name, item, url, created_at) VALUES (?, ?, ?, ?, ?) \
             RETURNING id, clinic_id, name, item, url",
        )
        .bind(clinic_id.get())
        .bind(&p.name)
        .bind(&p.item)
        .bind(&p.url)
        .bind(p.now.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        product(&row)
    }

    async fn remove_product(&self, clinic_id: ClinicId, product_id: ProductId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM products WHERE id = ? AND clinic_id = ?")
            .bind(product_id.get())
            .bind(clinic_id.get())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_feedback(&self, clinic_id: ClinicId, f: NewFeedback) -> StoreResult<Feedback> {
        let row = sqlx::query(
            "INSERT INTO feedback (clinic_id, check_in_id, rating, comment, created_at) \
             SELECT clinic_id, id, ?, ?, ? FROM check_ins WHERE id = ? AND clinic_id = ? \
             RETURNING id, clinic_id, check_in_id, rating, comment, created_at",
        )
        .bind(f.rating.map(i64::from))
        .bind(&f.comment)
        .bind(f.now.0)
        .bind(f.check_in_id.get())
        .bind(clinic_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        feedback(&row)
    }

    async fn feedback_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<Feedback>> {
        let rows = sqlx::query(
            "SELECT f.id, f.clinic_id, f.check_in_id, f.rating, f.comment, f.created_at FROM feedback f \
             JOIN check_ins c ON c.id = f.check_in_id AND c.clinic_id = f.clinic_id \
             JOIN sessions s ON s.id = c.session_id AND s.clinic_id = c.clinic_id \
             WHERE f.clinic_id = ? AND s.client_id = ? ORDER BY f.created_at, f.id",
        )
        .bind(clinic_id.get())
        .bind(client_id.get())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, feedback)
    }

    async fn create_staff(&self, clinic_id: ClinicId, new: NewStaff) -> StoreResult<Staff> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let s = insert_staff(&mut tx, clinic_id, &new).await?;
        tx.commit().await.map_err(db)?;
        Ok(s)
    }

    async fn staff_in_clinic(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<Option<Staff>> {
        let row = q(format!("{STAFF} WHERE id = ? AND clinic_id = ?"))
            .bind(staff_id.get())
            .bind(clinic_id.get())
            .fetch_optional(&self.pool)
            .await;
        one(row.map_err(db)?, staff)
    }

    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<Staff>> {
        let row = q(format!("{STAFF} WHERE email = ?")).bind(email).fetch_optional(&self.pool).await;
        one(row.map_err(db)?, staff)
    }

    async fn create_api_token(&self, t: NewApiToken) -> StoreResult<ApiToken> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (clinic_id, staff_id, label, token_hash, created_at, expires_at) \
             SELECT ?, id, ?, ?, ?, ? FROM staff WHERE id = ? AND clinic_id = ? RETURNING id",
        )
        .bind(t.clinic_id.get())
        .bind(&t.label)
        .bind(t.token_hash.expose())
        .bind(t.now.0)
        .bind(t.expires_at.0)
        .bind(t.staff_id.get())
        .bind(t.clinic_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(ApiToken {
            id: id(&row, "id")?,
            clinic_id: t.clinic_id,
            staff_id: t.staff_id,
            label: t.label,
            created_at: t.now,
            expires_at: t.expires_at,
        })
    }

    async fn staff_by_token_hash(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<Staff>> {
        let row = sqlx::query(
            "SELECT s.id, s.clinic_id, s.email, s.name, s.role, s.active, s.password_hash, s.password_chosen, \
             s.totp_secret FROM api_tokens t \
             JOIN staff s ON s.id = t.staff_id AND s.clinic_id = t.clinic_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND s.active = 1",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        one(row, staff)
    }

    async fn create_staff_session(&self, s: NewStaffSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO staff_sessions (clinic_id, staff_id, token_hash, csrf_token, created_at, expires_at, \
             second_factor_pending) SELECT clinic_id, id, ?, ?, ?, ?, ? FROM staff \
             WHERE id = ? AND clinic_id = ? AND active = 1",
        )
        .bind(s.token_hash.expose())
        .bind(s.csrf_token.expose())
        .bind(s.now.0)
        .bind(s.expires_at.0)
        .bind(s.second_factor_pending)
        .bind(s.staff_id.get())
        .bind(s.clinic_id.get())
        .execute(&self.pool)
        .await
        .map_err(db)
        .and_then(|done| if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::NotFound("staff member")) })
    }

    async fn staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(Staff, StaffSession)>> {
        let row = sqlx::query(
            "SELECT s.id, s.clinic_id, s.email, s.name, s.role, s.active, s.password_hash, s.password_chosen, \
             s.totp_secret, x.csrf_token, x.expires_at, x.second_factor_pending, c.require_two_factor \
             FROM staff_sessions x \
             JOIN staff s ON s.id = x.staff_id AND s.clinic_id = x.clinic_id \
             JOIN clinics c ON c.id = s.clinic_id \
             WHERE x.token_hash = ? AND x.expires_at > ? AND s.active = 1",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        match row {
            None => Ok(None),
            Some(r) => {
                let who = staff(&r)?;
                let session = StaffSession {
                    staff_id: who.id,
                    csrf_token: Redacted::new(r.try_get("csrf_token").map_err(db)?),
                    expires_at: Timestamp(r.try_get("expires_at").map_err(db)?),
                    second_factor_pending: r.try_get("second_factor_pending").map_err(db)?,
                    clinic_requires_two_factor: r.try_get("require_two_factor").map_err(db)?,
                };
                Ok(Some((who, session)))
            }
        }
    }

    async fn delete_staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ? OR expires_at <= ?")
            .bind(token_hash)
            .bind(now.0)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db)
    }

    async fn complete_second_factor(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE staff_sessions SET second_factor_pending = 0, expires_at = ? \
             WHERE token_hash = ? AND second_factor_pending = 1 AND expires_at > ?",
        )
        .bind(expires_at.0)
        .bind(token_hash)
        .bind(now.0)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_password_link(&self, clinic_id: ClinicId, l: NewPasswordLink) -> StoreResult<Option<PasswordLink>> {
        let (clinic, member) = (clinic_id.get(), l.staff_id.get());
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let active = sqlx::query("SELECT 1 FROM staff WHERE id = ? AND clinic_id = ? AND active = 1")
            .bind(member)
            .bind(clinic)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if active.is_none() {
            return Ok(None);
        }
        if l.void_password {
            sqlx::query("UPDATE staff SET password_hash = NULL, password_chosen = 0 WHERE id = ? AND clinic_id = ?")
                .bind(member)
                .bind(clinic)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query("DELETE FROM staff_sessions WHERE clinic_id = ? AND staff_id = ?")
                .bind(clinic)
                .bind(member)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        sqlx::query("UPDATE password_links SET used_at = ? WHERE clinic_id = ? AND staff_id = ? AND used_at IS NULL")
            .bind(l.now.0)
            .bind(clinic)
            .bind(member)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let row = sqlx::query(
            "INSERT INTO password_links (clinic_id, staff_id, purpose, token_hash, expires_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(clinic)
        .bind(member)
        .bind(l.purpose.code())
        .bind(l.token_hash.expose())
        .bind(l.expires_at.0)
        .bind(l.now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO messages (clinic_id, kind, recipient, staff_id, link_token, idempotency_key, due_at, \
             next_attempt, created_at) VALUES (?, ?, 'staff', ?, ?, ?, ?, ?, ?)",
        )
        .bind(clinic)
        .bind(l.purpose.message_kind().code())
        .bind(member)
        .bind(l.token.expose())
        .bind(&l.idempotency_key)
        .bind(l.now.0)
        .bind(l.now.0)
        .bind(l.now.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(PasswordLink {
            id: id(&row, "id")?,
            clinic_id,
            staff_id: l.staff_id,
            purpose: l.purpose,
            expires_at: l.expires_at,
        }))
    }

    async fn password_link(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(PasswordLink, Staff)>> {
        let row = q(format!(
            "SELECT l.id AS link_id, l.purpose, l.expires_at AS link_expires_at, {} \
             FROM password_links l JOIN staff s ON s.id = l.staff_id AND s.clinic_id = l.clinic_id \
             WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND s.active = 1",
            STAFF_COLUMNS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ")
        ))
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let member = staff(&r)?;
        let purpose: String = r.try_get("purpose").map_err(db)?;
        let purpose = match purpose.as_str() {
            "invitation" => PasswordPurpose::Invitation,
            "password_reset" => PasswordPurpose::PasswordReset,
            other => return Err(StoreError::Corrupt(format!("a password link's purpose `{other}`"))),
        };
        let link = PasswordLink {
            id: id(&r, "link_id")?,
            clinic_id: member.clinic_id,
            staff_id: member.id,
            purpose,
            expires_at: Timestamp(r.try_get("link_expires_at").map_err(db)?),
        };
        Ok(Some((link, member)))
    }

    async fn use_password_link(
        &self,
        token_hash: &[u8],
        password_hash: Redacted<String>,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let spent = sqlx::query(
            "UPDATE password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? \
             AND EXISTS (SELECT 1 FROM staff s WHERE s.id = staff_id AND s.clinic_id = clinic_id AND s.active = 1) \
             RETURNING clinic_id, staff_id",
        )
        .bind(now.0)
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(spent) = spent else { return Ok(None) };
        let (clinic, member): (i64, i64) =
            (spent.try_get("clinic_id").map_err(db)?, spent.try_get("staff_id").map_err(db)?);
        let row = q(format!(
            "UPDATE staff SET password_hash = ?, password_chosen = 1 WHERE id = ? AND clinic_id = ? \
             RETURNING {STAFF_COLUMNS}"
        ))
        .bind(password_hash.expose())
        .bind(member)
        .bind(clinic)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("DELETE FROM staff_sessions WHERE clinic_id = ? AND staff_id = ?")
            .bind(clinic)
            .bind(member)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(staff(&row)?))
    }

    async fn set_two_factor(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        secret: Option<Redacted<String>>,
        recovery_code_hashes: &[Vec<u8>],
    ) -> StoreResult<bool> {
        let (clinic, member) = (clinic_id.get(), staff_id.get());
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let changed =
            sqlx::query("UPDATE staff SET totp_secret = ?, totp_last_step = NULL WHERE id = ? AND clinic_id = ?")
                .bind(secret.as_ref().map(Redacted::expose))
                .bind(member)
                .bind(clinic)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected()
                == 1;
        if changed {
            sqlx::query("DELETE FROM recovery_codes WHERE clinic_id = ? AND staff_id = ?")
                .bind(clinic)
                .bind(member)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            for hash in recovery_code_hashes.iter().filter(|_| secret.is_some()) {
                sqlx::query("INSERT INTO recovery_codes (clinic_id, staff_id, code_hash) VALUES (?, ?, ?)")
                    .bind(clinic)
                    .bind(member)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn take_totp_step(&self, clinic_id: ClinicId, staff_id: StaffId, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE staff SET totp_last_step = ? WHERE id = ? AND clinic_id = ? AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(staff_id.get())
        .bind(clinic_id.get())
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        code_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = ? WHERE id = (SELECT id FROM recovery_codes \
             WHERE clinic_id = ? AND staff_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1)",
        )
        .bind(now.0)
        .bind(clinic_id.get())
        .bind(staff_id.get())
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM recovery_codes WHERE clinic_id = ? AND staff_id = ? AND used_at IS NULL",
        )
        .bind(clinic_id.get())
        .bind(staff_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(u32::try_from(n).unwrap_or(0))
    }

    async fn set_clinic_contact(
        &self,
        clinic_id: ClinicId,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> StoreResult<Clinic> {
        let row = q(format!("UPDATE clinics SET phone = ?, email = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"))
            .bind(phone)
            .bind(email)
            .bind(clinic_id.get())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound("clinic"))?;
        clinic(&row)
    }

    async fn set_require_two_factor(&self, clinic_id: ClinicId, require: bool) -> StoreResult<Clinic> {
        let row = q(format!("UPDATE clinics SET require_two_factor = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"))
            .bind(require)
            .bind(clinic_id.get())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound("clinic"))?;
        clinic(&row)
    }

    async fn revoke_tokens_of_staff(&self, clinic_id: ClinicId, staff_id: StaffId, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND clinic_id = ? AND revoked_at IS NULL",
        )
        .bind(now.0)
        .bind(staff_id.get())
        .bind(clinic_id.get())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn revoke_api_token(&self, clinic_id: ClinicId, token_id: ApiTokenId, now: Timestamp) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND clinic_id = ? AND revoked_at IS NULL")
                .bind(now.0)
                .bind(token_id.get())
                .bind(clinic_id.get())
                .execute(&self.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_client(&self, clinic_id: ClinicId, c: NewClient) -> StoreResult<Client> {
        let row = q(format!(
            "INSERT INTO clients (clinic_id, name, email, phone, timezone, age_months, language, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            CLIENT.trim_start_matches("SELECT ").trim_end_matches(" FROM clients")
        ))
        .bind(clinic_id.get())
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(&c.timezone)
        .bind(c.age_months.map(i64::from))
        .bind(&c.language)
        .bind(c.now.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        client(&row)
    }

    async fn client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Client>> {
        self.by_id(CLIENT, client_id, clinic_id, client).await
    }

    async fn clients_by_ids(&self, clinic_id: ClinicId, ids: &[ClientId]) -> StoreResult<Vec<Client>> {
        self.by_ids(CLIENT, ids.iter().map(|i| i.get()), clinic_id, client).await
    }

    async fn clients(
        &self,
        clinic_id: ClinicId,
        search: Option<&str>,
        after: Option<&ClientPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Client>> {
        // LIKE wildcards in the search are escaped, so a search is always a plain substring.
        let pattern = search.map(|q| {
            let escaped = q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        });
        let rows = q(format!(
            "{CLIENT} WHERE clinic_id = ? AND (? IS NULL OR lower(name) LIKE ? ESCAPE '\\' \
             OR lower(coalesce(email, '')) LIKE ? ESCAPE '\\' OR coalesce(phone, '') LIKE ? ESCAPE '\\') \
             AND name >= ? COLLATE NOCASE AND (name > ? COLLATE NOCASE OR id > ?) \
             ORDER BY name COLLATE NOCASE, id LIMIT ?"
        ))
        .bind(clinic_id.get())
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(&pattern)
        .bind(after.map_or("", |p| p.name.as_str()))
        .bind(after.map_or("", |p| p.name.as_str()))
        .bind(after.map_or(0, |p| p.id.get()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, client)
    }

    async fn create_intake_link(&self, clinic_id: ClinicId, link: NewIntakeLink) -> StoreResult<()> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        if link.client_id.is_none() {
            sqlx::query(
                "UPDATE intake_links SET expires_at = ? WHERE clinic_id = ? AND client_id IS NULL AND expires_at > ?",
            )
            .bind(link.now.0)
            .bind(clinic_id.get())
            .bind(link.now.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let done = sqlx::query(
            "INSERT INTO intake_links (clinic_id, client_id, link_hash, created_at, expires_at) \
             SELECT ?, ?, ?, ?, ? WHERE ? IS NULL OR EXISTS (SELECT 1 FROM clients WHERE id = ? AND clinic_id = ?)",
        )
        .bind(clinic_id.get())
        .bind(link.client_id.map(|id| id.get()))
        .bind(link.link_hash.expose())
        .bind(link.now.0)
        .bind(link.expires_at.0)
        .bind(link.client_id.map(|id| id.get()))
        .bind(link.client_id.map(|id| id.get()))
        .bind(clinic_id.get())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound("client"));
        }
        tx.commit().await.map_err(db)
    }

    async fn intake_link(&self, link_hash: &[u8], now: Timestamp) -> StoreResult<Option<IntakeLink>> {
        let row = sqlx::query(
            "SELECT id, clinic_id, client_id, expires_at FROM intake_links \
             WHERE link_hash = ? AND expires_at > ? AND used_at IS NULL",
        )
        .bind(link_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(IntakeLink {
                id: id(&r, "id")?,
                clinic_id: id(&r, "clinic_id")?,
                client_id: opt_id(&r, "client_id")?,
                expires_at: Timestamp(r.try_get("expires_at").map_err(db)?),
            })),
        }
    }

    async fn intake_by_link(
        &self,
        link: &IntakeLink,
        new_client: Option<NewClient>,
        body: String,
        now: Timestamp,
    ) -> StoreResult<Option<Intake>> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        // A client's link is used once: claim it first, so two submissions cannot both pass.
        if link.client_id.is_some() {
            let claimed =
                sqlx::query("UPDATE intake_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?")
                    .bind(now.0)
                    .bind(link.id.get())
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            if claimed.rows_affected() != 1 {
                return Ok(None);
            }
        }
        let client_id = match (link.client_id, new_client) {
            (Some(id), _) => id,
            (None, Some(c)) => {
                let row = sqlx::query(
                    "INSERT INTO clients (clinic_id, name, email, phone, timezone, age_months, language, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(link.clinic_id.get())
                .bind(&c.name)
                .bind(&c.email)
                .bind(&c.phone)
                .bind(&c.timezone)
                .bind(c.age_months.map(i64::from))
                .bind(&c.language)
                .bind(c.now.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                id(&row, "id")?
            }
            (None, None) => return Err(StoreError::NotFound("client")),
        };
        let row = sqlx::query(
            "INSERT INTO intakes (clinic_id, client_id, body, created_at) VALUES (?, ?, ?, ?) \
             RETURNING id, clinic_id, client_id, body, created_at",
        )
        .bind(link.clinic_id.get())
        .bind(client_id.get())
        .bind(&body)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let saved = intake(&row)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(saved))
    }

    async fn save_intake(&self, clinic_id: ClinicId, i: NewIntake) -> StoreResult<Intake> {
        let row = sqlx::query(
            "INSERT INTO intakes (clinic_id, client_id, body, created_at) \
             SELECT ?, id, ?, ? FROM clients WHERE id = ? AND clinic_id = ? \
             RETURNING id, clinic_id, client_id, body, created_at",
        )
        .bind(clinic_id.get())
        .bind(&i.body)
        .bind(i.now.0)
        .bind(i.client_id.get())
        .bind(clinic_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        intake(&row)
    }

    async fn latest_intake(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Intake>> {
        let row = q(format!("{INTAKE} WHERE clinic_id = ? AND client_id = ? ORDER BY id DESC LIMIT 1"))
            .bind(clinic_id.get())
            .bind(client_id.get())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        one(row, intake)
    }

    async fn record_session(
        &self,
        clinic_id: ClinicId,
        s: NewSession,
        follow_ups: Vec<NewFollowUp>,
    ) -> StoreResult<(Session, Vec<FollowUp>)> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let row = sqlx::query(
            "INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, \
             first_massage, notes, ended_at, created_at, baby_birth_date) \
             SELECT ?, c.id, s.id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM clients c JOIN staff s ON s.clinic_id = c.clinic_id \
             WHERE c.id = ? AND c.clinic_id = ? AND s.id = ? \
             RETURNING id, clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, first_massage, \
             notes, ended_at, created_at, baby_birth_date",
        )
        .bind(clinic_id.get())
        .bind(&s.massage_type)
        .bind(&s.pressure)
        .bind(to_json(&s.areas))
        .bind(to_json(&s.techniques))
        .bind(s.first_massage)
        .bind(&s.notes)
        .bind(s.ended_at.0)
        .bind(s.now.0)
        .bind(&s.baby_birth_date)
        .bind(s.client_id.get())
        .bind(clinic_id.get())
        .bind(s.staff_id.get())
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let session = session(&row)?;
        let mut scheduled = Vec::with_capacity(follow_ups.len());
        for f in follow_ups {
            let added = insert_follow_up(&mut tx, clinic_id, session.id, f, s.now).await?;
            scheduled.push(added.ok_or(StoreError::Conflict("check-in hour"))?);
        }
        tx.commit().await.map_err(db)?;
        Ok((session, scheduled))
    }

    async fn session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Option<Session>> {
        self.by_id(SESSION, session_id, clinic_id, session).await
    }

    async fn check_ins_by_ids(&self, clinic_id: ClinicId, ids: &[CheckInId]) -> StoreResult<Vec<CheckIn>> {
        self.by_ids(CHECK_IN, ids.iter().map(|i| i.get()), clinic_id, check_in).await
    }

    async fn sessions_by_ids(&self, clinic_id: ClinicId, ids: &[SessionId]) -> StoreResult<Vec<Session>> {
        self.by_ids(SESSION, ids.iter().map(|i| i.get()), clinic_id, session).await
    }

    async fn count_follow_ups_due(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS due, \
             COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM check_ins c WHERE c.follow_up_id = f.id AND c.clinic_id = f.clinic_id)) \
             AS answered FROM follow_ups f WHERE f.clinic_id = ? AND f.due_at >= ? AND f.due_at < ?",
        )
        .bind(clinic_id.get())
        .bind(from.0)
        .bind(to.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let count = |name: &str| r_count(&row, name);
        Ok((count("due")?, count("answered")?))
    }

    async fn sessions_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        after: Option<&SessionPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let rows = q(format!(
            "{SESSION} WHERE clinic_id = ? AND client_id = ? AND (ended_at, id) > (?, ?) ORDER BY ended_at, id LIMIT ?"
        ))
        .bind(clinic_id.get())
        .bind(client_id.get())
        .bind(after.map_or(i64::MIN, |p| p.ended_at.0))
        .bind(after.map_or(0, |p| p.id.get()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, session)
    }

    async fn sessions_between(&self, clinic_id: ClinicId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Session>> {
        let rows = q(format!("{SESSION} WHERE clinic_id = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at, id"))
            .bind(clinic_id.get())
            .bind(from.0)
            .bind(to.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, session)
    }

    async fn follow_ups_due(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(FollowUp, bool)>> {
        let rows = sqlx::query(
            "SELECT f.id, f.clinic_id, f.session_id, f.kind, f.offset_hours, f.due_at, f.expires_at, \
             EXISTS (SELECT 1 FROM check_ins c WHERE c.follow_up_id = f.id AND c.clinic_id = f.clinic_id) AS answered \
             FROM follow_ups f WHERE f.clinic_id = ? AND f.due_at >= ? AND f.due_at < ? ORDER BY f.due_at, f.id",
        )
        .bind(clinic_id.get())
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|r| Ok((follow_up(r)?, r.try_get::<bool, _>("answered").map_err(db)?))).collect()
    }

    async fn erase_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        now: Timestamp,
    ) -> StoreResult<Option<Erased>> {
        let (clinic, client) = (clinic_id.get(), client_id.get());
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let Some(row) = sqlx::query("SELECT name, email, phone FROM clients WHERE id = ? AND clinic_id = ?")
            .bind(client)
            .bind(clinic)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let mut identifiers: Vec<String> = vec![row.try_get("name").map_err(db)?];
        identifiers.extend(row.try_get::<Option<String>, _>("email").map_err(db)?);
        identifiers.extend(row.try_get::<Option<String>, _>("phone").map_err(db)?);
        let sessions = "SELECT id FROM sessions WHERE clinic_id = ?1 AND client_id = ?2";
        let check_ins = format!("SELECT id FROM check_ins WHERE clinic_id = ?1 AND session_id IN ({sessions})");
        let follow_ups = format!("SELECT id FROM follow_ups WHERE clinic_id = ?1 AND session_id IN ({sessions})");
        let alerts = "SELECT id FROM alerts WHERE clinic_id = ?1 AND client_id = ?2";
        let messages = format!("clinic_id = ?1 AND (follow_up_id IN ({follow_ups}) OR alert_id IN ({alerts}))");
        let keys: Vec<String> = q(format!("SELECT idempotency_key FROM messages WHERE {messages}"))
            .bind(clinic)
            .bind(client)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.try_get("idempotency_key").map_err(db))
            .collect::<StoreResult<_>>()?;
        let steps = [
            format!("DELETE FROM messages WHERE {messages}"),
            // The links stop working: their hashes become random, matching no token.
            format!("UPDATE follow_ups SET link_hash = randomblob(32) WHERE id IN ({follow_ups})"),
            "DELETE FROM intake_links WHERE clinic_id = ?1 AND client_id = ?2".to_owned(),
            "DELETE FROM intakes WHERE clinic_id = ?1 AND client_id = ?2".to_owned(),
            format!("DELETE FROM feedback WHERE clinic_id = ?1 AND check_in_id IN ({check_ins})"),
            format!("UPDATE check_ins SET report = '{{}}', problems = NULL WHERE id IN ({check_ins})"),
            "UPDATE sessions SET notes = NULL, techniques = '[]', baby_birth_date = NULL \
             WHERE clinic_id = ?1 AND client_id = ?2"
                .to_owned(),
            "UPDATE alerts SET note = NULL WHERE clinic_id = ?1 AND client_id = ?2".to_owned(),
        ];
        for sql in steps {
            q(sql).bind(clinic).bind(client).execute(&mut *tx).await.map_err(db)?;
        }
        sqlx::query(
            "UPDATE clients SET name = ?, email = NULL, phone = NULL, timezone = NULL, age_months = NULL, \
             opted_out_at = COALESCE(opted_out_at, ?) WHERE id = ? AND clinic_id = ?",
        )
        .bind(ERASED_NAME)
        .bind(now.0)
        .bind(client)
        .bind(clinic)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // The write-ahead log still holds the pages as they were; a checkpoint moves the new
        // pages into the database file and empties the log. Readers can hold it back, so a
        // busy answer is not an error: the next checkpoint finishes the work.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await.map_err(db)?;
        Ok(Some(Erased { message_keys: keys, identifiers }))
    }

    async fn record_audit(&self, clinic_id: ClinicId, e: NewAuditEntry) -> StoreResult<()> {
        // The member must be of the clinic, and so must the client, when one is named.
        let row = sqlx::query(
            "INSERT INTO audit_log (clinic_id, staff_id, client_id, action, detail, address, at) \
             SELECT ?, s.id, ?, ?, ?, ?, ? FROM staff s WHERE s.id = ? AND s.clinic_id = ? \
             AND (? IS NULL OR EXISTS (SELECT 1 FROM clients c WHERE c.id = ? AND c.clinic_id = s.clinic_id)) RETURNING id",
        )
        .bind(clinic_id.get())
        .bind(e.client_id.map(|id| id.get()))
        .bind(e.action.code())
        .bind(&e.detail)
        .bind(&e.address)
        .bind(e.now.0)
        .bind(e.staff_id.get())
        .bind(clinic_id.get())
        .bind(e.client_id.map(|id| id.get()))
        .bind(e.client_id.map(|id| id.get()))
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|_| ()).ok_or(StoreError::NotFound("staff member or client"))
    }

    async fn audit_trail(
        &self,
        clinic_id: ClinicId,
        client: Option<ClientId>,
        before: Option<AuditId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        let columns = "id, staff_id, client_id, action, detail, address, at";
        let before = before.map_or(i64::MAX, AuditId::get);
        let query = match client {
            Some(c) => q(format!(
                "SELECT {columns} FROM audit_log WHERE clinic_id = ? AND client_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            ))
            .bind(clinic_id.get())
            .bind(c.get()),
            None => q(format!("SELECT {columns} FROM audit_log WHERE clinic_id = ? AND id < ? ORDER BY id DESC LIMIT ?"))
            .bind(clinic_id.get()),
        };
        let rows = query.bind(before).bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("action").map_err(db)?;
                Ok(AuditEntry {
                    id: id(r, "id")?,
                    staff_id: opt_id(r, "staff_id")?,
                    client_id: opt_id(r, "client_id")?,
                    action: AuditAction::from_code(&code)
                        .ok_or_else(|| StoreError::Corrupt(format!("audit action `{code}`")))?,
                    detail: r.try_get("detail").map_err(db)?,
                    address: r.try_get("address").map_err(db)?,
                    at: Timestamp(r.try_get("at").map_err(db)?),
                })
            })
            .collect()
    }

    async fn outcome_check_ins(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeCheckIn>> {
        let rows = sqlx::query(
            "SELECT s.id AS session_id, s.staff_id, s.massage_type, s.pressure, s.areas, s.ended_at, \
             f.offset_hours, c.soreness, c.level, c.triaged, c.submitted_at \
             FROM sessions s JOIN check_ins c ON c.clinic_id = s.clinic_id AND c.session_id = s.id \
             JOIN follow_ups f ON f.id = c.follow_up_id \
             WHERE s.clinic_id = ? AND s.ended_at >= ? AND s.ended_at < ? ORDER BY s.ended_at, s.id, c.submitted_at",
        )
        .bind(clinic_id.get())
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(OutcomeCheckIn {
                    session_id: id(r, "session_id")?,
                    staff_id: id(r, "staff_id")?,
                    massage_type: r.try_get("massage_type").map_err(db)?,
                    pressure: r.try_get("pressure").map_err(db)?,
                    areas: list(&r.try_get::<String, _>("areas").map_err(db)?)?,
                    ended_at: Timestamp(r.try_get("ended_at").map_err(db)?),
                    offset_hours: r.try_get("offset_hours").map_err(db)?,
                    soreness: r.try_get::<Option<i64>, _>("soreness").map_err(db)?.map(|s| s.clamp(0, 10) as u8),
                    level: level(r)?,
                    triaged: r.try_get("triaged").map_err(db)?,
                    submitted_at: Timestamp(r.try_get("submitted_at").map_err(db)?),
                })
            })
            .collect()
    }

    async fn outcome_alerts(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeAlert>> {
        let mut out = Vec::new();
        // One range a level, each along the level's index of the clinic's alerts by time.
        for level_code in AlertPosition::LEVELS.map(Level::code) {
            let rows = sqlx::query(
                "SELECT a.level, s.staff_id, s.massage_type, a.created_at, a.acknowledged_at FROM alerts a \
                 JOIN check_ins c ON c.id = a.check_in_id JOIN sessions s ON s.id = c.session_id \
                 WHERE a.clinic_id = ? AND a.level = ? AND a.created_at >= ? AND a.created_at < ? ORDER BY a.created_at",
            )
            .bind(clinic_id.get())
            .bind(level_code)
            .bind(from.0)
            .bind(to.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
            for r in &rows {
                out.push(OutcomeAlert {
                    level: level(r)?,
                    staff_id: id(r, "staff_id")?,
                    massage_type: r.try_get("massage_type").map_err(db)?,
                    created_at: Timestamp(r.try_get("created_at").map_err(db)?),
                    acknowledged_at: r.try_get::<Option<i64>, _>("acknowledged_at").map_err(db)?.map(Timestamp),
                });
            }
        }
        out.sort_by_key(|a| a.created_at);
        Ok(out)
    }

    async fn follow_ups_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<FollowUp>> {
        let rows = q(format!("{FOLLOW_UP} WHERE clinic_id = ? AND session_id = ? ORDER BY due_at, id"))
            .bind(clinic_id.get())
            .bind(session_id.get())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, follow_up)
    }

    async fn link_context(&self, link_hash: &[u8]) -> StoreResult<Option<LinkRecords>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let from = |select: &str, table: &str| {
                select.trim_start_matches("SELECT ").trim_end_matches(&format!(" FROM {table}")).to_owned()
            };
            format!(
                "SELECT {}, {}, {}, {}, \
                 (SELECT COUNT(*) FROM check_ins x WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id) \
                 AS earlier_count, \
                 (SELECT MIN(soreness) FROM check_ins x WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id) \
                 AS earlier_lowest \
                 FROM follow_ups f JOIN clinics c ON c.id = f.clinic_id \
                 JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id \
                 JOIN clients k ON k.id = s.client_id AND k.clinic_id = f.clinic_id \
                 WHERE f.link_hash = ?",
                aliased(&from(FOLLOW_UP, "follow_ups"), "f", "f_"),
                aliased(CLINIC_COLUMNS, "c", "c_"),
                aliased(&from(SESSION, "sessions"), "s", "s_"),
                aliased(&from(CLIENT, "clients"), "k", "k_"),
            )
        });
        let row = q(SQL.clone()).bind(link_hash).fetch_optional(&self.pool).await.map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(LinkRecords {
            follow_up: follow_up_in(&Cols(&r, "f_"))?,
            clinic: clinic_in(&Cols(&r, "c_"))?,
            session: session_in(&Cols(&r, "s_"))?,
            client: client_in(&Cols(&r, "k_"))?,
            earlier: CheckInStats {
                count: r.try_get::<i64, _>("earlier_count").map_err(db)? as u64,
                lowest_soreness: r.try_get::<Option<i64>, _>("earlier_lowest").map_err(db)?.map(|s| s as u8),
            },
        }))
    }

    async fn follow_up_by_link_hash(&self, link_hash: &[u8]) -> StoreResult<Option<FollowUp>> {
        let row = q(format!("{FOLLOW_UP} WHERE link_hash = ?"))
            .bind(link_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        one(row, follow_up)
    }

    async fn record_check_in(
        &self,
        clinic_id: ClinicId,
        c: NewCheckIn,
        new_alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) -> StoreResult<(CheckIn, Option<Alert>)> {
        self.check_ins.write(&self.pool, clinic_id, c, new_alert, next).await
    }

    async fn check_in(&self, clinic_id: ClinicId, check_in_id: CheckInId) -> StoreResult<Option<CheckIn>> {
        self.by_id(CHECK_IN, check_in_id, clinic_id, check_in).await
    }

    async fn check_in_stats(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<CheckInStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS count, MIN(soreness) AS lowest FROM check_ins WHERE clinic_id = ? AND session_id = ?",
        )
        .bind(clinic_id.get())
        .bind(session_id.get())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(CheckInStats {
            count: row.try_get::<i64, _>("count").map_err(db)? as u64,
            lowest_soreness: row.try_get::<Option<i64>, _>("lowest").map_err(db)?.map(|s| s as u8),
        })
    }

    async fn check_ins_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<CheckIn>> {
        let rows = q(format!("{CHECK_IN} WHERE clinic_id = ? AND session_id = ? ORDER BY submitted_at, id"))
            .bind(clinic_id.get())
            .bind(session_id.get())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        all(rows, check_in)
    }

    async fn check_ins_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<CheckIn>> {
        let rows = q(format!(
            "{CHECK_IN} WHERE clinic_id = ? AND session_id IN \
             (SELECT id FROM sessions WHERE clinic_id = ? AND client_id = ?) ORDER BY submitted_at, id"
        ))
        .bind(clinic_id.get())
        .bind(clinic_id.get())
        .bind(client_id.get())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, check_in)
    }

    async fn check_ins_with_notes(
        &self,
        clinic_id: ClinicId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<CheckIn>> {
        let rows = q(format!(
            "{CHECK_IN} WHERE clinic_id = ? AND submitted_at >= ? AND json_extract(report, '$.note') <> '' \
             ORDER BY submitted_at DESC, id DESC LIMIT ?"
        ))
        .bind(clinic_id.get())
        .bind(since.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, check_in)
    }

    async fn alerts(
        &self,
        clinic_id: ClinicId,
        status: Option<AlertStatus>,
        after: Option<&AlertPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Alert>> {
        // One index seek per level, most urgent first, each reading only what the page shows:
        // `(created_at, id) < (?, ?)` continues a level where the last page stopped.
        let first = match after {
            Some(p) => AlertPosition::LEVELS
                .iter()
                .position(|l| *l == p.level)
                .ok_or(StoreError::NotFound("alert position"))?,
            None => 0,
        };
        let mut page = Vec::new();
        for (i, level) in AlertPosition::LEVELS.iter().enumerate().skip(first) {
            let left = i64::from(limit) - page.len() as i64;
            if left <= 0 {
                break;
            }
            let (at, id) = match after {
                Some(p) if i == first => (p.created_at.0, p.id),
                _ => (i64::MAX, AlertId(i64::MAX)),
            };
            let query = match status {
                Some(s) => q(format!(
                    "{ALERT} WHERE clinic_id = ? AND status = ? AND level = ? AND (created_at, id) < (?, ?) \
                     ORDER BY created_at DESC, id DESC LIMIT ?"
                ))
                .bind(clinic_id.get())
                .bind(s.code()),
                None => q(format!(
                    "{ALERT} WHERE clinic_id = ? AND level = ? AND (created_at, id) < (?, ?) \
                     ORDER BY created_at DESC, id DESC LIMIT ?"
                ))
                .bind(clinic_id.get()),
            };
            let rows =
                query.bind(level.code()).bind(at).bind(id.get()).bind(left).fetch_all(&self.pool).await.map_err(db)?;
            page.extend(all(rows, alert)?);
        }
        Ok(page)
    }

    async fn acknowledge_alert(
        &self,
        clinic_id: ClinicId,
        alert_id: AlertId,
        ack: Acknowledgement,
    ) -> StoreResult<Option<(Alert, bool)>> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(db)?;
        let done = sqlx::query(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?, note = ? \
             WHERE id = ? AND clinic_id = ? AND status = 'open' \
             AND EXISTS (SELECT 1 FROM staff WHERE id = ? AND clinic_id = ?)",
        )
        .bind(ack.staff_id.get())
        .bind(ack.now.0)
        .bind(&ack.note)
        .bind(alert_id.get())
        .bind(clinic_id.get())
        .bind(ack.staff_id.get())
        .bind(clinic_id.get())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let row = q(format!("{ALERT} WHERE id = ? AND clinic_id = ?"))
            .bind(alert_id.get())
            .bind(clinic_id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(one(row, alert)?.map(|a| (a, done.rows_affected() == 1)))
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        let rows = q(format!("SELECT {CLINIC_COLUMNS} FROM clinics ORDER BY id")).fetch_all(&self.pool).await;
        all(rows.map_err(db)?, clinic)
    }

    async fn set_alert_to(&self, clinic_id: ClinicId, alert_to: Option<&str>) -> StoreResult<Clinic> {
        let row = q(format!("UPDATE clinics SET alert_to = ? WHERE id = ? RETURNING {CLINIC_COLUMNS}"))
            .bind(alert_to)
            .bind(clinic_id.get())
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        clinic(&row)
    }

    async fn set_client_opted_out(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        opted_out_at: Option<Timestamp>,
    ) -> StoreResult<Option<Client>> {
        let set = q(client_update("opted_out_at")).bind(opted_out_at.map(|t| t.0));
        one(set.bind(client_id.get()).bind(clinic_id.get()).fetch_optional(&self.pool).await.map_err(db)?, client)
    }

    async fn set_client_language(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        language: Option<&str>,
    ) -> StoreResult<Option<Client>> {
        let set = q(client_update("language")).bind(language);
        one(set.bind(client_id.get()).bind(clinic_id.get()).fetch_optional(&self.pool).await.map_err(db)?, client)
    }

    async fn follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Option<FollowUp>> {
        self.by_id(FOLLOW_UP, follow_up_id, clinic_id, follow_up).await
    }

    async fn alert(&self, clinic_id: ClinicId, alert_id: AlertId) -> StoreResult<Option<Alert>> {
        self.by_id(ALERT, alert_id, clinic_id, alert).await
    }

    async fn enqueue_message(&self, clinic_id: ClinicId, m: NewMessage) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        insert_message(&mut conn, clinic_id, None, None, &m).await
    }

    async fn claim_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        // One statement: SQLite runs one writer at a time, so two workers never claim the
        // same row; a claim whose lease ran out (its worker died) may be taken over.
        let rows = q(format!(
            "UPDATE messages SET claim = ?, claimed_until = ? WHERE id IN \
             (SELECT id FROM messages WHERE status = 'pending' AND next_attempt <= ? \
              AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt, id LIMIT ?) \
             RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(claim)
        .bind(lease_until.0)
        .bind(now.0)
        .bind(now.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut claimed = all(rows, message)?;
        claimed.sort_by_key(|m| (m.next_attempt, m.id));
        Ok(claimed)
    }

    async fn finish_message(
        &self,
        clinic_id: ClinicId,
        message_id: MessageId,
        claim: &str,
        outcome: MessageOutcome,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (status, channel, error, next, tried): (_, _, Option<String>, _, i64) = match outcome {
            MessageOutcome::Sent { channel } => (MessageStatus::Sent, Some(channel), None, None, 1),
            MessageOutcome::Retry { channel, error, next_attempt } => {
                (MessageStatus::Pending, channel, Some(error), Some(next_attempt.0), 1)
            }
            MessageOutcome::Failed { channel, error } => (MessageStatus::Failed, channel, Some(error), None, 1),
            MessageOutcome::Postponed { next_attempt } => (MessageStatus::Pending, None, None, Some(next_attempt.0), 0),
            MessageOutcome::Skipped { reason } => (MessageStatus::Skipped, None, Some(reason), None, 0),
        };
        let done = status != MessageStatus::Pending;
        let result = sqlx::query(
            "UPDATE messages SET status = ?, channel = COALESCE(?, channel), last_error = ?, \
             next_attempt = COALESCE(?, next_attempt), attempts = attempts + ?, \
             sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, \
             link_token = CASE WHEN ? THEN NULL ELSE link_token END, claim = NULL, claimed_until = NULL \
             WHERE id = ? AND clinic_id = ? AND claim = ? AND status = 'pending'",
        )
        .bind(status.code())
        .bind(channel)
        .bind(error)
        .bind(next)
        .bind(tried)
        .bind(status.code())
        .bind(now.0)
        .bind(done)
        .bind(message_id.get())
        .bind(clinic_id.get())
        .bind(claim)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(result.rows_affected() == 1)
    }

    async fn messages(
        &self,
        clinic_id: ClinicId,
        status: Option<MessageStatus>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        // Two statements, so that each has an index that gives its order.
        let query = match status {
            Some(s) => q(format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE clinic_id = ? AND status = ? \
                 ORDER BY next_attempt, id LIMIT ?"
            ))
            .bind(clinic_id.get())
            .bind(s.code()),
            None => q(format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE clinic_id = ? ORDER BY next_attempt, id LIMIT ?"
            ))
            .bind(clinic_id.get()),
        };
        let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(db)?;
        all(rows, message)
    }

    async fn newest_messages(
        &self,
        clinic_id: ClinicId,
        status: MessageStatus,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = q(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE clinic_id = ? AND status = ? \
             ORDER BY next_attempt DESC, id DESC LIMIT ?"
        ))
        .bind(clinic_id.get())
        .bind(status.code())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, message)
    }

    async fn messages_of_follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Vec<Message>> {
        let rows = q(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE clinic_id = ? AND follow_up_id = ? ORDER BY next_attempt, id"
        ))
        .bind(clinic_id.get())
        .bind(follow_up_id.get())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        all(rows, message)
    }
}

/// How urgent a level is: 0 for the most urgent.
fn urgency(level: &Level) -> usize {
    AlertPosition::LEVELS.iter().position(|l| l == level).unwrap_or(AlertPosition::LEVELS.len())
}

/// Raises the alert of a check-in; or, when its link has an open alert already, moves that
/// alert to this answer, at the more urgent of the two levels. Staff are told of a new alert
/// or of a rise in level, never of a repeat; and a new alert is not told again to a
/// recipient told of one at its level or above on the same client in the last ten minutes.
async fn raise_alert(
    tx: &mut sqlx::SqliteConnection,
    clinic_id: ClinicId,
    answer: &CheckIn,
    a: NewAlert,
    now: Timestamp,
) -> StoreResult<Alert> {
    const QUIET_MS: i64 = 10 * 60 * 1000;
    let columns = ALERT.trim_start_matches("SELECT ").trim_end_matches(" FROM alerts");
    let open =
        q(format!("{ALERT} WHERE clinic_id = ? AND follow_up_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1"))
            .bind(clinic_id.get())
            .bind(answer.follow_up_id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
    let (raised, rises) = match open {
        Some(row) => {
            let open = alert(&row)?;
            let rises = urgency(&a.level) < urgency(&open.level);
            let level = if rises { a.level.code() } else { open.level.code() };
            let row = q(format!(
                "UPDATE alerts SET level = ?, check_in_id = ? WHERE id = ? AND clinic_id = ? RETURNING {columns}"
            ))
            .bind(level)
            .bind(answer.id.get())
            .bind(open.id.get())
            .bind(clinic_id.get())
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
            if !rises {
                return alert(&row);
            }
            (alert(&row)?, true)
        }
        None => {
            let row = q(format!(
                "INSERT INTO alerts (clinic_id, check_in_id, follow_up_id, client_id, level, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING {columns}"
            ))
            .bind(clinic_id.get())
            .bind(answer.id.get())
            .bind(answer.follow_up_id.get())
            .bind(a.client_id.get())
            .bind(a.level.code())
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
            (alert(&row)?, false)
        }
    };
    for m in a.notices {
        if m.kind == MessageKind::Alert && !rises {
            let (recipient, staff_id) = recipient_columns(m.recipient);
            let told: bool = sqlx::query_scalar(
                // CROSS JOIN keeps SQLite's loop order: the client's alerts, then each one's messages.
                "SELECT EXISTS (SELECT 1 FROM alerts a CROSS JOIN messages m ON m.alert_id = a.id \
                 WHERE a.clinic_id = ? AND a.client_id = ? AND a.id != ? AND m.kind = 'alert' AND m.recipient = ? \
                 AND m.staff_id IS ? AND m.created_at > ? \
                 AND CASE a.level WHEN 'emergency' THEN 0 WHEN 'doctor' THEN 1 ELSE 2 END <= ?)",
            )
            .bind(clinic_id.get())
            .bind(raised.client_id.get())
            .bind(raised.id.get())
            .bind(recipient)
            .bind(staff_id)
            .bind(now.0 - QUIET_MS)
            .bind(urgency(&raised.level) as i64)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
            if told {
                continue;
            }
        }
        let about = (m.kind == MessageKind::Alert).then_some(raised.id);
        insert_message(tx, clinic_id, None, about, &m).await?;
    }
    Ok(raised)
}

/// A recipient as the messages table keeps it: who, and the staff member's id.
fn recipient_columns(r: Recipient) -> (&'static str, Option<i64>) {
    match r {
        Recipient::Client => ("client", None),
        Recipient::Staff(id) => ("staff", Some(id.get())),
        Recipient::Clinic => ("clinic", None),
    }
}

async fn insert_staff(tx: &mut sqlx::SqliteConnection, clinic_id: ClinicId, s: &NewStaff) -> StoreResult<Staff> {
    let row = q(format!(
        "INSERT INTO staff (clinic_id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?) \
         RETURNING {STAFF_COLUMNS}"
    ))
    .bind(clinic_id.get())
    .bind(&s.email)
    .bind(&s.name)
    .bind(s.role.code())
    .bind(s.password_hash.as_ref().map(|h| h.expose()))
    .bind(s.now.0)
    .fetch_one(tx)
    .await
    .map_err(db)?;
    staff(&row)
}

/// Adds a follow-up and its messages; `None` when the session has one at its hour already.
async fn insert_follow_up(
    tx: &mut sqlx::SqliteConnection,
    clinic_id: ClinicId,
    session_id: SessionId,
    f: NewFollowUp,
    now: Timestamp,
) -> StoreResult<Option<FollowUp>> {
    let row = sqlx::query(
        "INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, offset_hours) DO NOTHING \
         RETURNING id, clinic_id, session_id, kind, offset_hours, due_at, expires_at",
    )
    .bind(clinic_id.get())
    .bind(session_id.get())
    .bind(&f.kind)
    .bind(f.offset_hours)
    .bind(f.due_at.0)
    .bind(f.expires_at.0)
    .bind(f.link_hash.expose())
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some(row) = row else { return Ok(None) };
    let scheduled = follow_up(&row)?;
    for m in &f.messages {
        insert_message(tx, clinic_id, Some(scheduled.id), None, m).await?;
    }
    Ok(Some(scheduled))
}

/// Adds a message unless its idempotency key is taken; whether it was added.
async fn insert_message(
    tx: &mut sqlx::SqliteConnection,
    clinic_id: ClinicId,
    follow_up_id: Option<FollowUpId>,
    alert_id: Option<AlertId>,
    m: &NewMessage,
) -> StoreResult<bool> {
    let (recipient, staff_id) = recipient_columns(m.recipient);
    let result = sqlx::query(
        "INSERT INTO messages (clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token, \
         idempotency_key, due_at, next_attempt, created_at) \
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? \
         WHERE ? IS NULL OR EXISTS (SELECT 1 FROM staff WHERE id = ? AND clinic_id = ?) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(clinic_id.get())
    .bind(m.kind.code())
    .bind(recipient)
    .bind(staff_id)
    .bind(follow_up_id.map(|id| id.get()))
    .bind(alert_id.map(|id| id.get()))
    .bind(m.link_token.as_ref().map(|t| t.expose()))
    .bind(&m.idempotency_key)
    .bind(m.due_at.0)
    .bind(m.send_at.0)
    .bind(m.now.0)
    .bind(staff_id)
    .bind(staff_id)
    .bind(clinic_id.get())
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(result.rows_affected() == 1)
}

fn message(r: &SqliteRow) -> StoreResult<Message> {
    let kind: String = r.try_get("kind").map_err(db)?;
    let status: String = r.try_get("status").map_err(db)?;
    let recipient: String = r.try_get("recipient").map_err(db)?;
    let staff_id: Option<StaffId> = opt_id(r, "staff_id")?;
    let recipient = match (recipient.as_str(), staff_id) {
        ("client", _) => Recipient::Client,
        ("clinic", _) => Recipient::Clinic,
        ("staff", Some(id)) => Recipient::Staff(id),
        _ => return Err(StoreError::Corrupt(format!("a message's recipient `{recipient}`"))),
    };
    Ok(Message {
        id: id(r, "id")?,
        clinic_id: id(r, "clinic_id")?,
        kind: MessageKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("message kind `{kind}`")))?,
        recipient,
        follow_up_id: opt_id(r, "follow_up_id")?,
        alert_id: opt_id(r, "alert_id")?,
        link_token: r.try_get::<Option<String>, _>("link_token").map_err(db)?.map(Redacted::new),
        idempotency_key: r.try_get("idempotency_key").map_err(db)?,
        due_at: Timestamp(r.try_get("due_at").map_err(db)?),
        next_attempt: Timestamp(r.try_get("next_attempt").map_err(db)?),
        status: MessageStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("message status `{status}`")))?,
        attempts: r.try_get::<i64, _>("attempts").map_err(db)? as u32,
        channel: r.try_get("channel").map_err(db)?,
        last_error: r.try_get("last_error").map_err(db)?,
        sent_at: r.try_get::<Option<i64>, _>("sent_at").map_err(db)?.map(Timestamp),
        created_at: Timestamp(r.try_get("created_at").map_err(db)?),
    })
}

/// Writes a check-in, its alert and the next follow-up inside `tx` (the group commit's
/// transaction, in a savepoint of its own).
pub(crate) async fn write_check_in(
    tx: &mut sqlx::SqliteConnection,
    clinic_id: ClinicId,
    c: &NewCheckIn,
    new_alert: Option<NewAlert>,
    next: Option<NewFollowUp>,
) -> StoreResult<(CheckIn, Option<Alert>)> {
    let row = q(format!(
        "INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, \
         submitted_at, triaged, problems) SELECT ?, f.session_id, f.id, ?, ?, ?, ?, ?, ?, ?, ? FROM follow_ups f \
         WHERE f.id = ? AND f.session_id = ? AND f.clinic_id = ? RETURNING {}",
        CHECK_IN.trim_start_matches("SELECT ").trim_end_matches(" FROM check_ins")
    ))
    .bind(clinic_id.get())
    .bind(&c.report)
    .bind(c.soreness.map(i64::from))
    .bind(c.hours_since)
    .bind(c.level.code())
    .bind(to_json(&c.fired))
    .bind(c.now.0)
    .bind(i64::from(c.triaged))
    .bind((!c.triaged).then(|| to_json(&c.problems)))
    .bind(c.follow_up_id.get())
    .bind(c.session_id.get())
    .bind(clinic_id.get())
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    let recorded = check_in(&row)?;
    let raised = match new_alert {
        Some(a) => Some(raise_alert(&mut *tx, clinic_id, &recorded, a, c.now).await?),
        None => None,
    };
    if let Some(f) = next {
        insert_follow_up(&mut *tx, clinic_id, recorded.session_id, f, c.now).await?;
    }
    Ok((recorded, raised))
}
