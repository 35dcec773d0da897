//! The client's intake form, from a link: the clinic's public intake link (a new client fills
//! in who they are) or a link for one client (used once). Consent is required; the answers go
//! through the same checks as the staff's form, and nothing is stored from a form that fails.

use crate::AppState;
use crate::error::Error;
use crate::error_page::client_problem;
use crate::extract::Fields;
use crate::intake_form::{Choice, IntakeChoices, LocalCondition, choices, intake_answers};
use crate::language::PageLanguage;
use crate::render::{ClientFrame, page as render_page};
use crate::secret::{hash_secret, looks_like_link_token, new_link_token};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use care::knowledge::locale::Locale;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{ClientId, ClinicId, IntakeLink, NewClient, NewIntakeLink, Store, Timestamp};

/// How long a client's own intake link works, in hours.
pub const CLIENT_LINK_HOURS: i64 = 14 * 24;
/// How long the clinic's public intake link works, in hours (replace it any time).
pub const PUBLIC_LINK_HOURS: i64 = 365 * 24;

/// Makes a new intake link (public when `client_id` is none) and answers its address.
///
/// # Errors
/// When the client is not the clinic's, or the store fails.
pub async fn new_link<S: Store>(
    state: &AppState<S>,
    clinic_id: ClinicId,
    client_id: Option<ClientId>,
) -> Result<String, Error> {
    let token = new_link_token();
    let now = state.clock.now();
    let hours = if client_id.is_some() { CLIENT_LINK_HOURS } else { PUBLIC_LINK_HOURS };
    let link = NewIntakeLink {
        client_id,
        link_hash: store::Redacted::new(hash_secret(&token)),
        now,
        expires_at: now.plus_hours(hours),
    };
    state.store.create_intake_link(clinic_id, link).await?;
    Ok(format!("{}/i/{token}", state.base_url))
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    frame: ClientFrame,
    token: String,
    public: bool,
    name: String,
    email: String,
    phone: String,
    goals: Vec<Choice>,
    conditions: Vec<Choice>,
    local: Vec<LocalCondition>,
    pressures: Vec<Choice>,
    errors: Vec<String>,
    done: bool,
    /// Not today: what to do instead, when the answers screen `postpone`.
    postpone: Option<String>,
}

async fn link<S: Store>(state: &AppState<S>, token: &str) -> Result<(IntakeLink, store::Clinic), Error> {
    if !looks_like_link_token(token) {
        return Err(Error::not_found("link"));
    }
    let link = state
        .store
        .intake_link(&hash_secret(token), state.clock.now())
        .await?
        .ok_or_else(|| Error::not_found("link"))?;
    let clinic = state.store.clinic(link.clinic_id).await?.ok_or_else(|| Error::not_found("link"))?;
    Ok((link, clinic))
}

fn page(
    locale: &Arc<Locale>,
    clinic: &store::Clinic,
    token: &str,
    link: &IntakeLink,
    f: &Fields,
    errors: Vec<String>,
    done: bool,
) -> IntakePage {
    let IntakeChoices { goals, conditions, local, pressures } = choices(&locale.knowledge, f);
    IntakePage {
        frame: ClientFrame::of(locale, Some(clinic)),
        token: token.to_owned(),
        public: link.client_id.is_none(),
        name: f.one("name").unwrap_or_default().to_owned(),
        email: f.one("email").unwrap_or_default().to_owned(),
        phone: f.one("phone").unwrap_or_default().to_owned(),
        goals,
        conditions,
        local,
        pressures,
        errors,
        done,
        postpone: None,
    }
}

fn show(p: &IntakePage, status: StatusCode) -> Response {
    render_page(p, status)
}

fn problem(locale: &Arc<Locale>, e: &Error) -> Response {
    let (title, message) = match e.code() {
        "not_found" => ("link_broken", "intake_link_broken_text"),
        "unavailable" => ("cannot_save", "cannot_save_text"),
        _ => ("went_wrong", "went_wrong_text"),
    };
    client_problem(ClientFrame::of(locale, None), locale.word(title), locale.word(message), e.status())
}

