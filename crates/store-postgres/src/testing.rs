//! Test databases: each store a test makes lives in a schema of its own in the test
//! database, dropped when the test ends (or, if the test died, by the next run).
//!
//! The test database is `AFTERCARE_TEST_POSTGRES`, else the one `.ci/run` prepares:
//! `postgres://aftercare:aftercare@127.0.0.1:5432/aftercare_test`.

#![allow(clippy::expect_used, clippy::panic)] // a test database that cannot be made should stop the test loudly

use crate::{PgStore, PoolOptions};
use sqlx::{Connection, PgConnection};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use store::Store;

/// The test database's URL.
pub fn url() -> String {
    std::env::var("AFTERCARE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://aftercare:aftercare@127.0.0.1:5432/aftercare_test".to_owned())
}

/// The test database's URL with every table in `schema`: what a command is given as its
/// `--database` to work in a test's schema.
pub fn url_in_schema(schema: &str) -> String {
    let url = url();
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}options[search_path]={schema}")
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The schemas a test made, to drop when it ends.
#[derive(Debug, Default)]
pub struct Schemas {
    made: Mutex<Vec<String>>,
}

impl Schemas {
    /// A fresh, migrated store in a new schema of the test database.
    pub async fn fresh(&self) -> PgStore {
        self.fresh_named().await.0
    }

    /// A fresh, migrated store in a new schema of the test database, and the schema's name.
    pub async fn fresh_named(&self) -> (PgStore, String) {
        let name = format!("t_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let url = url();
        let mut c = connect(&url).await;
        if NEXT.load(Ordering::Relaxed) == 1 {
            drop_left_over(&mut c).await;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut c)
            .await
            .expect("a test schema is created");
        c.close().await.ok();
        self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(name.clone());
        let options = PoolOptions { max_connections: 4, ..PoolOptions::default() };
        let store =
            PgStore::connect_in_schema(&url, &options, Some(&name)).await.expect("the test schema is reachable");
        store.migrate().await.expect("migrations run");
        (store, name)
    }

    /// Drops every schema this test made.
    pub async fn drop_all(&self) {
        let made = std::mem::take(&mut *self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut c = connect(&url()).await;
        for name in made {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                .execute(&mut c)
                .await
                .expect("a test schema is dropped");
        }
        c.close().await.ok();
    }
}

/// A connection to the test database, outside any test schema.
pub async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!(
            "the test database {} cannot be reached ({e}): run .ci/run once (it installs and prepares \
             PostgreSQL), or set AFTERCARE_TEST_POSTGRES",
            crate::redact(url)
        )
    })
}

/// Drops the schemas of test processes that are no longer running (a test that failed before
/// it could drop its own).
async fn drop_left_over(c: &mut PgConnection) {
    let names: Vec<(String,)> = sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%\\_%'")
        .fetch_all(&mut *c)
        .await
        .unwrap_or_default();
    for (name,) in names {
        let pid = name.split('_').nth(1).unwrap_or_default();
        if !pid.is_empty() && !std::path::Path::new("/proc").join(pid).exists() {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                .execute(&mut *c)
                .await;
        }
    }
}
