//! Who is calling: an API token in `Authorization: Bearer TOKEN` names one active staff
//! member, and so their clinic. Every API handler takes [`Caller`], so none can forget.

use crate::AppState;
use crate::error::ApiError;
use crate::secret::{hash_secret, looks_like_secret};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use store::{Role, Staff, Store};

/// The authenticated staff member.
#[derive(Debug, Clone)]
pub struct Caller(pub Staff);

impl Caller {
    /// The caller's clinic: every query of the request is scoped by it.
    pub fn clinic_id(&self) -> i64 {
        self.0.clinic_id
    }

    /// Refuses the request unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            Err(ApiError::forbidden(format!("only {} may {action}", allowed.join(" or "))))
        }
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).ok_or_else(ApiError::unauthorized)?;
        if !looks_like_secret(token) {
            return Err(ApiError::unauthorized());
        }
        match state.store.staff_by_token_hash(&hash_secret(token)).await? {
            Some(staff) => Ok(Caller(staff)),
            None => Err(ApiError::unauthorized()),
        }
    }
}
