//! The storage conformance suite: what every backend must do, run by each backend's tests on
//! a fresh, migrated store. Above all, no clinic ever sees another clinic's records.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing check should stop loudly

use crate::*;

const T0: Timestamp = Timestamp(1_790_000_000_000);
/// Ninety days after `T0`: when the suite's API tokens expire.
const DAY90: Timestamp = Timestamp(1_790_000_000_000 + 90 * 86_400_000);

fn staff(email: &str, role: Role) -> NewStaff {
    NewStaff { email: email.to_owned(), name: format!("Staff {email}"), role, password_hash: None, now: T0 }
}

async fn clinic<S: Store>(s: &S, name: &str, owner: &str) -> (Clinic, Staff) {
    let new = NewClinic {
        check_in_hours: vec![24, 48],
        name: name.to_owned(),
        country: "GB".to_owned(),
        timezone: "Europe/London".to_owned(),
        now: T0,
    };
    s.create_clinic(new, staff(owner, Role::Owner)).await.expect("clinic is created")
}

/// A level from its code.
fn lv(code: &str) -> Level {
    Level::from_code(code).expect("a level code")
}

async fn client<S: Store>(s: &S, clinic_id: ClinicId, name: &str) -> Client {
    let new = NewClient {
        language: None,
        name: name.to_owned(),
        email: None,
        phone: None,
        timezone: None,
        age_months: Some(480),
        now: T0,
    };
    s.create_client(clinic_id, new).await.expect("client is created")
}

/// The suite's clinics' time zone, unless a check says otherwise.
fn london() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/London").expect("a time zone")
}

fn follow_up(hours: i64, link: u8) -> NewFollowUp {
    NewFollowUp {
        kind: "check_in".to_owned(),
        offset_hours: hours,
        due_at: T0.plus_hours(hours),
        due_day: tally::Day::of(T0.plus_hours(hours), &london()),
        expires_at: T0.plus_hours(hours + 168),
        link_hash: Redacted::new(vec![link; 32]),
        messages: vec![],
    }
}

fn session(client_id: ClientId, staff_id: StaffId) -> NewSession {
    NewSession {
        baby_birth_date: None,
        client_id,
        staff_id,
        massage_type: "deep_tissue".to_owned(),
        pressure: "firm".to_owned(),
        areas: vec!["calves".to_owned(), "hamstrings".to_owned()],
        techniques: vec!["stripping".to_owned()],
        first_massage: false,
        notes: Some("left calf tight".to_owned()),
        ended_at: T0,
        now: T0,
    }
}

fn check_in(session_id: SessionId, follow_up_id: FollowUpId, soreness: u8, level: &str, at: Timestamp) -> NewCheckIn {
    NewCheckIn {
        session_id,
        follow_up_id,
        report: format!("{{\"soreness\": {soreness}, \"symptoms\": []}}"),
        soreness: Some(soreness),
        triaged: true,
        problems: Vec::new(),
        hours_since: at.hours_since(T0),
        level: lv(level),
        fired: vec![],
        now: at,
        day: tally::Day::of(at, &london()),
        // The suite's follow-ups are due a day after T0 unless a check says otherwise.
        due_day: tally::Day::of(T0.plus_hours(24), &london()),
    }
}

/// Runs every check on stores made by `fresh` (each call gives a new, migrated store).
pub async fn run_all<S: Store, F: Fn() -> Fut, Fut: std::future::Future<Output = S>>(fresh: F) {
    clinics_and_staff(fresh().await).await;
    api_tokens(fresh().await).await;
    clients_and_intakes_are_clinic_scoped(fresh().await).await;
    sessions_and_follow_ups_are_written_together(fresh().await).await;
    check_ins_and_alerts(fresh().await).await;
    staff_sessions(fresh().await).await;
    searching_clients_and_the_days_work(fresh().await).await;
    settings_staff_products_and_feedback(fresh().await).await;
    intake_links(fresh().await).await;
    the_outbox(fresh().await).await;
    check_ins_write_their_notices_and_next_follow_up(fresh().await).await;
    alerts_come_a_page_at_a_time(fresh().await).await;
    repeated_answers_update_one_alert_and_tell_staff_once(fresh().await).await;
    outcomes_read_the_check_ins_and_alerts_of_a_period(fresh().await).await;
    outcome_tallies_are_what_the_rows_count(fresh().await).await;
    the_audit_trail_is_the_clinics_own_and_pages_newest_first(fresh().await).await;
    erasing_a_client_leaves_no_words_of_theirs_and_keeps_the_counts(fresh().await).await;
    password_links_work_once_until_they_expire_and_go_through_the_outbox(fresh().await).await;
    a_second_factor_takes_each_code_once(fresh().await).await;
    a_clinic_moves_whole_to_another_store_once(fresh().await, fresh().await).await;
}

/// Every row of a clinic, as [`Store::export_clinic`] gives them.
async fn exported<S: Store>(s: &S, clinic_id: ClinicId) -> (moving::Row, Vec<(usize, moving::Row)>) {
    let rows = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink: moving::RowSink = {
        let rows = rows.clone();
        Box::new(move |table: &'static moving::Table, row: moving::Row| {
            let index = moving::TABLES.iter().position(|t| t.name == table.name);
            rows.lock().unwrap().push((index, row));
            Ok(())
        })
    };
    assert!(s.export_clinic(clinic_id, sink).await.unwrap(), "the clinic is there");
    let mut rows = std::mem::take(&mut *rows.lock().unwrap()).into_iter();
    let (first, clinic) = rows.next().expect("the clinic's own row first");
    assert_eq!(first, None, "the clinic's own row first");
    (clinic, rows.map(|(i, row)| (i.expect("a moved table"), row)).collect())
}

/// Every outcome tally a store keeps of a clinic.
async fn every_tally<S: Store>(s: &S, clinic_id: ClinicId) -> tally::Tallies {
    s.outcome_tallies(clinic_id, tally::Day(i32::MIN), tally::Day(i32::MAX)).await.unwrap()
}

/// What the builder counts from a clinic's rows, in `tz`: the tallies a store must keep.
async fn counted_from_rows<S: Store>(s: &S, clinic_id: ClinicId, tz: &jiff::tz::TimeZone) -> tally::Tallies {
    let (ever, never) = (Timestamp(0), Timestamp(i64::MAX / 2));
    let mut b = tally::TallyBuilder::default();
    for c in s.outcome_check_ins(clinic_id, ever, never).await.unwrap() {
        b.add_check_in(&c, tz);
    }
    for (f, answered) in s.follow_ups_due(clinic_id, ever, never).await.unwrap() {
        let session = s.session(clinic_id, f.session_id).await.unwrap().expect("the follow-up's session");
        b.add_follow_up(f.due_at, answered, &session.massage_type, session.staff_id, tz);
    }
    for a in s.alerts(clinic_id, None, None, 10_000).await.unwrap() {
        let answer = s.check_in(clinic_id, a.check_in_id).await.unwrap().expect("the alert's check-in");
        let session = s.session(clinic_id, answer.session_id).await.unwrap().expect("the check-in's session");
        b.add_alert(a.created_at, a.acknowledged_at, &session.massage_type, session.staff_id, tz);
    }
    b.finish()
}

