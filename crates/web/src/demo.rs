//! The demo clinic: an owner, two therapists and a front desk, twenty clients with intakes,
//! sessions over the last thirty days, and check-ins at every level, some alerts still open.
//! It is made through the same code as real requests (the session and check-in services),
//! with the clock set to each moment in the past.

use crate::error::Error;
use crate::secret::{hash_secret, new_secret};
use crate::service::check_in::{CheckInBody, open_link};
use crate::service::session::SessionBody;
use crate::{AppState, FixedClock};
use serde_json::{Value, json};
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

/// One demo client: name, intake, session and the check-ins that followed.
struct Story {
    name: &'static str,
    intake: Value,
    therapist: usize,
    days_ago: i64,
    session: (&'static str, &'static str, &'static [&'static str]),
    check_ins: Vec<(f64, Value)>,
    acknowledged: Option<&'static str>,
}

fn stories() -> Vec<Story> {
    let calm = json!({"goals": ["relaxation"], "first_massage": false});
    let back =
        json!({"goals": ["low_back_pain"], "usual_pain": 3, "preferred_pressure": "firm", "first_massage": false});
    let none = |s: u8| json!({"soreness": s, "symptoms": []});
    let with = |s: u8, sym: &[&str]| json!({"soreness": s, "symptoms": sym});
    vec![
        Story {
            name: "Amira Khan",
            intake: calm.clone(),
            therapist: 0,
            days_ago: 1,
            session: ("deep_tissue", "deep", &["calves", "hamstrings"]),
            check_ins: vec![(3.0, with(3, &["breathlessness", "chest_pain"]))],
            acknowledged: None,
        },
        Story {
            name: "Ben Carter",
            intake: back.clone(),
            therapist: 1,
            days_ago: 2,
            session: ("swedish", "medium", &["neck", "shoulders"]),
            check_ins: vec![(26.0, with(2, &["headache", "dizziness"]))],
            acknowledged: None,
        },
        Story {
            name: "Chloe Davies",
            intake: json!({"goals": ["sore_muscles"], "first_massage": true}),
            therapist: 0,
            days_ago: 3,
            session: ("swedish", "medium", &["calves", "feet"]),
            check_ins: vec![(24.0, none(2)), (48.0, with(4, &["one_leg_swelling", "one_leg_pain"]))],
            acknowledged: None,
        },
        Story {
            name: "Dev Patel",
            intake: json!({"goals": ["pain_management"], "conditions": [{"code": "anticoagulants"}], "first_massage": false}),
            therapist: 1,
            days_ago: 4,
            session: ("swedish", "light", &["upper_arms", "upper_back"]),
            check_ins: vec![(24.0, with(1, &["small_bruise"]))],
            acknowledged: None,
        },
        Story {
            name: "Ella Novak",
            intake: calm.clone(),
            therapist: 0,
            days_ago: 5,
            session: ("swedish", "medium", &["upper_back", "lower_back"]),
            check_ins: vec![(22.0, with(1, &["contact_rash"]))],
            acknowledged: None,
        },
        Story {
            name: "Finn O'Brien",
            intake: json!({"goals": ["sports_injury_rehab"], "first_massage": false}),
            therapist: 1,
            days_ago: 6,
            session: ("sports", "firm", &["quadriceps", "hamstrings", "calves"]),
            check_ins: vec![(24.0, with(4, &["stiffness"])), (48.0, with(5, &["stiffness", "tenderness"]))],
            acknowledged: None,
        },
        Story {
            name: "Grace Liu",
            intake: back.clone(),
            therapist: 0,
            days_ago: 7,
            session: ("deep_tissue", "firm", &["lower_back", "glutes"]),
            check_ins: vec![(24.0, none(5)), (48.0, none(6))],
            acknowledged: Some("Lighter pressure on the lower back next time."),
        },
        Story {
            name: "Hassan Ali",
            intake: calm.clone(),
            therapist: 1,
            days_ago: 8,
            session: ("hot_stone", "medium", &["upper_back", "shoulders"]),
            check_ins: vec![(24.0, with(2, &["tiredness"])), (48.0, none(1))],
            acknowledged: None,
        },
        Story {
            name: "Isla Murray",
            intake: json!({"goals": ["pregnancy"], "conditions": [{"code": "pregnant"}], "pregnancy_weeks": 30, "first_massage": false}),
            therapist: 0,
            days_ago: 9,
            session: ("prenatal", "light", &["lower_back", "shoulders"]),
            check_ins: vec![(20.0, with(1, &["headache"]))],
            acknowledged: Some("Called Isla: maternity unit checked her blood pressure; all well."),
        },
        Story {
            name: "Jonas Berg",
            intake: calm.clone(),
            therapist: 1,
            days_ago: 10,
            session: ("swedish", "medium", &["neck", "shoulders", "upper_back"]),
            check_ins: vec![(16.0, with(3, &["tenderness"])), (40.0, none(1))],
            acknowledged: None,
        },
        Story {
            name: "Kemi Adeyemi",
            intake: back.clone(),
            therapist: 0,
            days_ago: 12,
            session: ("trigger_point", "firm", &["shoulders", "upper_back"]),
            check_ins: vec![(24.0, with(3, &["tenderness"])), (48.0, none(2))],
            acknowledged: None,
        },
        Story {
            name: "Leo Rossi",
            intake: json!({"goals": ["sore_muscles"], "first_massage": true}),
            therapist: 1,
            days_ago: 13,
            session: ("deep_tissue", "firm", &["quadriceps", "hamstrings"]),
            check_ins: vec![(24.0, with(8, &["muscle_weakness"]))],
            acknowledged: Some("Saw a doctor the same day; bloods normal."),
        },
        Story {
            name: "Maya Singh",
            intake: calm.clone(),
            therapist: 0,
            days_ago: 15,
            session: ("swedish", "light", &["upper_back", "lower_back"]),
            check_ins: vec![(24.0, none(0)), (48.0, none(0))],
            acknowledged: None,
        },
        Story {
            name: "Noah Williams",
            intake: back.clone(),
            therapist: 1,
            days_ago: 16,
            session: ("deep_tissue", "deep", &["lower_back", "hips", "glutes"]),
            check_ins: vec![
                (24.0, none(6)),
                (48.0, none(5)),
                (96.0, json!({"soreness": 6, "trend": "same", "symptoms": ["stiffness"]})),
            ],
            acknowledged: Some("Booked a review; will use medium pressure."),
        },
        Story {
            name: "Olivia Brown",
            intake: calm.clone(),
            therapist: 0,
            days_ago: 18,
            session: ("swedish", "medium", &["neck", "shoulders"]),
            check_ins: vec![(24.0, none(1))],
            acknowledged: None,
        },
        Story {
            name: "Pavel Novak",
            intake: json!({"goals": ["joint_pain"], "conditions": [{"code": "diabetes"}], "first_massage": false}),
            therapist: 1,
            days_ago: 20,
            session: ("hot_stone", "medium", &["upper_back", "calves", "feet"]),
            check_ins: vec![(8.0, with(1, &["burn_or_blister"]))],
            acknowledged: Some("Nurse dressed the blister; no hot stones on the feet again."),
        },
        Story {
            name: "Quinn Taylor",
            intake: calm.clone(),
            therapist: 0,
            days_ago: 22,
            session: ("myofascial", "medium", &["hips", "glutes"]),
            check_ins: vec![(24.0, with(2, &["stiffness"])), (48.0, none(1))],
            acknowledged: None,
        },
        Story {
            name: "Rosa García",
            intake: back.clone(),
            therapist: 1,
            days_ago: 24,
            session: ("deep_tissue", "firm", &["lower_back"]),
            check_ins: vec![(24.0, none(4)), (48.0, none(3))],
            acknowledged: None,
        },
        Story {
            name: "Sam Okafor",
            intake: json!({"goals": ["stress_relief"], "first_massage": true}),
            therapist: 0,
            days_ago: 27,
            session: ("swedish", "medium", &["upper_back", "shoulders", "neck"]),
            check_ins: vec![(24.0, none(2)), (48.0, none(1))],
            acknowledged: None,
        },
        Story {
            name: "Tara Walsh",
            intake: calm,
            therapist: 1,
            days_ago: 29,
            session: ("lymphatic_drainage", "light", &["upper_arms", "forearms"]),
            check_ins: vec![(24.0, none(0))],
            acknowledged: None,
        },
    ]
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

    for story in stories() {
        let start = now.plus_hours(-24 * story.days_ago);
        let client = state
            .store
            .create_client(
                clinic.id,
                NewClient {
                    name: story.name.into(),
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
        let (massage_type, pressure, areas) = story.session;
        let body = SessionBody {
            client_id: client.id.get(),
            massage_type: massage_type.into(),
            pressure: pressure.into(),
            areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            techniques: vec![],
            ended_at: None,
            notes: None,
            baby_birth_date: None,
        };
        let recorded = crate::service::session::record(&at(state, start), &therapist, body).await?;
        let links: Vec<String> =
            recorded.follow_ups.iter().map(|f| f.check_in_url.rsplit('/').next().unwrap_or("").to_owned()).collect();
        for (i, (hours, answer)) in story.check_ins.iter().enumerate() {
            let when = Timestamp(start.0 + (hours * Timestamp::HOUR_MS as f64) as i64);
            if when > now {
                continue;
            }
            let link = &links[i.min(links.len().saturating_sub(1))];
            let then = at(state, when);
            let context = open_link(&then, link).await.map_err(|p| p.error)?;
            let body: CheckInBody = serde_json::from_value(answer.clone()).map_err(|e| Error::internal("demo", e))?;
            crate::service::check_in::check_in(&then, &context, body)
                .await?
                .map_err(|n| crate::service::check_in::not_read_error(&n))?;
        }
        if let Some(note) = story.acknowledged {
            for alert in store::every_alert(&state.store, clinic.id, Some(AlertStatus::Open)).await? {
                if alert.client_id == client.id {
                    let ack = Acknowledgement {
                        staff_id: therapist.id,
                        note: Some(note.into()),
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
