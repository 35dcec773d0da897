//! # Aftercare follow-ups
//!
//! Every client is asked how they are at the clinic's check-in hours, at a sensible local
//! time, and staff hear at once when an answer needs them. This crate holds:
//!
//! - [`outbox`]: which messages a session or a check-in puts in the outbox, and when;
//! - [`window`]: the local-time window for client messages, across clock changes;
//! - [`wording`] and [`compose`]: what each message says;
//! - [`transport`]: SMTP, the SMS webhook, files and the console;
//! - [`config`]: choosing transports from the installation's configuration;
//! - [`worker`]: claiming due messages, sending, recording, retrying.
//!
//! Time is an input everywhere: the worker is handed a [`store::Clock`].

pub mod compose;
pub mod config;
pub mod outbox;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;
pub mod window;
pub mod wording;
pub mod worker;

pub use transport::Transports;
pub use worker::{RunReport, Worker};
