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
