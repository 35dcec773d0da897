//! Who is calling: an API token in `Authorization: Bearer TOKEN` names one active staff
//! member, and so their clinic, until the token is revoked, expires (90 days by default) or
//! its member is deactivated. Every API handler takes [`Caller`], so none can forget.

use crate::AppState;
use crate::error::Error;
use crate::secret::{hash_secret, looks_like_secret};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use store::{Role, Staff, Store};

/// How long an API token works unless its maker asks otherwise (`token create --days`).
pub const API_TOKEN_DAYS: i64 = 90;

/// When a token made at `now` to last `days` stops working.
pub fn token_expiry(now: store::Timestamp, days: i64) -> store::Timestamp {
    now.plus_hours(days * 24)
}

/// The authenticated staff member.
#[derive(Debug, Clone)]
pub struct Caller(pub Staff, pub String);

impl Caller {
    /// The caller's clinic: every query of the request is scoped by it.
    pub fn clinic_id(&self) -> store::ClinicId {
        self.0.clinic_id
    }

    /// Refuses the request unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), Error> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            Err(Error::forbidden(format!("only {} may {action}", allowed.join(" or "))))
        }
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).ok_or_else(Error::unauthorized)?;
        if !looks_like_secret(token) {
            return Err(Error::unauthorized());
        }
        match state.store.staff_by_token_hash(&hash_secret(token), state.clock.now()).await? {
            Some(staff) => Ok(Caller(staff, crate::audit::address(parts))),
            None => Err(Error::unauthorized()),
        }
    }
}
