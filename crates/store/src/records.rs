//! The records the store reads and writes. Codes (massage types, levels, …) are kept as the
//! care engine's stable strings; the store does not interpret them.

use crate::ids::*;
pub use care::Level;
pub use domain::Redacted;
pub use domain::time::Timestamp;

/// A staff member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the clinic: settings, staff, everything.
    Owner,
    /// Sees and treats clients.
    Therapist,
    /// Adds clients, sees alerts and follow-ups.
    FrontDesk,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Owner, Role::Therapist, Role::FrontDesk];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Therapist => "therapist",
            Role::FrontDesk => "front_desk",
        }
    }

    /// Parses a role code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// Whether an alert still needs someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertStatus {
    /// Nobody has acknowledged it yet.
    Open,
    /// A staff member acknowledged it.
    Acknowledged,
}

impl AlertStatus {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
        }
    }

    /// Parses a status code.
    pub fn from_code(code: &str) -> Option<AlertStatus> {
        [AlertStatus::Open, AlertStatus::Acknowledged].into_iter().find(|s| s.code() == code)
    }
}

/// A clinic to create.
#[derive(Debug, Clone)]
pub struct NewClinic {
    /// Name.
    pub name: String,
    /// ISO 3166-1 country code; it sets the emergency number clients see.
    pub country: String,
    /// IANA time zone.
    pub timezone: String,
    /// Hours after a session's end at which check-ins are due (the knowledge's default).
    pub check_in_hours: Vec<i64>,
    /// When.
    pub now: Timestamp,
}

/// A clinic.
#[derive(Debug, Clone, PartialEq)]
pub struct Clinic {
    /// Id.
    pub id: ClinicId,
    /// Name.
    pub name: String,
    /// ISO 3166-1 country code.
    pub country: String,
    /// IANA time zone.
    pub timezone: String,
    /// Hours after a session's end at which check-ins are due, ascending.
    pub check_in_hours: Vec<i64>,
    /// The clinic's wording of the message that sends the aftercare plan, if changed.
    pub plan_message: Option<String>,
    /// The clinic's wording of the check-in invitation, if changed.
    pub check_in_message: Option<String>,
    /// Where `doctor` and `emergency` alerts go at once: an e-mail address or a phone number.
    pub alert_to: Option<String>,
    /// Whether every member must sign in with a second factor.
    pub require_two_factor: bool,
    /// The clinic's phone, for clients: shown wherever they are told to contact it.
    pub phone: Option<String>,
    /// The clinic's e-mail address, where clients' replies to its messages go.
    pub email: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A staff member to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// E-mail (lower case).
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id hash of the password, when one is set.
    pub password_hash: Option<Redacted<String>>,
    /// When.
    pub now: Timestamp,
}

/// A staff member.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    /// Id.
    pub id: StaffId,
    /// Their clinic.
    pub clinic_id: ClinicId,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether they may sign in.
    pub active: bool,
    /// Argon2id hash of the password, when one is set. Never logged.
    pub password_hash: Option<Redacted<String>>,
    /// Whether they chose their password (not one given to them).
    pub password_chosen: bool,
    /// The shared secret of their authenticator (base32), when they use a second factor.
    pub totp_secret: Option<Redacted<String>>,
}

/// An API token to store: only its hash is kept.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The staff member it acts as.
    pub staff_id: StaffId,
    /// A label to recognise it by.
    pub label: String,
    /// SHA-256 of the token.
    pub token_hash: Redacted<Vec<u8>>,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When.
    pub now: Timestamp,
}

/// A stored API token (without its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    /// Id.
    pub id: ApiTokenId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The staff member.
    pub staff_id: StaffId,
    /// Label.
    pub label: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A staff sign-in session to store.
#[derive(Debug, Clone)]
pub struct NewStaffSession {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The staff member.
    pub staff_id: StaffId,
    /// SHA-256 of the cookie's token.
    pub token_hash: Redacted<Vec<u8>>,
    /// The token every form of the session carries.
    pub csrf_token: Redacted<String>,
    /// When.
    pub now: Timestamp,
    /// When it ends.
    pub expires_at: Timestamp,
    /// Whether the password was right and the second factor is still to come.
    pub second_factor_pending: bool,
}

