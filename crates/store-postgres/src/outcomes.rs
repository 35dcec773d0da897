//! What the clinic learns: check-ins and alerts by technique and pressure, read for a period.

use crate::error::Res;
use crate::rows::{all, sql};
use sqlx::PgConnection;
use store::columns::{read_outcome_alert, read_outcome_check_in};
use store::{AlertPosition, ClinicId, Level, OutcomeAlert, OutcomeCheckIn, Timestamp};
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
/// therapist and when each was acknowledged, oldest first.
pub async fn outcome_alerts(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    from: Timestamp,
    to: Timestamp,
) -> Res<Vec<OutcomeAlert>> {
    let mut out = Vec::new();
    // One range a level, each along the level's index of the clinic's alerts by time.
    for level_code in AlertPosition::LEVELS.map(Level::code) {
        out.extend(
            all(
                c,
                sql(concat!(
                    "SELECT ",
                    outcome_alert_columns!(),
                    " FROM alerts a JOIN check_ins c ON c.clinic_id = a.clinic_id AND c.id = a.check_in_id \
                     JOIN sessions s ON s.clinic_id = c.clinic_id AND s.id = c.session_id \
                     WHERE a.clinic_id = $1 AND a.level = $2 AND a.created_at >= $3 AND a.created_at < $4 \
                     ORDER BY a.created_at"
                ))
                .bind(clinic_id.get())
                .bind(level_code)
                .bind(from.0)
                .bind(to.0),
                read_outcome_alert,
            )
            .await?,
        );
    }
    out.sort_by_key(|a| a.created_at);
    Ok(out)
}
