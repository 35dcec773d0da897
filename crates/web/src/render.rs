//! How every page is made: one way to render a template, and the frame every client page
//! shares (the clinic's name, the warning signs with the emergency number, and that the
//! product does not diagnose).

use crate::error::Error;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use care::Knowledge;

/// Renders a page with `status`, or answers the 500 of a template that failed.
pub fn page(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => Error::from(e).into_response(),
    }
}

/// Renders a page that was built, or answers the error that stopped it.
pub fn respond(built: Result<impl Template, Error>, status: StatusCode) -> Response {
    match built {
        Ok(p) => page(&p, status),
        Err(e) => e.into_response(),
    }
}

/// A warning sign, as pages show it.
#[derive(Debug, Clone)]
pub struct Flag {
    /// `emergency` or `doctor`: what to do when it happens.
    pub level: care::Level,
    /// The sign in plain words.
    pub text: String,
}

/// The frame of every client page.
#[derive(Debug, Clone)]
pub struct ClientFrame {
    /// The clinic's name ("Aftercare" when the clinic is not known).
    pub clinic_name: String,
    /// The product triages and explains; it does not diagnose.
    pub disclaimer: String,
    /// The warning signs, emergency first.
    pub red_flags: Vec<Flag>,
    /// The emergency number of the clinic's country, when known.
    pub emergency_number: Option<String>,
}

impl ClientFrame {
    /// The frame of a page of `clinic`, or of no clinic known.
    pub fn of(kb: &Knowledge, clinic: Option<&store::Clinic>) -> ClientFrame {
        let number = clinic.and_then(|c| kb.country(&c.country)).map(|c| c.emergency.clone());
        ClientFrame::with(kb, clinic.map_or("Aftercare", |c| c.name.as_str()), number)
    }

    /// The frame with a clinic's name and an emergency number known otherwise.
    pub fn with(kb: &Knowledge, clinic_name: &str, emergency_number: Option<String>) -> ClientFrame {
        ClientFrame {
            clinic_name: clinic_name.to_owned(),
            disclaimer: kb.triage.disclaimer.clone(),
            red_flags: care::triage::red_flags(kb)
                .into_iter()
                .map(|f| Flag { level: f.level, text: f.text.to_owned() })
                .collect(),
            emergency_number,
        }
    }
}
