//! Delivery that survives faults: a mail server that refuses and then accepts, a worker that
//! dies mid-send, two workers over one database, and a server that never comes back. Each
//! test that needs no SQLite file runs on both stores (`name::sqlite`, `name::postgres`).

use crate::common::*;
use crate::delivery::tempdir;
use followup::testing::{SmtpMode, SmtpServer};
use followup::worker::{FIRST_RETRY, LEASE, MAX_ATTEMPTS};
use std::collections::HashSet;
use std::time::Duration;
use store::*;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap()
}

on_each_store!(
    #[tokio::test]
    a_refusing_mail_server_then_an_accepting_one_delivers_the_message_once
);

async fn a_refusing_mail_server_then_an_accepting_one_delivers_the_message_once<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Refuse).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    let t = at("2026-11-27T10:00:00Z");
    let r = run_at(&w, t).await;
    assert_eq!((r.sent, r.retried), (0, 1));
    assert_eq!(smtp.connections(), 1);
    let m = fx.messages().await.remove(0);
    assert_eq!((m.status, m.attempts, m.next_attempt), (MessageStatus::Pending, 1, Timestamp(t.0 + ms(FIRST_RETRY))));
    assert!(m.last_error.unwrap().contains("421"), "the server's reason is kept");
    smtp.set_mode(SmtpMode::Accept);
    assert_eq!(run_at(&w, Timestamp(t.0 + ms(FIRST_RETRY) - 1)).await.sent, 0, "not before its next attempt");
    assert_eq!(run_at(&w, Timestamp(t.0 + ms(FIRST_RETRY))).await.sent, 1);
    assert_eq!(run_at(&w, Timestamp(t.0 + 10 * ms(FIRST_RETRY))).await.sent, 0);
    assert_eq!(smtp.received().len(), 1, "it arrives once");
    let m = fx.messages().await.into_iter().find(|m| m.status == MessageStatus::Sent).unwrap();
    assert_eq!(m.attempts, 2);
}

on_each_store!(
    #[tokio::test]
    retries_double_their_wait_then_the_message_is_marked_failed_with_the_reason
);

async fn retries_double_their_wait_then_the_message_is_marked_failed_with_the_reason<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Refuse).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T09:00:00Z"), at("2026-11-27T09:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    let mut now = at("2026-11-27T09:00:00Z");
    let mut waits = Vec::new();
    for _ in 1..MAX_ATTEMPTS {
        assert_eq!(run_at(&w, now).await.retried, 1);
        let m = fx.messages().await.into_iter().find(|m| m.kind == MessageKind::Plan).unwrap();
        waits.push((m.next_attempt.0 - now.0) / 60_000);
        now = m.next_attempt;
    }
    assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64], "minutes, doubling");
    assert_eq!(run_at(&w, now).await.failed, 1);
    let m = fx.store.messages(fx.clinic.id, Some(MessageStatus::Failed), 10).await.unwrap().remove(0);
    assert_eq!(m.attempts, MAX_ATTEMPTS);
    assert!(m.last_error.as_deref().unwrap().contains("after 8 attempts"));
    assert_eq!(smtp.connections(), MAX_ATTEMPTS as usize);
}

on_each_store!(
    #[tokio::test]
    a_client_retry_waits_for_the_window
);

async fn a_client_retry_waits_for_the_window<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Refuse).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T19:59:30Z"), at("2026-11-27T19:59:30Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, at("2026-11-27T19:59:30Z")).await.retried, 1);
    let m = fx.messages().await.into_iter().find(|m| m.kind == MessageKind::Plan).unwrap();
    assert_eq!(m.next_attempt, at("2026-11-28T08:00:00Z"), "not at 20:00:30 but at the next 08:00");
}

on_each_store!(
    #[tokio::test]
    a_worker_that_dies_mid_send_is_taken_over_and_the_resend_has_the_same_message_id
);

async fn a_worker_that_dies_mid_send_is_taken_over_and_the_resend_has_the_same_message_id<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Hang).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let t = at("2026-11-27T10:00:00Z");
    let dying = worker(fx.store.clone(), smtp_to(smtp.addr));
    let task = tokio::spawn(async move { run_at(&dying, t).await });
    // The server has the data but never answers; the worker dies before recording.
    assert_eq!(smtp.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    task.abort();
    let _ = task.await;
    smtp.set_mode(SmtpMode::Accept);
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    assert_eq!(run_at(&w, Timestamp(t.0 + ms(LEASE) - 1)).await.sent, 0, "held while the lease lasts");
    assert_eq!(run_at(&w, Timestamp(t.0 + ms(LEASE))).await.sent, 1, "then taken over");
    let got = smtp.received();
    assert_eq!(got.len(), 2, "at least once: the message was sent again");
    assert_eq!(got[0].header("Message-ID"), got[1].header("Message-ID"), "a duplicate carries the same Message-ID");
    assert_eq!(fx.messages().await.iter().filter(|m| m.status == MessageStatus::Sent).count(), 1);
}

