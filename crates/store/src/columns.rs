//! What both backends read a row into: each record's column list, written once, and its
//! reader.
//!
//! A record's columns are a macro that gives the column list (`clinic_columns!()`, or
//! `clinic_columns!("c.")` under a table alias), and its reader takes the columns in that
//! order from a [`Row`]. A query that joins several tables lists each table's columns one
//! after the other and reads each record in turn from the same row.
//!
//! Each backend implements [`Row`] for its own rows (the few primitive reads, each taking the
//! next column); the readers here are the same for both. A reader takes `&mut dyn Row`, so
//! that a backend can pass it by name wherever it expects a reader, whatever the lifetimes
//! of its own rows.

use crate::{
    Alert, AlertStatus, AuditAction, AuditEntry, CheckIn, CheckInStats, Client, Clinic, Feedback, FollowUp, Intake,
    IntakeLink, Level, Message, MessageKind, MessageStatus, OutcomeAlert, OutcomeCheckIn, PasswordLink,
    PasswordPurpose, Product, Recipient, Redacted, Role, Session, Staff, StaffId, StaffSession, StoreError,
    StoreResult, Timestamp,
};

/// `p` before each of the columns, joined by commas, as one string literal.
#[macro_export]
macro_rules! columns {
    ($p:literal; $first:ident $(, $rest:ident)* $(,)?) => {
        concat!($p, stringify!($first) $(, ", ", $p, stringify!($rest))*)
    };
}

/// A clinic's columns, in the order [`read_clinic`](crate::columns::read_clinic) reads them.
#[macro_export]
macro_rules! clinic_columns {
    ($p:literal) => {
        $crate::columns!($p; id, name, country, timezone, check_in_hours, plan_message, check_in_message,
            alert_to, require_two_factor, phone, email, created_at)
    };
    () => {
        $crate::clinic_columns!("")
    };
}

/// A staff member's columns, in the order [`read_staff`](crate::columns::read_staff) reads
/// them.
#[macro_export]
macro_rules! staff_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, email, name, role, active, password_hash, password_chosen,
            totp_secret)
    };
    () => {
        $crate::staff_columns!("")
    };
}

/// A sign-in session's own columns, in the order [`read_signed_in`](crate::columns::read_signed_in)
/// reads them after the member's.
#[macro_export]
macro_rules! staff_session_columns {
    ($p:literal) => {
        $crate::columns!($p; csrf_token, expires_at, second_factor_pending)
    };
    () => {
        $crate::staff_session_columns!("")
    };
}

/// A password link's own columns, in the order
/// [`read_link_and_member`](crate::columns::read_link_and_member) reads them before the
/// member's.
#[macro_export]
macro_rules! password_link_columns {
    ($p:literal) => {
        $crate::columns!($p; id, purpose, expires_at)
    };
    () => {
        $crate::password_link_columns!("")
    };
}

/// A client's columns, in the order [`read_client`](crate::columns::read_client) reads them.
#[macro_export]
macro_rules! client_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, name, email, phone, timezone, age_months, language, opted_out_at,
            created_at)
    };
    () => {
        $crate::client_columns!("")
    };
}

/// An intake's columns, in the order [`read_intake`](crate::columns::read_intake) reads them.
#[macro_export]
macro_rules! intake_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, client_id, body, created_at)
    };
    () => {
        $crate::intake_columns!("")
    };
}

/// A usable intake link's columns, in the order
/// [`read_intake_link`](crate::columns::read_intake_link) reads them.
#[macro_export]
macro_rules! intake_link_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, client_id, expires_at)
    };
    () => {
        $crate::intake_link_columns!("")
    };
}

/// A session's columns, in the order [`read_session`](crate::columns::read_session) reads
/// them.
#[macro_export]
macro_rules! session_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, client_id, staff_id, massage_type, pressure, areas, techniques,
            first_massage, notes, baby_birth_date, ended_at, created_at)
    };
    () => {
        $crate::session_columns!("")
    };
}