/// The outcome tallies a store keeps as it writes check-ins, follow-ups, alerts and
/// acknowledgements are what the rows count, day by day in the clinic's time zone (one of
/// half and quarter hours here): answers by type, pressure, therapist, hour and level,
/// soreness by area, follow-ups due and answered once however many answers they had, extra
/// follow-ups, answers that could not be read, alerts raised once however often a second
/// answer moves them, and how soon each was acknowledged. A clinic's tallies are its own; a
/// day range gives only its days; a new time zone counts them again by the new days.
async fn outcome_tallies_are_what_the_rows_count<S: Store>(s: S) {
    let kathmandu = jiff::tz::TimeZone::get("Asia/Kathmandu").unwrap();
    let new = NewClinic {
        check_in_hours: vec![24, 48],
        name: "K".to_owned(),
        country: "NP".to_owned(),
        timezone: "Asia/Kathmandu".to_owned(),
        now: T0,
    };
    let (a, owner) = s.create_clinic(new, staff("k@k.example", Role::Owner)).await.unwrap();
    let therapist = s.create_staff(a.id, staff("t@k.example", Role::Therapist)).await.unwrap();
    let (b, b_owner) = clinic(&s, "B", "b@b.example").await;
    let kinds = [("deep_tissue", "firm", vec!["calves", "hamstrings"]), ("swedish", "light", vec!["upper_back"])];
    let mut link = 0u8;
    let mut sessions = Vec::new();
    for i in 0..80i64 {
        let (kind, pressure, areas) = &kinds[(i % 2) as usize];
        let ended = T0.plus_hours(i * 7);
        let who = if i % 3 == 0 { owner.id } else { therapist.id };
        let k = client(&s, a.id, &format!("Client {i}")).await;
        let new = NewSession {
            massage_type: (*kind).to_owned(),
            pressure: (*pressure).to_owned(),
            areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            ended_at: ended,
            now: ended,
            ..session(k.id, who)
        };
        let follow_ups: Vec<NewFollowUp> = [24, 48]
            .into_iter()
            .map(|h| {
                link += 1;
                let due = ended.plus_hours(h);
                NewFollowUp { due_at: due, due_day: tally::Day::of(due, &kathmandu), ..follow_up(h, link) }
            })
            .collect();
        let (sess, fus) = s.record_session(a.id, new, follow_ups).await.unwrap();
        sessions.push((sess, fus));
    }
    // Answers: most follow-ups once, some twice, some never; some not read; one calls for
    // an extra follow-up at 72 h.
    for (i, (sess, fus)) in sessions.iter().enumerate() {
        for (j, f) in fus.iter().enumerate() {
            if (i + j) % 4 == 3 {
                continue;
            }
            let at = f.due_at.plus_hours(i as i64 % 5);
            let soreness = ((i * 3 + j * 5) % 11) as u8;
            let level = ["self_care", "self_care", "therapist", "doctor", "emergency"][(i + j) % 5];
            let mut answer = NewCheckIn {
                day: tally::Day::of(at, &kathmandu),
                due_day: tally::Day::of(f.due_at, &kathmandu),
                ..check_in(sess.id, f.id, soreness, level, at)
            };
            if i % 5 == 4 {
                answer.triaged = false;
                answer.problems = vec!["soreness: choose a number from 0 to 10".to_owned()];
            }
            let next = (i == 2 && j == 0).then(|| {
                link += 1;
                let due = sess.ended_at.plus_hours(72);
                NewFollowUp { due_at: due, due_day: tally::Day::of(due, &kathmandu), ..follow_up(72, link) }
            });
            // Answers at therapist and above raise an alert; a second answer moves it.
            let alert = |level: &str| {
                (lv(level) >= lv("therapist")).then(|| NewAlert {
                    client_id: sess.client_id,
                    level: lv(level),
                    notices: vec![],
                })
            };
            let (_, raised) = s.record_check_in(a.id, answer.clone(), alert(level), next).await.unwrap();
            if i % 6 == 1 {
                let again =
                    NewCheckIn { now: at.plus_hours(2), day: tally::Day::of(at.plus_hours(2), &kathmandu), ..answer };
                s.record_check_in(a.id, again, alert("doctor"), None).await.unwrap();
            }
            // Most alerts are acknowledged, after anything from minutes to weeks.
            if let Some(raised) = raised.filter(|_| (i + j) % 3 != 0) {
                let waited_minutes = [5, 16, 61, 700, 1441, 50_000][(i + 2 * j) % 6];
                let ack = Acknowledgement {
                    staff_id: owner.id,
                    note: None,
                    now: Timestamp(raised.created_at.0 + waited_minutes * 60_000),
                };
                assert!(s.acknowledge_alert(a.id, raised.id, ack.clone()).await.unwrap().unwrap().1);
                assert!(!s.acknowledge_alert(a.id, raised.id, ack).await.unwrap().unwrap().1, "once");
            }
        }
    }
    // Another clinic's answer, on the same days.
    let kb = client(&s, b.id, "Other").await;
    let (bs, bf) = s.record_session(b.id, session(kb.id, b_owner.id), vec![follow_up(24, 200)]).await.unwrap();
    s.record_check_in(b.id, check_in(bs.id, bf[0].id, 9, "doctor", T0.plus_hours(24)), None, None).await.unwrap();

    let kept = every_tally(&s, a.id).await;
    let expected = counted_from_rows(&s, a.id, &kathmandu).await;
    // More answer rows than one statement of a PostgreSQL recount writes (64).
    assert!(expected.answers.len() > 64 && !expected.areas.is_empty() && expected.asked.len() > 5, "{expected:?}");
    let steps: std::collections::BTreeSet<u8> = expected.alerts.iter().map(|t| t.ack_step).collect();
    assert!(steps.contains(&0) && steps.len() >= 5, "open alerts and several steps: {steps:?}");
    assert_eq!(kept.clone().sorted(), expected, "kept as written = counted from the rows");
    let answered: u64 = kept.asked.iter().map(|t| t.answered).sum();
    let asked: u64 = kept.asked.iter().map(|t| t.asked).sum();
    assert_eq!(asked, 161, "160 follow-ups and the extra one");
    assert!(answered < kept.answers.iter().map(|t| t.answers).sum::<u64>(), "a second answer is not a second response");
    assert_eq!(every_tally(&s, b.id).await, counted_from_rows(&s, b.id, &london()).await, "B's own");
    assert_eq!(every_tally(&s, b.id).await.answers.len(), 1, "B's one answer, none of A's");

    let day = expected.answers[expected.answers.len() / 2].day;
    let one_day = s.outcome_tallies(a.id, day, day).await.unwrap();
    assert!(!one_day.answers.is_empty());
    assert!(one_day.answers.iter().all(|t| t.day == day));
    assert!(one_day.areas.iter().all(|t| t.day == day) && one_day.asked.iter().all(|t| t.day == day));
    assert!(one_day.alerts.iter().all(|t| t.day == day));

    // A new time zone: the same rows counted by Newfoundland's days (UTC-03:30).
    s.update_clinic(a.id, "K", "CA", "America/St_Johns").await.unwrap();
    let st_johns = jiff::tz::TimeZone::get("America/St_Johns").unwrap();
    let recounted = counted_from_rows(&s, a.id, &st_johns).await;
    assert_ne!(recounted, expected, "other days");
    assert_eq!(every_tally(&s, a.id).await.sorted(), recounted, "counted again by the new days");
    s.update_clinic(a.id, "K renamed", "CA", "America/St_Johns").await.unwrap();
    assert_eq!(every_tally(&s, a.id).await.sorted(), recounted, "a new name changes nothing");
}

async fn a_clinic_moves_whole_to_another_store_once<S: Store>(from: S, to: S) {
    let (a, owner) = clinic(&from, "A", "a@a.example").await;
    let c = client(&from, a.id, "Ada").await;
    let (sess, fus) = from.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1)]).await.unwrap();
    let alert = NewAlert { client_id: c.id, level: lv("doctor"), notices: vec![] };
    let (_, raised) = from
        .record_check_in(a.id, check_in(sess.id, fus[0].id, 7, "doctor", T0.plus_hours(24)), Some(alert), None)
        .await
        .unwrap();
    let ack = Acknowledgement { staff_id: owner.id, note: None, now: T0.plus_hours(26) };
    from.acknowledge_alert(a.id, raised.unwrap().id, ack).await.unwrap();
    let (clinic_row, rows) = exported(&from, a.id).await;
    for (table, row) in &rows {
        assert_eq!(moving::row_problem(&moving::TABLES[*table], row), None);
    }
    let written = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let moved = to.import_clinic(clinic_row.clone(), rows.clone(), written.clone()).await.unwrap();
    assert_eq!(written.load(std::sync::atomic::Ordering::Relaxed), 1 + rows.len() as u64, "every row written");
    assert_eq!(exported(&to, moved).await, (clinic_row.clone(), rows.clone()), "the same rows, ids and all");
    assert_eq!(to.count_clinic_rows(moved).await.unwrap(), from.count_clinic_rows(a.id).await.unwrap());
    let counted = every_tally(&from, a.id).await;
    assert!(!counted.answers.is_empty() && !counted.alerts.is_empty(), "the check-in and its alert are counted");
    assert_eq!(every_tally(&to, moved).await, counted, "the import counts the outcome tallies again");
    assert_eq!(to.client(moved, c.id).await.unwrap().map(|k| k.name), Some("Ada".to_owned()));
    // The moved clinic takes new rows, with ids past the moved ones.
    let newer = client(&to, moved, "Cy").await;
    assert!(newer.id.get() > c.id.get(), "a new client takes an id past the moved ones");
    // A second import of the same rows meets the staff e-mail and leaves nothing behind.
    let again = to.import_clinic(clinic_row, rows, written).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(to.clinics().await.unwrap().len(), 1, "the refused import left no clinic");
}

fn message(kind: MessageKind, recipient: Recipient, key: &str, at: Timestamp) -> NewMessage {
    NewMessage {
        kind,
        recipient,
        link_token: Some(Redacted::new(format!("token-{key}"))),
        idempotency_key: key.to_owned(),
        due_at: at,
        send_at: at,
        now: T0,
    }
}

async fn the_outbox<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, b_owner) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    let mut f = follow_up(24, 1);
    f.messages = vec![
        message(MessageKind::CheckIn, Recipient::Client, "k1", T0.plus_hours(24)),
        message(MessageKind::Reminder, Recipient::Client, "k2", T0.plus_hours(32)),
        // A staff member of another clinic is never a recipient.
        message(MessageKind::Alert, Recipient::Staff(b_owner.id), "k3", T0),
    ];
    let (_, fus) = s.record_session(a.id, session(c.id, owner.id), vec![f]).await.unwrap();
    let written = s.messages_of_follow_up(a.id, fus[0].id).await.unwrap();
    assert_eq!(written.len(), 2, "written with the follow-up, never to another clinic's staff");
    assert!(written.iter().all(|m| m.status == MessageStatus::Pending && m.attempts == 0));
    assert_eq!(written[0].link_token.as_ref().map(|t| t.expose().as_str()), Some("token-k1"));
    assert!(s.messages(b.id, None, 100).await.unwrap().is_empty(), "scoped to the clinic");
    assert!(s.messages_of_follow_up(b.id, fus[0].id).await.unwrap().is_empty());

    // Nothing is due before its time; two claims never share a message.
    assert!(s.claim_messages(T0.plus_hours(23), T0.plus_hours(24), "w1", 10).await.unwrap().is_empty());
    let at = T0.plus_hours(40);
    let first = s.claim_messages(at, at.plus_hours(1), "w1", 1).await.unwrap();
    let second = s.claim_messages(at, at.plus_hours(1), "w2", 10).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first[0].id, second[0].id);
    assert!(s.claim_messages(at, at.plus_hours(1), "w3", 10).await.unwrap().is_empty(), "both are held");
    // A claim that ran out (its worker died) is taken over; the old claim can no longer record.
    let taken = s.claim_messages(at.plus_hours(2), at.plus_hours(3), "w3", 10).await.unwrap();
    assert_eq!(taken.len(), 2);
    let sent = MessageOutcome::Sent { channel: "email".into() };
    assert!(!s.finish_message(a.id, first[0].id, "w1", sent.clone(), at).await.unwrap());
    assert!(!s.finish_message(b.id, first[0].id, "w3", sent.clone(), at).await.unwrap(), "scoped to the clinic");
    assert!(s.finish_message(a.id, first[0].id, "w3", sent.clone(), at).await.unwrap());
    let retry = MessageOutcome::Retry {
        channel: Some("email".into()),
        error: "421 busy".into(),
        next_attempt: at.plus_hours(1),
    };
    assert!(s.finish_message(a.id, second[0].id, "w3", retry, at).await.unwrap());
    let all = s.messages(a.id, None, 100).await.unwrap();
    let by_id = |id| all.iter().find(|m| m.id == id).cloned().unwrap();
    let done = by_id(first[0].id);
    assert_eq!(
        (done.status, done.attempts, done.sent_at, done.link_token.clone()),
        (MessageStatus::Sent, 1, Some(at), None)
    );
    let again = by_id(second[0].id);
    assert_eq!((again.status, again.attempts, again.next_attempt), (MessageStatus::Pending, 1, at.plus_hours(1)));
    assert_eq!(again.last_error.as_deref(), Some("421 busy"));
    assert!(again.link_token.is_some(), "kept until sent");
    assert_eq!(s.messages(a.id, Some(MessageStatus::Sent), 100).await.unwrap().len(), 1);

    // Postponing does not count as an attempt; failing keeps the reason and forgets the token.
    let later = s.claim_messages(at.plus_hours(1), at.plus_hours(2), "w4", 10).await.unwrap();
    assert_eq!(later.len(), 1);
    let postponed = MessageOutcome::Postponed { next_attempt: at.plus_hours(5) };
    assert!(s.finish_message(a.id, later[0].id, "w4", postponed, at.plus_hours(1)).await.unwrap());
    let m = s.claim_messages(at.plus_hours(5), at.plus_hours(6), "w5", 10).await.unwrap().remove(0);
    assert_eq!(m.attempts, 1);
    let failed = MessageOutcome::Failed { channel: Some("email".into()), error: "550 no such user".into() };
    assert!(s.finish_message(a.id, m.id, "w5", failed, at.plus_hours(5)).await.unwrap());
    let m = s.messages(a.id, Some(MessageStatus::Failed), 10).await.unwrap().remove(0);
    assert_eq!(s.newest_messages(a.id, MessageStatus::Failed, 10).await.unwrap(), vec![m.clone()]);
    assert!(s.newest_messages(b.id, MessageStatus::Failed, 10).await.unwrap().is_empty(), "scoped to the clinic");
    assert_eq!((m.attempts, m.last_error.as_deref(), m.link_token), (2, Some("550 no such user"), None));
    assert!(!s.finish_message(a.id, m.id, "w5", sent, at).await.unwrap(), "a finished message stays finished");

    // A key already in the outbox is not added again (one digest a day).
    let digest = NewMessage { link_token: None, ..message(MessageKind::Digest, Recipient::Staff(owner.id), "d-1", at) };
    assert!(s.enqueue_message(a.id, digest.clone()).await.unwrap());
    assert!(!s.enqueue_message(a.id, digest).await.unwrap());
    let to_clinic = NewMessage { link_token: None, ..message(MessageKind::Alert, Recipient::Clinic, "c-1", at) };
    assert!(s.enqueue_message(a.id, to_clinic).await.unwrap());
    let recipients: Vec<Recipient> =
        s.messages(a.id, Some(MessageStatus::Pending), 10).await.unwrap().iter().map(|m| m.recipient).collect();
    assert_eq!(recipients, vec![Recipient::Staff(owner.id), Recipient::Clinic]);

    // Opting out and the alert address are the clinic's own.
    assert!(s.set_client_opted_out(b.id, c.id, Some(at)).await.unwrap().is_none());
    assert_eq!(s.set_client_opted_out(a.id, c.id, Some(at)).await.unwrap().unwrap().opted_out_at, Some(at));
    assert_eq!(s.set_client_opted_out(a.id, c.id, None).await.unwrap().unwrap().opted_out_at, None);
    // So is a client's language, and a link's context carries it.
    assert!(s.set_client_language(b.id, c.id, Some("es")).await.unwrap().is_none());
    assert_eq!(s.set_client_language(a.id, c.id, Some("es")).await.unwrap().unwrap().language.as_deref(), Some("es"));
    assert_eq!(s.client(a.id, c.id).await.unwrap().unwrap().language.as_deref(), Some("es"));
    assert_eq!(s.set_client_language(a.id, c.id, None).await.unwrap().unwrap().language, None);
    assert_eq!(s.set_alert_to(a.id, Some("desk@a.example")).await.unwrap().alert_to.as_deref(), Some("desk@a.example"));
    assert_eq!(s.clinic(b.id).await.unwrap().unwrap().alert_to, None);
    assert_eq!(s.clinics().await.unwrap().len(), 2);
    assert_eq!(s.follow_up(a.id, fus[0].id).await.unwrap().map(|f| f.id), Some(fus[0].id));
    assert!(s.follow_up(b.id, fus[0].id).await.unwrap().is_none());
}

