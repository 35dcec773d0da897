//! What every staff page shares: the layout (clinic, who is signed in, the navigation, the
//! sign-out form with its CSRF token) and times shown in the clinic's time zone.

use store::Timestamp;

/// The frame of a staff page.
#[derive(Clone)]
pub struct Layout {
    /// The page's title.
    pub title: String,
    /// The clinic's name, when signed in.
    pub clinic_name: String,
    /// Who is signed in.
    pub staff_name: String,
    /// The session's CSRF token, for every form.
    pub csrf: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
    /// The signed-in staff member's role: the navigation shows only what it may use.
    pub role: Option<store::Role>,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layout").field("title", &self.title).field("nav", &self.nav).finish_non_exhaustive()
    }
}

impl Layout {
    /// The frame of a signed-in page of `clinic`.
    pub fn signed_in(
        who: &super::auth::SignedIn,
        clinic: &store::Clinic,
        title: impl Into<String>,
        nav: &'static str,
    ) -> Layout {
        Layout {
            title: title.into(),
            clinic_name: clinic.name.clone(),
            staff_name: who.staff.name.clone(),
            csrf: who.csrf.clone(),
            nav,
            role: Some(who.staff.role),
        }
    }

    /// Whether the signed-in member may record sessions (owners and therapists).
    pub fn may_record_sessions(&self) -> bool {
        matches!(self.role, Some(store::Role::Owner | store::Role::Therapist))
    }

    /// Whether the signed-in member may change the clinic's settings (owners).
    pub fn may_change_settings(&self) -> bool {
        self.role == Some(store::Role::Owner)
    }

    /// The frame of a page shown before signing in.
    pub fn signed_out(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            clinic_name: String::new(),
            staff_name: String::new(),
            csrf: String::new(),
            nav: "",
            role: None,
        }
    }
}

pub use crate::render::{page as render, respond};

/// An instant in `timezone` (UTC when the zone is unknown), written as `format` says.
fn local(t: Timestamp, timezone: &str, format: &str) -> String {
    jiff::Timestamp::from_millisecond(t.0)
        .ok()
        .map(|ts| match jiff::tz::TimeZone::get(timezone) {
            Ok(tz) => ts.to_zoned_datetime(tz).strftime(format).to_string(),
            Err(_) => format!("{} UTC", ts.strftime(format)),
        })
        .unwrap_or_default()
}

/// An instant as the clinic reads it, such as "Fri 27 Nov, 14:05".
pub fn local_time(t: Timestamp, timezone: &str) -> String {
    local(t, timezone, "%a %-d %b, %H:%M")
}

/// A day as a client reads it, such as "Saturday 28 November", in `timezone`.
pub fn local_day_name(t: Timestamp, timezone: &str) -> String {
    local(t, timezone, "%A %-d %B")
}

/// The start and end of the clinic's local day that holds `t`.
pub fn local_day(t: Timestamp, timezone: &str) -> (Timestamp, Timestamp) {
    let day = jiff::Timestamp::from_millisecond(t.0).ok().and_then(|ts| {
        let tz = jiff::tz::TimeZone::get(timezone).ok()?;
        let zoned = ts.to_zoned_datetime(tz);
        let start = zoned.start_of_day().ok()?;
        let end = start.tomorrow().ok()?;
        Some((Timestamp(start.timestamp().as_millisecond()), Timestamp(end.timestamp().as_millisecond())))
    });
    day.unwrap_or((
        Timestamp(t.0 - t.0.rem_euclid(86_400_000)),
        Timestamp(t.0 - t.0.rem_euclid(86_400_000) + 86_400_000),
    ))
}
