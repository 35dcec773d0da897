//! What the clinic learns: check-ins and alerts by technique and pressure, read for a period,
//! and the tallies that keep the outcomes page's figures as they are written.

use crate::error::Res;
use crate::rows::{all, exec, sql, the};
use sqlx::PgConnection;
use store::columns::{
    read_alert_tally, read_answer_tally, read_area_tally, read_asked_tally, read_follow_up_asked, read_span, read_zone,
};
use store::columns::{read_outcome_alert, read_outcome_check_in};
use store::tally::{Day, Soreness, Tallies, TallyBuilder, ack_step, recount_windows};
use store::{Alert, AlertId, AlertPosition, CheckIn, ClinicId, OutcomeAlert, OutcomeCheckIn, SessionId, Timestamp};
use store::{alert_tally_columns, answer_tally_columns, area_tally_columns, asked_tally_columns};
use store::{outcome_alert_columns, outcome_check_in_columns};

/// The check-ins of the sessions that ended from `from` (included) to `to` (excluded), with
/// what the outcomes are read by, in the order of the sessions' end.
pub async fn outcome_check_ins(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<OutcomeCheckIn>> {
    all(
        c,
        sql(concat!(
            "SELECT ",
            outcome_check_in_columns!(),
            " FROM sessions s JOIN check_ins c ON c.clinic_id = s.clinic_id AND c.session_id = s.id \
             JOIN follow_ups f ON f.clinic_id = c.clinic_id AND f.id = c.follow_up_id \
             WHERE s.clinic_id = $1 AND s.ended_at >= $2 AND s.ended_at < $3 ORDER BY s.ended_at, s.id, c.submitted_at"
        ))
        .bind(clinic_id.get())
        .bind(from.0)
        .bind(to.0),
        read_outcome_check_in,
    )
    .await
}

/// The alerts raised from `from` (included) to `to` (excluded), with their sessions'
/// therapist and when each was acknowledged, in no order: what a recount counts. One
/// statement, along the index of the clinic's alerts by level and time.
pub async fn outcome_alerts(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<OutcomeAlert>> {
    const SQL: &str = concat!(
        "SELECT ",
        outcome_alert_columns!(),
        " FROM alerts a JOIN check_ins c ON c.clinic_id = a.clinic_id AND c.id = a.check_in_id \
         JOIN sessions s ON s.clinic_id = c.clinic_id AND s.id = c.session_id \
         WHERE a.clinic_id = $1 AND a.level = ANY($2) AND a.created_at >= $3 AND a.created_at < $4"
    );
    let levels: Vec<&str> = AlertPosition::LEVELS.iter().map(|l| l.code()).collect();
    all(c, sql(SQL).bind(clinic_id.get()).bind(levels).bind(from.0).bind(to.0), read_outcome_alert).await
}

/// The clinic's tallies of the days `from` to `to`, both included: four ranges along
/// their primary keys, each group's slots added.
pub async fn outcome_tallies(c: &mut PgConnection, clinic_id: ClinicId, from: Day, to: Day) -> Res<Tallies> {
    let (clinic, from, to) = (clinic_id.get(), i64::from(from.0), i64::from(to.0));
    Ok(Tallies {
        answers: all(
            &mut *c,
            sql(concat!(
                "SELECT day, massage_type, staff_id, offset_hours, pressure, level, SUM(answers)::bigint, ",
                "SUM(sore)::bigint, SUM(soreness_sum)::bigint, SUM(very_sore)::bigint ",
                "FROM outcome_answers WHERE clinic_id = $1 AND day BETWEEN $2 AND $3 ",
                "GROUP BY day, massage_type, staff_id, offset_hours, pressure, level ",
                "ORDER BY day, massage_type, staff_id, offset_hours, pressure, level"
            ))
            .bind(clinic)
            .bind(from)
            .bind(to),
            read_answer_tally,
        )
        .await?,
        areas: all(
            &mut *c,
            sql(concat!(
                "SELECT day, massage_type, staff_id, offset_hours, area, SUM(sore)::bigint, ",
                "SUM(soreness_sum)::bigint, SUM(very_sore)::bigint ",
                "FROM outcome_areas WHERE clinic_id = $1 AND day BETWEEN $2 AND $3 ",
                "GROUP BY day, massage_type, staff_id, offset_hours, area ",
                "ORDER BY day, massage_type, staff_id, offset_hours, area"
            ))
            .bind(clinic)
            .bind(from)
            .bind(to),
            read_area_tally,
        )
        .await?,
        asked: all(
            &mut *c,
            sql(concat!(
                "SELECT day, massage_type, staff_id, SUM(asked)::bigint, SUM(answered)::bigint ",
                "FROM outcome_asked WHERE clinic_id = $1 AND day BETWEEN $2 AND $3 ",
                "GROUP BY day, massage_type, staff_id ORDER BY day, massage_type, staff_id"
            ))
            .bind(clinic)
            .bind(from)
            .bind(to),
            read_asked_tally,
        )
        .await?,
        alerts: all(
            &mut *c,
            sql(concat!(
                "SELECT day, massage_type, staff_id, ack_step, SUM(alerts)::bigint ",
                "FROM outcome_alerts WHERE clinic_id = $1 AND day BETWEEN $2 AND $3 ",
                "GROUP BY day, massage_type, staff_id, ack_step HAVING SUM(alerts) <> 0 ",
                "ORDER BY day, massage_type, staff_id, ack_step"
            ))
            .bind(clinic)
            .bind(from)
            .bind(to),
            read_alert_tally,
        )
        .await?,
    })
}

/// Counts a check-in just written in the tallies, in its transaction: its answer, its
/// soreness by its session's areas, its follow-up as answered if it is the first answer, and
/// the alert it raised, when it raised a new one (`new_alert`). One statement (four inserts
/// in a `WITH`): one round trip to the server.
pub async fn count_check_in(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    recorded: &CheckIn,
    (day, due_day): (Day, Day),
    new_alert: Option<AlertId>,
) -> Res<()> {
    const SQL: &str = "WITH answer AS (INSERT INTO outcome_answers (clinic_id, day, massage_type, staff_id, \
        offset_hours, pressure, level, answers, sore, soreness_sum, very_sore, slot) \
        SELECT f.clinic_id, $2::bigint, s.massage_type, s.staff_id, f.offset_hours, s.pressure, $3::text, 1, \
        $4::bigint, $5::bigint, $6::bigint, $8::bigint \
        FROM follow_ups f JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id \
        WHERE f.clinic_id = $1 AND f.id = $7 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, offset_hours, pressure, level, slot) DO UPDATE SET \
        answers = outcome_answers.answers + EXCLUDED.answers, sore = outcome_answers.sore + EXCLUDED.sore, \
        soreness_sum = outcome_answers.soreness_sum + EXCLUDED.soreness_sum, \
        very_sore = outcome_answers.very_sore + EXCLUDED.very_sore RETURNING 1), \
        areas AS (INSERT INTO outcome_areas (clinic_id, day, massage_type, staff_id, offset_hours, area, \
        sore, soreness_sum, very_sore, slot) \
        SELECT f.clinic_id, $2::bigint, s.massage_type, s.staff_id, f.offset_hours, a.value, COUNT(*), \
        COUNT(*) * $5::bigint, COUNT(*) * $6::bigint, $8::bigint \
        FROM follow_ups f JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id \
        CROSS JOIN LATERAL jsonb_array_elements_text(s.areas::jsonb) AS a(value) \
        WHERE f.clinic_id = $1 AND f.id = $7 AND $4::bigint > 0 \
        GROUP BY f.clinic_id, s.massage_type, s.staff_id, f.offset_hours, a.value \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, offset_hours, area, slot) DO UPDATE SET \
        sore = outcome_areas.sore + EXCLUDED.sore, soreness_sum = outcome_areas.soreness_sum + EXCLUDED.soreness_sum, \
        very_sore = outcome_areas.very_sore + EXCLUDED.very_sore RETURNING 1), \
        answered AS (INSERT INTO outcome_asked (clinic_id, day, massage_type, staff_id, asked, answered, slot) \
        SELECT f.clinic_id, $9::bigint, s.massage_type, s.staff_id, 0, 1, $8::bigint \
        FROM follow_ups f JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id \
        WHERE f.clinic_id = $1 AND f.id = $7 AND NOT EXISTS (SELECT 1 FROM check_ins c \
        WHERE c.clinic_id = f.clinic_id AND c.follow_up_id = f.id AND c.id <> $10) \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, slot) DO UPDATE SET \
        answered = outcome_asked.answered + 1 RETURNING 1), \
        alerted AS (INSERT INTO outcome_alerts (clinic_id, day, massage_type, staff_id, ack_step, alerts, slot) \
        SELECT f.clinic_id, $2::bigint, s.massage_type, s.staff_id, 0, 1, $11::bigint \
        FROM follow_ups f JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id \
        WHERE f.clinic_id = $1 AND f.id = $7 AND $11::bigint IS NOT NULL \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, ack_step, slot) DO UPDATE SET \
        alerts = outcome_alerts.alerts + 1 RETURNING 1) \
        SELECT 1";
    let sore = Soreness::of(recorded.triaged, recorded.soreness);
    let q = sql(SQL)
        .bind(clinic_id.get())
        .bind(i64::from(day.0))
        .bind(recorded.level.code())
        .bind(sore.count as i64)
        .bind(sore.sum as i64)
        .bind(sore.very_sore as i64)
        .bind(recorded.follow_up_id.get())
        .bind(slot(recorded.id.get()))
        .bind(i64::from(due_day.0))
        .bind(recorded.id.get())
        .bind(new_alert.map(|a| slot(a.get())));
    exec(c, q).await.map(|_| ())
}

/// Moves an alert just acknowledged from the open ones of its day's tally to its step, in
/// the acknowledgement's transaction (one statement). Its day is read in the clinic's time
/// zone, which its tallies were counted in.
pub async fn count_acknowledgement(c: &mut PgConnection, clinic_id: ClinicId, alert: &Alert) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_alerts (clinic_id, day, massage_type, staff_id, ack_step, alerts, slot) \
        SELECT a.clinic_id, $2::bigint, s.massage_type, s.staff_id, step.ack_step, step.alerts, $3::bigint \
        FROM alerts a JOIN check_ins c ON c.clinic_id = a.clinic_id AND c.id = a.check_in_id \
        JOIN sessions s ON s.clinic_id = c.clinic_id AND s.id = c.session_id \
        CROSS JOIN (VALUES (0::bigint, -1::bigint), ($4::bigint, 1::bigint)) AS step (ack_step, alerts) \
        WHERE a.clinic_id = $1 AND a.id = $5 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, ack_step, slot) DO UPDATE SET \
        alerts = outcome_alerts.alerts + EXCLUDED.alerts";
    let zone = the(&mut *c, sql("SELECT id, timezone FROM clinics WHERE id = $1").bind(clinic_id.get()), read_zone);
    let tz = jiff::tz::TimeZone::get(&zone.await?.1).unwrap_or(jiff::tz::TimeZone::UTC);
    let q = sql(SQL)
        .bind(clinic_id.get())
        .bind(i64::from(Day::of(alert.created_at, &tz).0))
        .bind(slot(alert.id.get()))
        .bind(i64::from(ack_step(alert.created_at, alert.acknowledged_at)))
        .bind(alert.id.get());
    exec(c, q).await.map(|_| ())
}

