//! `docs/citus.sql`, the schema as Citus distributed tables, run against a fresh schema of
//! the test database. Citus is not installed there: two stand-ins take the place of its
//! functions, and each refuses what Citus refuses (a unique key without the distribution
//! column, a foreign key to a table not distributed yet or not on the distribution column, a
//! trigger without `citus.enable_unsafe_triggers`, an identity column that is not BIGINT).

use sqlx::Connection as _;
use std::collections::BTreeSet;
use store_postgres::testing::Schemas;

/// `create_distributed_table` and `create_reference_table`, with Citus's names and argument
/// names, recording each call in `citus_calls`.
const CITUS: &str = r#"
CREATE TABLE citus_calls (
    position        SERIAL PRIMARY KEY,
    relation        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    distributed_by  TEXT,
    colocated_with  TEXT
);

CREATE FUNCTION create_distributed_table(
    table_name regclass,
    distribution_column text,
    distribution_type text DEFAULT 'hash',
    colocate_with text DEFAULT 'default',
    shard_count int DEFAULT NULL
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    key smallint;
    bad text;
BEGIN
    SELECT attnum INTO key FROM pg_attribute
    WHERE attrelid = table_name AND attname = distribution_column AND NOT attisdropped;
    IF key IS NULL THEN
        RAISE EXCEPTION '%: no column %', table_name, distribution_column;
    END IF;
    IF EXISTS (SELECT 1 FROM citus_calls WHERE citus_calls.relation = table_name::text) THEN
        RAISE EXCEPTION '%: distributed twice', table_name;
    END IF;
    IF colocate_with NOT IN ('default', 'none') AND NOT EXISTS
        (SELECT 1 FROM citus_calls c WHERE c.relation = colocate_with AND c.kind = 'distributed') THEN
        RAISE EXCEPTION '%: co-located with %, which is not distributed yet', table_name, colocate_with;
    END IF;
    -- Every unique key includes the distribution column.
    SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO bad FROM pg_index i
    WHERE i.indrelid = table_name AND (i.indisunique OR i.indisexclusion) AND NOT key = ANY (i.indkey);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '%: unique keys without %: %', table_name, distribution_column, bad;
    END IF;
    -- A foreign key refers to a table distributed already (or a reference table), joining
    -- the distribution columns of both.
    SELECT string_agg(f.conname, ', ') INTO bad FROM pg_constraint f
    WHERE f.conrelid = table_name AND f.contype = 'f' AND NOT EXISTS (
        SELECT 1 FROM citus_calls r
        WHERE r.relation = f.confrelid::regclass::text AND (r.kind = 'reference' OR EXISTS (
            SELECT 1 FROM unnest(f.conkey, f.confkey) AS k (col, ref)
            JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.ref
            WHERE k.col = key AND a.attname = r.distributed_by)));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '%: foreign keys not on the distribution column of a distributed table: %', table_name, bad;
    END IF;
    -- A trigger needs citus.enable_unsafe_triggers.
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = table_name AND NOT tgisinternal)
        AND coalesce(current_setting('citus.enable_unsafe_triggers', true), 'off') <> 'on' THEN
        RAISE EXCEPTION '%: has a trigger, and citus.enable_unsafe_triggers is off', table_name;
    END IF;
    -- Identity columns are BIGINT.
    SELECT string_agg(attname, ', ') INTO bad FROM pg_attribute
    WHERE attrelid = table_name AND attidentity <> '' AND atttypid <> 'bigint'::regtype;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '%: identity columns that are not BIGINT: %', table_name, bad;
    END IF;
    INSERT INTO citus_calls (relation, kind, distributed_by, colocated_with)
    VALUES (table_name::text, 'distributed', distribution_column, colocate_with);
END
$$;

CREATE FUNCTION create_reference_table(table_name regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint f WHERE f.conrelid = table_name AND f.contype = 'f'
               AND NOT EXISTS (SELECT 1 FROM citus_calls r
                               WHERE r.relation = f.confrelid::regclass::text AND r.kind = 'reference')) THEN
        RAISE EXCEPTION '%: a reference table refers only to reference tables', table_name;
    END IF;
    INSERT INTO citus_calls (relation, kind) VALUES (table_name::text, 'reference');
END
$$;
"#;

#[tokio::test]
async fn the_citus_script_distributes_every_table_of_clinic_data() {
    let script_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/citus.sql");
    let script = std::fs::read_to_string(&script_path).unwrap_or_else(|e| panic!("{}: {e}", script_path.display()));
    let schemas = Schemas::default();
    let (_store, schema) = schemas.fresh_named().await;
    let mut c = store_postgres::testing::connect(&store_postgres::testing::url()).await;
    let names = |rows: Vec<(String,)>| rows.into_iter().map(|(n,)| n).collect::<BTreeSet<String>>();
    let tables = names(
        sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1")
            .bind(&schema)
            .fetch_all(&mut c)
            .await
            .unwrap(),
    );
    let of_clinics = names(
        sqlx::query_as(
            "SELECT table_name::text FROM information_schema.columns \
             WHERE table_schema = $1 AND column_name = 'clinic_id'",
        )
        .bind(&schema)
        .fetch_all(&mut c)
        .await
        .unwrap(),
    );
    assert!(of_clinics.len() >= 16, "the catalogue lists the tables of clinic data: {of_clinics:?}");

    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path TO {schema}"))).execute(&mut c).await.unwrap();
    sqlx::raw_sql(CITUS).execute(&mut c).await.unwrap();
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute(&mut c).await {
        panic!("docs/citus.sql fails on the schema: {e}");
    }
    let calls: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT relation, kind, distributed_by FROM citus_calls ORDER BY position")
            .fetch_all(&mut c)
            .await
            .unwrap();

    let named: BTreeSet<String> = calls.iter().map(|(t, _, _)| t.clone()).collect();
    let unknown: Vec<&String> = named.difference(&tables).collect();
    assert!(unknown.is_empty(), "the script names tables the schema lacks: {unknown:?}");
    let by_clinic: BTreeSet<String> = calls
        .iter()
        .filter(|(_, kind, by)| kind == "distributed" && by.as_deref() == Some("clinic_id"))
        .map(|(t, _, _)| t.clone())
        .collect();
    let left_out: Vec<&String> = of_clinics.difference(&by_clinic).collect();
    assert!(left_out.is_empty(), "tables of clinic data not distributed by clinic_id: {left_out:?}");
    assert!(
        calls.iter().any(|(t, kind, by)| t == "clinics" && kind == "distributed" && by.as_deref() == Some("id")),
        "the clinics are distributed by their id, co-located with their data: {calls:?}"
    );
    let local: BTreeSet<&str> = tables.difference(&named).map(String::as_str).collect();
    assert_eq!(local, BTreeSet::from(["schema_migrations", "write_probe"]), "only these stay on the coordinator");
    c.close().await.ok();
    schemas.drop_all().await;
}