/// Two workers with a pool each on one PostgreSQL schema, as two `serve` processes would be,
/// drain a backlog of a thousand messages together: each message goes out exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_postgres_database_send_each_of_a_thousand_due_messages_once() {
    const DUE: u32 = 1000;
    const WRITERS: u32 = 4;
    let schemas = store_postgres::testing::Schemas::default();
    let (first, schema) = schemas.fresh_named().await;
    let fx = fixture(first, "Europe/London", Some("ada@example.com"), None).await;
    let t = at("2026-11-27T10:00:00Z");
    // A thousand sessions ending at `t`, recorded by a few writers side by side: each puts
    // its plan in the outbox, due at once, and its check-ins, due later.
    let per_session = u32::try_from(fx.clinic.check_in_hours.len()).unwrap();
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let fx = fx.clone();
        writers.spawn(async move {
            for i in (writer..DUE).step_by(WRITERS as usize) {
                let links: Vec<_> = (0..per_session).map(|j| numbered_link(i * per_session + j)).collect();
                fx.session_with_links(t, t, &links).await;
            }
        });
    }
    while let Some(written) = writers.join_next().await {
        written.unwrap();
    }
    let pending = fx.store.messages(fx.clinic.id, Some(MessageStatus::Pending), 10 * DUE).await.unwrap();
    let due: HashSet<String> = pending
        .iter()
        .filter(|m| m.next_attempt <= t)
        .map(|m| format!("<{}@calm.example>", m.idempotency_key))
        .collect();
    assert_eq!(due.len(), DUE as usize, "a thousand messages are due at one instant");

    // The second worker's own pool on the same schema: what a second `serve` process has.
    let options = store_postgres::PoolOptions::default();
    let second = store_postgres::PgStore::connect_in_schema(&store_postgres::testing::url(), &options, Some(&schema))
        .await
        .unwrap();
    let (smtp_a, smtp_b) = (SmtpServer::start(SmtpMode::Accept).await, SmtpServer::start(SmtpMode::Accept).await);
    let a = worker(fx.store.clone(), smtp_to(smtp_a.addr));
    let b = worker(second, smtp_to(smtp_b.addr));
    let clock = FixedClock(t);
    let (ra, rb) = tokio::join!(a.run_due_in_lanes(4, &clock, &clock), b.run_due_in_lanes(4, &clock, &clock));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, DUE, "{ra} / {rb}");
    assert!(ra.sent > 0 && rb.sent > 0, "both workers took a share: {ra} / {rb}");

    let (got_a, got_b) = (smtp_a.received(), smtp_b.received());
    assert_eq!((got_a.len(), got_b.len()), (ra.sent as usize, rb.sent as usize), "each worker's e-mails arrived");
    let ids = followup::testing::by_message_id(got_a.iter().chain(&got_b));
    assert_eq!(got_a.len() + got_b.len(), DUE as usize, "a thousand e-mails in all");
    assert!(ids.values().all(|n| *n == 1), "no message went twice");
    assert_eq!(ids.into_keys().collect::<HashSet<_>>(), due, "every due message went, and nothing else");

    let messages = fx.store.messages(fx.clinic.id, None, 10 * DUE).await.unwrap();
    let was_due: Vec<&Message> = messages.iter().filter(|m| m.due_at <= t).collect();
    assert_eq!(was_due.len(), DUE as usize);
    assert!(
        was_due.iter().all(|m| m.status == MessageStatus::Sent && m.attempts == 1),
        "each is recorded as sent, at its first attempt"
    );
    schemas.drop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_over_one_database_send_each_message_once() {
    let dir = tempdir("two-workers");
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(on_disk(&dir).await, "Europe/London", Some("ada@example.com"), None).await;
    let t = at("2026-11-27T10:00:00Z");
    for i in 0..30u8 {
        fx.session(t, t, 1 + 2 * i).await;
    }
    // Each worker has its own connection pool to the same file, as two processes would.
    let a = worker(on_disk(&dir).await, smtp_to(smtp.addr));
    let b = worker(on_disk(&dir).await, smtp_to(smtp.addr));
    let (ra, rb) = tokio::join!(run_at(&a, t), run_at(&b, t));
    assert_eq!(ra.sent + rb.sent, 30, "{ra} / {rb}");
    let got = smtp.received();
    assert_eq!(got.len(), 30);
    let ids = followup::testing::by_message_id(&got);
    assert_eq!(ids.len(), 30, "every plan once");
    assert!(ids.values().all(|n| *n == 1));
    std::fs::remove_dir_all(&dir).unwrap();
}