/// A staff sign-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffSession {
    /// The staff member.
    pub staff_id: StaffId,
    /// The token every form of the session carries.
    pub csrf_token: Redacted<String>,
    /// When it ends.
    pub expires_at: Timestamp,
    /// Whether the second factor is still to come.
    pub second_factor_pending: bool,
    /// Whether the member's clinic requires a second factor.
    pub clinic_requires_two_factor: bool,
}

/// What an e-mailed password link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPurpose {
    /// A new member chooses their first password.
    Invitation,
    /// A member who forgot theirs chooses a new one.
    PasswordReset,
}

impl PasswordPurpose {
    /// The stable code (also the kind of the message that carries the link).
    pub fn code(self) -> &'static str {
        match self {
            PasswordPurpose::Invitation => "invitation",
            PasswordPurpose::PasswordReset => "password_reset",
        }
    }

    /// The kind of message that carries the link.
    pub fn message_kind(self) -> MessageKind {
        match self {
            PasswordPurpose::Invitation => MessageKind::Invitation,
            PasswordPurpose::PasswordReset => MessageKind::PasswordReset,
        }
    }
}

/// A password link to create, with the e-mail that carries it.
#[derive(Debug, Clone)]
pub struct NewPasswordLink {
    /// The member.
    pub staff_id: StaffId,
    /// What for.
    pub purpose: PasswordPurpose,
    /// The link's token, kept in the outbox only until the e-mail is sent.
    pub token: Redacted<String>,
    /// SHA-256 of the token.
    pub token_hash: Redacted<Vec<u8>>,
    /// The e-mail's idempotency key.
    pub idempotency_key: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Whether the member's current password stops working now, with every sign-in of theirs
    /// (an owner requiring a member to choose their own).
    pub void_password: bool,
    /// When.
    pub now: Timestamp,
}

/// An e-mailed link to choose a password; it works once, until it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordLink {
    /// Id.
    pub id: PasswordLinkId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The member.
    pub staff_id: StaffId,
    /// What for.
    pub purpose: PasswordPurpose,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A client to create.
#[derive(Debug, Clone)]
pub struct NewClient {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// IANA time zone, when not the clinic's.
    pub timezone: Option<String>,
    /// Age in completed months.
    pub age_months: Option<u32>,
    /// The language of their pages and messages (`en`, `es`), when known.
    pub language: Option<String>,
    /// When.
    pub now: Timestamp,
}

/// A client.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// Id.
    pub id: ClientId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Age in completed months.
    pub age_months: Option<u32>,
    /// The language of their pages and messages (`en`, `es`), when known; `None`: the
    /// browser's language on a page, English in messages.
    pub language: Option<String>,
    /// When the client asked for no more messages (`None`: they get them).
    pub opted_out_at: Option<Timestamp>,
    /// When added.
    pub created_at: Timestamp,
}

/// An intake to store.
#[derive(Debug, Clone)]
pub struct NewIntake {
    /// The client.
    pub client_id: ClientId,
    /// The intake as the care engine reads it (JSON).
    pub body: String,
    /// When.
    pub now: Timestamp,
}

/// A stored intake.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    /// Id.
    pub id: IntakeId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The client.
    pub client_id: ClientId,
    /// The intake (JSON).
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// A session to record.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The client.
    pub client_id: ClientId,
    /// The therapist or staff member who recorded it.
    pub staff_id: StaffId,
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// Area codes.
    pub areas: Vec<String>,
    /// Techniques, free text.
    pub techniques: Vec<String>,
    /// The client's first massage ever.
    pub first_massage: bool,
    /// Notes.
    pub notes: Option<String>,
    /// For a baby's session (infant massage): the baby's date of birth, `YYYY-MM-DD`.
    pub baby_birth_date: Option<String>,
    /// When the session ended.
    pub ended_at: Timestamp,
    /// When recorded.
    pub now: Timestamp,
}

