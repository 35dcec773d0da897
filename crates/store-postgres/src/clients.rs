//! Clients: their record, search, language, opting out of messages, and erasure.

use crate::error::Res;
use crate::rows::{all, exec, id_list, one, sql, the};
use sqlx::PgConnection;
use store::client_columns;
use store::columns::{read_client, read_identifiers, read_text};
use store::{Client, ClientId, ClientPosition, ClinicId, ERASED_NAME, Erased, NewClient, Timestamp};

/// Adds a client to the clinic.
pub async fn create_client(c: &mut PgConnection, clinic_id: ClinicId, new: NewClient) -> Res<Client> {
    const SQL: &str = concat!(
        "INSERT INTO clients (clinic_id, name, email, phone, timezone, age_months, language, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
        client_columns!()
    );
    the(
        c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(new.name)
            .bind(new.email)
            .bind(new.phone)
            .bind(new.timezone)
            .bind(new.age_months.map(i64::from))
            .bind(new.language)
            .bind(new.now.0),
        read_client,
    )
    .await
}

/// A client of the clinic, by id.
pub async fn client(c: &mut PgConnection, clinic_id: ClinicId, client_id: ClientId) -> Res<Option<Client>> {
    const SQL: &str = concat!("SELECT ", client_columns!(), " FROM clients WHERE id = $1 AND clinic_id = $2");
    one(c, sql(SQL).bind(client_id.get()).bind(clinic_id.get()), read_client).await
}

/// The clients of the clinic among `ids`: one statement whatever the number of ids (they
/// travel as one array).
pub async fn clients_by_ids(c: &mut PgConnection, clinic_id: ClinicId, ids: &[ClientId]) -> Res<Vec<Client>> {
    const SQL: &str = concat!("SELECT ", client_columns!(), " FROM clients WHERE clinic_id = $1 AND id = ANY($2)");
    all(c, sql(SQL).bind(clinic_id.get()).bind(id_list(ids.iter().map(|i| i.get()))), read_client).await
}

/// A page of the clinic's clients by name (then id), after `after`, whose name, e-mail or
/// phone holds `search` when given.
pub async fn clients(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    search: Option<&str>,
    after: Option<&ClientPosition>,
    limit: u32,
) -> Res<Vec<Client>> {
    // Names are ordered and compared case-blind, as `lower(name)` (the order of the index
    // `clients_name`); the position is one row comparison, which the index serves.
    const SQL: &str = concat!(
        "SELECT ",
        client_columns!(),
        " FROM clients WHERE clinic_id = $1 AND ($2::text IS NULL OR lower(name) LIKE $2 ESCAPE '\\' \
         OR lower(coalesce(email, '')) LIKE $2 ESCAPE '\\' OR coalesce(phone, '') LIKE $2 ESCAPE '\\') \
         AND (lower(name), id) > (lower($3), $4) \
         ORDER BY lower(name), id LIMIT $5"
    );
    // LIKE wildcards in the search are escaped, so a search is always a plain substring.
    let pattern = search.map(|q| {
        let escaped = q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    });
    all(
        c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(pattern)
            .bind(after.map_or("", |p| p.name.as_str()))
            .bind(after.map_or(0, |p| p.id.get()))
            .bind(i64::from(limit)),
        read_client,
    )
    .await
}

/// Stops (`Some`: since when) or resumes (`None`) a client's messages; the client as it now
/// is, `None` when not in the clinic.
pub async fn set_client_opted_out(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    client_id: ClientId,
    opted_out_at: Option<Timestamp>,
) -> Res<Option<Client>> {
    const SQL: &str =
        concat!("UPDATE clients SET opted_out_at = $1 WHERE id = $2 AND clinic_id = $3 RETURNING ", client_columns!());
    one(c, sql(SQL).bind(opted_out_at.map(|t| t.0)).bind(client_id.get()).bind(clinic_id.get()), read_client).await
}

/// Sets (or forgets, `None`) a client's language; the client as it now is, `None` when not
/// in the clinic.
pub async fn set_client_language(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    client_id: ClientId,
    language: Option<&str>,
) -> Res<Option<Client>> {
    const SQL: &str =
        concat!("UPDATE clients SET language = $1 WHERE id = $2 AND clinic_id = $3 RETURNING ", client_columns!());
    one(c, sql(SQL).bind(language).bind(client_id.get()).bind(clinic_id.get()), read_client).await
}

