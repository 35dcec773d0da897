//! How a message leaves: e-mail by SMTP, SMS by a signed webhook, either as a file under
//! the data directory (the default, so a demo needs no mail server), or on the console.
//! Which one is the installation's configuration ([`crate::config`]).

pub mod console;
pub mod file;
pub mod smtp;
pub mod webhook;

use std::fmt;
use store::Timestamp;

/// An e-mail ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    /// The sender, `Name <address>`.
    pub from: String,
    /// The recipient's address.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The message's idempotency key; a resend carries the same Message-ID.
    pub idempotency_key: String,
    /// The unsubscribe link, for messages to clients.
    pub unsubscribe: Option<String>,
    /// When it is sent (the Date header).
    pub date: Timestamp,
    /// The name the e-mail comes from, in place of the configured sender's (a client's
    /// messages come from their clinic); the address stays the configured one.
    pub sender_name: Option<String>,
    /// Where replies go (the clinic's address), when not to the sender.
    pub reply_to: Option<String>,
}

/// An SMS ready to send.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sms {
    /// The recipient's phone number.
    pub to: String,
    /// The text.
    pub body: String,
    /// The message's idempotency key; a resend carries the same one.
    pub idempotency_key: String,
}

/// Why a message could not be sent; safe to show staff (it never holds a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// Where e-mails go.
#[derive(Debug)]
pub enum EmailTransport {
    /// An SMTP server.
    Smtp(smtp::Smtp),
    /// `.eml` files in a folder.
    File(file::FileTransport),
    /// Printed on standard output.
    Console,
    /// No e-mail: clients without a phone are not reached.
    Disabled,
}

/// Where text messages go.
#[derive(Debug)]
pub enum SmsTransport {
    /// An SMS gateway's webhook.
    Webhook(webhook::Webhook),
    /// `.json` files in a folder.
    File(file::FileTransport),
    /// Printed on standard output.
    Console,
    /// No SMS.
    Disabled,
}

/// The installation's transports.
#[derive(Debug)]
pub struct Transports {
    /// The sender of e-mails, `Name <address>`.
    pub from: String,
    /// E-mail.
    pub email: EmailTransport,
    /// SMS.
    pub sms: SmsTransport,
}

impl Transports {
    /// Whether e-mail can be sent.
    pub fn has_email(&self) -> bool {
        !matches!(self.email, EmailTransport::Disabled)
    }

    /// Whether SMS can be sent.
    pub fn has_sms(&self) -> bool {
        !matches!(self.sms, SmsTransport::Disabled)
    }

    /// The folders where messages are kept as files, once each.
    pub fn folders(&self) -> Vec<file::FileTransport> {
        let mut all: Vec<file::FileTransport> = Vec::new();
        let email = if let EmailTransport::File(f) = &self.email { Some(f) } else { None };
        let sms = if let SmsTransport::File(f) = &self.sms { Some(f) } else { None };
        for f in email.into_iter().chain(sms) {
            if !all.iter().any(|a| a.dir() == f.dir()) {
                all.push(f.clone());
            }
        }
        all
    }

    /// Sends an e-mail.
    ///
    /// # Errors
    /// When the transport fails or refuses it.
    pub async fn send_email(&self, email: &Email) -> Result<(), SendError> {
        match &self.email {
            EmailTransport::Smtp(s) => s.send(email).await,
            EmailTransport::File(f) => {
                let (f, email) = (f.clone(), email.clone());
                blocking(move || f.write_email(&email)).await
            }
            EmailTransport::Console => {
                console::print_email(email);
                Ok(())
            }
            EmailTransport::Disabled => Err(SendError("e-mail is not configured".to_owned())),
        }
    }

    /// Sends an SMS at `now`.
    ///
    /// # Errors
    /// When the transport fails or refuses it.
    pub async fn send_sms(&self, sms: &Sms, now: Timestamp) -> Result<(), SendError> {
        match &self.sms {
            SmsTransport::Webhook(w) => w.send(sms, now).await,
            SmsTransport::File(f) => {
                let (f, sms) = (f.clone(), sms.clone());
                blocking(move || f.write_sms(&sms)).await
            }
            SmsTransport::Console => {
                console::print_sms(sms);
                Ok(())
            }
            SmsTransport::Disabled => Err(SendError("SMS is not configured".to_owned())),
        }
    }
}

impl fmt::Display for EmailTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailTransport::Smtp(s) => write!(f, "SMTP to {}", s.describe()),
            EmailTransport::File(t) => write!(f, "files in {}", t.dir().display()),
            EmailTransport::Console => f.write_str("the console"),
            EmailTransport::Disabled => f.write_str("nowhere (disabled)"),
        }
    }
}

impl fmt::Display for SmsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmsTransport::Webhook(w) => write!(f, "the webhook {}", w.shown_url()),
            SmsTransport::File(t) => write!(f, "files in {}", t.dir().display()),
            SmsTransport::Console => f.write_str("the console"),
            SmsTransport::Disabled => f.write_str("nowhere (disabled)"),
        }
    }
}

/// Runs a file write (which waits for the disk) on a thread for blocking work, so that it
/// holds up neither the server's threads nor the other messages being sent.
async fn blocking(write: impl FnOnce() -> Result<(), SendError> + Send + 'static) -> Result<(), SendError> {
    tokio::task::spawn_blocking(write).await.unwrap_or_else(|e| Err(SendError(format!("a file write stopped: {e}"))))
}
