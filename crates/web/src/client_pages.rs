//! The pages a client sees, with no account, from the link in their message: the check-in
//! form and its answer, the aftercare plan, and "Why am I sore after a massage?". Phone
//! first, printable, usable with a keyboard alone; every page lists the warning signs with
//! the clinic's emergency number and says that the product does not diagnose.

use crate::AppState;
use crate::check_in_form::{FormAnswers, REQUIRED_GROUPS, to_check_in};
use crate::error::{Error, Shown};
use crate::error_page::client_problem;
use crate::extract::{ClientLink, Fields};
use crate::language::PageLanguage;
use crate::render::{ClientFrame, page};
use crate::service::check_in::{CheckInOutcome, LinkContext, not_read_error, not_saved};
use crate::service::profile::{client_doc_of, contacts};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use care::Knowledge;
use care::codes::Level;
use care::knowledge::locale::Locale;
use std::sync::Arc;
use store::{CheckInId, ClinicId, Store};

/// The page for a link that does not work, still with the warning signs and, when the
/// clinic is known, its emergency number. A program that sent JSON reads the same error as
/// JSON (see [`crate::error_page`]).
pub async fn link_problem<S: Store>(
    state: &AppState<S>,
    locale: &Arc<Locale>,
    error: &Error,
    clinic_id: Option<ClinicId>,
) -> Response {
    let kb = &locale.knowledge;
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
    let unavailable = not_saved(number.as_deref());
    let call = number.clone().unwrap_or_else(|| locale.word("local_emergency_number").to_owned());
    let (title, message) = match error.code() {
        "link_expired" => ("link_expired", locale.word("link_expired_text").to_owned()),
        "not_found" => ("link_broken", locale.word("link_broken_text").to_owned()),
        "unavailable" => ("cannot_save", locale.fill("not_saved", &[("number", &call)])),
        _ => ("went_wrong", locale.word("went_wrong_text").to_owned()),
    };
    let frame = match &clinic {
        Some(c) => ClientFrame::of(locale, Some(c)),
        None => ClientFrame::with(locale, "Aftercare", number),
    };
    let mut response = client_problem(frame, locale.word(title), &message, error.status());
    let shown = if error.code() == "unavailable" { &unavailable } else { error };
    response.extensions_mut().insert(Shown {
        code: shown.code(),
        message: shown.message().to_owned(),
        field: shown.field().map(str::to_owned),
    });
    if error.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    }
    response
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
    frame: ClientFrame,
    token: String,
    session_line: String,
    ask_trend: bool,
    /// (value, words key) of each answer to "compared with last time".
    trends: Vec<(&'static str, &'static str)>,
    areas: Vec<AreaView>,
    groups: Vec<GroupView>,
    /// The first group's code, where the skip link goes.
    first_group: &'static str,
    /// An infant session: the form speaks to the parent about the baby.
    for_baby: bool,
    form: FormAnswers,
    errors: Vec<String>,
    /// Warning signs the note mentions and no box says: (code, question).
    note_questions: Vec<(String, String)>,
    /// The unit asked about when a temperature looked like the other scale.
    temperature_asked: Option<String>,
}

/// The words key of a group's question.
fn group_title(level: Level, for_baby: bool) -> &'static str {
    match (level, for_baby) {
        (Level::Emergency, false) => "group_emergency",
        (Level::Emergency, true) => "group_emergency_baby",
        (Level::Doctor, false) => "group_doctor",
        (Level::Doctor, true) => "group_doctor_baby",
        (Level::Therapist, _) => "group_therapist",
        (Level::SelfCare, _) => "group_self_care",
    }
}

/// A time's day in the clinic's time zone, written out in `locale` ("Monday 30 November").
fn day_name(locale: &Locale, at: store::Timestamp, timezone: &str) -> String {
    jiff::Timestamp::from_millisecond(at.0)
        .ok()
        .and_then(|t| jiff::tz::TimeZone::get(timezone).ok().map(|tz| t.to_zoned_datetime(tz)))
        .map(|z| locale.long_date(z.weekday().to_monday_one_offset() as u8, z.day() as u8, z.month() as u8))
        .unwrap_or_default()
}

fn session_line(locale: &Locale, ctx: &LinkContext) -> String {
    let kb = &locale.knowledge;
    let kind = kb.vocabulary.massage_types.by_code(&ctx.session.massage_type).map_or("", |t| t.label.as_str());
    let day = day_name(locale, ctx.session.ended_at, &ctx.clinic.timezone);
    locale.fill("session_line", &[("massage", &kind.to_lowercase()), ("day", &day)])
}