/// A follow-up's columns, in the order [`read_follow_up`](crate::columns::read_follow_up)
/// reads them.
#[macro_export]
macro_rules! follow_up_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, session_id, kind, offset_hours, due_at, expires_at)
    };
    () => {
        $crate::follow_up_columns!("")
    };
}

/// A check-in's columns, in the order [`read_check_in`](crate::columns::read_check_in) reads
/// them.
#[macro_export]
macro_rules! check_in_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, session_id, follow_up_id, report, soreness, hours_since, level,
            fired, submitted_at, triaged, problems)
    };
    () => {
        $crate::check_in_columns!("")
    };
}

/// An alert's columns, in the order [`read_alert`](crate::columns::read_alert) reads them.
#[macro_export]
macro_rules! alert_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, check_in_id, client_id, level, status, created_at, acknowledged_by,
            acknowledged_at, note)
    };
    () => {
        $crate::alert_columns!("")
    };
}

/// A message's columns, in the order [`read_message`](crate::columns::read_message) reads
/// them.
#[macro_export]
macro_rules! message_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token,
            idempotency_key, due_at, next_attempt, status, attempts, channel, last_error, sent_at, created_at)
    };
    () => {
        $crate::message_columns!("")
    };
}

/// A product's columns, in the order [`read_product`](crate::columns::read_product) reads
/// them.
#[macro_export]
macro_rules! product_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, name, item, url)
    };
    () => {
        $crate::product_columns!("")
    };
}

/// A piece of feedback's columns, in the order [`read_feedback`](crate::columns::read_feedback)
/// reads them.
#[macro_export]
macro_rules! feedback_columns {
    ($p:literal) => {
        $crate::columns!($p; id, clinic_id, check_in_id, rating, comment, created_at)
    };
    () => {
        $crate::feedback_columns!("")
    };
}

/// An audit entry's columns, in the order [`read_audit_entry`](crate::columns::read_audit_entry)
/// reads them.
#[macro_export]
macro_rules! audit_entry_columns {
    ($p:literal) => {
        $crate::columns!($p; id, staff_id, client_id, action, detail, address, at)
    };
    () => {
        $crate::audit_entry_columns!("")
    };
}

/// An outcome check-in's columns (its session `s`, follow-up `f` and check-in `c`), in the
/// order [`read_outcome_check_in`](crate::columns::read_outcome_check_in) reads them.
#[macro_export]
macro_rules! outcome_check_in_columns {
    () => {
        "s.id AS session_id, s.staff_id, s.massage_type, s.pressure, s.areas, s.ended_at, \
         f.offset_hours, c.soreness, c.level, c.triaged, c.submitted_at"
    };
}

/// An outcome alert's columns (the alert `a`, its check-in's session `s`), in the order
/// [`read_outcome_alert`](crate::columns::read_outcome_alert) reads them.
#[macro_export]
macro_rules! outcome_alert_columns {
    () => {
        "a.level, s.staff_id, s.massage_type, a.created_at, a.acknowledged_at"
    };
}

/// An answer tally's columns, in the order [`read_answer_tally`](crate::columns::read_answer_tally)
/// reads them.
#[macro_export]
macro_rules! answer_tally_columns {
    () => {
        "day, massage_type, staff_id, offset_hours, pressure, level, answers, sore, soreness_sum, very_sore"
    };
}

/// An area tally's columns, in the order [`read_area_tally`](crate::columns::read_area_tally)
/// reads them.
#[macro_export]
macro_rules! area_tally_columns {
    () => {
        "day, massage_type, staff_id, offset_hours, area, sore, soreness_sum, very_sore"
    };
}

/// An asked tally's columns, in the order [`read_asked_tally`](crate::columns::read_asked_tally)
/// reads them.
#[macro_export]
macro_rules! asked_tally_columns {
    () => {
        "day, massage_type, staff_id, asked, answered"
    };
}

/// An alert tally's columns, in the order [`read_alert_tally`](crate::columns::read_alert_tally)
/// reads them.
#[macro_export]
macro_rules! alert_tally_columns {
    () => {
        "day, massage_type, staff_id, ack_step, alerts"
    };
}

