//! Limits where anyone can knock, each in its own budget: client links that do not work and
//! sign-ins that fail (per address; only failures count, so a clinic behind one proxy
//! address never has its clients' real check-ins turned away), new clients through a
//! clinic's public intake link (per address), and feedback (per link). A fixed window per address, counted
//! with the app's clock; over the limit the caller gets 429 and a `Retry-After`. Kept in
//! memory: a restart forgets it, which is fine for slowing guessing down.

use crate::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use store::{FollowUpId, Store};

/// What is counted, each in a budget of its own, so that one kind of knocking never locks
/// out another (bad client links from a shared address do not stop staff signing in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    /// Failed sign-ins, per address.
    SignIn,
    /// Client links that do not work, per address.
    BadLink,
    /// New clients through a clinic's public intake link, per address.
    PublicIntake,
    /// Feedback through one client link.
    Feedback,
    /// Check-in answers through one client link.
    AnswersPerLink,
    /// Check-in answers from one address (many clients may share one: generous).
    AnswersPerAddress,
    /// Asking for a password link, and password links that do not work, per address.
    PasswordLinks,
}

impl Budget {
    /// How many in one window, and the window in milliseconds.
    pub fn limit(self) -> (u32, i64) {
        match self {
            Budget::SignIn | Budget::BadLink => (REQUESTS_PER_WINDOW, WINDOW_MS),
            // A front desk may hand a tablet round: twenty new clients an hour from one place.
            Budget::PublicIntake => (20, 3_600_000),
            Budget::Feedback => (10, 3_600_000),
            // Far above what one client sends; repeats update one alert anyway.
            Budget::AnswersPerLink => (60, 3_600_000),
            Budget::AnswersPerAddress => (600, 3_600_000),
            // A member forgets a password a few times a year, not twenty times an hour.
            Budget::PasswordLinks => (20, 3_600_000),
        }
    }
}

/// Failed sign-ins, and client links that do not work, allowed per address in one window.
pub const REQUESTS_PER_WINDOW: u32 = 60;
/// Their window, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

/// Per budget and key (an address, or a link): when its window began, and the count in it.
type Windows = HashMap<(Budget, String), (i64, u32)>;

/// Counts per budget and key.
#[derive(Debug, Default, Clone)]
pub struct RateLimiter {
    windows: Arc<Mutex<Windows>>,
    /// Counts nothing and refuses nothing: for a load benchmark, whose one address would
    /// otherwise meet the per-address budgets at once. Never set by `serve`.
    unlimited: bool,
}

impl RateLimiter {
    /// A limiter that refuses nothing, for load benchmarks from one address.
    pub fn unlimited() -> RateLimiter {
        RateLimiter { unlimited: true, ..RateLimiter::default() }
    }

    /// Whether `key` is over `budget` at `now_ms`, without counting.
    pub fn over_limit(&self, budget: Budget, key: &str, now_ms: i64) -> bool {
        if self.unlimited {
            return false;
        }
        let (max, window) = budget.limit();
        let windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        windows.get(&(budget, key.to_owned())).is_some_and(|(start, count)| now_ms - *start < window && *count >= max)
    }

    /// Counts one for `key` in `budget` at `now_ms`; the seconds to wait when over the limit.
    pub fn check(&self, budget: Budget, key: &str, now_ms: i64) -> Result<(), i64> {
        if self.unlimited {
            return Ok(());
        }
        let (max, window) = budget.limit();
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|(b, _), (start, _)| now_ms - *start < b.limit().1);
        }
        let entry = windows.entry((budget, key.to_owned())).or_insert((now_ms, 0));
        if now_ms - entry.0 >= window {
            *entry = (now_ms, 0);
        }
        entry.1 += 1;
        if entry.1 > max { Err(((entry.0 + window - now_ms) / 1000).max(1)) } else { Ok(()) }
    }
}

/// Counts a check-in answer through link `follow_up_id` from `peer`; the seconds to wait when
/// either budget is spent.
pub fn count_answer<S: Store>(state: &AppState<S>, follow_up_id: FollowUpId, peer: SocketAddr) -> Result<(), i64> {
    let now = state.clock.now().0;
    state.rate_limiter.check(Budget::AnswersPerLink, &follow_up_id.to_string(), now)?;
    state.rate_limiter.check(Budget::AnswersPerAddress, &peer.ip().to_string(), now)
}

/// The answer past the limit.
pub fn too_many(wait_seconds: i64) -> Response {
    let mut response =
        (StatusCode::TOO_MANY_REQUESTS, "Too many tries. Please wait a minute and try again.").into_response();
    if let Ok(v) = HeaderValue::from_str(&wait_seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Counts a failed link lookup from `peer`; past the limit, the 429 to answer instead.
pub fn count_failure<S: Store>(state: &AppState<S>, peer: SocketAddr) -> Option<Response> {
    state.rate_limiter.check(Budget::BadLink, &peer.ip().to_string(), state.clock.now().0).err().map(too_many)
}
