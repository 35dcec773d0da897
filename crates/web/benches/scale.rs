//! Costs as a clinic's history grows: a durable check-in, the dashboard, the alert queue, a
//! client's page and the outcomes page, over HTTP on 127.0.0.1, with one clinic holding
//! 1,000, 10,000, 100,000 and 625,000 past sessions (a million check-ins), and with the first
//! clinic beside 999 others of 100 sessions each. The history is seeded older than a month,
//! so each size has the same day's work and only the history differs; the ratio to the
//! smallest size is what to read (the aim: within 1.5). The seed writes rows, not outcome
//! tallies: each size starts by counting them, as the first start after an upgrade does.
//! Run: `cargo bench -p web --bench scale`; with `AFTERCARE_BENCH_BACKEND=postgres`, the same
//! on PostgreSQL (a new schema of the test database for each size, dropped after it); with
//! `AFTERCARE_BENCH_TEN_MILLION=1`, a sixth size of ten million check-ins.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]
// A benchmark measures wall time: the one place the clock is read directly.
#![allow(clippy::disallowed_methods)]

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{ClinicId, FixedClock, NewApiToken, StaffId, Store, Timestamp};
use store_postgres::PgStore;
use store_sqlite::SqliteStore;
use web::AppState;
use web::secret::{hash_secret, new_secret};

/// 2026-11-27T10:00:00Z: "now" for every size.
const NOW: Timestamp = Timestamp(1_795_773_600_000);
const DAY: i64 = 86_400_000;
const PASSWORD: &str = "scale bench password";

/// The measured clinic with `own` clients, beside `others` clinics of `each` clients; four
/// sessions a client, spread over the two years before the last month: follow-ups,
/// check-ins (four in five answered), alerts and messages in the shares a busy clinic has.
/// The measured clinic has exactly 60 open alerts at every size (its newest), so that its
/// pages show the same whatever its history.
fn seed(own: i64, others: i64, each: i64) -> String {
    let clinics = 1 + others;
    let total = own + others * each;
    format!(
        "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {clinics})
INSERT INTO clinics (id, name, country, timezone, created_at) SELECT i, 'Clinic ' || i, 'GB', 'Europe/London', 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {clinics} * 2)
INSERT INTO staff (id, clinic_id, email, name, role, created_at)
  SELECT i, (i + 1) / 2, 's' || i || '@bench.example', 'Staff ' || i, CASE WHEN i % 2 = 1 THEN 'owner' ELSE 'therapist' END, 0
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total})
INSERT INTO clients (id, clinic_id, name, email, created_at)
  SELECT i, CASE WHEN i <= {own} THEN 1 ELSE 2 + (i - {own} - 1) / {each} END, 'Client ' || i,
         'c' || i || '@bench.example', 0 FROM n;
INSERT INTO intakes (clinic_id, client_id, body, created_at)
  SELECT clinic_id, id, '{{\"first_massage\": false}}', 0 FROM clients;
INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, first_massage, ended_at,
                      created_at)
  SELECT clinic, client, clinic * 2, 'swedish', 'medium', '[\"neck\", \"upper_back\"]', '[]', 0, at, at
  FROM (SELECT c.clinic_id AS clinic, c.id AS client, {now} - 31 * {day} - abs(random()) % (730 * {day}) AS at
        FROM clients c, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4));
INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, created_at)
  SELECT s.clinic_id, s.id, 'check_in', h.h, s.ended_at + h.h * 3600000, s.ended_at + (h.h + 168) * 3600000,
         randomblob(32), s.created_at
  FROM sessions s, (SELECT 24 AS h UNION ALL SELECT 48) h;
INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, submitted_at)
  SELECT clinic_id, session_id, id, '{{\"soreness\": 3, \"symptoms\": []}}', id % 11, offset_hours,
         CASE WHEN id % 50 = 0 THEN 'emergency' WHEN id % 20 = 0 THEN 'doctor' WHEN id % 7 = 0 THEN 'therapist'
              ELSE 'self_care' END, '[]', due_at
  FROM follow_ups WHERE id % 5 != 0;
INSERT INTO alerts (clinic_id, check_in_id, client_id, level, status, created_at)
  SELECT c.clinic_id, c.id, s.client_id, c.level, 'acknowledged', c.submitted_at
  FROM check_ins c JOIN sessions s ON s.id = c.session_id WHERE c.level != 'self_care';
