//! What one small machine carries: durable JSON check-ins posted by `wrk` to `POST /c/{token}`
//! over many distinct links, at 16 and 64 connections, beside a baseline in the same run (a
//! minimal axum server in this process that parses the same check-in JSON and stores
//! nothing); then the staff dashboard's time, the follow-up worker draining the plans'
//! e-mails through the file transport, and the resident size. The server is the real app in
//! this process, on SQLite in a temporary folder with `synchronous = FULL`, and on loopback;
//! only its rate limits are lifted, since every request comes from one address.
//!
//! With `AFTERCARE_BENCH_BACKEND=postgres` the app runs on PostgreSQL instead (a new schema
//! of the test database, `store_postgres::testing::url()`, dropped at the end), and the
//! check-ins are then also posted to two servers at once on that one database, each with its
//! own pool of connections, as two `serve` processes behind a load balancer would be.
//!
//! Run: `scripts/bench` (it installs `wrk` when missing; `--postgres` for PostgreSQL), or
//! `AFTERCARE_BENCH_QUICK=1 cargo bench -p web --bench ingest` for the quick mode (under two
//! minutes). The last line is the summary, `summary: ingest_ratio=… rss_mb=…`.
//!
//! `AFTERCARE_BENCH_DISPATCH=N` measures the dispatch alone, at scale: N sessions seeded
//! through the API, then every message due at the next noon drained through the file
//! transport (the N plans, and the first check-in invitations when the run starts before
//! noon); it checks that each was written once (as many sends as files, one file a message).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]
// A benchmark measures wall time: the one place the clock is read directly.
#![allow(clippy::disallowed_methods)]

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use store::{Clock, FixedClock, NewApiToken, NewClinic, NewStaff, Role, Store, Timestamp};
use store_postgres::PgStore;
use store_sqlite::SqliteStore;
use web::AppState;
use web::secret::{hash_secret, new_secret};

const PASSWORD: &str = "ingest bench password";

/// The wall clock: the server answers real time, as in `serve`.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }
}

/// What `wrk` measured of one run.
#[derive(Debug, Clone, Copy)]
struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// A latency as `wrk` prints it (`812.00us`, `3.41ms`, `1.02s`), in milliseconds.
fn millis(text: &str) -> f64 {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
    let n: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn wrk(url: &str, script: &Path, connections: u32, seconds: u32) -> Load {
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .expect("wrk runs (Debian package wrk; scripts/bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    let field = |prefix: &str| {
        text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|r| r.trim().to_owned())).unwrap_or_default()
    };
    let errors = field("Non-2xx or 3xx responses:").parse().unwrap_or(0)
        + text.lines().find(|l| l.trim().starts_with("Socket errors:")).map_or(0, |_| 1);
    Load {
        rps: field("Requests/sec:").parse().unwrap_or(f64::NAN),
        p50_ms: millis(&field("50%")),
        p99_ms: millis(&field("99%")),
        errors,
    }
}

