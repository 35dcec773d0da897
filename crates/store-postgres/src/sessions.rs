//! Sessions: the massages given, and what the therapist recorded of each.

use crate::error::{Error, Res};
use crate::rows::{all, id_list, one, sql, the, to_json};
use sqlx::PgConnection;
use store::columns::read_session;
use store::session_columns;
use store::*;

/// Records a session of a client of the clinic by a staff member of the clinic, with its
/// follow-ups (and their messages); a follow-up at an hour the session has already is a
/// conflict.
pub async fn record_session(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    session: NewSession,
    follow_ups: Vec<NewFollowUp>,
) -> Res<(Session, Vec<FollowUp>)> {
    // The client and the staff member must be the clinic's: no row to insert otherwise.
    const SQL: &str = concat!(
        "INSERT INTO sessions (clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques, ",
        "first_massage, notes, ended_at, created_at, baby_birth_date) ",
        "SELECT $1, c.id, s.id, $2, $3, $4, $5, $6, $7, $8, $9, $10 ",
        "FROM clients c JOIN staff s ON s.clinic_id = c.clinic_id ",
        "WHERE c.id = $11 AND c.clinic_id = $1 AND s.id = $12 ",
        "RETURNING ",
        session_columns!()
    );
    let now = session.now;
    let recorded = the(
        &mut *c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(session.massage_type)
            .bind(session.pressure)
            .bind(to_json(&session.areas))
            .bind(to_json(&session.techniques))
            .bind(session.first_massage)
            .bind(session.notes)
            .bind(session.ended_at.0)
            .bind(now.0)
            .bind(session.baby_birth_date)
            .bind(session.client_id.get())
            .bind(session.staff_id.get()),
        read_session,
    )
    .await?;
    let mut scheduled = Vec::with_capacity(follow_ups.len());
    for f in follow_ups {
        let added = crate::follow_ups::insert_follow_up(&mut *c, clinic_id, recorded.id, f, now).await?;
        scheduled.push(added.ok_or(Error::Store(StoreError::Conflict("check-in hour")))?);
    }
    Ok((recorded, scheduled))
}

/// A session of the clinic.
pub async fn session(c: &mut PgConnection, clinic_id: ClinicId, session_id: SessionId) -> Res<Option<Session>> {
    const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE id = $1 AND clinic_id = $2");
    one(c, sql(SQL).bind(session_id.get()).bind(clinic_id.get()), read_session).await
}

/// A page of a client's sessions, in the order they ended, after `after`.
pub async fn sessions_of_client(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    client_id: ClientId,
    after: Option<&SessionPosition>,
    limit: u32,
) -> Res<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE clinic_id = $1 AND client_id = $2 AND (ended_at, id) > ($3, $4) ",
        "ORDER BY ended_at, id LIMIT $5"
    );
    all(
        c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(client_id.get())
            .bind(after.map_or(i64::MIN, |p| p.ended_at.0))
            .bind(after.map_or(0, |p| p.id.get()))
            .bind(i64::from(limit)),
        read_session,
    )
    .await
}

/// The clinic's sessions among `ids`: one statement whatever the number of ids (they
/// travel as one array).
pub async fn sessions_by_ids(c: &mut PgConnection, clinic_id: ClinicId, ids: &[SessionId]) -> Res<Vec<Session>> {
    const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE clinic_id = $1 AND id = ANY($2)");
    all(c, sql(SQL).bind(clinic_id.get()).bind(id_list(ids.iter().map(|i| i.get()))), read_session).await
}

/// The clinic's sessions that ended in `[from, to)`, in that order.
pub async fn sessions_between(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT ",
        session_columns!(),
        " FROM sessions WHERE clinic_id = $1 AND ended_at >= $2 AND ended_at < $3 ORDER BY ended_at, id"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(from.0).bind(to.0), read_session).await
}
