//! The file transport, the embedded default: each e-mail is written as an `.eml` file (the
//! exact bytes SMTP would carry) and each SMS as a `.json` file, named by kind and
//! idempotency key, so that a resend replaces its own file rather than adding one.

use super::smtp::build;
use super::{Email, SendError, Sms};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes messages into one folder.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// Messages go into `dir`, made when needed.
    pub fn new(dir: PathBuf) -> FileTransport {
        FileTransport { dir }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `name` whole or not at all: a temporary file, flushed to disk, then renamed.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), SendError> {
        let fail = |e: std::io::Error| SendError(format!("cannot write {}: {e}", self.dir.join(name).display()));
        let tmp = self.dir.join(format!(".{name}.tmp"));
        // The outbox holds client links and health notices: its owner alone may read it.
        let mut dir = std::fs::DirBuilder::new();
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
            dir.mode(0o700);
            file.mode(0o600);
        }
        dir.recursive(true).create(&self.dir).map_err(fail)?;
        let mut f = file.open(&tmp).map_err(fail)?;
        f.write_all(bytes).map_err(fail)?;
        f.sync_all().map_err(fail)?;
        std::fs::rename(&tmp, self.dir.join(name)).map_err(fail)
    }

    /// Writes an e-mail as `<key>.eml`.
    ///
    /// # Errors
    /// When the e-mail is invalid or the file cannot be written.
    pub fn write_email(&self, email: &Email) -> Result<(), SendError> {
        let message = build(email)?;
        self.write(&format!("{}.eml", email.idempotency_key), &message.formatted())
    }

    /// Writes an SMS as `<key>.json`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_sms(&self, sms: &Sms) -> Result<(), SendError> {
        let body = serde_json::to_vec_pretty(sms).map_err(|e| SendError(e.to_string()))?;
        self.write(&format!("{}.json", sms.idempotency_key), &body)
    }
}