async fn check_ins_write_their_notices_and_next_follow_up<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let c = client(&s, a.id, "Ada").await;
    let (sess, fus) = s.record_session(a.id, session(c.id, owner.id), vec![follow_up(48, 1)]).await.unwrap();
    let notices = vec![
        NewMessage { link_token: None, ..message(MessageKind::Alert, Recipient::Staff(owner.id), "n1", T0) },
        NewMessage { link_token: None, ..message(MessageKind::Alert, Recipient::Clinic, "n2", T0) },
    ];
    let alert = NewAlert { client_id: c.id, level: lv("doctor"), notices };
    let mut next = follow_up(96, 2);
    next.messages = vec![message(MessageKind::CheckIn, Recipient::Client, "n3", T0.plus_hours(96))];
    let (_, raised) = s
        .record_check_in(a.id, check_in(sess.id, fus[0].id, 7, "doctor", T0.plus_hours(49)), Some(alert), Some(next))
        .await
        .unwrap();
    let raised = raised.unwrap();
    assert_eq!(s.alert(a.id, raised.id).await.unwrap().map(|x| x.level), Some(lv("doctor")));
    let all = s.messages(a.id, None, 10).await.unwrap();
    let alerts: Vec<&Message> = all.iter().filter(|m| m.kind == MessageKind::Alert).collect();
    assert_eq!(alerts.len(), 2);
    assert!(alerts.iter().all(|m| m.alert_id == Some(raised.id)), "the notices name their alert");
    let hours: Vec<i64> =
        s.follow_ups_of_session(a.id, sess.id).await.unwrap().iter().map(|f| f.offset_hours).collect();
    assert_eq!(hours, vec![48, 96], "the extra check-in is written with the check-in");
    let extra = s.follow_up_by_link_hash(&[2u8; 32]).await.unwrap().unwrap();
    assert_eq!(s.messages_of_follow_up(a.id, extra.id).await.unwrap().len(), 1);
    // A second answer at the same moment asking for the same hour adds nothing.
    let mut again = follow_up(96, 3);
    again.messages = vec![message(MessageKind::CheckIn, Recipient::Client, "n4", T0.plus_hours(96))];
    s.record_check_in(a.id, check_in(sess.id, fus[0].id, 7, "self_care", T0.plus_hours(49)), None, Some(again))
        .await
        .unwrap();
    assert_eq!(s.follow_ups_of_session(a.id, sess.id).await.unwrap().len(), 2);
    assert!(s.follow_up_by_link_hash(&[3u8; 32]).await.unwrap().is_none());
    assert_eq!(s.messages(a.id, None, 10).await.unwrap().len(), 3, "nor its messages");
    // A link's context in one read is the records read one by one.
    let ctx = s.link_context(&[1u8; 32]).await.unwrap().expect("the link leads somewhere");
    assert_eq!(ctx.follow_up, fus[0]);
    assert_eq!(Some(ctx.clinic), s.clinic(a.id).await.unwrap());
    assert_eq!(Some(ctx.session), s.session(a.id, sess.id).await.unwrap());
    assert_eq!(Some(ctx.client), s.client(a.id, c.id).await.unwrap());
    assert_eq!(ctx.earlier, s.check_in_stats(a.id, sess.id).await.unwrap());
    assert_eq!((ctx.earlier.count, ctx.earlier.lowest_soreness), (2, Some(7)));
    let hours: Vec<i64> =
        s.follow_ups_of_session(a.id, sess.id).await.unwrap().iter().map(|f| f.offset_hours).collect();
    assert_eq!(ctx.scheduled_hours, hours, "the session's follow-up hours, in order");
    assert_eq!(ctx.latest_intake, None, "no intake yet");
    // With intakes, the client's latest; never another client's.
    for v in [1, 2] {
        let body = format!("{{\"v\":{v}}}");
        s.save_intake(a.id, NewIntake { client_id: c.id, body, now: T0.plus_hours(v) }).await.unwrap();
    }
    let other = client(&s, a.id, "Other").await;
    s.save_intake(a.id, NewIntake { client_id: other.id, body: "{\"v\":3}".to_owned(), now: T0.plus_hours(3) })
        .await
        .unwrap();
    let ctx = s.link_context(&[1u8; 32]).await.unwrap().expect("the link leads somewhere");
    assert_eq!(ctx.latest_intake, s.latest_intake(a.id, c.id).await.unwrap());
    assert_eq!(ctx.latest_intake.map(|i| i.body), Some("{\"v\":2}".to_owned()), "the latest of the client's two");
    assert_eq!(s.link_context(&[9u8; 32]).await.unwrap(), None, "an unknown link");
}

async fn intake_links<S: Store>(s: S) {
    let (a, _) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let link = |client_id, hash: u8| NewIntakeLink {
        client_id,
        link_hash: Redacted::new(vec![hash; 32]),
        now: T0,
        expires_at: T0.plus_hours(24 * 30),
    };
    s.create_intake_link(a.id, link(None, 1)).await.unwrap();
    let public = s.intake_link(&[1u8; 32], T0).await.unwrap().expect("the public link");
    assert_eq!((public.clinic_id, public.client_id), (a.id, None));
    let newcomer = NewClient {
        language: None,
        name: "New Person".into(),
        email: None,
        phone: None,
        timezone: None,
        age_months: None,
        now: T0,
    };
    let first = s.intake_by_link(&public, Some(newcomer.clone()), "{}".into(), T0).await.unwrap().unwrap();
    let second = s.intake_by_link(&public, Some(newcomer), "{}".into(), T0).await.unwrap().unwrap();
    assert_ne!(first.client_id, second.client_id, "the public link takes many clients");
    assert_eq!(s.client(a.id, first.client_id).await.unwrap().map(|c| c.name), Some("New Person".into()));
    s.create_intake_link(a.id, link(None, 2)).await.unwrap();
    assert_eq!(
        s.intake_link(&[1u8; 32], T0.plus_hours(1)).await.unwrap(),
        None,
        "a new public link replaces the old one"
    );

    let c = client(&s, a.id, "Ada").await;
    assert!(s.create_intake_link(b.id, link(Some(c.id), 3)).await.is_err(), "B cannot make a link for A's client");
    s.create_intake_link(a.id, link(Some(c.id), 4)).await.unwrap();
    let own = s.intake_link(&[4u8; 32], T0).await.unwrap().unwrap();
    assert!(s.intake_by_link(&own, None, "{\"v\":1}".into(), T0).await.unwrap().is_some());
    assert_eq!(
        s.intake_by_link(&own, None, "{\"v\":2}".into(), T0).await.unwrap(),
        None,
        "a client's link is used once"
    );
    assert_eq!(s.intake_link(&[4u8; 32], T0).await.unwrap(), None);
    assert_eq!(s.latest_intake(a.id, c.id).await.unwrap().map(|i| i.body), Some("{\"v\":1}".into()));
    assert_eq!(s.intake_link(&[2u8; 32], T0.plus_hours(24 * 31)).await.unwrap(), None, "links expire");
}

