//! A per-address limit on failures where anyone can knock: client links that do not work
//! and sign-ins that fail. Only failures are counted, so a clinic behind one proxy address
//! never has its clients' real check-ins turned away. A fixed window per address, counted
//! with the app's clock; over the limit the caller gets 429 and a `Retry-After`. Kept in
//! memory: a restart forgets it, which is fine for slowing guessing down.

use crate::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use store::Store;

/// Failures allowed per address in one window.
pub const REQUESTS_PER_WINDOW: u32 = 60;
/// The window, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

/// Counts requests per address.
#[derive(Debug, Default, Clone)]
pub struct RateLimiter {
    windows: Arc<Mutex<HashMap<IpAddr, (i64, u32)>>>,
}

impl RateLimiter {
    /// Whether `ip` is over the limit at `now_ms`, without counting.
    pub fn over_limit(&self, ip: IpAddr, now_ms: i64) -> bool {
        let windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        windows.get(&ip).is_some_and(|(start, count)| now_ms - *start < WINDOW_MS && *count >= REQUESTS_PER_WINDOW)
    }

    /// Counts one failure from `ip` at `now_ms`; the seconds to wait when over the limit.
    pub fn check(&self, ip: IpAddr, now_ms: i64) -> Result<(), i64> {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
        }
        let entry = windows.entry(ip).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS {
            *entry = (now_ms, 0);
        }
        entry.1 += 1;
        if entry.1 > REQUESTS_PER_WINDOW { Err(((entry.0 + WINDOW_MS - now_ms) / 1000).max(1)) } else { Ok(()) }
    }
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
    state.rate_limiter.check(peer.ip(), state.clock.now().0).err().map(too_many)
}
