//! Serving the app over HTTP/1.1 with bounds, so that idle, slow or half-sent requests cannot
//! starve real ones or hold a restart: at most `max_connections` at once (more wait in the
//! listen queue), a connection that sends no complete request head within `header_timeout`
//! is closed (a new one, or an idle keep-alive one), a request that takes longer than
//! `request_timeout` (a trickling body, say) answers 408, and on shutdown the server stops
//! accepting, lets requests in flight finish for at most `shutdown_grace`, then closes the
//! rest.

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::Store;
use tower_layer::Layer;

/// How much the server takes on at once, and how long it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// The time a connection has to send a whole request head, from when it opens or from
    /// its last answer (so it also ends idle keep-alive connections).
    pub header_timeout: Duration,
    /// The time a request has, its body included, before it answers 408.
    pub request_timeout: Duration,
    /// On shutdown, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Answers 408 to a request that takes longer than its bound (a body sent a byte at a time).
async fn bounded(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "the request took too long; please send it again").into_response(),
    }
}

/// Serves the app on `listener` within `limits` until `shutdown` completes, then drains.
///
/// # Errors
/// Never at present: a failed accept (too many open files, say) is logged and retried.
pub async fn serve_with<S: Store>(
    listener: tokio::net::TcpListener,
    state: AppState<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    limits: Limits,
) -> std::io::Result<()> {
    let app = crate::router(state).layer(axum::middleware::from_fn_with_state(limits.request_timeout, bounded));
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let draining = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(cause = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(axum::Extension(ConnectInfo::<SocketAddr>(peer)).layer(app.clone()));
        let connection = draining.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection that ends badly (reset, timed out) concerns only itself.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, draining.shutdown()).await.is_err() {
        tracing::warn!(
            grace_seconds = limits.shutdown_grace.as_secs(),
            "requests still running at shutdown were closed"
        );
    }
    Ok(())
}