UPDATE alerts SET status = 'open'
  WHERE id IN (SELECT id FROM alerts WHERE clinic_id = 1 ORDER BY created_at DESC LIMIT 60);
INSERT INTO messages (clinic_id, kind, recipient, follow_up_id, idempotency_key, due_at, next_attempt, status,
                      attempts, created_at)
  SELECT f.clinic_id, k.kind, 'client', f.id, f.id || '-' || k.kind, f.due_at, f.due_at, 'sent', 1, f.created_at
  FROM follow_ups f, (SELECT 'check_in' AS kind UNION ALL SELECT 'reminder') k;
ANALYZE;
",
        now = NOW.0,
        day = DAY,
    )
}

/// [`seed`], as PostgreSQL writes it; the ids given explicitly are then moved past in their
/// sequences, so that the rows the bench adds take new ones.
fn seed_postgres(own: i64, others: i64, each: i64) -> String {
    let clinics = 1 + others;
    let total = own + others * each;
    format!(
        "
INSERT INTO clinics (id, name, country, timezone, created_at)
  SELECT i, 'Clinic ' || i, 'GB', 'Europe/London', 0 FROM generate_series(1, {clinics}) AS i;
INSERT INTO staff (id, clinic_id, email, name, role, created_at)
  SELECT i, (i + 1) / 2, 's' || i || '@bench.example', 'Staff ' || i,
         CASE WHEN i % 2 = 1 THEN 'owner' ELSE 'therapist' END, 0
  FROM generate_series(1, {clinics} * 2) AS i;
INSERT INTO clients (id, clinic_id, name, email, created_at)
  SELECT i, CASE WHEN i <= {own} THEN 1 ELSE 2 + (i - {own} - 1) / {each_or_1} END, 'Client ' || i,
         'c' || i || '@bench.example', 0 FROM generate_series(1, {total}) AS i;
INSERT INTO intakes (clinic_id, client_id, body, created_at)
  SELECT clinic_id, id, '{{\"first_massage\": false}}', 0 FROM clients;
INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, first_massage, ended_at,
                      created_at)
  SELECT clinic, client, clinic * 2, 'swedish', 'medium', '[\"neck\", \"upper_back\"]', '[]', false, at, at
  FROM (SELECT c.clinic_id AS clinic, c.id AS client,
               {now} - 31 * {day}::bigint - floor(random() * 730 * {day})::bigint AS at
        FROM clients c CROSS JOIN generate_series(1, 4)) AS s;
INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, created_at)
  SELECT s.clinic_id, s.id, 'check_in', h.h, s.ended_at + h.h * 3600000, s.ended_at + (h.h + 168) * 3600000,
         decode(md5(random()::text) || md5(random()::text), 'hex'), s.created_at
  FROM sessions s CROSS JOIN (VALUES (24::bigint), (48)) AS h (h);
INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, submitted_at)
  SELECT clinic_id, session_id, id, '{{\"soreness\": 3, \"symptoms\": []}}', id % 11, offset_hours,
         CASE WHEN id % 50 = 0 THEN 'emergency' WHEN id % 20 = 0 THEN 'doctor' WHEN id % 7 = 0 THEN 'therapist'
              ELSE 'self_care' END, '[]', due_at
  FROM follow_ups WHERE id % 5 != 0;
INSERT INTO alerts (clinic_id, check_in_id, client_id, level, status, created_at)
  SELECT c.clinic_id, c.id, s.client_id, c.level, 'acknowledged', c.submitted_at
  FROM check_ins c JOIN sessions s ON s.clinic_id = c.clinic_id AND s.id = c.session_id WHERE c.level != 'self_care';
UPDATE alerts SET status = 'open'
  WHERE clinic_id = 1 AND id IN (SELECT id FROM alerts WHERE clinic_id = 1 ORDER BY created_at DESC LIMIT 60);
INSERT INTO messages (clinic_id, kind, recipient, follow_up_id, idempotency_key, due_at, next_attempt, status,
                      attempts, created_at)
  SELECT f.clinic_id, k.kind, 'client', f.id, f.id || '-' || k.kind, f.due_at, f.due_at, 'sent', 1, f.created_at
  FROM follow_ups f CROSS JOIN (VALUES ('check_in'), ('reminder')) AS k (kind);
