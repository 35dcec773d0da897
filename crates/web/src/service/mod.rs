//! The use cases, each in one file: a client's check-in, recording a session, an intake, a
//! client's record, the alerts. Each takes the state and typed input and returns a typed
//! outcome; the JSON API answers the outcome as it is, and the pages are made from it. Nothing
//! here knows HTTP.

pub mod alert;
pub mod check_in;
pub mod client;
pub mod export;
pub mod fhir;
pub mod intake;
pub mod outcomes;
pub mod profile;
pub mod session;