async fn settings_staff_products_and_feedback<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    let renamed = s.update_clinic(a.id, "A Renamed", "AU", "Australia/Sydney").await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.country.as_str()), ("A Renamed", "AU"));
    assert_eq!(s.clinic(b.id).await.unwrap().unwrap().name, "B", "the other clinic is untouched");
    assert_eq!(renamed.check_in_hours, vec![24, 48], "the policy's default schedule");
    assert_eq!(s.set_check_in_hours(a.id, &[12, 36, 96]).await.unwrap().check_in_hours, vec![12, 36, 96]);
    assert_eq!(s.clinic(b.id).await.unwrap().unwrap().check_in_hours, vec![24, 48]);
    let worded = s.set_message_texts(a.id, Some("Hi {first_name}: {link}"), None).await.unwrap();
    assert_eq!((worded.plan_message.as_deref(), worded.check_in_message), (Some("Hi {first_name}: {link}"), None));
    assert_eq!(s.clinic(b.id).await.unwrap().unwrap().plan_message, None);

    let t = s.create_staff(a.id, staff("t@a.example", Role::Therapist)).await.unwrap();
    assert_eq!(s.staff_of_clinic(a.id).await.unwrap().len(), 2);
    assert_eq!(s.update_staff(b.id, t.id, Role::Owner, true, T0).await.unwrap(), None, "B cannot change A's staff");
    let hash = vec![5u8; 32];
    let token = NewApiToken {
        clinic_id: a.id,
        staff_id: t.id,
        label: "x".into(),
        token_hash: Redacted::new(hash.clone()),
        expires_at: DAY90,
        now: T0,
    };
    s.create_api_token(token).await.unwrap();
    assert!(s.staff_by_token_hash(&hash, T0).await.unwrap().is_some());
    let changed = s.update_staff(a.id, t.id, Role::FrontDesk, false, T0).await.unwrap().unwrap();
    assert_eq!((changed.role, changed.active), (Role::FrontDesk, false));
    assert_eq!(s.staff_by_token_hash(&hash, T0).await.unwrap(), None, "a deactivated member's token opens nothing");
    s.update_staff(a.id, t.id, Role::FrontDesk, true, T0).await.unwrap();
    assert_eq!(s.staff_by_token_hash(&hash, T0).await.unwrap(), None, "nor does it work again on reactivation");

    let p = s
        .add_product(a.id, NewProduct { name: "Bath flakes".into(), item: "epsom_salt".into(), url: None, now: T0 })
        .await
        .unwrap();
    assert_eq!(s.products(a.id).await.unwrap(), vec![p.clone()]);
    assert!(s.products(b.id).await.unwrap().is_empty());
    assert!(!s.remove_product(b.id, p.id).await.unwrap());
    assert!(s.remove_product(a.id, p.id).await.unwrap());
    assert!(s.products(a.id).await.unwrap().is_empty());

    let c = client(&s, a.id, "Ada").await;
    let (sess, fus) = s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1)]).await.unwrap();
    let (ci, _) = s
        .record_check_in(a.id, check_in(sess.id, fus[0].id, 2, "self_care", T0.plus_hours(24)), None, None)
        .await
        .unwrap();
    let new =
        |rating| NewFeedback { check_in_id: ci.id, rating, comment: Some("Thank you".into()), now: T0.plus_hours(25) };
    let f = s.add_feedback(a.id, new(Some(5))).await.unwrap();
    assert_eq!(f.rating, Some(5));
    assert!(s.add_feedback(b.id, new(Some(1))).await.is_err(), "B cannot leave feedback on A's check-in");
    assert_eq!(s.feedback_of_client(a.id, c.id).await.unwrap(), vec![f]);
    assert!(s.feedback_of_client(b.id, c.id).await.unwrap().is_empty());
    let _ = owner_b;
}

async fn staff_sessions<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let new = |clinic_id, hash: u8| NewStaffSession {
        clinic_id,
        staff_id: owner.id,
        token_hash: Redacted::new(vec![hash; 32]),
        csrf_token: Redacted::new("csrf".to_owned()),
        now: T0,
        expires_at: T0.plus_hours(12),
        second_factor_pending: false,
    };
    s.create_staff_session(new(a.id, 1)).await.unwrap();
    assert!(s.create_staff_session(new(b.id, 2)).await.is_err(), "a session in another clinic's name");
    let (who, session) = s.staff_session(&[1u8; 32], T0.plus_hours(1)).await.unwrap().expect("signed in");
    assert_eq!((who.id, session.csrf_token.expose().as_str()), (owner.id, "csrf"));
    assert_eq!(s.staff_session(&[1u8; 32], T0.plus_hours(12)).await.unwrap(), None, "expired");
    assert_eq!(s.staff_session(&[2u8; 32], T0).await.unwrap(), None);
    s.delete_staff_session(&[1u8; 32], T0).await.unwrap();
    assert_eq!(s.staff_session(&[1u8; 32], T0.plus_hours(1)).await.unwrap(), None, "signed out");

    // A new password keeps the sign-in it was changed from and ends the others.
    for hash in [3, 4] {
        s.create_staff_session(new(a.id, hash)).await.unwrap();
    }
    let hashed = || Redacted::new("$argon2id$new".to_owned());
    assert!(!s.set_staff_password(b.id, owner.id, hashed(), &[3u8; 32]).await.unwrap(), "not in another clinic");
    assert!(s.staff_session(&[4u8; 32], T0.plus_hours(1)).await.unwrap().is_some(), "another clinic changed nothing");
    assert!(s.set_staff_password(a.id, owner.id, hashed(), &[3u8; 32]).await.unwrap());
    let (who, _) = s.staff_session(&[3u8; 32], T0.plus_hours(1)).await.unwrap().expect("still signed in here");
    assert_eq!(who.password_hash, Some(hashed()));
    assert_eq!(s.staff_session(&[4u8; 32], T0.plus_hours(1)).await.unwrap(), None, "signed out elsewhere");
}

async fn searching_clients_and_the_days_work<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    for name in ["Zoe Adams", "adam_smith", "Bea Cole"] {
        client(&s, a.id, name).await;
    }
    client(&s, b.id, "Adam Other").await;
    let names = |list: Vec<Client>| list.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(names(s.clients(a.id, None, None, 10).await.unwrap()), vec!["adam_smith", "Bea Cole", "Zoe Adams"]);
    assert_eq!(names(s.clients(a.id, Some("ADAM"), None, 10).await.unwrap()), vec!["adam_smith", "Zoe Adams"]);
    assert_eq!(
        names(s.clients(a.id, Some("m_s"), None, 10).await.unwrap()),
        vec!["adam_smith"],
        "_ is a plain character"
    );
    assert!(s.clients(a.id, Some("%"), None, 10).await.unwrap().is_empty(), "% is a plain character");
    assert_eq!(s.clients(a.id, None, None, 2).await.unwrap().len(), 2);
    assert_eq!(names(s.clients(b.id, Some("adam"), None, 10).await.unwrap()), vec!["Adam Other"]);
    // A page at a time, by name in any case, then id: two clients may share a name.
    let twin = client(&s, a.id, "bea cole").await;
    let whole = s.clients(a.id, None, None, 100).await.unwrap();
    assert_eq!(names(whole.clone()), vec!["adam_smith", "Bea Cole", "bea cole", "Zoe Adams"]);
    assert!(whole.iter().any(|c| c.id == twin.id));
    let mut paged: Vec<Client> = Vec::new();
    loop {
        let after = paged.last().map(ClientPosition::of);
        let page = s.clients(a.id, None, after.as_ref(), 1).await.unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, whole, "pages of one put together");
    let after_adam = ClientPosition::of(&whole[0]);
    assert_eq!(names(s.clients(a.id, Some("adam"), Some(&after_adam), 10).await.unwrap()), vec!["Zoe Adams"]);

    let c = client(&s, a.id, "Cy").await;
    let (sess, fus) =
        s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1), follow_up(48, 2)]).await.unwrap();
    assert_eq!(s.sessions_between(a.id, T0, T0.plus_hours(1)).await.unwrap().len(), 1);
    assert!(s.sessions_between(a.id, T0.plus_hours(1), T0.plus_hours(2)).await.unwrap().is_empty());
    assert!(s.sessions_between(b.id, T0, T0.plus_hours(1)).await.unwrap().is_empty());
    s.record_check_in(a.id, check_in(sess.id, fus[0].id, 2, "self_care", T0.plus_hours(25)), None, None).await.unwrap();
    let due = s.follow_ups_due(a.id, T0, T0.plus_hours(72)).await.unwrap();
    assert_eq!(
        due.iter().map(|(f, answered)| (f.offset_hours, *answered)).collect::<Vec<_>>(),
        vec![(24, true), (48, false)]
    );
    assert_eq!(s.follow_ups_due(a.id, T0.plus_hours(30), T0.plus_hours(72)).await.unwrap().len(), 1);
    assert!(s.follow_ups_due(b.id, T0, T0.plus_hours(72)).await.unwrap().is_empty());

    // Many at once, in one read, and only the clinic's.
    let other = client(&s, b.id, "Other clinic's").await;
    let mut got = s.clients_by_ids(a.id, &[c.id, twin.id, other.id, ClientId(999_999)]).await.unwrap();
    got.sort_by_key(|x| x.id);
    let mut want = vec![c.clone(), twin.clone()];
    want.sort_by_key(|x| x.id);
    assert_eq!(got, want);
    assert!(s.clients_by_ids(a.id, &[]).await.unwrap().is_empty());
    assert_eq!(s.sessions_by_ids(a.id, &[sess.id]).await.unwrap(), vec![sess.clone()]);
    assert!(s.sessions_by_ids(b.id, &[sess.id]).await.unwrap().is_empty(), "scoped to the clinic");
    let answered = s.check_ins_of_session(a.id, sess.id).await.unwrap();
    assert_eq!(s.check_ins_by_ids(a.id, &[answered[0].id, CheckInId(999_999)]).await.unwrap(), answered);
    assert!(s.check_ins_by_ids(b.id, &[answered[0].id]).await.unwrap().is_empty(), "scoped to the clinic");
}

