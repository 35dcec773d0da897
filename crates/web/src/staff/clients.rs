//! Clients: the list with search, adding a client, and a client's page with their intake,
//! screening and recommendation, sessions, every check-in, and their soreness over time as a
//! chart with alerts marked.

use crate::AppState;
use crate::error::Error;
use crate::extract::{PathId, StaffForm};
use crate::staff::answer::Answer;
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, local_time, render, respond};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use care::screening::IntakeDoc;
use serde::Deserialize;
use std::fmt::Write;
use store::{ClientId, MessageKind, NewClient, Store};

fn layout(who: &SignedIn, clinic: &store::Clinic, title: &str) -> Layout {
    Layout::signed_in(who, clinic, title, "clients")
}

#[derive(Template)]
#[template(path = "staff/clients.html")]
struct ClientsPage {
    layout: Layout,
    search: String,
    clients: Vec<store::Client>,
    /// The link to the next page, when there is one.
    next: Option<String>,
    error: Option<String>,
    /// What was typed into the new client's form, kept after an error.
    typed: crate::extract::Fields,
    /// The languages a client may read: (code, name in itself).
    languages: Vec<(String, String)>,
}

/// `?q=` of the list, and `after=` where the page starts.
#[derive(Debug, Deserialize)]
pub struct Search {
    q: Option<String>,
    after: Option<String>,
}

/// Clients on one page of the list.
const CLIENTS_PER_PAGE: u32 = 100;

/// `GET /clients`: a page of clients by name, with a link to the next.
pub async fn list<S: Store>(State(state): State<AppState<S>>, who: SignedIn, Query(q): Query<Search>) -> Response {
    let search = q.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
    let result = async {
        let after = q.after.as_deref().map(crate::page::parse_client_cursor).transpose()?;
        list_page(&state, &who, search, after, None, crate::extract::Fields::default()).await
    };
    respond(result.await, StatusCode::OK)
}

async fn list_page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    search: String,
    after: Option<store::ClientPosition>,
    error: Option<String>,
    typed: crate::extract::Fields,
) -> Result<ClientsPage, Error> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let wanted = (!search.is_empty()).then_some(search.as_str());
    let rows = state.store.clients(clinic.id, wanted, after.as_ref(), CLIENTS_PER_PAGE + 1).await?;
    let (clients, more) = crate::page::split(rows, CLIENTS_PER_PAGE);
    let next = clients.last().filter(|_| more).map(|c| {
        let cursor = crate::page::client_cursor(&store::ClientPosition::of(c));
        let q: String = form_urlencoded::byte_serialize(search.as_bytes()).collect();
        format!("/clients?q={q}&after={cursor}")
    });
    let languages = state.languages.english().all.clone();
    Ok(ClientsPage { layout: layout(who, &clinic, "Clients"), search, clients, next, error, typed, languages })
}

/// `POST /clients`: `csrf`, `name`, `email`, `phone`, `timezone`, `language`.
pub async fn create<S: Store>(State(state): State<AppState<S>>, StaffForm { who, fields }: StaffForm) -> Response {
    let field = |name: &str| fields.one(name).map(str::to_owned);
    let name = domain::PersonName::parse(fields.one("name").unwrap_or_default());
    let problem = if name.is_err() {
        Some(format!("Write the client's name ({}).", domain::PersonName::RULE))
    } else {
        field("email")
            .and_then(|e| crate::fields::email(&e).err())
            .or_else(|| field("phone").and_then(|p| crate::fields::phone(&p).err()))
            .or_else(|| {
                field("timezone").filter(|tz| domain::TimeZoneName::parse(tz).is_err()).map(|tz| {
                    format!("“{tz}” is not a time zone. Choose one such as Europe/London, or leave it empty for the clinic's.")
                })
            })
            .or_else(|| {
                field("language").filter(|l| state.languages.get(l).is_none()).map(|l| {
                    format!("“{l}” is not a language Aftercare speaks: choose one from the list.")
                })
            })
    };
    let (Ok(name), None) = (name, problem.clone()) else {
        let p = problem.unwrap_or_default();
        return match list_page(&state, &who, String::new(), None, Some(p), fields.clone()).await {
            Ok(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY),
            Err(e) => e.into_response(),
        };
    };
    let new = NewClient {
        language: field("language").and_then(|l| state.languages.get(&l).map(|l| l.code.clone())),
        name: name.into_string(),
        email: field("email").and_then(|e| crate::fields::email(&e).ok()),
        phone: field("phone"),
        timezone: field("timezone"),
        age_months: None,
        now: state.clock.now(),
    };
    match state.store.create_client(who.staff.clinic_id, new).await {
        Ok(c) => {
            crate::audit::changed(&state, &who.staff, &who.address, Some(c.id), store::AuditAction::CreateClient, "")
                .await;
            Redirect::to(&format!("/clients/{}", c.id)).into_response()
        }
        Err(e) => Error::from(e).into_response(),
    }
}