// What an erasure touches, each statement taking the clinic as `$1` and the client as `$2`.
macro_rules! erased_sessions {
    () => {
        "SELECT id FROM sessions WHERE clinic_id = $1 AND client_id = $2"
    };
}
macro_rules! erased_check_ins {
    () => {
        concat!("SELECT id FROM check_ins WHERE clinic_id = $1 AND session_id IN (", erased_sessions!(), ")")
    };
}
macro_rules! erased_follow_ups {
    () => {
        concat!("SELECT id FROM follow_ups WHERE clinic_id = $1 AND session_id IN (", erased_sessions!(), ")")
    };
}
macro_rules! erased_alerts {
    () => {
        "SELECT id FROM alerts WHERE clinic_id = $1 AND client_id = $2"
    };
}
macro_rules! erased_messages {
    () => {
        concat!(
            "clinic_id = $1 AND (follow_up_id IN (",
            erased_follow_ups!(),
            ") OR alert_id IN (",
            erased_alerts!(),
            "))"
        )
    };
}

/// The first step of an erasure: the messages go, and their keys come back. One statement,
/// so that the keys are exactly those of the messages deleted (a read then a delete could
/// see different messages under READ COMMITTED).
const ERASE_MESSAGES: &str = concat!("DELETE FROM messages WHERE ", erased_messages!(), " RETURNING idempotency_key");

/// The steps of an erasure after the messages, in order.
const ERASE_STEPS: [&str; 7] = [
    // The links stop working: their hashes become random (32 bytes), matching no token.
    concat!(
        "UPDATE follow_ups SET link_hash = uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) \
         WHERE clinic_id = $1 AND id IN (",
        erased_follow_ups!(),
        ")"
    ),
    "DELETE FROM intake_links WHERE clinic_id = $1 AND client_id = $2",
    "DELETE FROM intakes WHERE clinic_id = $1 AND client_id = $2",
    concat!("DELETE FROM feedback WHERE clinic_id = $1 AND check_in_id IN (", erased_check_ins!(), ")"),
    concat!(
        "UPDATE check_ins SET report = '{}', problems = NULL WHERE clinic_id = $1 AND id IN (",
        erased_check_ins!(),
        ")"
    ),
    "UPDATE sessions SET notes = NULL, techniques = '[]', baby_birth_date = NULL \
     WHERE clinic_id = $1 AND client_id = $2",
    "UPDATE alerts SET note = NULL WHERE clinic_id = $1 AND client_id = $2",
];

/// Erases a client (the right to erasure): their name, contact details, intakes, intake
/// links, feedback, the words of their answers and of the sessions' notes, the alerts' notes
/// and every message about them are deleted; their links stop working; what is left (levels,
/// soreness, types, times) keeps the clinic's outcome counts and names no one. `None` when
/// the client is not in the clinic.
///
/// PostgreSQL keeps the former versions of the rows on disk until (auto)vacuum reclaims
/// them; nothing here forces that.
pub async fn erase_client(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    client_id: ClientId,
    now: Timestamp,
) -> Res<Option<Erased>> {
    // The client's row is locked (FOR UPDATE) for the whole erasure: a second erasure waits
    // and then reads the erased record, and no session, intake, intake link or alert can be
    // added for the client meanwhile (their foreign keys must share-lock this row).
    const IDENTIFIERS: &str = "SELECT name, email, phone FROM clients WHERE id = $1 AND clinic_id = $2 FOR UPDATE";
    let (clinic, client) = (clinic_id.get(), client_id.get());
    let Some(identifiers) = one(&mut *c, sql(IDENTIFIERS).bind(client).bind(clinic), read_identifiers).await? else {
        return Ok(None);
    };
    let keys = all(&mut *c, sql(ERASE_MESSAGES).bind(clinic).bind(client), read_text).await?;
    for step in ERASE_STEPS {
        exec(&mut *c, sql(step).bind(clinic).bind(client)).await?;
    }
    exec(
        c,
        sql("UPDATE clients SET name = $1, email = NULL, phone = NULL, timezone = NULL, age_months = NULL, \
             opted_out_at = COALESCE(opted_out_at, $2) WHERE id = $3 AND clinic_id = $4")
        .bind(ERASED_NAME)
        .bind(now.0)
        .bind(client)
        .bind(clinic),
    )
    .await?;
    Ok(Some(Erased { message_keys: keys, identifiers }))
}