async fn clinics_and_staff<S: Store>(s: S) {
    s.ping().await.expect("ping");
    s.write_probe(T0).await.expect("a write probe on a fresh database");
    s.write_probe(T0.plus_hours(1)).await.expect("a second write probe rewrites the same row");
    let (c, owner) = clinic(&s, "Calm Hands", "owner@calm.example").await;
    assert_eq!(owner.clinic_id, c.id);
    assert_eq!(owner.role, Role::Owner);
    assert_eq!(s.clinic(c.id).await.unwrap().map(|x| x.name), Some("Calm Hands".to_owned()));
    let t = s.create_staff(c.id, staff("ther@calm.example", Role::Therapist)).await.unwrap();
    assert_eq!(s.staff_by_email("ther@calm.example").await.unwrap(), Some(t));
    let dup = s.create_staff(c.id, staff("ther@calm.example", Role::FrontDesk)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(s.staff_by_email("nobody@calm.example").await.unwrap(), None);
    assert_eq!(
        s.staff_in_clinic(c.id, owner.id).await.unwrap().map(|x| x.email),
        Some("owner@calm.example".to_owned())
    );
    let (other, _) = clinic(&s, "Other", "other@other.example").await;
    assert_eq!(s.staff_in_clinic(other.id, owner.id).await.unwrap(), None, "staff are clinic-scoped");
}

async fn api_tokens<S: Store>(s: S) {
    let (a, owner_a) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let hash = vec![7u8; 32];
    let new = NewApiToken {
        clinic_id: a.id,
        staff_id: owner_a.id,
        label: "ci".to_owned(),
        token_hash: Redacted::new(hash.clone()),
        expires_at: DAY90,
        now: T0,
    };
    let token = s.create_api_token(new).await.unwrap();
    assert_eq!(s.staff_by_token_hash(&hash, T0).await.unwrap().map(|x| x.id), Some(owner_a.id));
    assert_eq!(token.expires_at, DAY90);
    let last = Timestamp(DAY90.0 - 1);
    assert_eq!(s.staff_by_token_hash(&hash, last).await.unwrap().map(|x| x.id), Some(owner_a.id), "works to the end");
    assert_eq!(s.staff_by_token_hash(&hash, DAY90).await.unwrap(), None, "an expired token signs nobody in");
    assert_eq!(s.staff_by_token_hash(&[8u8; 32], T0).await.unwrap(), None);
    // A token for a staff member of another clinic cannot be made.
    let cross = NewApiToken {
        clinic_id: b.id,
        staff_id: owner_a.id,
        label: "x".to_owned(),
        token_hash: Redacted::new(vec![9; 32]),
        expires_at: DAY90,
        now: T0,
    };
    assert!(s.create_api_token(cross).await.is_err());
    assert!(!s.revoke_api_token(b.id, token.id, T0).await.unwrap(), "clinic B cannot revoke A's token");
    assert!(s.revoke_api_token(a.id, token.id, T0).await.unwrap());
    assert_eq!(s.staff_by_token_hash(&hash, T0).await.unwrap(), None, "a revoked token signs nobody in");
    for h in [11u8, 12] {
        let t = NewApiToken {
            clinic_id: a.id,
            staff_id: owner_a.id,
            label: "y".to_owned(),
            token_hash: Redacted::new(vec![h; 32]),
            expires_at: DAY90,
            now: T0,
        };
        s.create_api_token(t).await.unwrap();
    }
    assert_eq!(s.revoke_tokens_of_staff(b.id, owner_a.id, T0).await.unwrap(), 0, "B cannot revoke A's tokens");
    assert_eq!(s.revoke_tokens_of_staff(a.id, owner_a.id, T0).await.unwrap(), 2);
    assert_eq!(s.staff_by_token_hash(&[11u8; 32], T0).await.unwrap(), None);
}

async fn clients_and_intakes_are_clinic_scoped<S: Store>(s: S) {
    let (a, _) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    assert_eq!(s.client(a.id, c.id).await.unwrap().map(|x| x.name), Some("Ada".to_owned()));
    assert_eq!(s.client(b.id, c.id).await.unwrap(), None, "clinic B does not see A's client");
    let first =
        s.save_intake(a.id, NewIntake { client_id: c.id, body: "{\"v\":1}".to_owned(), now: T0 }).await.unwrap();
    let second =
        s.save_intake(a.id, NewIntake { client_id: c.id, body: "{\"v\":2}".to_owned(), now: T0 }).await.unwrap();
    assert!(second.id > first.id);
    assert_eq!(s.latest_intake(a.id, c.id).await.unwrap().map(|i| i.body), Some("{\"v\":2}".to_owned()));
    assert_eq!(s.latest_intake(b.id, c.id).await.unwrap(), None);
    let cross = s.save_intake(b.id, NewIntake { client_id: c.id, body: "{}".to_owned(), now: T0 }).await;
    assert!(matches!(cross, Err(StoreError::NotFound(_))), "{cross:?}");
}

async fn sessions_and_follow_ups_are_written_together<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    let (recorded, follow_ups) =
        s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1), follow_up(48, 2)]).await.unwrap();
    assert_eq!(recorded.areas, vec!["calves", "hamstrings"]);
    assert_eq!(follow_ups.len(), 2);
    assert!(follow_ups.iter().all(|f| f.session_id == recorded.id));
    assert_eq!(s.session(a.id, recorded.id).await.unwrap(), Some(recorded.clone()));
    assert_eq!(s.session(b.id, recorded.id).await.unwrap(), None);
    assert_eq!(s.sessions_of_client(a.id, c.id, None, 100).await.unwrap().len(), 1);
    assert_eq!(s.follow_ups_of_session(a.id, recorded.id).await.unwrap(), follow_ups);
    assert!(s.follow_ups_of_session(b.id, recorded.id).await.unwrap().is_empty());
    assert_eq!(s.follow_up_by_link_hash(&[2u8; 32]).await.unwrap().map(|f| f.offset_hours), Some(48));

    // Clinic B cannot record a session for A's client, and a failed session leaves no follow-up.
    let cross = s.record_session(b.id, session(c.id, owner_b.id), vec![follow_up(24, 3)]).await;
    assert!(cross.is_err());
    assert_eq!(s.follow_up_by_link_hash(&[3u8; 32]).await.unwrap(), None, "nothing half-written");
    // A duplicate link hash fails the whole session.
    let dup = s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 4), follow_up(48, 1)]).await;
    assert!(dup.is_err());
    assert_eq!(s.follow_up_by_link_hash(&[4u8; 32]).await.unwrap(), None);
    assert_eq!(s.sessions_of_client(a.id, c.id, None, 100).await.unwrap().len(), 1);

    // A client's sessions a page at a time, oldest first; two may end at the same instant.
    for (i, hours) in [5, 1, 1, 3].into_iter().enumerate() {
        let mut later = session(c.id, owner.id);
        later.ended_at = T0.plus_hours(hours);
        s.record_session(a.id, later, vec![follow_up(24, 10 + i as u8)]).await.unwrap();
    }
    let whole = s.sessions_of_client(a.id, c.id, None, 100).await.unwrap();
    assert_eq!(whole.len(), 5);
    assert!(whole.windows(2).all(|w| (w[0].ended_at, w[0].id) < (w[1].ended_at, w[1].id)), "oldest first");
    let mut paged: Vec<Session> = Vec::new();
    loop {
        let after = paged.last().map(SessionPosition::of);
        let page = s.sessions_of_client(a.id, c.id, after.as_ref(), 2).await.unwrap();
        let done = page.len() < 2;
        paged.extend(page);
        if done {
            break;
        }
    }
    assert_eq!(paged, whole, "pages of two put together");
    assert!(s.sessions_of_client(b.id, c.id, None, 100).await.unwrap().is_empty());
}

