//! The follow-up worker's throughput: `run_due` over a SQLite file (WAL, synchronous=FULL)
//! holding 100 due aftercare-plan e-mails. The baseline in the same run is the store's work
//! alone (claims, look-ups and outcomes, every message skipped for want of a transport), so
//! the ratios show what each transport adds: the file transport (an fsynced `.eml` per
//! message) and SMTP to a local server (a connection per message).
//! Run: `cargo bench -p followup --bench outbox`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use care::Knowledge;
use divan::Bencher;
use followup::outbox::{self, Link};
use followup::testing::{SmtpMode, SmtpServer};
use followup::window::time_zone;
use followup::{Transports, Worker};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::*;
use store_sqlite::SqliteStore;

const MESSAGES: usize = 100;
/// 2026-11-27T10:00:00Z.
const T: Timestamp = Timestamp(1_795_773_600_000);

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh database with `MESSAGES` plans due at `T`.
fn fixture(rt: &tokio::runtime::Runtime) -> (SqliteStore, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "aftercare-bench-outbox-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = rt.block_on(async {
        let s = SqliteStore::open_dir(&dir).await.unwrap();
        s.migrate().await.unwrap();
        let clinic = NewClinic {
            check_in_hours: vec![24, 48],
            name: "Bench".into(),
            country: "GB".into(),
            timezone: "Europe/London".into(),
            now: T,
        };
        let owner = NewStaff {
            email: "o@bench.example".into(),
            name: "O".into(),
            role: Role::Owner,
            password_hash: None,
            now: T,
        };
        let (clinic, owner) = s.create_clinic(clinic, owner).await.unwrap();
        let client = NewClient {
            language: None,
            name: "Ada Lovelace".into(),
            email: Some("ada@example.com".into()),
            phone: None,
            timezone: None,
            age_months: None,
            now: T,
        };
        let client = s.create_client(clinic.id, client).await.unwrap();
        let kb = Knowledge::builtin().unwrap();
        let tz = time_zone(None, "Europe/London");
        for i in 0..MESSAGES {
            let token = format!("{i:064x}");
            let link = Link { hash: domain::secret::hash_secret(&token), token };
            let follow_ups = outbox::session(&kb, &[24], T, T, (&tz, &tz), &[link]);
            let session = NewSession {
                baby_birth_date: None,
                client_id: client.id,
                staff_id: owner.id,
                massage_type: "swedish".into(),
                pressure: "medium".into(),
                areas: vec!["upper_back".into()],
                techniques: vec![],
                first_massage: false,
                notes: None,
                ended_at: T,
                now: T,
            };
            s.record_session(clinic.id, session, follow_ups).await.unwrap();
        }
        s
    });
    (store, dir)
}

fn run(b: Bencher, transports: impl Fn(&PathBuf) -> Transports + Sync) {
    run_in_lanes(b, 1, transports);
}

/// As [`run`], sending in `lanes` lanes side by side (`followups run-due --lanes`).
fn run_in_lanes(b: Bencher, lanes: u32, transports: impl Fn(&PathBuf) -> Transports + Sync) {
    let rt = runtime();
    b.counter(divan::counter::ItemsCount::new(MESSAGES)).with_inputs(|| fixture(&rt)).bench_local_values(
        |(store, dir)| {
            let worker = Worker {
                store,
                languages: Arc::new(care::knowledge::locale::Languages::shipped().unwrap()),
                transports: Arc::new(transports(&dir)),
                base_url: "https://care.example".into(),
            };
            rt.block_on(worker.run_due_in_lanes(lanes, &FixedClock(T), &FixedClock(T))).unwrap();
            dir
        },
    );
}

fn config(text: &str, dir: &Path) -> Transports {
    followup::config::transports("bench", Some(text), dir, &|_| None).unwrap()
}

/// Baseline: the store's work alone; every message is skipped (no transport).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn baseline_store_only(b: Bencher) {
    run(b, |dir| config("[email]\ntransport = \"none\"\n[sms]\ntransport = \"none\"\n", dir));
}

/// The file transport: one fsynced `.eml` per message.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn file_transport(b: Bencher) {
    run(b, |dir| config("", dir));
}

/// The file transport in eight lanes: the lanes' fsyncs overlap, and their outcomes are
/// committed together.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn file_transport_eight_lanes(b: Bencher) {
    run_in_lanes(b, 8, |dir| config("", dir));
}

/// SMTP to a server on 127.0.0.1: a connection, EHLO, MAIL, RCPT, DATA per message.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn smtp_to_a_local_server(b: Bencher) {
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let smtp = server_rt.block_on(SmtpServer::start(SmtpMode::Accept));
    let port = smtp.addr.port();
    run(b, move |dir| {
        config(
            &format!("[email]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n"),
            dir,
        )
    });
    drop(server_rt);
}
