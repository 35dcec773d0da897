//! Secrets handed out once and stored only as hashes: API tokens and client links. Each is 256
//! random bits, written as 64 hex digits; the database keeps its SHA-256.

use sha2::{Digest, Sha256};
use std::fmt;

/// A new random secret, as 64 lower-case hex digits.
///
/// # Panics
/// Only if the operating system has no random source, when nothing else could be safe either.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    #[allow(clippy::expect_used)] // without randomness no link or token can be made safe
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash under which a secret is stored and looked up.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether `s` has the shape of a secret (so that obvious junk is refused before any lookup).
pub fn looks_like_secret(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new client link's token: the same 256 random bits as [`new_secret`], written shorter, as
/// 43 characters of URL-safe base64, for links that fit a phone's screen and a text message.
///
/// # Panics
/// Only if the operating system has no random source.
pub fn new_link_token() -> String {
    let mut bytes = [0u8; 32];
    #[allow(clippy::expect_used)] // without randomness no link can be made safe
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// Whether `s` has the shape of a client link's token: a short one ([`new_link_token`]) or
/// one of the 64-hex-digit links made before them, which keep working.
pub fn looks_like_link_token(s: &str) -> bool {
    looks_like_secret(s) || (s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// A value kept out of logs and error reports: its `Debug` prints `[redacted]`, and it has no
/// `Display`. Reading it takes a deliberate [`Redacted::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, unwrapped.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn new_secrets_look_like_secrets_and_differ() {
        let (a, b) = (new_secret(), new_secret());
        assert!(looks_like_secret(&a), "{a}");
        assert!(looks_like_secret(&b), "{b}");
        assert_ne!(a, b);
    }

    #[test]
    fn only_64_lower_case_hex_digits_look_like_a_secret() {
        assert!(looks_like_secret(&"0123456789abcdef".repeat(4)));
        let short = new_link_token();
        assert_eq!(short.len(), 43, "{short}");
        assert!(looks_like_link_token(&short) && !looks_like_secret(&short));
        assert!(looks_like_link_token(&new_secret()), "older links keep working");
        assert_ne!(new_link_token(), short);
        for bad in ["", "a b", &"=".repeat(43), &"x".repeat(44)] {
            assert!(!looks_like_link_token(bad), "{bad:?}");
        }
        for bad in ["".to_owned(), "a".repeat(63), "a".repeat(65), "A".repeat(64), "g".repeat(64), " ".repeat(64)] {
            assert!(!looks_like_secret(&bad), "{bad:?}");
        }
    }

    #[test]
    fn secrets_hash_to_their_sha256() {
        let hash = hash_secret("abc");
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hash_secret("abc"), hash);
        assert_ne!(hash_secret("abd"), hash);
    }

    #[test]
    fn redacted_values_do_not_show_in_debug() {
        let token = Redacted::new(String::from("s3cret"));
        assert_eq!(format!("{token:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(token.clone())), "Some([redacted])");
        assert_eq!(token.expose(), "s3cret");
        assert_eq!(token.clone(), Redacted::new("s3cret".to_owned()));
        assert_eq!(token.into_inner(), "s3cret");
    }
}
