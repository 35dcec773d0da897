//! The pages a client sees, with no account, from the link in their message: the check-in
//! form and its answer, the aftercare plan, and "Why am I sore after a massage?". Phone
//! first, printable, usable with a keyboard alone; every page lists the warning signs with
//! the clinic's emergency number and says that the product does not diagnose.

use crate::AppState;
use crate::check_in::{follow_up, submit_check_in};
use crate::check_in_form::{FormAnswers, REQUIRED_GROUPS, to_check_in};
use crate::error::ApiError;
use crate::profile::{client_doc, contacts};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use care::Knowledge;
use care::codes::Level;
use serde_json::Value;
use std::net::SocketAddr;
use store::{FollowUp, Store};

/// A warning sign, as pages show it.
#[derive(Debug, Clone)]
pub struct Flag {
    /// `emergency` or `doctor`.
    pub level: &'static str,
    /// The sign in plain words.
    pub text: String,
}

/// The warning signs as pages show them.
pub fn flags(kb: &Knowledge) -> Vec<Flag> {
    care::triage::red_flags(kb).into_iter().map(|f| Flag { level: f.level.code(), text: f.text.to_owned() }).collect()
}

/// A page, or the error that rendering it failed.
pub fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal("rendering a page", e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "link_problem.html")]
struct LinkProblemPage {
    clinic_name: String,
    disclaimer: String,
    red_flags: Vec<Flag>,
    emergency_number: Option<String>,
    title: String,
    message: String,
}

/// A page that explains a problem, with the warning signs and, when known, the number.
pub fn problem_page(
    kb: &Knowledge,
    clinic: Option<&store::Clinic>,
    title: &str,
    message: &str,
    status: StatusCode,
) -> Response {
    let page = LinkProblemPage {
        clinic_name: clinic.map_or_else(|| "Aftercare".to_owned(), |c| c.name.clone()),
        disclaimer: kb.triage.disclaimer.clone(),
        red_flags: flags(kb),
        emergency_number: clinic.and_then(|c| kb.country(&c.country)).map(|c| c.emergency.clone()),
        title: title.to_owned(),
        message: message.to_owned(),
    };
    render(&page, status)
}

/// The page for a link that does not work, still with the warning signs and, when the
/// clinic is known, its emergency number.
async fn link_problem<S: Store>(state: &AppState<S>, error: &ApiError, clinic_id: Option<i64>) -> Response {
    let kb = &state.knowledge;
    let clinic = match clinic_id {
        Some(id) => state.store.clinic(id).await.ok().flatten(),
        None => None,
    };
    // A database that cannot answer: what to do now, with the clinic's emergency number (as
    // last read, when the database cannot give it now).
    let number = match &clinic {
        Some(c) => kb.country(&c.country).map(|c| c.emergency.clone()),
        None => clinic_id.and_then(|id| state.write_health.numbers.of(id)),
    };
    let unavailable = crate::check_in::not_saved(number.as_deref());
    let (title, message) = match error.code() {
        "link_expired" => {
            ("This link has expired", "Please contact your clinic if you still want to tell them how you are.")
        }
        "not_found" => (
            "This link does not work",
            "Check that you copied the whole link from your message, or contact your clinic.",
        ),
        "unavailable" => ("We cannot save answers just now", unavailable.message()),
        _ => ("Something went wrong", "Nothing was saved. Please try again in a moment."),
    };
    problem_page(kb, clinic.as_ref(), title, message, error.status())
}

/// An area on the form.
#[derive(Debug)]
struct AreaView {
    code: String,
    label: String,
    checked: bool,
}

/// A symptom on the form.
#[derive(Debug)]
struct SymptomView {
    code: String,
    label: String,
    hint: Option<String>,
    checked: bool,
    follow_up: Option<String>,
    follow_up_answer: Option<String>,
}

