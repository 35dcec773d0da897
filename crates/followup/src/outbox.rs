//! What goes into the outbox, and when: written in the same transaction as the session or
//! check-in that calls for it, so that nothing is lost between deciding and sending.
//!
//! - a session: its aftercare plan (right away), a check-in invitation at each of the
//!   clinic's hours after the session's end, and one reminder of each;
//! - a check-in: the extra check-in its answer calls for (care policy section 6), and its
//!   alert's notices: `doctor` and `emergency` to the therapist and the clinic's alert
//!   address at once, `therapist` in the therapist's next daily digest.
//!
//! Client messages go inside the local-time window ([`crate::window`]); staff alerts go at
//! once.

use crate::window::{local_date, next_window_start, sending_time};
use care::Level;
use care::knowledge::Knowledge;
use jiff::tz::TimeZone;
use store::tally::Day;
use store::{ClinicId, MessageKind, NewFollowUp, NewMessage, Recipient, Redacted, StaffId, Timestamp};

/// How long a check-in link stays valid after its follow-up is due, in hours.
pub const LINK_VALID_AFTER_DUE_HOURS: i64 = 7 * 24;

/// A new unique idempotency key (128 random bits, hex).
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    #[allow(clippy::expect_used)] // without randomness no key can be unique
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new client link: its token (shown once, and kept on its unsent messages) and the hash
/// the store keeps.
#[derive(Clone)]
pub struct Link {
    /// The token in the link's address.
    pub token: String,
    /// Its hash.
    pub hash: Vec<u8>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Link(..)")
    }
}

fn client_message(kind: MessageKind, link: &Link, due_at: Timestamp, send_at: Timestamp, now: Timestamp) -> NewMessage {
    NewMessage {
        kind,
        recipient: Recipient::Client,
        link_token: Some(Redacted::new(link.token.clone())),
        idempotency_key: new_key(),
        due_at,
        send_at,
        now,
    }
}

/// A check-in follow-up at `hours` after `ended_at`, with its invitation and reminder, sent
/// in the client's hours of `tz`; the clinic counts it due on its day in `clinic_tz`.
pub fn check_in(
    kb: &Knowledge,
    hours: i64,
    ended_at: Timestamp,
    now: Timestamp,
    (tz, clinic_tz): (&TimeZone, &TimeZone),
    link: &Link,
) -> NewFollowUp {
    let schedule = &kb.triage.schedule;
    let due_at = ended_at.plus_hours(hours);
    let invite_at = sending_time(due_at.max(now), tz, schedule);
    let remind_due = invite_at.plus_hours(schedule.remind_after_hours);
    NewFollowUp {
        kind: "check_in".to_owned(),
        offset_hours: hours,
        due_at,
        due_day: Day::of(due_at, clinic_tz),
        expires_at: due_at.plus_hours(LINK_VALID_AFTER_DUE_HOURS),
        link_hash: Redacted::new(link.hash.clone()),
        messages: vec![
            client_message(MessageKind::CheckIn, link, due_at, invite_at, now),
            client_message(MessageKind::Reminder, link, remind_due, sending_time(remind_due, tz, schedule), now),
        ],
    }
}

/// A newly recorded session's follow-ups, one per link in `links` (a link per hour of
/// `check_in_hours`); the first also carries the aftercare plan, sent right away. Messages go
/// in the client's hours of `tz`; the clinic counts each follow-up on its day in `clinic_tz`.
pub fn session(
    kb: &Knowledge,
    check_in_hours: &[i64],
    ended_at: Timestamp,
    now: Timestamp,
    (tz, clinic_tz): (&TimeZone, &TimeZone),
    links: &[Link],
) -> Vec<NewFollowUp> {
    let mut follow_ups: Vec<NewFollowUp> = check_in_hours
        .iter()
        .zip(links)
        .map(|(&h, link)| check_in(kb, h, ended_at, now, (tz, clinic_tz), link))
        .collect();
    if let (Some(first), Some(link)) = (follow_ups.first_mut(), links.first()) {
        let send_at = sending_time(now, tz, &kb.triage.schedule);
        first.messages.insert(0, client_message(MessageKind::Plan, link, now, send_at, now));
    }
    follow_ups
}

/// The messages that tell staff of an alert at `level` on a client of `therapist_id`:
/// `doctor` and `emergency` go to the therapist and the clinic's alert address at once;
/// `therapist` goes in the therapist's daily digest, at the next window start in the
/// clinic's time zone (one digest a day, whatever the number of alerts).
pub fn alert_notices(
    kb: &Knowledge,
    clinic_id: ClinicId,
    level: Level,
    therapist_id: StaffId,
    clinic_alert_address: bool,
    now: Timestamp,
    clinic_tz: &TimeZone,
) -> Vec<NewMessage> {
    let at_once = |recipient| NewMessage {
        kind: MessageKind::Alert,
        recipient,
        link_token: None,
        idempotency_key: new_key(),
        due_at: now,
        send_at: now,
        now,
    };
    match level {
        Level::Emergency | Level::Doctor => {
            let mut notices = vec![at_once(Recipient::Staff(therapist_id))];
            if clinic_alert_address {
                notices.push(at_once(Recipient::Clinic));
            }
            notices
        }
        Level::Therapist => {
            let at = next_window_start(now, clinic_tz, &kb.triage.schedule);
            vec![NewMessage {
                kind: MessageKind::Digest,
                recipient: Recipient::Staff(therapist_id),
                link_token: None,
                // One digest per therapist per day: the key is the same for every alert.
                idempotency_key: format!("digest-{clinic_id}-{therapist_id}-{}", local_date(at, clinic_tz)),
                due_at: at,
                send_at: at,
                now,
            }]
        }
        Level::SelfCare => Vec::new(),
    }
}