/// A check-in on the client's page.
#[derive(Debug)]
struct CheckInLine {
    when: String,
    level: care::Level,
    answer: Answer,
}

/// A session on the client's page.
#[derive(Debug)]
struct SessionView {
    when: String,
    what: String,
    areas: String,
    /// The techniques used, as recorded.
    techniques: String,
    /// The therapist's notes.
    notes: Option<String>,
    /// Who recorded it.
    recorded_by: String,
    check_ins: Vec<CheckInLine>,
    messages: Vec<MessageLine>,
}

/// A message to the client about a session.
#[derive(Debug)]
struct MessageLine {
    what: &'static str,
    when: String,
    status: &'static str,
    note: String,
}

fn message_line(m: &store::Message, tz: &str) -> MessageLine {
    MessageLine {
        what: match m.kind {
            MessageKind::Plan => "Aftercare plan",
            MessageKind::CheckIn => "Check-in",
            MessageKind::Reminder => "Reminder",
            MessageKind::Alert => "Alert",
            MessageKind::Digest => "Digest",
            MessageKind::Invitation => "Invitation",
            MessageKind::PasswordReset => "Password link",
        },
        when: local_time(m.sent_at.unwrap_or(m.next_attempt), tz),
        status: m.status.code(),
        note: [m.channel.clone().map(|c| format!("by {c}")), m.last_error.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; "),
    }
}

#[derive(Template)]
#[template(path = "staff/client.html")]
struct ClientPage {
    layout: Layout,
    erased: bool,
    /// The language of the client's pages and messages, in words.
    language: String,
    opted_out: Option<String>,
    client: store::Client,
    intake: Vec<(String, String)>,
    screening: Vec<String>,
    outcome: String,
    suggestions: Vec<String>,
    pressure: String,
    sessions: Vec<SessionView>,
    chart: String,
    feedback: Vec<String>,
}

/// `GET /clients/{id}`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn, PathId(id): PathId<ClientId>) -> Response {
    respond(client_page(&state, &who, id).await, StatusCode::OK)
}

