//! Follow-ups: each session's scheduled check-ins, their client links, and what is due.

use crate::error::Res;
use crate::messages;
use crate::rows::{all, one};
use rusqlite::{Connection, params};
use store::columns::{
    Row, read_check_in_stats, read_client, read_clinic, read_follow_up, read_follow_up_answered, read_opt_intake,
    read_session,
};
use store::*;
use store::{client_columns, clinic_columns, follow_up_columns, intake_columns, session_columns};

/// Adds a follow-up and its messages; `None` when the session has one at its hour already.
pub fn insert_follow_up(
    c: &Connection,
    clinic_id: ClinicId,
    session_id: SessionId,
    f: NewFollowUp,
    now: Timestamp,
) -> Res<Option<FollowUp>> {
    const SQL: &str = concat!(
        "INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, ",
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, offset_hours) DO NOTHING ",
        "RETURNING ",
        follow_up_columns!()
    );
    let added = one(
        c,
        SQL,
        params![
            clinic_id.get(),
            session_id.get(),
            f.kind,
            f.offset_hours,
            f.due_at.0,
            f.expires_at.0,
            f.link_hash.expose().as_slice(),
            now.0,
        ],
        read_follow_up,
    )?;
    let Some(scheduled) = added else { return Ok(None) };
    crate::outcomes::count_follow_up(c, clinic_id, session_id, f.due_day)?;
    for m in &f.messages {
        messages::insert_message(c, clinic_id, Some(scheduled.id), None, m)?;
    }
    Ok(Some(scheduled))
}

/// The clinic's follow-ups due in `[from, to)`, in that order, each with whether it is
/// answered.
pub fn follow_ups_due(
    c: &Connection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<(FollowUp, bool)>> {
    const SQL: &str = concat!(
        "SELECT ",
        follow_up_columns!("f."),
        ", EXISTS (SELECT 1 FROM check_ins c WHERE c.follow_up_id = f.id AND c.clinic_id = f.clinic_id) AS answered ",
        "FROM follow_ups f WHERE f.clinic_id = ? AND f.due_at >= ? AND f.due_at < ? ORDER BY f.due_at, f.id"
    );
    all(c, SQL, (clinic_id.get(), from.0, to.0), read_follow_up_answered)
}

/// A session's follow-ups, in the order they are due.
pub fn follow_ups_of_session(c: &Connection, clinic_id: ClinicId, session_id: SessionId) -> Res<Vec<FollowUp>> {
    const SQL: &str = concat!(
        "SELECT ",
        follow_up_columns!(),
        " FROM follow_ups WHERE clinic_id = ? AND session_id = ? ORDER BY due_at, id"
    );
    all(c, SQL, (clinic_id.get(), session_id.get()), read_follow_up)
}

/// A follow-up of the clinic.
pub fn follow_up(c: &Connection, clinic_id: ClinicId, follow_up_id: FollowUpId) -> Res<Option<FollowUp>> {
    const SQL: &str = concat!("SELECT ", follow_up_columns!(), " FROM follow_ups WHERE id = ? AND clinic_id = ?");
    one(c, SQL, (follow_up_id.get(), clinic_id.get()), read_follow_up)
}

/// The follow-up whose client link has this hash (a lookup by secret: no clinic).
pub fn follow_up_by_link_hash(c: &Connection, link_hash: &[u8]) -> Res<Option<FollowUp>> {
    const SQL: &str = concat!("SELECT ", follow_up_columns!(), " FROM follow_ups WHERE link_hash = ?");
    one(c, SQL, params![link_hash], read_follow_up)
}

/// What a client link leads to: its follow-up, clinic, session, client, the session's
/// check-ins so far and the hours of its follow-ups, in one read.
pub fn link_context(c: &Connection, link_hash: &[u8]) -> Res<Option<LinkRecords>> {
    const SQL: &str = concat!(
        "SELECT ",
        follow_up_columns!("f."),
        ", ",
        clinic_columns!("c."),
        ", ",
        session_columns!("s."),
        ", ",
        client_columns!("k."),
        ", ",
        intake_columns!("i."),
        ", ",
        "(SELECT COUNT(*) FROM check_ins x WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id) ",
        "AS earlier_count, ",
        "(SELECT MIN(soreness) FROM check_ins x WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id) ",
        "AS earlier_lowest, ",
        "(SELECT json_group_array(offset_hours) FROM (SELECT x.offset_hours FROM follow_ups x ",
        "WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id ORDER BY x.offset_hours)) AS scheduled ",
        "FROM follow_ups f JOIN clinics c ON c.id = f.clinic_id ",
        "JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id ",
        "JOIN clients k ON k.id = s.client_id AND k.clinic_id = f.clinic_id ",
        "LEFT JOIN intakes i ON i.id = (SELECT x.id FROM intakes x ",
        "WHERE x.clinic_id = f.clinic_id AND x.client_id = s.client_id ORDER BY x.id DESC LIMIT 1) ",
        "WHERE f.link_hash = ?"
    );
    one(c, SQL, params![link_hash], read_link_records)
}

/// A follow-up, its clinic, session, client and the client's latest intake, then the three
/// aggregates, in that order (the hours as a JSON array).
fn read_link_records(r: &mut dyn Row) -> StoreResult<LinkRecords> {
    Ok(LinkRecords {
        follow_up: read_follow_up(r)?,
        clinic: read_clinic(r)?,
        session: read_session(r)?,
        client: read_client(r)?,
        latest_intake: read_opt_intake(r)?,
        earlier: read_check_in_stats(r)?,
        scheduled_hours: serde_json::from_str(&r.text()?)
            .map_err(|e| StoreError::Corrupt(format!("a session's follow-up hours: {e}")))?,
    })
}