/// A row's columns, read in order: every read takes the next column. A backend implements
/// the primitive reads for its rows, turning its own errors into the store's; the others are
/// built on them.
pub trait Row {
    /// The next column, an integer.
    fn int(&mut self) -> StoreResult<i64>;

    /// The next column, an integer or nothing.
    fn opt_int(&mut self) -> StoreResult<Option<i64>>;

    /// The next column, a real number.
    fn real(&mut self) -> StoreResult<f64>;

    /// The next column, text.
    fn text(&mut self) -> StoreResult<String>;

    /// The next column, text or nothing.
    fn opt_text(&mut self) -> StoreResult<Option<String>>;

    /// The next column, yes or no (SQLite keeps it as an integer, PostgreSQL as a BOOLEAN).
    fn flag(&mut self) -> StoreResult<bool>;

    /// The next column, an instant.
    fn at(&mut self) -> StoreResult<Timestamp> {
        self.int().map(Timestamp)
    }

    /// The next column, an instant or nothing.
    fn opt_at(&mut self) -> StoreResult<Option<Timestamp>> {
        Ok(self.opt_int()?.map(Timestamp))
    }

    /// The next column, a count (never below zero).
    fn count(&mut self) -> StoreResult<u64> {
        Ok(self.int()?.max(0) as u64)
    }

    /// The next column, a JSON list of strings.
    fn list(&mut self) -> StoreResult<Vec<String>> {
        list(&self.text()?)
    }

    /// The next column, a triage level's code.
    fn level(&mut self) -> StoreResult<Level> {
        let code = self.text()?;
        Level::from_code(&code).ok_or_else(|| corrupt(format!("level `{code}`")))
    }
}

// Generic, so not in the trait: a reader takes a `dyn Row`.
impl dyn Row + '_ {
    /// The next column, an id.
    pub fn id<T: From<i64>>(&mut self) -> StoreResult<T> {
        self.int().map(T::from)
    }

    /// The next column, an id or nothing.
    pub fn opt_id<T: From<i64>>(&mut self) -> StoreResult<Option<T>> {
        Ok(self.opt_int()?.map(T::from))
    }
}

/// A stored value that cannot be read back.
fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// A JSON list of strings, as stored.
fn list(json: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("a stored list: {e}")))
}

/// A clinic, from its columns ([`clinic_columns!`](crate::clinic_columns)).
pub fn read_clinic(r: &mut dyn Row) -> StoreResult<Clinic> {
    Ok(Clinic {
        id: r.id()?,
        name: r.text()?,
        country: r.text()?,
        timezone: r.text()?,
        check_in_hours: serde_json::from_str(&r.text()?).map_err(|e| corrupt(format!("a check-in schedule: {e}")))?,
        plan_message: r.opt_text()?,
        check_in_message: r.opt_text()?,
        alert_to: r.opt_text()?,
        require_two_factor: r.flag()?,
        phone: r.opt_text()?,
        email: r.opt_text()?,
        created_at: r.at()?,
    })
}

/// A staff member, from their columns ([`staff_columns!`](crate::staff_columns)).
pub fn read_staff(r: &mut dyn Row) -> StoreResult<Staff> {
    Ok(Staff {
        id: r.id()?,
        clinic_id: r.id()?,
        email: r.text()?,
        name: r.text()?,
        role: {
            let code = r.text()?;
            Role::from_code(&code).ok_or_else(|| corrupt(format!("role `{code}`")))?
        },
        active: r.flag()?,
        password_hash: r.opt_text()?.map(Redacted::new),
        password_chosen: r.flag()?,
        totp_secret: r.opt_text()?.map(Redacted::new),
    })
}

/// A member and their sign-in session: the member's columns, the session's
/// ([`staff_session_columns!`](crate::staff_session_columns)), then whether their clinic
/// requires a second factor.
pub fn read_signed_in(r: &mut dyn Row) -> StoreResult<(Staff, StaffSession)> {
    let who = read_staff(r)?;
    let session = StaffSession {
        staff_id: who.id,
        csrf_token: Redacted::new(r.text()?),
        expires_at: r.at()?,
        second_factor_pending: r.flag()?,
        clinic_requires_two_factor: r.flag()?,
    };
    Ok((who, session))
}

