//! The SQLite store passes the storage conformance suite, what it acknowledged is still
//! there after the database is closed and opened again or the disk fills, and every query it
//! runs has the access path held in `query_plans.txt`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test should stop loudly

use store::*;
use store_sqlite::SqliteStore;

mod disk_full;
mod query_plans;

async fn fresh() -> SqliteStore {
    let s = SqliteStore::open_url("sqlite::memory:").await.expect("in-memory database");
    s.migrate().await.expect("migrations run");
    s
}

#[tokio::test]
async fn the_sqlite_store_passes_the_conformance_suite() {
    store::conformance::run_all(fresh).await;
}

#[tokio::test]
async fn data_survives_closing_and_reopening_the_file_and_migrations_run_twice() {
    let dir = std::env::temp_dir().join(format!("aftercare-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let now = Timestamp(1_790_000_000_000);
    {
        let s = SqliteStore::open_dir(&dir).await.unwrap();
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
        s.create_clinic(clinic, owner).await.unwrap();
    }
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    assert!(s.staff_by_email("o@x.example").await.unwrap().is_some());
    assert!(dir.join("aftercare.db").exists());
    // The data directory and the database's files are their owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir.clone()), 0o700);
    for file in ["aftercare.db", "aftercare.db-wal", "aftercare.db-shm"] {
        assert_eq!(mode(dir.join(file)), 0o600, "{file}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The audit trail is append-only in the database itself: an entry cannot be changed or
/// deleted, whoever holds the file.
#[tokio::test]
async fn the_audit_trail_cannot_be_changed_or_deleted() {
    let dir = std::env::temp_dir().join(format!("aftercare-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    let new = NewClinic {
        check_in_hours: vec![24],
        name: "A".into(),
        country: "GB".into(),
        timezone: "Europe/London".into(),
        now: Timestamp(0),
    };
    let owner = NewStaff {
        email: "a@a.example".into(),
        name: "A".into(),
        role: Role::Owner,
        password_hash: None,
        now: Timestamp(0),
    };
    let (clinic, owner) = s.create_clinic(new, owner).await.unwrap();
    let entry = NewAuditEntry {
        staff_id: owner.id,
        client_id: None,
        action: AuditAction::ChangeSettings,
        detail: "the check-in times".into(),
        address: "192.0.2.1".into(),
        now: Timestamp(1),
    };
    s.record_audit(clinic.id, entry).await.unwrap();
    s.close().await;
    let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
    for sql in ["UPDATE audit_log SET detail = 'nothing'", "DELETE FROM audit_log"] {
        let e = conn.execute_batch(sql).expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    conn.close().map_err(|(_, e)| e).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Check-ins sent at once are committed together (the group commit), and each stands or fails
/// alone: one whose follow-up is not the clinic's fails, and the others of its batch are all
/// saved; every answered one is there after the database is opened again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_ins_sent_at_once_are_each_saved_or_refused_alone() {
    let dir = std::env::temp_dir().join(format!("aftercare-group-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let now = Timestamp(1_790_000_000_000);
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    let owner = NewStaff { email: "o@x.example".into(), name: "O".into(), role: Role::Owner, password_hash: None, now };
    let clinic = NewClinic {
        check_in_hours: vec![24, 48],
        name: "X".into(),
        country: "GB".into(),
        timezone: "Europe/London".into(),
        now,
    };
    let (clinic, owner) = s.create_clinic(clinic, owner).await.unwrap();
    let new_client =
        NewClient { language: None, name: "C".into(), email: None, phone: None, timezone: None, age_months: None, now };
    let client = s.create_client(clinic.id, new_client).await.unwrap();
    let session = NewSession {
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
    let follow_up = NewFollowUp {
        kind: "check_in".into(),
        offset_hours: 24,
        due_at: now.plus_hours(24),
        due_day: tally::Day::of(now.plus_hours(24), &jiff::tz::TimeZone::UTC),
        expires_at: now.plus_hours(200),
        link_hash: Redacted::new(vec![7; 32]),
        messages: vec![],
    };
    let (session, follow_ups) = s.record_session(clinic.id, session, vec![follow_up]).await.unwrap();
    let mut answers = Vec::new();
    for i in 0..200u32 {
        let s = s.clone();
        let follow_up_id = if i % 10 == 3 { FollowUpId(999_999) } else { follow_ups[0].id };
        let c = NewCheckIn {
            session_id: session.id,
            follow_up_id,
            report: format!("{{\"soreness\": {}}}", i % 10),
            soreness: Some((i % 10) as u8),
            triaged: true,
            problems: vec![],
            hours_since: 24.0,
            level: Level::SelfCare,
            fired: vec![],
            now: now.plus_hours(24),
            day: tally::Day::of(now.plus_hours(24), &jiff::tz::TimeZone::UTC),
            due_day: tally::Day::of(now.plus_hours(24), &jiff::tz::TimeZone::UTC),
        };
        answers.push(tokio::spawn(async move { s.record_check_in(clinic.id, c, None, None).await }));
    }
    let (mut saved, mut refused) = (0, 0);
    for a in answers {
        match a.await.unwrap() {
            Ok(_) => saved += 1,
            Err(_) => refused += 1,
        }
    }
    assert_eq!((saved, refused), (180, 20), "each stands or fails alone");
    drop(s);
    let again = SqliteStore::open_dir(&dir).await.unwrap();
    assert_eq!(again.check_ins_of_session(clinic.id, session.id).await.unwrap().len(), 180);
    let tallies = again.outcome_tallies(clinic.id, tally::Day(i32::MIN), tally::Day(i32::MAX)).await.unwrap();
    let answers: u64 = tallies.answers.iter().map(|t| t.answers).sum();
    assert_eq!(answers, 180, "a failed check-in undoes its tallies with it");
    assert_eq!(tallies.asked.iter().map(|t| (t.asked, t.answered)).collect::<Vec<_>>(), [(1, 1)]);
    std::fs::remove_dir_all(&dir).ok();
}

/// A database from before the outcome tallies (or whose tallies were lost) counts them from
/// its rows when it is next opened and migrated.
#[tokio::test]
async fn a_database_without_its_outcome_tallies_counts_them_when_opened() {
    let dir = std::env::temp_dir().join(format!("aftercare-tallies-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    let now = Timestamp(1_790_000_000_000);
    let clinic = NewClinic {
        check_in_hours: vec![24],
        name: "C".into(),
        country: "IN".into(),
        timezone: "Asia/Kolkata".into(),
        now,
    };
    let owner = NewStaff { email: "o@c.example".into(), name: "O".into(), role: Role::Owner, password_hash: None, now };
    let (clinic, owner) = s.create_clinic(clinic, owner).await.unwrap();
    let tz = jiff::tz::TimeZone::get("Asia/Kolkata").unwrap();
    for i in 0..5i64 {
        let new = NewClient {
            language: None,
            name: format!("K{i}"),
            email: None,
            phone: None,
            timezone: None,
            age_months: None,
            now,
        };
        let client = s.create_client(clinic.id, new).await.unwrap();
        let ended = now.plus_hours(i * 9);
        let session = NewSession {
            baby_birth_date: None,
            client_id: client.id,
            staff_id: owner.id,
            massage_type: "swedish".into(),
            pressure: "light".into(),
            areas: vec!["neck".into()],
            techniques: vec![],
            first_massage: false,
            notes: None,
            ended_at: ended,
            now: ended,
        };
        let follow_up = NewFollowUp {
            kind: "check_in".into(),
            offset_hours: 24,
            due_at: ended.plus_hours(24),
            due_day: tally::Day::of(ended.plus_hours(24), &tz),
            expires_at: ended.plus_hours(200),
            link_hash: Redacted::new(vec![i as u8; 32]),
            messages: vec![],
        };
        let (session, fus) = s.record_session(clinic.id, session, vec![follow_up]).await.unwrap();
        let at = ended.plus_hours(25);
        let answer = NewCheckIn {
            session_id: session.id,
            follow_up_id: fus[0].id,
            report: "{}".into(),
            soreness: Some(i as u8 + 3),
            triaged: true,
            problems: vec![],
            hours_since: 25.0,
            level: Level::SelfCare,
            fired: vec![],
            now: at,
            day: tally::Day::of(at, &tz),
            due_day: tally::Day::of(fus[0].due_at, &tz),
        };
        s.record_check_in(clinic.id, answer, None, None).await.unwrap();
    }
    let every = |s: SqliteStore| async move {
        s.outcome_tallies(clinic.id, tally::Day(i32::MIN), tally::Day(i32::MAX)).await.unwrap()
    };
    let kept = every(s.clone()).await;
    assert_eq!(kept.answers.iter().map(|t| t.answers).sum::<u64>(), 5);
    s.close().await;
    let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
    conn.execute_batch(
        "DELETE FROM outcome_answers; DELETE FROM outcome_areas; DELETE FROM outcome_asked; \
         DELETE FROM outcome_tally_zones;",
    )
    .unwrap();
    drop(conn);
    let again = SqliteStore::open_dir(&dir).await.unwrap();
    again.migrate().await.unwrap();
    assert_eq!(every(again.clone()).await, kept, "counted again from the rows, as they were kept");
    std::fs::remove_dir_all(&dir).ok();
}

/// Every table of clinic data carries `clinic_id`, and an index of it leads with
/// `clinic_id`: the schema is ready to be distributed by clinic. And every column of every
/// table is in a clinic's export (`store::moving`), so that a moved clinic is whole.
#[tokio::test]
async fn every_table_of_clinic_data_is_indexed_by_clinic_id_and_moves_whole_with_its_clinic() {
    let dir = std::env::temp_dir().join(format!("aftercare-shard-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = SqliteStore::open_dir(&dir).await.unwrap();
    s.migrate().await.unwrap();
    s.close().await;
    let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
    let strings = |sql: &str, arg: &str| -> Vec<String> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([arg], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
    };
    let names = strings("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE ?", "sqlite%");
    let tables: Vec<store::conformance::TableShape> = names
        .iter()
        .map(|name| {
            let columns = strings("SELECT name FROM pragma_table_info(?) ORDER BY cid", name);
            let primary_key = strings("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", name);
            let mut keys = vec![primary_key];
            for index in strings("SELECT name FROM pragma_index_list(?)", name) {
                keys.push(strings("SELECT coalesce(name, '') FROM pragma_index_info(?) ORDER BY seqno", &index));
            }
            store::conformance::TableShape { name: name.clone(), columns, keys }
        })
        .collect();
    assert!(tables.len() >= 18, "the catalogue lists every table: {names:?}");
    assert_eq!(store::conformance::not_ready_to_shard(&tables), Vec::<String>::new());
    assert_eq!(store::conformance::not_moved(&tables), Vec::<String>::new(), "every column moves with its clinic");
    conn.close().map_err(|(_, e)| e).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
