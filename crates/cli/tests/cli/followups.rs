//! `aftercare followups` as a real process over the demo clinic: run-due sends what is due to
//! the file transport once, a session recorded at 21:30 gets its messages at the right local
//! times, and a process killed (SIGKILL) in the middle of a batch loses nothing.

use followup::testing::{SmtpMode, SmtpServer};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use store::{FixedClock, FollowUpId, MessageStatus, Store, Timestamp};
use store_sqlite::SqliteStore;
use web::AppState;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    for var in
        ["AFTERCARE_DATA", "AFTERCARE_CONFIG", "AFTERCARE_BASE_URL", "AFTERCARE_SMTP_PASSWORD", "AFTERCARE_SMS_SECRET"]
    {
        c.env_remove(var);
    }
    c
}

fn at(text: &str) -> Timestamp {
    Timestamp(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aftercare-followups-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn state(store: SqliteStore, now: Timestamp) -> AppState<SqliteStore> {
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    AppState {
        store,
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: Arc::new(FixedClock(now)),
        base_url: "https://care.example".into(),
        rate_limiter: web::rate_limit::RateLimiter::default(),
        write_health: Default::default(),
        outboxes: Vec::new(),
    }
}

/// The demo clinic, as `serve --demo` makes it, seeded as of `now` into `dir`.
async fn demo(dir: &Path, now: Timestamp) -> SqliteStore {
    let store = SqliteStore::open_dir(dir).await.unwrap();
    store.migrate().await.unwrap();
    web::demo::seed(&state(store.clone(), now)).await.unwrap();
    store
}

fn run_due(dir: &Path, at: &str, config: Option<&Path>) -> String {
    let mut c = bin();
    c.args(["followups", "run-due", "--data", dir.to_str().unwrap(), "--at", at, "--base-url", "https://care.example"]);
    if let Some(cfg) = config {
        c.args(["--config", cfg.to_str().unwrap()]);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[allow(clippy::disallowed_methods)] // the binary reads the real clock for its leases; so must this test
fn noon_the_day_after_tomorrow() -> String {
    let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    format!("{}T12:00:00Z", now.date().tomorrow().unwrap().tomorrow().unwrap())
}

trait PlusMinutes {
    fn plus_minutes(self, minutes: i64) -> String;
}

impl PlusMinutes for Timestamp {
    fn plus_minutes(self, minutes: i64) -> String {
        jiff::Timestamp::from_millisecond(self.0 + minutes * 60_000).unwrap().to_string()
    }
}

fn sent_count(report: &str) -> usize {
    report.split(" sent").next().unwrap().parse().unwrap()
}

fn outbox_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir.join("outbox"))
        .map(|d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

async fn all_messages(store: &SqliteStore) -> Vec<store::Message> {
    let mut all = Vec::new();
    for c in store.clinics().await.unwrap() {
        all.extend(store.messages(c.id, None, 10_000).await.unwrap());
    }
    all
}

#[test]
fn run_due_on_the_demo_sends_what_is_due_to_files_and_a_second_run_sends_nothing_new() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("demo");
    let t = "2026-11-27T12:00:00Z";
    let store = rt.block_on(demo(&dir, at(t)));
    let first = run_due(&dir, t, None);
    let sent = sent_count(&first);
    assert!(sent > 5, "{first}");
    let files = outbox_files(&dir);
    let messages = rt.block_on(all_messages(&store));
    let sent_keys: Vec<String> = messages
        .iter()
        .filter(|m| m.status == MessageStatus::Sent)
        .map(|m| format!("{}.eml", m.idempotency_key))
        .collect();
    assert_eq!(sent_keys.len(), sent);
    let mut expected = sent_keys.clone();
    expected.sort();
    assert_eq!(files, expected, "one file per message sent");
    assert!(
        messages.iter().all(|m| m.status != MessageStatus::Pending || m.next_attempt > at(t)),
        "everything due was dealt with"
    );
    // Again at the same time: nothing new.
    assert!(run_due(&dir, t, None).starts_with("0 sent"));
    assert_eq!(outbox_files(&dir), files);
    // The next morning, the check-ins that were waiting for 08:00 go.
    let later = run_due(&dir, "2026-11-28T08:00:00Z", None);
    assert!(sent_count(&later) > 0, "{later}");
    let list = bin().args(["followups", "list", "--data", dir.to_str().unwrap(), "--status", "sent"]).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout).lines().count() - 1;
    assert_eq!(listed, sent + sent_count(&later));
    let bad = bin().args(["followups", "list", "--data", dir.to_str().unwrap(), "--status", "lost"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--status: `lost` is not one of"));
    let bad =
        bin().args(["followups", "run-due", "--data", dir.to_str().unwrap(), "--at", "tomorrow"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--at: `tomorrow` is not an RFC 3339 time"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_session_recorded_at_21_30_gets_its_plan_the_next_morning_and_its_check_in_the_day_after_next() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("session");
    let ended = at("2026-11-27T21:30:00Z"); // London, winter: 21:30 local
    let store = rt.block_on(demo(&dir, at("2026-11-27T21:00:00Z")));
    run_due(&dir, "2026-11-27T21:30:00Z", None); // the demo's own history
    let before = outbox_files(&dir);
    let keys = rt.block_on(async {
        let therapist = store.staff_by_email("maya@riverside.demo").await.unwrap().unwrap();
        let clinic = store.clinics().await.unwrap().remove(0);
        let client = store.clients(clinic.id, Some("Tara"), None, 1).await.unwrap().remove(0);
        let body = web::service::session::SessionBody {
            baby_birth_date: None,
            client_id: client.id.get(),
            massage_type: "swedish".into(),
            pressure: "medium".into(),
            areas: vec!["upper_back".into()],
            techniques: vec![],
            ended_at: None,
            notes: None,
        };
        let recorded = web::service::session::record(&state(store.clone(), ended), &therapist, body).await.unwrap();
        let first = recorded.follow_ups[0].id;
        let messages = store.messages_of_follow_up(clinic.id, FollowUpId(first)).await.unwrap();
        messages.iter().map(|m| format!("{}.eml", m.idempotency_key)).collect::<Vec<_>>()
    });
    let (plan, invitation) = (&keys[0], &keys[1]);
    let new_files =
        |dir: &Path| -> Vec<String> { outbox_files(dir).into_iter().filter(|f| !before.contains(f)).collect() };
    run_due(&dir, "2026-11-27T21:31:00Z", None);
    assert!(new_files(&dir).is_empty(), "nothing at night");
    run_due(&dir, "2026-11-28T08:00:00Z", None);
    assert!(new_files(&dir).contains(plan), "the plan at 08:00");
    assert!(!new_files(&dir).contains(invitation));
    run_due(&dir, "2026-11-28T21:30:00Z", None);
    assert!(!new_files(&dir).contains(invitation), "21:30 + 24 h is outside the window");
    run_due(&dir, "2026-11-29T08:00:00Z", None);
    assert!(new_files(&dir).contains(invitation), "08:00 the day after next");
    let eml = std::fs::read_to_string(dir.join("outbox").join(invitation)).unwrap();
    assert!(eml.contains("To: tara.walsh@example.com"));
    assert!(eml.contains("Subject: How are you feeling after your massage?"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Starts `followups run-due --at t --lanes N` on the demo in `dir`, sending e-mail to
/// `smtp`; the configuration file it was given, and the running process.
fn run_due_in_the_background(dir: &Path, t: &str, smtp: &SmtpServer, lanes: u32) -> (PathBuf, std::process::Child) {
    let config = dir.join("smtp.toml");
    std::fs::write(
        &config,
        format!(
            "[email]\ntransport = \"smtp\"\nfrom = \"Riverside <care@riverside.demo>\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n[sms]\ntransport = \"none\"\n",
            smtp.addr.port()
        ),
    )
    .unwrap();
    let child = bin()
        .args(["followups", "run-due", "--lanes", &lanes.to_string(), "--data", dir.to_str().unwrap(), "--at", t])
        .args(["--config", config.to_str().unwrap(), "--base-url", "https://care.example"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (config, child)
}

#[test]
fn a_run_killed_mid_batch_loses_nothing_and_its_duplicates_share_a_message_id() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("sigkill");
    // The binary takes its claims' leases from the real clock when that is later than
    // --at, so this test runs at noon UTC two days ahead of the real date.
    let t = &noon_the_day_after_tomorrow();
    let t_plus_6_minutes = &at(t).plus_minutes(6);
    let store = rt.block_on(demo(&dir, at(t)));
    // The mail server takes three messages, then hangs in the middle of the fourth.
    let smtp = rt.block_on(SmtpServer::start(SmtpMode::HangAfter(3)));
    let (config, mut child) = run_due_in_the_background(&dir, t, &smtp, 1);
    let got = rt.block_on(smtp.wait_for(4, Duration::from_secs(60)));
    assert_eq!(got.len(), 4, "three delivered and one in flight");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let in_flight = got[3].header("Message-ID").unwrap();

    smtp.set_mode(SmtpMode::Accept);
    // Restarted at once, the killed run's claim still holds its batch: what it held is not
    // sent again yet (what it had not claimed goes now)...
    run_due(&dir, t, Some(&config));
    let count = |id: &str| smtp.received().iter().filter(|m| m.header("Message-ID").as_deref() == Some(id)).count();
    assert_eq!(count(&in_flight), 1);
    // ...and once its lease is over, everything it held is sent.
    let after_lease = run_due(&dir, t_plus_6_minutes, Some(&config));
    assert!(sent_count(&after_lease) > 0, "{after_lease}");
    let messages = rt.block_on(all_messages(&store));
    assert!(
        messages.iter().all(|m| m.status != MessageStatus::Pending || m.next_attempt > at(t)),
        "every due message was dealt with"
    );
    let sent: Vec<&store::Message> = messages.iter().filter(|m| m.status == MessageStatus::Sent).collect();
    let by_id = smtp.received_by_message_id();
    assert_eq!(by_id.len(), sent.len(), "every sent message arrived, under its own Message-ID");
    for m in &sent {
        assert!(by_id.contains_key(&format!("<{}@riverside.demo>", m.idempotency_key)));
    }
    assert_eq!(count(&in_flight), 2, "the message in flight was sent again");
    let twice: Vec<&String> = by_id.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).collect();
    assert_eq!(twice, vec![&in_flight], "only the message in flight at the kill came twice, with one Message-ID");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_run_in_three_lanes_killed_mid_send_sends_again_only_what_its_lanes_had_in_flight() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("sigkill-lanes");
    let t = &noon_the_day_after_tomorrow();
    let t_plus_6_minutes = &at(t).plus_minutes(6);
    let store = rt.block_on(demo(&dir, at(t)));
    // The mail server takes three messages, then hangs in the middle of every later one:
    // each of the three lanes is left holding one message in flight.
    let smtp = rt.block_on(SmtpServer::start(SmtpMode::HangAfter(3)));
    let (config, mut child) = run_due_in_the_background(&dir, t, &smtp, 3);
    let got = rt.block_on(smtp.wait_for(6, Duration::from_secs(60)));
    assert_eq!(got.len(), 6, "three delivered and one in flight in each lane");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let in_flight: Vec<String> = got[3..].iter().map(|m| m.header("Message-ID").unwrap()).collect();

    smtp.set_mode(SmtpMode::Accept);
    let after_lease = run_due(&dir, t_plus_6_minutes, Some(&config));
    assert!(sent_count(&after_lease) > 0, "{after_lease}");
    let messages = rt.block_on(all_messages(&store));
    assert!(
        messages.iter().all(|m| m.status != MessageStatus::Pending || m.next_attempt > at(t)),
        "every due message was dealt with"
    );
    let by_id = smtp.received_by_message_id();
    let sent = messages.iter().filter(|m| m.status == MessageStatus::Sent).count();
    assert_eq!(by_id.len(), sent, "every sent message arrived, under its own Message-ID");
    let mut twice: Vec<&String> = by_id.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).collect();
    twice.sort();
    let mut expected: Vec<&String> = in_flight.iter().collect();
    expected.sort();
    assert_eq!(twice, expected, "only the three messages in flight at the kill came twice, each with one Message-ID");
    assert!(by_id.values().all(|n| *n <= 2), "none came three times");
    std::fs::remove_dir_all(&dir).ok();
}

/// A line of CSV (RFC 4180) read back into its cells.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted, mut chars) =
        (Vec::new(), Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

/// `aftercare export csv` writes the demo clinic's records of a period as four CSV files
/// whose rows are the store's own, read back here.
#[test]
fn export_csv_writes_the_clinics_records_of_a_period() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("export");
    let t = "2026-11-27T12:00:00Z";
    let store = rt.block_on(demo(&dir, at(t)));
    let clinic = rt.block_on(store.clinics()).unwrap().remove(0);
    let out = dir.join("export");
    let o = bin()
        .args(["export", "csv", "--data", dir.to_str().unwrap(), "--clinic", &clinic.id.to_string()])
        .args(["--from", "2026-10-01", "--to", "2026-11-27", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 4, "the four files' paths");
    let read = |name: &str| csv_rows(&std::fs::read_to_string(out.join(name)).unwrap());
    let sessions =
        rt.block_on(store.sessions_between(clinic.id, at("2026-10-01T00:00:00Z"), at("2026-11-28T00:00:00Z"))).unwrap();
    let rows = read("sessions.csv");
    assert_eq!(rows[0][0], "session_id");
    assert_eq!(rows.len() - 1, sessions.len(), "one row per session");
    assert!(sessions.iter().all(|s| rows.iter().any(|r| r[0] == s.id.to_string() && r[4] == s.massage_type)));
    let mut check_ins = 0;
    for s in &sessions {
        check_ins += rt.block_on(store.check_ins_of_session(clinic.id, s.id)).unwrap().len();
    }
    assert_eq!(read("check_ins.csv").len() - 1, check_ins, "one row per check-in");
    let alerts = read("alerts.csv");
    assert!(
        alerts.len() > 1 && alerts[1..].iter().all(|r| ["therapist", "doctor", "emergency"].contains(&r[3].as_str()))
    );
    let clients = read("clients.csv");
    assert_eq!(clients[0], ["client_id", "name", "email", "phone", "timezone", "created_at", "opted_out_at"]);
    let bad = bin()
        .args([
            "export",
            "csv",
            "--data",
            dir.to_str().unwrap(),
            "--clinic",
            "999",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-27",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("--clinic: there is no clinic 999"));
}

/// `aftercare export fhir` writes the demo clinic's period, and one client's record, as FHIR R4
/// bundles that the outside validator (`scripts/validate-fhir`) accepts, one entry per record.
#[test]
fn export_fhir_writes_bundles_an_outside_validator_accepts() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = temp_dir("export-fhir");
    let store = rt.block_on(demo(&dir, at("2026-11-27T12:00:00Z")));
    let clinic = rt.block_on(store.clinics()).unwrap().remove(0);
    let (period, one) = (dir.join("period.json"), dir.join("one.json"));
    let export = |extra: &[&str], out: &Path| {
        bin()
            .args(["export", "fhir", "--data", dir.to_str().unwrap(), "--clinic", &clinic.id.to_string()])
            .args(extra)
            .args(["--out", out.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let o = export(&["--from", "2026-10-01", "--to", "2026-11-27"], &period);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&period).unwrap()).unwrap();
    let sessions =
        rt.block_on(store.sessions_between(clinic.id, at("2026-10-01T00:00:00Z"), at("2026-11-28T00:00:00Z"))).unwrap();
    let count = |kind: &str| {
        bundle["entry"].as_array().unwrap().iter().filter(|e| e["resource"]["resourceType"] == kind).count()
    };
    assert_eq!(count("Encounter"), sessions.len());
    assert_eq!(count("Procedure"), sessions.len());
    let mut check_ins = 0;
    for s in &sessions {
        check_ins += rt.block_on(store.check_ins_of_session(clinic.id, s.id)).unwrap().len();
    }
    assert_eq!(count("QuestionnaireResponse"), check_ins);
    let client = sessions[0].client_id;
    let o = export(&["--client", &client.to_string()], &one);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-fhir");
    let v = Command::new(script).args([&period, &one]).output().unwrap();
    assert!(
        v.status.success(),
        "the outside validator refused the export:\n{}{}",
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
    let o = export(&["--client", "999999"], &one);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--client: there is no client 999999"));
    let o = export(&[], &one);
    assert_eq!(o.status.code(), Some(2), "a client or a period is needed");
}