/// A recorded session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Id.
    pub id: SessionId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The client.
    pub client_id: ClientId,
    /// Who recorded it.
    pub staff_id: StaffId,
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// Area codes.
    pub areas: Vec<String>,
    /// Techniques.
    pub techniques: Vec<String>,
    /// The client's first massage ever.
    pub first_massage: bool,
    /// Notes.
    pub notes: Option<String>,
    /// When it ended.
    /// For a baby's session: the baby's date of birth, `YYYY-MM-DD`; none when recorded
    /// before it was asked for.
    pub baby_birth_date: Option<String>,
    pub ended_at: Timestamp,
    /// When recorded.
    pub created_at: Timestamp,
}

/// A follow-up to schedule with a session.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    /// What it is (`check_in`).
    pub kind: String,
    /// Hours after the session's end it belongs to (24, 48, …).
    pub offset_hours: i64,
    /// When it is due.
    pub due_at: Timestamp,
    /// The day it is due, in the clinic's calendar (what the outcome tallies count it by).
    pub due_day: crate::tally::Day,
    /// When its client link stops working.
    pub expires_at: Timestamp,
    /// SHA-256 of the client link's token.
    pub link_hash: Redacted<Vec<u8>>,
    /// The messages that carry its link (the invitation, the reminder; the plan), written
    /// with it. The token itself is kept only on these messages, and only until they are sent.
    pub messages: Vec<NewMessage>,
}

/// A scheduled follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// Id.
    pub id: FollowUpId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The session.
    pub session_id: SessionId,
    /// What it is.
    pub kind: String,
    /// Hours after the session's end.
    pub offset_hours: i64,
    /// When due.
    pub due_at: Timestamp,
    /// When the link expires.
    pub expires_at: Timestamp,
}

/// A check-in to record.
#[derive(Debug, Clone)]
pub struct NewCheckIn {
    /// The session.
    pub session_id: SessionId,
    /// The follow-up whose link was used.
    pub follow_up_id: FollowUpId,
    /// The report as submitted (JSON).
    pub report: String,
    /// Soreness 0-10; unknown only for an answer that could not be read.
    pub soreness: Option<u8>,
    /// Whether the engine triaged it. An answer it refused is kept all the same, not
    /// triaged, with what was wrong (care policy v1.2: no answer is lost).
    pub triaged: bool,
    /// What could not be read, in words, when not triaged.
    pub problems: Vec<String>,
    /// Hours since the session ended.
    pub hours_since: f64,
    /// The triage level code.
    pub level: Level,
    /// Fired rule ids.
    pub fired: Vec<String>,
    /// When.
    pub now: Timestamp,
    /// The day it was sent, in the clinic's calendar (what the outcome tallies count it by).
    pub day: crate::tally::Day,
    /// The day its follow-up was due, in the clinic's calendar.
    pub due_day: crate::tally::Day,
}

/// A recorded check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    /// Id.
    pub id: CheckInId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The session.
    pub session_id: SessionId,
    /// The follow-up.
    pub follow_up_id: FollowUpId,
    /// The report (JSON).
    pub report: String,
    /// Soreness; unknown only for an answer that could not be read.
    pub soreness: Option<u8>,
    /// Whether the engine triaged it (false: kept as sent, with `problems`).
    pub triaged: bool,
    /// What could not be read, when not triaged.
    pub problems: Vec<String>,
    /// Hours since the session ended.
    pub hours_since: f64,
    /// Level code.
    pub level: Level,
    /// Fired rule ids.
    pub fired: Vec<String>,
    /// When submitted.
    pub submitted_at: Timestamp,
}

/// An alert to raise with a check-in.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// The client.
    pub client_id: ClientId,
    /// Level code (`therapist`, `doctor`, `emergency`).
    pub level: Level,
    /// The messages that tell staff, written with the alert.
    pub notices: Vec<NewMessage>,
}

/// Where a page of alerts ended: the last alert's level, time and id. The next page starts
/// after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPosition {
    /// The level code (`emergency`, `doctor` or `therapist`).
    pub level: Level,
    /// When the alert was raised.
    pub created_at: Timestamp,
    /// The alert's id.
    pub id: AlertId,
}

impl AlertPosition {
    /// The levels of alerts, most urgent first: the order of a page.
    pub const LEVELS: [Level; 3] = [Level::Emergency, Level::Doctor, Level::Therapist];

    /// The position of an alert.
    pub fn of(alert: &Alert) -> AlertPosition {
        AlertPosition { level: alert.level, created_at: alert.created_at, id: alert.id }
    }

