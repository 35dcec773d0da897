//! The optional second factor: a member sets up an authenticator app (a QR code, or its
//! secret typed in) and gets ten one-time recovery codes; at sign-in, after the right
//! password, a code from the app or a recovery code completes the sign-in. An owner can
//! require it of the whole clinic. Codes are taken once each (the store keeps the last
//! time step), and wrong codes count like failed sign-ins.

use crate::AppState;
use crate::error::Error;
use crate::extract::{Fields, StaffForm};
use crate::secret::hash_secret;
use crate::staff::auth::{SESSION_HOURS, SignedIn, public_form, safe_next, session_cookie, session_token};
use crate::staff::view::{Layout, render};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::totp;
use std::net::SocketAddr;
use store::{Redacted, Staff, Store};

#[derive(Template)]
#[template(path = "staff/sign_in_code.html")]
struct CodePage {
    layout: Layout,
    next: String,
    csrf: String,
    error: Option<String>,
}

/// The pending sign-in of a request: who, and the session's CSRF token.
async fn pending<S: Store>(state: &AppState<S>, headers: &HeaderMap) -> Result<Option<(Staff, String)>, Error> {
    let Some(token) = session_token(headers) else { return Ok(None) };
    let found = state.store.staff_session(&hash_secret(&token), state.clock.now()).await?;
    Ok(found.filter(|(_, s)| s.second_factor_pending).map(|(staff, s)| (staff, s.csrf_token.into_inner())))
}

/// `?next=` of the code page.
#[derive(Debug, serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /sign-in/code`: the second step of signing in.
pub async fn code_page<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    match pending(&state, &headers).await {
        Ok(Some((_, csrf))) => {
            let page = CodePage {
                layout: Layout::signed_out("Sign in: your code"),
                next: safe_next(q.next.as_deref()),
                csrf,
                error: None,
            };
            render(&page, StatusCode::OK)
        }
        Ok(None) => Redirect::to("/sign-in").into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether `typed` is the member's code now, or one of their unused recovery codes; either
/// is taken for good.
async fn take_code<S: Store>(state: &AppState<S>, staff: &Staff, typed: &str) -> Result<bool, Error> {
    let now = state.clock.now();
    let secret = staff.totp_secret.as_ref().map(|s| s.expose().clone()).unwrap_or_default();
    if let Some(step) = totp::verify(&secret, typed, now.0) {
        return Ok(state.store.take_totp_step(staff.clinic_id, staff.id, step).await?);
    }
    let recovery = totp::normalise_recovery_code(typed);
    if recovery.len() != 12 {
        return Ok(false);
    }
    Ok(state.store.use_recovery_code(staff.clinic_id, staff.id, &hash_secret(&recovery), now).await?)
}

/// `POST /sign-in/code`: `code` (six digits from the app, or a recovery code), `csrf`, `next`.
pub async fn submit_code<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let address = match public_form(&state, &headers, peer, crate::rate_limit::Budget::SignIn) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let now = state.clock.now();
    let fields = Fields::parse(&body);
    let next = safe_next(fields.one("next"));
    let (staff, csrf) = match pending(&state, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return Redirect::to("/sign-in").into_response(),
        Err(e) => return e.into_response(),
    };
    if fields.one("csrf") != Some(csrf.as_str()) {
        return Error::forbidden("this form has expired; sign in again").into_response();
    }
    let taken = match take_code(&state, &staff, fields.one("code").unwrap_or_default()).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    if !taken {
        let _ = state.rate_limiter.check(crate::rate_limit::Budget::SignIn, &address, now.0);
        let page = CodePage {
            layout: Layout::signed_out("Sign in: your code"),
            next,
            csrf,
            error: Some(
                "That code is not right, or was already used. Type the code your app shows now, or a recovery code."
                    .to_owned(),
            ),
        };
        return render(&page, StatusCode::UNAUTHORIZED);
    }
    let token = session_token(&headers).unwrap_or_default();
    match state.store.complete_second_factor(&hash_secret(&token), now, now.plus_hours(SESSION_HOURS)).await {
        Ok(true) => {
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &token, SESSION_HOURS * 3600));
            response
        }
        Ok(false) => Redirect::to("/sign-in").into_response(),
        Err(e) => Error::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "staff/two_factor.html")]
struct SetupPage {
    layout: Layout,
    /// On: how many recovery codes are left.
    on: Option<u32>,
    /// Whether the clinic requires it (then it cannot be turned off).
    required: bool,
    /// Off: the new secret to set up, its QR code (SVG) and the app's address.
    secret: String,
    qr: String,
    /// Recovery codes just made, shown once.
    codes: Vec<String>,
    error: Option<String>,
}