/// A group of symptoms on the form.
#[derive(Debug)]
struct GroupView {
    code: &'static str,
    title: &'static str,
    required: bool,
    none_checked: bool,
    error: Option<String>,
    symptoms: Vec<SymptomView>,
}

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    clinic_name: String,
    disclaimer: String,
    red_flags: Vec<Flag>,
    emergency_number: Option<String>,
    token: String,
    session_line: String,
    ask_trend: bool,
    trends: Vec<(&'static str, &'static str)>,
    areas: Vec<AreaView>,
    groups: Vec<GroupView>,
    form: FormAnswers,
    errors: Vec<String>,
    /// Warning signs the note mentions and no box says: (code, question).
    note_questions: Vec<(String, String)>,
    /// The unit asked about when a temperature looked like the other scale.
    temperature_asked: Option<String>,
}

fn group_title(level: Level) -> &'static str {
    match level {
        Level::Emergency => "Do you have any of these serious warning signs?",
        Level::Doctor => "Do you have any of these?",
        Level::Therapist => "And any of these?",
        Level::SelfCare => "Anything else that is common after a massage?",
    }
}

/// What a page needs to know about the link's session.
struct LinkContext {
    clinic: store::Clinic,
    session: store::Session,
    earlier_check_ins: u64,
}

async fn context<S: Store>(state: &AppState<S>, f: &FollowUp) -> Result<LinkContext, ApiError> {
    let clinic = state.store.clinic(f.clinic_id).await?.ok_or_else(|| ApiError::not_found("link"))?;
    if let Some(c) = state.knowledge.country(&clinic.country) {
        state.write_health.numbers.remember(clinic.id, &c.emergency);
    }
    let session = state.store.session(f.clinic_id, f.session_id).await?.ok_or_else(|| ApiError::not_found("link"))?;
    let earlier_check_ins = state.store.check_in_stats(f.clinic_id, f.session_id).await?.count;
    Ok(LinkContext { clinic, session, earlier_check_ins })
}

fn session_line(kb: &Knowledge, ctx: &LinkContext) -> String {
    let kind = kb.vocabulary.massage_types.by_code(&ctx.session.massage_type).map_or("massage", |t| t.label.as_str());
    let day = jiff::Timestamp::from_millisecond(ctx.session.ended_at.0)
        .ok()
        .and_then(|t| jiff::tz::TimeZone::get(&ctx.clinic.timezone).ok().map(|tz| t.to_zoned_datetime(tz)))
        .map(|z| z.strftime("%A %-d %B").to_string())
        .unwrap_or_default();
    format!("Your {} on {day}", kind.to_lowercase())
}

fn check_in_page(
    kb: &Knowledge,
    token: &str,
    ctx: &LinkContext,
    form: FormAnswers,
    problems: &[crate::check_in_form::FormProblem],
    extra: Vec<String>,
) -> CheckInPage {
    let v = &kb.vocabulary;
    let worked: Vec<&str> = ctx.session.areas.iter().map(String::as_str).collect();
    let mut areas: Vec<AreaView> = v
        .areas
        .entries()
        .iter()
        .map(|a| AreaView { code: a.code.clone(), label: a.label.clone(), checked: form.areas.contains(&a.code) })
        .collect();
    areas.sort_by_key(|a| !worked.contains(&a.code.as_str()));
    let mut groups: Vec<GroupView> = Level::ALL
        .iter()
        .rev()
        .map(|&level| GroupView {
            code: level.code(),
            title: group_title(level),
            required: REQUIRED_GROUPS.contains(&level),
            none_checked: form.none.iter().any(|n| n == level.code()),
            error: problems.iter().find(|p| p.group == Some(level)).map(|p| p.message.clone()),
            symptoms: v
                .symptoms
                .entries()
                .iter()
                .filter(|s| s.group == level)
                .map(|s| SymptomView {
                    code: s.code.clone(),
                    label: s.label.clone(),
                    hint: s.hint.clone(),
                    checked: form.symptoms.contains(&s.code),
                    follow_up: s.follow_up.as_ref().map(|f| f.question.clone()),
                    follow_up_answer: form.follow_ups.get(&s.code).cloned(),
                })
                .collect(),
        })
        .collect();
    groups.retain(|g| !g.symptoms.is_empty());
    let mut errors: Vec<String> = problems
        .iter()
        .map(|p| match p.group {
            Some(level) => format!("{} {}", group_title(level), p.message),
            None => p.message.clone(),
        })
        .collect();
    errors.extend(extra);
    let country = kb.country(&ctx.clinic.country);
    CheckInPage {
        clinic_name: ctx.clinic.name.clone(),
        disclaimer: kb.triage.disclaimer.clone(),
        red_flags: flags(kb),
        emergency_number: country.map(|c| c.emergency.clone()),
        token: token.to_owned(),
        session_line: session_line(kb, ctx),
        ask_trend: ctx.earlier_check_ins > 0,
        trends: vec![("better", "Better"), ("same", "About the same"), ("worse", "Worse")],
        areas,
        groups,
        temperature_asked: problems.iter().find_map(|p| p.scale_asked.clone()),
        form,
        errors,
        note_questions: Vec::new(),
    }
}