/// Counts a follow-up just written as asked on the day it is due, in its transaction.
pub async fn count_follow_up(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    session_id: SessionId,
    follow_up: i64,
    due_day: Day,
) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_asked (clinic_id, day, massage_type, staff_id, asked, answered, slot) \
        SELECT clinic_id, $2::bigint, massage_type, staff_id, 1, 0, $4::bigint FROM sessions \
        WHERE clinic_id = $1 AND id = $3 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, slot) DO UPDATE SET asked = outcome_asked.asked + 1";
    let q = sql(SQL).bind(clinic_id.get()).bind(i64::from(due_day.0)).bind(session_id.get()).bind(slot(follow_up));
    exec(c, q).await.map(|_| ())
}

/// The slot of a tally row that counts the row `id` (see the migration: a busy group's counts
/// are spread over 16 rows so that concurrent transactions seldom wait for each other).
fn slot(id: i64) -> i64 {
    id.rem_euclid(16)
}

/// Counts a new clinic's tallies (none yet) in its time zone.
pub async fn start_tallies(c: &mut PgConnection, clinic_id: ClinicId, timezone: &str) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_tally_zones (clinic_id, timezone) VALUES ($1, $2) \
        ON CONFLICT (clinic_id) DO UPDATE SET timezone = EXCLUDED.timezone";
    exec(c, sql(SQL).bind(clinic_id.get()).bind(timezone)).await.map(|_| ())
}

