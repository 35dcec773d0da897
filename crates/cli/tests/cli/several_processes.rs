//! Several `aftercare` processes on one PostgreSQL database, as a group of clinics or a hosted
//! service runs them: follow-up runs side by side send each due message once, and one killed
//! with SIGKILL in the middle of its batch loses none.

use followup::testing::{SmtpMode, SmtpServer};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use store::{FixedClock, MessageStatus, Store, Timestamp};
use store_postgres::testing::{Schemas, url_in_schema};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    for var in ["AFTERCARE_DATA", "AFTERCARE_DATABASE", "AFTERCARE_CONFIG", "AFTERCARE_BASE_URL"] {
        c.env_remove(var);
    }
    c
}

fn at(text: &str) -> Timestamp {
    Timestamp(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}

#[allow(clippy::disallowed_methods)] // the binary reads the real clock for its leases; so must this test
fn noon_the_day_after_tomorrow() -> String {
    let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    format!("{}T12:00:00Z", now.date().tomorrow().unwrap().tomorrow().unwrap())
}

/// `aftercare followups run-due` on the database of `url`, sending e-mail to `smtp`.
fn run_due(dir: &Path, url: &str, t: &str, smtp: &SmtpServer, lanes: u32) -> std::process::Child {
    let config = dir.join("smtp.toml");
    std::fs::write(
        &config,
        format!(
            "[email]\ntransport = \"smtp\"\nfrom = \"Riverside <care@riverside.demo>\"\nhost = \"127.0.0.1\"\n\
             port = {}\nsecurity = \"none\"\n[sms]\ntransport = \"none\"\n",
            smtp.addr.port()
        ),
    )
    .unwrap();
    bin()
        .args(["followups", "run-due", "--lanes", &lanes.to_string(), "--data", dir.to_str().unwrap()])
        .args(["--database", url, "--at", t, "--config", config.to_str().unwrap()])
        .args(["--base-url", "https://care.example"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn follow_up_runs_in_two_processes_on_one_postgres_database_send_each_message_once_and_a_killed_one_loses_none() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("aftercare-several-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let t = &noon_the_day_after_tomorrow();
    let t_plus_6_minutes = &jiff::Timestamp::from_millisecond(at(t).0 + 6 * 60_000).unwrap().to_string();
    let schemas = Schemas::default();
    let (store, schema) = rt.block_on(schemas.fresh_named());
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    let state = web::AppState {
        store: store.clone(),
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: Arc::new(FixedClock(at(t))),
        base_url: "https://care.example".into(),
        rate_limiter: web::rate_limit::RateLimiter::default(),
        write_health: Default::default(),
        outboxes: Vec::new(),
    };
    rt.block_on(web::demo::seed(&state)).unwrap();
    let url = url_in_schema(&schema);

    // The first process sends three, then the mail server hangs in the middle of every later
    // message: each of its two lanes holds one in flight when it is killed.
    let smtp = rt.block_on(SmtpServer::start(SmtpMode::HangAfter(3)));
    let mut first = run_due(&dir, &url, t, &smtp, 2);
    let got = rt.block_on(smtp.wait_for(5, Duration::from_secs(60)));
    assert_eq!(got.len(), 5, "three delivered and one in flight in each lane");
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let in_flight: Vec<String> = got[3..].iter().map(|m| m.header("Message-ID").unwrap()).collect();

    // Two processes at once, after the killed one's lease: together they send the rest.
    smtp.set_mode(SmtpMode::Accept);
    let second = run_due(&dir, &url, t_plus_6_minutes, &smtp, 2);
    let third = run_due(&dir, &url, t_plus_6_minutes, &smtp, 2);
    let (second, third) = (finished(second), finished(third));
    let sent_by = |report: &str| report.split(" sent").next().unwrap().parse::<usize>().unwrap();
    assert!(sent_by(&second) + sent_by(&third) > 0, "{second} / {third}");

    let clinic = rt.block_on(store.clinics()).unwrap().remove(0);
    let messages = rt.block_on(store.messages(clinic.id, None, 10_000)).unwrap();
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
    assert_eq!(twice, expected, "only the two messages in flight at the kill came twice");
    assert!(by_id.values().all(|n| *n <= 2), "none came three times");
    rt.block_on(store.close());
    rt.block_on(schemas.drop_all());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_server_on_postgres_killed_under_load_loses_no_answered_check_in_and_each_keeps_its_alert() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("aftercare-pg-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let schemas = Schemas::default();
    let (store, schema) = rt.block_on(schemas.fresh_named());
    let url = url_in_schema(&schema);
    let (mut server, base, token, _) = crate::server::serve(&dir, &["--demo", "--database", &url]);
    let token = token.expect("the demo prints a token");

    let (answered, links) = rt.block_on(async {
        let http = reqwest::Client::new();
        // A client and a session of its own: eight check-in links to answer.
        let client: serde_json::Value = http
            .post(format!("{base}/api/v1/clients"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Load Test", "email": "load@example.com"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut links = Vec::new();
        for _ in 0..4 {
            let session: serde_json::Value = http
                .post(format!("{base}/api/v1/sessions"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"client_id": client["id"], "massage_type": "swedish",
                                          "pressure": "medium", "areas": ["neck"]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for f in session["follow_ups"].as_array().unwrap() {
                links.push(f["check_in_url"].as_str().unwrap().to_owned());
            }
        }
        // Eight clients answering as fast as they can; the server is killed under them.
        let mut tasks = Vec::new();
        for (t, link) in links.iter().cloned().enumerate() {
            let http = http.clone();
            tasks.push(tokio::spawn(async move {
                let mut saved = Vec::new();
                for i in 0.. {
                    let body = serde_json::json!({"soreness": 2 + (t + i) % 8, "symptoms": ["chest_pain"]});
                    let Ok(r) = http.post(&link).json(&body).send().await else { break };
                    if r.status() == 200 {
                        let answer: serde_json::Value = r.json().await.unwrap_or_default();
                        if let Some(id) = answer["check_in_id"].as_i64() {
                            saved.push(id);
                        }
                    }
                }
                (link, saved)
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        let mut answered = Vec::new();
        for task in tasks {
            answered.push(task.await.unwrap());
        }
        (answered, links)
    });
    let total: usize = answered.iter().map(|(_, ids)| ids.len()).sum();
    assert!(total > 20, "the server answered check-ins before it was killed: {total}");

    // Started again on the same database, the server and the store hold every answered one.
    let (_again, again_base, _, _) = crate::server::serve(&dir, &["--database", &url]);
    rt.block_on(async {
        let health: serde_json::Value =
            reqwest::get(format!("{again_base}/healthz")).await.unwrap().json().await.unwrap();
        assert_eq!(health["status"], "ok", "{health}");
        let clinic = store.clinics().await.unwrap().remove(0);
        let ids: Vec<store::CheckInId> =
            answered.iter().flat_map(|(_, ids)| ids.iter().map(|id| store::CheckInId(*id))).collect();
        let kept = store.check_ins_by_ids(clinic.id, &ids).await.unwrap();
        assert_eq!(kept.len(), ids.len(), "every check-in answered as saved is there after the kill");
        let alerts = store::every_alert(&store, clinic.id, None).await.unwrap();
        // Every check-in saved, answered or not (the kill may fall between a commit and its
        // answer): a link's one alert follows its latest answer.
        let mut saved = Vec::new();
        for c in &kept {
            if !saved.iter().any(|s: &store::CheckIn| s.session_id == c.session_id) {
                saved.extend(store.check_ins_of_session(clinic.id, c.session_id).await.unwrap());
            }
        }
        for check_in in &kept {
            let follow_up = check_in.follow_up_id;
            let on_link: Vec<_> = saved.iter().filter(|c| c.follow_up_id == follow_up).map(|c| c.id).collect();
            assert!(
                alerts.iter().any(|a| on_link.contains(&a.check_in_id)),
                "the link of check-in {} keeps its alert",
                check_in.id
            );
        }
        assert_eq!(links.len(), 8);
    });
    drop(_again);
    rt.block_on(store.close());
    rt.block_on(schemas.drop_all());
    std::fs::remove_dir_all(&dir).ok();
}

/// A time zone where it is now about noon, so that client messages are inside their sending
/// window whatever the hour this test runs at.
#[allow(clippy::disallowed_methods)] // `serve` sends by the real clock; so this test must read it
fn a_zone_at_noon_now() -> (String, Timestamp) {
    let now = jiff::Timestamp::now();
    let hour = i64::from(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).hour());
    let ahead = (12 - hour).clamp(-12, 14);
    // Etc/GMT-N is N hours ahead of UTC (the sign is POSIX's).
    let zone = match ahead {
        0 => "UTC".to_owned(),
        n if n > 0 => format!("Etc/GMT-{n}"),
        n => format!("Etc/GMT+{}", -n),
    };
    (zone, Timestamp(now.as_millisecond()))
}

#[test]
fn two_serve_processes_on_one_postgres_database_send_each_of_a_thousand_due_messages_once() {
    const DUE: u32 = 1000;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("aftercare-two-serves-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let schemas = Schemas::default();
    let (store, schema) = rt.block_on(schemas.fresh_named());
    let (zone, now) = a_zone_at_noon_now();
    // A thousand sessions just ended: each puts its plan e-mail in the outbox, due now.
    let due: std::collections::HashSet<String> = rt.block_on(async {
        let staff = |email: &str, role| store::NewStaff {
            email: email.into(),
            name: "Staff".into(),
            role,
            password_hash: None,
            now,
        };
        let clinic = store::NewClinic {
            check_in_hours: vec![24, 48],
            name: "Calm Hands".into(),
            country: "GB".into(),
            timezone: zone.clone(),
            now,
        };
        let (clinic, owner) =
            store.create_clinic(clinic, staff("owner@calm.example", store::Role::Owner)).await.unwrap();
        let kb = care::Knowledge::builtin().unwrap();
        let tz = followup::window::time_zone(None, &clinic.timezone);
        for i in 0..DUE {
            let client = store::NewClient {
                language: None,
                name: format!("Client {i}"),
                email: Some(format!("c{i}@example.com")),
                phone: None,
                timezone: None,
                age_months: Some(420),
                now,
            };
            let client = store.create_client(clinic.id, client).await.unwrap();
            let links: Vec<followup::outbox::Link> = (0..2)
                .map(|j| {
                    let token = format!("{:08x}", i * 2 + j).repeat(8);
                    followup::outbox::Link { hash: domain::secret::hash_secret(&token), token }
                })
                .collect();
            let follow_ups = followup::outbox::session(&kb, &clinic.check_in_hours, now, now, (&tz, &tz), &links);
            let session = store::NewSession {
                baby_birth_date: None,
                client_id: client.id,
                staff_id: owner.id,
                massage_type: "swedish".into(),
                pressure: "medium".into(),
                areas: vec!["neck".into()],
                techniques: vec![],
                first_massage: false,
                notes: None,
                ended_at: now,
                now,
            };
            store.record_session(clinic.id, session, follow_ups).await.unwrap();
        }
        let pending = store.messages(clinic.id, Some(MessageStatus::Pending), 10 * DUE).await.unwrap();
        pending
            .iter()
            .filter(|m| m.next_attempt <= now)
            .map(|m| format!("<{}@calm.example>", m.idempotency_key))
            .collect()
    });
    assert_eq!(due.len(), DUE as usize, "a thousand plan e-mails are due now (in {zone})");

    let smtp = rt.block_on(SmtpServer::start(SmtpMode::Accept));
    let config = dir.join("smtp.toml");
    std::fs::write(
        &config,
        format!(
            "[email]\ntransport = \"smtp\"\nfrom = \"Calm Hands <care@calm.example>\"\nhost = \"127.0.0.1\"\n\
             port = {}\nsecurity = \"none\"\n[sms]\ntransport = \"none\"\n",
            smtp.addr.port()
        ),
    )
    .unwrap();
    let url = url_in_schema(&schema);
    let serve = |name: &str| {
        let data = dir.join(name);
        let args = ["--database", url.as_str(), "--config", config.to_str().unwrap()];
        crate::server::serve(&data, &args)
    };
    // Both servers start at once; each one's follow-up worker runs at its start.
    let (first, _, _, first_log) = serve("first");
    let (second, _, _, second_log) = serve("second");
    let got = rt.block_on(smtp.wait_for(DUE as usize, Duration::from_secs(120)));
    assert_eq!(got.len(), DUE as usize, "the two servers sent every due e-mail");
    // What each server's worker says it sent ("follow-ups: N sent, …"), over its rounds.
    let sent_by = |log: &std::sync::Mutex<Vec<String>>| -> usize {
        let lines = log.lock().unwrap();
        lines
            .iter()
            .filter_map(|l| l.split("follow-ups: ").nth(1))
            .filter_map(|rest| rest.split(" sent").next()?.parse::<usize>().ok())
            .sum()
    };
    for _ in 0..100 {
        if sent_by(&first_log) + sent_by(&second_log) >= DUE as usize {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1)); // time for a second sending of any, to show
    drop((first, second));
    let (by_first, by_second) = (sent_by(&first_log), sent_by(&second_log));
    eprintln!("the first server sent {by_first}, the second {by_second}");
    assert_eq!(by_first + by_second, DUE as usize, "the two servers' own counts add up to the thousand");
    let ids = smtp.received_by_message_id();
    assert!(ids.values().all(|n| *n == 1), "no e-mail went twice");
    assert_eq!(ids.into_keys().collect::<std::collections::HashSet<_>>(), due, "every due e-mail went, and only those");
    let clinic = rt.block_on(store.clinics()).unwrap().remove(0);
    let messages = rt.block_on(store.messages(clinic.id, None, 10 * DUE)).unwrap();
    let sent = messages.iter().filter(|m| m.next_attempt <= now || m.status == MessageStatus::Sent);
    assert!(sent.clone().all(|m| m.status == MessageStatus::Sent && m.attempts == 1), "each recorded sent, once");
    rt.block_on(store.close());
    rt.block_on(schemas.drop_all());
    std::fs::remove_dir_all(&dir).ok();
}