    /// How urgent a level is among alerts: 0 for the most urgent (a level no alert has comes
    /// after them all).
    pub fn urgency(level: Level) -> usize {
        Self::LEVELS.iter().position(|l| *l == level).unwrap_or(Self::LEVELS.len())
    }

    /// The levels a page of alerts reads after `after`, most urgent first, each with the time
    /// and id it continues below: the page's own level where `after` stopped, every later
    /// level from its newest.
    ///
    /// # Errors
    /// `NotFound` when `after` is at a level no alert has.
    pub fn starts(after: Option<&AlertPosition>) -> crate::StoreResult<Vec<(Level, Timestamp, AlertId)>> {
        let first = match after {
            Some(p) => {
                Self::LEVELS.iter().position(|l| *l == p.level).ok_or(crate::StoreError::NotFound("alert position"))?
            }
            None => 0,
        };
        Ok(Self::LEVELS
            .iter()
            .enumerate()
            .skip(first)
            .map(|(i, level)| match after {
                Some(p) if i == first => (*level, p.created_at, p.id),
                _ => (*level, Timestamp(i64::MAX), AlertId(i64::MAX)),
            })
            .collect())
    }
}

/// Where a page of clients ended: the last client's name and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPosition {
    /// The client's name.
    pub name: String,
    /// The client's id.
    pub id: ClientId,
}

impl ClientPosition {
    /// The position of a client.
    pub fn of(client: &Client) -> ClientPosition {
        ClientPosition { name: client.name.clone(), id: client.id }
    }
}

/// Where a page of a client's sessions ended: the last session's end and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPosition {
    /// When the session ended.
    pub ended_at: Timestamp,
    /// The session's id.
    pub id: SessionId,
}

impl SessionPosition {
    /// The position of a session.
    pub fn of(session: &Session) -> SessionPosition {
        SessionPosition { ended_at: session.ended_at, id: session.id }
    }
}

/// A session's check-ins in brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckInStats {
    /// How many there are.
    pub count: u64,
    /// The lowest soreness reported, if any.
    pub lowest_soreness: Option<u8>,
}

/// What a client link leads to (see `Store::link_context`).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRecords {
    /// The follow-up whose link it is.
    pub follow_up: FollowUp,
    /// Its clinic.
    pub clinic: Clinic,
    /// Its session.
    pub session: Session,
    /// The session's client.
    pub client: Client,
    /// The client's latest intake, if they have one.
    pub latest_intake: Option<Intake>,
    /// The session's check-ins so far.
    pub earlier: CheckInStats,
    /// The hours after the session of its follow-ups (this one among them), in order.
    pub scheduled_hours: Vec<i64>,
}

/// An alert for staff.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Id.
    pub id: AlertId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The check-in that raised it.
    pub check_in_id: CheckInId,
    /// The client.
    pub client_id: ClientId,
    /// Level code.
    pub level: Level,
    /// Status.
    pub status: AlertStatus,
    /// When raised.
    pub created_at: Timestamp,
    /// Who acknowledged it.
    pub acknowledged_by: Option<StaffId>,
    /// When.
    pub acknowledged_at: Option<Timestamp>,
    /// Their note.
    pub note: Option<String>,
}

/// An acknowledgement of an alert.
#[derive(Debug, Clone)]
pub struct Acknowledgement {
    /// Who.
    pub staff_id: StaffId,
    /// A note.
    pub note: Option<String>,
    /// When.
    pub now: Timestamp,
}

/// A product to add.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// Name.
    pub name: String,
    /// The plan item id it belongs to.
    pub item: String,
    /// Where to buy or read about it.
    pub url: Option<String>,
    /// When.
    pub now: Timestamp,
}

/// A clinic's product, linked to a plan item.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Id.
    pub id: ProductId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Name.
    pub name: String,
    /// The plan item id.
    pub item: String,
    /// Address.
    pub url: Option<String>,
}

/// A client's feedback to store.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// The check-in it is about.
    pub check_in_id: CheckInId,
    /// 1 to 5.
    pub rating: Option<u8>,
    /// A comment.
    pub comment: Option<String>,
    /// When.
    pub now: Timestamp,
}

