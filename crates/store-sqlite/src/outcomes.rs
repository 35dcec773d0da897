//! What the clinic learns: check-ins and alerts by technique and pressure, read for a period,
//! and the tallies that keep the outcomes page's figures as they are written.

use crate::error::Res;
use crate::rows::{all, exec, the};
use rusqlite::{Connection, params};
use store::columns::{
    read_alert_tally, read_answer_tally, read_area_tally, read_asked_tally, read_follow_up_asked, read_span, read_zone,
};
use store::columns::{read_outcome_alert, read_outcome_check_in};
use store::tally::{Day, Soreness, Tallies, TallyBuilder, ack_step, recount_windows};
use store::{AlertId, AlertPosition, CheckIn, ClinicId, Level, OutcomeAlert, OutcomeCheckIn, SessionId, Timestamp};
use store::{alert_tally_columns, answer_tally_columns, area_tally_columns, asked_tally_columns};
use store::{outcome_alert_columns, outcome_check_in_columns};

/// The check-ins of the sessions that ended from `from` (included) to `to` (excluded), with
/// what the outcomes are read by, in the order of the sessions' end.
pub fn outcome_check_ins(
    c: &Connection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<OutcomeCheckIn>> {
    all(
        c,
        concat!(
            "SELECT ",
            outcome_check_in_columns!(),
            " FROM sessions s JOIN check_ins c ON c.clinic_id = s.clinic_id AND c.session_id = s.id \
             JOIN follow_ups f ON f.id = c.follow_up_id \
             WHERE s.clinic_id = ? AND s.ended_at >= ? AND s.ended_at < ? ORDER BY s.ended_at, s.id, c.submitted_at"
        ),
        (clinic_id.get(), from.0, to.0),
        read_outcome_check_in,
    )
}

/// The alerts raised from `from` (included) to `to` (excluded), with their sessions'
/// therapist and when each was acknowledged, oldest first: what a recount counts.
pub fn outcome_alerts(c: &Connection, clinic_id: ClinicId, from: Timestamp, to: Timestamp) -> Res<Vec<OutcomeAlert>> {
    let mut out = Vec::new();
    // One range a level, each along the level's index of the clinic's alerts by time.
    for level_code in AlertPosition::LEVELS.map(Level::code) {
        out.extend(all(
            c,
            concat!(
                "SELECT ",
                outcome_alert_columns!(),
                " FROM alerts a JOIN check_ins c ON c.id = a.check_in_id JOIN sessions s ON s.id = c.session_id \
                 WHERE a.clinic_id = ? AND a.level = ? AND a.created_at >= ? AND a.created_at < ? ORDER BY a.created_at"
            ),
            (clinic_id.get(), level_code, from.0, to.0),
            read_outcome_alert,
        )?);
    }
    out.sort_by_key(|a| a.created_at);
    Ok(out)
}

/// The clinic's tallies of the days `from` to `to`, both included: four ranges along
/// their primary keys.
pub fn outcome_tallies(c: &Connection, clinic_id: ClinicId, from: Day, to: Day) -> Res<Tallies> {
    let range = (clinic_id.get(), from.0, to.0);
    Ok(Tallies {
        answers: all(
            c,
            concat!(
                "SELECT ",
                answer_tally_columns!(),
                " FROM outcome_answers WHERE clinic_id = ? AND day BETWEEN ? AND ?"
            ),
            range,
            read_answer_tally,
        )?,
        areas: all(
            c,
            concat!(
                "SELECT ",
                area_tally_columns!(),
                " FROM outcome_areas WHERE clinic_id = ? AND day BETWEEN ? AND ?"
            ),
            range,
            read_area_tally,
        )?,
        asked: all(
            c,
            concat!(
                "SELECT ",
                asked_tally_columns!(),
                " FROM outcome_asked WHERE clinic_id = ? AND day BETWEEN ? AND ?"
            ),
            range,
            read_asked_tally,
        )?,
        alerts: all(
            c,
            concat!(
                "SELECT ",
                alert_tally_columns!(),
                " FROM outcome_alerts WHERE clinic_id = ? AND day BETWEEN ? AND ? AND alerts <> 0"
            ),
            range,
            read_alert_tally,
        )?,
    })
}

/// Counts a check-in just written in the tallies, in its transaction: its answer, its
/// soreness by its session's areas, and its follow-up as answered if it is the first answer.
pub fn count_check_in(c: &Connection, clinic_id: ClinicId, recorded: &CheckIn, day: Day, due_day: Day) -> Res<()> {
    const ANSWER: &str = "INSERT INTO outcome_answers (clinic_id, day, massage_type, staff_id, offset_hours, pressure, \
        level, answers, sore, soreness_sum, very_sore) \
        SELECT f.clinic_id, ?2, s.massage_type, s.staff_id, f.offset_hours, s.pressure, ?3, 1, ?4, ?5, ?6 \
        FROM follow_ups f JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id \
        WHERE f.id = ?7 AND f.clinic_id = ?1 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, offset_hours, pressure, level) DO UPDATE SET \
        answers = answers + excluded.answers, sore = sore + excluded.sore, \
        soreness_sum = soreness_sum + excluded.soreness_sum, very_sore = very_sore + excluded.very_sore";
    const AREAS: &str = "INSERT INTO outcome_areas (clinic_id, day, massage_type, staff_id, offset_hours, area, \
        sore, soreness_sum, very_sore) \
        SELECT f.clinic_id, ?2, s.massage_type, s.staff_id, f.offset_hours, a.value, COUNT(*), COUNT(*) * ?3, \
        COUNT(*) * ?4 \
        FROM follow_ups f JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id, json_each(s.areas) a \
        WHERE f.id = ?5 AND f.clinic_id = ?1 GROUP BY a.value \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, offset_hours, area) DO UPDATE SET \
        sore = sore + excluded.sore, soreness_sum = soreness_sum + excluded.soreness_sum, \
        very_sore = very_sore + excluded.very_sore";
    const ANSWERED: &str = "INSERT INTO outcome_asked (clinic_id, day, massage_type, staff_id, asked, answered) \
        SELECT f.clinic_id, ?2, s.massage_type, s.staff_id, 0, 1 \
        FROM follow_ups f JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id \
        WHERE f.id = ?3 AND f.clinic_id = ?1 AND NOT EXISTS (SELECT 1 FROM check_ins c \
        WHERE c.follow_up_id = f.id AND c.clinic_id = f.clinic_id AND c.id <> ?4) \
        ON CONFLICT (clinic_id, day, massage_type, staff_id) DO UPDATE SET answered = answered + 1";
    let sore = Soreness::of(recorded.triaged, recorded.soreness);
    let (count, sum, very) = (sore.count as i64, sore.sum as i64, sore.very_sore as i64);
    let (clinic, follow_up) = (clinic_id.get(), recorded.follow_up_id.get());
    exec(c, ANSWER, params![clinic, day.0, recorded.level.code(), count, sum, very, follow_up])?;
    if sore.count > 0 {
        exec(c, AREAS, params![clinic, day.0, sum, very, follow_up])?;
    }
    exec(c, ANSWERED, params![clinic, due_day.0, follow_up, recorded.id.get()])?;
    Ok(())
}

/// Counts a follow-up just written as asked on the day it is due, in its transaction.
pub fn count_follow_up(c: &Connection, clinic_id: ClinicId, session_id: SessionId, due_day: Day) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_asked (clinic_id, day, massage_type, staff_id, asked, answered) \
        SELECT clinic_id, ?2, massage_type, staff_id, 1, 0 FROM sessions WHERE id = ?3 AND clinic_id = ?1 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id) DO UPDATE SET asked = asked + 1";
    exec(c, SQL, params![clinic_id.get(), due_day.0, session_id.get()]).map(|_| ())
}