/// A password link and its member: the link's columns
/// ([`password_link_columns!`](crate::password_link_columns)), then the member's.
pub fn read_link_and_member(r: &mut dyn Row) -> StoreResult<(PasswordLink, Staff)> {
    let id = r.id()?;
    let purpose = r.text()?;
    let purpose = match purpose.as_str() {
        "invitation" => PasswordPurpose::Invitation,
        "password_reset" => PasswordPurpose::PasswordReset,
        other => return Err(corrupt(format!("a password link's purpose `{other}`"))),
    };
    let expires_at = r.at()?;
    let member = read_staff(r)?;
    let link = PasswordLink { id, clinic_id: member.clinic_id, staff_id: member.id, purpose, expires_at };
    Ok((link, member))
}

/// A client, from their columns ([`client_columns!`](crate::client_columns)).
pub fn read_client(r: &mut dyn Row) -> StoreResult<Client> {
    Ok(Client {
        id: r.id()?,
        clinic_id: r.id()?,
        name: r.text()?,
        email: r.opt_text()?,
        phone: r.opt_text()?,
        timezone: r.opt_text()?,
        age_months: r.opt_int()?.map(|a| a as u32),
        language: r.opt_text()?,
        opted_out_at: r.opt_at()?,
        created_at: r.at()?,
    })
}

/// A client's name, e-mail and phone, as they are (the columns `name, email, phone`).
pub fn read_identifiers(r: &mut dyn Row) -> StoreResult<Vec<String>> {
    let mut out: Vec<String> = vec![r.text()?];
    out.extend(r.opt_text()?);
    out.extend(r.opt_text()?);
    Ok(out)
}

/// An intake, from its columns ([`intake_columns!`](crate::intake_columns)).
pub fn read_intake(r: &mut dyn Row) -> StoreResult<Intake> {
    Ok(Intake { id: r.id()?, clinic_id: r.id()?, client_id: r.id()?, body: r.text()?, created_at: r.at()? })
}

/// An intake that may be missing (an outer join's), from its columns
/// ([`intake_columns!`](crate::intake_columns)): `None` when they are null.
pub fn read_opt_intake(r: &mut dyn Row) -> StoreResult<Option<Intake>> {
    let (id, clinic_id, client_id) = (r.opt_id()?, r.opt_id()?, r.opt_id()?);
    let (body, created_at) = (r.opt_text()?, r.opt_at()?);
    Ok(match (id, clinic_id, client_id, body, created_at) {
        (Some(id), Some(clinic_id), Some(client_id), Some(body), Some(created_at)) => {
            Some(Intake { id, clinic_id, client_id, body, created_at })
        }
        _ => None,
    })
}

/// An intake link, from its columns ([`intake_link_columns!`](crate::intake_link_columns)).
pub fn read_intake_link(r: &mut dyn Row) -> StoreResult<IntakeLink> {
    Ok(IntakeLink { id: r.id()?, clinic_id: r.id()?, client_id: r.opt_id()?, expires_at: r.at()? })
}

/// A session, from its columns ([`session_columns!`](crate::session_columns)).
pub fn read_session(r: &mut dyn Row) -> StoreResult<Session> {
    Ok(Session {
        id: r.id()?,
        clinic_id: r.id()?,
        client_id: r.id()?,
        staff_id: r.id()?,
        massage_type: r.text()?,
        pressure: r.text()?,
        areas: r.list()?,
        techniques: r.list()?,
        first_massage: r.flag()?,
        notes: r.opt_text()?,
        baby_birth_date: r.opt_text()?,
        ended_at: r.at()?,
        created_at: r.at()?,
    })
}