/// The follow-up of a link, or the page to answer instead: a link that does not work is
/// counted against the caller's address (see [`crate::rate_limit`]).
async fn open_link<S: Store>(state: &AppState<S>, token: &str, peer: SocketAddr) -> Result<FollowUp, Response> {
    match follow_up(state, token).await {
        Ok(f) => Ok(f),
        Err(e) => {
            // Only a link that does not work counts, not a database that cannot answer.
            if e.status() != StatusCode::SERVICE_UNAVAILABLE
                && let Some(limited) = crate::rate_limit::count_failure(state, peer)
            {
                return Err(limited);
            }
            // The link's clinic, for its emergency number: from the database, or as last seen.
            let clinic = match clinic_of_expired(state, token).await {
                Some(id) => Some(id),
                None => state.write_health.numbers.clinic_of_link(&crate::secret::hash_secret(token)),
            };
            Err(link_problem(state, &e, clinic).await)
        }
    }
}

/// `GET /c/{token}`: the check-in form.
pub async fn form<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let f = match open_link(&state, &token, peer).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    match context(&state, &f).await {
        Ok(ctx) => {
            render(&check_in_page(&state.knowledge, &token, &ctx, FormAnswers::default(), &[], vec![]), StatusCode::OK)
        }
        Err(e) => link_problem(&state, &e, Some(f.clinic_id)).await,
    }
}

async fn clinic_of_expired<S: Store>(state: &AppState<S>, token: &str) -> Option<i64> {
    if !crate::secret::looks_like_secret(token) {
        return None;
    }
    let hash = crate::secret::hash_secret(token);
    state.store.follow_up_by_link_hash(&hash).await.ok().flatten().map(|f| f.clinic_id)
}