async fn client_page<S: Store>(state: &AppState<S>, who: &SignedIn, id: ClientId) -> Result<ClientPage, Error> {
    let kb = &state.knowledge;
    let v = &kb.vocabulary;
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let client = state.store.client(clinic.id, id).await?.ok_or_else(|| Error::not_found("client"))?;
    // Shown only once the read is in the audit trail.
    crate::audit::read(state, &who.staff, &who.address, id).await?;
    let label = |table: &str, code: &str| -> String {
        let found = match table {
            "goal" => v.goals.by_code(code).map(|x| x.label.clone()),
            "condition" => v.conditions.by_code(code).map(|x| x.label.clone()),
            "area" => v.areas.by_code(code).map(|x| x.label.clone()),
            _ => v.massage_types.by_code(code).map(|x| x.label.clone()),
        };
        found.unwrap_or_else(|| code.to_owned())
    };

    let mut intake = Vec::new();
    let (mut screening, mut outcome, mut suggestions, mut pressure) =
        (Vec::new(), String::new(), Vec::new(), String::new());
    if let Some(stored) = state.store.latest_intake(clinic.id, id).await? {
        let doc: IntakeDoc = serde_json::from_str(&stored.body).map_err(|e| Error::internal("reading an intake", e))?;
        intake.push(("Goals".to_owned(), doc.goals.iter().map(|g| label("goal", g)).collect::<Vec<_>>().join(", ")));
        intake.push((
            "Conditions".to_owned(),
            doc.conditions
                .iter()
                .map(|c| {
                    let areas = c.areas.as_ref().filter(|a| !a.is_empty()).map(|a| {
                        format!(
                            " ({})",
                            a.iter().map(|x| label("area", x).to_lowercase()).collect::<Vec<_>>().join(", ")
                        )
                    });
                    format!("{}{}", label("condition", &c.code), areas.unwrap_or_default())
                })
                .collect::<Vec<_>>()
                .join("; "),
        ));
        intake.push(("First massage ever".to_owned(), if doc.first_massage { "yes" } else { "no" }.to_owned()));
        intake.push(("Recorded".to_owned(), local_time(stored.created_at, &clinic.timezone)));
        if let Some(latest) = crate::service::intake::latest_recommendation(state, clinic.id, id).await? {
            let r = &latest.recommendation;
            outcome = serde_json::to_value(r.screening.outcome)
                .ok()
                .and_then(|x| x.as_str().map(str::to_owned))
                .unwrap_or_default();
            screening = r.screening.items.iter().map(|i| i.note.to_owned()).collect();
            suggestions = r.types.iter().map(|t| format!("{}: {}", t.label, t.reasons.join(" "))).collect();
            pressure = match r.pressure {
                Some(p) => format!("{p}. {}", r.pressure_reasons.join(" ")),
                None => r.pressure_reasons.join(" "),
            };
        }
    }

    let mut sessions = Vec::new();
    let mut points: Vec<(i64, u8, care::Level, bool)> = Vec::new();
    let mut starts: Vec<i64> = Vec::new();
    let staff = state.store.staff_of_clinic(clinic.id).await?;
    for s in state.store.sessions_of_client(clinic.id, id, None, u32::MAX).await? {
        starts.push(s.ended_at.0);
        let mut check_ins = Vec::new();
        for c in state.store.check_ins_of_session(clinic.id, s.id).await? {
            // Every check-in at `therapist` or above raised an alert in its own transaction.
            let alerted = c.level != care::Level::SelfCare;
            if let Some(soreness) = c.soreness {
                points.push((c.submitted_at.0, soreness, c.level, alerted));
            }
            check_ins.push(CheckInLine {
                when: local_time(c.submitted_at, &clinic.timezone),
                level: c.level,
                answer: Answer::of(&state.knowledge, &c),
            });
        }
        let mut messages = Vec::new();
        for f in state.store.follow_ups_of_session(clinic.id, s.id).await? {
            for m in state.store.messages_of_follow_up(clinic.id, f.id).await? {
                messages.push(message_line(&m, &clinic.timezone));
            }
        }
        sessions.push(SessionView {
            messages,
            techniques: s.techniques.join(", "),
            notes: s.notes.clone().filter(|n| !n.trim().is_empty()),
            recorded_by: staff
                .iter()
                .find(|x| x.id == s.staff_id)
                .map_or_else(|| "staff".to_owned(), |x| x.name.clone()),
            when: local_time(s.ended_at, &clinic.timezone),
            what: format!("{}, {} pressure", label("type", &s.massage_type), s.pressure),
            areas: s.areas.iter().map(|a| label("area", a).to_lowercase()).collect::<Vec<_>>().join(", "),
            check_ins,
        });
    }
    sessions.reverse();
    let feedback = state
        .store
        .feedback_of_client(clinic.id, id)
        .await?
        .iter()
        .map(|f| {
            let rating = f.rating.map(|r| format!("{r} of 5")).unwrap_or_else(|| "no rating".to_owned());
            format!(
                "{}: {rating}{}",
                local_time(f.created_at, &clinic.timezone),
                f.comment.as_ref().map(|c| format!(", “{c}”")).unwrap_or_default()
            )
        })
        .collect();
    let language = match client.language.as_deref().and_then(|l| state.languages.get(l)) {
        Some(l) => format!("pages and messages in {}", l.name),
        None => "language not known: pages in their browser's, messages in English".to_owned(),
    };
    Ok(ClientPage {
        language,
        erased: client.name == store::ERASED_NAME && client.email.is_none() && client.phone.is_none(),
        opted_out: client.opted_out_at.map(|t| local_time(t, &clinic.timezone)),
        feedback,
        layout: layout(who, &clinic, &client.name),
        client,
        intake,
        screening,
        outcome,
        suggestions,
        pressure,
        sessions,
        chart: soreness_chart(&points, &starts),
    })
}

