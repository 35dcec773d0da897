//! Check-ins: the clients' answers, as triaged and stored.

use crate::error::Res;
use crate::rows::{all, id_list, one, sql, the, to_json};
use sqlx::PgConnection;
use store::check_in_columns;
use store::columns::{read_check_in, read_check_in_stats};
use store::*;

/// The clinic's check-ins among `ids`: one statement whatever the number of ids (they
/// travel as one array).
pub async fn check_ins_by_ids(c: &mut PgConnection, clinic_id: ClinicId, ids: &[CheckInId]) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!("SELECT ", check_in_columns!(), " FROM check_ins WHERE clinic_id = $1 AND id = ANY($2)");
    all(c, sql(SQL).bind(clinic_id.get()).bind(id_list(ids.iter().map(|i| i.get()))), read_check_in).await
}

/// Writes a check-in, its alert and the next follow-up. Runs in the operation's own
/// transaction: a check-in that fails undoes only itself.
pub async fn record_check_in(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    check_in: NewCheckIn,
    alert: Option<NewAlert>,
    next: Option<NewFollowUp>,
) -> Res<(CheckIn, Option<Alert>)> {
    // The follow-up must be the session's and the clinic's: no row to insert otherwise.
    const SQL: &str = concat!(
        "INSERT INTO check_ins (clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, ",
        "submitted_at, triaged, problems) SELECT $1::bigint, f.session_id, f.id, $2::text, $3::bigint, ",
        "$4::double precision, $5::text, $6::text, $7::bigint, $8::boolean, $9::text ",
        "FROM follow_ups f WHERE f.id = $10 AND f.session_id = $11 AND f.clinic_id = $1 RETURNING ",
        check_in_columns!()
    );
    let recorded = the(
        c,
        sql(SQL)
            .bind(clinic_id.get())
            .bind(check_in.report.as_str())
            .bind(check_in.soreness.map(i64::from))
            .bind(check_in.hours_since)
            .bind(check_in.level.code())
            .bind(to_json(&check_in.fired))
            .bind(check_in.now.0)
            .bind(check_in.triaged)
            .bind((!check_in.triaged).then(|| to_json(&check_in.problems)))
            .bind(check_in.follow_up_id.get())
            .bind(check_in.session_id.get()),
        read_check_in,
    )
    .await?;
    let raised = match alert {
        Some(a) => Some(crate::alerts::raise_alert(c, clinic_id, &recorded, a, check_in.now).await?),
        None => None,
    };
    let new_alert = raised.as_ref().filter(|(_, new)| *new).map(|(a, _)| a.id);
    if let Some(f) = next {
        crate::follow_ups::insert_follow_up(&mut *c, clinic_id, recorded.session_id, f, check_in.now).await?;
    }
    // Last: a tally row is shared by the clinic's other answers of the day, and its lock is
    // held until the commit.
    crate::outcomes::count_check_in(c, clinic_id, &recorded, (check_in.day, check_in.due_day), new_alert).await?;
    Ok((recorded, raised.map(|(a, _)| a)))
}

/// A check-in of the clinic.
pub async fn check_in(c: &mut PgConnection, clinic_id: ClinicId, check_in_id: CheckInId) -> Res<Option<CheckIn>> {
    const SQL: &str = concat!("SELECT ", check_in_columns!(), " FROM check_ins WHERE id = $1 AND clinic_id = $2");
    one(c, sql(SQL).bind(check_in_id.get()).bind(clinic_id.get()), read_check_in).await
}

/// A session's check-ins in brief: how many, and the lowest soreness.
pub async fn check_in_stats(c: &mut PgConnection, clinic_id: ClinicId, session_id: SessionId) -> Res<CheckInStats> {
    const SQL: &str =
        "SELECT COUNT(*) AS count, MIN(soreness) AS lowest FROM check_ins WHERE clinic_id = $1 AND session_id = $2";
    the(c, sql(SQL).bind(clinic_id.get()).bind(session_id.get()), read_check_in_stats).await
}

/// A session's check-ins, in the order they came.
pub async fn check_ins_of_session(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    session_id: SessionId,
) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = $1 AND session_id = $2 ORDER BY submitted_at, id"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(session_id.get()), read_check_in).await
}

/// Every check-in of a client, over all their sessions, in the order they came.
pub async fn check_ins_of_client(c: &mut PgConnection, clinic_id: ClinicId, client_id: ClientId) -> Res<Vec<CheckIn>> {
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = $1 AND session_id IN ",
        "(SELECT id FROM sessions WHERE clinic_id = $1 AND client_id = $2) ORDER BY submitted_at, id"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(client_id.get()), read_check_in).await
}

/// The clinic's latest check-ins since `since` whose client wrote a note, newest first.
pub async fn check_ins_with_notes(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    since: Timestamp,
    limit: u32,
) -> Res<Vec<CheckIn>> {
    // The note's test is written as the partial index `check_ins_notes` has it, so that the
    // planner can use that index.
    const SQL: &str = concat!(
        "SELECT ",
        check_in_columns!(),
        " FROM check_ins WHERE clinic_id = $1 AND submitted_at >= $2 AND (report::jsonb ->> 'note') <> '' ",
        "ORDER BY submitted_at DESC, id DESC LIMIT $3"
    );
    all(c, sql(SQL).bind(clinic_id.get()).bind(since.0).bind(i64::from(limit)), read_check_in).await
}
