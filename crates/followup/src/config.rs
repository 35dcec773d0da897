//! The installation's configuration: a TOML file (`aftercare.toml` in the data directory, or
//! `--config FILE`) choosing the e-mail and SMS transports, and the database. Without one,
//! both transports write files under `<data>/outbox/`, so the product works with no mail
//! server, and the database is SQLite in the data directory. Secrets may come from the
//! environment instead of the file, and are never printed.
//!
//! ```toml
//! [database]                    # read by the command line; --database or AFTERCARE_DATABASE wins
//! url = "postgres://aftercare@db.example:5432/aftercare?sslmode=verify-full"
//!
//! [email]
//! transport = "smtp"            # smtp, file, console or none
//! from = "Calm Hands <care@calmhands.example>"
//! host = "smtp.example.com"
//! port = 587                    # default: 587 for starttls, 465 for tls, 25 for none
//! security = "starttls"         # starttls, tls or none
//! username = "care@calmhands.example"
//! # password = "..."            # better: the environment variable AFTERCARE_SMTP_PASSWORD
//!
//! [sms]
//! transport = "webhook"         # webhook, file, console or none
//! url = "https://sms-gateway.example/send"
//! # secret = "..."              # better: the environment variable AFTERCARE_SMS_SECRET
//! ```

use crate::transport::file::FileTransport;
use crate::transport::smtp::{Security, Smtp};
use crate::transport::webhook::Webhook;
use crate::transport::{EmailTransport, SmsTransport, Transports};
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The environment variable holding the SMTP password.
pub const SMTP_PASSWORD_ENV: &str = "AFTERCARE_SMTP_PASSWORD";
/// The environment variable holding the SMS webhook's signing secret.
pub const SMS_SECRET_ENV: &str = "AFTERCARE_SMS_SECRET";
/// The sender when none is configured.
pub const DEFAULT_FROM: &str = "Aftercare <aftercare@localhost>";
/// How long one attempt to hand over a message may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// A problem in the configuration, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ConfigError {
    /// The file (or "the default configuration").
    pub file: String,
    /// What is wrong, naming the field.
    pub problem: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    email: EmailSection,
    #[serde(default)]
    sms: SmsSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailSection {
    transport: Option<String>,
    from: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    security: Option<Security>,
    username: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmsSection {
    transport: Option<String>,
    url: Option<String>,
    secret: Option<String>,
}

/// The database URL of the `[database]` section of `text` (the contents of `file_name`),
/// if it names one.
///
/// # Errors
/// When the file is not valid, or the URL is neither a `postgres://` nor a `sqlite:` one (the
/// message does not repeat the URL, which may hold a password).
pub fn database_url(file_name: &str, text: &str) -> Result<Option<String>, ConfigError> {
    let fail = |problem: String| ConfigError { file: file_name.to_owned(), problem };
    let file: File = toml::from_str(text).map_err(|e| fail(e.message().trim().to_owned()))?;
    match file.database.url {
        Some(url) if !["postgres://", "postgresql://", "sqlite:"].iter().any(|scheme| url.starts_with(scheme)) => {
            Err(fail("database.url: must start with postgres://, postgresql:// or sqlite:".to_owned()))
        }
        url => Ok(url),
    }
}

/// The transports described by `text` (the contents of `file_name`, or `None` for the
/// defaults); file transports write under `data_dir/outbox`; `env` reads an environment
/// variable.
///
/// # Errors
/// Every problem names its field.
pub fn transports(
    file_name: &str,
    text: Option<&str>,
    data_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Transports, ConfigError> {
    let fail = |problem: String| ConfigError { file: file_name.to_owned(), problem };
    let file: File = match text {
        Some(t) => toml::from_str(t).map_err(|e| fail(e.message().trim().to_owned()))?,
        None => File::default(),
    };
    let outbox = FileTransport::new(data_dir.join("outbox"));
    let e = file.email;
    let from = e.from.clone().unwrap_or_else(|| DEFAULT_FROM.to_owned());
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(fail(format!("email.from: `{from}` is not an address such as `Calm Hands <care@example.com>`")));
    }
    let email = match e.transport.as_deref().unwrap_or("file") {
        "smtp" => {
            let host = e.host.clone().ok_or_else(|| fail("email.host: is required for SMTP".to_owned()))?;
            let security = e.security.unwrap_or(Security::Starttls);
            let port = e.port.unwrap_or(match security {
                Security::Starttls => 587,
                Security::Tls => 465,
                Security::None => 25,
            });
            let password = env(SMTP_PASSWORD_ENV).or(e.password.clone());
            let credentials = match (e.username.clone(), password) {
                (Some(u), Some(p)) => Some((u, p)),
                (None, None) => None,
                (Some(_), None) => {
                    return Err(fail(format!(
                        "email.password: a user name is set but no password (set {SMTP_PASSWORD_ENV})"
                    )));
                }
                (None, Some(_)) => return Err(fail("email.username: a password is set but no user name".to_owned())),
            };
            EmailTransport::Smtp(Smtp::new(&host, port, security, credentials, SEND_TIMEOUT).map_err(|e| fail(e.0))?)
        }
        "file" => EmailTransport::File(outbox.clone()),
        "console" => EmailTransport::Console,
        "none" => EmailTransport::Disabled,
        other => return Err(fail(format!("email.transport: `{other}` is not one of smtp, file, console, none"))),
    };
    if !matches!(email, EmailTransport::Smtp(_))
        && (e.host.is_some() || e.port.is_some() || e.username.is_some() || e.password.is_some())
    {
        return Err(fail("email: host, port, username and password are for transport = \"smtp\"".to_owned()));
    }
    let s = file.sms;
    let sms = match s.transport.as_deref().unwrap_or("file") {
        "webhook" => {
            let url = s.url.clone().ok_or_else(|| fail("sms.url: is required for the webhook".to_owned()))?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(fail("sms.url: must be an http:// or https:// address".to_owned()));
            }
            let secret = env(SMS_SECRET_ENV).or(s.secret.clone()).ok_or_else(|| {
                fail(format!("sms.secret: the webhook's signing secret is required (set {SMS_SECRET_ENV})"))
            })?;
            if secret.len() < 16 {
                return Err(fail("sms.secret: must be at least 16 characters".to_owned()));
            }
            SmsTransport::Webhook(Webhook::new(&url, secret.as_bytes(), SEND_TIMEOUT).map_err(|e| fail(e.0))?)
        }
        "file" => SmsTransport::File(outbox),
        "console" => SmsTransport::Console,
        "none" => SmsTransport::Disabled,
        other => return Err(fail(format!("sms.transport: `{other}` is not one of webhook, file, console, none"))),
    };
    if !matches!(sms, SmsTransport::Webhook(_)) && (s.url.is_some() || s.secret.is_some()) {
        return Err(fail("sms: url and secret are for transport = \"webhook\"".to_owned()));
    }
    Ok(Transports { from, email, sms })
}