async fn check_ins_and_alerts<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    let (sess, fus) = s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1)]).await.unwrap();
    let fu = &fus[0];
    let (ci, none) =
        s.record_check_in(a.id, check_in(sess.id, fu.id, 3, "self_care", T0.plus_hours(24)), None, None).await.unwrap();
    assert!(none.is_none());
    assert_eq!(ci.soreness, Some(3));
    assert!(ci.triaged && ci.problems.is_empty());
    let doctor = NewAlert { client_id: c.id, level: lv("doctor"), notices: vec![] };
    let (_, alert) = s
        .record_check_in(a.id, check_in(sess.id, fu.id, 7, "doctor", T0.plus_hours(25)), Some(doctor), None)
        .await
        .unwrap();
    let alert = alert.expect("an alert is raised");
    let therapist = NewAlert { client_id: c.id, level: lv("therapist"), notices: vec![] };
    s.record_check_in(a.id, check_in(sess.id, fu.id, 6, "therapist", T0.plus_hours(26)), Some(therapist), None)
        .await
        .unwrap();
    let emergency = NewAlert { client_id: c.id, level: lv("emergency"), notices: vec![] };
    s.record_check_in(a.id, check_in(sess.id, fu.id, 2, "emergency", T0.plus_hours(27)), Some(emergency), None)
        .await
        .unwrap();

    let all = s.check_ins_of_session(a.id, sess.id).await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.soreness).collect::<Vec<_>>(),
        vec![Some(3), Some(7), Some(6), Some(2)],
        "every submission is kept"
    );
    assert_eq!(s.check_in_stats(a.id, sess.id).await.unwrap(), CheckInStats { count: 4, lowest_soreness: Some(2) });
    assert_eq!(s.check_in_stats(b.id, sess.id).await.unwrap(), CheckInStats::default(), "scoped to the clinic");
    assert_eq!(s.check_in(a.id, all[1].id).await.unwrap().as_ref(), Some(&all[1]));
    assert_eq!(s.check_in(b.id, all[1].id).await.unwrap(), None, "B cannot read A's check-in");
    assert_eq!(s.check_ins_of_client(a.id, c.id).await.unwrap().len(), 4);
    assert!(s.check_ins_of_session(b.id, sess.id).await.unwrap().is_empty());
    assert!(s.check_ins_of_client(b.id, c.id).await.unwrap().is_empty());
    let cross = s.record_check_in(b.id, check_in(sess.id, fu.id, 1, "self_care", T0), None, None).await;
    assert!(cross.is_err(), "clinic B cannot add a check-in to A's session");

    // The four answers came through one link: its one alert moved to the latest answer and
    // rose to the most urgent level.
    let open = s.alerts(a.id, Some(AlertStatus::Open), None, 100).await.unwrap();
    assert_eq!(open.iter().map(|a| (a.id, a.level.code())).collect::<Vec<_>>(), vec![(alert.id, "emergency")]);
    assert_eq!(open[0].check_in_id, all[3].id);
    assert!(s.alerts(b.id, None, None, 100).await.unwrap().is_empty());

    let ack =
        |staff_id| Acknowledgement { staff_id, note: Some("Called her; GP today".to_owned()), now: T0.plus_hours(30) };
    assert_eq!(s.acknowledge_alert(b.id, alert.id, ack(owner_b.id)).await.unwrap(), None, "B cannot see A's alert");
    assert_eq!(
        s.acknowledge_alert(a.id, alert.id, ack(owner_b.id)).await.unwrap().map(|(x, closed)| (x.status, closed)),
        Some((AlertStatus::Open, false)),
        "a staff member of another clinic cannot acknowledge"
    );
    let (done, closed) = s.acknowledge_alert(a.id, alert.id, ack(owner.id)).await.unwrap().expect("alert");
    assert!(closed, "this call acknowledged it");
    assert_eq!(done.status, AlertStatus::Acknowledged);
    assert_eq!(done.acknowledged_by, Some(owner.id));
    assert_eq!(done.acknowledged_at, Some(T0.plus_hours(30)));
    assert_eq!(done.note.as_deref(), Some("Called her; GP today"));
    let again =
        s.acknowledge_alert(a.id, alert.id, Acknowledgement { staff_id: owner.id, note: None, now: T0.plus_hours(40) });
    assert_eq!(
        again.await.unwrap().map(|(x, closed)| (x.acknowledged_at, closed)),
        Some((Some(T0.plus_hours(30)), false)),
        "the first acknowledgement stands"
    );
    assert!(s.alerts(a.id, Some(AlertStatus::Open), None, 100).await.unwrap().is_empty());
    assert_eq!(s.alerts(a.id, Some(AlertStatus::Acknowledged), None, 100).await.unwrap().len(), 1);
    // Once acknowledged, a new answer through the same link raises a new alert.
    let again = NewAlert { client_id: c.id, level: lv("doctor"), notices: vec![] };
    let (_, fresh) = s
        .record_check_in(a.id, check_in(sess.id, fu.id, 8, "doctor", T0.plus_hours(41)), Some(again), None)
        .await
        .unwrap();
    assert_ne!(fresh.map(|x| x.id), Some(alert.id));

    // An answer that could not be read is kept as sent, not triaged, with what was wrong,
    // and does not count as a soreness (care policy v1.2).
    let (sess2, fus2) = s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 91)]).await.unwrap();
    let mut unread = check_in(sess2.id, fus2[0].id, 0, "therapist", T0.plus_hours(28));
    unread.soreness = None;
    unread.triaged = false;
    unread.problems = vec!["temperature: 50 is out of range".to_owned()];
    let told = NewAlert { client_id: c.id, level: lv("therapist"), notices: vec![] };
    let (kept, _) = s.record_check_in(a.id, unread, Some(told), None).await.unwrap();
    assert_eq!((kept.soreness, kept.triaged), (None, false));
    assert_eq!(kept.problems, vec!["temperature: 50 is out of range".to_owned()]);
    assert_eq!(s.check_in(a.id, kept.id).await.unwrap().as_ref(), Some(&kept));
    assert_eq!(s.check_in_stats(a.id, sess2.id).await.unwrap().lowest_soreness, None, "no soreness was read");

    // Notes to read: only check-ins with a non-empty note, newest first, scoped to the clinic.
    let note = |at: i64, text: &str| {
        let mut c = check_in(sess2.id, fus2[0].id, 1, "self_care", T0.plus_hours(at));
        c.report = format!("{{\"soreness\": 1, \"symptoms\": [], \"note\": \"{text}\"}}");
        c
    };
    for (at, text) in [(40, "first"), (41, ""), (42, "second")] {
        s.record_check_in(a.id, note(at, text), None, None).await.unwrap();
    }
    let notes = s.check_ins_with_notes(a.id, T0.plus_hours(30), 10).await.unwrap();
    let hours: Vec<Timestamp> = notes.iter().map(|c| c.submitted_at).collect();
    assert_eq!(hours, vec![T0.plus_hours(42), T0.plus_hours(40)], "non-empty notes, newest first");
    assert!(notes[0].report.contains("second") && notes[1].report.contains("first"));
    assert_eq!(s.check_ins_with_notes(a.id, T0.plus_hours(30), 1).await.unwrap().len(), 1, "at most the limit");
    assert_eq!(s.check_ins_with_notes(a.id, T0.plus_hours(41), 10).await.unwrap().len(), 1, "since");
    assert!(s.check_ins_with_notes(b.id, T0, 10).await.unwrap().is_empty(), "scoped to the clinic");
}

/// Alerts page by page: the pages put together are the whole list in order, with no alert
/// twice and none missing, whatever the page size; a page never shows another clinic's.
async fn alerts_come_a_page_at_a_time<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    for (clinic, staff) in [(a.id, owner.id), (b.id, owner_b.id)] {
        let c = client(&s, clinic, "Ada").await;
        let levels = ["therapist", "emergency", "doctor"];
        for i in 0..17 {
            // One link each: answers through one link share an alert.
            let link = (clinic.get() * 40 + i) as u8;
            let (sess, fus) = s.record_session(clinic, session(c.id, staff), vec![follow_up(24, link)]).await.unwrap();
            let level = levels[i as usize % 3];
            // Some alerts share an instant: the id breaks the tie.
            let at = T0.plus_hours(24 + i / 2);
            let alert = NewAlert { client_id: c.id, level: lv(level), notices: vec![] };
            s.record_check_in(clinic, check_in(sess.id, fus[0].id, 5, level, at), Some(alert), None).await.unwrap();
        }
    }
    let open = s.alerts(a.id, Some(AlertStatus::Open), None, 100).await.unwrap();
    let ack = Acknowledgement { staff_id: owner.id, note: None, now: T0.plus_hours(60) };
    for x in open.iter().step_by(4) {
        s.acknowledge_alert(a.id, x.id, ack.clone()).await.unwrap();
    }
    for status in [None, Some(AlertStatus::Open), Some(AlertStatus::Acknowledged)] {
        let whole = s.alerts(a.id, status, None, 100).await.unwrap();
        assert!(whole.iter().all(|x| x.clinic_id == a.id && status.is_none_or(|st| x.status == st)));
        let rank = |x: &Alert| AlertPosition::LEVELS.iter().position(|l| *l == x.level);
        let sorted = whole.windows(2).all(|w| {
            (rank(&w[0]), std::cmp::Reverse((w[0].created_at, w[0].id)))
                < (rank(&w[1]), std::cmp::Reverse((w[1].created_at, w[1].id)))
        });
        assert!(sorted, "most urgent level first, newest first within a level");
        for size in [1, 2, 5, 7] {
            let mut paged: Vec<Alert> = Vec::new();
            loop {
                let after = paged.last().map(AlertPosition::of);
                let page = s.alerts(a.id, status, after.as_ref(), size).await.unwrap();
                assert!(page.len() <= size as usize);
                let done = page.len() < size as usize;
                paged.extend(page);
                if done {
                    break;
                }
            }
            assert_eq!(paged, whole, "pages of {size} put together, status {status:?}");
        }
        // A position from clinic A's list, used in clinic B, shows only B's alerts.
        if let Some(middle) = whole.get(whole.len() / 2) {
            let page = s.alerts(b.id, status, Some(&AlertPosition::of(middle)), 100).await.unwrap();
            assert!(page.iter().all(|x| x.clinic_id == b.id));
        }
    }
    assert_eq!(every_alert(&s, a.id, None).await.unwrap().len(), 17);
}

/// A client answering again and again through one link makes one alert, which follows the
/// latest answer and rises to the most urgent level; staff are told of the alert and of each
/// rise, never of a repeat, and not again within ten minutes of a notice at that level or
/// above on the same client. Every answer is kept.
async fn repeated_answers_update_one_alert_and_tell_staff_once<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let c = client(&s, a.id, "Ada").await;
    let (sess, fus) =
        s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1), follow_up(48, 2)]).await.unwrap();
    let (day1, day2) = (fus[0].id, fus[1].id);
    let mut n = 0;
    let mut answer = |follow_up: FollowUpId, level: &str, minutes: i64| {
        n += 1;
        let at = Timestamp(T0.plus_hours(30).0 + minutes * 60_000);
        // Notices written at the time of the answer.
        let notice =
            |recipient, key: String| NewMessage { now: at, ..message(MessageKind::Alert, recipient, &key, at) };
        let notices = vec![
            notice(Recipient::Staff(owner.id), format!("ther-{n}")),
            notice(Recipient::Clinic, format!("clinic-{n}")),
        ];
        let alert = NewAlert { client_id: c.id, level: lv(level), notices };
        (check_in(sess.id, follow_up, 5, level, at), alert)
    };
    let told = async |s: &S| {
        let all = s.messages(a.id, None, 100).await.unwrap();
        all.iter().filter(|m| m.kind == MessageKind::Alert).count()
    };
    let (ci, al) = answer(day1, "doctor", 0);
    let first = s.record_check_in(a.id, ci, Some(al), None).await.unwrap().1.unwrap();
    assert_eq!(told(&s).await, 2, "the therapist and the clinic are told");
    for (level, minute) in [("doctor", 1), ("therapist", 2), ("doctor", 3)] {
        let (ci, al) = answer(day1, level, minute);
        let (saved, same) = s.record_check_in(a.id, ci, Some(al), None).await.unwrap();
        let same = same.unwrap();
        assert_eq!((same.id, same.level.code(), same.check_in_id), (first.id, "doctor", saved.id));
    }
    assert_eq!(told(&s).await, 2, "repeats tell no one again");
    let (ci, al) = answer(day1, "emergency", 4);
    let risen = s.record_check_in(a.id, ci, Some(al), None).await.unwrap().1.unwrap();
    assert_eq!((risen.id, risen.level.code()), (first.id, "emergency"));
    assert_eq!(told(&s).await, 4, "a rise is told at once");
    let (ci, al) = answer(day2, "doctor", 6);
    let other = s.record_check_in(a.id, ci, Some(al), None).await.unwrap().1.unwrap();
    assert_ne!(other.id, first.id, "another link has its own alert");
    assert_eq!(told(&s).await, 4, "staff told of an emergency on this client 2 minutes ago are not told again");
    let ack = Acknowledgement { staff_id: owner.id, note: None, now: T0.plus_hours(31) };
    s.acknowledge_alert(a.id, first.id, ack).await.unwrap();
    let (ci, al) = answer(day1, "emergency", 20);
    let next = s.record_check_in(a.id, ci, Some(al), None).await.unwrap().1.unwrap();
    assert_ne!(next.id, first.id, "after acknowledgement the link raises a new alert");
    assert_eq!(told(&s).await, 6, "and ten minutes on, staff are told");
    assert_eq!(s.check_in_stats(a.id, sess.id).await.unwrap().count, 7, "every answer is kept");
}