/// The client's soreness over time as an SVG: one point per check-in coloured by its level,
/// a ring around those that raised an alert, and a dashed line at each session.
pub fn soreness_chart(points: &[(i64, u8, care::Level, bool)], sessions: &[i64]) -> String {
    let (w, h, left, top, bottom) = (640.0, 220.0, 34.0, 12.0, 28.0);
    let (Some(first), Some(last)) = (
        sessions.iter().chain(points.iter().map(|p| &p.0)).min().copied(),
        sessions.iter().chain(points.iter().map(|p| &p.0)).max().copied(),
    ) else {
        return String::new();
    };
    let span = (last - first).max(3_600_000) as f64;
    let x = |t: i64| left + (t - first) as f64 / span * (w - left - 12.0);
    let y = |s: u8| top + (10.0 - f64::from(s)) / 10.0 * (h - top - bottom);
    let colour = |level: &care::Level| match level {
        care::Level::Emergency => "#b42318",
        care::Level::Doctor => "#b54708",
        care::Level::Therapist => "#1d4ed8",
        care::Level::SelfCare => "#1f7a4d",
    };
    let mut svg = format!(
        "<svg role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {w} {h}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">Soreness 0 to 10 at each check-in</title>"
    );
    for s in [0u8, 5, 10] {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"4\" y=\"{:.1}\" font-size=\"11\" fill=\"#52606d\">{s}</text>",
            w - 12.0,
            y(s) + 4.0,
            y = y(s)
        );
    }
    for t in sessions {
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{}\" stroke=\"#9aa5b1\" stroke-dasharray=\"4 3\"/>",
            h - bottom,
            x = x(*t)
        );
    }
    let path: Vec<String> = points.iter().map(|(t, s, _, _)| format!("{:.1},{:.1}", x(*t), y(*s))).collect();
    if path.len() > 1 {
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"1.5\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    for (t, s, level, alerted) in points {
        let (cx, cy) = (x(*t), y(*s));
        let _ = write!(
            svg,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"5\" fill=\"{}\"><title>soreness {s}, {level}</title></circle>",
            colour(level)
        );
        if *alerted {
            let _ = write!(
                svg,
                "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"9\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                colour(level)
            );
        }
    }
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{}\" font-size=\"11\" fill=\"#52606d\">dashed lines: sessions · rings: alerts</text></svg>",
        h - 8.0
    );
    svg
}

#[derive(Template)]
#[template(path = "staff/intake_link.html")]
struct IntakeLinkPage {
    layout: Layout,
    client_id: ClientId,
    client_name: String,
    url: String,
    qr: String,
}

/// `POST /clients/{id}/intake-link`: a link for this client to fill in their intake (once).
pub async fn intake_link<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ClientId>,
    StaffForm { who, .. }: StaffForm,
) -> Response {
    let result: Result<IntakeLinkPage, Error> = async {
        let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
        let client = state.store.client(clinic.id, id).await?.ok_or_else(|| Error::not_found("client"))?;
        let url = crate::client_intake::new_link(&state, clinic.id, Some(client.id)).await?;
        crate::audit::changed(&state, &who.staff, &who.address, Some(client.id), store::AuditAction::IntakeLink, "")
            .await;
        Ok(IntakeLinkPage {
            layout: layout(&who, &clinic, "Intake link"),
            client_id: client.id,
            client_name: client.name,
            qr: crate::render::qr_svg(&url, "QR code of the intake link"),
            url,
        })
    }
    .await;
    respond(result, StatusCode::CREATED)
}

