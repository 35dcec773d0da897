//! Clients: create, show with everything recorded about them, and take an intake
//! (screening and recommendation).

use super::{json_body, path_id};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::time::{is_time_zone, to_rfc3339};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use care::screening::{IntakeDoc, PastSessionDoc};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{NewClient, NewIntake, SessionPosition, Store};

/// `POST /api/v1/clients` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClientBody {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    age_months: Option<serde_json::Number>,
}

fn validate(body: NewClientBody, now: store::Timestamp) -> Result<NewClient, ApiError> {
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("name", "must be 1 to 200 characters"));
    }
    let email = match body.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(crate::fields::email(e).map_err(|problem| ApiError::invalid("email", problem))?),
        None => None,
    };
    let phone = match body.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(crate::fields::phone(p).map_err(|problem| ApiError::invalid("phone", problem))?),
        None => None,
    };
    if let Some(tz) = &body.timezone
        && !is_time_zone(tz)
    {
        return Err(ApiError::invalid("timezone", format!("`{tz}` is not an IANA time zone such as Europe/London")));
    }
    let age_months = match &body.age_months {
        Some(n) => Some(
            care::input::whole_number("age_months", n, 0, care::checkin::AGE_MONTHS_MAX)
                .map_err(|e| ApiError::invalid(e.field, e.problem))? as u32,
        ),
        None => None,
    };
    Ok(NewClient { name, email, phone, timezone: body.timezone, age_months, now })
}

fn client_json(c: &store::Client) -> Value {
    json!({
        "id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "timezone": c.timezone,
        "age_months": c.age_months, "opted_out_at": c.opted_out_at.map(to_rfc3339),
        "created_at": to_rfc3339(c.created_at),
    })
}

/// `POST /api/v1/clients`: adds a client.
pub async fn create<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = validate(json_body(&body)?, state.clock.now())?;
    let client = state.store.create_client(caller.clinic_id(), new).await?;
    Ok((StatusCode::CREATED, Json(client_json(&client))))
}

/// `GET /api/v1/clients/{id}` query: a page of the client's sessions.
#[derive(Debug, Deserialize)]
pub struct SessionsQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /api/v1/clients/{id}?limit=50&cursor=…`: the client with intake, and a page of
/// sessions (oldest first) with their check-ins, follow-ups and messages; `next_cursor`
/// continues.
pub async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<SessionsQuery>,
) -> Result<Json<Value>, ApiError> {
    let clinic = caller.clinic_id();
    let id = path_id(&id, "client")?;
    let limit = crate::page::limit(q.limit.as_deref())?;
    let after = q.cursor.as_deref().map(crate::page::parse_session_cursor).transpose()?;
    let client = state.store.client(clinic, id).await?.ok_or_else(|| ApiError::not_found("client"))?;
    let intake = state.store.latest_intake(clinic, id).await?;
    let rows = state.store.sessions_of_client(clinic, id, after.as_ref(), limit + 1).await?;
    let (page, more) = crate::page::split(rows, limit);
    let next_cursor = page.last().filter(|_| more).map(|s| crate::page::session_cursor(&SessionPosition::of(s)));
    let mut sessions = Vec::new();
    for s in page {
        let check_ins: Vec<Value> = state
            .store
            .check_ins_of_session(clinic, s.id)
            .await?
            .iter()
            .map(|c| {
                json!({
                    "id": c.id, "follow_up_id": c.follow_up_id, "submitted_at": to_rfc3339(c.submitted_at),
                    "hours_since": c.hours_since, "soreness": c.soreness, "level": c.level, "fired": c.fired,
                    "report": serde_json::from_str::<Value>(&c.report).unwrap_or(Value::Null),
                })
            })
            .collect();
        let mut follow_ups: Vec<Value> = Vec::new();
        for f in state.store.follow_ups_of_session(clinic, s.id).await? {
            // What was sent for it, and how: the plan, the invitation, the reminder.
            let messages: Vec<Value> = state
                .store
                .messages_of_follow_up(clinic, f.id)
                .await?
                .iter()
                .map(|m| {
                    json!({
                        "kind": m.kind.code(), "status": m.status.code(), "attempts": m.attempts,
                        "next_attempt": to_rfc3339(m.next_attempt), "sent_at": m.sent_at.map(to_rfc3339),
                        "channel": m.channel, "last_error": m.last_error,
                    })
                })
                .collect();
            follow_ups.push(json!({
                "id": f.id, "kind": f.kind, "offset_hours": f.offset_hours, "due_at": to_rfc3339(f.due_at),
                "expires_at": to_rfc3339(f.expires_at), "messages": messages,
            }));
        }
        sessions.push(json!({
            "id": s.id, "massage_type": s.massage_type, "pressure": s.pressure, "areas": s.areas,
            "techniques": s.techniques, "first_massage": s.first_massage, "notes": s.notes,
            "ended_at": to_rfc3339(s.ended_at), "staff_id": s.staff_id, "baby_birth_date": s.baby_birth_date,
            "follow_ups": follow_ups, "check_ins": check_ins,
        }));
    }
    let mut body = client_json(&client);
    body["intake"] = intake
        .map(|i| json!({"id": i.id, "created_at": to_rfc3339(i.created_at), "answers": serde_json::from_str::<Value>(&i.body).unwrap_or(Value::Null)}))
        .unwrap_or(Value::Null);
    body["sessions"] = Value::Array(sessions);
    body["next_cursor"] = json!(next_cursor);
    Ok(Json(body))
}

/// The client's past sessions as the recommendation reads them: type, pressure, the highest
/// soreness reported after it and every rule its check-ins fired.
pub async fn history<S: Store>(state: &AppState<S>, clinic: i64, client: i64) -> Result<Vec<PastSessionDoc>, ApiError> {
    let mut history = Vec::new();
    for s in state.store.sessions_of_client(clinic, client, None, u32::MAX).await? {
        let check_ins = state.store.check_ins_of_session(clinic, s.id).await?;
        let Some(max) = check_ins.iter().filter_map(|c| c.soreness).max() else { continue };
        let mut fired: Vec<String> = check_ins.iter().flat_map(|c| c.fired.iter().cloned()).collect();
        fired.sort();
        fired.dedup();
        history.push(PastSessionDoc {
            massage_type: s.massage_type,
            pressure: s.pressure,
            max_soreness: max.into(),
            fired,
        });
    }
    Ok(history)
}

/// `POST /api/v1/clients/{id}/intake`: stores the intake and answers its screening and
/// recommendation (the history comes from the client's recorded sessions).
pub async fn intake<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let clinic = caller.clinic_id();
    let id = path_id(&id, "client")?;
    let mut doc: IntakeDoc = json_body(&body)?;
    if !doc.history.is_empty() {
        return Err(ApiError::invalid("history", "is filled from the client's recorded sessions; leave it out"));
    }
    state.store.client(clinic, id).await?.ok_or_else(|| ApiError::not_found("client"))?;
    doc.history = history(&state, clinic, id).await?;
    let kb = &state.knowledge;
    let intake = doc.validate(kb).map_err(|e| ApiError::from_input(&e, ""))?;
    let recommendation = care::recommend(kb, &intake);
    let stored = String::from_utf8_lossy(&body).into_owned();
    state.store.save_intake(clinic, NewIntake { client_id: id, body: stored, now: state.clock.now() }).await?;
    let mut answer = serde_json::to_value(&recommendation).map_err(|e| ApiError::internal("intake", e))?;
    let screening = answer.get_mut("screening").map(Value::take).unwrap_or(Value::Null);
    Ok(Json(json!({"screening": screening, "recommendation": answer})))
}
