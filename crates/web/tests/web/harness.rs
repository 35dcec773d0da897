//! The test app: started for real on 127.0.0.1:0 with a fresh database (SQLite, or a schema of
//! its own in the PostgreSQL test database), two clinics with an owner, a therapist and a front
//! desk each, and a clock the tests move.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use store::{NewApiToken, NewClinic, NewStaff, Role, Store, Timestamp};
use store_postgres::PgStore;
use store_sqlite::SqliteStore;
use web::secret::{hash_secret, new_secret};
use web::{AppState, Clock};

/// 2026-11-27T09:00:00Z.
/// Every test staff member's password.
pub const PASSWORD: &str = "correct horse battery staple";

pub const T0: i64 = 1_795_770_000_000;

#[derive(Debug)]
pub struct TestClock(pub AtomicI64);

impl TestClock {
    pub fn now_for_tests(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

pub struct Clinic {
    pub owner: String,
    pub therapist: String,
    pub front_desk: String,
}

/// The running test app over the store `S` (SQLite unless a test asks for PostgreSQL).
pub struct App<S: Store = SqliteStore> {
    pub store: S,
    pub base: String,
    pub http: Client,
    pub clock: Arc<TestClock>,
    pub a: Clinic,
    pub b: Clinic,
}

async fn clinic_with_staff<S: Store>(store: &S, name: &str, country: &str) -> Clinic {
    let now = Timestamp(T0);
    let hash = Some(password_auth::generate_hash(PASSWORD));
    let staff = |email: String, role| NewStaff {
        email,
        name: format!("{name} staff"),
        role,
        password_hash: hash.clone().map(store::Redacted::new),
        now,
    };
    let new = NewClinic {
        check_in_hours: vec![24, 48],
        name: name.into(),
        country: country.into(),
        timezone: "Europe/London".into(),
        now,
    };
    let slug = name.to_lowercase();
    let (clinic, owner) = store.create_clinic(new, staff(format!("owner@{slug}.example"), Role::Owner)).await.unwrap();
    let therapist =
        store.create_staff(clinic.id, staff(format!("ther@{slug}.example"), Role::Therapist)).await.unwrap();
    let desk = store.create_staff(clinic.id, staff(format!("desk@{slug}.example"), Role::FrontDesk)).await.unwrap();
    let mut tokens = Vec::new();
    for s in [&owner, &therapist, &desk] {
        let token = new_secret();
        let t = NewApiToken {
            clinic_id: clinic.id,
            staff_id: s.id,
            label: "test".into(),
            token_hash: store::Redacted::new(hash_secret(&token)),
            expires_at: web::auth::token_expiry(now, web::auth::API_TOKEN_DAYS),
            now,
        };
        store.create_api_token(t).await.unwrap();
        tokens.push(token);
    }
    Clinic { owner: tokens[0].clone(), therapist: tokens[1].clone(), front_desk: tokens[2].clone() }
}

pub async fn spawn_app() -> App {
    spawn_app_with(web::serve::Limits::default()).await
}

/// The test app served within `limits`.
pub async fn spawn_app_with(limits: web::serve::Limits) -> App {
    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    serve_store(store, limits, Vec::new()).await
}

/// The test app on a database file in `dir`, which a test may then reach into.
pub async fn spawn_app_in(dir: &std::path::Path) -> App {
    let outbox = followup::transport::file::FileTransport::new(dir.join("outbox"));
    serve_store(SqliteStore::open_dir(dir).await.unwrap(), web::serve::Limits::default(), vec![outbox]).await
}

/// The test app over PostgreSQL, in a fresh schema of the test database.
///
/// The schema outlives the test: it is dropped by the first test store a later run makes, once
/// the process that made it has finished.
pub async fn spawn_app_on_postgres() -> App<PgStore> {
    let store = store_postgres::testing::Schemas::default().fresh().await;
    serve_store(store, web::serve::Limits::default(), Vec::new()).await
}

/// Runs each test body, an `async fn name<S: Store>(app: App<S>)` of the module, on a fresh
/// app over SQLite and over PostgreSQL: `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(crate::harness::spawn_app().await).await
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(crate::harness::spawn_app_on_postgres().await).await
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

async fn serve_store<S: Store>(
    store: S,
    limits: web::serve::Limits,
    outboxes: Vec<followup::transport::file::FileTransport>,
) -> App<S> {
    store.migrate().await.unwrap();
    let a = clinic_with_staff(&store, "Calm", "GB").await;
    let b = clinic_with_staff(&store, "Other", "US").await;
    let clock = Arc::new(TestClock(AtomicI64::new(T0)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    let state = AppState {
        store: store.clone(),
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: clock.clone(),
        base_url: base.clone(),
        rate_limiter: web::rate_limit::RateLimiter::default(),
        write_health: Default::default(),
        outboxes,
    };
    tokio::spawn(web::serve::serve_with(listener, state, std::future::pending(), limits));
    App { store, base, http: Client::new(), clock, a, b }
}

/// Every line the app logs while the tests run (one subscriber for the whole binary).
pub fn logs() -> String {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(|| LogWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<S: Store> App<S> {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub fn advance_hours(&self, hours: f64) {
        self.clock.0.fetch_add((hours * 3_600_000.0) as i64, Ordering::SeqCst);
    }

    pub async fn new_client(&self, token: &str) -> i64 {
        let (s, c) =
            self.post("/api/v1/clients", token, json!({"name": "Ada Lovelace", "email": "ada@example.com"})).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        c["id"].as_i64().unwrap()
    }

    /// A client with an intake and a recorded session; returns (client id, session answer).
    pub async fn session(&self, token: &str, intake: Value, session: Value) -> (i64, Value) {
        let id = self.new_client(token).await;
        let (s, body) = self.post(&format!("/api/v1/clients/{id}/intake"), token, intake).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let mut session = session;
        session["client_id"] = json!(id);
        let (s, body) = self.post("/api/v1/sessions", token, session).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        (id, body)
    }
}

/// The follow-up worker of the test app, both transports writing files into `dir`.
pub fn file_worker<S: Store>(app: &App<S>, dir: &std::path::Path) -> followup::Worker<S> {
    let outbox = followup::transport::file::FileTransport::new(dir.to_path_buf());
    followup::Worker {
        store: app.store.clone(),
        languages: Arc::new(care::knowledge::locale::Languages::shipped().unwrap()),
        transports: Arc::new(followup::Transports {
            from: "Aftercare <care@aftercare.example>".into(),
            email: followup::transport::EmailTransport::File(outbox.clone()),
            sms: followup::transport::SmsTransport::File(outbox),
        }),
        base_url: app.base.clone(),
    }
}

/// Sends what is due into a new folder and answers each file's name and text, with
/// quoted-printable soft line breaks joined (as a mail program shows it).
pub async fn send_due_to_files<S: Store>(app: &App<S>) -> Vec<(String, String)> {
    let dir = std::env::temp_dir().join(format!("aftercare-sent-{}-{}", std::process::id(), new_secret()));
    file_worker(app, &dir).run_due(app.clock.as_ref()).await.unwrap();
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace("=\r\n", "").replace("=3D", "=");
        files.push((path.file_name().unwrap().to_string_lossy().into_owned(), text));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    files
}
