//! The demo clinic: an owner, two therapists and a front desk, twenty clients with intakes,
//! sessions over the last thirty days, and check-ins at every level, some alerts still open.
//! It is made through the same code as real requests (the session and check-in services),
//! with the clock set to each moment in the past.

use crate::error::Error;
use crate::secret::{hash_secret, new_secret};
use crate::service::check_in::{CheckInBody, open_link};
use crate::service::session::SessionBody;
use crate::{AppState, FixedClock};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use store::*;

/// The demo owner's e-mail.
pub const OWNER_EMAIL: &str = "owner@riverside.demo";

/// How to sign in to the demo.
pub struct DemoSignIn {
    /// Whether the demo was created now (false: it already existed).
    pub created: bool,
    /// The owner's e-mail.
    pub email: String,
    /// The owner's password, only when the demo was created now.
    pub password: Option<String>,
    /// A new API token for the owner, only when the demo was created now.
    pub api_token: Option<String>,
}

impl std::fmt::Debug for DemoSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSignIn").field("created", &self.created).field("email", &self.email).finish_non_exhaustive()
    }
}

/// The demo clinic's clients, from `demo_clinic.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoClinic {
    client: Vec<Story>,
}

/// One demo client: name, intake, session and the check-ins that followed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Story {
    name: String,
    /// Which of the two therapists recorded the session.
    therapist: usize,
    days_ago: i64,
    session: DemoSession,
    /// The intake as the API takes it.
    intake: Value,
    check_ins: Vec<DemoCheckIn>,
    /// The note of a therapist who has already dealt with the alert.
    #[serde(default)]
    acknowledged: Option<String>,
    /// The language of the client's pages and messages, when not English.
    #[serde(default)]
    language: Option<String>,
}

/// A demo session.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSession {
    massage_type: String,
    pressure: String,
    areas: Vec<String>,
}

/// A demo check-in, `hours` after the session.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCheckIn {
    hours: f64,
    answer: CheckInBody,
}

/// The demo clinic's clients.
fn stories() -> Result<Vec<Story>, Error> {
    toml::from_str::<DemoClinic>(include_str!("demo_clinic.toml"))
        .map(|c| c.client)
        .map_err(|e| Error::internal("reading the demo clinic", e))
}

fn at<S: Store>(state: &AppState<S>, t: Timestamp) -> AppState<S> {
    AppState { clock: Arc::new(FixedClock(t)), ..state.clone() }
}

/// Creates the demo clinic unless it exists, and answers how to sign in.
///
/// # Errors
/// When the store fails, or the demo data does not pass the app's own validation.
pub async fn seed<S: Store>(state: &AppState<S>) -> Result<DemoSignIn, Error> {
    let now = state.clock.now();
    if state.store.staff_by_email(OWNER_EMAIL).await?.is_some() {
        return Ok(DemoSignIn { created: false, email: OWNER_EMAIL.to_owned(), password: None, api_token: None });
    }
    let password = new_secret()[..20].to_owned();
    let hash = password_auth::generate_hash(&password);
    let staff = |email: &str, name: &str, role, password_hash| NewStaff {
        email: email.into(),
        name: name.into(),
        role,
        password_hash,
        now,
    };
    let clinic = NewClinic {
        check_in_hours: state.knowledge.triage.schedule.check_in_hours.clone(),
        name: "Riverside Massage (demo)".into(),
        country: "GB".into(),
        timezone: "Europe/London".into(),
        now,
    };
    let (clinic, owner) = state
        .store
        .create_clinic(clinic, staff(OWNER_EMAIL, "Rita Owens", Role::Owner, Some(store::Redacted::new(hash))))
        .await?;
    let mut therapists = Vec::new();
    for (email, name) in [("maya@riverside.demo", "Maya Reid"), ("sam@riverside.demo", "Sam Ortiz")] {
        therapists.push(state.store.create_staff(clinic.id, staff(email, name, Role::Therapist, None)).await?);
    }
    state.store.create_staff(clinic.id, staff("desk@riverside.demo", "Dana Fox", Role::FrontDesk, None)).await?;

    for story in stories()? {
        let start = now.plus_hours(-24 * story.days_ago);
        let client = state
            .store
            .create_client(
                clinic.id,
                NewClient {
                    language: story.language.clone(),
                    name: story.name.clone(),
                    // example.com never receives mail: the demo's messages stay in the outbox folder.
                    email: Some(format!("{}@example.com", story.name.to_lowercase().replace(' ', "."))),
                    phone: None,
                    timezone: None,
                    age_months: Some(420),
                    now: start,
                },
            )
            .await?;
        state
            .store
            .save_intake(clinic.id, NewIntake { client_id: client.id, body: story.intake.to_string(), now: start })
            .await?;
        let therapist = therapists[story.therapist].clone();
        let DemoSession { massage_type, pressure, areas } = story.session;
        let body = SessionBody {
            client_id: client.id.get(),
            massage_type,
            pressure,
            areas,
            techniques: vec![],
            ended_at: None,
            notes: None,
            baby_birth_date: None,
        };
        let recorded = crate::service::session::record(&at(state, start), &therapist, body).await?;
        let links: Vec<String> =
            recorded.follow_ups.iter().map(|f| f.check_in_url.rsplit('/').next().unwrap_or("").to_owned()).collect();
        for (i, DemoCheckIn { hours, answer }) in story.check_ins.into_iter().enumerate() {
            let when = Timestamp(start.0 + (hours * Timestamp::HOUR_MS as f64) as i64);
            if when > now {
                continue;
            }
            let link = &links[i.min(links.len().saturating_sub(1))];
            let then = at(state, when);
            let context = open_link(&then, link).await.map_err(|p| p.error)?;
            crate::service::check_in::check_in(&then, &context, answer, &then.knowledge)
                .await?
                .map_err(|n| crate::service::check_in::not_read_error(&n))?;
        }
        if let Some(note) = story.acknowledged {
            for alert in store::every_alert(&state.store, clinic.id, Some(AlertStatus::Open)).await? {
                if alert.client_id == client.id {
                    let ack = Acknowledgement {
                        staff_id: therapist.id,
                        note: Some(note.clone()),
                        now: alert.created_at.plus_hours(1),
                    };
                    state.store.acknowledge_alert(clinic.id, alert.id, ack).await?;
                }
            }
        }
    }
    Ok(DemoSignIn {
        created: true,
        email: OWNER_EMAIL.to_owned(),
        password: Some(password),
        api_token: Some(token(state, &owner, now).await?),
    })
}

async fn token<S: Store>(state: &AppState<S>, owner: &Staff, now: Timestamp) -> Result<String, Error> {
    let token = new_secret();
    let new = NewApiToken {
        clinic_id: owner.clinic_id,
        staff_id: owner.id,
        label: "demo".into(),
        token_hash: store::Redacted::new(hash_secret(&token)),
        expires_at: crate::auth::token_expiry(now, crate::auth::API_TOKEN_DAYS),
        now,
    };
    state.store.create_api_token(new).await?;
    Ok(token)
}
