//! Alerts: what staff must look at, raised by check-ins, and their acknowledgement.

use crate::error::Res;
use crate::messages::insert_message;
use crate::rows::{all, exec, one, the, value};
use rusqlite::{Connection, params};
use store::alert_columns;
use store::columns::{read_alert, recipient_columns};
use store::tally::Day;
use store::{
    Acknowledgement, Alert, AlertId, AlertPosition, AlertStatus, CheckIn, ClinicId, MessageKind, NewAlert, Timestamp,
};

/// A clinic's alerts of one level (and one status), before a position, newest first.
const PAGE_OF_STATUS: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = ? AND status = ? AND level = ? AND (created_at, id) < (?, ?) \
     ORDER BY created_at DESC, id DESC LIMIT ?"
);

/// A clinic's alerts of one level, before a position, newest first.
const PAGE: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = ? AND level = ? AND (created_at, id) < (?, ?) \
     ORDER BY created_at DESC, id DESC LIMIT ?"
);

/// A page of the clinic's alerts (of `status`, when given): the most urgent level first,
/// newest first within a level, after `after`.
pub fn alerts(
    c: &Connection,
    clinic_id: ClinicId,
    status: Option<AlertStatus>,
    after: Option<&AlertPosition>,
    limit: u32,
) -> Res<Vec<Alert>> {
    // One index seek per level, most urgent first, each reading only what the page shows:
    // `(created_at, id) < (?, ?)` continues a level where the last page stopped.
    let mut page = Vec::new();
    for (level, Timestamp(at), id) in AlertPosition::starts(after)? {
        let left = i64::from(limit) - page.len() as i64;
        if left <= 0 {
            break;
        }
        let rows = match status {
            Some(s) => all(
                c,
                PAGE_OF_STATUS,
                params![clinic_id.get(), s.code(), level.code(), at, id.get(), left],
                read_alert,
            )?,
            None => all(c, PAGE, params![clinic_id.get(), level.code(), at, id.get(), left], read_alert)?,
        };
        page.extend(rows);
    }
    Ok(page)
}

/// An alert by its id and clinic.
const BY_ID: &str = concat!("SELECT ", alert_columns!(), " FROM alerts WHERE id = ? AND clinic_id = ?");

/// The clinic's alert `alert_id`.
pub fn alert(c: &Connection, clinic_id: ClinicId, alert_id: AlertId) -> Res<Option<Alert>> {
    one(c, BY_ID, params![alert_id.get(), clinic_id.get()], read_alert)
}

/// Acknowledges an open alert, by a staff member of the clinic; the alert as it now is and
/// whether this call acknowledged it (`None` when the clinic has no such alert).
pub fn acknowledge_alert(
    c: &Connection,
    clinic_id: ClinicId,
    alert_id: AlertId,
    ack: Acknowledgement,
) -> Res<Option<(Alert, bool)>> {
    let done = exec(
        c,
        "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?1, acknowledged_at = ?2, note = ?3 \
         WHERE id = ?4 AND clinic_id = ?5 AND status = 'open' \
         AND EXISTS (SELECT 1 FROM staff WHERE id = ?1 AND clinic_id = ?5)",
        params![ack.staff_id.get(), ack.now.0, ack.note.as_deref(), alert_id.get(), clinic_id.get()],
    )?;
    let alert = one(c, BY_ID, params![alert_id.get(), clinic_id.get()], read_alert)?;
    if let Some(a) = alert.as_ref().filter(|_| done == 1) {
        crate::outcomes::count_acknowledgement(c, clinic_id, a)?;
    }
    Ok(alert.map(|a| (a, done == 1)))
}

/// The open alert of a follow-up's link, the newest if several.
const OPEN_OF_LINK: &str = concat!(
    "SELECT ",
    alert_columns!(),
    " FROM alerts WHERE clinic_id = ? AND follow_up_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1"
);

/// Moves an alert to another answer, at a level.
const MOVE: &str =
    concat!("UPDATE alerts SET level = ?, check_in_id = ? WHERE id = ? AND clinic_id = ? RETURNING ", alert_columns!());

/// A new alert.
const INSERT: &str = concat!(
    "INSERT INTO alerts (clinic_id, check_in_id, follow_up_id, client_id, level, created_at) \
     VALUES (?, ?, ?, ?, ?, ?) RETURNING ",
    alert_columns!()
);

/// Raises the alert of a check-in; or, when its link has an open alert already, moves that
/// alert to this answer, at the more urgent of the two levels. Staff are told of a new alert
/// or of a rise in level, never of a repeat; and a new alert is not told again to a
/// recipient told of one at its level or above on the same client in the last ten minutes.
/// A new alert is counted in the tallies of `day`, the clinic's day of `now`.
pub fn raise_alert(
    c: &Connection,
    clinic_id: ClinicId,
    answer: &CheckIn,
    a: NewAlert,
    now: Timestamp,
    day: Day,
) -> Res<Alert> {
    const QUIET_MS: i64 = 10 * 60 * 1000;
    let open = one(c, OPEN_OF_LINK, params![clinic_id.get(), answer.follow_up_id.get()], read_alert)?;
    let (raised, rises) = match open {
        Some(open) => {
            let rises = AlertPosition::urgency(a.level) < AlertPosition::urgency(open.level);
            let level = if rises { a.level.code() } else { open.level.code() };
            let moved = the(c, MOVE, params![level, answer.id.get(), open.id.get(), clinic_id.get()], read_alert)?;
            if !rises {
                return Ok(moved);
            }
            (moved, true)
        }
        None => {
            let raised = the(
                c,
                INSERT,
                params![
                    clinic_id.get(),
                    answer.id.get(),
                    answer.follow_up_id.get(),
                    a.client_id.get(),
                    a.level.code(),
                    now.0
                ],
                read_alert,
            )?;
            crate::outcomes::count_alert(c, clinic_id, raised.id, day, 0, 1)?;
            (raised, false)
        }
    };
    for m in a.notices {
        if m.kind == MessageKind::Alert && !rises {
            let (recipient, staff_id) = recipient_columns(m.recipient);
            let told: bool = value(
                c,
                // CROSS JOIN keeps SQLite's loop order: the client's alerts, then each one's messages.
                "SELECT EXISTS (SELECT 1 FROM alerts a CROSS JOIN messages m ON m.alert_id = a.id \
                 WHERE a.clinic_id = ? AND a.client_id = ? AND a.id != ? AND m.kind = 'alert' AND m.recipient = ? \
                 AND m.staff_id IS ? AND m.created_at > ? \
                 AND CASE a.level WHEN 'emergency' THEN 0 WHEN 'doctor' THEN 1 ELSE 2 END <= ?)",
                params![
                    clinic_id.get(),
                    raised.client_id.get(),
                    raised.id.get(),
                    recipient,
                    staff_id,
                    now.0 - QUIET_MS,
                    AlertPosition::urgency(raised.level) as i64
                ],
            )?;
            if told {
                continue;
            }
        }
        let about = (m.kind == MessageKind::Alert).then_some(raised.id);
        insert_message(c, clinic_id, None, about, &m)?;
    }
    Ok(raised)
}
