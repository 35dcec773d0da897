//! How every page is made: one way to render a template, and the frame every client page
//! shares (the clinic's name, the warning signs with the emergency number, and that the
//! product does not diagnose).

use crate::error::Error;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use care::knowledge::locale::Locale;
use std::sync::Arc;

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
    /// The clinic's phone, when it gave one: a call link wherever a client is told to
    /// contact the clinic or their therapist.
    pub clinic_phone: Option<String>,
    /// The page's language: its words and its knowledge.
    pub locale: Arc<Locale>,
    /// Every language, for the switch: (code, name in itself).
    pub languages: Vec<(String, String)>,
}

impl ClientFrame {
    /// The frame of a page of `clinic`, or of no clinic known, in `locale`.
    pub fn of(locale: &Arc<Locale>, clinic: Option<&store::Clinic>) -> ClientFrame {
        let number = clinic.and_then(|c| locale.knowledge.country(&c.country)).map(|c| c.emergency.clone());
        let mut frame = ClientFrame::with(locale, clinic.map_or("Aftercare", |c| c.name.as_str()), number);
        frame.clinic_phone = clinic.and_then(|c| c.phone.clone());
        frame
    }

    /// The frame of `clinic`'s page with an emergency number known otherwise.
    pub fn of_clinic(locale: &Arc<Locale>, clinic: &store::Clinic, emergency_number: Option<String>) -> ClientFrame {
        ClientFrame { clinic_phone: clinic.phone.clone(), ..ClientFrame::with(locale, &clinic.name, emergency_number) }
    }

    /// The frame with a clinic's name and an emergency number known otherwise.
    pub fn with(locale: &Arc<Locale>, clinic_name: &str, emergency_number: Option<String>) -> ClientFrame {
        let kb = &locale.knowledge;
        ClientFrame {
            clinic_name: clinic_name.to_owned(),
            disclaimer: kb.triage.disclaimer.clone(),
            red_flags: care::triage::red_flags(kb)
                .into_iter()
                .map(|f| Flag { level: f.level, text: f.text.to_owned() })
                .collect(),
            emergency_number,
            clinic_phone: None,
            locale: locale.clone(),
            languages: locale.all.clone(),
        }
    }

    /// The page's language code, for `lang` and the links that keep it.
    pub fn lang(&self) -> &str {
        &self.locale.code
    }

    /// The page's words of `key`.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.locale.word(key)
    }

    /// The page's words of `key`, with `{clinic}` and `{phone}` filled in.
    pub fn tc(&self, key: &str) -> String {
        let phone = self.clinic_phone.as_deref().unwrap_or_default();
        self.locale.fill(key, &[("clinic", &self.clinic_name), ("phone", phone)])
    }

    /// The page's words of `key`, with `{clinic}` and `{name}` filled in.
    pub fn tf(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        self.locale.fill(key, &[("clinic", &self.clinic_name), (name, &value.to_string())])
    }
}

/// A QR code of `text` as an SVG drawing (black modules on white, with the quiet zone).
pub fn qr_svg(text: &str, label: &str) -> String {
    use qrcodegen::{QrCode, QrCodeEcc};
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else { return String::new() };
    let (size, border) = (qr.size(), 4);
    let total = size + border * 2;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" width=\"220\" height=\"220\" \
         role=\"img\" aria-label=\"{}\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        label.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_a_drawing_with_its_quiet_zone_and_its_label() {
        let svg = super::qr_svg("otpauth://totp/Aftercare:ada%40calm.example?secret=JBSWY3DPEHPK3PXP", "a \"code\"");
        assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 ") && svg.contains("M4,4h1v1h-1z"), "{svg}");
        assert!(svg.contains("aria-label=\"a &quot;code&quot;\""), "{svg}");
    }
}
