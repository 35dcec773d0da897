//! SMS through any gateway that takes a webhook: an HTTP POST of a JSON body
//! `{"to", "body", "idempotency_key"}` with these headers:
//!
//! - `Idempotency-Key`: the message's key; a resend after a crash carries the same one;
//! - `X-Aftercare-Timestamp`: seconds since the Unix epoch when it was sent;
//! - `X-Aftercare-Signature`: `sha256=` and the hex HMAC-SHA256, under the shared secret, of
//!   the timestamp, a `.`, and the body's exact bytes.
//!
//! The gateway (or a small adapter in front of it) checks the signature and refuses
//! timestamps more than a few minutes old.

use super::{SendError, Sms};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;
use store::Timestamp;

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "X-Aftercare-Signature";
/// The timestamp header's name.
pub const TIMESTAMP_HEADER: &str = "X-Aftercare-Timestamp";

/// A webhook to post text messages to.
pub struct Webhook {
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("url", &self.shown_url()).finish_non_exhaustive()
    }
}

/// `sha256=<hex>`: the signature of `body` sent at `timestamp` (seconds) under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    #[allow(clippy::expect_used)] // HMAC takes a key of any length
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

impl Webhook {
    /// Posts to `url`, signing with `secret`.
    ///
    /// # Errors
    /// When the HTTP client cannot be made.
    pub fn new(url: &str, secret: &[u8], timeout: Duration) -> Result<Webhook, SendError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| SendError(format!("the SMS webhook's HTTP client: {e}")))?;
        Ok(Webhook { client, url: url.to_owned(), secret: secret.to_vec() })
    }

    /// The address it posts to, as it may be shown: without a user, password or query,
    /// which may carry a gateway's key.
    pub fn shown_url(&self) -> String {
        match reqwest::Url::parse(&self.url) {
            Ok(mut u) => {
                let _ = u.set_username("");
                let _ = u.set_password(None);
                u.set_query(None);
                u.to_string()
            }
            Err(_) => "(an invalid address)".to_owned(),
        }
    }

    /// Posts `sms` at `now`.
    ///
    /// # Errors
    /// When the gateway cannot be reached or does not answer 2xx.
    pub async fn send(&self, sms: &Sms, now: Timestamp) -> Result<(), SendError> {
        let body = serde_json::to_vec(sms).map_err(|e| SendError(e.to_string()))?;
        let timestamp = now.0.div_euclid(1000);
        let response = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", &sms.idempotency_key)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature(&self.secret, timestamp, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| SendError(format!("SMS webhook: {}", without_url(&e))))?;
        let status = response.status();
        if status.is_success() { Ok(()) } else { Err(SendError(format!("SMS webhook answered {status}"))) }
    }
}

/// A reqwest error's text without its URL, which may carry a gateway's key in its query.
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the webhook");
    }
    text
}
