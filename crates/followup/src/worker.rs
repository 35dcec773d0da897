//! The follow-up worker: claims due messages from the outbox, sends each, and records how it
//! went. Delivery is at least once: a message is recorded as sent only after its transport
//! took it, so a crash in between sends it again (after its claim's lease runs out) with the
//! same idempotency key. A failure is tried again with exponential back-off, inside the
//! local-time window for a client; after the last attempt the message is marked failed with
//! the reason, which the dashboard shows.

use crate::compose::{self, Letter};
use crate::config::SEND_TIMEOUT;
use crate::outbox::new_key;
use crate::transport::{Email, SendError, Sms, Transports};
use crate::window::{sending_time, time_zone};
use care::Level;
use care::knowledge::locale::Languages;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use store::{
    AlertStatus, Client, Clinic, Clock, Message, MessageKind, MessageOutcome, Recipient, StaffId, Store, StoreResult,
    Timestamp,
};

/// How long a claim holds a message: a worker that dies holding one lets it go after this.
pub const LEASE: Duration = Duration::from_secs(5 * 60);
/// Messages claimed at a time: few enough that a batch of sends that each take their longest
/// ([`SEND_TIMEOUT`]) ends before the lease does, so that no other worker takes one over.
pub const BATCH: u32 = 5;
const _: () = assert!(SEND_TIMEOUT.as_secs() * BATCH as u64 * 2 <= LEASE.as_secs());
/// Attempts before a message is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// The wait after the first failure; it doubles after each (1, 2, 4, … 64 minutes).
pub const FIRST_RETRY: Duration = Duration::from_secs(60);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Handed to a transport.
    pub sent: u32,
    /// Failed, to be tried again.
    pub retried: u32,
    /// Failed for the last time.
    pub failed: u32,
    /// Not sent on purpose (opted out, answered, expired, no address).
    pub skipped: u32,
    /// Reminders waiting for their invitation.
    pub postponed: u32,
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sent, {} to retry, {} failed, {} skipped, {} postponed",
            self.sent, self.retried, self.failed, self.skipped, self.postponed
        )
    }
}

/// The worker.
pub struct Worker<S: Store> {
    /// The store.
    pub store: S,
    /// The clinical knowledge in every language (schedule, emergency numbers, level labels;
    /// a client's messages in their language, staff's in English).
    pub languages: Arc<Languages>,
    /// Where messages go.
    pub transports: Arc<Transports>,
    /// The address clients reach the app at (no trailing slash).
    pub base_url: String,
}

impl<S: Store> fmt::Debug for Worker<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// When to try again after `attempts` failed attempts.
pub fn retry_at(now: Timestamp, attempts: u32) -> Timestamp {
    let factor = 1i64 << attempts.saturating_sub(1).min(20);
    Timestamp(now.0.saturating_add(ms(FIRST_RETRY).saturating_mul(factor)))
}

impl<S: Store> Worker<S> {
    /// Sends every message due by the clock's time, batch by batch, until none is left; the
    /// clock is read again for every batch.
    ///
    /// # Errors
    /// When the store cannot claim messages; messages already sent are recorded.
    pub async fn run_due(&self, clock: &dyn Clock) -> StoreResult<RunReport> {
        self.run_due_as_of(clock, clock).await
    }

    /// As [`Worker::run_due`], deciding what is due by `as_of` (a time an operator names)
    /// while claims and signatures follow the `wall` clock: a claim made for a past time still
    /// holds against a worker on the real clock, and a gateway sees a fresh timestamp.
    ///
    /// # Errors
    /// When the store cannot claim messages; messages already sent are recorded.
    pub async fn run_due_as_of(&self, as_of: &dyn Clock, wall: &dyn Clock) -> StoreResult<RunReport> {
        self.run_due_in_lanes(1, as_of, wall).await
    }

