//! What arrives, where and when: e-mails over SMTP with both parts, the link, the clinic's
//! name and a working unsubscribe link; SMS through a signed webhook; files; staff alerts at
//! once and the daily digest; and the messages that are rightly not sent.

use crate::common::*;
use followup::outbox;
use followup::testing::{SmtpMode, SmtpServer, WebhookServer};
use followup::window::time_zone;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashSet;
use store::*;

#[tokio::test]
async fn a_session_sends_its_plan_at_once_and_each_check_in_at_its_local_time() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    // A session ending at 21:30 in London, recorded at once: the plan waits for 08:00.
    let (_, fus) = fx.session(at("2026-11-27T21:30:00Z"), at("2026-11-27T21:35:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, at("2026-11-27T21:35:00Z")).await.sent, 0, "nothing goes at night");
    assert_eq!(run_at(&w, at("2026-11-28T08:00:00Z")).await.sent, 1, "the plan at 08:00");
    let plan = smtp.received().remove(0);
    assert_eq!(plan.to, vec!["ada@example.com".to_owned()]);
    assert_eq!(plan.from, "care@calm.example");
    assert_eq!(plan.header("Subject").as_deref(), Some("Your aftercare plan from Calm Hands"));
    let body = plan.decoded();
    let plan_link = format!("https://care.example/c/{}/plan", link(1).token);
    assert!(body.contains("Content-Type: text/plain"), "a plain-text part");
    assert!(body.contains("Content-Type: text/html"), "an HTML part");
    assert!(plan.header("Content-Type").unwrap().starts_with("multipart/alternative"));
    assert_eq!(
        body.matches(&plan_link).count(),
        4,
        "the link in the text, and in the HTML as a button, a link and its text"
    );
    assert!(body.contains("Read your plan</a>"), "the button");
    assert!(plan.header("From").is_some_and(|f| f.contains("Calm Hands")), "from the clinic's name");
    assert!(body.contains("Hello Ada, thank you for your massage at Calm Hands."));
    assert!(body.contains("call 999 now"), "the clinic's emergency number");
    assert!(body.contains("does not diagnose"));
    let stop = format!("https://care.example/u/{}", link(1).token);
    assert_eq!(plan.header("List-Unsubscribe"), Some(format!("<{stop}>")));
    assert_eq!(plan.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(body.contains(&stop));
    let key = fx.messages().await.into_iter().find(|m| m.kind == MessageKind::Plan).unwrap().idempotency_key;
    assert_eq!(plan.header("Message-ID"), Some(format!("<{key}@calm.example>")));

    // 21:30 + 24 h is outside the window: the invitation goes at 08:00 the day after next.
    assert_eq!(run_at(&w, at("2026-11-29T07:59:59Z")).await.sent, 0);
    assert_eq!(run_at(&w, at("2026-11-29T08:00:00Z")).await.sent, 1);
    let invitation = smtp.received().remove(1);
    assert_eq!(invitation.header("Subject").as_deref(), Some("How are you feeling after your massage?"));
    assert!(invitation.decoded().contains(&format!("https://care.example/c/{}", link(1).token)));
    // Unanswered, it is repeated once 8 h later.
    assert_eq!(run_at(&w, at("2026-11-29T16:00:00Z")).await.sent, 1);
    assert!(smtp.received()[2].header("Subject").unwrap().starts_with("A reminder"));
    // The 48 h one: 21:30 on the 29th is outside, so 08:00 on the 30th, with its own link.
    assert_eq!(run_at(&w, at("2026-11-30T08:00:00Z")).await.sent, 1);
    assert!(smtp.received()[3].decoded().contains(&format!("https://care.example/c/{}", link(2).token)));
    assert_eq!(fus.len(), 2);
    // Sent messages forget their link token; nothing is sent twice.
    let sent = fx.store.messages(fx.clinic.id, Some(MessageStatus::Sent), 100).await.unwrap();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|m| m.link_token.is_none() && m.channel.as_deref() == Some("email")));
    assert_eq!(run_at(&w, at("2026-12-05T12:00:00Z")).await.sent, 1, "only the 48 h reminder is left");
    assert_eq!(run_at(&w, at("2026-12-06T12:00:00Z")).await, followup::RunReport::default());
    assert_eq!(smtp.received().len(), 5);
}

