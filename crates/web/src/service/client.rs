//! A clinic's clients: adding one, and a client's record with their intake and a page of
//! sessions with every check-in, follow-up and message.

use crate::AppState;
use crate::error::Error;
use crate::time::to_rfc3339;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{ClientId, ClinicId, NewClient, SessionPosition, Store, Timestamp};

/// A client to add (`POST /api/v1/clients`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    /// The client's name, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// An e-mail address for their messages.
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^\s*((?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)?\s*$"
    )]
    pub email: Option<String>,
    /// A phone number for their messages, 6 to 15 digits.
    #[serde(default)]
    #[schema(pattern = r"^\s*([ +().-]*([0-9][ +().-]*){6,15})?\s*$")]
    pub phone: Option<String>,
    /// Their IANA time zone, when not the clinic's.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Their age in whole months.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub age_months: Option<serde_json::Number>,
    /// The language of their pages and messages: `en` or `es`. Left out, their pages follow
    /// their browser's language and messages are in English until they answer a page.
    #[serde(default)]
    #[schema(example = "es")]
    pub language: Option<String>,
}

fn validate(
    body: NewClientBody,
    languages: &care::knowledge::locale::Languages,
    now: Timestamp,
) -> Result<NewClient, Error> {
    let name = domain::PersonName::parse(&body.name).map_err(|p| Error::invalid("name", p.to_string()))?.into_string();
    let email = match body.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(domain::Email::parse(e).map_err(|p| Error::invalid("email", p.to_string()))?.into_string()),
        None => None,
    };
    let phone = match body.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(domain::Phone::parse(p).map_err(|p| Error::invalid("phone", p.to_string()))?.into_string()),
        None => None,
    };
    if let Some(tz) = &body.timezone {
        domain::TimeZoneName::parse(tz).map_err(|p| Error::invalid("timezone", p.to_string()))?;
    }
    let age_months = match &body.age_months {
        Some(n) => Some(
            care::input::whole_number("age_months", n, 0, care::checkin::AGE_MONTHS_MAX)
                .map_err(|e| Error::invalid(e.field, e.problem))? as u32,
        ),
        None => None,
    };
    let language = match body.language.as_deref() {
        Some(code) => Some(
            languages
                .all()
                .iter()
                .find(|l| l.code == code)
                .ok_or_else(|| {
                    Error::invalid(
                        "language",
                        format!(
                            "`{code}` is not a language Aftercare speaks; use one of {}",
                            languages.codes().join(", ")
                        ),
                    )
                })?
                .code
                .clone(),
        ),
        None => None,
    };
    Ok(NewClient { language, name, email, phone, timezone: body.timezone, age_months, now })
}

/// A client as the API answers it (fields in alphabetical order, as always answered).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientOut {
    /// Age in whole months, when recorded.
    pub age_months: Option<u32>,
    /// When added (RFC 3339).
    pub created_at: String,
    /// E-mail address.
    pub email: Option<String>,
    /// The client's id.
    pub id: i64,
    /// The language of their pages and messages (`en`, `es`), when known.
    pub language: Option<String>,
    /// Name.
    pub name: String,
    /// When the client stopped messages (RFC 3339), if they did.
    pub opted_out_at: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// IANA time zone, when not the clinic's.
    pub timezone: Option<String>,
}

impl ClientOut {
    fn of(c: &store::Client) -> ClientOut {
        ClientOut {
            age_months: c.age_months,
            created_at: to_rfc3339(c.created_at),
            email: c.email.clone(),
            id: c.id.get(),
            language: c.language.clone(),
            name: c.name.clone(),
            opted_out_at: c.opted_out_at.map(to_rfc3339),
            phone: c.phone.clone(),
            timezone: c.timezone.clone(),
        }
    }
}

/// Adds a client to `clinic_id`.
pub async fn create<S: Store>(
    state: &AppState<S>,
    clinic_id: ClinicId,
    body: NewClientBody,
) -> Result<ClientOut, Error> {
    let new = validate(body, &state.languages, state.clock.now())?;
    Ok(ClientOut::of(&state.store.create_client(clinic_id, new).await?))
}

