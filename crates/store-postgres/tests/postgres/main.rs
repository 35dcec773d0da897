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