/// Adds `delta` alerts at `step` to the tally of the alert `alert_id`'s day and session, in
/// the caller's transaction: +1 at step 0 when it is raised; when it is acknowledged, -1 at
/// step 0 and +1 at its step.
pub fn count_alert(c: &Connection, clinic_id: ClinicId, alert_id: AlertId, day: Day, step: u8, delta: i64) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_alerts (clinic_id, day, massage_type, staff_id, ack_step, alerts) \
        SELECT a.clinic_id, ?2, s.massage_type, s.staff_id, ?3, ?4 FROM alerts a \
        JOIN check_ins c ON c.id = a.check_in_id JOIN sessions s ON s.id = c.session_id \
        WHERE a.id = ?5 AND a.clinic_id = ?1 \
        ON CONFLICT (clinic_id, day, massage_type, staff_id, ack_step) DO UPDATE SET alerts = alerts + excluded.alerts";
    exec(c, SQL, params![clinic_id.get(), day.0, i64::from(step), delta, alert_id.get()]).map(|_| ())
}

/// Moves an alert just acknowledged from the open ones of its day's tally to its step, in
/// the acknowledgement's transaction. Its day is read in the clinic's time zone, which its
/// tallies were counted in.
pub fn count_acknowledgement(c: &Connection, clinic_id: ClinicId, alert: &store::Alert) -> Res<()> {
    let zone = the(c, "SELECT id, timezone FROM clinics WHERE id = ?", [clinic_id.get()], read_zone)?.1;
    let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let day = Day::of(alert.created_at, &tz);
    count_alert(c, clinic_id, alert.id, day, 0, -1)?;
    count_alert(c, clinic_id, alert.id, day, ack_step(alert.created_at, alert.acknowledged_at), 1)
}

/// Counts a new clinic's tallies (none yet) in its time zone.
pub fn start_tallies(c: &Connection, clinic_id: ClinicId, timezone: &str) -> Res<()> {
    const SQL: &str = "INSERT INTO outcome_tally_zones (clinic_id, timezone) VALUES (?, ?) \
        ON CONFLICT (clinic_id) DO UPDATE SET timezone = excluded.timezone";
    exec(c, SQL, params![clinic_id.get(), timezone]).map(|_| ())
}

