//! The follow-up worker's tests: one binary. Time is moved by passing clocks; SMTP and the
//! SMS webhook are real listeners on 127.0.0.1 (`followup::testing`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod config;
mod delivery;
mod faults;
mod window;