/// The baseline: an axum server that parses the check-in JSON the app parses and answers a
/// small JSON, storing nothing.
async fn baseline() -> String {
    async fn answer(
        axum::extract::Path(_token): axum::extract::Path<String>,
        body: axum::body::Bytes,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        match serde_json::from_slice::<web::service::check_in::CheckInBody>(&body) {
            Ok(_) => axum::Json(json!({"level": "self_care"})).into_response(),
            Err(e) => (axum::http::StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        }
    }
    let app = axum::Router::new().route("/c/{token}", axum::routing::post(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A clinic in `store`, its owner (who signs in with [`PASSWORD`]) and an API token;
/// answers the token.
async fn clinic<S: Store>(store: &S) -> String {
    let now = SystemClock.now();
    let clinic = NewClinic {
        check_in_hours: vec![24, 48],
        name: "Bench Clinic".into(),
        country: "GB".into(),
        timezone: "Europe/London".into(),
        now,
    };
    let owner = NewStaff {
        email: "owner@bench.example".into(),
        name: "Owner".into(),
        role: Role::Owner,
        password_hash: Some(store::Redacted::new(password_auth::generate_hash(PASSWORD))),
        now,
    };
    let (clinic, owner) = store.create_clinic(clinic, owner).await.unwrap();
    let token = new_secret();
    let t = NewApiToken {
        clinic_id: clinic.id,
        staff_id: owner.id,
        label: "bench".into(),
        token_hash: store::Redacted::new(hash_secret(&token)),
        expires_at: web::auth::token_expiry(now, 90),
        now,
    };
    store.create_api_token(t).await.unwrap();
    token
}

/// The app served on `store`; answers its address and its state.
async fn app<S: Store>(store: S) -> (String, AppState<S>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    let state = AppState {
        store,
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: Arc::new(SystemClock),
        base_url: base.clone(),
        rate_limiter: web::rate_limit::RateLimiter::unlimited(),
        write_health: Default::default(),
        outboxes: Vec::new(),
    };
    let limits = web::serve::Limits { max_connections: 1024, ..Default::default() };
    tokio::spawn(web::serve::serve_with(listener, state.clone(), std::future::pending(), limits));
    (base, state)
}

/// `sessions` clients (with an e-mail address) and a session each, through the API, 16 at a
/// time; answers every check-in link's token.
async fn seed(base: &str, token: &str, sessions: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for chunk in (0..sessions).collect::<Vec<_>>().chunks(16) {
        let calls = chunk.iter().map(|&i| {
            let (http, base, token) = (http.clone(), base.to_owned(), token.to_owned());
            async move {
                let who = json!({"name": format!("Client {i}"), "email": format!("c{i}@bench.example")});
                let client: Value = http
                    .post(format!("{base}/api/v1/clients"))
                    .bearer_auth(&token)
                    .json(&who)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let body = json!({"client_id": client["id"], "massage_type": "swedish", "pressure": "medium", "areas": ["neck", "calves"]});
                let session: Value = http
                    .post(format!("{base}/api/v1/sessions"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                session["follow_ups"]
                    .as_array()
                    .unwrap_or_else(|| panic!("a session: {session}"))
                    .iter()
                    .map(|f| f["check_in_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        });
        for links in futures_join(calls).await {
            tokens.extend(links);
        }
    }
    tokens
}

/// Runs the futures at once and answers their outputs in order.
async fn futures_join<F: std::future::Future<Output = T> + Send + 'static, T: Send + 'static>(
    calls: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = calls.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// The median time of `n` loads of the staff dashboard, signed in as the owner, in ms.
async fn dashboard_p50(base: &str, n: usize) -> f64 {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let signed = http
        .post(format!("{base}/sign-in"))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("email=owner%40bench.example&password={}&next=%2F", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    let cookie = signed.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let r = http.get(format!("{base}/")).header(reqwest::header::COOKIE, &cookie).send().await.unwrap();
        assert!(r.status().is_success(), "the dashboard answers: {}", r.status());
        r.bytes().await.unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[n / 2]
}

/// The lanes the dispatch sends in (`followups run-due --lanes`).
const DISPATCH_LANES: u32 = 8;

/// The plans' e-mails due now, drained by the follow-up worker through the file transport
/// at the next noon (inside every client's sending window), in [`DISPATCH_LANES`] lanes:
/// messages a second.
async fn dispatch<S: Store>(state: &AppState<S>, dir: &Path) -> (u32, f64) {
    let outbox = followup::transport::file::FileTransport::new(dir.join("outbox"));
    let worker = followup::Worker {
        store: state.store.clone(),
        languages: state.languages.clone(),
        transports: Arc::new(followup::Transports {
            from: "Bench <care@bench.example>".into(),
            email: followup::transport::EmailTransport::File(outbox.clone()),
            sms: followup::transport::SmsTransport::File(outbox),
        }),
        base_url: state.base_url.clone(),
    };
    let now = SystemClock.now().0;
    let noon = Timestamp(now - now.rem_euclid(86_400_000) + 86_400_000 + 12 * 3_600_000);
    let start = Instant::now();
    let report = worker.run_due_in_lanes(DISPATCH_LANES, &FixedClock(noon), &FixedClock(noon)).await.unwrap();
    let seconds = start.elapsed().as_secs_f64();
    (report.sent, f64::from(report.sent) / seconds)
}

/// The process's resident size, in MB.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let quick = std::env::var_os("AFTERCARE_BENCH_QUICK").is_some();
    let postgres = std::env::var("AFTERCARE_BENCH_BACKEND").is_ok_and(|b| b == "postgres");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("aftercare-ingest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if postgres {
            let schemas = store_postgres::testing::Schemas::default();
            let (first, schema) = schemas.fresh_named().await;
            first.close().await;
            // Two pools on the one database, each as `serve` opens it (10 connections).
            let open = || {
                let options = store_postgres::PoolOptions::default();
                let url = store_postgres::testing::url();
                let schema = schema.clone();
                async move { PgStore::connect_in_schema(&url, &options, Some(&schema)).await.unwrap() }
            };
            let (a, b) = (open().await, open().await);
            println!(
                "backend: PostgreSQL ({}, schema {schema})",
                store_postgres::redact(&store_postgres::testing::url())
            );
            run(a, Some(b), &dir, quick).await;
            schemas.drop_all().await;
        } else {
            let store = SqliteStore::open_dir(&dir).await.unwrap();
            store.migrate().await.unwrap();
            println!("backend: SQLite (WAL, synchronous = FULL, in {})", dir.display());
            run(store, None, &dir, quick).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Every scenario on `store`; with `second`, a second server on the same database too.
async fn run<S: Store>(store: S, second: Option<S>, dir: &Path, quick: bool) {
    let (sessions, seconds, repeats) = if quick { (2000, 5, 1) } else { (4000, 15, 3) };
    let started = Instant::now();
    let token = clinic(&store).await;
    let (base, state) = app(store).await;
    if let Some(n) = std::env::var("AFTERCARE_BENCH_DISPATCH").ok().and_then(|n| n.parse::<usize>().ok()) {
        seed(&base, &token, n).await;
        println!("seeded {n} sessions in {:.1} s", started.elapsed().as_secs_f64());
        let (sent, per_s) = dispatch(&state, dir).await;
        let files = std::fs::read_dir(dir.join("outbox")).unwrap().count();
        println!(
            "dispatch: {sent} messages through the file transport in {DISPATCH_LANES} lanes in {:.1} s, \
             {per_s:.0} a second; {files} files; resident {:.0} MB",
            f64::from(sent) / per_s,
            rss_mb()
        );
        assert!(sent as usize >= n, "every session's plan was sent");
        assert_eq!(sent as usize, files, "each message sent once, none twice");
        return;
    }
    let baseline = baseline().await;
    let tokens = seed(&base, &token, sessions).await;
    println!("seeded {sessions} sessions ({} links) in {:.1} s", tokens.len(), started.elapsed().as_secs_f64());
    let (sent, dispatch_per_s) = dispatch(&state, dir).await;
    println!(
        "dispatch: {sent} plan e-mails through the file transport in {DISPATCH_LANES} lanes, {dispatch_per_s:.0} a second"
    );
    let rss_idle = rss_mb();

    let tokens_file = dir.join("tokens.txt");
    std::fs::write(&tokens_file, tokens.join("\n")).unwrap();
    let script = dir.join("check_in.lua");
    std::fs::write(
        &script,
        format!(
            "local tokens = {{}}\nfor line in io.lines(\"{}\") do tokens[#tokens + 1] = line end\n\
             local i = 0\nsetup = function(thread) end\n\
             init = function(args) i = math.random(#tokens) end\n\
             wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n\
             wrk.body = '{{\"soreness\": 3, \"trend\": \"better\", \"symptoms\": []}}'\n\
             request = function()\n  i = i % #tokens + 1\n  return wrk.format(nil, \"/c/\" .. tokens[i])\nend\n",
            tokens_file.display()
        ),
    )
    .unwrap();

    println!("| load | baseline (same JSON, no storage) | Aftercare check-in (durable) | ratio |");
    println!("|---|---|---|---|");
    let mut at_64 = Vec::new();
    for connections in [16, 64] {
        for _ in 0..repeats {
            let b = tokio::task::block_in_place(|| wrk(&baseline, &script, connections, seconds));
            let a = tokio::task::block_in_place(|| wrk(&base, &script, connections, seconds));
            assert_eq!(b.errors, 0, "the baseline refused requests");
            assert_eq!(a.errors, 0, "the app refused or failed requests");
            println!(
                "| {connections} connections | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | {:.2} % |",
                b.rps,
                b.p50_ms,
                b.p99_ms,
                a.rps,
                a.p50_ms,
                a.p99_ms,
                a.rps / b.rps * 100.0
            );
            if connections == 64 {
                at_64.push((a, b));
            }
        }
    }
    if let Some(second) = second {
        // Two servers on one database, 32 connections each, at the same time.
        let (other, _) = app(second).await;
        for _ in 0..repeats {
            let b = tokio::task::block_in_place(|| wrk(&baseline, &script, 64, seconds));
            let (x, y) = tokio::task::block_in_place(|| {
                std::thread::scope(|s| {
                    let x = s.spawn(|| wrk(&base, &script, 32, seconds));
                    let y = s.spawn(|| wrk(&other, &script, 32, seconds));
                    (x.join().unwrap(), y.join().unwrap())
                })
            });
            assert_eq!(x.errors + y.errors, 0, "the two servers refused or failed requests");
            println!(
                "| 2 servers × 32 connections | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | {:.0} req/s (p50 {:.2} / {:.2} ms, p99 {:.2} / {:.2} ms) | {:.2} % |",
                b.rps,
                b.p50_ms,
                b.p99_ms,
                x.rps + y.rps,
                x.p50_ms,
                y.p50_ms,
                x.p99_ms,
                y.p99_ms,
                (x.rps + y.rps) / b.rps * 100.0
            );
        }
    }
    let rss_loaded = rss_mb();
    let dashboard = dashboard_p50(&base, 30).await;
    println!("dashboard: p50 {dashboard:.2} ms over 30 loads, after the load");
    println!(
        "resident size (server and harness, one process): {rss_idle:.0} MB idle, {rss_loaded:.0} MB after the load"
    );
    at_64.sort_by(|x, y| x.0.rps.total_cmp(&y.0.rps));
    let (a, b) = at_64[at_64.len() / 2];
    println!(
        "summary: ingest_ratio={:.4} ingest_rps={:.0} ingest_p99_ms={:.1} dashboard_p50_ms={dashboard:.1} dispatch_per_s={dispatch_per_s:.0} rss_mb={rss_loaded:.0}",
        a.rps / b.rps,
        a.rps,
        a.p99_ms
    );
}