/// `GET /i/{token}`.
pub async fn form<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLanguage(locale): PageLanguage,
    Path(token): Path<String>,
) -> Response {
    match link(&state, &token).await {
        Ok((l, clinic)) => show(&page(&locale, &clinic, &token, &l, &Fields::default(), vec![], false), StatusCode::OK),
        Err(e) => match crate::rate_limit::count_failure(&state, peer) {
            Some(limited) => limited,
            None => problem(&locale, &e),
        },
    }
}

/// `POST /i/{token}`.
pub async fn submit<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLanguage(locale): PageLanguage,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let (l, clinic) = match link(&state, &token).await {
        Ok(x) => x,
        Err(e) => {
            return match crate::rate_limit::count_failure(&state, peer) {
                Some(limited) => limited,
                None => problem(&locale, &e),
            };
        }
    };
    let kb = &locale.knowledge;
    let f = Fields::parse(&body);
    // The language of the client's messages: as chosen on the form, else the page's.
    let language = f.one("language").and_then(|c| state.languages.get(c)).unwrap_or(&locale).code.clone();
    let mut errors = Vec::new();
    let now: Timestamp = state.clock.now();
    let mut new_client = None;
    if l.client_id.is_none() {
        let name = domain::PersonName::parse(f.one("name").unwrap_or_default()).ok();
        if name.is_none() {
            errors.push(locale.word("error_name").to_owned());
        }
        let email = match f.one("email") {
            Some(e) => crate::fields::email(e).map(Some).unwrap_or_else(|p| {
                errors.push(p);
                None
            }),
            None => None,
        };
        let phone = match f.one("phone") {
            Some(p) => crate::fields::phone(p).map(Some).unwrap_or_else(|problem| {
                errors.push(problem);
                None
            }),
            None => None,
        };
        if f.one("email").is_none() && f.one("phone").is_none() {
            errors.push(locale.word("error_contact").to_owned());
        }
        // The browser fills in its time zone, so that messages keep to the client's daytime;
        // a value this server does not know is left out, and the clinic's is used.
        let timezone =
            f.one("timezone").and_then(|tz| domain::TimeZoneName::parse(tz).ok()).map(|tz| tz.as_str().to_owned());
        let name = name.map(domain::PersonName::into_string).unwrap_or_default();
        new_client =
            Some(NewClient { language: Some(language.clone()), name, email, phone, timezone, age_months: None, now });
    }
    if f.one("consent") != Some("yes") {
        errors.push(locale.word("error_consent").to_owned());
    }
    let tz = followup::window::time_zone(None, &clinic.timezone);
    let today = crate::time::local_date(now, &tz).unwrap_or_default();
    let answers = match intake_answers(&locale, &f, today) {
        Ok(a) => Some(a),
        Err(p) => {
            errors.push(p);
            None
        }
    };
    let (Some(answers), true) = (answers, errors.is_empty()) else {
        return show(&page(&locale, &clinic, &token, &l, &f, errors, false), StatusCode::UNPROCESSABLE_ENTITY);
    };
    // The public link makes a new client each time: limited per address.
    if l.client_id.is_none()
        && let Err(wait) =
            state.rate_limiter.check(crate::rate_limit::Budget::PublicIntake, &peer.ip().to_string(), now.0)
    {
        return crate::rate_limit::too_many(wait);
    }
    match state.store.intake_by_link(&l, new_client, answers.to_string(), now).await {
        Ok(Some(_)) => {
            if let Some(client) = l.client_id {
                // Best effort: the intake is saved; the language only words later messages.
                if let Err(e) = state.store.set_client_language(clinic.id, client, Some(&language)).await {
                    tracing::warn!(error = %e, "the client's language could not be saved");
                }
            }
            let mut done = page(&locale, &clinic, &token, &l, &Fields::default(), vec![], true);
            done.postpone = serde_json::from_value::<care::screening::IntakeDoc>(answers)
                .ok()
                .and_then(|doc| doc.validate(kb).ok())
                .and_then(|intake| care::screening::postpone_message(kb, &intake).map(str::to_owned));
            show(&done, StatusCode::OK)
        }
        Ok(None) => problem(&locale, &Error::not_found("link")),
        Err(e) => problem(&locale, &Error::from(e)),
    }
}