/// A client's feedback on a check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// Id.
    pub id: FeedbackId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The check-in.
    pub check_in_id: CheckInId,
    /// 1 to 5.
    pub rating: Option<u8>,
    /// A comment.
    pub comment: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// An intake link to store.
#[derive(Debug, Clone)]
pub struct NewIntakeLink {
    /// The client, or none for the clinic's public link.
    pub client_id: Option<ClientId>,
    /// SHA-256 of the link's token.
    pub link_hash: Redacted<Vec<u8>>,
    /// When.
    pub now: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A usable intake link.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeLink {
    /// Id.
    pub id: IntakeLinkId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The client, or none for the public link.
    pub client_id: Option<ClientId>,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// The client's aftercare plan, sent when the session is recorded.
    Plan,
    /// A check-in invitation.
    CheckIn,
    /// The one reminder of an unanswered check-in.
    Reminder,
    /// A `doctor` or `emergency` alert, to staff at once.
    Alert,
    /// A therapist's daily digest of `therapist` alerts.
    Digest,
    /// A new member's link to choose their password.
    Invitation,
    /// A member's link to choose a new password, as they asked.
    PasswordReset,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 7] = [
        MessageKind::Plan,
        MessageKind::CheckIn,
        MessageKind::Reminder,
        MessageKind::Alert,
        MessageKind::Digest,
        MessageKind::Invitation,
        MessageKind::PasswordReset,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::Plan => "plan",
            MessageKind::CheckIn => "check_in",
            MessageKind::Reminder => "reminder",
            MessageKind::Alert => "alert",
            MessageKind::Digest => "digest",
            MessageKind::Invitation => "invitation",
            MessageKind::PasswordReset => "password_reset",
        }
    }

    /// Parses a kind code.
    pub fn from_code(code: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether it goes to the client (and so waits for the local-time window and respects
    /// the client's opt-out).
    pub fn to_client(self) -> bool {
        matches!(self, MessageKind::Plan | MessageKind::CheckIn | MessageKind::Reminder)
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting to be sent (or to be tried again).
    Pending,
    /// Handed to the transport.
    Sent,
    /// Given up after the last attempt; the reason is kept.
    Failed,
    /// Not sent, on purpose: the client opted out, has no address, already answered, or the
    /// link expired.
    Skipped,
}

impl MessageStatus {
    /// Every status.
    pub const ALL: [MessageStatus; 4] =
        [MessageStatus::Pending, MessageStatus::Sent, MessageStatus::Failed, MessageStatus::Skipped];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
            MessageStatus::Skipped => "skipped",
        }
    }

    /// Parses a status code.
    pub fn from_code(code: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Who a message goes to; the address is looked up when it is sent, so a corrected
/// address is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// The session's client.
    Client,
    /// A staff member.
    Staff(StaffId),
    /// The clinic's alert address.
    Clinic,
}

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// What it is for.
    pub kind: MessageKind,
    /// Who it goes to.
    pub recipient: Recipient,
    /// The client link it carries, kept only until it is sent.
    pub link_token: Option<Redacted<String>>,
    /// Unique; a resend carries it (as the e-mail's Message-ID, the SMS idempotency key).
    /// A message whose key is already in the outbox is not added again.
    pub idempotency_key: String,
    /// When it is meant for.
    pub due_at: Timestamp,
    /// When to try first (the due time moved into the local-time window).
    pub send_at: Timestamp,
    /// When written.
    pub now: Timestamp,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Id.
    pub id: MessageId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// What it is for.
    pub kind: MessageKind,
    /// Who it goes to.
    pub recipient: Recipient,
    /// The follow-up whose link it carries.
    pub follow_up_id: Option<FollowUpId>,
    /// The alert it tells of.
    pub alert_id: Option<AlertId>,
    /// The client link, until sent.
    pub link_token: Option<Redacted<String>>,
    /// Its idempotency key.
    pub idempotency_key: String,
    /// When it is meant for.
    pub due_at: Timestamp,
    /// When it is (next) tried.
    pub next_attempt: Timestamp,
    /// Where it stands.
    pub status: MessageStatus,
    /// Attempts made.
    pub attempts: u32,
    /// `email` or `sms`, once tried.
    pub channel: Option<String>,
    /// Why the last attempt failed, or why it was skipped.
    pub last_error: Option<String>,
    /// When sent.
    pub sent_at: Option<Timestamp>,
    /// When written.
    pub created_at: Timestamp,
}