/// The latest intake as recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntakeOut {
    /// The intake's answers as sent.
    #[schema(value_type = Object)]
    pub answers: Value,
    /// When recorded (RFC 3339).
    pub created_at: String,
    /// The intake's id.
    pub id: i64,
}

/// A check-in as recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInOut {
    /// The rules it fired.
    pub fired: Vec<String>,
    /// The follow-up it answered.
    pub follow_up_id: i64,
    /// Exact hours after the session's end.
    pub hours_since: f64,
    /// The check-in's id.
    pub id: i64,
    /// Its level (`therapist` for an answer that could not be read).
    #[schema(value_type = crate::openapi::LevelCode)]
    pub level: care::Level,
    /// The answer as sent, with what staff must read.
    #[schema(value_type = Object)]
    pub report: Value,
    /// Soreness, when it could be read.
    pub soreness: Option<u8>,
    /// When it was sent (RFC 3339).
    pub submitted_at: String,
}

impl CheckInOut {
    /// A recorded check-in as the API answers it.
    pub fn of(c: &store::CheckIn) -> CheckInOut {
        CheckInOut {
            fired: c.fired.clone(),
            follow_up_id: c.follow_up_id.get(),
            hours_since: c.hours_since,
            id: c.id.get(),
            level: c.level,
            report: serde_json::from_str(&c.report).unwrap_or(Value::Null),
            soreness: c.soreness,
            submitted_at: to_rfc3339(c.submitted_at),
        }
    }
}

/// A message sent, or to be sent, for a follow-up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageOut {
    /// Tries so far.
    pub attempts: u32,
    /// `email` or `sms`, once chosen.
    pub channel: Option<String>,
    /// `plan`, `check_in`, `reminder`, …
    pub kind: String,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it is tried next (RFC 3339).
    pub next_attempt: String,
    /// When it was sent (RFC 3339).
    pub sent_at: Option<String>,
    /// `pending`, `sent`, `failed` or `skipped`.
    pub status: String,
}

/// A follow-up of a session, with its messages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpOut {
    /// When due (RFC 3339).
    pub due_at: String,
    /// When its link stops working (RFC 3339).
    pub expires_at: String,
    /// The follow-up's id.
    pub id: i64,
    /// `check_in`.
    pub kind: String,
    /// The messages sent for it: the plan, the invitation, the reminder.
    pub messages: Vec<MessageOut>,
    /// Hours after the session's end.
    pub offset_hours: i64,
}

/// A session with its follow-ups and check-ins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionOut {
    /// Areas worked.
    pub areas: Vec<String>,
    /// A baby's date of birth, for an `infant` session.
    pub baby_birth_date: Option<String>,
    /// The check-ins given.
    pub check_ins: Vec<CheckInOut>,
    /// When it ended (RFC 3339).
    pub ended_at: String,
    /// Whether it was the client's first massage ever.
    pub first_massage: bool,
    /// Its follow-ups.
    pub follow_ups: Vec<FollowUpOut>,
    /// The session's id.
    pub id: i64,
    /// Massage type code.
    pub massage_type: String,
    /// Notes.
    pub notes: Option<String>,
    /// Pressure code.
    pub pressure: String,
    /// Who recorded it.
    pub staff_id: i64,
    /// Techniques.
    pub techniques: Vec<String>,
}

/// A client with everything recorded about them, a page of sessions at a time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientRecord {
    /// The client.
    #[serde(flatten)]
    pub client: ClientOut,
    /// The latest intake, if any.
    pub intake: Option<IntakeOut>,
    /// The next page's cursor, when there is one.
    pub next_cursor: Option<String>,
    /// A page of sessions, oldest first.
    pub sessions: Vec<SessionOut>,
}