/// The outcomes read the check-ins of the sessions that ended in a period, with each
/// session's therapist, type and pressure, and the alerts raised in it (from the tallies);
/// never another clinic's, and nothing outside the period.
async fn outcomes_read_the_check_ins_and_alerts_of_a_period<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    let cb = client(&s, b.id, "Bea").await;
    let (early, fus) =
        s.record_session(a.id, session(c.id, owner.id), vec![follow_up(24, 1), follow_up(48, 2)]).await.unwrap();
    let at = T0.plus_hours(25);
    s.record_check_in(a.id, check_in(early.id, fus[0].id, 4, "self_care", at), None, None).await.unwrap();
    let doctor = NewAlert { client_id: c.id, level: lv("doctor"), notices: vec![] };
    s.record_check_in(a.id, check_in(early.id, fus[1].id, 7, "doctor", T0.plus_hours(49)), Some(doctor), None)
        .await
        .unwrap();
    let later = NewSession { ended_at: T0.plus_hours(24 * 40), ..session(c.id, owner.id) };
    let (late, fus) = s.record_session(a.id, later, vec![follow_up(24 * 41, 3)]).await.unwrap();
    s.record_check_in(a.id, check_in(late.id, fus[0].id, 2, "self_care", T0.plus_hours(24 * 41)), None, None)
        .await
        .unwrap();
    let (other, fus) = s.record_session(b.id, session(cb.id, owner_b.id), vec![follow_up(24, 4)]).await.unwrap();
    let other_alert = NewAlert { client_id: cb.id, level: lv("emergency"), notices: vec![] };
    s.record_check_in(b.id, check_in(other.id, fus[0].id, 9, "emergency", at), Some(other_alert), None).await.unwrap();

    let rows = s.outcome_check_ins(a.id, T0, T0.plus_hours(24 * 30)).await.unwrap();
    let read: Vec<(SessionId, i64, Option<u8>, Level)> =
        rows.iter().map(|r| (r.session_id, r.offset_hours, r.soreness, r.level)).collect();
    assert_eq!(read, vec![(early.id, 24, Some(4), lv("self_care")), (early.id, 48, Some(7), lv("doctor"))]);
    assert_eq!(
        (rows[0].staff_id, rows[0].massage_type.as_str(), rows[0].pressure.as_str()),
        (owner.id, "deep_tissue", "firm")
    );
    assert_eq!(rows[0].areas, vec!["calves".to_owned(), "hamstrings".to_owned()]);
    assert_eq!(
        s.outcome_check_ins(a.id, T0.plus_hours(24 * 30), T0.plus_hours(24 * 60)).await.unwrap().len(),
        1,
        "the later session"
    );
    let alerts = every_tally(&s, a.id).await.alerts;
    assert_eq!(alerts.len(), 1, "only this clinic's alert: {alerts:?}");
    let one = &alerts[0];
    assert_eq!((one.staff_id, one.massage_type.as_str(), one.ack_step, one.alerts), (owner.id, "deep_tissue", 0, 1));
    assert_eq!(one.day, tally::Day::of(T0.plus_hours(49), &london()), "the day it was raised");
    let later = s.outcome_tallies(a.id, tally::Day(one.day.0 + 1), tally::Day(i32::MAX)).await.unwrap();
    assert!(later.alerts.is_empty(), "nothing outside the period");
}

/// The audit trail keeps each entry with who, what and from where, newest first, a page at a
/// time; one clinic's staff cannot write to another's, nor name another clinic's client.
async fn the_audit_trail_is_the_clinics_own_and_pages_newest_first<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, owner_b) = clinic(&s, "B", "b@b.example").await;
    let c = client(&s, a.id, "Ada").await;
    let cb = client(&s, b.id, "Bea").await;
    let entry = |client_id, action, minute: i64| NewAuditEntry {
        staff_id: owner.id,
        client_id,
        action,
        detail: String::new(),
        address: "192.0.2.1".to_owned(),
        now: Timestamp(T0.0 + minute * 60_000),
    };
    for (i, action) in
        [AuditAction::CreateClient, AuditAction::ViewClient, AuditAction::TakeIntake].into_iter().enumerate()
    {
        s.record_audit(a.id, entry(Some(c.id), action, i as i64)).await.unwrap();
    }
    s.record_audit(a.id, entry(None, AuditAction::ChangeSettings, 5)).await.unwrap();
    assert!(
        s.record_audit(a.id, entry(Some(cb.id), AuditAction::ViewClient, 6)).await.is_err(),
        "another clinic's client"
    );
    let foreign = NewAuditEntry { staff_id: owner_b.id, ..entry(None, AuditAction::Export, 7) };
    assert!(s.record_audit(a.id, foreign).await.is_err(), "another clinic's staff");
    let all = s.audit_trail(a.id, None, None, 10).await.unwrap();
    let actions: Vec<AuditAction> = all.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [AuditAction::ChangeSettings, AuditAction::TakeIntake, AuditAction::ViewClient, AuditAction::CreateClient]
    );
    assert_eq!((all[1].staff_id, all[1].client_id, all[1].address.as_str()), (Some(owner.id), Some(c.id), "192.0.2.1"));
    let of_ada = s.audit_trail(a.id, Some(c.id), None, 2).await.unwrap();
    assert_eq!(of_ada.iter().map(|e| e.action).collect::<Vec<_>>(), [AuditAction::TakeIntake, AuditAction::ViewClient]);
    let next = s.audit_trail(a.id, Some(c.id), Some(of_ada[1].id), 2).await.unwrap();
    assert_eq!(next.iter().map(|e| e.action).collect::<Vec<_>>(), [AuditAction::CreateClient]);
    assert!(s.audit_trail(b.id, None, None, 10).await.unwrap().is_empty(), "clinic B sees none of A's");
}

/// Erasing a client removes their name, contact details, intakes, links, feedback, the
/// words of their answers and notes, and every message about them; their links stop
/// working; the levels and soreness of their answers stay, for the clinic's counts. Another
/// clinic cannot erase them.
async fn erasing_a_client_leaves_no_words_of_theirs_and_keeps_the_counts<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let new = NewClient {
        language: None,
        name: "Ada Lovelace".into(),
        email: Some("ada@example.com".into()),
        phone: Some("+44 7700 900123".into()),
        timezone: Some("Europe/Paris".into()),
        age_months: Some(480),
        now: T0,
    };
    let c = s.create_client(a.id, new).await.unwrap();
    s.save_intake(a.id, NewIntake { client_id: c.id, body: "{\"first_massage\": true}".into(), now: T0 })
        .await
        .unwrap();
    let link = NewIntakeLink {
        client_id: Some(c.id),
        link_hash: Redacted::new(vec![9; 32]),
        now: T0,
        expires_at: T0.plus_hours(24),
    };
    s.create_intake_link(a.id, link).await.unwrap();
    let mut f = follow_up(24, 1);
    f.messages = vec![message(MessageKind::CheckIn, Recipient::Client, "erase-k1", T0.plus_hours(24))];
    let (sess, fus) = s.record_session(a.id, session(c.id, owner.id), vec![f]).await.unwrap();
    let mut answer = check_in(sess.id, fus[0].id, 6, "doctor", T0.plus_hours(25));
    answer.report = "{\"soreness\": 6, \"note\": \"my calf is hot\"}".into();
    let alert = NewAlert {
        client_id: c.id,
        level: lv("doctor"),
        notices: vec![message(MessageKind::Alert, Recipient::Clinic, "erase-k2", T0)],
    };
    let (ci, raised) = s.record_check_in(a.id, answer, Some(alert), None).await.unwrap();
    let raised = raised.unwrap();
    s.acknowledge_alert(
        a.id,
        raised.id,
        Acknowledgement { staff_id: owner.id, note: Some("called Ada".into()), now: T0.plus_hours(26) },
    )
    .await
    .unwrap();
    s.add_feedback(
        a.id,
        NewFeedback {
            check_in_id: ci.id,
            rating: Some(4),
            comment: Some("thanks Maya".into()),
            now: T0.plus_hours(27),
        },
    )
    .await
    .unwrap();

    assert_eq!(s.erase_client(b.id, c.id, T0.plus_hours(30)).await.unwrap(), None, "not another clinic's to erase");
    assert_eq!(s.client(a.id, c.id).await.unwrap().unwrap().name, "Ada Lovelace", "and nothing changed");

    let erased = s.erase_client(a.id, c.id, T0.plus_hours(30)).await.unwrap().expect("erased");
    let mut keys = erased.message_keys.clone();
    keys.sort();
    assert_eq!(keys, ["erase-k1", "erase-k2"]);
    assert_eq!(erased.identifiers, ["Ada Lovelace", "ada@example.com", "+44 7700 900123"]);
    let left = s.client(a.id, c.id).await.unwrap().unwrap();
    assert_eq!(
        (left.name.as_str(), left.email, left.phone, left.timezone, left.age_months),
        (ERASED_NAME, None, None, None, None)
    );
    assert!(left.opted_out_at.is_some(), "no message goes to an erased client");
    assert!(s.clients(a.id, Some("Ada"), None, 10).await.unwrap().is_empty(), "not found by name");
    assert_eq!(s.latest_intake(a.id, c.id).await.unwrap(), None);
    assert_eq!(s.intake_link(&[9; 32], T0).await.unwrap(), None, "the intake link is gone");
    assert_eq!(s.follow_up_by_link_hash(&[1; 32]).await.unwrap(), None, "the check-in link no longer works");
    assert!(s.messages_of_follow_up(a.id, fus[0].id).await.unwrap().is_empty());
    assert!(s.messages(a.id, None, 100).await.unwrap().is_empty(), "no message about them");
    assert!(s.feedback_of_client(a.id, c.id).await.unwrap().is_empty());
    let kept = s.check_in(a.id, ci.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.report.as_str(), kept.soreness, kept.level),
        ("{}", Some(6), lv("doctor")),
        "the counts stay, the words go"
    );
    let sess = s.session(a.id, sess.id).await.unwrap().unwrap();
    assert_eq!((sess.notes, sess.techniques.len(), sess.massage_type.as_str()), (None, 0, "deep_tissue"));
    assert_eq!(s.alert(a.id, raised.id).await.unwrap().unwrap().note, None);
    assert_eq!(s.outcome_check_ins(a.id, T0, T0.plus_hours(48)).await.unwrap().len(), 1, "outcomes still count it");
}

