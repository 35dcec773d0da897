//! A staff member's own account: who they are, and changing their password with the current
//! one. A new password ends every other sign-in of theirs.

use crate::AppState;
use crate::error::Error;
use crate::extract::StaffForm;
use crate::secret::hash_secret;
use crate::staff::auth::{SignedIn, session_token};
use crate::staff::view::{Layout, render, respond};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use store::Store;

/// The fewest characters a new password may have.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// The most: a password is hashed, and hashing a huge one costs the server.
pub const PASSWORD_MAX_CHARS: usize = 200;

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    role: &'static str,
    error: Option<String>,
    changed: bool,
    min_chars: usize,
    two_factor: bool,
}

fn account_page(who: &SignedIn, clinic: &store::Clinic, error: Option<String>, changed: bool) -> AccountPage {
    AccountPage {
        layout: Layout::signed_in(who, clinic, "Your account", "account"),
        name: who.staff.name.clone(),
        email: who.staff.email.clone(),
        role: match who.staff.role {
            store::Role::Owner => "Owner",
            store::Role::Therapist => "Therapist",
            store::Role::FrontDesk => "Front desk",
        },
        error,
        changed,
        min_chars: PASSWORD_MIN_CHARS,
        two_factor: who.staff.totp_secret.is_some(),
    }
}

async fn clinic_of<S: Store>(state: &AppState<S>, who: &SignedIn) -> Result<store::Clinic, Error> {
    state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))
}

/// `GET /account`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn) -> Response {
    respond(clinic_of(&state, &who).await.map(|c| account_page(&who, &c, None, false)), StatusCode::OK)
}

/// What is wrong with a new password and its repeat, in plain words.
pub fn new_password_problem(new: &str, repeat: &str, current: &str) -> Option<String> {
    let chars = new.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Some(format!(
            "The new password needs at least {PASSWORD_MIN_CHARS} characters. A few words in a row are easy to remember."
        ))
    } else if chars > PASSWORD_MAX_CHARS {
        Some(format!("The new password may have at most {PASSWORD_MAX_CHARS} characters."))
    } else if new != repeat {
        Some("The two new passwords are not the same. Type it again in both boxes.".to_owned())
    } else if new == current {
        Some("The new password is the same as the current one. Choose another.".to_owned())
    } else {
        None
    }
}

/// `POST /account/password`: `current`, `new`, `repeat`. The current password is checked as
/// at sign-in (off the request thread); a wrong one is counted like a failed sign-in.
pub async fn change_password<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    StaffForm { who, fields }: StaffForm,
) -> Response {
    let clinic = match clinic_of(&state, &who).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let again =
        |error: String| render(&account_page(&who, &clinic, Some(error), false), StatusCode::UNPROCESSABLE_ENTITY);
    // Passwords are taken as typed: spaces count.
    let raw = |name: &str| fields.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (current, new, repeat) = (raw("current"), raw("new"), raw("repeat"));
    let address = peer.ip().to_string();
    let now = state.clock.now();
    if state.rate_limiter.over_limit(crate::rate_limit::Budget::SignIn, &address, now.0) {
        return crate::rate_limit::too_many(crate::rate_limit::WINDOW_MS / 1000);
    }
    let hash = who.staff.password_hash.clone().map(store::Redacted::into_inner);
    let given = current.clone();
    let verified =
        tokio::task::spawn_blocking(move || hash.is_some_and(|h| password_auth::verify_password(given, &h).is_ok()))
            .await
            .unwrap_or(false);
    if !verified {
        let _ = state.rate_limiter.check(crate::rate_limit::Budget::SignIn, &address, now.0);
        return again("The current password is not right. Type it again.".to_owned());
    }
    if let Some(problem) = new_password_problem(&new, &repeat, &current) {
        return again(problem);
    }
    let hashed = match tokio::task::spawn_blocking(move || password_auth::generate_hash(new)).await {
        Ok(h) => h,
        Err(e) => return Error::internal("hashing a password", e).into_response(),
    };
    let keep = session_token(&headers).map(|t| hash_secret(&t)).unwrap_or_default();
    match state.store.set_staff_password(clinic.id, who.staff.id, store::Redacted::new(hashed), &keep).await {
        Ok(true) => {
            crate::audit::changed(&state, &who.staff, &who.address, None, store::AuditAction::ChangePassword, "").await;
            render(&account_page(&who, &clinic, None, true), StatusCode::OK)
        }
        Ok(false) => Error::not_found("staff member").into_response(),
        Err(e) => Error::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_enough_repeated_and_new() {
        assert!(new_password_problem("short", "short", "old").is_some_and(|p| p.contains("at least 12")));
        assert!(
            new_password_problem("correct horse battery", "correct horse batterY", "old")
                .is_some_and(|p| p.contains("not the same"))
        );
        assert!(
            new_password_problem("correct horse battery", "correct horse battery", "correct horse battery").is_some()
        );
        assert_eq!(new_password_problem("correct horse battery", "correct horse battery", "old one"), None);
        let long = "x".repeat(201);
        assert!(new_password_problem(&long, &long, "old").is_some_and(|p| p.contains("at most 200")));
    }
}
