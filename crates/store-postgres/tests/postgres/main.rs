//! The PostgreSQL store passes the storage conformance suite, each check on a fresh schema of
//! the test database (see `store_postgres::testing`), and its schema is ready to shard by
//! clinic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test should stop loudly

use store_postgres::testing::Schemas;

mod citus;

#[tokio::test]
async fn the_postgres_store_passes_the_conformance_suite() {
    let schemas = Schemas::default();
    store::conformance::run_all(|| schemas.fresh()).await;
    schemas.drop_all().await;
}

/// Every table of clinic data carries `clinic_id` and its primary key leads with it: the
/// schema is ready to be distributed by clinic (Citus). And every column of every table is in
/// a clinic's export (`store::moving`), so that a moved clinic is whole.
#[tokio::test]
async fn every_table_of_clinic_data_is_keyed_by_clinic_id_and_moves_whole_with_its_clinic() {
    let schemas = Schemas::default();
    let (_store, schema) = schemas.fresh_named().await;
    let mut c = store_postgres::testing::connect(&store_postgres::testing::url()).await;
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1")
            .bind(&schema)
            .fetch_all(&mut c)
            .await
            .unwrap();
    let mut tables = Vec::new();
    for (name,) in &names {
        let columns: Vec<(String,)> = sqlx::query_as(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
        )
        .bind(&schema)
        .bind(name)
        .fetch_all(&mut c)
        .await
        .unwrap();
        let keys: Vec<(Vec<String>,)> = sqlx::query_as(
            "SELECT array_agg(coalesce(a.attname::text, '') ORDER BY k.ord) \
             FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass \
             GROUP BY i.indexrelid",
        )
        .bind(&schema)
        .bind(name)
        .fetch_all(&mut c)
        .await
        .unwrap();
        tables.push(store::conformance::TableShape {
            name: name.clone(),
            columns: columns.into_iter().map(|(c,)| c).collect(),
            keys: keys.into_iter().map(|(k,)| k).collect(),
        });
    }
    assert!(tables.len() >= 18, "the catalogue lists every table: {names:?}");
    assert_eq!(store::conformance::not_ready_to_shard(&tables), Vec::<String>::new());
    assert_eq!(store::conformance::not_moved(&tables), Vec::<String>::new(), "every column moves with its clinic");
    schemas.drop_all().await;
}