#[derive(Template)]
#[template(path = "check_in_result.html")]
struct ResultPage {
    check_in_id: i64,
    clinic_name: String,
    disclaimer: String,
    red_flags: Vec<Flag>,
    emergency_number: Option<String>,
    token: String,
    level: String,
    label: String,
    instruction: String,
    advice: Vec<String>,
    reasons: Vec<String>,
    alerted: bool,
    /// The group ("emergency" or "doctor") and "You wrote about …. If this is happening now:
    /// …" of each warning sign the note mentions, shown first.
    note_flags: Vec<(String, String)>,
    /// Whether the clinic is told at once (not in the morning digest).
    told_now: bool,
    /// The urgent advice line's number, as a `tel:` link at `doctor`.
    urgent_number: Option<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// The answer to a check-in over its link's or its address's limit: not saved, and what to
/// do now, with the emergency number (a page with the warning signs for a browser).
async fn too_many_answers<S: Store>(state: &AppState<S>, f: &FollowUp, wait: i64, page: bool) -> Response {
    let kb = &state.knowledge;
    let clinic = state.store.clinic(f.clinic_id).await.ok().flatten();
    let call = clinic
        .as_ref()
        .and_then(|c| kb.country(&c.country))
        .map_or_else(|| "your local emergency number".to_owned(), |c| c.emergency.clone());
    let message = format!(
        "You have sent many answers in a short time, so this one was not saved. If you have any warning \
         sign, call {call} now. Otherwise phone your clinic, or send your answer again later."
    );
    let mut response = if page {
        problem_page(kb, clinic.as_ref(), "Too many answers for now", &message, StatusCode::TOO_MANY_REQUESTS)
    } else {
        ApiError::too_many(message).into_response()
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// `POST /c/{token}`: a form body answers the HTML page; any other body is the JSON API.
pub async fn submit<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        let f = match follow_up(&state, &token).await {
            Ok(f) => f,
            Err(e) if e.status() == StatusCode::SERVICE_UNAVAILABLE => {
                let numbers = &state.write_health.numbers;
                let clinic = numbers.clinic_of_link(&crate::secret::hash_secret(&token));
                return crate::check_in::not_saved(clinic.and_then(|c| numbers.of(c)).as_deref()).into_response();
            }
            Err(e) => return crate::rate_limit::count_failure(&state, peer).unwrap_or_else(|| e.into_response()),
        };
        if let Err(wait) = crate::rate_limit::count_answer(&state, f.id, peer) {
            return too_many_answers(&state, &f, wait, false).await;
        }
        let answer = async { submit_check_in(&state, &f, crate::api::json_body(&body)?).await }.await;
        return match answer {
            Ok(a) => axum::Json(a).into_response(),
            // Whatever could not be read or saved, the client hears what to do now.
            Err(e) if e.status() == StatusCode::SERVICE_UNAVAILABLE => {
                crate::check_in::not_saved(state.write_health.numbers.of(f.clinic_id).as_deref()).into_response()
            }
            Err(e) => e.into_response(),
        };
    }
    let f = match open_link(&state, &token, peer).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    if let Err(wait) = crate::rate_limit::count_answer(&state, f.id, peer) {
        return too_many_answers(&state, &f, wait, true).await;
    }
    let ctx = match context(&state, &f).await {
        Ok(ctx) => ctx,
        Err(e) => return link_problem(&state, &e, Some(f.clinic_id)).await,
    };
    let kb = &state.knowledge;
    let form = FormAnswers::parse(&body);
    let check_in = match to_check_in(kb, &form) {
        Ok(c) => c,
        Err(problems) => {
            return render(&check_in_page(kb, &token, &ctx, form, &problems, vec![]), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    // The note is checked before the answer is sent: for each warning sign it mentions that
    // no box says, the client is asked whether it is happening now (care policy v1.2).
    if !form.note_checked {
        let ticked = kb.vocabulary.symptoms.set_of(check_in.symptoms.as_deref().unwrap_or_default());
        let note = form.note.as_deref().unwrap_or_default();
        let questions: Vec<(String, String)> =
            care::note::unreported_flags(kb, note, kb.vocabulary.close_symptoms(ticked))
                .into_iter()
                .map(|n| {
                    let label = kb.vocabulary.symptoms.by_code(&n.code).map_or("", |s| s.label.as_str());
                    (n.code.clone(), format!("You wrote “{}”. Is this happening now: {label}?", n.phrase))
                })
                .collect();
        if !questions.is_empty() {
            let mut page = check_in_page(kb, &token, &ctx, form, &[], vec![]);
            page.note_questions = questions;
            return render(&page, StatusCode::OK);
        }
    }
    let answer = match crate::check_in::triage_and_store(&state, &f, check_in).await {
        Ok(Ok(a)) => a,
        Ok(Err(not_read)) => {
            // Kept and the clinic told; the client reads plain words, never a field's code.
            let message = vec![format!(
                "We could not read part of your answer: {}. We kept what you sent and told {}. Please check it and send again. If you have any warning sign below, call {} now.",
                crate::check_in_form::plain_problems(&not_read.problems),
                ctx.clinic.name,
                not_read.emergency_number.as_deref().unwrap_or("your local emergency number"),
            )];
            return render(&check_in_page(kb, &token, &ctx, form, &[], message), StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = "Part of your answer could not be read. Please check it and send again.".to_owned();
            return render(
                &check_in_page(kb, &token, &ctx, form, &[], vec![message]),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(e) => return link_problem(&state, &e, Some(f.clinic_id)).await,
    };
    let level = answer["level"].as_str().unwrap_or("emergency").to_owned();
    let page = ResultPage {
        check_in_id: answer["check_in_id"].as_i64().unwrap_or_default(),
        clinic_name: ctx.clinic.name.clone(),
        disclaimer: kb.triage.disclaimer.clone(),
        red_flags: flags(kb),
        emergency_number: answer["emergency_number"].as_str().map(str::to_owned),
        token,
        alerted: answer["staff_told"].as_bool().unwrap_or(true),
        note_flags: answer["note_flags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| Some((n["level"].as_str()?.to_owned(), n["text"].as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        told_now: answer["staff_told_at_once"].as_bool().unwrap_or(true),
        urgent_number: kb.country(&ctx.clinic.country).and_then(|c| c.urgent_advice.clone()),
        label: answer["label"].as_str().unwrap_or_default().to_owned(),
        instruction: answer["instruction"].as_str().unwrap_or_default().to_owned(),
        advice: strings(&answer["advice"]),
        reasons: answer["fired"]
            .as_array()
            .map(|f| {
                let mut r: Vec<String> = f.iter().filter_map(|x| x["reason"].as_str().map(str::to_owned)).collect();
                r.dedup();
                r
            })
            .unwrap_or_default(),
        level,
    };
    render(&page, StatusCode::OK)
}

/// A stretch on the plan page.
#[derive(Debug)]
struct StretchView {
    name: String,
    for_areas: String,
    steps: Vec<String>,
    dose: String,
    caution: Option<String>,
}

/// A product on the plan page.
#[derive(Debug)]
struct ProductView {
    name: String,
    url: Option<String>,
}

/// A plan item on the page.
#[derive(Debug)]
struct ItemView {
    title: String,
    text: Vec<String>,
    stretches: Vec<StretchView>,
    products: Vec<ProductView>,
    grade_label: String,
    grade_note: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    clinic_name: String,
    disclaimer: String,
    red_flags: Vec<Flag>,
    emergency_number: Option<String>,
    session_line: String,
    expect_title: String,
    expect_summary: String,
    expect_factors: Vec<String>,
    expect_course: Vec<String>,
    items: Vec<ItemView>,
    emergency_instruction: String,
    doctor_instruction: String,
}

fn dose(s: &care::knowledge::model::Stretch) -> String {
    let side = if s.per_side { " on each side" } else { "" };
    if s.hold_seconds > 0 {
        format!("Hold for {} seconds. Do it {} times{side}, {}.", s.hold_seconds, s.repeat, s.how_often)
    } else {
        format!("Do it {} times{side}, {}.", s.repeat, s.how_often)
    }
}

/// `GET /c/{token}/plan`: the aftercare plan of the link's session.
pub async fn plan<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let f = match open_link(&state, &token, peer).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let result: Result<PlanPage, (ApiError, Option<i64>)> = async {
        let ctx = context(&state, &f).await.map_err(|e| (e, Some(f.clinic_id)))?;
        let kb = &state.knowledge;
        let client = state
            .store
            .client(f.clinic_id, ctx.session.client_id)
            .await
            .map_err(|e| (e.into(), Some(f.clinic_id)))?
            .ok_or((ApiError::not_found("link"), Some(f.clinic_id)))?;
        let (client_doc, _) =
            client_doc(&state, &client, state.clock.now()).await.map_err(|e| (e, Some(f.clinic_id)))?;
        let mut errors = Vec::new();
        let session_doc = care::checkin::SessionDoc {
            massage_type: ctx.session.massage_type.clone(),
            pressure: ctx.session.pressure.clone(),
            areas: ctx.session.areas.clone(),
            first_massage: Some(ctx.session.first_massage),
            hard_exercise_before: None,
        };
        let session = session_doc.validate(&kb.vocabulary, "session", &mut errors);
        let client_values = client_doc.validate(&kb.vocabulary, "client", &mut errors);
        let session = session
            .ok_or((ApiError::internal("plan page", "a stored session no longer validates"), Some(f.clinic_id)))?;
        let products = crate::profile::products(&state, f.clinic_id).await.map_err(|e| (e, Some(f.clinic_id)))?;
        let plan = care::plan(kb, &session, &client_values, &products, contacts(kb, &ctx.clinic));
        let label = |code: &str| kb.vocabulary.areas.by_code(code).map_or(code.to_owned(), |a| a.label.to_lowercase());
        Ok(PlanPage {
            clinic_name: ctx.clinic.name.clone(),
            disclaimer: kb.triage.disclaimer.clone(),
            red_flags: flags(kb),
            emergency_number: plan.emergency_number.map(str::to_owned),
            session_line: session_line(kb, &ctx),
            expect_title: plan.expect.title.to_owned(),
            expect_summary: plan.expect.summary.to_owned(),
            expect_factors: plan.expect.factors.iter().map(|s| (*s).to_owned()).collect(),
            expect_course: plan.expect.course.to_vec(),
            items: plan
                .items
                .iter()
                .map(|i| ItemView {
                    title: i.title.to_owned(),
                    text: i.text.iter().map(|t| (*t).to_owned()).collect(),
                    stretches: i
                        .stretches
                        .iter()
                        .map(|s| StretchView {
                            name: s.stretch.name.clone(),
                            for_areas: s.for_areas.iter().map(|a| label(a)).collect::<Vec<_>>().join(" and "),
                            steps: s.stretch.steps.clone(),
                            dose: dose(s.stretch),
                            caution: s.stretch.caution.clone(),
                        })
                        .collect(),
                    products: i
                        .products
                        .iter()
                        .map(|p| ProductView { name: p.name.clone(), url: p.url.clone() })
                        .collect(),
                    grade_label: i.grade.label.clone(),
                    grade_note: i.grade_note.unwrap_or(&i.grade.meaning).to_owned(),
                })
                .collect(),
            emergency_instruction: plan.emergency_instruction.clone(),
            doctor_instruction: plan.doctor_instruction.clone(),
        })
    }
    .await;
    match result {
        Ok(page) => render(&page, StatusCode::OK),
        Err((e, clinic)) => link_problem(&state, &e, clinic.or(clinic_of_expired(&state, &token).await)).await,
    }
}

/// An item on the "why am I sore" page.
#[derive(Debug)]
struct WhyItem {
    title: String,
    text: Vec<String>,
    grade_label: String,
    grade_note: String,
}

#[derive(Template)]
#[template(path = "why_sore.html")]
struct WhySorePage {
    clinic_name: String,
    disclaimer: String,
    red_flags: Vec<Flag>,
    emergency_number: Option<String>,
    usual: String,
    raised: String,
    course: Vec<String>,
    factors: Vec<String>,
    items: Vec<WhyItem>,
    sources: Vec<String>,
}

/// `GET /why-sore`: "Why am I sore after a massage?", general (care policy v1.2 section 5):
/// it speaks of "a first massage", never "your massage", shows each item's whole text with
/// its safety sentences, and cites only sources that were checked.
pub async fn why_sore<S: Store>(State(state): State<AppState<S>>) -> Response {
    render(&why_sore_page(&state.knowledge, "Aftercare".to_owned(), None), StatusCode::OK)
}

/// `GET /c/{token}/why-sore`: the same page reached from a clinic's link, with the clinic's
/// name and emergency number.
pub async fn why_sore_of_link<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let f = match open_link(&state, &token, peer).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let kb = &state.knowledge;
    match state.store.clinic(f.clinic_id).await {
        Ok(Some(clinic)) => {
            let number = kb.country(&clinic.country).map(|c| c.emergency.clone());
            render(&why_sore_page(kb, clinic.name, number), StatusCode::OK)
        }
        Ok(None) => link_problem(&state, &ApiError::not_found("link"), Some(f.clinic_id)).await,
        Err(e) => link_problem(&state, &ApiError::from(e), Some(f.clinic_id)).await,
    }
}

fn why_sore_page(kb: &Knowledge, clinic_name: String, emergency_number: Option<String>) -> WhySorePage {
    let e = &kb.plan.expect;
    let items: Vec<&care::knowledge::model::PlanItem> = kb.plan.items.iter().filter(|i| !i.for_baby).collect();
    let cited = e.sources.iter().chain(items.iter().flat_map(|i| i.sources.iter()));
    let mut sources: Vec<String> = Vec::new();
    // Citations not yet checked are for staff (`aftercare kb show`), never shown to clients.
    for s in cited.filter_map(|id| kb.source(id)).filter(|s| s.verified != "not_verified") {
        let c = s.citation();
        if !sources.contains(&c) {
            sources.push(c);
        }
    }
    WhySorePage {
        clinic_name,
        disclaimer: kb.triage.disclaimer.clone(),
        red_flags: flags(kb),
        emergency_number,
        usual: e.usual.clone(),
        raised: e.general_raised.clone(),
        course: e.course.clone(),
        factors: e.general_factors.clone(),
        items: items
            .iter()
            .map(|i| WhyItem {
                title: i.title.clone(),
                text: i.text.clone(),
                grade_label: kb.plan.grade(i.grade).label.clone(),
                grade_note: i.grade_note.clone().unwrap_or_else(|| kb.plan.grade(i.grade).meaning.clone()),
            })
            .collect(),
        sources,
    }
}

/// `POST /c/{token}/feedback`: `check_in`, `rating` (1 to 5), `comment`; shown to the clinic.
pub async fn feedback<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let f = match open_link(&state, &token, peer).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    // Ten pieces of feedback an hour through one link are plenty.
    if let Err(wait) =
        state.rate_limiter.check(crate::rate_limit::Budget::Feedback, &f.id.to_string(), state.clock.now().0)
    {
        return crate::rate_limit::too_many(wait);
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field =
        |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let rating = field("rating").and_then(|r| r.parse::<u8>().ok()).filter(|r| (1..=5).contains(r));
    let comment: Option<String> = field("comment").map(|c| c.chars().take(2000).collect());
    let check_in = field("check_in").and_then(|c| c.parse::<i64>().ok());
    // Feedback belongs to a check-in of this link's session, and says something.
    let own = match check_in {
        Some(id) => {
            state.store.check_in(f.clinic_id, id).await.map(|c| c.is_some_and(|c| c.session_id == f.session_id))
        }
        None => Ok(false),
    };
    let kb = &state.knowledge;
    let clinic = state.store.clinic(f.clinic_id).await.ok().flatten();
    let page =
        |title: &str, message: &str, status: StatusCode| problem_page(kb, clinic.as_ref(), title, message, status);
    match (own, check_in) {
        (Ok(true), Some(id)) if rating.is_some() || comment.is_some() => {
            let new = store::NewFeedback { check_in_id: id, rating, comment, now: state.clock.now() };
            match state.store.add_feedback(f.clinic_id, new).await {
                Ok(_) => page("Thank you", "Your clinic will read your feedback.", StatusCode::OK),
                Err(e) => link_problem(&state, &ApiError::from(e), Some(f.clinic_id)).await,
            }
        }
        (Ok(true), Some(_)) => page(
            "Nothing to send",
            "Choose a rating or write a comment, then send it.",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Err(e), _) => link_problem(&state, &ApiError::from(e), Some(f.clinic_id)).await,
        _ => link_problem(&state, &ApiError::not_found("check-in"), Some(f.clinic_id)).await,
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used)]
mod tests {
    use super::*;

    /// A citation not yet checked is never shown to clients (care policy v1.2 section 5).
    #[test]
    fn the_why_sore_page_cites_only_checked_sources() {
        let over = care::knowledge::KnowledgeFile {
            name: "plan.toml".into(),
            display: "clinic/plan.toml".into(),
            text: r#"
[[item]]
id = "water"
kind = "advice"
title = "Drink when you are thirsty"
text = ["Drink water when you feel thirsty."]
grade = "limited"
sources = ["wiltshire-2010", "nice-fever-under-5"]
"#
            .into(),
        };
        let kb = Knowledge::with_overrides(&[over]).unwrap_or_else(|e| panic!("{e}"));
        let unchecked = kb.source("nice-fever-under-5").expect("a built-in source");
        assert_eq!(unchecked.verified, "not_verified");
        let checked = kb.source("wiltshire-2010").expect("a built-in source");
        let page = why_sore_page(&kb, "Calm".to_owned(), None);
        assert!(page.sources.contains(&checked.citation()), "a checked source is cited");
        assert!(!page.sources.contains(&unchecked.citation()), "an unchecked one is for staff only");
    }
}
