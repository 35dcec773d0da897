//! Secrets handed out once and stored only as hashes: API tokens and client links. Each is 256
//! random bits, written as 64 hex digits; the database keeps its SHA-256.

use sha2::{Digest, Sha256};

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

/// A new client link for a follow-up: its token and the hash the store keeps.
pub fn new_link() -> followup::outbox::Link {
    let token = new_secret();
    followup::outbox::Link { hash: hash_secret(&token), token }
}

/// The hash under which a secret is stored and looked up.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether `s` has the shape of a secret (so that obvious junk is refused before any lookup).
pub fn looks_like_secret(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