/// A follow-up, from its columns ([`follow_up_columns!`](crate::follow_up_columns)).
pub fn read_follow_up(r: &mut dyn Row) -> StoreResult<FollowUp> {
    Ok(FollowUp {
        id: r.id()?,
        clinic_id: r.id()?,
        session_id: r.id()?,
        kind: r.text()?,
        offset_hours: r.int()?,
        due_at: r.at()?,
        expires_at: r.at()?,
    })
}

/// A follow-up's columns, then whether it is answered.
pub fn read_follow_up_answered(r: &mut dyn Row) -> StoreResult<(FollowUp, bool)> {
    let follow_up = read_follow_up(r)?;
    let answered = r.flag()?;
    Ok((follow_up, answered))
}

/// A check-in, from its columns ([`check_in_columns!`](crate::check_in_columns)).
pub fn read_check_in(r: &mut dyn Row) -> StoreResult<CheckIn> {
    Ok(CheckIn {
        id: r.id()?,
        clinic_id: r.id()?,
        session_id: r.id()?,
        follow_up_id: r.id()?,
        report: r.text()?,
        soreness: r.opt_int()?.map(|s| s as u8),
        hours_since: r.real()?,
        level: r.level()?,
        fired: r.list()?,
        submitted_at: r.at()?,
        triaged: r.flag()?,
        problems: match r.opt_text()? {
            Some(p) => list(&p)?,
            None => Vec::new(),
        },
    })
}

/// A session's check-ins in brief: a count, then the lowest soreness.
pub fn read_check_in_stats(r: &mut dyn Row) -> StoreResult<CheckInStats> {
    Ok(CheckInStats { count: r.count()?, lowest_soreness: r.opt_int()?.map(|s| s as u8) })
}

/// An alert, from its columns ([`alert_columns!`](crate::alert_columns)).
pub fn read_alert(r: &mut dyn Row) -> StoreResult<Alert> {
    Ok(Alert {
        id: r.id()?,
        clinic_id: r.id()?,
        check_in_id: r.id()?,
        client_id: r.id()?,
        level: r.level()?,
        status: {
            let status = r.text()?;
            AlertStatus::from_code(&status).ok_or_else(|| corrupt(format!("alert status `{status}`")))?
        },
        created_at: r.at()?,
        acknowledged_by: r.opt_id()?,
        acknowledged_at: r.opt_at()?,
        note: r.opt_text()?,
    })
}

/// A message, from its columns ([`message_columns!`](crate::message_columns)).
pub fn read_message(r: &mut dyn Row) -> StoreResult<Message> {
    let id = r.id()?;
    let clinic_id = r.id()?;
    let kind = r.text()?;
    let recipient = r.text()?;
    let staff_id: Option<StaffId> = r.opt_id()?;
    let recipient = match (recipient.as_str(), staff_id) {
        ("client", _) => Recipient::Client,
        ("clinic", _) => Recipient::Clinic,
        ("staff", Some(id)) => Recipient::Staff(id),
        _ => return Err(corrupt(format!("a message's recipient `{recipient}`"))),
    };
    Ok(Message {
        id,
        clinic_id,
        kind: MessageKind::from_code(&kind).ok_or_else(|| corrupt(format!("message kind `{kind}`")))?,
        recipient,
        follow_up_id: r.opt_id()?,
        alert_id: r.opt_id()?,
        link_token: r.opt_text()?.map(Redacted::new),
        idempotency_key: r.text()?,
        due_at: r.at()?,
        next_attempt: r.at()?,
        status: {
            let status = r.text()?;
            MessageStatus::from_code(&status).ok_or_else(|| corrupt(format!("message status `{status}`")))?
        },
        attempts: r.int()? as u32,
        channel: r.opt_text()?,
        last_error: r.opt_text()?,
        sent_at: r.opt_at()?,
        created_at: r.at()?,
    })
}

/// A recipient as the messages table keeps it, the other way round from [`read_message`]:
/// who (the `recipient` column), and the staff member's id (`staff_id`).
pub fn recipient_columns(r: Recipient) -> (&'static str, Option<i64>) {
    match r {
        Recipient::Client => ("client", None),
        Recipient::Staff(id) => ("staff", Some(id.get())),
        Recipient::Clinic => ("clinic", None),
    }
}

