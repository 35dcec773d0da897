//! The outbox: messages to clients and staff, claimed and sent by the follow-up worker.

use crate::error::Res;
use crate::rows::{all, exec};
use rusqlite::{Connection, params};
use store::columns::{read_message, recipient_columns};
use store::message_columns;
use store::{AlertId, ClinicId, FollowUpId, Message, MessageId, MessageOutcome, MessageStatus, NewMessage, Timestamp};

/// Adds a message unless its idempotency key is taken; whether it was added. A message to a
/// staff member is added only when that staff member is the clinic's.
pub fn insert_message(
    c: &Connection,
    clinic_id: ClinicId,
    follow_up_id: Option<FollowUpId>,
    alert_id: Option<AlertId>,
    m: &NewMessage,
) -> Res<bool> {
    let (recipient, staff_id) = recipient_columns(m.recipient);
    let added = exec(
        c,
        "INSERT INTO messages (clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token, \
         idempotency_key, due_at, next_attempt, created_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 \
         WHERE ?4 IS NULL OR EXISTS (SELECT 1 FROM staff WHERE id = ?4 AND clinic_id = ?1) \
         ON CONFLICT (idempotency_key) DO NOTHING",
        params![
            clinic_id.get(),
            m.kind.code(),
            recipient,
            staff_id,
            follow_up_id.map(|id| id.get()),
            alert_id.map(|id| id.get()),
            m.link_token.as_ref().map(|t| t.expose().as_str()),
            m.idempotency_key.as_str(),
            m.due_at.0,
            m.send_at.0,
            m.now.0
        ],
    )?;
    Ok(added == 1)
}

/// Puts a message in the outbox, unless its idempotency key is there already; whether it
/// was added.
pub fn enqueue_message(c: &Connection, clinic_id: ClinicId, message: NewMessage) -> Res<bool> {
    insert_message(c, clinic_id, None, None, &message)
}

/// Claims up to `limit` messages due by `now` for `claim` until `lease_until`, earliest first.
pub fn claim_messages(
    c: &Connection,
    now: Timestamp,
    lease_until: Timestamp,
    claim: &str,
    limit: u32,
) -> Res<Vec<Message>> {
    // One statement: SQLite runs one writer at a time, so two workers never claim the
    // same row; a claim whose lease ran out (its worker died) may be taken over.
    let mut claimed = all(
        c,
        concat!(
            "UPDATE messages SET claim = ?1, claimed_until = ?2 WHERE id IN \
             (SELECT id FROM messages WHERE status = 'pending' AND next_attempt <= ?3 \
              AND (claimed_until IS NULL OR claimed_until <= ?3) ORDER BY next_attempt, id LIMIT ?4) \
             RETURNING ",
            message_columns!()
        ),
        params![claim, lease_until.0, now.0, i64::from(limit)],
        read_message,
    )?;
    // RETURNING gives the rows in no promised order.
    claimed.sort_by_key(|m| (m.next_attempt, m.id));
    Ok(claimed)
}

/// Records how an attempt to send a claimed message ended; whether the message was still
/// pending under `claim` (and so was updated).
pub fn finish_message(
    c: &Connection,
    clinic_id: ClinicId,
    message_id: MessageId,
    claim: &str,
    outcome: MessageOutcome,
    now: Timestamp,
) -> Res<bool> {
    let store::OutcomeFields { status, channel, error, next_attempt, attempts: tried } = outcome.fields();
    let next = next_attempt.map(|t| t.0);
    // A message done with (sent, failed or skipped) no longer keeps its link.
    let done = status != MessageStatus::Pending;
    let updated = exec(
        c,
        "UPDATE messages SET status = ?1, channel = COALESCE(?2, channel), last_error = ?3, \
         next_attempt = COALESCE(?4, next_attempt), attempts = attempts + ?5, \
         sent_at = CASE WHEN ?1 = 'sent' THEN ?6 ELSE sent_at END, \
         link_token = CASE WHEN ?7 THEN NULL ELSE link_token END, claim = NULL, claimed_until = NULL \
         WHERE id = ?8 AND clinic_id = ?9 AND claim = ?10 AND status = 'pending'",
        params![status.code(), channel, error, next, tried, now.0, done, message_id.get(), clinic_id.get(), claim],
    )?;
    Ok(updated == 1)
}

/// The clinic's messages of a status, in the order they are (next) tried.
const OF_STATUS: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE clinic_id = ? AND status = ? ORDER BY next_attempt, id LIMIT ?"
);

/// The clinic's messages, in the order they are (next) tried.
const OF_CLINIC: &str =
    concat!("SELECT ", message_columns!(), " FROM messages WHERE clinic_id = ? ORDER BY next_attempt, id LIMIT ?");

/// Up to `limit` of the clinic's messages (of `status`, when given), the next to try first.
pub fn messages(c: &Connection, clinic_id: ClinicId, status: Option<MessageStatus>, limit: u32) -> Res<Vec<Message>> {
    // Two statements, so that each has an index that gives its order.
    match status {
        Some(s) => all(c, OF_STATUS, params![clinic_id.get(), s.code(), i64::from(limit)], read_message),
        None => all(c, OF_CLINIC, params![clinic_id.get(), i64::from(limit)], read_message),
    }
}

/// Up to `limit` of the clinic's messages of `status`, the latest to try first.
pub fn newest_messages(c: &Connection, clinic_id: ClinicId, status: MessageStatus, limit: u32) -> Res<Vec<Message>> {
    all(
        c,
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE clinic_id = ? AND status = ? ORDER BY next_attempt DESC, id DESC LIMIT ?"
        ),
        params![clinic_id.get(), status.code(), i64::from(limit)],
        read_message,
    )
}

/// The messages of a follow-up, in the order they are (next) tried.
pub fn messages_of_follow_up(c: &Connection, clinic_id: ClinicId, follow_up_id: FollowUpId) -> Res<Vec<Message>> {
    all(
        c,
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE clinic_id = ? AND follow_up_id = ? ORDER BY next_attempt, id"
        ),
        params![clinic_id.get(), follow_up_id.get()],
        read_message,
    )
}