/// The conditions on the client's record that decide which signs the form asks (a
/// pregnancy's); `None` when nothing is on record, or it cannot be read: then every sign is
/// asked.
fn conditions_on_record<S: Store>(state: &AppState<S>, link: &ClientLink) -> Option<Vec<String>> {
    let ctx = &link.context;
    let (doc, _) = client_doc_of(&state.knowledge, &ctx.client, ctx.latest_intake.as_ref(), state.clock.now()).ok()?;
    doc.conditions
}

fn check_in_page(
    link: &ClientLink,
    conditions: Option<&[String]>,
    form: FormAnswers,
    problems: &[crate::check_in_form::FormProblem],
    extra: Vec<String>,
) -> CheckInPage {
    let (locale, ctx) = (&link.locale, &link.context);
    let v = &locale.knowledge.vocabulary;
    let for_baby = v.massage_types.by_code(&ctx.session.massage_type).is_some_and(|t| t.for_baby);
    let asked = |s: &care::vocabulary::Symptom| {
        if for_baby { s.baby_label.is_some() } else { s.asked_of(conditions) }
    };
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
            title: group_title(level, for_baby),
            required: REQUIRED_GROUPS.contains(&level),
            none_checked: form.none.iter().any(|n| n == level.code()),
            error: problems.iter().find(|p| p.group == Some(level)).map(|p| p.message.clone()),
            symptoms: v
                .symptoms
                .entries()
                .iter()
                .filter(|s| s.group == level && (asked(s) || form.symptoms.contains(&s.code)))
                .map(|s| SymptomView {
                    code: s.code.clone(),
                    label: if for_baby {
                        s.baby_label.clone().unwrap_or_else(|| s.label.clone())
                    } else {
                        s.label.clone()
                    },
                    hint: if for_baby { s.baby_hint.clone() } else { s.hint.clone() },
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
            Some(level) => format!("{} {}", locale.word(group_title(level, for_baby)), p.message),
            None => p.message.clone(),
        })
        .collect();
    errors.extend(extra);
    CheckInPage {
        frame: ClientFrame::of(locale, Some(&ctx.clinic)),
        token: link.token.clone(),
        session_line: session_line(locale, ctx),
        ask_trend: ctx.earlier.count > 0,
        trends: vec![("better", "trend_better"), ("same", "trend_same"), ("worse", "trend_worse")],
        areas,
        first_group: groups.first().map_or("emergency", |g| g.code),
        for_baby,
        groups,
        temperature_asked: problems.iter().find_map(|p| p.scale_asked.clone()),
        form,
        errors,
        note_questions: Vec::new(),
    }
}

/// The check-in form, a page for the client's browser.
#[utoipa::path(get, path = "/c/{token}", operation_id = "check_in_form", tag = "check-in",
    params(("token" = String, Path, description = "The link's token: 43 characters of URL-safe base64 (links made before: 64 hex digits)")),
    responses((status = 200, description = "The form", content_type = "text/html", body = String),
        (status = 404, description = "The link does not work", content_type = "text/html", body = String),
        (status = 410, description = "The link has expired", content_type = "text/html", body = String),
        (status = 429, description = "Too many links that do not work", content_type = "text/html", body = String)))]
pub async fn form<S: Store>(State(state): State<AppState<S>>, link: ClientLink) -> Response {
    let conditions = conditions_on_record(&state, &link);
    page(&check_in_page(&link, conditions.as_deref(), FormAnswers::default(), &[], vec![]), StatusCode::OK)
}

#[derive(Template)]
#[template(path = "check_in_result.html")]
struct ResultPage {
    check_in_id: CheckInId,
    frame: ClientFrame,
    token: String,
    level: Level,
    label: String,
    instruction: String,
    advice: Vec<String>,
    reasons: Vec<String>,
    alerted: bool,
    /// The group ("emergency" or "doctor") and "You wrote about …. If this is happening now:
    /// …" of each warning sign the note mentions, shown first.
    note_flags: Vec<(Level, String)>,
    /// Whether the clinic is told at once (not in the morning digest).
    told_now: bool,
    /// The urgent advice line's number, as a `tel:` link at `doctor`.
    urgent_number: Option<String>,
}