/// A download of one client's record: owner only, in the audit trail as `what`, saved by the
/// browser as `file`.
async fn client_download<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    id: ClientId,
    what: &str,
    (content_type, file): (&'static str, String),
    body: impl std::future::Future<Output = Result<String, Error>>,
) -> Response {
    if who.staff.role != store::Role::Owner {
        return Error::forbidden("only the clinic's owner may hand over or export a client's record").into_response();
    }
    match body.await {
        Ok(body) => {
            crate::audit::changed(state, &who.staff, &who.address, Some(id), store::AuditAction::Export, what).await;
            let disposition = format!("attachment; filename=\"{file}\"");
            let headers = [
                (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ];
            (headers, body).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /clients/{id}/data.json`: everything recorded about the client, as the API answers
/// their record with every session, for the owner to hand to the client who asks for it
/// (the right of access). The download is in the audit trail.
pub async fn data<S: Store>(State(state): State<AppState<S>>, who: SignedIn, PathId(id): PathId<ClientId>) -> Response {
    let body = async {
        let record = crate::service::client::record(&state, who.staff.clinic_id, id, u32::MAX - 1, None).await?;
        serde_json::to_string_pretty(&record).map_err(|e| Error::internal("writing a client's data", e))
    };
    let file = ("application/json", format!("aftercare-client-{id}.json"));
    client_download(&state, &who, id, "the client's data", file, body).await
}

/// `GET /clients/{id}/fhir.json`: the client's record as a FHIR R4 bundle, for the owner
/// (for another health system, or the client who asks for their data); in the audit trail.
pub async fn fhir<S: Store>(State(state): State<AppState<S>>, who: SignedIn, PathId(id): PathId<ClientId>) -> Response {
    let body = crate::service::fhir::client_bundle(&state, who.staff.clinic_id, id);
    let file = ("application/fhir+json", format!("aftercare-client-{id}-fhir.json"));
    client_download(&state, &who, id, "the client's record as FHIR", file, body).await
}

/// `POST /clients/{id}/erase`: the owner erases the client's data when the client asks
/// (the right to erasure), once `confirm` holds the client's name as shown.
pub async fn erase<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ClientId>,
    StaffForm { who, fields }: StaffForm,
) -> Response {
    if who.staff.role != store::Role::Owner {
        return Error::forbidden("only the clinic's owner may erase a client's data").into_response();
    }
    let result = async {
        let client = state.store.client(who.staff.clinic_id, id).await?.ok_or_else(|| Error::not_found("client"))?;
        let typed = fields.one("confirm").unwrap_or_default().trim();
        if !typed.eq_ignore_ascii_case(client.name.trim()) {
            return Err(Error::invalid("confirm", "Type the client's name as it is shown, to confirm the erasure"));
        }
        let done = crate::service::client::erase(&state, who.staff.clinic_id, id).await?;
        let what = format!("{} message files removed", done.files_removed);
        crate::audit::changed(&state, &who.staff, &who.address, Some(id), store::AuditAction::EraseClient, what).await;
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/clients/{id}")).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /clients/{id}/messages`: stops (`action=stop`) or resumes (`action=resume`) the
/// client's messages, as the client asked.
pub async fn messages<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ClientId>,
    StaffForm { who, fields }: StaffForm,
) -> Response {
    let result = async {
        let at = match fields.one("action") {
            Some("stop") => Some(state.clock.now()),
            Some("resume") => None,
            _ => return Err(Error::invalid("action", "must be stop or resume")),
        };
        state
            .store
            .set_client_opted_out(who.staff.clinic_id, id, at)
            .await?
            .ok_or_else(|| Error::not_found("client"))?;
        let done = if at.is_some() { "messages stopped" } else { "messages resumed" };
        crate::audit::changed(&state, &who.staff, &who.address, Some(id), store::AuditAction::ClientMessages, done)
            .await;
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/clients/{id}")).into_response(),
        Err(e) => e.into_response(),
    }
}
