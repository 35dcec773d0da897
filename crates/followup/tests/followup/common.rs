//! Shared set-up: a SQLite or PostgreSQL store, a clinic with a therapist and a client,
//! sessions recorded with their outbox, and workers over real transports.

use care::Knowledge;
use followup::outbox::{self, Link};
use followup::window::time_zone;
use followup::{Transports, Worker};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use store::*;
use store_sqlite::SqliteStore;

pub fn languages() -> Arc<care::knowledge::locale::Languages> {
    static L: OnceLock<Arc<care::knowledge::locale::Languages>> = OnceLock::new();
    L.get_or_init(|| Arc::new(care::knowledge::locale::Languages::shipped().unwrap())).clone()
}

pub fn kb() -> Arc<Knowledge> {
    static KB: OnceLock<Arc<Knowledge>> = OnceLock::new();
    KB.get_or_init(|| Arc::new(Knowledge::builtin().expect("the built-in knowledge loads"))).clone()
}

/// An RFC 3339 time.
pub fn at(text: &str) -> Timestamp {
    Timestamp(text.parse::<jiff::Timestamp>().expect("a time").as_millisecond())
}

/// The `n`th link: its token, and the token's hash as the follow-up stores it.
pub fn link(n: u8) -> Link {
    let token = format!("{n:02x}").repeat(32);
    Link { hash: domain::secret::hash_secret(&token), token }
}

/// The `n`th link of a numbering wider than [`link`]'s, for tests that record many sessions.
pub fn numbered_link(n: u32) -> Link {
    let token = format!("{n:08x}").repeat(8);
    Link { hash: domain::secret::hash_secret(&token), token }
}

#[derive(Debug, Clone)]
pub struct Fixture<S> {
    pub store: S,
    pub clinic: Clinic,
    pub therapist: Staff,
    pub client: Client,
}

pub async fn memory() -> SqliteStore {
    let s = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    s.migrate().await.unwrap();
    s
}

pub async fn on_disk(dir: &Path) -> SqliteStore {
    let s = SqliteStore::open_dir(dir).await.unwrap();
    s.migrate().await.unwrap();
    s
}

/// A fresh, migrated PostgreSQL store in a schema of its own in the test database (left for
/// the next run to drop).
pub async fn postgres() -> store_postgres::PgStore {
    store_postgres::testing::Schemas::default().fresh().await
}

/// Makes two tests of the `async fn $name<S: Store>(store: S)` beside it: `$name::sqlite` on
/// an in-memory SQLite store and `$name::postgres` on a fresh PostgreSQL schema, each with
/// the attributes given (`#[tokio::test]` and its flavour).
macro_rules! on_each_store {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            $(#[$attr])*
            async fn sqlite() {
                super::$name($crate::common::memory().await).await;
            }

            $(#[$attr])*
            async fn postgres() {
                super::$name($crate::common::postgres().await).await;
            }
        }
    };
}
pub(crate) use on_each_store;

/// A clinic in `timezone` with a therapist and a client reached at `email` or `phone`.
pub async fn fixture<S: Store>(store: S, timezone: &str, email: Option<&str>, phone: Option<&str>) -> Fixture<S> {
    let t0 = at("2026-01-01T00:00:00Z");
    let clinic = NewClinic {
        check_in_hours: vec![24, 48],
        name: "Calm Hands".into(),
        country: "GB".into(),
        timezone: timezone.into(),
        now: t0,
    };
    let staff = |email: &str, name: &str, role| NewStaff {
        email: email.into(),
        name: name.into(),
        role,
        password_hash: None,
        now: t0,
    };
    let (clinic, _) =
        store.create_clinic(clinic, staff("owner@calm.example", "Olive Owner", Role::Owner)).await.unwrap();
    let therapist =
        store.create_staff(clinic.id, staff("tess@calm.example", "Tess Therapist", Role::Therapist)).await.unwrap();
    let client = NewClient {
        language: None,
        name: "Ada Lovelace".into(),
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        timezone: None,
        age_months: Some(420),
        now: t0,
    };
    let client = store.create_client(clinic.id, client).await.unwrap();
    Fixture { store, clinic, therapist, client }
}

impl<S: Store> Fixture<S> {
    /// Records a session that ended at `ended_at`, written at `now`, with the clinic's
    /// schedule and links numbered from `first_link`.
    pub async fn session(&self, ended_at: Timestamp, now: Timestamp, first_link: u8) -> (Session, Vec<FollowUp>) {
        let links: Vec<Link> = (0..self.clinic.check_in_hours.len()).map(|i| link(first_link + i as u8)).collect();
        self.session_with_links(ended_at, now, &links).await
    }

    /// Records a session as [`Fixture::session`] does, with `links` for its check-ins (one
    /// for each of the clinic's check-in hours).
    pub async fn session_with_links(
        &self,
        ended_at: Timestamp,
        now: Timestamp,
        links: &[Link],
    ) -> (Session, Vec<FollowUp>) {
        let hours = &self.clinic.check_in_hours;
        let tz = time_zone(self.client.timezone.as_deref(), &self.clinic.timezone);
        let follow_ups = outbox::session(&kb(), hours, ended_at, now, (&tz, &tz), links);
        let new = NewSession {
            baby_birth_date: None,
            client_id: self.client.id,
            staff_id: self.therapist.id,
            massage_type: "swedish".into(),
            pressure: "medium".into(),
            areas: vec!["upper_back".into()],
            techniques: vec![],
            first_massage: false,
            notes: None,
            ended_at,
            now,
        };
        self.store.record_session(self.clinic.id, new, follow_ups).await.unwrap()
    }

    pub async fn messages(&self) -> Vec<Message> {
        self.store.messages(self.clinic.id, None, 1000).await.unwrap()
    }
}

/// Transports from a configuration text, with `env` as the environment.
pub fn transports(toml: &str, data: &Path, env: &[(&str, &str)]) -> Transports {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    followup::config::transports("test.toml", Some(toml), data, &move |key| {
        env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    })
    .unwrap()
}

/// E-mail by SMTP (no TLS) to the test server, no SMS.
pub fn smtp_to(addr: std::net::SocketAddr) -> Transports {
    let toml = format!(
        "[email]\ntransport = \"smtp\"\nfrom = \"Calm Hands <care@calm.example>\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n[sms]\ntransport = \"none\"\n",
        addr.port()
    );
    transports(&toml, Path::new("/nonexistent"), &[])
}

pub fn worker<S: Store>(store: S, transports: Transports) -> Worker<S> {
    Worker { store, languages: languages(), transports: Arc::new(transports), base_url: "https://care.example".into() }
}

/// Runs the worker once at `now`.
pub async fn run_at<S: Store>(worker: &Worker<S>, now: Timestamp) -> followup::RunReport {
    worker.run_due(&FixedClock(now)).await.unwrap()
}
