//! Taking an intake and recording a session from the client's page: the intake gives the
//! screening and the suggested type and pressure; the session form (a body map with plain
//! checkboxes beneath it) previews the aftercare plan before saving, and saving shows the
//! client's plan and check-in links once.

use crate::AppState;
use crate::api::sessions::{SessionBody, record_session};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::intake_form::{Choice, IntakeChoices, LocalCondition, all, choices, fields, intake_answers, one};
use crate::profile::{client_doc, contacts};
use crate::staff::auth::{SignedIn, check_csrf};
use crate::staff::view::{Layout, local_time, render, respond};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use care::screening::IntakeDoc;
use store::{NewIntake, Role, Store};

#[derive(Template)]
#[template(path = "staff/intake.html")]
struct IntakePage {
    layout: Layout,
    client_id: i64,
    client_name: String,
    goals: Vec<Choice>,
    conditions: Vec<Choice>,
    local: Vec<LocalCondition>,
    pressures: Vec<Choice>,
    error: Option<String>,
}

async fn client_and_clinic<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    id: &str,
) -> Result<(store::Clinic, store::Client), ApiError> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| ApiError::not_found("clinic"))?;
    let id = crate::api::path_id(id, "client")?;
    let client = state.store.client(clinic.id, id).await?.ok_or_else(|| ApiError::not_found("client"))?;
    Ok((clinic, client))
}

fn intake_page(
    state_kb: &care::Knowledge,
    who: &SignedIn,
    clinic: &store::Clinic,
    client: &store::Client,
    f: &[(String, String)],
    error: Option<String>,
) -> IntakePage {
    let IntakeChoices { goals, conditions, local, pressures } = choices(state_kb, f);
    IntakePage {
        layout: Layout::signed_in(who, clinic, format!("Intake: {}", client.name), "clients"),
        client_id: client.id,
        client_name: client.name.clone(),
        goals,
        conditions,
        local,
        pressures,
        error,
    }
}

