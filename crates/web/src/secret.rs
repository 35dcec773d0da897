//! Secrets handed out once and stored only as hashes: API tokens and client links. The secrets
//! themselves are made and hashed in `domain::secret`; this adds the client link.

pub use domain::secret::{hash_secret, looks_like_link_token, looks_like_secret, new_link_token, new_secret};

/// A new client link for a follow-up: its token and the hash the store keeps.
pub fn new_link() -> followup::outbox::Link {
    let token = new_link_token();
    followup::outbox::Link { hash: hash_secret(&token), token }
}
