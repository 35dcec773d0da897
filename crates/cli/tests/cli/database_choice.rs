//! Which database a command opens: `--database` (or `AFTERCARE_DATABASE`) first, then the
//! `[database]` section of the configuration file, then SQLite in `--data`.

use std::process::Command;
use store_postgres::testing::{Schemas, url_in_schema};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    for var in ["AFTERCARE_DATA", "AFTERCARE_DATABASE", "AFTERCARE_CONFIG"] {
        c.env_remove(var);
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_wins_over_the_configuration_file_which_wins_over_sqlite_in_the_data_directory() {
    let dir = std::env::temp_dir().join(format!("aftercare-database-choice-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.to_str().unwrap();
    let schemas = Schemas::default();
    let (store, schema) = schemas.fresh_named().await;
    let url = url_in_schema(&schema);

    std::fs::write(dir.join("aftercare.toml"), format!("[database]\nurl = \"{url}\"\n")).unwrap();
    let out = bin().args(["migrate", "--data", data]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("postgres://aftercare:***@"), "the configured PostgreSQL, its password hidden: {said}");
    assert!(!dir.join("aftercare.db").exists(), "no SQLite database was made");

    let file = dir.join("flag.db");
    let flag = format!("sqlite:{}", file.display());
    let out = bin().args(["migrate", "--data", data, "--database", &flag]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(file.exists(), "--database wins over the configuration file");

    std::fs::write(dir.join("aftercare.toml"), "[database]\nurl = \"mysql://root:secret@db/x\"\n").unwrap();
    let out = bin().args(["migrate", "--data", data]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("database.url") && !said.contains("secret"), "the field, never the password: {said}");

    std::fs::remove_file(dir.join("aftercare.toml")).unwrap();
    let out = bin().args(["migrate", "--data", data]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("aftercare.db").exists(), "without either, SQLite in --data");
    store.close().await;
    schemas.drop_all().await;
    let _ = std::fs::remove_dir_all(&dir);
}
