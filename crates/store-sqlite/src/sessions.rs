//! Sessions: the massages given, and what the therapist recorded of each.

use crate::error::{Error, Res};
use crate::rows::{all, id_list, one, the, to_json};
use rusqlite::{Connection, params};
use store::columns::read_session;
use store::session_columns;
use store::*;

/// Records a session of a client of the clinic by a staff member of the clinic, with its
/// follow-ups (and their messages); a follow-up at an hour the session has already is a
/// conflict.
pub fn record_session(
    c: &Connection,
    clinic_id: ClinicId,
    session: NewSession,
    follow_ups: Vec<NewFollowUp>,
) -> Res<(Session, Vec<FollowUp>)> {
    // The client and the staff member must be the clinic's: no row to insert otherwise.
    const SQL: &str = concat!(
        "INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, ",
        "first_massage, notes, ended_at, created_at, baby_birth_date) ",
        "SELECT ?, c.id, s.id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM clients c JOIN staff s ON s.clinic_id = c.clinic_id ",
        "WHERE c.id = ? AND c.clinic_id = ? AND s.id = ? ",
        "RETURNING ",
        session_columns!()
    );
    let recorded = the(
        c,
        SQL,
        params![
            clinic_id.get(),
            session.massage_type,
            session.pressure,
            to_json(&session.areas),
            to_json(&session.techniques),
            session.first_massage,
            session.notes,
            session.ended_at.0,
            session.now.0,
            session.baby_birth_date,
            session.client_id.get(),
            clinic_id.get(),
            session.staff_id.get(),
        ],
        read_session,
    )?;
    let mut scheduled = Vec::with_capacity(follow_ups.len());
    for f in follow_ups {
        let added = crate::follow_ups::insert_follow_up(c, clinic_id, recorded.id, f, session.now)?;
        scheduled.push(added.ok_or(Error::Store(StoreError::Conflict("check-in hour")))?);
    }
    Ok((recorded, scheduled))
}

/// A session of the clinic.
pub fn session(c: &Connection, clinic_id: ClinicId, session_id: SessionId) -> Res<Option<Session>> {
    const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE id = ? AND clinic_id = ?");
    one(c, SQL, (session_id.get(), clinic_id.get()), read_session)
}

/// A page of a client's sessions, in the order they ended, after `after`.
pub fn sessions_of_client(
    c: &Connection,
    clinic_id: ClinicId,
    client_id: ClientId,
    after: Option<&SessionPosition>,
    limit: u32,
) -> Res<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE clinic_id = ? AND client_id = ? AND (ended_at, id) > (?, ?) ",
        "ORDER BY ended_at, id LIMIT ?"
    );
    all(
        c,
        SQL,
        params![
            clinic_id.get(),
            client_id.get(),
            after.map_or(i64::MIN, |p| p.ended_at.0),
            after.map_or(0, |p| p.id.get()),
            i64::from(limit),
        ],
        read_session,
    )
}

/// The clinic's sessions among `ids`: one statement whatever the number of ids (they
/// travel as one JSON array).
pub fn sessions_by_ids(c: &Connection, clinic_id: ClinicId, ids: &[SessionId]) -> Res<Vec<Session>> {
    // `+clinic_id`: the ids lead (a primary-key look-up each), never an index of the clinic.
    const SQL: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE +clinic_id = ? AND id IN (SELECT value FROM json_each(?))"
    );
    all(c, SQL, (clinic_id.get(), id_list(ids.iter().map(|i| i.get()))), read_session)
}

/// The clinic's sessions that ended in `[from, to)`, in that order.
pub fn sessions_between(c: &Connection, clinic_id: ClinicId, from: Timestamp, to: Timestamp) -> Res<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE clinic_id = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at, id"
    );
    all(c, SQL, (clinic_id.get(), from.0, to.0), read_session)
}