/// Counts a clinic's tallies again from its rows, in `timezone`, in the caller's
/// transaction (the clinic changed its time zone, was imported, or its database is from
/// before the tallies). The clinic's row is locked first: a check-in's tally waits for the
/// recount (its foreign key shares the clinic's row), and a check-in written before it is
/// counted by it.
pub async fn recount(c: &mut PgConnection, clinic_id: ClinicId, timezone: &str) -> Res<()> {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let clinic = clinic_id.get();
    exec(&mut *c, sql("SELECT id FROM clinics WHERE id = $1 FOR UPDATE").bind(clinic)).await?;
    let mut tally = TallyBuilder::default();
    let ends = the(
        &mut *c,
        sql("SELECT MIN(ended_at), MAX(ended_at), COUNT(*) FROM sessions WHERE clinic_id = $1").bind(clinic),
        read_span,
    )
    .await?;
    for (from, to) in recount_windows(ends.0, ends.1, ends.2) {
        for row in outcome_check_ins(&mut *c, clinic_id, Timestamp(from), Timestamp(to)).await? {
            tally.add_check_in(&row, &tz);
        }
    }
    const ASKED: &str = concat!(
        "SELECT f.due_at, EXISTS (SELECT 1 FROM check_ins c WHERE c.clinic_id = f.clinic_id AND c.follow_up_id = f.id), ",
        "s.massage_type, s.staff_id FROM follow_ups f JOIN sessions s ON s.clinic_id = f.clinic_id AND s.id = f.session_id ",
        "WHERE f.clinic_id = $1 AND f.due_at >= $2 AND f.due_at < $3"
    );
    let dues = the(
        &mut *c,
        sql("SELECT MIN(due_at), MAX(due_at), COUNT(*) FROM follow_ups WHERE clinic_id = $1").bind(clinic),
        read_span,
    )
    .await?;
    for (from, to) in recount_windows(dues.0, dues.1, dues.2) {
        let rows = all(&mut *c, sql(ASKED).bind(clinic).bind(from).bind(to), read_follow_up_asked);
        for (due, answered, kind, staff) in rows.await? {
            tally.add_follow_up(due, answered, &kind, staff, &tz);
        }
    }
    let raised = the(
        &mut *c,
        sql("SELECT MIN(created_at), MAX(created_at), COUNT(*) FROM alerts WHERE clinic_id = $1").bind(clinic),
        read_span,
    )
    .await?;
    for (from, to) in recount_windows(raised.0, raised.1, raised.2) {
        for a in outcome_alerts(&mut *c, clinic_id, Timestamp(from), Timestamp(to)).await? {
            tally.add_alert(a.created_at, a.acknowledged_at, &a.massage_type, a.staff_id, &tz);
        }
    }
    for statement in [
        "DELETE FROM outcome_answers WHERE clinic_id = $1",
        "DELETE FROM outcome_areas WHERE clinic_id = $1",
        "DELETE FROM outcome_asked WHERE clinic_id = $1",
        "DELETE FROM outcome_alerts WHERE clinic_id = $1",
    ] {
        exec(&mut *c, sql(statement).bind(clinic)).await?;
    }
    write_tallies(&mut *c, clinic, &tally.finish()).await?;
    start_tallies(c, clinic_id, timezone).await
}

