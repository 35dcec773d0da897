//! # Aftercare storage
//!
//! One trait, [`Store`], that every backend implements (SQLite today, PostgreSQL next), and
//! the plain records it reads and writes. Every record carries its `clinic_id` and every
//! query that reads clinic data takes the caller's clinic: a record of another clinic is
//! simply not found. The only lookups without a clinic are by secret (an API token hash, a
//! client link hash), which is how a caller's clinic is learnt in the first place.
//!
//! Times are UTC instants in milliseconds since the Unix epoch ([`Timestamp`]); the store
//! never reads the clock, the caller passes `now` in.

pub mod columns;
#[cfg(feature = "conformance")]
pub mod conformance;
mod ids;
pub mod moving;
mod records;
pub mod tally;

pub use ids::*;
pub use records::*;
use std::future::Future;

/// Where the time comes from. The binary passes the system clock; tests pass one they move.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// A clock that always says the same instant: for seeding data in the past, and for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record the operation needs does not exist in the caller's clinic.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is taken (for example a staff e-mail).
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// A stored value could not be read back (a corrupt row).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database failed; the cause is kept for the log.
    #[error("database error")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database cannot be written or reached just now (a full disk, an I/O error, a lock
    /// held too long): nothing was saved, and the same request may work later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Every alert of the clinic with `status` (all when `None`), in the order of
/// [`Store::alerts`], read a page at a time: for a worker or a command, never a request.
///
/// # Errors
/// When the store fails.
pub async fn every_alert<S: Store>(
    store: &S,
    clinic_id: ClinicId,
    status: Option<AlertStatus>,
) -> StoreResult<Vec<Alert>> {
    const PAGE: u32 = 200;
    let mut every: Vec<Alert> = Vec::new();
    loop {
        let after = every.last().map(AlertPosition::of);
        let page = store.alerts(clinic_id, status, after.as_ref(), PAGE).await?;
        let done = page.len() < PAGE as usize;
        every.extend(page);
        if done {
            return Ok(every);
        }
    }
}

