//! The web app's tests, in one binary: the JSON API, the client pages over HTTP, and the
//! client journey in real headless Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test should stop loudly

mod accounts;
mod api;
mod browser;
mod fhir;
mod followups;
mod from_the_clinic;
mod harness;
mod languages;
mod pages;
mod staff_pages;
