//! Signing in and out, the signed-in staff member of a page request, and CSRF checks.

use crate::secret::{hash_secret, looks_like_secret, new_secret};
use crate::staff::view::{Layout, render};
use crate::{AppState, error::Error};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::{NewStaffSession, Staff, Store};

/// The session cookie's name.
pub const COOKIE: &str = "aftercare_session";
/// How long a sign-in lasts, in hours.
pub const SESSION_HOURS: i64 = 12;
/// How long a right password waits for its second factor, in minutes.
pub const SECOND_FACTOR_MINUTES: i64 = 10;
/// Where a member whose clinic requires a second factor sets theirs up.
pub const TWO_FACTOR_SETUP: &str = "/account/two-factor";

/// A signed-in staff member and their session's CSRF token.
#[derive(Clone)]
pub struct SignedIn {
    /// Who.
    pub staff: Staff,
    /// The token every form of the session carries.
    pub csrf: String,
    /// Where the request came from, for the audit trail.
    pub address: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn").field("staff", &self.staff).finish_non_exhaustive()
    }
}

/// Why a page request is not signed in.
#[derive(Debug)]
pub enum NotSignedIn {
    /// No valid session: go to the sign-in page.
    Redirect(String),
    /// The store failed.
    Error(Error),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect(to) => Redirect::to(&to).into_response(),
            NotSignedIn::Error(e) => e.into_response(),
        }
    }
}

/// The session cookie's token of a request, when it has the shape of one.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_token(headers)
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|t| looks_like_secret(t))
}

