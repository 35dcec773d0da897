//! # The Aftercare care engine
//!
//! The safety-critical heart of Aftercare: it screens a client at intake, recommends a
//! massage type and pressure, explains what to expect, writes the aftercare plan, and
//! triages check-ins, exactly as the care policy says. Everything clinical it knows comes
//! from the knowledge files (`knowledge/*.toml`), which are embedded, checked on load, and
//! may be overridden by a clinic.
//!
//! The engine is pure: it does no IO, reads no clock and knows nothing of HTTP or SQL. It
//! takes plain values and returns plain values, so that it can be tested exhaustively.
//!
//! - [`knowledge`]: loading and checking the knowledge base.
//! - [`checkin`]: the check-in format (policy section 2) and its validation.
//! - [`triage`]: the triage rules (policy section 3).
//! - [`note`]: warning signs mentioned in the free-text note (policy section 3).
//! - [`screening`]: intake screening and recommendation (policy section 4).
//! - [`plan`]: what to expect and the aftercare plan (policy section 5).

/// The care policy version the built-in knowledge follows.
pub const POLICY_VERSION: &str = "1.2";

pub mod checkin;
pub mod codes;
pub mod input;
pub mod knowledge;
pub mod note;
pub mod plan;
pub mod schedule;
pub mod screening;
pub mod triage;
pub mod vocabulary;

pub use checkin::{CheckIn, parse_check_in};
pub use codes::{Level, Trend};
pub use input::{InputError, InputErrors};
pub use knowledge::{Knowledge, KnowledgeError, KnowledgeErrors};
pub use plan::{expect, plan};
pub use screening::{recommend, screen};
pub use triage::{Triage, TriageReport, triage};
