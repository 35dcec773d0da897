//! The `aftercare` binary run as a real process: the engine's commands with their outputs,
//! exit codes and messages, and the operator's commands (clinic, token, migrate, serve).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test should stop loudly

mod backup;
mod database_choice;
mod disk_full;
mod engine_commands;
mod followups;
mod moving;
mod operate;
mod server;
mod several_processes;
