//! A per-address request limit for the routes anyone can reach: client links and, later,
//! sign-in. A fixed window per address, counted with the app's clock; over the limit the
//! caller gets 429 and a `Retry-After`. Kept in memory: a restart forgets it, which is fine
//! for slowing guessing down (client links are 256-bit secrets; guessing is hopeless anyway).

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use store::Store;

/// Requests allowed per address in one window.
pub const REQUESTS_PER_WINDOW: u32 = 60;
/// The window, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

/// Counts requests per address.
#[derive(Debug, Default, Clone)]
pub struct RateLimiter {
    windows: Arc<Mutex<HashMap<IpAddr, (i64, u32)>>>,
}

impl RateLimiter {
    /// Counts one request from `ip` at `now_ms`; the seconds to wait when over the limit.
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

/// The middleware: limits by the peer address of the connection.
pub async fn limit<S: Store>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match state.rate_limiter.check(peer.ip(), state.clock.now().0) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, "Too many requests. Please wait a minute and try again.")
                    .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}