/// A product, from its columns ([`product_columns!`](crate::product_columns)).
pub fn read_product(r: &mut dyn Row) -> StoreResult<Product> {
    Ok(Product { id: r.id()?, clinic_id: r.id()?, name: r.text()?, item: r.text()?, url: r.opt_text()? })
}

/// A piece of feedback, from its columns ([`feedback_columns!`](crate::feedback_columns)).
pub fn read_feedback(r: &mut dyn Row) -> StoreResult<Feedback> {
    Ok(Feedback {
        id: r.id()?,
        clinic_id: r.id()?,
        check_in_id: r.id()?,
        rating: r.opt_int()?.map(|x| x as u8),
        comment: r.opt_text()?,
        created_at: r.at()?,
    })
}

/// An audit entry, from its columns ([`audit_entry_columns!`](crate::audit_entry_columns)).
pub fn read_audit_entry(r: &mut dyn Row) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: r.id()?,
        staff_id: r.opt_id()?,
        client_id: r.opt_id()?,
        action: {
            let code = r.text()?;
            AuditAction::from_code(&code).ok_or_else(|| corrupt(format!("audit action `{code}`")))?
        },
        detail: r.text()?,
        address: r.text()?,
        at: r.at()?,
    })
}

/// An outcome check-in, from its columns
/// ([`outcome_check_in_columns!`](crate::outcome_check_in_columns)).
pub fn read_outcome_check_in(r: &mut dyn Row) -> StoreResult<OutcomeCheckIn> {
    Ok(OutcomeCheckIn {
        session_id: r.id()?,
        staff_id: r.id()?,
        massage_type: r.text()?,
        pressure: r.text()?,
        areas: r.list()?,
        ended_at: r.at()?,
        offset_hours: r.int()?,
        soreness: r.opt_int()?.map(|s| s.clamp(0, 10) as u8),
        level: r.level()?,
        triaged: r.flag()?,
        submitted_at: r.at()?,
    })
}

/// An outcome alert, from its columns ([`outcome_alert_columns!`](crate::outcome_alert_columns)).
pub fn read_outcome_alert(r: &mut dyn Row) -> StoreResult<OutcomeAlert> {
    Ok(OutcomeAlert {
        level: r.level()?,
        staff_id: r.id()?,
        massage_type: r.text()?,
        created_at: r.at()?,
        acknowledged_at: r.opt_at()?,
    })
}

/// A tally's day.
fn day(r: &mut dyn Row) -> StoreResult<crate::tally::Day> {
    let n = r.int()?;
    i32::try_from(n).map(crate::tally::Day).map_err(|_| StoreError::Corrupt(format!("day {n} is out of range")))
}

/// A tally's soreness: its count, sum and very sore count.
fn soreness(r: &mut dyn Row) -> StoreResult<crate::tally::Soreness> {
    Ok(crate::tally::Soreness { count: r.count()?, sum: r.count()?, very_sore: r.count()? })
}

/// An answer tally, from its columns ([`answer_tally_columns!`](crate::answer_tally_columns)).
pub fn read_answer_tally(r: &mut dyn Row) -> StoreResult<crate::tally::AnswerTally> {
    Ok(crate::tally::AnswerTally {
        day: day(r)?,
        massage_type: r.text()?,
        staff_id: r.id()?,
        offset_hours: r.int()?,
        pressure: r.text()?,
        level: r.level()?,
        answers: r.count()?,
        soreness: soreness(r)?,
    })
}

/// An area tally, from its columns ([`area_tally_columns!`](crate::area_tally_columns)).
pub fn read_area_tally(r: &mut dyn Row) -> StoreResult<crate::tally::AreaTally> {
    Ok(crate::tally::AreaTally {
        day: day(r)?,
        massage_type: r.text()?,
        staff_id: r.id()?,
        offset_hours: r.int()?,
        area: r.text()?,
        soreness: soreness(r)?,
    })
}

