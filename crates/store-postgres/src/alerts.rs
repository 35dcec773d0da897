//! Alerts: what staff must look at, raised by check-ins, and their acknowledgement.

use crate::error::Res;
use crate::messages::insert_message;
use crate::rows::{all, exec, one, sql, the, value};
use sqlx::PgConnection;
use store::alert_columns;
use store::columns::{read_alert, recipient_columns};
use store::{
    Acknowledgement, Alert, AlertId, AlertPosition, AlertStatus, CheckIn, ClinicId, MessageKind, NewAlert, Timestamp,
};

/// A clinic's alerts of one level (and one status), before a position, newest first.
const PAGE_OF_STATUS: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = $1 AND status = $2 AND level = $3 AND (created_at, id) < ($4, $5) \
     ORDER BY created_at DESC, id DESC LIMIT $6"
);

/// A clinic's alerts of one level, before a position, newest first.
const PAGE: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = $1 AND level = $2 AND (created_at, id) < ($3, $4) \
     ORDER BY created_at DESC, id DESC LIMIT $5"
);

/// A page of the clinic's alerts (of `status`, when given): the most urgent level first,
/// newest first within a level, after `after`.
pub async fn alerts(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    status: Option<AlertStatus>,
    after: Option<&AlertPosition>,
    limit: u32,
) -> Res<Vec<Alert>> {
    // One index seek per level, most urgent first, each reading only what the page shows:
    // `(created_at, id) < ($n, $m)` continues a level where the last page stopped.
    let mut page = Vec::new();
    for (level, Timestamp(at), id) in AlertPosition::starts(after)? {
        let left = i64::from(limit) - page.len() as i64;
        if left <= 0 {
            break;
        }
        let rows = match status {
            Some(s) => {
                let q = sql(PAGE_OF_STATUS)
                    .bind(clinic_id.get())
                    .bind(s.code())
                    .bind(level.code())
                    .bind(at)
                    .bind(id.get())
                    .bind(left);
                all(c, q, read_alert).await?
            }
            None => {
                let q = sql(PAGE).bind(clinic_id.get()).bind(level.code()).bind(at).bind(id.get()).bind(left);
                all(c, q, read_alert).await?
            }
        };
        page.extend(rows);
    }
    Ok(page)
}

/// An alert by its id and clinic.
const BY_ID: &str = concat!("SELECT ", alert_columns!(), " FROM alerts WHERE id = $1 AND clinic_id = $2");

/// The clinic's alert `alert_id`.
pub async fn alert(c: &mut PgConnection, clinic_id: ClinicId, alert_id: AlertId) -> Res<Option<Alert>> {
    one(c, sql(BY_ID).bind(alert_id.get()).bind(clinic_id.get()), read_alert).await
}

/// Acknowledges an open alert, by a staff member of the clinic; the alert as it now is and
/// whether this call acknowledged it (`None` when the clinic has no such alert).
pub async fn acknowledge_alert(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    alert_id: AlertId,
    ack: Acknowledgement,
) -> Res<Option<(Alert, bool)>> {
    // One conditional statement: of two acknowledgements at once, the second waits for the
    // first, then finds the alert no longer open and changes nothing.
    let done = exec(
        c,
        sql("UPDATE alerts SET status = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2, note = $3 \
             WHERE id = $4 AND clinic_id = $5 AND status = 'open' \
             AND EXISTS (SELECT 1 FROM staff WHERE id = $1 AND clinic_id = $5)")
        .bind(ack.staff_id.get())
        .bind(ack.now.0)
        .bind(ack.note.as_deref())
        .bind(alert_id.get())
        .bind(clinic_id.get()),
    )
    .await?;
    let alert = one(&mut *c, sql(BY_ID).bind(alert_id.get()).bind(clinic_id.get()), read_alert).await?;
    if let Some(a) = alert.as_ref().filter(|_| done == 1) {
        crate::outcomes::count_acknowledgement(c, clinic_id, a).await?;
    }
    Ok(alert.map(|a| (a, done == 1)))
}