#[tokio::test]
async fn smtp_credentials_are_used_and_never_shown() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let toml = format!(
        "[email]\ntransport = \"smtp\"\nfrom = \"Calm Hands <care@calm.example>\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"care\"\n",
        smtp.addr.port()
    );
    let t = transports(&toml, std::path::Path::new("/nonexistent"), &[("AFTERCARE_SMTP_PASSWORD", "s3cret-pass")]);
    assert!(!format!("{t:?} {}", t.email).contains("s3cret-pass"), "the password is never printed");
    let w = worker(fx.store.clone(), t);
    assert_eq!(run_at(&w, at("2026-11-27T10:00:00Z")).await.sent, 1);
    assert_eq!(smtp.received()[0].auth, Some(("care".to_owned(), "s3cret-pass".to_owned())));
}

fn verify(secret: &[u8], timestamp: &str, body: &[u8], signature: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    signature == format!("sha256={expected}")
}

#[tokio::test]
async fn a_client_without_e_mail_gets_a_signed_sms_and_a_retry_keeps_its_key() {
    let hook = WebhookServer::start(vec![503, 200]).await;
    let fx = fixture(memory().await, "Europe/London", None, Some("+44 7700 900123")).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let secret = "a-shared-secret-of-some-length";
    let toml = format!("[email]\ntransport = \"none\"\n[sms]\ntransport = \"webhook\"\nurl = \"{}\"\n", hook.url());
    let w = worker(
        fx.store.clone(),
        transports(&toml, std::path::Path::new("/nonexistent"), &[("AFTERCARE_SMS_SECRET", secret)]),
    );
    let first = run_at(&w, at("2026-11-27T10:00:00Z")).await;
    assert_eq!((first.sent, first.retried), (0, 1), "the gateway's 503 is tried again");
    assert_eq!(run_at(&w, at("2026-11-27T10:01:00Z")).await.sent, 1);
    let hooks = hook.hooks();
    assert_eq!(hooks.len(), 2);
    for h in &hooks {
        assert_eq!(h.path, "/sms");
        let ts = h.header("x-aftercare-timestamp").unwrap();
        assert!(verify(secret.as_bytes(), ts, &h.body, h.header("x-aftercare-signature").unwrap()), "signed");
        assert!(!verify(b"another secret", ts, &h.body, h.header("x-aftercare-signature").unwrap()));
    }
    assert_eq!(hooks[0].header("x-aftercare-timestamp"), Some("1795773600"), "the worker's clock, in seconds");
    let body: serde_json::Value = serde_json::from_slice(&hooks[1].body).unwrap();
    assert_eq!(body["to"], "+44 7700 900123");
    let text = body["body"].as_str().unwrap();
    assert!(text.contains(&format!("https://care.example/c/{}/plan", link(1).token)));
    assert!(text.contains(&format!("Stop messages: https://care.example/u/{}", link(1).token)));
    assert_eq!(hooks[0].body, hooks[1].body, "the resend is the same message");
    let key = body["idempotency_key"].as_str().unwrap();
    assert!(hooks.iter().all(|h| h.header("idempotency-key") == Some(key)));
    let m = fx.store.messages(fx.clinic.id, Some(MessageStatus::Sent), 10).await.unwrap().remove(0);
    assert_eq!((m.channel.as_deref(), m.attempts, m.idempotency_key.as_str()), (Some("sms"), 2, key));
}

#[tokio::test]
async fn the_file_transport_writes_each_message_once_under_the_data_directory() {
    let dir = tempdir("file-transport");
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let fx_sms = fixture(memory().await, "Europe/London", None, Some("+44 7700 900123")).await;
    fx_sms.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let defaults = || followup::config::transports("none", None, &dir, &|_| None).unwrap();
    assert_eq!(run_at(&worker(fx.store.clone(), defaults()), at("2026-11-27T10:00:00Z")).await.sent, 1);
    assert_eq!(run_at(&worker(fx_sms.store.clone(), defaults()), at("2026-11-27T10:00:00Z")).await.sent, 1);
    let mut files: Vec<String> =
        std::fs::read_dir(dir.join("outbox")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    let plan_key = fx.messages().await.into_iter().find(|m| m.kind == MessageKind::Plan).unwrap().idempotency_key;
    let sms_key = fx_sms.messages().await.into_iter().find(|m| m.kind == MessageKind::Plan).unwrap().idempotency_key;
    let mut expected = vec![format!("{plan_key}.eml"), format!("{sms_key}.json")];
    expected.sort();
    assert_eq!(files, expected);
    let eml = std::fs::read_to_string(dir.join("outbox").join(format!("{plan_key}.eml"))).unwrap();
    assert!(eml.contains(&format!("Message-ID: <{plan_key}@localhost>")));
    assert!(eml.contains("To: ada@example.com"));
    let sms: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("outbox").join(format!("{sms_key}.json"))).unwrap())
            .unwrap();
    assert_eq!(sms["idempotency_key"], sms_key.as_str());
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aftercare-followup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Records a check-in on `f` at `now` with an alert at `level`, as the web app does.
async fn alert_at<S: Store>(fx: &Fixture<S>, f: &FollowUp, level: care::Level, now: Timestamp) -> Alert {
    let tz = time_zone(None, &fx.clinic.timezone);
    let clinic = fx.store.clinic(fx.clinic.id).await.unwrap().unwrap();
    let notices = outbox::alert_notices(&kb(), clinic.id, level, fx.therapist.id, clinic.alert_to.is_some(), now, &tz);
    let check_in = NewCheckIn {
        session_id: f.session_id,
        follow_up_id: f.id,
        report: "{}".into(),
        soreness: Some(7),
        triaged: true,
        problems: Vec::new(),
        hours_since: 30.0,
        level,
        fired: vec![],
        now,
        day: store::tally::Day::of(now, &jiff::tz::TimeZone::UTC),
        due_day: store::tally::Day::of(f.due_at, &jiff::tz::TimeZone::UTC),
    };
    let alert = NewAlert { client_id: fx.client.id, level, notices };
    fx.store.record_check_in(fx.clinic.id, check_in, Some(alert), None).await.unwrap().1.unwrap()
}