async fn setup_page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    codes: Vec<String>,
    error: Option<String>,
    secret: Option<String>,
) -> Result<SetupPage, Error> {
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let staff = state.store.staff_in_clinic(clinic.id, who.staff.id).await?.ok_or_else(|| Error::not_found("staff"))?;
    let on = match staff.totp_secret {
        Some(_) => Some(state.store.recovery_codes_left(clinic.id, staff.id).await?),
        None => None,
    };
    let secret = if on.is_some() { String::new() } else { secret.unwrap_or_else(totp::new_secret) };
    let qr = if secret.is_empty() {
        String::new()
    } else {
        crate::render::qr_svg(
            &totp::setup_uri(&secret, &format!("Aftercare ({})", clinic.name), &staff.email),
            "QR code to scan with an authenticator app",
        )
    };
    Ok(SetupPage {
        layout: Layout::signed_in(who, &clinic, "Two-step sign-in", "account"),
        on,
        required: clinic.require_two_factor,
        secret,
        qr,
        codes,
        error,
    })
}

/// `GET /account/two-factor`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn) -> Response {
    crate::render::respond(setup_page(&state, &who, Vec::new(), None, None).await, StatusCode::OK)
}

/// Ten new recovery codes, and their hashes for the store.
fn recovery_codes() -> (Vec<String>, Vec<Vec<u8>>) {
    let codes: Vec<String> = (0..totp::RECOVERY_CODES).map(|_| totp::new_recovery_code()).collect();
    let hashes = codes.iter().map(|c| hash_secret(&totp::normalise_recovery_code(c))).collect();
    (codes, hashes)
}

/// `POST /account/two-factor`: `action` is `on` (with the `secret` shown and a `code` from
/// the app), `codes` (new recovery codes, with a `code`) or `off` (with a `code`).
pub async fn change<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    StaffForm { who, fields }: StaffForm,
) -> Response {
    let now = state.clock.now();
    let address = peer.ip().to_string();
    if state.rate_limiter.over_limit(crate::rate_limit::Budget::SignIn, &address, now.0) {
        return crate::rate_limit::too_many(crate::rate_limit::WINDOW_MS / 1000);
    }
    let result = apply(&state, &who, &fields).await;
    let (codes, problem, secret, what) = match result {
        Ok((codes, what)) => (codes, None, None, Some(what)),
        Err(Change::Fix(problem, secret)) => {
            let _ = state.rate_limiter.check(crate::rate_limit::Budget::SignIn, &address, now.0);
            (Vec::new(), Some(problem), secret, None)
        }
        Err(Change::Failed(e)) => return e.into_response(),
    };
    if let Some(what) = what {
        crate::audit::changed(&state, &who.staff, &who.address, None, store::AuditAction::TwoFactor, what).await;
    }
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    crate::render::respond(setup_page(&state, &who, codes, problem, secret).await, status)
}

enum Change {
    /// Something the member can fix, and the secret being set up, to keep the same QR code.
    Fix(String, Option<String>),
    Failed(Error),
}

impl From<store::StoreError> for Change {
    fn from(e: store::StoreError) -> Change {
        Change::Failed(e.into())
    }
}

const WRONG_CODE: &str = "That code is not right. Type the six digits your app shows now.";

async fn apply<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    fields: &Fields,
) -> Result<(Vec<String>, &'static str), Change> {
    let (clinic, me) = (who.staff.clinic_id, who.staff.id);
    let now = state.clock.now();
    let typed = fields.one("code").unwrap_or_default();
    match fields.one("action") {
        Some("on") => {
            let secret = fields.one("secret").unwrap_or_default().to_owned();
            if totp::from_base32(&secret).is_none_or(|b| b.len() != 20) {
                return Err(Change::Fix("Start again from this page.".to_owned(), None));
            }
            let Some(step) = totp::verify(&secret, typed, now.0) else {
                return Err(Change::Fix(WRONG_CODE.to_owned(), Some(secret)));
            };
            let (codes, hashes) = recovery_codes();
            state.store.set_two_factor(clinic, me, Some(Redacted::new(secret)), &hashes).await?;
            state.store.take_totp_step(clinic, me, step).await?;
            Ok((codes, "turned two-step sign-in on"))
        }
        Some(action @ ("codes" | "off")) => {
            let staff = state
                .store
                .staff_in_clinic(clinic, me)
                .await?
                .ok_or_else(|| Change::Failed(Error::not_found("staff")))?;
            let secret = staff.totp_secret.map(Redacted::into_inner).unwrap_or_default();
            let step = totp::verify(&secret, typed, now.0).ok_or_else(|| Change::Fix(WRONG_CODE.to_owned(), None))?;
            if !state.store.take_totp_step(clinic, me, step).await? {
                return Err(Change::Fix("That code was already used. Wait for the next one.".to_owned(), None));
            }
            if action == "codes" {
                let (codes, hashes) = recovery_codes();
                state.store.set_two_factor(clinic, me, Some(Redacted::new(secret)), &hashes).await?;
                state.store.take_totp_step(clinic, me, step).await?;
                return Ok((codes, "made new recovery codes"));
            }
            let required = state.store.clinic(clinic).await?.is_some_and(|c| c.require_two_factor);
            if required {
                return Err(Change::Fix("Your clinic requires two-step sign-in, so it stays on.".to_owned(), None));
            }
            state.store.set_two_factor(clinic, me, None, &[]).await?;
            Ok((Vec::new(), "turned two-step sign-in off"))
        }
        _ => Err(Change::Fix("Choose what to do.".to_owned(), None)),
    }
}
