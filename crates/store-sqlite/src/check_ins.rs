//! Check-ins: the clients' answers, as triaged and stored.

use crate::error::Res;
use crate::rows::{all, id_list, one, the, to_json};
use rusqlite::{Connection, params};
use store::check_in_columns;
use store::columns::{read_check_in, read_check_in_stats};
use store::*;

/// The clinic's check-ins among `ids`: one statement whatever the number of ids (they
/// travel as one JSON array).
pub fn check_ins_by_ids(c: &Connection, clinic_id: ClinicId, ids: &[CheckInId]) -> Res<Vec<CheckIn>> {
    // `+clinic_id`: the ids lead (a primary-key look-up each), never an index of the clinic.
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE +clinic_id = ? AND id IN (SELECT value FROM json_each(?))"
    );
    all(c, SQL, (clinic_id.get(), id_list(ids.iter().map(|i| i.get()))), read_check_in)
}

/// Writes a check-in, its alert and the next follow-up. Runs inside the writer's
/// transaction, in a savepoint of its own: a check-in that fails undoes only itself.
pub fn record_check_in(
    c: &Connection,
    clinic_id: ClinicId,
    check_in: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<NewFollowUp>,
) -> Res<(CheckIn, Option<Alert>)> {
    // The follow-up must be the session's and the clinic's: no row to insert otherwise.
    const SQL: &str = concat!(
        "INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, ",
        "submitted_at, triaged, problems) SELECT ?1, f.session_id, f.id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 ",
        "FROM follow_ups f WHERE f.id = ?10 AND f.session_id = ?11 AND f.clinic_id = ?1 RETURNING ",
        check_in_columns!()
    );
    let recorded = the(
        c,
        SQL,
        params![
            clinic_id.get(),
            check_in.report,
            check_in.soreness.map(i64::from),
            check_in.hours_since,
            check_in.level.code(),
            to_json(&check_in.fired),
            check_in.now.0,
            i64::from(check_in.triaged),
            (!check_in.triaged).then(|| to_json(&check_in.problems)),
            check_in.follow_up_id.get(),
            check_in.session_id.get(),
        ],
        read_check_in,
    )?;
    crate::outcomes::count_check_in(c, clinic_id, &recorded, check_in.day, check_in.due_day)?;
    let raised = match alert {
        Some(a) => Some(crate::alerts::raise_alert(c, clinic_id, &recorded, a, check_in.now, check_in.day)?),
        None => None,
    };
    if let Some(f) = next {
        crate::follow_ups::insert_follow_up(c, clinic_id, recorded.session_id, f, check_in.now)?;
    }
    Ok((recorded, raised))
}

/// A check-in of the clinic.
pub fn check_in(c: &Connection, clinic_id: ClinicId, check_in_id: CheckInId) -> Res<Option<CheckIn>> {
    const SQL: &str = concat!("SELECT ", check_in_columns!(), " FROM check_ins WHERE id = ? AND clinic_id = ?");
    one(c, SQL, (check_in_id.get(), clinic_id.get()), read_check_in)
}

/// A session's check-ins in brief: how many, and the lowest soreness.
pub fn check_in_stats(c: &Connection, clinic_id: ClinicId, session_id: SessionId) -> Res<CheckInStats> {
    const SQL: &str =
        "SELECT COUNT(*) AS count, MIN(soreness) AS lowest FROM check_ins WHERE clinic_id = ? AND session_id = ?";
    the(c, SQL, (clinic_id.get(), session_id.get()), read_check_in_stats)
}

/// A session's check-ins, in the order they came.
pub fn check_ins_of_session(c: &Connection, clinic_id: ClinicId, session_id: SessionId) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = ? AND session_id = ? ORDER BY submitted_at, id"
    );
    all(c, SQL, (clinic_id.get(), session_id.get()), read_check_in)
}

/// Every check-in of a client, over all their sessions, in the order they came.
pub fn check_ins_of_client(c: &Connection, clinic_id: ClinicId, client_id: ClientId) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = ?1 AND session_id IN ",
        "(SELECT id FROM sessions WHERE clinic_id = ?1 AND client_id = ?2) ORDER BY submitted_at, id"
    );
    all(c, SQL, (clinic_id.get(), client_id.get()), read_check_in)
}

/// The clinic's latest check-ins since `since` whose client wrote a note, newest first.
pub fn check_ins_with_notes(c: &Connection, clinic_id: ClinicId, since: Timestamp, limit: u32) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = ? AND submitted_at >= ? AND json_extract(report, '$.note') <> '' ",
        "ORDER BY submitted_at DESC, id DESC LIMIT ?"
    );
    all(c, SQL, (clinic_id.get(), since.0, i64::from(limit)), read_check_in)
}