#[tokio::test]
async fn doctor_and_emergency_alerts_reach_the_therapist_and_the_clinic_at_once_even_at_night() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    fx.store.set_alert_to(fx.clinic.id, Some("desk@calm.example")).await.unwrap();
    let (_, fus) = fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, at("2026-11-27T10:00:00Z")).await.sent, 1, "the plan");
    // 23:10 London time: a client's answer needs a doctor today.
    alert_at(&fx, &fus[0], care::Level::Doctor, at("2026-11-27T23:10:00Z")).await;
    assert_eq!(run_at(&w, at("2026-11-27T23:10:00Z")).await.sent, 2);
    let alerts: Vec<_> = smtp.received().into_iter().skip(1).collect();
    let to: HashSet<String> = alerts.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to, HashSet::from(["tess@calm.example".to_owned(), "desk@calm.example".to_owned()]));
    for a in &alerts {
        assert_eq!(a.header("Subject").as_deref(), Some("Urgent: Ada Lovelace's check-in needs a doctor today"));
        assert!(a.decoded().contains("https://care.example/alerts/"), "links to the alert itself");
        assert!(a.header("List-Unsubscribe").is_none(), "staff alerts cannot be unsubscribed from");
    }
    // An alert acknowledged before its notice goes is not sent.
    let e = alert_at(&fx, &fus[0], care::Level::Emergency, at("2026-11-27T23:20:00Z")).await;
    let ack = Acknowledgement { staff_id: fx.therapist.id, note: None, now: at("2026-11-27T23:21:00Z") };
    fx.store.acknowledge_alert(fx.clinic.id, e.id, ack).await.unwrap();
    let r = run_at(&w, at("2026-11-27T23:22:00Z")).await;
    assert_eq!((r.sent, r.skipped), (0, 2));
}

#[tokio::test]
async fn therapist_alerts_go_in_one_digest_the_next_morning() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    let (_, fus) = fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    run_at(&w, at("2026-11-27T10:00:00Z")).await;
    alert_at(&fx, &fus[0], care::Level::Therapist, at("2026-11-27T12:00:00Z")).await;
    alert_at(&fx, &fus[0], care::Level::Therapist, at("2026-11-27T15:00:00Z")).await;
    assert_eq!(run_at(&w, at("2026-11-27T15:00:00Z")).await.sent, 0, "not at once");
    let digests: Vec<Message> = fx.messages().await.into_iter().filter(|m| m.kind == MessageKind::Digest).collect();
    assert_eq!(digests.len(), 1, "one digest a day");
    assert_eq!(digests[0].next_attempt, at("2026-11-28T08:00:00Z"));
    let r = run_at(&w, at("2026-11-28T08:00:00Z")).await;
    assert_eq!(r.sent, 1, "the digest (the 24 h invitation is due at 10:00)");
    let digest = smtp.received().into_iter().find(|m| m.to == vec!["tess@calm.example".to_owned()]).unwrap();
    assert!(digest.header("Subject").unwrap().starts_with("Aftercare digest: 1 client"));
    assert!(digest.decoded().contains("- Ada Lovelace"));
}

