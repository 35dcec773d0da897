-- Aftercare's PostgreSQL schema as Citus distributed tables, sharded by clinic.
--
-- What this is: the path past one database machine, written down and checked against the
-- real schema (crates/store-postgres/tests/postgres/citus.rs runs this script on a fresh
-- schema, with stand-ins for the two Citus functions that apply Citus's rules: every unique
-- key includes the distribution column, a foreign key joins co-located tables on it, a table
-- is distributed after the tables it refers to, a table with a trigger needs
-- citus.enable_unsafe_triggers). It is not a supported setup yet: the store does not do the
-- work listed under "Queries that need care" below, and without that work some of its
-- queries would fan out to every shard or be refused. Read that list before running it.
--
-- How to run it: on the Citus coordinator, in the database `--database` names, after
-- `aftercare migrate` has created the schema, with `CREATE EXTENSION citus;` done and the
-- workers added. Take a backup first (pg_dump, see docs/operations.md). Rows already in the
-- tables are moved into the shards. Stop every `serve` while it runs:
--
--     psql -v ON_ERROR_STOP=1 -f docs/citus.sql "URL"
--
-- Ids stay unique across nodes: every id is a BIGINT identity column, which Citus accepts
-- on a distributed table and fills from a separate range on each node.
--
-- Migrations after this one must keep to the same rules: a new table of clinic data carries
-- clinic_id and is distributed here too; a new unique key includes clinic_id.
--
-- ## The clinics table: distributed by its id
--
-- `clinics` is distributed by `id`, co-located with every other table (distributed by
-- `clinic_id`), rather than made a reference table:
--   - a clinic's own row then lives on the same shard as the rest of its data, so the joins
--     the store makes to `clinics` (a client link's page reads the clinic's name and number,
--     a staff session reads `require_two_factor`) stay on one shard, and a clinic moved or
--     isolated to a shard of its own (`isolate_tenant_to_new_shard`) moves whole;
--   - a reference table would be copied to every node and every change to it would be a
--     distributed transaction across all of them, for no gain: no query joins a clinic to
--     another clinic's data;
--   - every foreign key `REFERENCES clinics (id)` is then a key between co-located tables on
--     the distribution column, which Citus accepts.
-- The cost: listing every clinic (`aftercare followups list`) reads every shard; that is
-- rare and not on a request's path.
--
-- ## Tables left alone
--
-- `write_probe` (one row, the health check's write) and `schema_migrations` (the migration
-- runner's bookkeeping) carry no clinic data and stay ordinary tables on the coordinator. The
-- write probe then proves that the coordinator takes writes, not that every worker does.
--
-- ## Unique keys
--
-- Citus enforces a unique key only within a shard, so it requires every unique key of a
-- distributed table to include the distribution column. The schema has seven that do not:
-- the hashes of secrets (client links, intake links, API tokens, sign-in sessions, password
-- links), the messages' idempotency keys, and staff e-mails. Each is replaced below by the
-- same key with clinic_id after it, keeping its name. Put after it, clinic_id leaves the
-- index usable by the lookups that give the hash alone.
--   - Secrets are 256 random bits: two clinics never hold the same hash, so nothing is lost.
--   - Idempotency keys are random, or name their clinic (a digest's), so no two clinics
--     share one.
--   - Staff e-mails are unique across clinics today (one sign-in, one clinic). With
--     (email, clinic_id), two clinics could each hold the same address: before running the
--     store on Citus, that rule needs a reference table of staff e-mails (email PRIMARY KEY,
--     clinic_id, staff_id), written in the same transaction as `staff`. The key keeps the
--     name `staff_email_key`, which the store reads to report a taken e-mail.
--
-- ## Queries that need care (crates/store-postgres/src)
--
-- 1. Lookups by a secret's hash, without the clinic id: the caller holds only a token.
--      client links      follow_ups.rs  follow_up_by_link_hash, link_context (every client page)
--      intake links      intakes.rs     intake_link, intake_by_link
--      API tokens        access.rs      staff_by_token_hash (every API request)
--      sign-in sessions  access.rs      staff_session (every staff page), complete_second_factor,
--                                       delete_staff_session
--      password links    access.rs      password_link, use_password_link (an UPDATE with a
--                                       locking subquery)
--    On Citus each of these reads every shard (an index probe on each), and the UPDATEs with
--    a locking subquery across shards may be refused. The fix is to give the clinic id with
--    the token: make new tokens `<clinic id>.<secret>` (the id is not secret; a wrong id
--    finds nothing) and add `clinic_id = $n` to each query, so that it is routed to one
--    shard; tokens already issued keep working through the fan-out until they expire. Or
--    keep a reference table from hash to clinic id, at the cost of a distributed write for
--    every link made (three a session) and every sign-in.
-- 2. Sign-in by e-mail (staff.rs staff_by_email, WHERE email = $1) reads every shard; the
--    reference table of e-mails above answers it on one node.
-- 3. The follow-up worker's claim (messages.rs claim_messages): one UPDATE across clinics
--    with `ORDER BY next_attempt, id LIMIT n FOR UPDATE SKIP LOCKED` in a subquery. Citus
--    runs FOR UPDATE only in a query routed to one shard, so this is refused. Claim per
--    clinic instead (list the clinics with due messages, then the same claim with
--    `clinic_id = $n`, routed to one shard), or run one worker per shard against the shard
--    tables on each worker node.
-- 4. Enqueueing a message (messages.rs enqueue_message) says `ON CONFLICT (idempotency_key)`;
--    with the key below it must say `ON CONFLICT (idempotency_key, clinic_id)`.
-- 5. Clearing expired sign-in sessions (access.rs delete_staff_session, `OR expires_at <=
--    $2`) deletes across every shard on each sign-out; move it to a periodic job, or scope it
--    to the clinic.
-- Everything else the store runs takes `clinic_id = $n`. Whether Citus routes each such
-- statement to one shard (the INSERT ... SELECT of messages.rs insert_message, the joins of
-- several tables) is for EXPLAIN on a Citus cluster to confirm: one task per statement.

-- Unique keys that include the distribution column.
ALTER TABLE staff DROP CONSTRAINT staff_email_key;
ALTER TABLE staff ADD CONSTRAINT staff_email_key UNIQUE (email, clinic_id);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_token_hash_key;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash, clinic_id);
ALTER TABLE staff_sessions DROP CONSTRAINT staff_sessions_token_hash_key;
ALTER TABLE staff_sessions ADD CONSTRAINT staff_sessions_token_hash_key UNIQUE (token_hash, clinic_id);
ALTER TABLE password_links DROP CONSTRAINT password_links_token_hash_key;
ALTER TABLE password_links ADD CONSTRAINT password_links_token_hash_key UNIQUE (token_hash, clinic_id);
ALTER TABLE intake_links DROP CONSTRAINT intake_links_link_hash_key;
ALTER TABLE intake_links ADD CONSTRAINT intake_links_link_hash_key UNIQUE (link_hash, clinic_id);
ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_link_hash_key;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_link_hash_key UNIQUE (link_hash, clinic_id);
ALTER TABLE messages DROP CONSTRAINT messages_idempotency_key_key;
ALTER TABLE messages ADD CONSTRAINT messages_idempotency_key_key UNIQUE (idempotency_key, clinic_id);

-- The audit trail's append-only trigger only raises an error, on the shard where the row is:
-- safe on a distributed table. Citus refuses to distribute a table with a trigger unless this
-- is on; set it for the database as well, for later changes to the table:
--     ALTER DATABASE <name> SET citus.enable_unsafe_triggers = on;
SET citus.enable_unsafe_triggers TO on;

-- Each table after the tables it refers to.
SELECT create_distributed_table('clinics', 'id');
SELECT create_distributed_table('staff', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('api_tokens', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('staff_sessions', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('password_links', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('recovery_codes', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('clients', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('intakes', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('intake_links', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('sessions', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('follow_ups', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('check_ins', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('alerts', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('products', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('feedback', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('messages', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('audit_log', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('outcome_answers', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('outcome_areas', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('outcome_asked', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('outcome_alerts', 'clinic_id', colocate_with => 'clinics');
SELECT create_distributed_table('outcome_tally_zones', 'clinic_id', colocate_with => 'clinics');