/// An asked tally, from its columns ([`asked_tally_columns!`](crate::asked_tally_columns)).
pub fn read_asked_tally(r: &mut dyn Row) -> StoreResult<crate::tally::AskedTally> {
    Ok(crate::tally::AskedTally {
        day: day(r)?,
        massage_type: r.text()?,
        staff_id: r.id()?,
        asked: r.count()?,
        answered: r.count()?,
    })
}

/// An alert tally, from its columns ([`alert_tally_columns!`](crate::alert_tally_columns)).
pub fn read_alert_tally(r: &mut dyn Row) -> StoreResult<crate::tally::AlertTally> {
    Ok(crate::tally::AlertTally {
        day: day(r)?,
        massage_type: r.text()?,
        staff_id: r.id()?,
        ack_step: {
            let n = r.int()?;
            u8::try_from(n).map_err(|_| StoreError::Corrupt(format!("acknowledgement step {n} is out of range")))?
        },
        alerts: r.count()?,
    })
}

/// A follow-up as the tallies count it: when due, whether answered, its session's massage
/// type and therapist.
pub fn read_follow_up_asked(r: &mut dyn Row) -> StoreResult<(Timestamp, bool, String, StaffId)> {
    Ok((r.at()?, r.flag()?, r.text()?, r.id()?))
}

/// The first three columns: the least and the greatest of something, when there is any, and
/// how many there are.
pub fn read_span(r: &mut dyn Row) -> StoreResult<(Option<i64>, Option<i64>, u64)> {
    Ok((r.opt_int()?, r.opt_int()?, r.count()?))
}

/// A clinic and its time zone.
pub fn read_zone(r: &mut dyn Row) -> StoreResult<(crate::ClinicId, String)> {
    Ok((r.id()?, r.text()?))
}

/// The first column, an id (of a row just added, say).
pub fn read_id<T: From<i64>>(r: &mut dyn Row) -> StoreResult<T> {
    r.id()
}

/// The first two columns, two integers (a clinic's id and a member's, say).
pub fn read_two_ids(r: &mut dyn Row) -> StoreResult<(i64, i64)> {
    Ok((r.int()?, r.int()?))
}

/// The first column, text (a message's idempotency key, say).
pub fn read_text(r: &mut dyn Row) -> StoreResult<String> {
    r.text()
}