#[tokio::test]
async fn messages_are_rightly_not_sent_to_a_client_who_stopped_them_answered_or_cannot_be_reached() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    let (_, fus) = fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    run_at(&w, at("2026-11-27T10:00:00Z")).await;
    // Answered before its reminder: the reminder is not sent.
    assert_eq!(run_at(&w, at("2026-11-28T10:00:00Z")).await.sent, 1);
    let check_in = NewCheckIn {
        session_id: fus[0].session_id,
        follow_up_id: fus[0].id,
        report: "{}".into(),
        soreness: Some(2),
        triaged: true,
        problems: Vec::new(),
        hours_since: 25.0,
        level: Level::SelfCare,
        fired: vec![],
        now: at("2026-11-28T11:00:00Z"),
        day: store::tally::Day::of(at("2026-11-28T11:00:00Z"), &jiff::tz::TimeZone::UTC),
        due_day: store::tally::Day::of(fus[0].due_at, &jiff::tz::TimeZone::UTC),
    };
    fx.store.record_check_in(fx.clinic.id, check_in, None, None).await.unwrap();
    let r = run_at(&w, at("2026-11-28T18:00:00Z")).await;
    assert_eq!((r.sent, r.skipped), (0, 1));
    // Stopped: nothing more goes.
    fx.store.set_client_opted_out(fx.clinic.id, fx.client.id, Some(at("2026-11-28T19:00:00Z"))).await.unwrap();
    let r = run_at(&w, at("2026-11-29T18:00:00Z")).await;
    assert_eq!((r.sent, r.skipped), (0, 2));
    let reasons: Vec<String> = fx.messages().await.into_iter().filter_map(|m| m.last_error).collect();
    assert!(reasons.contains(&"the client has already answered".to_owned()));
    assert!(reasons.contains(&"the client asked for no more messages".to_owned()));
    assert_eq!(smtp.received().len(), 2);

    // No address the transports can reach; an expired link.
    let nobody = fixture(memory().await, "Europe/London", None, Some("+44 7700 900123")).await;
    nobody.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(nobody.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, at("2026-11-27T10:00:00Z")).await.skipped, 1, "no SMS transport, no e-mail");
    let late = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    late.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(late.store.clone(), smtp_to(smtp.addr));
    let r = run_at(&w, at("2026-12-27T10:00:00Z")).await;
    assert_eq!((r.sent, r.skipped), (0, 5), "a month later every link has expired");
    assert!(
        late.messages()
            .await
            .iter()
            .all(|m| m.last_error.as_deref() == Some("the link expired before the message could go"))
    );
}

#[tokio::test]
async fn an_alert_to_read_now_below_doctor_says_so_and_not_that_a_doctor_is_needed() {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(memory().await, "Europe/London", Some("ada@example.com"), None).await;
    let (_, fus) = fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, at("2026-11-27T10:00:00Z")).await.sent, 1, "the plan");
    // A therapist-level alert whose notice goes at once (a warning sign written in the note,
    // or an answer that could not be read: care policy v1.2).
    let now = at("2026-11-27T15:00:00Z");
    let check_in = NewCheckIn {
        session_id: fus[0].session_id,
        follow_up_id: fus[0].id,
        report: "{\"soreness\": 2, \"symptoms\": [], \"note\": \"tight chest\"}".to_owned(),
        soreness: Some(2),
        triaged: true,
        problems: Vec::new(),
        hours_since: 5.0,
        level: Level::SelfCare,
        fired: vec![],
        now,
        day: store::tally::Day::of(now, &jiff::tz::TimeZone::UTC),
        due_day: store::tally::Day::of(fus[0].due_at, &jiff::tz::TimeZone::UTC),
    };
    let tz = time_zone(None, &fx.clinic.timezone);
    let notices = outbox::alert_notices(&kb(), fx.clinic.id, care::Level::Doctor, fx.therapist.id, false, now, &tz);
    let alert = NewAlert { client_id: fx.client.id, level: Level::Therapist, notices };
    fx.store.record_check_in(fx.clinic.id, check_in, Some(alert), None).await.unwrap();
    assert_eq!(run_at(&w, now).await.sent, 1, "sent at once, not in the morning digest");
    let mail = smtp.received().into_iter().nth(1).expect("the alert");
    assert_eq!(mail.header("Subject").as_deref(), Some("Please read now: Ada Lovelace's check-in"));
    let body = mail.decoded();
    assert!(body.contains("their note mentions a warning sign, or their answer could not be read"), "{body}");
    assert!(!body.contains("doctor") && !body.contains("tight chest"), "no false order, no health details: {body}");
}