/// What an attempt's outcome writes on its message.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeFields {
    /// The message's status after it (pending again for a retry or a postponement).
    pub status: MessageStatus,
    /// The channel used, when one was chosen.
    pub channel: Option<String>,
    /// Why it failed, or why it was skipped.
    pub error: Option<String>,
    /// The next attempt, when there is one.
    pub next_attempt: Option<Timestamp>,
    /// How many attempts it counts (a postponement or a skip counts none).
    pub attempts: i64,
}

/// How an attempt to send a message ended.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageOutcome {
    /// Handed to the transport, by `channel`.
    Sent {
        /// `email` or `sms`.
        channel: String,
    },
    /// Failed; try again at `next_attempt`.
    Retry {
        /// `email` or `sms`, when one was chosen.
        channel: Option<String>,
        /// Why.
        error: String,
        /// When.
        next_attempt: Timestamp,
    },
    /// Failed for the last time.
    Failed {
        /// `email` or `sms`, when one was chosen.
        channel: Option<String>,
        /// Why.
        error: String,
    },
    /// Not tried yet: it waits for something else (a reminder for its invitation); the
    /// attempts are not counted.
    Postponed {
        /// When to look again.
        next_attempt: Timestamp,
    },
    /// Not sent, on purpose.
    Skipped {
        /// Why.
        reason: String,
    },
}

impl MessageOutcome {
    /// What the outcome writes on its message.
    pub fn fields(self) -> OutcomeFields {
        let (status, channel, error, next_attempt, attempts) = match self {
            MessageOutcome::Sent { channel } => (MessageStatus::Sent, Some(channel), None, None, 1),
            MessageOutcome::Retry { channel, error, next_attempt } => {
                (MessageStatus::Pending, channel, Some(error), Some(next_attempt), 1)
            }
            MessageOutcome::Failed { channel, error } => (MessageStatus::Failed, channel, Some(error), None, 1),
            MessageOutcome::Postponed { next_attempt } => (MessageStatus::Pending, None, None, Some(next_attempt), 0),
            MessageOutcome::Skipped { reason } => (MessageStatus::Skipped, None, Some(reason), None, 0),
        };
        OutcomeFields { status, channel, error, next_attempt, attempts }
    }
}

/// A check-in with what the outcomes are read by: its session's therapist, type, pressure
/// and areas, and how long after the session it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeCheckIn {
    /// The session.
    pub session_id: SessionId,
    /// Who recorded the session.
    pub staff_id: StaffId,
    /// Massage type code.
    pub massage_type: String,
    /// Pressure code.
    pub pressure: String,
    /// Areas worked.
    pub areas: Vec<String>,
    /// When the session ended.
    pub ended_at: Timestamp,
    /// The follow-up it answered, hours after the session (24, 48, …).
    pub offset_hours: i64,
    /// Soreness, when it could be read.
    pub soreness: Option<u8>,
    /// Its level.
    pub level: Level,
    /// Whether it was triaged (an answer that could not be read was not).
    pub triaged: bool,
    /// When it was sent.
    pub submitted_at: Timestamp,
}

/// An alert with what the outcomes are read by: its session's therapist, and when it was
/// raised and acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeAlert {
    /// Its level.
    pub level: Level,
    /// Who recorded the session it is about.
    pub staff_id: StaffId,
    /// That session's massage type code.
    pub massage_type: String,
    /// When raised.
    pub created_at: Timestamp,
    /// When acknowledged, if it was.
    pub acknowledged_at: Option<Timestamp>,
}