/// Nothing: for a statement whose only answer is whether a row came back.
pub fn read_nothing(_: &mut dyn Row) -> StoreResult<()> {
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A column's value, as a test row holds it.
    #[derive(Debug, Clone)]
    enum Value {
        Null,
        Int(i64),
        Real(f64),
        Text(&'static str),
    }

    /// A row of values, read from the front, as a backend's row is.
    #[derive(Debug)]
    struct Values(VecDeque<Value>);

    impl Values {
        fn of(values: &[Value]) -> Values {
            Values(values.iter().cloned().collect())
        }

        fn next(&mut self) -> StoreResult<Value> {
            self.0.pop_front().ok_or_else(|| StoreError::Corrupt("no more columns".to_owned()))
        }

        fn wrong(v: Value) -> StoreError {
            StoreError::Corrupt(format!("unexpected {v:?}"))
        }
    }

    impl Row for Values {
        fn int(&mut self) -> StoreResult<i64> {
            match self.next()? {
                Value::Int(i) => Ok(i),
                v => Err(Values::wrong(v)),
            }
        }

        fn opt_int(&mut self) -> StoreResult<Option<i64>> {
            match self.next()? {
                Value::Null => Ok(None),
                Value::Int(i) => Ok(Some(i)),
                v => Err(Values::wrong(v)),
            }
        }

        fn real(&mut self) -> StoreResult<f64> {
            match self.next()? {
                Value::Real(x) => Ok(x),
                v => Err(Values::wrong(v)),
            }
        }

        fn text(&mut self) -> StoreResult<String> {
            match self.next()? {
                Value::Text(t) => Ok(t.to_owned()),
                v => Err(Values::wrong(v)),
            }
        }

        fn opt_text(&mut self) -> StoreResult<Option<String>> {
            match self.next()? {
                Value::Null => Ok(None),
                Value::Text(t) => Ok(Some(t.to_owned())),
                v => Err(Values::wrong(v)),
            }
        }

        fn flag(&mut self) -> StoreResult<bool> {
            Ok(self.int()? != 0)
        }
    }

    fn corrupt_message<T: std::fmt::Debug>(read: StoreResult<T>) -> String {
        match read {
            Err(StoreError::Corrupt(what)) => what,
            other => panic!("expected a corrupt row, got {other:?}"),
        }
    }

    #[test]
    fn a_column_list_puts_the_prefix_before_every_column() {
        assert_eq!(crate::product_columns!(), "id, clinic_id, name, item, url");
        assert_eq!(crate::product_columns!("p."), "p.id, p.clinic_id, p.name, p.item, p.url");
        assert_eq!(
            concat!("SELECT ", crate::intake_link_columns!("l."), " FROM intake_links l"),
            "SELECT l.id, l.clinic_id, l.client_id, l.expires_at FROM intake_links l"
        );
    }

    #[test]
    fn a_reader_takes_the_columns_in_the_order_of_its_column_list() {
        use Value::{Int, Null, Real, Text};
        assert_eq!(crate::check_in_columns!().split(", ").count(), 12);
        let mut row = Values::of(&[
            Int(7),
            Int(1),
            Int(3),
            Int(4),
            Text("{}"),
            Int(5),
            Real(24.5),
            Text("therapist"),
            Text(r#"["r1"]"#),
            Int(1000),
            Int(0),
            Null,
        ]);
        let read = read_check_in(&mut row).unwrap();
        assert_eq!(read.id.get(), 7);
        assert_eq!(read.follow_up_id.get(), 4);
        assert_eq!(read.soreness, Some(5));
        assert!((read.hours_since - 24.5).abs() < f64::EPSILON);
        assert_eq!(read.level, Level::Therapist);
        assert_eq!(read.fired, vec!["r1".to_owned()]);
        assert_eq!(read.submitted_at, Timestamp(1000));
        assert!(!read.triaged);
        assert!(read.problems.is_empty(), "no problems stored reads as none");
        assert!(row.0.is_empty(), "every column was read");
    }

    #[test]
    fn a_count_below_zero_reads_as_zero() {
        let mut row = Values::of(&[Value::Int(-3), Value::Int(4)]);
        let row: &mut dyn Row = &mut row;
        assert_eq!((row.count().unwrap(), row.count().unwrap()), (0, 4));
    }

    #[test]
    fn an_unknown_code_is_a_corrupt_row_that_names_it() {
        let mut row = Values::of(&[Value::Text("urgent")]);
        assert_eq!(corrupt_message(row.level()), "level `urgent`");
        let mut row = Values::of(&[Value::Int(1), Value::Text("reset"), Value::Int(0)]);
        assert_eq!(corrupt_message(read_link_and_member(&mut row)), "a password link's purpose `reset`");
    }

    #[test]
    fn a_message_to_staff_without_a_member_is_a_corrupt_row() {
        let mut row =
            Values::of(&[Value::Int(1), Value::Int(1), Value::Text("alert"), Value::Text("staff"), Value::Null]);
        assert_eq!(corrupt_message(read_message(&mut row)), "a message's recipient `staff`");
    }

    #[test]
    fn a_list_that_is_not_json_is_a_corrupt_row() {
        let mut row = Values::of(&[Value::Text("not json")]);
        assert!(corrupt_message(row.list()).starts_with("a stored list: "));
    }

    #[test]
    fn a_recipient_is_written_as_the_columns_its_message_is_read_from() {
        assert_eq!(recipient_columns(Recipient::Client), ("client", None));
        assert_eq!(recipient_columns(Recipient::Staff(StaffId(9))), ("staff", Some(9)));
        assert_eq!(recipient_columns(Recipient::Clinic), ("clinic", None));
    }
}