on_each_store!(
    #[tokio::test]
    four_lanes_send_every_due_message_once_and_overlap_their_sends
);

async fn four_lanes_send_every_due_message_once_and_overlap_their_sends<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    let t = at("2026-11-27T10:00:00Z");
    for i in 0..40u8 {
        fx.session(t, t, 1 + 2 * i).await;
    }
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    let clock = store::FixedClock(t);
    let r = w.run_due_in_lanes(4, &clock, &clock).await.unwrap();
    assert_eq!(r.sent, 40, "{r}");
    let got = smtp.received();
    let ids = followup::testing::by_message_id(&got);
    assert_eq!((got.len(), ids.len()), (40, 40), "every plan once");
    let recorded = fx.messages().await.iter().filter(|m| m.status == MessageStatus::Sent).count();
    assert_eq!(recorded, 40, "each outcome recorded");
    assert!(smtp.most_at_once() > 1, "the lanes' sends overlapped: {}", smtp.most_at_once());
    assert_eq!(w.run_due_in_lanes(4, &clock, &clock).await.unwrap().sent, 0, "a second run sends nothing");
}

on_each_store!(
    #[tokio::test]
    a_backlog_found_at_night_waits_for_the_morning
);

async fn a_backlog_found_at_night_waits_for_the_morning<S: Store>(store: S) {
    let smtp = SmtpServer::start(SmtpMode::Accept).await;
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let w = worker(fx.store.clone(), smtp_to(smtp.addr));
    // The server was down all day; it comes back at 02:00 with the plan, an invitation and
    // a reminder overdue.
    let r = run_at(&w, at("2026-11-29T02:00:00Z")).await;
    assert_eq!((r.sent, r.postponed), (0, 3), "{r}");
    assert!(smtp.received().is_empty());
    let waiting: Vec<Timestamp> =
        fx.messages().await.iter().filter(|m| m.attempts == 0).map(|m| m.next_attempt).collect();
    assert!(waiting.iter().filter(|t| **t == at("2026-11-29T08:00:00Z")).count() >= 3);
    let r = run_at(&w, at("2026-11-29T08:00:00Z")).await;
    assert_eq!((r.sent, r.postponed), (2, 1), "the plan and the invitation; the reminder 8 h after it: {r}");
    assert_eq!(
        run_at(&w, at("2026-11-29T16:00:00Z")).await.sent,
        2,
        "the reminder, and the 48 h invitation due at 10:00"
    );
}

on_each_store!(
    #[tokio::test]
    an_alert_that_no_transport_can_carry_is_failed_for_staff_to_see
);

async fn an_alert_that_no_transport_can_carry_is_failed_for_staff_to_see<S: Store>(store: S) {
    let fx = fixture(store, "Europe/London", Some("ada@example.com"), None).await;
    let (_, fus) = fx.session(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"), 1).await;
    let none =
        transports("[email]\ntransport = \"none\"\n[sms]\ntransport = \"none\"\n", std::path::Path::new("/d"), &[]);
    let w = worker(fx.store.clone(), none);
    let notice = NewMessage {
        kind: MessageKind::Alert,
        recipient: Recipient::Staff(fx.therapist.id),
        link_token: None,
        idempotency_key: "alert-1".into(),
        due_at: at("2026-11-27T23:00:00Z"),
        send_at: at("2026-11-27T23:00:00Z"),
        now: at("2026-11-27T23:00:00Z"),
    };
    let check_in = NewCheckIn {
        session_id: fus[0].session_id,
        follow_up_id: fus[0].id,
        report: "{}".into(),
        soreness: Some(7),
        triaged: true,
        problems: Vec::new(),
        hours_since: 13.0,
        level: Level::Doctor,
        fired: vec![],
        now: at("2026-11-27T23:00:00Z"),
        day: store::tally::Day::of(at("2026-11-27T23:00:00Z"), &jiff::tz::TimeZone::UTC),
        due_day: store::tally::Day::of(fus[0].due_at, &jiff::tz::TimeZone::UTC),
    };
    let alert = NewAlert { client_id: fx.client.id, level: Level::Doctor, notices: vec![notice] };
    fx.store.record_check_in(fx.clinic.id, check_in, Some(alert), None).await.unwrap();
    let r = run_at(&w, at("2026-11-27T23:00:00Z")).await;
    assert_eq!(r.failed, 1, "{r}");
    let failed = fx.store.messages(fx.clinic.id, Some(MessageStatus::Failed), 10).await.unwrap();
    assert_eq!(failed[0].kind, MessageKind::Alert);
    assert!(failed[0].last_error.as_deref().unwrap().starts_with("no e-mail address or phone number"));
}