/// What every storage backend provides. Methods are clinic-scoped where they touch clinic data.
pub trait Store: Clone + Send + Sync + 'static {
    /// Brings the schema up to date.
    fn migrate(&self) -> impl Future<Output = StoreResult<()>> + Send;
    /// Answers when the database does.
    fn ping(&self) -> impl Future<Output = StoreResult<()>> + Send;
    /// Brings the query planner's statistics up to date where they have drifted (cheap when
    /// they have not); `serve` calls it every hour.
    fn refresh_statistics(&self) -> impl Future<Output = StoreResult<()>> + Send;
    /// Writes one small row and commits it durably: answers when the database can save
    /// data now, not just read it (a full disk fails here).
    fn write_probe(&self, now: Timestamp) -> impl Future<Output = StoreResult<()>> + Send;

    /// Creates a clinic and its owner in one transaction.
    fn create_clinic(
        &self,
        clinic: NewClinic,
        owner: NewStaff,
    ) -> impl Future<Output = StoreResult<(Clinic, Staff)>> + Send;
    /// Every clinic, by id (for the operator's commands).
    fn clinics(&self) -> impl Future<Output = StoreResult<Vec<Clinic>>> + Send;
    /// A clinic by id.
    fn clinic(&self, clinic_id: ClinicId) -> impl Future<Output = StoreResult<Option<Clinic>>> + Send;
    /// Changes a clinic's name, country and time zone. A new time zone recounts the clinic's
    /// outcome tallies by its days, in the same transaction.
    fn update_clinic(
        &self,
        clinic_id: ClinicId,
        name: &str,
        country: &str,
        timezone: &str,
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// Sets the hours after a session's end at which check-ins are due.
    fn set_check_in_hours(
        &self,
        clinic_id: ClinicId,
        hours: &[i64],
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// Sets the clinic's wording of client messages (`None`: the default wording).
    fn set_message_texts(
        &self,
        clinic_id: ClinicId,
        plan: Option<&str>,
        check_in: Option<&str>,
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// Sets where `doctor` and `emergency` alerts go at once (`None`: the dashboard and the
    /// therapist only).
    fn set_alert_to(
        &self,
        clinic_id: ClinicId,
        alert_to: Option<&str>,
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// The clinic's staff, by name.
    fn staff_of_clinic(&self, clinic_id: ClinicId) -> impl Future<Output = StoreResult<Vec<Staff>>> + Send;
    /// Sets a staff member's password (its Argon2id hash) and ends every sign-in of theirs but
    /// the one whose token hashes to `keep`: a changed password signs out the other devices.
    /// `false` when the member is not in the clinic.
    fn set_staff_password(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        password_hash: Redacted<String>,
        keep: &[u8],
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Changes a staff member's role and whether they may sign in; deactivating one revokes
    /// their API tokens at `now`, for good. `None` when not in the clinic.
    fn update_staff(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        role: Role,
        active: bool,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<Staff>>> + Send;
    /// The clinic's products.
    fn products(&self, clinic_id: ClinicId) -> impl Future<Output = StoreResult<Vec<Product>>> + Send;
    /// Adds a product.
    fn add_product(
        &self,
        clinic_id: ClinicId,
        product: NewProduct,
    ) -> impl Future<Output = StoreResult<Product>> + Send;
    /// Removes a product; whether there was one.
    fn remove_product(
        &self,
        clinic_id: ClinicId,
        product_id: ProductId,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Stores a client's feedback on a check-in of the clinic.
    fn add_feedback(
        &self,
        clinic_id: ClinicId,
        feedback: NewFeedback,
    ) -> impl Future<Output = StoreResult<Feedback>> + Send;
    /// The feedback on a client's check-ins, oldest first.
    fn feedback_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
    ) -> impl Future<Output = StoreResult<Vec<Feedback>>> + Send;
    /// Adds a staff member to a clinic.
    fn create_staff(&self, clinic_id: ClinicId, staff: NewStaff) -> impl Future<Output = StoreResult<Staff>> + Send;
    /// A staff member of the clinic.
    fn staff_in_clinic(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
    ) -> impl Future<Output = StoreResult<Option<Staff>>> + Send;
    /// A staff member by e-mail (e-mails are unique across clinics: one sign-in, one clinic).
    fn staff_by_email(&self, email: &str) -> impl Future<Output = StoreResult<Option<Staff>>> + Send;
    /// Stores a new API token's hash for a staff member.
    fn create_api_token(&self, token: NewApiToken) -> impl Future<Output = StoreResult<ApiToken>> + Send;
    /// The active staff member owning an unrevoked API token with this hash that has not
    /// expired at `now`.
    fn staff_by_token_hash(
        &self,
        token_hash: &[u8],
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<Staff>>> + Send;
    /// Stores a staff sign-in session.
    fn create_staff_session(&self, session: NewStaffSession) -> impl Future<Output = StoreResult<()>> + Send;
    /// The active staff member of an unexpired sign-in session with this token hash.
    fn staff_session(
        &self,
        token_hash: &[u8],
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<(Staff, StaffSession)>>> + Send;
    /// Ends a sign-in session (and forgets every expired one).
    fn delete_staff_session(&self, token_hash: &[u8], now: Timestamp) -> impl Future<Output = StoreResult<()>> + Send;
    /// Completes a sign-in whose second factor was pending and unexpired, making it last until
    /// `expires_at`. `false` when there is no such sign-in.
    fn complete_second_factor(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Makes a password link for an active member of the clinic and puts the e-mail that
    /// carries it in the outbox, in one transaction; the member's earlier unused links stop
    /// working. With `void_password`, their password and every sign-in of theirs end too.
    /// `None` when the member is not an active member of the clinic.
    fn create_password_link(
        &self,
        clinic_id: ClinicId,
        link: NewPasswordLink,
    ) -> impl Future<Output = StoreResult<Option<PasswordLink>>> + Send;
    /// The unused, unexpired link with this token hash, and its active member.
    fn password_link(
        &self,
        token_hash: &[u8],
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<(PasswordLink, Staff)>>> + Send;
    /// Uses the link with this token hash, once: in one transaction the link is spent, the
    /// member's password becomes `password_hash` (chosen by them), and every sign-in of theirs
    /// ends. `None` when the link is unknown, used, expired, or its member inactive.
    fn use_password_link(
        &self,
        token_hash: &[u8],
        password_hash: Redacted<String>,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<Staff>>> + Send;
    /// Turns a member's second factor on with the authenticator's `secret` and these
    /// recovery codes' hashes (replacing any earlier ones), or off with `None` (and no codes).
    /// `false` when the member is not in the clinic.
    fn set_two_factor(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        secret: Option<Redacted<String>>,
        recovery_code_hashes: &[Vec<u8>],
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Takes an authenticator code of time step `step` for the member, once: `false` when a
    /// code of this step or a later one was already taken (a code seen by someone else is of
    /// no use to them).
    fn take_totp_step(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        step: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Spends one of the member's unused recovery codes with this hash; `false` when none.
    fn use_recovery_code(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        code_hash: &[u8],
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// How many unused recovery codes the member has.
    fn recovery_codes_left(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
    ) -> impl Future<Output = StoreResult<u32>> + Send;
    /// Sets how clients reach the clinic: its phone and e-mail address (`None`: not given).
    fn set_clinic_contact(
        &self,
        clinic_id: ClinicId,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// Sets whether every member of the clinic must sign in with a second factor.
    fn set_require_two_factor(
        &self,
        clinic_id: ClinicId,
        require: bool,
    ) -> impl Future<Output = StoreResult<Clinic>> + Send;
    /// Revokes every unrevoked token of a staff member of the clinic; how many.
    fn revoke_tokens_of_staff(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<u64>> + Send;
    /// Revokes a token of the clinic.
    fn revoke_api_token(
        &self,
        clinic_id: ClinicId,
        token_id: ApiTokenId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Adds a client.
    fn create_client(&self, clinic_id: ClinicId, client: NewClient)
    -> impl Future<Output = StoreResult<Client>> + Send;
    /// A client of the clinic.
    fn client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
    ) -> impl Future<Output = StoreResult<Option<Client>>> + Send;
    /// The clinic's clients among `ids`, in any order, in one read; ids not the clinic's are
    /// left out.
    fn clients_by_ids(
        &self,
        clinic_id: ClinicId,
        ids: &[ClientId],
    ) -> impl Future<Output = StoreResult<Vec<Client>>> + Send;
    /// The clinic's clients whose name, e-mail or phone contains `search` (any case), by name
    /// (any case) then id; those after `after`; at most `limit`.
    fn clients(
        &self,
        clinic_id: ClinicId,
        search: Option<&str>,
        after: Option<&ClientPosition>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Client>>> + Send;
    /// Stops (`Some(now)`) or resumes (`None`) messages to a client; `None` when not in the clinic.
    fn set_client_opted_out(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        opted_out_at: Option<Timestamp>,
    ) -> impl Future<Output = StoreResult<Option<Client>>> + Send;
    /// Sets the language a client reads their pages and messages in; `None` if the client is
    /// not the clinic's.
    fn set_client_language(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        language: Option<&str>,
    ) -> impl Future<Output = StoreResult<Option<Client>>> + Send;
    /// Stores an intake link: the clinic's public one (no client; any earlier public link of
    /// the clinic stops working) or one for a client of the clinic.
    fn create_intake_link(
        &self,
        clinic_id: ClinicId,
        link: NewIntakeLink,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The unexpired, unused intake link with this hash.
    fn intake_link(
        &self,
        link_hash: &[u8],
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<IntakeLink>>> + Send;
    /// Stores an intake given through a link, in one transaction: creates the client for a
    /// public link, saves the intake, and marks a client's link used. `None` when the link was
    /// used or expired meanwhile.
    fn intake_by_link(
        &self,
        link: &IntakeLink,
        new_client: Option<NewClient>,
        body: String,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<Intake>>> + Send;
    /// Stores an intake (every intake is kept; the latest is the current one).
    fn save_intake(&self, clinic_id: ClinicId, intake: NewIntake) -> impl Future<Output = StoreResult<Intake>> + Send;
    /// The client's latest intake.
    fn latest_intake(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
    ) -> impl Future<Output = StoreResult<Option<Intake>>> + Send;

    /// Records a session and its follow-ups in one transaction (the outbox).
    fn record_session(
        &self,
        clinic_id: ClinicId,
        session: NewSession,
        follow_ups: Vec<NewFollowUp>,
    ) -> impl Future<Output = StoreResult<(Session, Vec<FollowUp>)>> + Send;
    /// A session of the clinic.
    fn session(
        &self,
        clinic_id: ClinicId,
        session_id: SessionId,
    ) -> impl Future<Output = StoreResult<Option<Session>>> + Send;
    /// The client's sessions, oldest first; those after `after`; at most `limit`.
    fn sessions_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        after: Option<&SessionPosition>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Session>>> + Send;
    /// The clinic's check-ins among `ids`, in any order, in one read; ids not the clinic's
    /// are left out.
    fn check_ins_by_ids(
        &self,
        clinic_id: ClinicId,
        ids: &[CheckInId],
    ) -> impl Future<Output = StoreResult<Vec<CheckIn>>> + Send;
    /// The clinic's sessions among `ids`, in any order, in one read; ids not the clinic's
    /// are left out.
    fn sessions_by_ids(
        &self,
        clinic_id: ClinicId,
        ids: &[SessionId],
    ) -> impl Future<Output = StoreResult<Vec<Session>>> + Send;
    /// The clinic's sessions that ended in `[from, to)`, by end.
    fn sessions_between(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = StoreResult<Vec<Session>>> + Send;
    /// The clinic's follow-ups due in `[from, to)`, by due time, each with whether it has
    /// been answered (a check-in used its link).
    fn follow_ups_due(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = StoreResult<Vec<(FollowUp, bool)>>> + Send;
    /// The check-ins of the sessions that ended from `from` (included) to `to` (excluded), with
    /// their sessions' therapist, type, pressure and areas: what the outcomes are read from.
    fn outcome_check_ins(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = StoreResult<Vec<OutcomeCheckIn>>> + Send;
    /// The clinic's outcome tallies of the days `from` to `to`, both included, each list in
    /// the order of its key: kept as check-ins, follow-ups, alerts and acknowledgements are
    /// written, in the clinic's time zone ([`tally`]).
    fn outcome_tallies(
        &self,
        clinic_id: ClinicId,
        from: tally::Day,
        to: tally::Day,
    ) -> impl Future<Output = StoreResult<tally::Tallies>> + Send;
    /// Erases a client (the right to erasure), in one transaction: their name, contact
    /// details, intakes, intake links, feedback, the words of their answers and of the
    /// sessions' notes, the alerts' notes and every message about them are deleted; their
    /// links stop working; what is left (levels, soreness, types, times) keeps the clinic's
    /// outcome counts and names no one. `None` when the client is not in the clinic.
    fn erase_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<Option<Erased>>> + Send;
    /// Adds an entry to the clinic's audit trail; the trail is append-only.
    fn record_audit(&self, clinic_id: ClinicId, entry: NewAuditEntry) -> impl Future<Output = StoreResult<()>> + Send;
    /// A page of the clinic's audit trail, newest first, before `before` (an entry's id) when
    /// given; only one client's entries when `client` is given.
    fn audit_trail(
        &self,
        clinic_id: ClinicId,
        client: Option<ClientId>,
        before: Option<AuditId>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<AuditEntry>>> + Send;
    /// The follow-ups of a session, by due time.
    fn follow_ups_of_session(
        &self,
        clinic_id: ClinicId,
        session_id: SessionId,
    ) -> impl Future<Output = StoreResult<Vec<FollowUp>>> + Send;
    /// A follow-up of the clinic.
    fn follow_up(
        &self,
        clinic_id: ClinicId,
        follow_up_id: FollowUpId,
    ) -> impl Future<Output = StoreResult<Option<FollowUp>>> + Send;
    /// The follow-up whose client link has this hash (the link is the client's only credential).
    fn follow_up_by_link_hash(&self, link_hash: &[u8]) -> impl Future<Output = StoreResult<Option<FollowUp>>> + Send;
    /// What a client link leads to, in one read: its follow-up, clinic, session, client and
    /// the session's check-ins so far (count and lowest soreness). `None` when no follow-up
    /// has this link hash.
    fn link_context(&self, link_hash: &[u8]) -> impl Future<Output = StoreResult<Option<LinkRecords>>> + Send;

    /// Records a check-in, its alert with the messages that tell staff, and the extra
    /// follow-up the answer calls for, in one transaction; durable when this returns.
    fn record_check_in(
        &self,
        clinic_id: ClinicId,
        check_in: NewCheckIn,
        alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) -> impl Future<Output = StoreResult<(CheckIn, Option<Alert>)>> + Send;
    /// A check-in of the clinic.
    fn check_in(
        &self,
        clinic_id: ClinicId,
        check_in_id: CheckInId,
    ) -> impl Future<Output = StoreResult<Option<CheckIn>>> + Send;
    /// How many check-ins a session has and the lowest soreness among them, in one read.
    fn check_in_stats(
        &self,
        clinic_id: ClinicId,
        session_id: SessionId,
    ) -> impl Future<Output = StoreResult<CheckInStats>> + Send;
    /// The check-ins of a session, oldest first.
    fn check_ins_of_session(
        &self,
        clinic_id: ClinicId,
        session_id: SessionId,
    ) -> impl Future<Output = StoreResult<Vec<CheckIn>>> + Send;
    /// The check-ins of a client, oldest first.
    fn check_ins_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
    ) -> impl Future<Output = StoreResult<Vec<CheckIn>>> + Send;
    /// The clinic's check-ins since `since` whose report has a non-empty note, newest first,
    /// at most `limit`: every note reaches a person (care policy v1.2).
    fn check_ins_with_notes(
        &self,
        clinic_id: ClinicId,
        since: Timestamp,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<CheckIn>>> + Send;

    /// A page of the clinic's alerts, most urgent level first and newest first within a
    /// level; only those with `status` if given; those after `after` (the last alert of the
    /// previous page); at most `limit`. Each page costs the same however many alerts the
    /// clinic has had.
    fn alerts(
        &self,
        clinic_id: ClinicId,
        status: Option<AlertStatus>,
        after: Option<&AlertPosition>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Alert>>> + Send;
    /// An alert of the clinic.
    fn alert(&self, clinic_id: ClinicId, alert_id: AlertId) -> impl Future<Output = StoreResult<Option<Alert>>> + Send;
    /// Acknowledges an open alert of the clinic, in one conditional write: the alert as it now
    /// stands, and whether this call is the one that acknowledged it (of two at once, exactly
    /// one is); `None` when there is no such alert.
    fn acknowledge_alert(
        &self,
        clinic_id: ClinicId,
        alert_id: AlertId,
        ack: Acknowledgement,
    ) -> impl Future<Output = StoreResult<Option<(Alert, bool)>>> + Send;

    /// Puts a message in the outbox unless one with its idempotency key is there already;
    /// whether it was added.
    fn enqueue_message(
        &self,
        clinic_id: ClinicId,
        message: NewMessage,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Claims up to `limit` pending messages of any clinic whose next attempt is due at `now`
    /// and that no other worker holds, until `lease_until`, under `claim` (the follow-up
    /// worker's one query across clinics). Two workers never hold the same message.
    fn claim_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Message>>> + Send;
    /// Records how an attempt ended, if `claim` still holds the message; whether it did.
    /// Sending, failing and skipping forget the message's client link token.
    fn finish_message(
        &self,
        clinic_id: ClinicId,
        message_id: MessageId,
        claim: &str,
        outcome: MessageOutcome,
        now: Timestamp,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// The clinic's messages, by next attempt then id; only those with `status` if given; at most `limit`.
    fn messages(
        &self,
        clinic_id: ClinicId,
        status: Option<MessageStatus>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Message>>> + Send;
    /// The clinic's messages with `status`, newest (by next attempt, then id) first; at most
    /// `limit`.
    fn newest_messages(
        &self,
        clinic_id: ClinicId,
        status: MessageStatus,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Message>>> + Send;
    /// The messages carrying a follow-up's link.
    fn messages_of_follow_up(
        &self,
        clinic_id: ClinicId,
        follow_up_id: FollowUpId,
    ) -> impl Future<Output = StoreResult<Vec<Message>>> + Send;

    /// Reads every row of a clinic ([`moving::CLINIC`], then each of [`moving::TABLES`] by id)
    /// in one consistent snapshot, giving each to `sink`; `false` when there is no such
    /// clinic. For moving a clinic to another database.
    fn export_clinic(
        &self,
        clinic_id: ClinicId,
        sink: moving::RowSink,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Creates a clinic from exported rows, in one transaction: the clinic's own row gets a
    /// new id, every other row keeps its id; `written` counts the rows as they are written.
    /// A row that cannot be written (an id or a unique value taken) undoes the whole import.
    fn import_clinic(
        &self,
        clinic: moving::Row,
        rows: Vec<(usize, moving::Row)>,
        written: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> impl Future<Output = StoreResult<ClinicId>> + Send;
    /// How many rows the clinic has in each of [`moving::TABLES`], in their order.
    fn count_clinic_rows(&self, clinic_id: ClinicId) -> impl Future<Output = StoreResult<Vec<u64>>> + Send;
}
