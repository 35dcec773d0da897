//! The care engine's tests, in one binary: the public vignettes, every rule at its
//! thresholds, an independent reading of the policy checked against the engine on random
//! check-ins, the safety properties, the knowledge files and their validation, screening,
//! recommendation and the aftercare plan.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test or benchmark should stop loudly

mod common;
mod knowledge_files;
mod oracle;
mod plan_and_screening;
mod properties;
mod rules;
mod schedule;
mod vignettes;