    /// As [`Worker::run_due_as_of`], sending in `lanes` lanes side by side, each claiming and
    /// sending its own batches (as several workers would): a large backlog drains faster, as
    /// the lanes' disk and network waits overlap and their outcomes are committed together.
    /// A run killed mid-send may send again the message each lane had in flight (with its
    /// same Message-ID and idempotency key), so up to `lanes` messages, where one lane sends
    /// at most one twice.
    ///
    /// # Errors
    /// When a lane cannot claim messages; what every lane sent is recorded.
    pub async fn run_due_in_lanes(&self, lanes: u32, as_of: &dyn Clock, wall: &dyn Clock) -> StoreResult<RunReport> {
        let runs = all_of((0..lanes.max(1)).map(|_| self.lane(as_of, wall)).collect()).await;
        let mut report = RunReport::default();
        for run in runs {
            let r = run?;
            report.sent += r.sent;
            report.retried += r.retried;
            report.failed += r.failed;
            report.skipped += r.skipped;
            report.postponed += r.postponed;
        }
        Ok(report)
    }

    /// One lane: claims a batch, sends it message by message, recording each outcome before
    /// the next send, until nothing due is left.
    async fn lane(&self, as_of: &dyn Clock, wall: &dyn Clock) -> StoreResult<RunReport> {
        let claim = new_key();
        let mut report = RunReport::default();
        loop {
            let now = as_of.now();
            let lease_until = Timestamp(now.max(wall.now()).0.saturating_add(ms(LEASE)));
            let batch = self.store.claim_messages(now, lease_until, &claim, BATCH).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            for message in batch {
                let now = as_of.now();
                // A store failure on one message is that message's failed attempt; the rest of
                // the batch goes on.
                let outcome = match self.attempt(&message, now, wall.now()).await {
                    Ok(outcome) => outcome,
                    Err(e) => self.failure(&message, None, format!("the outbox could not be read: {e}"), now, None),
                };
                match &outcome {
                    MessageOutcome::Sent { .. } => report.sent += 1,
                    MessageOutcome::Retry { .. } => report.retried += 1,
                    MessageOutcome::Failed { .. } => report.failed += 1,
                    MessageOutcome::Skipped { .. } => report.skipped += 1,
                    MessageOutcome::Postponed { .. } => report.postponed += 1,
                }
                if let Err(e) = self.store.finish_message(message.clinic_id, message.id, &claim, outcome, now).await {
                    tracing::warn!(message = message.id.get(), cause = %e, "a sent message could not be recorded; it is tried again");
                }
            }
        }
    }

