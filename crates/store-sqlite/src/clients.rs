//! Clients: their record, search, language, opting out of messages, and erasure.

use crate::error::Res;
use crate::rows::{all, exec, id_list, one, the, value};
use rusqlite::{Connection, params};
use store::client_columns;
use store::columns::{read_client, read_identifiers, read_text};
use store::{Client, ClientId, ClientPosition, ClinicId, ERASED_NAME, Erased, NewClient, Timestamp};

/// Adds a client to the clinic.
pub fn create_client(c: &Connection, clinic_id: ClinicId, new: NewClient) -> Res<Client> {
    the(
        c,
        concat!(
            "INSERT INTO clients (clinic_id, name, email, phone, timezone, age_months, language, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ",
            client_columns!()
        ),
        params![
            clinic_id.get(),
            new.name,
            new.email,
            new.phone,
            new.timezone,
            new.age_months.map(i64::from),
            new.language,
            new.now.0
        ],
        read_client,
    )
}

/// A client of the clinic, by id.
pub fn client(c: &Connection, clinic_id: ClinicId, client_id: ClientId) -> Res<Option<Client>> {
    one(
        c,
        concat!("SELECT ", client_columns!(), " FROM clients WHERE id = ? AND clinic_id = ?"),
        (client_id.get(), clinic_id.get()),
        read_client,
    )
}

/// The clients of the clinic among `ids`: one statement whatever the number of ids (they
/// travel as one JSON array).
pub fn clients_by_ids(c: &Connection, clinic_id: ClinicId, ids: &[ClientId]) -> Res<Vec<Client>> {
    // `+clinic_id`: the ids lead (a primary-key look-up each), never an index of the clinic.
    all(
        c,
        concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients WHERE +clinic_id = ? AND id IN (SELECT value FROM json_each(?))"
        ),
        (clinic_id.get(), id_list(ids.iter().map(|i| i.get()))),
        read_client,
    )
}

/// A page of the clinic's clients by name (then id), after `after`, whose name, e-mail or
/// phone holds `search` when given.
pub fn clients(
    c: &Connection,
    clinic_id: ClinicId,
    search: Option<&str>,
    after: Option<&ClientPosition>,
    limit: u32,
) -> Res<Vec<Client>> {
    // LIKE wildcards in the search are escaped, so a search is always a plain substring.
    let pattern = search.map(|q| {
        let escaped = q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    });
    all(
        c,
        concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients WHERE clinic_id = ?1 AND (?2 IS NULL OR lower(name) LIKE ?2 ESCAPE '\\' \
             OR lower(coalesce(email, '')) LIKE ?2 ESCAPE '\\' OR coalesce(phone, '') LIKE ?2 ESCAPE '\\') \
             AND name >= ?3 COLLATE NOCASE AND (name > ?3 COLLATE NOCASE OR id > ?4) \
             ORDER BY name COLLATE NOCASE, id LIMIT ?5"
        ),
        params![
            clinic_id.get(),
            pattern,
            after.map_or("", |p| p.name.as_str()),
            after.map_or(0, |p| p.id.get()),
            i64::from(limit)
        ],
        read_client,
    )
}

/// Stops (`Some`: since when) or resumes (`None`) a client's messages; the client as it now
/// is, `None` when not in the clinic.
pub fn set_client_opted_out(
    c: &Connection,
    clinic_id: ClinicId,
    client_id: ClientId,
    opted_out_at: Option<Timestamp>,
) -> Res<Option<Client>> {
    one(
        c,
        concat!("UPDATE clients SET opted_out_at = ? WHERE id = ? AND clinic_id = ? RETURNING ", client_columns!()),
        (opted_out_at.map(|t| t.0), client_id.get(), clinic_id.get()),
        read_client,
    )
}

/// Sets (or forgets, `None`) a client's language; the client as it now is, `None` when not
/// in the clinic.
pub fn set_client_language(
    c: &Connection,
    clinic_id: ClinicId,
    client_id: ClientId,
    language: Option<&str>,
) -> Res<Option<Client>> {
    one(
        c,
        concat!("UPDATE clients SET language = ? WHERE id = ? AND clinic_id = ? RETURNING ", client_columns!()),
        (language, client_id.get(), clinic_id.get()),
        read_client,
    )
}

