//! Follow-ups: each session's scheduled check-ins, their client links, and what is due.

use crate::error::Res;
use crate::messages;
use crate::rows::{Cols, all, one, sql};
use sqlx::PgConnection;
use store::columns::{
    read_check_in_stats, read_client, read_clinic, read_follow_up, read_follow_up_answered, read_opt_intake,
    read_session,
};
use store::*;
use store::{client_columns, clinic_columns, follow_up_columns, intake_columns, session_columns};

/// Adds a follow-up and its messages; `None` when the session has one at its hour already.
pub async fn insert_follow_up(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    session_id: SessionId,
    f: NewFollowUp,
    now: Timestamp,
) -> Res<Option<FollowUp>> {
    // `ON CONFLICT` names the unique index `follow_ups_one_per_hour`; a follow-up at the same
    // hour written at the same time by another transaction is waited for, then found.
    const SQL: &str = concat!(
        "INSERT INTO follow_ups (clinic_id, session_id, kind, offset_hours, due_at, expires_at, link_hash, ",
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ",
        "ON CONFLICT (clinic_id, session_id, offset_hours) DO NOTHING ",
        "RETURNING ",
        follow_up_columns!()
    );
    let added = one(
        &mut *c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(session_id.get())
            .bind(f.kind.as_str())
            .bind(f.offset_hours)
            .bind(f.due_at.0)
            .bind(f.expires_at.0)
            .bind(f.link_hash.expose().as_slice())
            .bind(now.0),
        read_follow_up,
    )
    .await?;
    let Some(scheduled) = added else { return Ok(None) };
    for m in &f.messages {
        messages::insert_message(&mut *c, clinic_id, Some(scheduled.id), None, m).await?;
    }
    crate::outcomes::count_follow_up(c, clinic_id, session_id, scheduled.id.get(), f.due_day).await?;
    Ok(Some(scheduled))
}

/// The clinic's follow-ups due in `[from, to)`, in that order, each with whether it is
/// answered.
pub async fn follow_ups_due(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<(FollowUp, bool)>> {
    const SQL: &str = concat!(
        "SELECT ",
        follow_up_columns!("f."),
        ", EXISTS (SELECT 1 FROM check_ins c WHERE c.clinic_id = f.clinic_id AND c.follow_up_id = f.id) AS answered ",
        "FROM follow_ups f WHERE f.clinic_id = $1 AND f.due_at >= $2 AND f.due_at < $3 ORDER BY f.due_at, f.id"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(from.0).bind(to.0), read_follow_up_answered).await
}

/// A session's follow-ups, in the order they are due.
pub async fn follow_ups_of_session(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    session_id: SessionId,
) -> Res<Vec<FollowUp>> {
    const SQL: &str = concat!(
        "SELECT ",
        follow_up_columns!(),
        " FROM follow_ups WHERE clinic_id = $1 AND session_id = $2 ORDER BY due_at, id"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(session_id.get()), read_follow_up).await
}

/// A follow-up of the clinic.
pub async fn follow_up(c: &mut PgConnection, clinic_id: ClinicId, follow_up_id: FollowUpId) -> Res<Option<FollowUp>> {
    const SQL: &str = concat!("SELECT ", follow_up_columns!(), " FROM follow_ups WHERE id = $1 AND clinic_id = $2");
    one(c, sql(SQL).bind(follow_up_id.get()).bind(clinic_id.get()), read_follow_up).await
}

/// The follow-up whose client link has this hash (a lookup by secret: no clinic).
pub async fn follow_up_by_link_hash(c: &mut PgConnection, link_hash: &[u8]) -> Res<Option<FollowUp>> {
    const SQL: &str = concat!("SELECT ", follow_up_columns!(), " FROM follow_ups WHERE link_hash = $1");
    one(c, sql(SQL).bind(link_hash), read_follow_up).await
}

/// What a client link leads to: its follow-up, clinic, session, client, the session's
/// check-ins so far and the hours of its follow-ups, in one read (one statement: this is
/// every check-in's first step).
pub async fn link_context(c: &mut PgConnection, link_hash: &[u8]) -> Res<Option<LinkRecords>> {
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
        "(SELECT MIN(x.soreness) FROM check_ins x WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id) ",
        "AS earlier_lowest, ",
        "ARRAY(SELECT x.offset_hours FROM follow_ups x ",
        "WHERE x.clinic_id = f.clinic_id AND x.session_id = f.session_id ORDER BY x.offset_hours) AS scheduled ",
        "FROM follow_ups f JOIN clinics c ON c.id = f.clinic_id ",
        "JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id ",
        "JOIN clients k ON k.clinic_id = f.clinic_id AND k.id = s.client_id ",
        "LEFT JOIN intakes i ON i.clinic_id = f.clinic_id AND i.id = (SELECT x.id FROM intakes x ",
        "WHERE x.clinic_id = f.clinic_id AND x.client_id = s.client_id ORDER BY x.id DESC LIMIT 1) ",
        "WHERE f.link_hash = $1"
    );
    // Read through this backend's own rows: the hours come as an array, which no reader of
    // both backends takes.
    let row = sql(SQL).bind(link_hash).fetch_optional(&mut *c).await?;
    row.map(|row| read_link_records(&mut Cols::new(&row))).transpose()
}

/// A follow-up, its clinic, session, client and the client's latest intake, then the three
/// aggregates, in that order (the hours as an array of BIGINT).
fn read_link_records(r: &mut Cols<'_>) -> Res<LinkRecords> {
    Ok(LinkRecords {
        follow_up: read_follow_up(r)?,
        clinic: read_clinic(r)?,
        session: read_session(r)?,
        client: read_client(r)?,
        latest_intake: read_opt_intake(r)?,
        earlier: read_check_in_stats(r)?,
        scheduled_hours: r.get::<Vec<i64>>()?,
    })
}
