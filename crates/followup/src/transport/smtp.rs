//! E-mail by SMTP (lettre): STARTTLS, implicit TLS, or plain for a server on the same host.
//! Each e-mail has a plain-text and an HTML part; a client's carries an unsubscribe link in
//! the `List-Unsubscribe` header as well (one click, RFC 8058). The Message-ID is made from
//! the message's idempotency key, so that a resend after a crash is recognisably the same.

use super::{Email, SendError};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, UNIX_EPOCH};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or in tests.
    None,
}

/// An SMTP server to send through.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
    port: u16,
    security: Security,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("server", &self.describe()).finish_non_exhaustive()
    }
}

impl Smtp {
    /// A transport to `host:port`, signing in with `credentials` (user name, password) if given.
    ///
    /// # Errors
    /// When TLS cannot be set up for `host`.
    pub fn new(
        host: &str,
        port: u16,
        security: Security,
        credentials: Option<(String, String)>,
        timeout: Duration,
    ) -> Result<Smtp, SendError> {
        let builder = match security {
            Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
        }
        .map_err(|e| SendError(format!("SMTP server {host}: {e}")))?;
        let mut builder = builder.port(port).timeout(Some(timeout));
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Smtp { transport: builder.build(), host: host.to_owned(), port, security })
    }

    /// `host:port (security)`, never the credentials.
    pub fn describe(&self) -> String {
        format!("{}:{} ({:?})", self.host, self.port, self.security)
    }

    /// Sends `email`.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the message.
    pub async fn send(&self, email: &Email) -> Result<(), SendError> {
        let message = build(email)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| SendError(format!("SMTP: {e}")))
    }
}

/// The `List-Unsubscribe` header.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_start_matches('<').trim_end_matches('>').to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// The `List-Unsubscribe-Post` header: mail programs may unsubscribe with one POST.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The message as it goes on the wire.
///
/// # Errors
/// When an address is invalid.
pub fn build(email: &Email) -> Result<Message, SendError> {
    let configured: Mailbox = email.from.parse().map_err(|e| SendError(format!("the sender `{}`: {e}", email.from)))?;
    let from = match &email.sender_name {
        Some(name) => Mailbox::new(Some(name.clone()), configured.email),
        None => configured,
    };
    let to: Mailbox = email.to.parse().map_err(|e| SendError(format!("the address `{}`: {e}", email.to)))?;
    let domain = from.email.domain().to_owned();
    let mut builder = Message::builder()
        .message_id(Some(format!("<{}@{domain}>", email.idempotency_key)))
        .date(UNIX_EPOCH + Duration::from_millis(u64::try_from(email.date.0).unwrap_or(0)))
        .from(from)
        .to(to)
        .subject(email.subject.clone());
    if let Some(reply_to) = &email.reply_to {
        let reply: Mailbox = reply_to.parse().map_err(|e| SendError(format!("the reply address `{reply_to}`: {e}")))?;
        builder = builder.reply_to(reply);
    }
    if let Some(link) = &email.unsubscribe {
        builder = builder.header(ListUnsubscribe(link.clone())).header(ListUnsubscribePost);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
        .map_err(|e| SendError(format!("the e-mail: {e}")))
}
