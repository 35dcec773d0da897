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

    /// Removes what the folder holds about an erased client of `clinic_id`: the files of the
    /// messages with these `keys`, and the clinic's digests that name them (a digest lists
    /// several clients; it is a copy of a notice already delivered, so it goes whole rather
    /// than being rewritten). Answers how many files went.
    ///
    /// # Errors
    /// When the folder cannot be read or a file cannot be removed.
    pub fn erase(&self, clinic_id: i64, keys: &[String], name: &str) -> std::io::Result<usize> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let digests = format!("digest-{clinic_id}-");
        let forms = [name.to_owned(), crate::compose::escape(name)];
        let mut removed = 0;
        for entry in entries {
            let path = entry?.path();
            let Some(file) = path.file_name().and_then(|f| f.to_str()) else { continue };
            let Some((key, _)) = file.rsplit_once('.') else { continue };
            let goes = keys.iter().any(|k| k == key)
                || (key.starts_with(&digests) && {
                    let text = readable(&std::fs::read(&path)?);
                    forms.iter().any(|f| !f.is_empty() && text.contains(f.as_str()))
                });
            if goes {
                std::fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A message file's text as a reader sees it, for searching: quoted-printable soft line
/// breaks joined and `=XX` escapes decoded (plain text passes through unchanged).
fn readable(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [b'=', b'\r', b'\n', ..] => i += 3,
            [b'=', b'\n', ..] => i += 2,
            [b'=', h, l, ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = [h, l];
                let text = std::str::from_utf8(&hex).unwrap_or("00");
                out.push(u8::from_str_radix(text, 16).unwrap_or(0));
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should stop loudly
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_is_read_as_its_text() {
        assert_eq!(readable(b"Zo=C3=AB Sm=\r\nith and a=3Db"), "Zo\u{eb} Smith and a=b");
        assert_eq!(readable(b"plain = text"), "plain = text");
    }

    #[test]
    fn erasing_removes_the_clients_messages_and_the_digests_naming_them() {
        let dir = std::env::temp_dir().join(format!("aftercare-erase-outbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let put = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        put("k1.eml", "Hello Zo\u{eb}");
        put("k2.json", "{}");
        put("other.eml", "Hello Sam");
        put("digest-7-3-2026-11-30.eml", "- Sam\r\n- Zo=C3=AB O&#39;Br=\r\nien\r\n");
        put("digest-7-3-2026-11-29.eml", "- Sam\r\n");
        put("digest-8-3-2026-11-30.eml", "- Zo\u{eb} O'Brien\r\n");
        let outbox = FileTransport::new(dir.clone());
        let removed = outbox.erase(7, &["k1".to_owned(), "k2".to_owned()], "Zo\u{eb} O'Brien").unwrap();
        assert_eq!(removed, 3);
        let mut left: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        // Another clinic's digest is another clinic's business (and another client).
        assert_eq!(left, ["digest-7-3-2026-11-29.eml", "digest-8-3-2026-11-30.eml", "other.eml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