impl ResultPage {
    /// The page of a check-in's outcome.
    fn of(link: &ClientLink, outcome: CheckInOutcome) -> ResultPage {
        let (clinic, kb) = (&link.context.clinic, &link.locale.knowledge);
        let mut reasons: Vec<String> = outcome.fired.into_iter().map(|f| f.reason).collect();
        reasons.dedup();
        ResultPage {
            check_in_id: CheckInId(outcome.check_in_id),
            frame: ClientFrame::of_clinic(&link.locale, clinic, outcome.emergency_number),
            token: link.token.clone(),
            level: outcome.level,
            label: outcome.label,
            instruction: outcome.instruction,
            advice: outcome.advice,
            reasons,
            alerted: outcome.staff_told,
            note_flags: outcome.note_flags.into_iter().map(|n| (n.level, n.text)).collect(),
            told_now: outcome.staff_told_at_once,
            urgent_number: kb.country(&clinic.country).and_then(|c| c.urgent_advice.clone()),
        }
    }
}

/// The answer to a check-in over its link's or its address's limit: not saved, and what to
/// do now, with the emergency number (a page with the warning signs for a browser).
fn too_many_answers(link: &ClientLink, wait: i64, as_page: bool) -> Response {
    let (locale, clinic) = (&link.locale, &link.context.clinic);
    let call = locale
        .knowledge
        .country(&clinic.country)
        .map_or_else(|| locale.word("local_emergency_number").to_owned(), |c| c.emergency.clone());
    let message = locale.fill("too_many_answers_text", &[("number", &call)]);
    let mut response = if as_page {
        client_problem(
            ClientFrame::of(locale, Some(clinic)),
            locale.word("too_many_answers"),
            &message,
            StatusCode::TOO_MANY_REQUESTS,
        )
    } else {
        Error::too_many(message).into_response()
    };
    if let Ok(v) = header::HeaderValue::from_str(&wait.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The client's check-in. A form body (`application/x-www-form-urlencoded`) answers the HTML
/// page; any other body is read as this JSON. An answer the engine cannot read is kept, the
/// clinic told at once, and answered 422 naming the field; a database that cannot save
/// answers 503 with what to do now.
#[utoipa::path(post, path = "/c/{token}", operation_id = "check_in", tag = "check-in",
    params(("token" = String, Path, description = "The link's token: 43 characters of URL-safe base64 (links made before: 64 hex digits)")),
    request_body = crate::service::check_in::CheckInBody,
    responses((status = 200, description = "Triaged and saved: what to do now", body = CheckInOutcome), (status = 400, description = "The body is not the JSON expected", body = crate::error::ErrorBody),
        (status = 404, description = "Not found in the caller's clinic", body = crate::error::ErrorBody), (status = 410, description = "The link has expired", body = crate::error::ErrorBody),
        (status = 422, description = "A field is wrong; `field` names it", body = crate::error::ErrorBody), (status = 429, description = "Too many answers for now", body = crate::error::ErrorBody),
        (status = 503, description = "The database cannot save just now; nothing was saved", body = crate::error::ErrorBody)))]
pub async fn submit<S: Store>(
    State(state): State<AppState<S>>,
    link: ClientLink,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if let Err(wait) = crate::rate_limit::count_answer(&state, link.context.follow_up.id, link.peer) {
        return too_many_answers(&link, wait, is_form);
    }
    if is_form { submit_form(&state, &link, &body).await } else { submit_json(&state, &link, &body).await }
}

