//! A full disk under concurrent writes: nothing answered as saved is lost, and writing works
//! again as soon as space returns, with no restart.

use store::*;
use store_sqlite::SqliteStore;
use store_sqlite::testing::SmallDisk;

fn link_messages(key: &str, at: Timestamp) -> Vec<NewMessage> {
    [MessageKind::CheckIn, MessageKind::Reminder]
        .into_iter()
        .map(|kind| NewMessage {
            kind,
            recipient: Recipient::Client,
            link_token: Some(Redacted::new(format!("token-{key}-{}", kind.code()))),
            idempotency_key: format!("{key}-{}", kind.code()),
            due_at: at,
            send_at: at,
            now: at,
        })
        .collect()
}

/// Records `n` sessions (each with two follow-ups and their messages, in one transaction)
/// from `tasks` concurrent tasks; the ids of those the store answered as saved, and the
/// errors of the rest.
async fn record_sessions(
    s: &SqliteStore,
    clinic_id: ClinicId,
    client_id: ClientId,
    staff_id: StaffId,
    round: &str,
    tasks: usize,
    n: usize,
) -> (Vec<SessionId>, Vec<StoreError>) {
    let now = Timestamp(1_790_000_000_000);
    let mut handles = Vec::new();
    for t in 0..tasks {
        let s = s.clone();
        let round = round.to_owned();
        handles.push(tokio::spawn(async move {
            let mut saved = Vec::new();
            let mut failed = Vec::new();
            for i in 0..n {
                let key = format!("{round}-{t}-{i}");
                let session = NewSession {
                    baby_birth_date: None,
                    client_id,
                    staff_id,
                    massage_type: "swedish".into(),
                    pressure: "medium".into(),
                    areas: vec!["neck".into(), "upper_back".into()],
                    techniques: vec![],
                    first_massage: false,
                    // A few hundred bytes a session, so that the database keeps growing.
                    notes: Some(format!("{key} {}", "x".repeat(400))),
                    ended_at: now,
                    now,
                };
                let follow_ups = [24, 48]
                    .into_iter()
                    .map(|h| NewFollowUp {
                        kind: "check_in".into(),
                        offset_hours: h,
                        due_at: now.plus_hours(h),
                        due_day: tally::Day::of(now.plus_hours(h), &jiff::tz::TimeZone::UTC),
                        expires_at: now.plus_hours(h + 168),
                        link_hash: Redacted::new(format!("{key}-{h}").into_bytes()),
                        messages: link_messages(&format!("{key}-{h}"), now),
                    })
                    .collect();
                match s.record_session(clinic_id, session, follow_ups).await {
                    Ok((recorded, _)) => saved.push(recorded.id),
                    Err(e) => failed.push(e),
                }
            }
            (saved, failed)
        }));
    }
    let mut saved = Vec::new();
    let mut failed = Vec::new();
    for h in handles {
        let (s, f) = h.await.unwrap();
        saved.extend(s);
        failed.extend(f);
    }
    (saved, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_loses_no_acknowledged_write_and_writing_recovers_when_space_returns() {
    let disk = SmallDisk::mount("disk-full", "16m");
    let now = Timestamp(1_790_000_000_000);
    let (clinic_id, client_id, staff_id) = {
        let s = SqliteStore::open_dir(&disk.dir).await.unwrap();
        s.migrate().await.unwrap();
        let owner =
            NewStaff { email: "o@x.example".into(), name: "O".into(), role: Role::Owner, password_hash: None, now };
        let clinic = NewClinic {
            check_in_hours: vec![24, 48],
            name: "X".into(),
            country: "GB".into(),
            timezone: "Europe/London".into(),
            now,
        };
        let (clinic, owner) = s.create_clinic(clinic, owner).await.unwrap();
        let client = NewClient {
            language: None,
            name: "Ada".into(),
            email: None,
            phone: None,
            timezone: None,
            age_months: None,
            now,
        };
        let client = s.create_client(clinic.id, client).await.unwrap();
        s.close().await;
        (clinic.id, client.id, owner.id)
    };

    let s = SqliteStore::open_dir(&disk.dir).await.unwrap();
    let filler = disk.fill();
    let (mut saved, failed) = record_sessions(&s, clinic_id, client_id, staff_id, "full", 8, 40).await;
    assert!(!failed.is_empty(), "the disk was full, yet every write succeeded: the test did not fill it");
    for e in &failed {
        assert!(matches!(e, StoreError::Unavailable(_)), "a full disk is reported as unavailable, not as {e:?}");
    }

    // Space comes back: every write works again, with no restart.
    std::fs::remove_file(filler).unwrap();
    s.write_probe(now).await.expect("the write probe works once space is back");
    let (after, failed) = record_sessions(&s, clinic_id, client_id, staff_id, "after", 8, 10).await;
    assert!(failed.is_empty(), "writes still fail after space came back: {failed:?}");
    assert_eq!(after.len(), 80);
    saved.extend(after);

    // Everything answered as saved is there after the database is closed and opened again.
    s.close().await;
    let s = SqliteStore::open_dir(&disk.dir).await.unwrap();
    let mut missing = Vec::new();
    for id in &saved {
        match s.session(clinic_id, *id).await.unwrap() {
            Some(_) => assert_eq!(s.follow_ups_of_session(clinic_id, *id).await.unwrap().len(), 2),
            None => missing.push(*id),
        }
    }
    assert!(missing.is_empty(), "{} of {} acknowledged sessions were lost: {missing:?}", missing.len(), saved.len());
}