/// Locks a follow-up's row until the transaction ends, so that the alerts of its link are
/// raised one check-in at a time. `FOR NO KEY UPDATE`, not `FOR UPDATE`: the check-in just
/// written holds a key-share lock on the row (its foreign key), which `FOR UPDATE` would
/// wait on, and two check-ins of one link would deadlock.
const LOCK_LINK: &str = "SELECT 1 FROM follow_ups WHERE clinic_id = $1 AND id = $2 FOR NO KEY UPDATE";

/// The open alert of a follow-up's link, the newest if several.
const OPEN_OF_LINK: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = $1 AND follow_up_id = $2 AND status = 'open' ORDER BY id DESC LIMIT 1"
);

/// Moves an alert to another answer, at a level.
const MOVE: &str = concat!(
    "UPDATE alerts SET level = $1, check_in_id = $2 WHERE id = $3 AND clinic_id = $4 RETURNING ",
    alert_columns!()
);

/// A new alert.
const INSERT: &str = concat!(
    "INSERT INTO alerts (clinic_id, check_in_id, follow_up_id, client_id, level, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
    alert_columns!()
);

/// Whether a recipient was told, in the quiet time, of another alert on the client at a
/// level at or above this one's.
const TOLD: &str = "SELECT EXISTS (SELECT 1 FROM alerts a \
     JOIN messages m ON m.clinic_id = a.clinic_id AND m.alert_id = a.id \
     WHERE a.clinic_id = $1 AND a.client_id = $2 AND a.id <> $3 AND m.kind = 'alert' AND m.recipient = $4 \
     AND m.staff_id IS NOT DISTINCT FROM $5::bigint AND m.created_at > $6 \
     AND CASE a.level WHEN 'emergency' THEN 0 WHEN 'doctor' THEN 1 ELSE 2 END <= $7)";

/// Raises the alert of a check-in; or, when its link has an open alert already, moves that
/// alert to this answer, at the more urgent of the two levels. Staff are told of a new alert
/// or of a rise in level, never of a repeat; and a new alert is not told again to a
/// recipient told of one at its level or above on the same client in the last ten minutes.
/// The alert, and whether it is new (the caller counts a new one in the tallies).
pub async fn raise_alert(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    answer: &CheckIn,
    a: NewAlert,
    now: Timestamp,
) -> Res<(Alert, bool)> {
    const QUIET_MS: i64 = 10 * 60 * 1000;
    // Whether the link has an open alert decides between a new alert and a move: the
    // follow-up's row is locked first, so that two check-ins of one link at once (each in its
    // transaction) do not both find none and both raise one. The second waits for the first
    // to commit, and its look-up, a statement of its own, then sees the first's alert.
    exec(c, sql(LOCK_LINK).bind(clinic_id.get()).bind(answer.follow_up_id.get())).await?;
    let open = one(c, sql(OPEN_OF_LINK).bind(clinic_id.get()).bind(answer.follow_up_id.get()), read_alert).await?;
    let new = open.is_none();
    let (raised, rises) = match open {
        Some(open) => {
            let rises = AlertPosition::urgency(a.level) < AlertPosition::urgency(open.level);
            let level = if rises { a.level.code() } else { open.level.code() };
            let q = sql(MOVE).bind(level).bind(answer.id.get()).bind(open.id.get()).bind(clinic_id.get());
            let moved = the(c, q, read_alert).await?;
            if !rises {
                return Ok((moved, false));
            }
            (moved, true)
        }
        None => {
            let q = sql(INSERT)
                .bind(clinic_id.get())
                .bind(answer.id.get())
                .bind(answer.follow_up_id.get())
                .bind(a.client_id.get())
                .bind(a.level.code())
                .bind(now.0);
            (the(c, q, read_alert).await?, false)
        }
    };
    for m in a.notices {
        if m.kind == MessageKind::Alert && !rises {
            let (recipient, staff_id) = recipient_columns(m.recipient);
            let q = sql(TOLD)
                .bind(clinic_id.get())
                .bind(raised.client_id.get())
                .bind(raised.id.get())
                .bind(recipient)
                .bind(staff_id)
                .bind(now.0 - QUIET_MS)
                .bind(AlertPosition::urgency(raised.level) as i64);
            let told: bool = value(c, q).await?;
            if told {
                continue;
            }
        }
        let about = (m.kind == MessageKind::Alert).then_some(raised.id);
        insert_message(c, clinic_id, None, about, &m).await?;
    }
    Ok((raised, new))
}