/// Counts a clinic's tallies again from its rows, in `timezone`, in the caller's
/// transaction (the clinic changed its time zone, was imported, or its database is from
/// before the tallies).
pub fn recount(c: &Connection, clinic_id: ClinicId, timezone: &str) -> Res<()> {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let clinic = clinic_id.get();
    let mut tally = TallyBuilder::default();
    let ends =
        the(c, "SELECT MIN(ended_at), MAX(ended_at), COUNT(*) FROM sessions WHERE clinic_id = ?", [clinic], read_span)?;
    for (from, to) in recount_windows(ends.0, ends.1, ends.2) {
        for row in outcome_check_ins(c, clinic_id, Timestamp(from), Timestamp(to))? {
            tally.add_check_in(&row, &tz);
        }
    }
    const ASKED: &str = concat!(
        "SELECT f.due_at, EXISTS (SELECT 1 FROM check_ins c WHERE c.follow_up_id = f.id AND c.clinic_id = f.clinic_id), ",
        "s.massage_type, s.staff_id FROM follow_ups f JOIN sessions s ON s.id = f.session_id AND s.clinic_id = f.clinic_id ",
        "WHERE f.clinic_id = ? AND f.due_at >= ? AND f.due_at < ?"
    );
    let dues =
        the(c, "SELECT MIN(due_at), MAX(due_at), COUNT(*) FROM follow_ups WHERE clinic_id = ?", [clinic], read_span)?;
    for (from, to) in recount_windows(dues.0, dues.1, dues.2) {
        for (due, answered, kind, staff) in all(c, ASKED, (clinic, from, to), read_follow_up_asked)? {
            tally.add_follow_up(due, answered, &kind, staff, &tz);
        }
    }
    let raised = the(
        c,
        "SELECT MIN(created_at), MAX(created_at), COUNT(*) FROM alerts WHERE clinic_id = ?",
        [clinic],
        read_span,
    )?;
    for (from, to) in recount_windows(raised.0, raised.1, raised.2) {
        for a in outcome_alerts(c, clinic_id, Timestamp(from), Timestamp(to))? {
            tally.add_alert(a.created_at, a.acknowledged_at, &a.massage_type, a.staff_id, &tz);
        }
    }
    for sql in [
        "DELETE FROM outcome_answers WHERE clinic_id = ?",
        "DELETE FROM outcome_areas WHERE clinic_id = ?",
        "DELETE FROM outcome_asked WHERE clinic_id = ?",
        "DELETE FROM outcome_alerts WHERE clinic_id = ?",
    ] {
        exec(c, sql, [clinic])?;
    }
    let tallies = tally.finish();
    for a in &tallies.answers {
        exec(
            c,
            concat!(
                "INSERT INTO outcome_answers (clinic_id, ",
                answer_tally_columns!(),
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            params![
                clinic,
                a.day.0,
                a.massage_type,
                a.staff_id.get(),
                a.offset_hours,
                a.pressure,
                a.level.code(),
                a.answers as i64,
                a.soreness.count as i64,
                a.soreness.sum as i64,
                a.soreness.very_sore as i64
            ],
        )?;
    }
    for a in &tallies.areas {
        exec(
            c,
            concat!(
                "INSERT INTO outcome_areas (clinic_id, ",
                area_tally_columns!(),
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            params![
                clinic,
                a.day.0,
                a.massage_type,
                a.staff_id.get(),
                a.offset_hours,
                a.area,
                a.soreness.count as i64,
                a.soreness.sum as i64,
                a.soreness.very_sore as i64
            ],
        )?;
    }
    for a in &tallies.asked {
        exec(
            c,
            concat!("INSERT INTO outcome_asked (clinic_id, ", asked_tally_columns!(), ") VALUES (?, ?, ?, ?, ?, ?)"),
            params![clinic, a.day.0, a.massage_type, a.staff_id.get(), a.asked as i64, a.answered as i64],
        )?;
    }
    for a in &tallies.alerts {
        exec(
            c,
            concat!("INSERT INTO outcome_alerts (clinic_id, ", alert_tally_columns!(), ") VALUES (?, ?, ?, ?, ?, ?)"),
            params![clinic, a.day.0, a.massage_type, a.staff_id.get(), i64::from(a.ack_step), a.alerts as i64],
        )?;
    }
    start_tallies(c, clinic_id, timezone)
}

/// Recounts the tallies of every clinic whose tallies were not counted in its own time zone.
pub fn recount_stale(c: &Connection) -> Res<()> {
    const SQL: &str = "SELECT k.id, k.timezone FROM clinics k LEFT JOIN outcome_tally_zones z ON z.clinic_id = k.id \
        WHERE z.timezone IS NULL OR z.timezone <> k.timezone ORDER BY k.id";
    for (clinic, timezone) in all(c, SQL, [], read_zone)? {
        recount(c, clinic, &timezone)?;
    }
    Ok(())
}