/// TLS to the database as the URL asks: `sslmode=require` connects encrypted (the test
/// server has Debian's default, self-signed certificate), and `sslmode=verify-full` refuses a
/// server whose certificate no known authority signed, rather than connecting in the clear.
#[tokio::test]
async fn the_url_chooses_tls_and_a_certificate_that_cannot_be_verified_is_refused() {
    let url = store_postgres::testing::url();
    let with = |mode: &str| format!("{url}{}sslmode={mode}", if url.contains('?') { '&' } else { '?' });
    let options = store_postgres::PoolOptions { max_connections: 1, ..Default::default() };
    let encrypted = store_postgres::PgStore::connect(&with("require"), &options).await.expect("TLS connects");
    use store::Store;
    encrypted.ping().await.unwrap();
    let mut c = store_postgres::testing::connect(&url).await;
    let (tls,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
         WHERE a.application_name = 'aftercare' AND s.ssl",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert!(tls >= 1, "the store's connection is encrypted");
    encrypted.close().await;
    let refused = store_postgres::PgStore::connect(&with("verify-full"), &options).await;
    assert!(refused.is_err(), "a self-signed certificate is not taken on trust");
}

/// A transaction left open without a statement (a stuck task) is ended by the server after
/// the pool's idle-in-transaction timeout, its locks with it; the pool goes on with a fresh
/// connection.
#[tokio::test]
async fn a_transaction_left_idle_is_ended_by_the_server() {
    use std::time::Duration;
    let schemas = Schemas::default();
    let (first, schema) = schemas.fresh_named().await;
    first.close().await;
    let options = store_postgres::PoolOptions {
        idle_in_transaction_timeout: Duration::from_millis(500),
        max_connections: 1,
        ..Default::default()
    };
    let url = store_postgres::testing::url();
    let s = store_postgres::PgStore::connect_in_schema(&url, &options, Some(&schema)).await.unwrap();
    assert!(s.stall_in_a_write(Duration::from_millis(50)).await.is_ok(), "a short pause is fine");
    let ended = s.stall_in_a_write(Duration::from_millis(1500)).await;
    assert!(ended.is_err(), "the server ended the idle transaction: {ended:?}");
    assert!(s.stall_in_a_write(Duration::ZERO).await.is_ok(), "the next write has a working connection");
    s.close().await;
    schemas.drop_all().await;
}

/// A write whose caller goes away half-way (a client that closed its connection) still runs
/// to its commit: none of forty check-ins dropped at random points is lost, and none leaves
/// its transaction open on a pooled connection, holding the row locks the next check-in of
/// the same day needs (a shared outcome tally, the follow-up).
#[tokio::test]
async fn a_write_whose_caller_goes_away_still_commits_and_leaves_no_lock_behind() {
    use std::time::Duration;
    use store::*;
    let schemas = Schemas::default();
    let (first, schema) = schemas.fresh_named().await;
    first.close().await;
    // A short statement timeout: a lock left behind fails the last write quickly.
    let options = store_postgres::PoolOptions { statement_timeout: Duration::from_secs(3), ..Default::default() };
    let url = store_postgres::testing::url();
    let s = store_postgres::PgStore::connect_in_schema(&url, &options, Some(&schema)).await.unwrap();
    let now = Timestamp(1_790_000_000_000);
    let clinic =
        NewClinic { check_in_hours: vec![24], name: "C".into(), country: "GB".into(), timezone: "UTC".into(), now };
    let owner = NewStaff { email: "o@c.example".into(), name: "O".into(), role: Role::Owner, password_hash: None, now };
    let (clinic, owner) = s.create_clinic(clinic, owner).await.unwrap();
    let client =
        NewClient { language: None, name: "K".into(), email: None, phone: None, timezone: None, age_months: None, now };
    let client = s.create_client(clinic.id, client).await.unwrap();
    let session = NewSession {
        baby_birth_date: None,
        client_id: client.id,
        staff_id: owner.id,
        massage_type: "swedish".into(),
        pressure: "light".into(),
        areas: vec!["neck".into(), "calves".into()],
        techniques: vec![],
        first_massage: false,
        notes: None,
        ended_at: now,
        now,
    };
    let utc = jiff::tz::TimeZone::UTC;
    let follow_ups: Vec<NewFollowUp> = (0..41u8)
        .map(|i| NewFollowUp {
            kind: "check_in".into(),
            offset_hours: 24 + i64::from(i),
            due_at: now.plus_hours(24),
            due_day: tally::Day::of(now.plus_hours(24), &utc),
            expires_at: now.plus_hours(200),
            link_hash: Redacted::new(vec![i; 32]),
            messages: vec![],
        })
        .collect();
    let (session, follow_ups) = s.record_session(clinic.id, session, follow_ups).await.unwrap();
    let answer = |f: &FollowUp| NewCheckIn {
        session_id: session.id,
        follow_up_id: f.id,
        report: "{}".into(),
        soreness: Some(4),
        triaged: true,
        problems: vec![],
        hours_since: 25.0,
        level: Level::SelfCare,
        fired: vec![],
        now: now.plus_hours(25),
        day: tally::Day::of(now.plus_hours(25), &utc),
        due_day: tally::Day::of(f.due_at, &utc),
    };
    // Forty writers given up on after 0 to 1.9 ms: most while their transaction is open.
    for (i, f) in follow_ups[..40].iter().enumerate() {
        let write = s.record_check_in(clinic.id, answer(f), None, None);
        let _ = tokio::time::timeout(Duration::from_micros(100 * (i as u64 % 20)), write).await;
    }
    let mut saved = 0;
    for _ in 0..100 {
        saved = s.check_ins_of_session(clinic.id, session.id).await.unwrap().len();
        if saved == 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(saved, 40, "every write that began was committed");
    // The same day's tally rows and the session: no lock of a dropped write is in the way.
    s.record_check_in(clinic.id, answer(&follow_ups[40]), None, None).await.expect("not blocked");
    let tallies = s.outcome_tallies(clinic.id, tally::Day(i32::MIN), tally::Day(i32::MAX)).await.unwrap();
    assert_eq!(tallies.answers.iter().map(|t| t.answers).sum::<u64>(), 41, "each counted once");
    s.close().await;
    schemas.drop_all().await;
}