impl<S: Store> FromRequestParts<AppState<S>> for SignedIn {
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let to_sign_in = NotSignedIn::Redirect(format!(
            "/sign-in?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ));
        let Some(token) = cookie_token(&parts.headers) else { return Err(to_sign_in) };
        match state.store.staff_session(&hash_secret(&token), state.clock.now()).await {
            Ok(Some((_, session))) if session.second_factor_pending => Err(NotSignedIn::Redirect(format!(
                "/sign-in/code?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))),
            // A clinic that requires a second factor lets a member without one set it up, and
            // sign out, and nothing else.
            Ok(Some((staff, session)))
                if session.clinic_requires_two_factor
                    && staff.totp_secret.is_none()
                    && !parts.uri.path().starts_with(TWO_FACTOR_SETUP)
                    && parts.uri.path() != "/sign-out" =>
            {
                Err(NotSignedIn::Redirect(TWO_FACTOR_SETUP.to_owned()))
            }
            Ok(Some((staff, session))) => {
                Ok(SignedIn { staff, csrf: session.csrf_token.into_inner(), address: crate::audit::address(parts) })
            }
            Ok(None) => Err(to_sign_in),
            Err(e) => Err(NotSignedIn::Error(e.into())),
        }
    }
}

/// Refuses a state-changing form unless it carries the session's CSRF token and, when the
/// browser says where it comes from, comes from this app.
pub fn check_csrf<S: Store>(
    state: &AppState<S>,
    headers: &HeaderMap,
    who: &SignedIn,
    token: Option<&str>,
) -> Result<(), Error> {
    check_origin(state, headers)?;
    let given = token.unwrap_or_default().as_bytes();
    let expected = who.csrf.as_bytes();
    // Compare in constant time.
    let same = given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same { Ok(()) } else { Err(Error::forbidden("this form has expired; reload the page and try again")) }
}

/// The `scheme://host[:port]` of an address.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// Refuses a form that the browser says comes from another site, or from an opaque origin
/// (`Origin: null`: a sandboxed frame, a `data:` page), which could be anyone's. Staff pages
/// send `Referrer-Policy: same-origin`, so a browser posting one of our own forms names our
/// origin.
pub fn check_origin<S: Store>(state: &AppState<S>, headers: &HeaderMap) -> Result<(), Error> {
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) if origin != origin_of(&state.base_url) => {
            Err(Error::forbidden("this form was sent from another site"))
        }
        _ => Ok(()),
    }
}

/// The first checks of a form anyone may send (signing in, a code, a password link): that it
/// comes from this app, and that the caller's address is within `budget`. Answers the
/// address, or the response to give instead.
pub fn public_form<S: Store>(
    state: &AppState<S>,
    headers: &HeaderMap,
    peer: std::net::SocketAddr,
    budget: crate::rate_limit::Budget,
) -> Result<String, Box<Response>> {
    check_origin(state, headers).map_err(|e| Box::new(e.into_response()))?;
    let address = peer.ip().to_string();
    if state.rate_limiter.over_limit(budget, &address, state.clock.now().0) {
        return Err(Box::new(crate::rate_limit::too_many(budget.limit().1 / 1000)));
    }
    Ok(address)
}

/// The `Set-Cookie` value of a session cookie holding `value` for `max_age` seconds.
pub fn session_cookie<S: Store>(state: &AppState<S>, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.base_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("aftercare_session=; Max-Age=0"))
}

#[derive(Template)]
#[template(path = "staff/sign_in.html")]
struct SignInPage {
    layout: Layout,
    next: String,
    email: String,
    error: Option<String>,
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this app may follow sign-in (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /sign-in`.
pub async fn sign_in_page(Query(q): Query<Next>) -> Response {
    let page = SignInPage {
        layout: Layout::signed_out("Sign in"),
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        error: None,
    };
    render(&page, StatusCode::OK)
}

/// A hash of a password nobody has, so that an unknown e-mail costs as much as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash(new_secret()));

/// `POST /sign-in`: e-mail and password. Failed attempts are counted per address; past the
/// limit, sign-in answers 429 before any password is checked.
pub async fn sign_in<S: Store>(
    State(state): State<AppState<S>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let address = match public_form(&state, &headers, peer, crate::rate_limit::Budget::SignIn) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let now = state.clock.now();
    let mut email = String::new();
    let mut password = String::new();
    let mut next = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "email" => email = v.trim().to_lowercase(),
            "password" => password = v.into_owned(),
            "next" => next = Some(v.into_owned()),
            _ => {}
        }
    }
    let next = safe_next(next.as_deref());
    let staff = match state.store.staff_by_email(&email).await {
        Ok(s) => s.filter(|s| s.active),
        Err(e) => return Error::from(e).into_response(),
    };
    let hash = staff
        .as_ref()
        .and_then(|s| s.password_hash.clone())
        .map_or_else(|| DUMMY_HASH.clone(), store::Redacted::into_inner);
    let given = password.clone();
    let verified = tokio::task::spawn_blocking(move || password_auth::verify_password(given, &hash).is_ok())
        .await
        .unwrap_or(false);
    let Some(staff) = staff.filter(|s| verified && s.password_hash.is_some()) else {
        let _ = state.rate_limiter.check(crate::rate_limit::Budget::SignIn, &address, now.0);
        let page = SignInPage {
            layout: Layout::signed_out("Sign in"),
            next,
            email,
            error: Some("That e-mail and password do not match. Check them and try again.".to_owned()),
        };
        return render(&page, StatusCode::UNAUTHORIZED);
    };
    // With a second factor, the right password opens a short wait for the code, not a sign-in.
    let pending = staff.totp_secret.is_some();
    let (expires_at, max_age) = if pending {
        (store::Timestamp(now.0 + SECOND_FACTOR_MINUTES * 60_000), SECOND_FACTOR_MINUTES * 60)
    } else {
        (now.plus_hours(SESSION_HOURS), SESSION_HOURS * 3600)
    };
    let token = new_secret();
    let new = NewStaffSession {
        clinic_id: staff.clinic_id,
        staff_id: staff.id,
        token_hash: store::Redacted::new(hash_secret(&token)),
        csrf_token: store::Redacted::new(new_secret()),
        now,
        expires_at,
        second_factor_pending: pending,
    };
    if let Err(e) = state.store.create_staff_session(new).await {
        return Error::from(e).into_response();
    }
    let to = if pending {
        format!("/sign-in/code?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())
    } else {
        next
    };
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &token, max_age));
    response
}

/// `POST /sign-out`.
pub async fn sign_out<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    _form: crate::extract::StaffForm,
) -> Response {
    if let Some(token) = cookie_token(&headers) {
        let _ = state.store.delete_staff_session(&hash_secret(&token), state.clock.now()).await;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    response
}