SELECT setval(pg_get_serial_sequence('clinics', 'id'), (SELECT max(id) FROM clinics));
SELECT setval(pg_get_serial_sequence('staff', 'id'), (SELECT max(id) FROM staff));
SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT max(id) FROM clients));
ANALYZE;
",
        now = NOW.0,
        day = DAY,
        each_or_1 = each.max(1),
    )
}

/// One size: a running app over its database, signed in, with a few fresh check-in links.
struct Scale {
    /// The SQLite database's folder, removed after the size (PostgreSQL's schema is dropped).
    dir: Option<std::path::PathBuf>,
    base: String,
    http: reqwest::Client,
    cookie: String,
    links: Vec<String>,
    client_id: i64,
    token: String,
}

async fn start(
    name: &str,
    own: i64,
    others: i64,
    each: i64,
    postgres: Option<&store_postgres::testing::Schemas>,
) -> Scale {
    match postgres {
        None => {
            let dir = std::env::temp_dir().join(format!("aftercare-scale-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let store = SqliteStore::open_dir(&dir).await.unwrap();
            store.migrate().await.unwrap();
            store.close().await;
            {
                let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
                // Foreign keys enforced while seeding, as the store's connections enforce them.
                // A page cache of up to 4 GB for the seed alone: each of its statements is one
                // transaction, and with the default 2 MB the larger histories' index pages
                // spill to the WAL again and again (the rows written are the same either way).
                conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -4000000").unwrap();
                let seeding = Instant::now();
                conn.execute_batch(&seed(own, others, each)).unwrap();
                eprintln!("{name}: seeded in {:.1} s", seeding.elapsed().as_secs_f64());
                conn.execute(
                    "UPDATE staff SET password_hash = ?1 WHERE id = 1",
                    [password_auth::generate_hash(PASSWORD)],
                )
                .unwrap();
            }
            let store = SqliteStore::open_dir(&dir).await.unwrap();
            count_tallies(name, &store).await;
            serve(store, Some(dir)).await
        }
        Some(schemas) => {
            let (first, schema) = schemas.fresh_named().await;
            first.close().await;
            let mut c = store_postgres::testing::connect(&store_postgres::testing::url_in_schema(&schema)).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(seed_postgres(own, others, each))).execute(&mut c).await.unwrap();
            sqlx::query("UPDATE staff SET password_hash = $1 WHERE clinic_id = 1 AND id = 1")
                .bind(password_auth::generate_hash(PASSWORD))
                .execute(&mut c)
                .await
                .unwrap();
            // As `serve` opens it: a pool of ten connections.
            let options = store_postgres::PoolOptions::default();
            let url = store_postgres::testing::url();
            let store = PgStore::connect_in_schema(&url, &options, Some(&schema)).await.unwrap();
            count_tallies(name, &store).await;
            serve(store, None).await
        }
    }
}

/// Counts the seeded clinics' outcome tallies from their rows, as the first start after an
/// upgrade does (the seed writes rows, not tallies), and says how long it took.
async fn count_tallies<S: Store>(name: &str, store: &S) {
    let started = std::time::Instant::now();
    store.migrate().await.unwrap();
    eprintln!("{name}: outcome tallies counted from the seeded rows in {:.2} s", started.elapsed().as_secs_f64());
}

/// The app on `store`, with an API token, today's work recorded and the owner signed in.
async fn serve<S: Store>(store: S, dir: Option<std::path::PathBuf>) -> Scale {
    let token = new_secret();
    let t = NewApiToken {
        clinic_id: ClinicId(1),
        staff_id: StaffId(1),
        label: "bench".into(),
        token_hash: store::Redacted::new(hash_secret(&token)),
        expires_at: web::auth::token_expiry(NOW, 90),
        now: NOW,
    };
    store.create_api_token(t).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    let state = AppState {
        store,
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: Arc::new(FixedClock(NOW)),
        base_url: base.clone(),
        rate_limiter: web::rate_limit::RateLimiter::default(),
        write_health: Default::default(),
        outboxes: Vec::new(),
    };
    tokio::spawn(web::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // Today's work, the same at every size: one client with ten sessions just recorded.
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send();
    let client: Value = post("/api/v1/clients", json!({"name": "Ada Lovelace"})).await.unwrap().json().await.unwrap();
    let client_id = client["id"].as_i64().unwrap();
    post(&format!("/api/v1/clients/{client_id}/intake"), json!({"first_massage": false})).await.unwrap();
    let mut links = Vec::new();
    for _ in 0..10 {
        let body = json!({"client_id": client_id, "massage_type": "swedish", "pressure": "medium", "areas": ["neck"]});
        let session: Value = post("/api/v1/sessions", body).await.unwrap().json().await.unwrap();
        for f in session["follow_ups"].as_array().unwrap() {
            links.push(f["check_in_url"].as_str().unwrap().to_owned());
        }
    }
    let signed = http
        .post(format!("{base}/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email=s1%40bench.example&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "the bench signs in");
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    Scale { dir, base, http, cookie, links, client_id, token }
}

/// The median of `n` runs of `f`.
async fn median<F: AsyncFnMut(usize)>(n: usize, mut f: F) -> Duration {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        f(i).await;
        times.push(started.elapsed());
    }
    times.sort();
    times[n / 2]
}

impl Scale {
    async fn page(&self, path: &str) {
        let r = self.http.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().await.unwrap();
    }

    async fn api(&self, path: &str) {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().await.unwrap();
    }

    /// Medians: a check-in, the dashboard, the alert queue page, the API's alert page, a
    /// client's page (a seeded client with four sessions), the outcomes page (its default
    /// period, the last 90 days: the newest two months of the seeded history).
    async fn measure(&self) -> [Duration; 6] {
        let check_in = median(101, async |i| {
            let body = json!({"soreness": 3, "symptoms": [], "note": "a bit stiff"});
            let r = self.http.post(&self.links[i % self.links.len()]).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
        })
        .await;
        let dashboard = median(31, async |_| self.page("/").await).await;
        let alerts = median(31, async |_| self.page("/alerts").await).await;
        let api_alerts = median(31, async |_| self.api("/api/v1/alerts?status=open").await).await;
        let client = median(31, async |_| self.page("/clients/2").await).await;
        let outcomes = median(11, async |_| self.page("/outcomes").await).await;
        let _ = self.client_id;
        [check_in, dashboard, alerts, api_alerts, client, outcomes]
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // (history, the measured clinic's clients, other clinics, clients in each)
    let all: [(&str, i64, i64, i64); 6] = [
        ("1,000 sessions, 1 clinic", 250, 0, 0),
        ("10,000 sessions, 1 clinic", 2_500, 0, 0),
        ("100,000 sessions, 1 clinic", 25_000, 0, 0),
        ("625,000 sessions (1,000,000 check-ins), 1 clinic", 156_250, 0, 0),
        ("1,000 sessions beside 999 clinics of 100", 250, 999, 25),
        ("6,250,000 sessions (10,000,000 check-ins), 1 clinic", 1_562_500, 0, 0),
    ];
    // `AFTERCARE_BENCH_QUICK=1`: the two smallest histories only, a few minutes, to compare
    // one build with another (run it on each, on the same machine, one after the other).
    let quick = std::env::var("AFTERCARE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let postgres = std::env::var("AFTERCARE_BENCH_BACKEND").is_ok_and(|b| b == "postgres");
    let schemas = postgres.then(store_postgres::testing::Schemas::default);
    println!("backend: {}", if postgres { "PostgreSQL (a schema of the test database each size)" } else { "SQLite" });
    // `AFTERCARE_BENCH_TEN_MILLION=1`: the full run and a history of ten million check-ins
    // (about 10 GB of disk and most of an hour more on SQLite).
    let ten_million = std::env::var("AFTERCARE_BENCH_TEN_MILLION").is_ok_and(|v| v == "1");
    let sizes = if quick {
        &all[..2]
    } else if ten_million {
        &all[..]
    } else {
        &all[..5]
    };
    let names =
        ["check-in (durable)", "dashboard page", "alert queue page", "API alert page", "client page", "outcomes page"];
    let mut rows: Vec<(&str, [Duration; 6])> = Vec::new();
    for &(name, own, others, each) in sizes {
        let figures = rt.block_on(async {
            let scale = start(&name.replace([' ', ','], ""), own, others, each, schemas.as_ref()).await;
            let figures = scale.measure().await;
            if let Some(dir) = &scale.dir {
                std::fs::remove_dir_all(dir).ok();
            }
            if let Some(schemas) = &schemas {
                schemas.drop_all().await;
            }
            figures
        });
        eprintln!("measured {name}");
        rows.push((name, figures));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| history | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (name, figures) in &rows {
        let cells: Vec<String> = figures
            .iter()
            .zip(rows[0].1.iter())
            .map(|(f, base)| format!("{:.2} ms ({:.2}×)", ms(*f), ms(*f) / ms(*base)))
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
}