async fn password_links_work_once_until_they_expire_and_go_through_the_outbox<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let member = s.create_staff(a.id, staff("t@a.example", Role::Therapist)).await.unwrap();
    assert!(!member.password_chosen, "a new member's password was given to them");
    let link = |hash: u8, purpose, void_password| NewPasswordLink {
        staff_id: member.id,
        purpose,
        token: Redacted::new(format!("token-{hash}")),
        token_hash: Redacted::new(vec![hash; 32]),
        idempotency_key: format!("password-{hash}"),
        expires_at: T0.plus_hours(1),
        void_password,
        now: T0,
    };
    assert_eq!(
        s.create_password_link(b.id, link(1, PasswordPurpose::PasswordReset, false)).await.unwrap(),
        None,
        "not another clinic's member"
    );
    let made = s.create_password_link(a.id, link(1, PasswordPurpose::PasswordReset, false)).await.unwrap().unwrap();
    assert_eq!((made.staff_id, made.purpose), (member.id, PasswordPurpose::PasswordReset));
    // The e-mail is in the outbox with the link's token, for the member.
    let outbox = s.messages(a.id, None, 100).await.unwrap();
    let m = outbox.iter().find(|m| m.idempotency_key == "password-1").expect("the e-mail is in the outbox");
    assert_eq!((m.kind, m.recipient), (MessageKind::PasswordReset, Recipient::Staff(member.id)));
    assert_eq!(m.link_token.as_ref().map(|t| t.expose().as_str()), Some("token-1"));
    let (found, who) = s.password_link(&[1u8; 32], T0).await.unwrap().expect("the link works");
    assert_eq!((found.id, who.id), (made.id, member.id));
    assert_eq!(s.password_link(&[1u8; 32], T0.plus_hours(1)).await.unwrap(), None, "expired at its hour");
    // A newer link ends the older one.
    s.create_password_link(a.id, link(2, PasswordPurpose::PasswordReset, false)).await.unwrap().unwrap();
    assert_eq!(s.password_link(&[1u8; 32], T0).await.unwrap(), None, "replaced by the newer link");
    // Using it sets the password, chosen by them, and ends their sign-ins; once only.
    let session = NewStaffSession {
        clinic_id: a.id,
        staff_id: member.id,
        token_hash: Redacted::new(vec![9; 32]),
        csrf_token: Redacted::new("csrf".to_owned()),
        now: T0,
        expires_at: T0.plus_hours(12),
        second_factor_pending: false,
    };
    s.create_staff_session(session.clone()).await.unwrap();
    let hashed = Redacted::new("$argon2id$chosen".to_owned());
    assert_eq!(s.use_password_link(&[2u8; 32], hashed.clone(), T0.plus_hours(1)).await.unwrap(), None, "expired");
    let after = s.use_password_link(&[2u8; 32], hashed.clone(), T0).await.unwrap().expect("used");
    assert_eq!((after.password_hash.clone(), after.password_chosen), (Some(hashed.clone()), true));
    assert_eq!(s.staff_session(&[9u8; 32], T0).await.unwrap(), None, "their sign-ins ended");
    assert_eq!(s.use_password_link(&[2u8; 32], hashed.clone(), T0).await.unwrap(), None, "used once only");
    // An owner requiring a member's own password voids the current one and their sign-ins.
    s.create_staff_session(NewStaffSession { token_hash: Redacted::new(vec![8; 32]), ..session }).await.unwrap();
    s.create_password_link(a.id, link(3, PasswordPurpose::Invitation, true)).await.unwrap().unwrap();
    let voided = s.staff_in_clinic(a.id, member.id).await.unwrap().unwrap();
    assert_eq!((voided.password_hash, voided.password_chosen), (None, false));
    assert_eq!(s.staff_session(&[8u8; 32], T0).await.unwrap(), None);
    // An inactive member's link does not work.
    s.update_staff(a.id, member.id, Role::Therapist, false, T0).await.unwrap();
    assert_eq!(s.password_link(&[3u8; 32], T0).await.unwrap(), None);
    assert_eq!(s.use_password_link(&[3u8; 32], hashed, T0).await.unwrap(), None);
    let _ = owner;
}

async fn a_second_factor_takes_each_code_once<S: Store>(s: S) {
    let (a, owner) = clinic(&s, "A", "a@a.example").await;
    let (b, _) = clinic(&s, "B", "b@b.example").await;
    let secret = || Some(Redacted::new("JBSWY3DPEHPK3PXP".to_owned()));
    let codes = vec![vec![1u8; 32], vec![2u8; 32]];
    assert!(!s.set_two_factor(b.id, owner.id, secret(), &codes).await.unwrap(), "not in another clinic");
    assert!(!s.take_totp_step(a.id, owner.id, 10).await.unwrap(), "no second factor yet");
    assert!(s.set_two_factor(a.id, owner.id, secret(), &codes).await.unwrap());
    assert_eq!(s.staff_in_clinic(a.id, owner.id).await.unwrap().unwrap().totp_secret, secret());
    assert!(s.take_totp_step(a.id, owner.id, 10).await.unwrap());
    assert!(!s.take_totp_step(a.id, owner.id, 10).await.unwrap(), "the same code twice");
    assert!(!s.take_totp_step(a.id, owner.id, 9).await.unwrap(), "an older code after a newer one");
    assert!(s.take_totp_step(a.id, owner.id, 11).await.unwrap());
    assert!(!s.take_totp_step(b.id, owner.id, 12).await.unwrap(), "not through another clinic");
    assert_eq!(s.recovery_codes_left(a.id, owner.id).await.unwrap(), 2);
    assert!(!s.use_recovery_code(b.id, owner.id, &[1u8; 32], T0).await.unwrap());
    assert!(s.use_recovery_code(a.id, owner.id, &[1u8; 32], T0).await.unwrap());
    assert!(!s.use_recovery_code(a.id, owner.id, &[1u8; 32], T0).await.unwrap(), "each recovery code once");
    assert_eq!(s.recovery_codes_left(a.id, owner.id).await.unwrap(), 1);
    // Turned off: no secret, no codes.
    assert!(s.set_two_factor(a.id, owner.id, None, &codes).await.unwrap());
    assert_eq!(s.staff_in_clinic(a.id, owner.id).await.unwrap().unwrap().totp_secret, None);
    assert_eq!(s.recovery_codes_left(a.id, owner.id).await.unwrap(), 0);
    // How clients reach the clinic.
    let with = s.set_clinic_contact(a.id, Some("+44 20 7946 0000"), Some("care@calm.example")).await.unwrap();
    assert_eq!((with.phone.as_deref(), with.email.as_deref()), (Some("+44 20 7946 0000"), Some("care@calm.example")));
    assert_eq!(s.clinic(b.id).await.unwrap().unwrap().phone, None, "another clinic is not touched");
    let without = s.set_clinic_contact(a.id, None, None).await.unwrap();
    assert_eq!((without.phone, without.email), (None, None));
    // The clinic's requirement reaches every sign-in of its members.
    assert!(s.set_require_two_factor(a.id, true).await.unwrap().require_two_factor);
    let pending = NewStaffSession {
        clinic_id: a.id,
        staff_id: owner.id,
        token_hash: Redacted::new(vec![5; 32]),
        csrf_token: Redacted::new("csrf".to_owned()),
        now: T0,
        expires_at: T0.plus_hours(1),
        second_factor_pending: true,
    };
    s.create_staff_session(pending).await.unwrap();
    let (_, session) = s.staff_session(&[5u8; 32], T0).await.unwrap().unwrap();
    assert!(session.second_factor_pending && session.clinic_requires_two_factor);
    assert!(!s.complete_second_factor(&[5u8; 32], T0.plus_hours(1), T0.plus_hours(13)).await.unwrap(), "expired");
    assert!(s.complete_second_factor(&[5u8; 32], T0, T0.plus_hours(12)).await.unwrap());
    assert!(!s.complete_second_factor(&[5u8; 32], T0, T0.plus_hours(12)).await.unwrap(), "once");
    let (_, session) = s.staff_session(&[5u8; 32], T0.plus_hours(11)).await.unwrap().expect("now lasts 12 hours");
    assert!(!session.second_factor_pending);
}

/// A table as a backend's catalogue describes it: for the check that the schema is ready to
/// shard by clinic.
#[derive(Debug, Clone)]
pub struct TableShape {
    /// The table's name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// Its primary key and each of its indexes: their columns, in order.
    pub keys: Vec<Vec<String>>,
}

/// The tables that hold no clinic's data: the clinics themselves, the one-row write probe and
/// the migrations' own record.
pub const NOT_CLINIC_DATA: [&str; 4] = ["clinics", "write_probe", "_sqlx_migrations", "schema_migrations"];

/// What keeps `tables` from being distributed by clinic: each table of clinic data must carry
/// `clinic_id` and have its primary key or an index led by it. Empty when ready.
pub fn not_ready_to_shard(tables: &[TableShape]) -> Vec<String> {
    let mut problems = Vec::new();
    for t in tables.iter().filter(|t| !NOT_CLINIC_DATA.contains(&t.name.as_str())) {
        if !t.columns.iter().any(|c| c == "clinic_id") {
            problems.push(format!("{} has no clinic_id", t.name));
        } else if !t.keys.iter().any(|k| k.first().is_some_and(|c| c == "clinic_id")) {
            problems.push(format!("{}: neither its primary key nor an index starts with clinic_id", t.name));
        }
    }
    problems
}

/// What a clinic's export would leave out or get wrong: a table of clinic data not in
/// [`crate::moving::TABLES`], or a table whose columns there differ from the catalogue's
/// (`clinic_id` aside; the clinic's own row without its `id`). Empty when every column of
/// every table moves with its clinic.
pub fn not_moved(tables: &[TableShape]) -> Vec<String> {
    use crate::moving::{CLINIC, NOT_MOVED, TABLES};
    let mut problems = Vec::new();
    for t in tables {
        let (listed, skip): (Option<&crate::moving::Table>, &[&str]) = if t.name == CLINIC.name {
            (Some(&CLINIC), &["id"])
        } else if NOT_MOVED.contains(&t.name.as_str()) {
            continue;
        } else {
            (TABLES.iter().find(|m| m.name == t.name), &["clinic_id"])
        };
        let Some(listed) = listed else {
            problems.push(format!("{} is not moved with its clinic", t.name));
            continue;
        };
        let mut theirs: Vec<&str> = t.columns.iter().map(String::as_str).filter(|c| !skip.contains(c)).collect();
        let mut ours: Vec<&str> = listed.columns.iter().map(|(name, _)| *name).collect();
        theirs.sort_unstable();
        ours.sort_unstable();
        if theirs != ours {
            problems.push(format!("{}: the table has {theirs:?}, an export moves {ours:?}", t.name));
        }
    }
    for m in &TABLES {
        if !tables.iter().any(|t| t.name == m.name) {
            problems.push(format!("{} is moved but not in the schema", m.name));
        }
    }
    problems
}