/// How many tally rows one statement of a recount writes. sqlx 0.9.0 does not set
/// `TCP_NODELAY` on its sockets (sqlx issue 4335) and sends a message of more than 16 KB in
/// more than one write; the last write then waits for the server's delayed acknowledgement,
/// about 40 ms on Linux. Sixty-four rows' arrays come to a few KB, one write.
const TALLY_ROWS_A_STATEMENT: usize = 64;

/// Writes a clinic's recounted tallies (all in slot 0): each row's columns passed as arrays,
/// [`TALLY_ROWS_A_STATEMENT`] rows a statement.
async fn write_tallies(c: &mut PgConnection, clinic: i64, t: &Tallies) -> Res<()> {
    fn col<T, U>(rows: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
        rows.iter().map(f).collect()
    }
    for a in t.answers.chunks(TALLY_ROWS_A_STATEMENT) {
        let q = sql(concat!(
            "INSERT INTO outcome_answers (clinic_id, ",
            answer_tally_columns!(),
            ", slot) SELECT $1, u.*, 0 FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], ",
            "$7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[]) AS u"
        ))
        .bind(clinic)
        .bind(col(a, |r| i64::from(r.day.0)))
        .bind(col(a, |r| r.massage_type.clone()))
        .bind(col(a, |r| r.staff_id.get()))
        .bind(col(a, |r| r.offset_hours))
        .bind(col(a, |r| r.pressure.clone()))
        .bind(col(a, |r| r.level.code()))
        .bind(col(a, |r| r.answers as i64))
        .bind(col(a, |r| r.soreness.count as i64))
        .bind(col(a, |r| r.soreness.sum as i64))
        .bind(col(a, |r| r.soreness.very_sore as i64));
        exec(&mut *c, q).await?;
    }
    for a in t.areas.chunks(TALLY_ROWS_A_STATEMENT) {
        let q = sql(concat!(
            "INSERT INTO outcome_areas (clinic_id, ",
            area_tally_columns!(),
            ", slot) SELECT $1, u.*, 0 FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], ",
            "$7::bigint[], $8::bigint[], $9::bigint[]) AS u"
        ))
        .bind(clinic)
        .bind(col(a, |r| i64::from(r.day.0)))
        .bind(col(a, |r| r.massage_type.clone()))
        .bind(col(a, |r| r.staff_id.get()))
        .bind(col(a, |r| r.offset_hours))
        .bind(col(a, |r| r.area.clone()))
        .bind(col(a, |r| r.soreness.count as i64))
        .bind(col(a, |r| r.soreness.sum as i64))
        .bind(col(a, |r| r.soreness.very_sore as i64));
        exec(&mut *c, q).await?;
    }
    for a in t.asked.chunks(TALLY_ROWS_A_STATEMENT) {
        let q = sql(concat!(
        "INSERT INTO outcome_asked (clinic_id, ",
        asked_tally_columns!(),
        ", slot) SELECT $1, u.*, 0 FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u"
    ))
    .bind(clinic)
    .bind(col(a, |r| i64::from(r.day.0)))
    .bind(col(a, |r| r.massage_type.clone()))
    .bind(col(a, |r| r.staff_id.get()))
    .bind(col(a, |r| r.asked as i64))
    .bind(col(a, |r| r.answered as i64));
        exec(&mut *c, q).await?;
    }
    for a in t.alerts.chunks(TALLY_ROWS_A_STATEMENT) {
        let q = sql(concat!(
        "INSERT INTO outcome_alerts (clinic_id, ",
        alert_tally_columns!(),
        ", slot) SELECT $1, u.*, 0 FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS u"
    ))
    .bind(clinic)
    .bind(col(a, |r| i64::from(r.day.0)))
    .bind(col(a, |r| r.massage_type.clone()))
    .bind(col(a, |r| r.staff_id.get()))
    .bind(col(a, |r| i64::from(r.ack_step)))
    .bind(col(a, |r| r.alerts as i64));
        exec(&mut *c, q).await?;
    }
    Ok(())
}

/// Recounts the tallies of every clinic whose tallies were not counted in its own time zone.
pub async fn recount_stale(c: &mut PgConnection) -> Res<()> {
    const SQL: &str = "SELECT k.id, k.timezone FROM clinics k LEFT JOIN outcome_tally_zones z ON z.clinic_id = k.id \
        WHERE z.timezone IS NULL OR z.timezone <> k.timezone ORDER BY k.id";
    for (clinic, timezone) in all(&mut *c, sql(SQL), read_zone).await? {
        recount(&mut *c, clinic, &timezone).await?;
    }
    Ok(())
}
