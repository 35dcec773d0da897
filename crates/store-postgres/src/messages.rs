//! The outbox: messages to clients and staff, claimed and sent by the follow-up worker.

use crate::error::Res;
use crate::rows::{all, exec, sql};
use sqlx::PgConnection;
use store::columns::{read_message, recipient_columns};
use store::message_columns;
use store::{AlertId, ClinicId, FollowUpId, Message, MessageId, MessageOutcome, MessageStatus, NewMessage, Timestamp};

/// Adds a message unless its idempotency key is taken; whether it was added. A message to a
/// staff member is added only when that staff member is the clinic's.
pub async fn insert_message(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    follow_up_id: Option<FollowUpId>,
    alert_id: Option<AlertId>,
    m: &NewMessage,
) -> Res<bool> {
    // `ON CONFLICT DO NOTHING`: of two writers of one key at once, the second waits for the
    // first to commit, then adds nothing.
    let (recipient, staff_id) = recipient_columns(m.recipient);
    let added = exec(
        c,
        sql("INSERT INTO messages (clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token, \
             idempotency_key, due_at, next_attempt, created_at) \
             SELECT $1::bigint, $2::text, $3::text, $4::bigint, $5::bigint, $6::bigint, $7::text, $8::text, \
             $9::bigint, $10::bigint, $11::bigint \
             WHERE $4::bigint IS NULL OR EXISTS (SELECT 1 FROM staff WHERE id = $4 AND clinic_id = $1) \
             ON CONFLICT (idempotency_key) DO NOTHING")
        .bind(clinic_id.get())
        .bind(m.kind.code())
        .bind(recipient)
        .bind(staff_id)
        .bind(follow_up_id.map(|id| id.get()))
        .bind(alert_id.map(|id| id.get()))
        .bind(m.link_token.as_ref().map(|t| t.expose().as_str()))
        .bind(m.idempotency_key.as_str())
        .bind(m.due_at.0)
        .bind(m.send_at.0)
        .bind(m.now.0),
    )
    .await?;
    Ok(added == 1)
}

/// Puts a message in the outbox, unless its idempotency key is there already; whether it
/// was added.
pub async fn enqueue_message(c: &mut PgConnection, clinic_id: ClinicId, message: NewMessage) -> Res<bool> {
    insert_message(c, clinic_id, None, None, &message).await
}

/// Claims up to `limit` messages due by `now` for `claim` until `lease_until`, earliest first.
pub async fn claim_messages(
    c: &mut PgConnection,
    now: Timestamp,
    lease_until: Timestamp,
    claim: &str,
    limit: u32,
) -> Res<Vec<Message>> {
    // One statement, for several workers (in several processes) at once: `FOR UPDATE SKIP
    // LOCKED` locks the rows it picks and passes over those another worker's claim holds, so
    // two workers never claim the same message. A row claimed and committed meanwhile is read
    // again as it now is, and left alone, its lease running. A claim whose lease ran out (its
    // worker died) may be taken over.
    let mut claimed = all(
        c,
        sql(concat!(
            "UPDATE messages SET claim = $1, claimed_until = $2 WHERE (clinic_id, id) IN \
             (SELECT clinic_id, id FROM messages WHERE status = 'pending' AND next_attempt <= $3 \
              AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY next_attempt, id LIMIT $4 \
              FOR UPDATE SKIP LOCKED) \
             RETURNING ",
            message_columns!()
        ))
        .bind(claim)
        .bind(lease_until.0)
        .bind(now.0)
        .bind(i64::from(limit)),
        read_message,
    )
    .await?;
    // RETURNING gives the rows in no promised order.
    claimed.sort_by_key(|m| (m.next_attempt, m.id));
    Ok(claimed)
}

/// Records how an attempt to send a claimed message ended; whether the message was still
/// pending under `claim` (and so was updated).
pub async fn finish_message(
    c: &mut PgConnection,
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
    // One conditional statement: it changes the message only while `claim` holds it.
    let updated = exec(
        c,
        sql("UPDATE messages SET status = $1, channel = COALESCE($2, channel), last_error = $3, \
             next_attempt = COALESCE($4, next_attempt), attempts = attempts + $5, \
             sent_at = CASE WHEN $1::text = 'sent' THEN $6 ELSE sent_at END, \
             link_token = CASE WHEN $7::boolean THEN NULL ELSE link_token END, claim = NULL, claimed_until = NULL \
             WHERE id = $8 AND clinic_id = $9 AND claim = $10 AND status = 'pending'")
        .bind(status.code())
        .bind(channel)
        .bind(error)
        .bind(next)
        .bind(tried)
        .bind(now.0)
        .bind(done)
        .bind(message_id.get())
        .bind(clinic_id.get())
        .bind(claim),
    )
    .await?;
    Ok(updated == 1)
}

/// The clinic's messages of a status, in the order they are (next) tried.
const OF_STATUS: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE clinic_id = $1 AND status = $2 ORDER BY next_attempt, id LIMIT $3"
);

/// The clinic's messages, in the order they are (next) tried.
const OF_CLINIC: &str =
    concat!("SELECT ", message_columns!(), " FROM messages WHERE clinic_id = $1 ORDER BY next_attempt, id LIMIT $2");

/// Up to `limit` of the clinic's messages (of `status`, when given), the next to try first.
pub async fn messages(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    status: Option<MessageStatus>,
    limit: u32,
) -> Res<Vec<Message>> {
    // Two statements, so that each has an index that gives its order.
    match status {
        Some(s) => {
            all(c, sql(OF_STATUS).bind(clinic_id.get()).bind(s.code()).bind(i64::from(limit)), read_message).await
        }
        None => all(c, sql(OF_CLINIC).bind(clinic_id.get()).bind(i64::from(limit)), read_message).await,
    }
}

/// Up to `limit` of the clinic's messages of `status`, the latest to try first.
pub async fn newest_messages(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    status: MessageStatus,
    limit: u32,
) -> Res<Vec<Message>> {
    all(
        c,
        sql(concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE clinic_id = $1 AND status = $2 ORDER BY next_attempt DESC, id DESC LIMIT $3"
        ))
        .bind(clinic_id.get())
        .bind(status.code())
        .bind(i64::from(limit)),
        read_message,
    )
    .await
}

/// The messages of a follow-up, in the order they are (next) tried.
pub async fn messages_of_follow_up(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    follow_up_id: FollowUpId,
) -> Res<Vec<Message>> {
    all(
        c,
        sql(concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE clinic_id = $1 AND follow_up_id = $2 ORDER BY next_attempt, id"
        ))
        .bind(clinic_id.get())
        .bind(follow_up_id.get()),
        read_message,
    )
    .await
}