// What an erasure touches, each statement taking the clinic as `?1` and the client as `?2`.
macro_rules! erased_sessions {
    () => {
        "SELECT id FROM sessions WHERE clinic_id = ?1 AND client_id = ?2"
    };
}
macro_rules! erased_check_ins {
    () => {
        concat!("SELECT id FROM check_ins WHERE clinic_id = ?1 AND session_id IN (", erased_sessions!(), ")")
    };
}
macro_rules! erased_follow_ups {
    () => {
        concat!("SELECT id FROM follow_ups WHERE clinic_id = ?1 AND session_id IN (", erased_sessions!(), ")")
    };
}
macro_rules! erased_alerts {
    () => {
        "SELECT id FROM alerts WHERE clinic_id = ?1 AND client_id = ?2"
    };
}
macro_rules! erased_messages {
    () => {
        concat!(
            "clinic_id = ?1 AND (follow_up_id IN (",
            erased_follow_ups!(),
            ") OR alert_id IN (",
            erased_alerts!(),
            "))"
        )
    };
}

/// The steps of an erasure after the messages' keys are read, in order.
const ERASE_STEPS: [&str; 8] = [
    concat!("DELETE FROM messages WHERE ", erased_messages!()),
    // The links stop working: their hashes become random, matching no token.
    concat!("UPDATE follow_ups SET link_hash = randomblob(32) WHERE id IN (", erased_follow_ups!(), ")"),
    "DELETE FROM intake_links WHERE clinic_id = ?1 AND client_id = ?2",
    "DELETE FROM intakes WHERE clinic_id = ?1 AND client_id = ?2",
    concat!("DELETE FROM feedback WHERE clinic_id = ?1 AND check_in_id IN (", erased_check_ins!(), ")"),
    concat!("UPDATE check_ins SET report = '{}', problems = NULL WHERE id IN (", erased_check_ins!(), ")"),
    "UPDATE sessions SET notes = NULL, techniques = '[]', baby_birth_date = NULL \
     WHERE clinic_id = ?1 AND client_id = ?2",
    "UPDATE alerts SET note = NULL WHERE clinic_id = ?1 AND client_id = ?2",
];

/// Erases a client (the right to erasure): their name, contact details, intakes, intake
/// links, feedback, the words of their answers and of the sessions' notes, the alerts' notes
/// and every message about them are deleted; their links stop working; what is left (levels,
/// soreness, types, times) keeps the clinic's outcome counts and names no one. `None` when
/// the client is not in the clinic.
///
/// The write-ahead log still holds the pages as they were until a checkpoint: the caller
/// runs [`checkpoint`] once this write is committed (it cannot run inside a transaction).
pub fn erase_client(c: &Connection, clinic_id: ClinicId, client_id: ClientId, now: Timestamp) -> Res<Option<Erased>> {
    let (clinic, client) = (clinic_id.get(), client_id.get());
    let Some(identifiers) = one(
        c,
        "SELECT name, email, phone FROM clients WHERE id = ? AND clinic_id = ?",
        (client, clinic),
        read_identifiers,
    )?
    else {
        return Ok(None);
    };
    let keys = all(
        c,
        concat!("SELECT idempotency_key FROM messages WHERE ", erased_messages!()),
        (clinic, client),
        read_text,
    )?;
    for sql in ERASE_STEPS {
        exec(c, sql, (clinic, client))?;
    }
    exec(
        c,
        "UPDATE clients SET name = ?, email = NULL, phone = NULL, timezone = NULL, age_months = NULL, \
         opted_out_at = COALESCE(opted_out_at, ?) WHERE id = ? AND clinic_id = ?",
        (ERASED_NAME, now.0, client, clinic),
    )?;
    Ok(Some(Erased { message_keys: keys, identifiers }))
}

/// Moves the write-ahead log's pages into the database file and empties the log, so that an
/// erased client's former pages leave the disk. Run outside any transaction, after the
/// erasure commits. Readers can hold it back, so a busy answer is not an error: the next
/// checkpoint finishes the work.
pub fn checkpoint(c: &Connection) -> Res<()> {
    value::<i64>(c, "PRAGMA wal_checkpoint(TRUNCATE)", ()).map(|_busy| ())
}