/// The client `id` of `clinic` with their intake and the page of `limit` sessions after
/// `after`.
pub async fn record<S: Store>(
    state: &AppState<S>,
    clinic: ClinicId,
    id: ClientId,
    limit: u32,
    after: Option<SessionPosition>,
) -> Result<ClientRecord, Error> {
    let client = state.store.client(clinic, id).await?.ok_or_else(|| Error::not_found("client"))?;
    let intake = state.store.latest_intake(clinic, id).await?;
    let rows = state.store.sessions_of_client(clinic, id, after.as_ref(), limit + 1).await?;
    let (page, more) = crate::page::split(rows, limit);
    let next_cursor = page.last().filter(|_| more).map(|s| crate::page::session_cursor(&SessionPosition::of(s)));
    let mut sessions = Vec::new();
    for s in page {
        let check_ins = state.store.check_ins_of_session(clinic, s.id).await?.iter().map(CheckInOut::of).collect();
        let mut follow_ups = Vec::new();
        for f in state.store.follow_ups_of_session(clinic, s.id).await? {
            let messages = state
                .store
                .messages_of_follow_up(clinic, f.id)
                .await?
                .iter()
                .map(|m| MessageOut {
                    attempts: m.attempts,
                    channel: m.channel.clone(),
                    kind: m.kind.code().to_owned(),
                    last_error: m.last_error.clone(),
                    next_attempt: to_rfc3339(m.next_attempt),
                    sent_at: m.sent_at.map(to_rfc3339),
                    status: m.status.code().to_owned(),
                })
                .collect();
            follow_ups.push(FollowUpOut {
                due_at: to_rfc3339(f.due_at),
                expires_at: to_rfc3339(f.expires_at),
                id: f.id.get(),
                kind: f.kind,
                messages,
                offset_hours: f.offset_hours,
            });
        }
        sessions.push(SessionOut {
            areas: s.areas,
            baby_birth_date: s.baby_birth_date,
            check_ins,
            ended_at: to_rfc3339(s.ended_at),
            first_massage: s.first_massage,
            follow_ups,
            id: s.id.get(),
            massage_type: s.massage_type,
            notes: s.notes,
            pressure: s.pressure,
            staff_id: s.staff_id.get(),
            techniques: s.techniques,
        });
    }
    Ok(ClientRecord {
        client: ClientOut::of(&client),
        intake: intake.map(|i| IntakeOut {
            answers: serde_json::from_str(&i.body).unwrap_or(Value::Null),
            created_at: to_rfc3339(i.created_at),
            id: i.id.get(),
        }),
        next_cursor,
        sessions,
    })
}

/// What erasing a client did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erasure {
    /// Message files removed from the outbox folders.
    pub files_removed: usize,
}

/// Erases client `id` of `clinic` (the right to erasure): the store deletes or blanks every
/// word of theirs and every message about them in one transaction, then the outbox folders
/// lose the files of those messages and the digests that named the client. The counts of
/// the clinic's outcomes stay; the audit trail keeps the client's id only.
///
/// # Errors
/// Not found in the clinic; or the store or a folder failed. When a folder fails after the
/// database is erased, the error names the folder, for its files to be removed by hand.
pub async fn erase<S: Store>(state: &AppState<S>, clinic: ClinicId, id: ClientId) -> Result<Erasure, Error> {
    let erased =
        state.store.erase_client(clinic, id, state.clock.now()).await?.ok_or_else(|| Error::not_found("client"))?;
    let name = erased.identifiers.first().cloned().unwrap_or_default();
    let outboxes = state.outboxes.clone();
    let scrub = move || -> Result<usize, Error> {
        let mut removed = 0;
        for outbox in &outboxes {
            removed += outbox.erase(clinic.get(), &erased.message_keys, &name).map_err(|e| {
                Error::internal(&format!("erasing a client's messages from {}", outbox.dir().display()), e)
            })?;
        }
        Ok(removed)
    };
    let files_removed =
        tokio::task::spawn_blocking(scrub).await.map_err(|e| Error::internal("erasing a client's messages", e))??;
    Ok(Erasure { files_removed })
}