/// `GET /clients/{id}/intake`.
pub async fn intake_form<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Response {
    match client_and_clinic(&state, &who, &id).await {
        Ok((clinic, client)) => {
            render(&intake_page(&state.knowledge, &who, &clinic, &client, &[], None), StatusCode::OK)
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /clients/{id}/intake`: stores the intake (as the API does) and shows the client.
pub async fn save_intake<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    who: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    if let Err(e) = check_csrf(&state, &headers, &who, one(&f, "csrf")) {
        return e.into_response();
    }
    let (clinic, client) = match client_and_clinic(&state, &who, &id).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let kb = &state.knowledge;
    let tz = followup::window::time_zone(client.timezone.as_deref(), &clinic.timezone);
    let today = crate::time::local_date(state.clock.now(), &tz).unwrap_or_default();
    let answers = match intake_answers(kb, &f, today) {
        Ok(a) => a,
        Err(problem) => {
            return render(
                &intake_page(kb, &who, &clinic, &client, &f, Some(problem)),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let saved = state
        .store
        .save_intake(clinic.id, NewIntake { client_id: client.id, body: answers.to_string(), now: state.clock.now() })
        .await;
    match saved {
        Ok(_) => Redirect::to(&format!("/clients/{}", client.id)).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A body area on the map.
#[derive(Debug)]
struct AreaChoice {
    code: String,
    label: String,
    checked: bool,
}

/// A plan item in the preview.
#[derive(Debug)]
struct PreviewItem {
    title: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/session.html")]
struct SessionPage {
    layout: Layout,
    client_id: i64,
    client_name: String,
    types: Vec<Choice>,
    pressures: Vec<Choice>,
    areas: Vec<AreaChoice>,
    techniques: String,
    notes: String,
    /// The baby's date of birth, for an infant session.
    baby_birth_date: String,
    suggestion: String,
    preview: Vec<PreviewItem>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/session_saved.html")]
struct SavedPage {
    layout: Layout,
    client_id: i64,
    client_name: String,
    plan_url: String,
    links: Vec<(String, String)>,
}

async fn session_page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    clinic: &store::Clinic,
    client: &store::Client,
    f: &[(String, String)],
    preview: Vec<PreviewItem>,
    error: Option<String>,
) -> Result<SessionPage, ApiError> {
    let kb = &state.knowledge;
    let v = &kb.vocabulary;
    // The suggestion from the latest intake picks the defaults.
    let (mut suggested_type, mut suggested_pressure, mut suggestion) = (None, None, String::new());
    if let Some(stored) = state.store.latest_intake(clinic.id, client.id).await?
        && let Ok(mut doc) = serde_json::from_str::<IntakeDoc>(&stored.body)
    {
        doc.history = crate::api::clients::history(state, clinic.id, client.id).await?;
        if let Ok(valid) = doc.validate(kb) {
            let r = care::recommend(kb, &valid);
            suggested_type = r.types.first().map(|t| t.massage_type.to_owned());
            suggested_pressure = r.pressure.map(str::to_owned);
            suggestion = match (&suggested_type, &suggested_pressure) {
                (Some(t), Some(p)) => {
                    format!("Suggested from the intake: {t}, {p} pressure. {}", r.pressure_reasons.join(" "))
                }
                _ => format!("Screening: {}", r.pressure_reasons.join(" ")),
            };
        }
    }
    let chosen_type = one(f, "massage_type").map(str::to_owned).or(suggested_type);
    let chosen_pressure =
        one(f, "pressure").map(str::to_owned).or(suggested_pressure).unwrap_or_else(|| "medium".to_owned());
    let areas = all(f, "area");
    Ok(SessionPage {
        layout: Layout::signed_in(who, clinic, format!("Record a session: {}", client.name), "clients"),
        client_id: client.id,
        client_name: client.name.clone(),
        types: v
            .massage_types
            .entries()
            .iter()
            .map(|t| Choice {
                code: t.code.clone(),
                label: t.label.clone(),
                hint: t.hint.clone(),
                checked: chosen_type.as_deref() == Some(t.code.as_str()),
            })
            .collect(),
        pressures: v
            .pressures
            .entries()
            .iter()
            .map(|p| Choice {
                code: p.code.clone(),
                label: p.label.clone(),
                hint: p.hint.clone(),
                checked: chosen_pressure == p.code,
            })
            .collect(),
        areas: v
            .areas
            .entries()
            .iter()
            .map(|a| AreaChoice {
                code: a.code.clone(),
                label: a.label.clone(),
                checked: areas.contains(&a.code.as_str()),
            })
            .collect(),
        techniques: one(f, "techniques").unwrap_or_default().to_owned(),
        notes: one(f, "notes").unwrap_or_default().to_owned(),
        baby_birth_date: one(f, "baby_birth_date").unwrap_or_default().to_owned(),
        suggestion,
        preview,
        error,
    })
}

/// `GET /clients/{id}/sessions/new`.
pub async fn new_session<S: Store>(
    State(state): State<AppState<S>>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (clinic, client) = client_and_clinic(&state, &who, &id).await?;
        session_page(&state, &who, &clinic, &client, &[], vec![], None).await
    }
    .await;
    respond(result, StatusCode::OK)
}

/// `POST /clients/{id}/sessions`: `action=preview` shows the plan; `action=save` records.
pub async fn save_session<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    who: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    if let Err(e) = check_csrf(&state, &headers, &who, one(&f, "csrf")) {
        return e.into_response();
    }
    if !matches!(who.staff.role, Role::Owner | Role::Therapist) {
        return ApiError::forbidden("only owner or therapist may record sessions").into_response();
    }
    let (clinic, client) = match client_and_clinic(&state, &who, &id).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let areas: Vec<String> = all(&f, "area").into_iter().map(str::to_owned).collect();
    let techniques: Vec<String> = one(&f, "techniques")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let body = SessionBody {
        client_id: client.id,
        massage_type: one(&f, "massage_type").unwrap_or_default().to_owned(),
        pressure: one(&f, "pressure").unwrap_or_default().to_owned(),
        areas: areas.clone(),
        techniques,
        ended_at: None,
        notes: one(&f, "notes").map(str::to_owned),
        baby_birth_date: one(&f, "baby_birth_date").map(str::to_owned),
    };
    let again = |preview: Vec<PreviewItem>, error: Option<String>, status: StatusCode| {
        let (state, who, clinic, client, f) = (&state, &who, &clinic, &client, &f);
        async move { respond(session_page(state, who, clinic, client, f, preview, error).await, status) }
    };
    if areas.is_empty() {
        return again(
            vec![],
            Some("Tick the areas you worked on the body map or in the list.".to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if one(&f, "action") == Some("preview") {
        return match preview(&state, &clinic, &client, &body).await {
            Ok(items) => again(items, None, StatusCode::OK).await,
            Err(e) => again(vec![], Some(e.message().to_owned()), StatusCode::UNPROCESSABLE_ENTITY).await,
        };
    }
    match record_session(&state, &Caller(who.staff.clone()), body).await {
        Ok(saved) => {
            let links: Vec<(String, String)> = saved["follow_ups"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|x| {
                            let due = x["due_at"]
                                .as_str()
                                .and_then(crate::time::parse_rfc3339)
                                .map(|t| local_time(t, &clinic.timezone));
                            (
                                format!("Check-in due {}", due.unwrap_or_default()),
                                x["check_in_url"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let plan_url = links.first().map(|(_, u)| format!("{u}/plan")).unwrap_or_default();
            let page = SavedPage {
                layout: Layout::signed_in(&who, &clinic, "Session saved", "clients"),
                client_id: client.id,
                client_name: client.name.clone(),
                plan_url,
                links,
            };
            render(&page, StatusCode::CREATED)
        }
        Err(e) => {
            again(
                vec![],
                Some(format!("{}: {}", e.field().unwrap_or("session"), e.message())),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn preview<S: Store>(
    state: &AppState<S>,
    clinic: &store::Clinic,
    client: &store::Client,
    body: &SessionBody,
) -> Result<Vec<PreviewItem>, ApiError> {
    let kb = &state.knowledge;
    let (client_doc, _) = client_doc(state, client, state.clock.now()).await?;
    let mut errors = Vec::new();
    let doc = care::checkin::SessionDoc {
        massage_type: body.massage_type.clone(),
        pressure: body.pressure.clone(),
        areas: body.areas.clone(),
        first_massage: None,
        hard_exercise_before: None,
    };
    let session = doc.validate(&kb.vocabulary, "session", &mut errors);
    let client_values = client_doc.validate(&kb.vocabulary, "client", &mut errors);
    let Some(session) = session.filter(|_| errors.is_empty()) else {
        return Err(ApiError::from_input(&care::InputErrors(errors), "session."));
    };
    let products = crate::profile::products(state, clinic.id).await?;
    let plan = care::plan(kb, &session, &client_values, &products, contacts(kb, clinic));
    let mut items = vec![PreviewItem {
        title: plan.expect.title.to_owned(),
        lines: std::iter::once(plan.expect.summary.to_owned())
            .chain(plan.expect.factors.iter().map(|s| (*s).to_owned()))
            .collect(),
    }];
    for i in &plan.items {
        let mut lines: Vec<String> = i.cautions_applied.iter().map(|c| format!("Caution: {c}")).collect();
        lines.extend(i.stretches.iter().map(|s| format!("Stretch: {}", s.stretch.name)));
        lines.push(format!("Evidence: {}", i.grade.label));
        items.push(PreviewItem { title: i.title.to_owned(), lines });
    }
    Ok(items)
}