/// What a staff member did to a client's record, or to the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// Read a client's record (their page, or the API's record).
    ViewClient,
    /// Added a client.
    CreateClient,
    /// Took an intake.
    TakeIntake,
    /// Made an intake link for a client.
    IntakeLink,
    /// Recorded a session.
    RecordSession,
    /// Acknowledged an alert.
    AcknowledgeAlert,
    /// Stopped or resumed a client's messages.
    ClientMessages,
    /// Changed the clinic's settings.
    ChangeSettings,
    /// Exported records.
    Export,
    /// Changed their own password (with the current one, or through an e-mailed link).
    ChangePassword,
    /// Had a link to choose a password e-mailed: an invitation, a member required to choose
    /// their own, or a reset the member asked for.
    PasswordLink,
    /// Turned their second factor on or off, or made new recovery codes.
    TwoFactor,
    /// Erased a client's data.
    EraseClient,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 13] = [
        AuditAction::ViewClient,
        AuditAction::CreateClient,
        AuditAction::TakeIntake,
        AuditAction::IntakeLink,
        AuditAction::RecordSession,
        AuditAction::AcknowledgeAlert,
        AuditAction::ClientMessages,
        AuditAction::ChangeSettings,
        AuditAction::Export,
        AuditAction::ChangePassword,
        AuditAction::PasswordLink,
        AuditAction::TwoFactor,
        AuditAction::EraseClient,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::ViewClient => "view_client",
            AuditAction::CreateClient => "create_client",
            AuditAction::TakeIntake => "take_intake",
            AuditAction::IntakeLink => "intake_link",
            AuditAction::RecordSession => "record_session",
            AuditAction::AcknowledgeAlert => "acknowledge_alert",
            AuditAction::ClientMessages => "client_messages",
            AuditAction::ChangeSettings => "change_settings",
            AuditAction::Export => "export",
            AuditAction::ChangePassword => "change_password",
            AuditAction::PasswordLink => "password_link",
            AuditAction::TwoFactor => "two_factor",
            AuditAction::EraseClient => "erase_client",
        }
    }

    /// Parses an action code.
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// An entry to add to the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it.
    pub staff_id: StaffId,
    /// The client whose record it touched, if one.
    pub client_id: Option<ClientId>,
    /// What.
    pub action: AuditAction,
    /// What more there is to say, in a few words (never health details).
    pub detail: String,
    /// From where: the network address of the request.
    pub address: String,
    /// When.
    pub now: Timestamp,
}

/// An entry of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Id, rising with time.
    pub id: AuditId,
    /// Who did it.
    pub staff_id: Option<StaffId>,
    /// The client whose record it touched, if one.
    pub client_id: Option<ClientId>,
    /// What.
    pub action: AuditAction,
    /// More, in a few words.
    pub detail: String,
    /// From where.
    pub address: String,
    /// When.
    pub at: Timestamp,
}

/// What a client's erasure leaves for the caller to scrub outside the database: the keys of
/// the messages it deleted (their files in an outbox folder are named by them) and the
/// client's former name, e-mail and phone (to find any other file that names them).
#[derive(Debug, Clone, PartialEq)]
pub struct Erased {
    /// The deleted messages' idempotency keys.
    pub message_keys: Vec<String>,
    /// The client's name, e-mail address and phone number as they were.
    pub identifiers: Vec<String>,
}

/// The name an erased client's record carries.
pub const ERASED_NAME: &str = "Erased client";

#[cfg(test)]
mod tests {
    use super::*;

    /// Records derive `Debug`, and what they print never holds a secret or its hash.
    #[test]
    fn debugging_a_record_never_shows_a_secret() {
        let staff = Staff {
            id: StaffId(1),
            clinic_id: ClinicId(1),
            email: "ada@example.com".to_owned(),
            name: "Ada".to_owned(),
            role: Role::Owner,
            active: true,
            password_hash: Some(Redacted::new("$argon2id$v=19$secret-hash".to_owned())),
            password_chosen: true,
            totp_secret: Some(Redacted::new("TOTPSHAREDSECRET".to_owned())),
        };
        let session = NewStaffSession {
            clinic_id: ClinicId(1),
            staff_id: StaffId(1),
            token_hash: Redacted::new(b"token-hash".to_vec()),
            csrf_token: Redacted::new("csrf-secret".to_owned()),
            now: Timestamp(0),
            expires_at: Timestamp(1),
            second_factor_pending: false,
        };
        let shown = format!("{staff:?} {session:?}");
        assert!(shown.contains("ada@example.com"), "the rest is shown: {shown}");
        for secret in ["argon2id", "secret-hash", "csrf-secret", "116, 111, 107", "TOTPSHAREDSECRET"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
    }
}