/// The JSON check-in: the outcome as it is, or the error naming the field.
async fn submit_json<S: Store>(state: &AppState<S>, link: &ClientLink, body: &Bytes) -> Response {
    let answer = async {
        let body = crate::api::json_body(body)?;
        crate::service::check_in::check_in(state, &link.context, body, &link.locale.knowledge).await
    };
    match answer.await {
        Ok(Ok(outcome)) => axum::Json(outcome).into_response(),
        Ok(Err(not_read)) => not_read_error(&not_read).into_response(),
        // Whatever could not be saved, the client hears what to do now.
        Err(e) if e.status() == StatusCode::SERVICE_UNAVAILABLE => {
            not_saved(state.write_health.numbers.of(link.context.clinic.id).as_deref()).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The note's warning signs that no box says: for each, "is this happening now?".
fn note_questions(locale: &Locale, form: &FormAnswers, ticked: &[String]) -> Vec<(String, String)> {
    let kb = &locale.knowledge;
    let ticked = kb.vocabulary.symptoms.set_of(ticked);
    let note = form.note.as_deref().unwrap_or_default();
    care::note::unreported_flags(kb, note, kb.vocabulary.close_symptoms(ticked))
        .into_iter()
        .map(|n| {
            let label = kb.vocabulary.symptoms.by_code(&n.code).map_or("", |s| s.label.as_str());
            (n.code.clone(), locale.fill("note_question", &[("phrase", &n.phrase), ("sign", label)]))
        })
        .collect()
}

/// The form's check-in: the result page, or the form again with what to change.
async fn submit_form<S: Store>(state: &AppState<S>, link: &ClientLink, body: &Bytes) -> Response {
    let locale = &link.locale;
    let form = FormAnswers::parse(body);
    let conditions = conditions_on_record(state, link);
    let conditions = conditions.as_deref();
    let check_in = match to_check_in(locale, &form) {
        Ok(c) => c,
        Err(problems) => {
            let again = check_in_page(link, conditions, form, &problems, vec![]);
            return page(&again, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    // The note is checked before the answer is sent: for each warning sign it mentions that
    // no box says, the client is asked whether it is happening now (care policy v1.2).
    if !form.note_checked {
        let questions = note_questions(locale, &form, check_in.symptoms.as_deref().unwrap_or_default());
        if !questions.is_empty() {
            let mut asked = check_in_page(link, conditions, form, &[], vec![]);
            asked.note_questions = questions;
            return page(&asked, StatusCode::OK);
        }
    }
    let clinic = &link.context.clinic;
    match crate::service::check_in::check_in(state, &link.context, check_in, &locale.knowledge).await {
        Ok(Ok(outcome)) => {
            remember_language(state, link).await;
            page(&ResultPage::of(link, outcome), StatusCode::OK)
        }
        Ok(Err(not_read)) => {
            // Kept and the clinic told; the client reads plain words, never a field's code.
            let number = not_read.emergency_number.as_deref().unwrap_or(locale.word("local_emergency_number"));
            let problems = crate::check_in_form::plain_problems(locale, &not_read.problems);
            let message = vec![
                locale.fill("error_not_read", &[("problems", &problems), ("clinic", &clinic.name), ("number", number)]),
            ];
            page(&check_in_page(link, conditions, form, &[], message), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = locale.word("error_part_not_read").to_owned();
            page(&check_in_page(link, conditions, form, &[], vec![message]), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => link_problem(state, locale, &e, Some(clinic.id)).await,
    }
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
    frame: ClientFrame,
    session_line: String,
    /// Whose plan it is, for the printed page.
    client_name: String,
    /// The check-in link as a QR code (SVG), and when it is due.
    qr: String,
    check_in_when: String,
    expect_title: String,
    expect_summary: String,
    expect_factors: Vec<String>,
    expect_course: Vec<String>,
    items: Vec<ItemView>,
    emergency_instruction: String,
    doctor_instruction: String,
}

fn dose(locale: &Locale, s: &care::knowledge::model::Stretch) -> String {
    let key = match (s.hold_seconds > 0, s.per_side) {
        (true, false) => "dose_hold",
        (true, true) => "dose_hold_sides",
        (false, false) => "dose_repeat",
        (false, true) => "dose_repeat_sides",
    };
    locale.fill(
        key,
        &[("seconds", &s.hold_seconds.to_string()), ("times", &s.repeat.to_string()), ("how_often", &s.how_often)],
    )
}

/// A client who answered a page in another language than their record's reads their
/// messages in it from now on.
async fn remember_language<S: Store>(state: &AppState<S>, link: &ClientLink) {
    let (client, code) = (&link.context.client, &link.locale.code);
    if client.language.as_deref() != Some(code.as_str())
        && let Err(e) = state.store.set_client_language(client.clinic_id, client.id, Some(code)).await
    {
        tracing::warn!(error = %e, "the client's language could not be saved");
    }
}

/// `GET /c/{token}/plan`: the aftercare plan of the link's session.
pub async fn plan<S: Store>(State(state): State<AppState<S>>, link: ClientLink) -> Response {
    let ctx = &link.context;
    match plan_page(&state, &link).await {
        Ok(p) => page(&p, StatusCode::OK),
        Err(e) => link_problem(&state, &link.locale, &e, Some(ctx.clinic.id)).await,
    }
}

async fn plan_page<S: Store>(state: &AppState<S>, link: &ClientLink) -> Result<PlanPage, Error> {
    let (ctx, locale) = (&link.context, &link.locale);
    let kb = &locale.knowledge;
    let (client_doc, _) = client_doc_of(&state.knowledge, &ctx.client, ctx.latest_intake.as_ref(), state.clock.now())?;
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
    let session = session.ok_or_else(|| Error::internal("the plan page", "a stored session no longer validates"))?;
    let products = crate::service::profile::products(state, ctx.clinic.id).await?;
    let plan = care::plan(kb, &session, &client_values, &products, contacts(kb, &ctx.clinic));
    let label = |code: &str| kb.vocabulary.areas.by_code(code).map_or(code.to_owned(), |a| a.label.to_lowercase());
    Ok(PlanPage {
        frame: ClientFrame::of_clinic(locale, &ctx.clinic, plan.emergency_number.map(str::to_owned)),
        session_line: session_line(locale, ctx),
        client_name: ctx.client.name.clone(),
        qr: crate::render::qr_svg(&format!("{}/c/{}", state.base_url, link.token), locale.word("qr_label")),
        check_in_when: locale
            .fill("check_in_from", &[("day", &day_name(locale, ctx.follow_up.due_at, &ctx.clinic.timezone))]),
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
                        for_areas: s
                            .for_areas
                            .iter()
                            .map(|a| label(a))
                            .collect::<Vec<_>>()
                            .join(&format!(" {} ", locale.word("and"))),
                        steps: s.stretch.steps.clone(),
                        dose: dose(locale, s.stretch),
                        caution: s.stretch.caution.clone(),
                    })
                    .collect(),
                products: i.products.iter().map(|p| ProductView { name: p.name.clone(), url: p.url.clone() }).collect(),
                grade_label: i.grade.label.clone(),
                grade_note: i.grade_note.unwrap_or(&i.grade.meaning).to_owned(),
            })
            .collect(),
        emergency_instruction: plan.emergency_instruction.clone(),
        doctor_instruction: plan.doctor_instruction.clone(),
    })
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
    frame: ClientFrame,
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
pub async fn why_sore<S: Store>(PageLanguage(locale): PageLanguage) -> Response {
    page(&why_sore_page(&locale.knowledge, ClientFrame::of(&locale, None)), StatusCode::OK)
}

/// `GET /c/{token}/why-sore`: the same page reached from a clinic's link, with the clinic's
/// name and emergency number.
pub async fn why_sore_of_link<S: Store>(State(_): State<AppState<S>>, link: ClientLink) -> Response {
    let frame = ClientFrame::of(&link.locale, Some(&link.context.clinic));
    page(&why_sore_page(&link.locale.knowledge, frame), StatusCode::OK)
}

fn why_sore_page(kb: &Knowledge, frame: ClientFrame) -> WhySorePage {
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
        frame,
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
pub async fn feedback<S: Store>(State(state): State<AppState<S>>, link: ClientLink, body: Bytes) -> Response {
    let ctx = &link.context;
    // Ten pieces of feedback an hour through one link are plenty.
    if let Err(wait) = state.rate_limiter.check(
        crate::rate_limit::Budget::Feedback,
        &ctx.follow_up.id.to_string(),
        state.clock.now().0,
    ) {
        return crate::rate_limit::too_many(wait);
    }
    let fields = Fields::parse(&body);
    let rating = fields.one("rating").and_then(|r| r.parse::<u8>().ok()).filter(|r| (1..=5).contains(r));
    let comment: Option<String> = fields.one("comment").map(|c| c.chars().take(2000).collect());
    let check_in = fields.one("check_in").and_then(|c| c.parse::<i64>().ok());
    let locale = &link.locale;
    let answer = |title: &str, message: &str, status: StatusCode| {
        client_problem(ClientFrame::of(locale, Some(&ctx.clinic)), locale.word(title), locale.word(message), status)
    };
    // Feedback belongs to a check-in of this link's session, and says something.
    let own = match check_in {
        Some(id) => state
            .store
            .check_in(ctx.clinic.id, CheckInId(id))
            .await
            .map(|c| c.is_some_and(|c| c.session_id == ctx.session.id)),
        None => Ok(false),
    };
    match (own, check_in) {
        (Ok(true), Some(id)) if rating.is_some() || comment.is_some() => {
            let new = store::NewFeedback { check_in_id: CheckInId(id), rating, comment, now: state.clock.now() };
            match state.store.add_feedback(ctx.clinic.id, new).await {
                Ok(_) => answer("thank_you", "feedback_thanks", StatusCode::OK),
                Err(e) => link_problem(&state, locale, &Error::from(e), Some(ctx.clinic.id)).await,
            }
        }
        (Ok(true), Some(_)) => answer("feedback_empty_title", "feedback_empty", StatusCode::UNPROCESSABLE_ENTITY),
        (Err(e), _) => link_problem(&state, locale, &Error::from(e), Some(ctx.clinic.id)).await,
        _ => link_problem(&state, locale, &Error::not_found("check-in"), Some(ctx.clinic.id)).await,
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
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
        let english = care::knowledge::locale::builtin_locale_files().remove(0);
        let languages = care::knowledge::locale::Languages::load(kb.clone(), &[english], &[]).unwrap();
        let page = why_sore_page(&kb, ClientFrame::with(languages.english(), "Calm", None));
        assert!(page.sources.contains(&checked.citation()), "a checked source is cited");
        assert!(!page.sources.contains(&unchecked.citation()), "an unchecked one is for staff only");
    }
}
