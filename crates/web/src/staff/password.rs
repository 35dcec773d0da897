//! Choosing a password through an e-mailed link: a new member's invitation, a reset asked
//! for on the sign-in page, or an owner requiring a member to choose their own. Each link
//! goes through the outbox, works once, and expires (a reset after an hour); asking for a
//! reset answers the same whether or not the address has an account.

use crate::AppState;
use crate::error::Error;
use crate::extract::Fields;
use crate::secret::{hash_secret, looks_like_secret, new_secret};
use crate::staff::account::{PASSWORD_MIN_CHARS, new_password_problem};
use crate::staff::auth::public_form;
use crate::staff::view::{Layout, render};
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use store::{NewPasswordLink, PasswordLink, PasswordPurpose, Redacted, StaffId, Store};

/// How long a reset link works, in hours.
pub const RESET_HOURS: i64 = 1;
/// How long an invitation works, in hours.
pub const INVITATION_HOURS: i64 = 72;

/// Makes a link for member `staff_id` of `clinic` and puts its e-mail in the outbox; with
/// `void_password`, their current password and sign-ins end now. `None` when the member is
/// not an active member of the clinic.
///
/// # Errors
/// When the store fails.
pub async fn send_link<S: Store>(
    state: &AppState<S>,
    clinic: store::ClinicId,
    staff_id: StaffId,
    purpose: PasswordPurpose,
    void_password: bool,
) -> Result<Option<PasswordLink>, Error> {
    let now = state.clock.now();
    let hours = match purpose {
        PasswordPurpose::Invitation => INVITATION_HOURS,
        PasswordPurpose::PasswordReset => RESET_HOURS,
    };
    let token = new_secret();
    let link = NewPasswordLink {
        staff_id,
        purpose,
        token_hash: Redacted::new(hash_secret(&token)),
        token: Redacted::new(token),
        idempotency_key: format!("{}-{}", purpose.code(), new_secret()),
        expires_at: now.plus_hours(hours),
        void_password,
        now,
    };
    Ok(state.store.create_password_link(clinic, link).await?)
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    layout: Layout,
    /// `forgot`, `asked`, `choose`, `chosen` or `gone`.
    step: &'static str,
    email: String,
    token: String,
    name: String,
    error: Option<String>,
    min_chars: usize,
    reset_hours: i64,
}

impl PasswordPage {
    fn new(step: &'static str, title: &str) -> PasswordPage {
        PasswordPage {
            layout: Layout::signed_out(title),
            step,
            email: String::new(),
            token: String::new(),
            name: String::new(),
            error: None,
            min_chars: PASSWORD_MIN_CHARS,
            reset_hours: RESET_HOURS,
        }
    }
}

/// `GET /password/forgot`.
pub async fn forgot_page() -> Response {
    render(&PasswordPage::new("forgot", "Forgot your password"), StatusCode::OK)
}

/// `POST /password/forgot`: `email`. The answer is the same whatever the address, and the
/// link is made after the answer, so that its time tells nothing either.
pub async fn forgot<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let address = match public_form(&state, &headers, peer, crate::rate_limit::Budget::PasswordLinks) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let now = state.clock.now();
    // Every ask counts, not only those that fail.
    if let Err(wait) = state.rate_limiter.check(crate::rate_limit::Budget::PasswordLinks, &address, now.0) {
        return crate::rate_limit::too_many(wait);
    }
    let fields = Fields::parse(&body);
    let email = fields.one("email").unwrap_or_default().to_lowercase();
    let Ok(email) = domain::Email::parse(&email) else {
        let mut page = PasswordPage::new("forgot", "Forgot your password");
        page.error = Some("Type the e-mail address you sign in with, such as ada@clinic.example.".to_owned());
        page.email = email;
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let shown = email.as_str().to_owned();
    let background = state.clone();
    tokio::spawn(async move {
        let found = background.store.staff_by_email(email.as_str()).await;
        if let Ok(Some(staff)) = found.as_ref()
            && staff.active
        {
            match send_link(&background, staff.clinic_id, staff.id, PasswordPurpose::PasswordReset, false).await {
                Ok(_) => {
                    let what = "to themselves, as they asked";
                    let action = store::AuditAction::PasswordLink;
                    crate::audit::changed(&background, staff, &address, None, action, what).await;
                }
                Err(e) => tracing::error!(cause = %crate::error::chain(&e), "a password link could not be made"),
            }
        } else if let Err(e) = found {
            tracing::error!(cause = %crate::error::chain(&e), "a password link could not be made");
        }
    });
    let mut page = PasswordPage::new("asked", "Check your e-mail");
    page.email = shown;
    render(&page, StatusCode::OK)
}

/// The link's page when it no longer works, and the try counted against the address.
fn gone<S: Store>(state: &AppState<S>, address: &str) -> Response {
    let _ = state.rate_limiter.check(crate::rate_limit::Budget::PasswordLinks, address, state.clock.now().0);
    render(&PasswordPage::new("gone", "This link does not work"), StatusCode::NOT_FOUND)
}

async fn link_of<S: Store>(state: &AppState<S>, token: &str) -> Result<Option<(PasswordLink, store::Staff)>, Error> {
    if !looks_like_secret(token) {
        return Ok(None);
    }
    Ok(state.store.password_link(&hash_secret(token), state.clock.now()).await?)
}

/// `GET /password/{token}`: the form to choose a password, while the link works.
pub async fn choose_page<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let address = peer.ip().to_string();
    if state.rate_limiter.over_limit(crate::rate_limit::Budget::PasswordLinks, &address, state.clock.now().0) {
        return crate::rate_limit::too_many(3600);
    }
    match link_of(&state, &token).await {
        Ok(Some((_, staff))) => {
            let mut page = PasswordPage::new("choose", "Choose your password");
            page.token = token;
            page.name = staff.name;
            page.email = staff.email;
            render(&page, StatusCode::OK)
        }
        Ok(None) => gone(&state, &address),
        Err(e) => e.into_response(),
    }
}

/// `POST /password/{token}`: `new` and `repeat`. The link is spent, the password set and
/// every sign-in of the member ended, in one transaction.
pub async fn choose<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let address = match public_form(&state, &headers, peer, crate::rate_limit::Budget::PasswordLinks) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let staff = match link_of(&state, &token).await {
        Ok(Some((_, staff))) => staff,
        Ok(None) => return gone(&state, &address),
        Err(e) => return e.into_response(),
    };
    // Passwords are taken as typed: spaces count.
    let raw = |name: &str| {
        form_urlencoded::parse(&body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    let (new, repeat) = (raw("new"), raw("repeat"));
    if let Some(problem) = new_password_problem(&new, &repeat, "") {
        let mut page = PasswordPage::new("choose", "Choose your password");
        page.token = token;
        page.name = staff.name;
        page.email = staff.email;
        page.error = Some(problem);
        return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hashed = match tokio::task::spawn_blocking(move || password_auth::generate_hash(new)).await {
        Ok(h) => h,
        Err(e) => return Error::internal("hashing a password", e).into_response(),
    };
    match state.store.use_password_link(&hash_secret(&token), Redacted::new(hashed), state.clock.now()).await {
        Ok(Some(staff)) => {
            let what = "through an e-mailed link";
            crate::audit::changed(&state, &staff, &address, None, store::AuditAction::ChangePassword, what).await;
            let mut page = PasswordPage::new("chosen", "Your password is set");
            page.email = staff.email;
            render(&page, StatusCode::OK)
        }
        Ok(None) => gone(&state, &address),
        Err(e) => Error::from(e).into_response(),
    }
}