    /// Runs [`Worker::run_due`] every `every` until `shutdown` completes, which stops it at
    /// once, mid-batch if need be (what it held is taken over when its lease ends); a store
    /// failure is logged and tried again at the next round.
    pub async fn run(&self, clock: Arc<dyn Clock>, every: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                result = self.run_due(clock.as_ref()) => match result {
                    Ok(r) if r == RunReport::default() => {}
                    Ok(r) => tracing::info!("follow-ups: {r}"),
                    Err(e) => tracing::error!(cause = %e, "follow-ups failed; trying again shortly"),
                },
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Decides, composes and sends one message.
    async fn attempt(&self, m: &Message, now: Timestamp, wall: Timestamp) -> StoreResult<MessageOutcome> {
        match m.recipient {
            Recipient::Client => self.client_message(m, now, wall).await,
            Recipient::Staff(staff_id) => self.staff_message(m, staff_id, now, wall).await,
            Recipient::Clinic => self.clinic_message(m, now, wall).await,
        }
    }

    /// A message to a staff member: an alert, a digest, an invitation or a password reset.
    async fn staff_message(
        &self,
        m: &Message,
        staff_id: store::StaffId,
        now: Timestamp,
        wall: Timestamp,
    ) -> StoreResult<MessageOutcome> {
        let skip = |reason: &str| Ok(MessageOutcome::Skipped { reason: reason.to_owned() });
        let Some(clinic) = self.store.clinic(m.clinic_id).await? else { return skip("the clinic is gone") };
        let staff = self.store.staff_in_clinic(clinic.id, staff_id).await?;
        let Some(staff) = staff.filter(|s| s.active) else { return skip("the staff member is not active") };
        let letter = match m.kind {
            MessageKind::Digest if self.later_digest_due(m, now).await? => {
                return skip("a later digest of the same therapist replaces it");
            }
            MessageKind::Digest => match self.digest(&clinic, staff_id, &staff.name).await? {
                Some(letter) => letter,
                None => return skip("no open alert to report"),
            },
            MessageKind::Invitation | MessageKind::PasswordReset => {
                match self.password_letter(m, &clinic, &staff, now).await? {
                    Some(letter) => letter,
                    None => return skip("the link was used, replaced or expired before it could go"),
                }
            }
            _ => match self.alert_letter(m, &clinic).await? {
                Some(letter) => letter,
                None => return skip("the alert was already acknowledged"),
            },
        };
        let to = Addresses { email: Some(&staff.email), phone: None };
        Ok(self.deliver(m, to, &letter, None, now, wall).await)
    }

    /// An alert to the clinic's own alert address.
    async fn clinic_message(&self, m: &Message, now: Timestamp, wall: Timestamp) -> StoreResult<MessageOutcome> {
        let skip = |reason: &str| Ok(MessageOutcome::Skipped { reason: reason.to_owned() });
        let Some(clinic) = self.store.clinic(m.clinic_id).await? else { return skip("the clinic is gone") };
        let Some(to) = clinic.alert_to.clone() else { return skip("the clinic has no alert address") };
        let Some(letter) = self.alert_letter(m, &clinic).await? else {
            return skip("the alert was already acknowledged");
        };
        let to = if to.contains('@') {
            Addresses { email: Some(&to), phone: None }
        } else {
            Addresses { email: None, phone: Some(&to) }
        };
        Ok(self.deliver(m, to, &letter, None, now, wall).await)
    }

    /// A message to a client: its link's follow-up, clinic, session and client in one read.
    async fn client_message(&self, m: &Message, now: Timestamp, wall: Timestamp) -> StoreResult<MessageOutcome> {
        let context = match m.link_token.as_ref() {
            Some(token) => self.store.link_context(&domain::secret::hash_secret(token.expose())).await?,
            None => None,
        };
        let own = context.filter(|c| c.clinic.id == m.clinic_id && Some(c.follow_up.id) == m.follow_up_id);
        match own {
            Some(context) => self.to_client(m, context, now, wall).await,
            None if self.store.clinic(m.clinic_id).await?.is_none() => {
                Ok(MessageOutcome::Skipped { reason: "the clinic is gone".to_owned() })
            }
            None => Ok(MessageOutcome::Failed { channel: None, error: "the message has no client link".to_owned() }),
        }
    }

    async fn to_client(
        &self,
        m: &Message,
        context: store::LinkRecords,
        now: Timestamp,
        wall: Timestamp,
    ) -> StoreResult<MessageOutcome> {
        let skip = |reason: &str| Ok(MessageOutcome::Skipped { reason: reason.to_owned() });
        let fail = |error: &str| Ok(MessageOutcome::Failed { channel: None, error: error.to_owned() });
        let store::LinkRecords { follow_up: f, clinic, client, .. } = context;
        let clinic = &clinic;
        let Some(token) = m.link_token.as_ref().map(|t| t.expose().as_str()) else {
            return fail("the message has no client link");
        };
        if now > f.expires_at {
            return skip("the link expired before the message could go");
        }
        if client.opted_out_at.is_some() {
            return skip("the client asked for no more messages");
        }
        if m.kind != MessageKind::Plan
            && self.store.check_ins_of_session(clinic.id, f.session_id).await?.iter().any(|c| c.follow_up_id == f.id)
        {
            return skip("the client has already answered");
        }
        // The window is checked again now: after an outage, or a change of the client's time
        // zone, a message due at 14:00 is still not sent at 02:00.
        let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
        let window_opens = sending_time(now, &tz, &self.languages.english().knowledge.triage.schedule);
        if window_opens > now {
            return Ok(MessageOutcome::Postponed { next_attempt: window_opens });
        }
        if m.kind == MessageKind::Reminder
            && let Some(later) = self.reminder_waits(clinic, &f, &client, now).await?
        {
            return Ok(MessageOutcome::Postponed { next_attempt: later });
        }
        let link = match m.kind {
            MessageKind::Plan => format!("{}/c/{token}/plan", self.base_url),
            _ => format!("{}/c/{token}", self.base_url),
        };
        let unsubscribe = format!("{}/u/{token}", self.base_url);
        let locale = self.languages.or_english(client.language.as_deref().unwrap_or(care::knowledge::locale::SOURCE));
        let letter = compose::to_client(locale, m.kind, clinic, &client, &link, &unsubscribe);
        let to = Addresses { email: client.email.as_deref(), phone: client.phone.as_deref() };
        let client_side = ClientSide { unsubscribe: &unsubscribe, tz: &tz, clinic };
        Ok(self.deliver(m, to, &letter, Some(client_side), now, wall).await)
    }

    /// A reminder goes `remind_after_hours` after its invitation was sent: when that is
    /// later than now (the invitation went late, or is still being tried), the time to look
    /// again.
    async fn reminder_waits(
        &self,
        clinic: &Clinic,
        f: &store::FollowUp,
        client: &Client,
        now: Timestamp,
    ) -> StoreResult<Option<Timestamp>> {
        let schedule = &self.languages.english().knowledge.triage.schedule;
        let messages = self.store.messages_of_follow_up(clinic.id, f.id).await?;
        let Some(invitation) = messages.iter().find(|i| i.kind == MessageKind::CheckIn) else { return Ok(None) };
        let base = match (invitation.status, invitation.sent_at) {
            (store::MessageStatus::Sent, Some(sent)) => sent,
            (store::MessageStatus::Pending, _) => invitation.next_attempt.max(now),
            _ => return Ok(None),
        };
        let tz = time_zone(client.timezone.as_deref(), &clinic.timezone);
        let due = sending_time(base.plus_hours(schedule.remind_after_hours), &tz, schedule);
        Ok((due > now).then_some(due))
    }

    async fn alert_letter(&self, m: &Message, clinic: &Clinic) -> StoreResult<Option<Letter>> {
        let alert = match m.alert_id {
            Some(id) => self.store.alert(clinic.id, id).await?,
            None => None,
        };
        let Some(alert) = alert.filter(|a| a.status == AlertStatus::Open) else { return Ok(None) };
        let Some(client) = self.store.client(clinic.id, alert.client_id).await? else { return Ok(None) };
        let level = alert.level;
        let url = format!("{}/alerts/{}", self.base_url, alert.id);
        Ok(Some(compose::alert(&self.languages.english().knowledge, clinic, &client, level, &url)))
    }

    /// The e-mail carrying a member's password link, while the link still works.
    async fn password_letter(
        &self,
        m: &Message,
        clinic: &Clinic,
        staff: &store::Staff,
        now: Timestamp,
    ) -> StoreResult<Option<Letter>> {
        let Some(token) = m.link_token.as_ref().map(|t| t.expose().as_str()) else { return Ok(None) };
        let Some((link, member)) = self.store.password_link(&domain::secret::hash_secret(token), now).await? else {
            return Ok(None);
        };
        if member.id != staff.id || link.clinic_id != clinic.id {
            return Ok(None);
        }
        let url = format!("{}/password/{token}", self.base_url);
        let hours = ((link.expires_at.0 - now.0) as f64 / 3_600_000.0).round().max(1.0) as i64;
        Ok(Some(compose::password(clinic, &staff.name, link.purpose, &url, hours)))
    }

    /// Whether a later digest of the same therapist is due too (after an outage): only the
    /// latest is sent, as each lists every open alert.
    async fn later_digest_due(&self, m: &Message, now: Timestamp) -> StoreResult<bool> {
        let pending = self.store.messages(m.clinic_id, Some(store::MessageStatus::Pending), u32::MAX).await?;
        Ok(pending.iter().any(|p| {
            p.kind == MessageKind::Digest && p.recipient == m.recipient && p.due_at > m.due_at && p.next_attempt <= now
        }))
    }

    /// The digest of open `therapist` alerts on clients whose session `staff_id` recorded.
    async fn digest(&self, clinic: &Clinic, staff_id: StaffId, staff_name: &str) -> StoreResult<Option<Letter>> {
        let mut names: Vec<String> = Vec::new();
        for alert in store::every_alert(&self.store, clinic.id, Some(AlertStatus::Open)).await? {
            if alert.level != Level::Therapist {
                continue;
            }
            let Some(c) = self.store.check_in(clinic.id, alert.check_in_id).await? else { continue };
            let Some(session) = self.store.session(clinic.id, c.session_id).await? else { continue };
            if session.staff_id != staff_id {
                continue;
            }
            if let Some(client) = self.store.client(clinic.id, alert.client_id).await?
                && !names.contains(&client.name)
            {
                names.push(client.name);
            }
        }
        let url = format!("{}/alerts", self.base_url);
        Ok((!names.is_empty()).then(|| compose::digest(clinic, staff_name, &names, &url)))
    }

    /// Sends `letter` by e-mail when there is an address and e-mail is configured, else by
    /// SMS; a failure is tried again (inside the sending window of `client_tz`, for a client)
    /// until the last attempt.
    async fn deliver(
        &self,
        m: &Message,
        to: Addresses<'_>,
        letter: &Letter,
        client: Option<ClientSide<'_>>,
        now: Timestamp,
        wall: Timestamp,
    ) -> MessageOutcome {
        let t = &self.transports;
        let (unsubscribe, client_tz) = (client.map(|c| c.unsubscribe), client.map(|c| c.tz));
        let clinic = client.map(|c| c.clinic);
        let (channel, result) = match (to.email.filter(|_| t.has_email()), to.phone.filter(|_| t.has_sms())) {
            (Some(to), _) => {
                let e = Email {
                    from: t.from.clone(),
                    to: to.to_owned(),
                    subject: letter.subject.clone(),
                    text: letter.text.clone(),
                    html: letter.html.clone(),
                    idempotency_key: m.idempotency_key.clone(),
                    unsubscribe: unsubscribe.map(str::to_owned),
                    date: now,
                    sender_name: clinic.map(|c| c.name.clone()),
                    reply_to: clinic.and_then(|c| c.email.clone()),
                };
                ("email", within_timeout(t.send_email(&e)).await)
            }
            (None, Some(to)) => {
                let s = Sms { to: to.to_owned(), body: letter.sms.clone(), idempotency_key: m.idempotency_key.clone() };
                ("sms", within_timeout(t.send_sms(&s, wall)).await)
            }
            (None, None) => {
                let reason = "no e-mail address or phone number that the configured transports can reach".to_owned();
                // A client may simply have no address; staff must hear that an alert did not go.
                return if m.kind.to_client() {
                    MessageOutcome::Skipped { reason }
                } else {
                    MessageOutcome::Failed { channel: None, error: reason }
                };
            }
        };
        match result {
            Ok(()) => MessageOutcome::Sent { channel: channel.to_owned() },
            Err(e) => self.failure(m, Some(channel), e.0, now, client_tz),
        }
    }

    /// A failed attempt: tried again after the back-off (inside the client's window), or
    /// failed for good after the last attempt.
    fn failure(
        &self,
        m: &Message,
        channel: Option<&str>,
        error: String,
        now: Timestamp,
        client_tz: Option<&jiff::tz::TimeZone>,
    ) -> MessageOutcome {
        let channel = channel.map(str::to_owned);
        if m.attempts + 1 >= MAX_ATTEMPTS {
            return MessageOutcome::Failed { channel, error: format!("{error} (after {MAX_ATTEMPTS} attempts)") };
        }
        let next = retry_at(now, m.attempts + 1);
        let next_attempt =
            client_tz.map_or(next, |tz| sending_time(next, tz, &self.languages.english().knowledge.triage.schedule));
        MessageOutcome::Retry { channel, error, next_attempt }
    }
}

/// Where a message may go.
#[derive(Debug, Clone, Copy)]
struct Addresses<'a> {
    email: Option<&'a str>,
    phone: Option<&'a str>,
}

/// What a message to a client has besides: its stop link, and the time zone of its window.
#[derive(Debug, Clone, Copy)]
struct ClientSide<'a> {
    unsubscribe: &'a str,
    tz: &'a jiff::tz::TimeZone,
    /// The clinic, whose name the e-mail comes from and whose address replies go to.
    clinic: &'a Clinic,
}

/// A send that takes longer than [`SEND_TIMEOUT`] in all has failed (and is tried again).
async fn within_timeout(send: impl std::future::Future<Output = Result<(), SendError>>) -> Result<(), SendError> {
    tokio::time::timeout(SEND_TIMEOUT, send)
        .await
        .unwrap_or_else(|_| Err(SendError(format!("no answer within {} seconds", SEND_TIMEOUT.as_secs()))))
}

/// Runs `futures` side by side on the calling task, and answers each one's output once every
/// one is done.
async fn all_of<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut running: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = running.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, out) in running.iter_mut().zip(done.iter_mut()) {
            if out.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    done.into_iter().flatten().collect()
}
