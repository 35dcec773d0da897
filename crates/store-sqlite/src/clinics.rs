//! Clinics: their settings, schedule, message wording and contact.

use crate::error::{Error, Res};
use crate::rows::{all, one, the};
use crate::staff::insert_staff;
use rusqlite::{Connection, params};
use store::clinic_columns;
use store::columns::read_clinic;
use store::{Clinic, ClinicId, NewClinic, NewStaff, Staff, StoreError};

/// A new clinic.
const INSERT: &str = concat!(
    "INSERT INTO clinics (name, country, timezone, check_in_hours, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ",
    clinic_columns!()
);

/// Creates a clinic with its owner, in one transaction.
pub fn create_clinic(c: &Connection, clinic: NewClinic, owner: NewStaff) -> Res<(Clinic, Staff)> {
    let hours = serde_json::Value::from(clinic.check_in_hours.clone()).to_string();
    let created =
        the(c, INSERT, params![clinic.name, clinic.country, clinic.timezone, hours, clinic.now.0], read_clinic)?;
    let owner = insert_staff(c, created.id, &owner)?;
    crate::outcomes::start_tallies(c, created.id, &created.timezone)?;
    Ok((created, owner))
}

/// Every clinic, oldest first.
pub fn clinics(c: &Connection) -> Res<Vec<Clinic>> {
    all(c, concat!("SELECT ", clinic_columns!(), " FROM clinics ORDER BY id"), [], read_clinic)
}

/// The clinic `clinic_id`.
pub fn clinic(c: &Connection, clinic_id: ClinicId) -> Res<Option<Clinic>> {
    one(c, concat!("SELECT ", clinic_columns!(), " FROM clinics WHERE id = ?"), params![clinic_id.get()], read_clinic)
}

/// Renames a clinic, or moves it to another country or time zone.
/// A new time zone recounts the clinic's outcome tallies by its days.
pub fn update_clinic(c: &Connection, clinic_id: ClinicId, name: &str, country: &str, timezone: &str) -> Res<Clinic> {
    let before = clinic(c, clinic_id)?;
    let updated = the(
        c,
        concat!("UPDATE clinics SET name = ?, country = ?, timezone = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![name, country, timezone, clinic_id.get()],
        read_clinic,
    )?;
    if before.is_some_and(|b| b.timezone != updated.timezone) {
        crate::outcomes::recount(c, clinic_id, &updated.timezone)?;
    }
    Ok(updated)
}

/// Sets the hours after a session at which check-ins are due.
pub fn set_check_in_hours(c: &Connection, clinic_id: ClinicId, hours: &[i64]) -> Res<Clinic> {
    the(
        c,
        concat!("UPDATE clinics SET check_in_hours = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![serde_json::Value::from(hours.to_vec()).to_string(), clinic_id.get()],
        read_clinic,
    )
}

/// Sets the clinic's wording of its plan and check-in messages (`None`: the default).
pub fn set_message_texts(
    c: &Connection,
    clinic_id: ClinicId,
    plan: Option<&str>,
    check_in: Option<&str>,
) -> Res<Clinic> {
    the(
        c,
        concat!("UPDATE clinics SET plan_message = ?, check_in_message = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![plan, check_in, clinic_id.get()],
        read_clinic,
    )
}

/// Sets where urgent alerts go at once.
pub fn set_alert_to(c: &Connection, clinic_id: ClinicId, alert_to: Option<&str>) -> Res<Clinic> {
    the(
        c,
        concat!("UPDATE clinics SET alert_to = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![alert_to, clinic_id.get()],
        read_clinic,
    )
}

/// Sets the phone and e-mail address clients see.
pub fn set_clinic_contact(
    c: &Connection,
    clinic_id: ClinicId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Res<Clinic> {
    one(
        c,
        concat!("UPDATE clinics SET phone = ?, email = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![phone, email, clinic_id.get()],
        read_clinic,
    )?
    .ok_or(Error::Store(StoreError::NotFound("clinic")))
}

/// Sets whether every member must sign in with a second factor.
pub fn set_require_two_factor(c: &Connection, clinic_id: ClinicId, require: bool) -> Res<Clinic> {
    one(
        c,
        concat!("UPDATE clinics SET require_two_factor = ? WHERE id = ? RETURNING ", clinic_columns!()),
        params![require, clinic_id.get()],
        read_clinic,
    )?
    .ok_or(Error::Store(StoreError::NotFound("clinic")))
}
