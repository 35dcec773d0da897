//! Clinics: their settings, schedule, message wording and contact.

use crate::error::{Error, Res};
use crate::rows::{all, one, sql, the};
use crate::staff::insert_staff;
use sqlx::PgConnection;
use store::clinic_columns;
use store::columns::read_clinic;
use store::{Clinic, ClinicId, NewClinic, NewStaff, Staff, StoreError};

/// A new clinic.
const INSERT: &str = concat!(
    "INSERT INTO clinics (name, country, timezone, check_in_hours, created_at) VALUES ($1, $2, $3, $4, $5) \
     RETURNING ",
    clinic_columns!()
);

/// Creates a clinic with its owner, in one transaction.
pub async fn create_clinic(c: &mut PgConnection, clinic: NewClinic, owner: NewStaff) -> Res<(Clinic, Staff)> {
    let hours = serde_json::Value::from(clinic.check_in_hours.clone()).to_string();
    let created = the(
        c,
        sql(INSERT).bind(clinic.name).bind(clinic.country).bind(clinic.timezone).bind(hours).bind(clinic.now.0),
        read_clinic,
    )
    .await?;
    let owner = insert_staff(&mut *c, created.id, &owner).await?;
    crate::outcomes::start_tallies(c, created.id, &created.timezone).await?;
    Ok((created, owner))
}

/// Every clinic, oldest first.
pub async fn clinics(c: &mut PgConnection) -> Res<Vec<Clinic>> {
    all(c, sql(concat!("SELECT ", clinic_columns!(), " FROM clinics ORDER BY id")), read_clinic).await
}

/// The clinic `clinic_id`.
pub async fn clinic(c: &mut PgConnection, clinic_id: ClinicId) -> Res<Option<Clinic>> {
    one(c, sql(concat!("SELECT ", clinic_columns!(), " FROM clinics WHERE id = $1")).bind(clinic_id.get()), read_clinic)
        .await
}

/// Renames a clinic, or moves it to another country or time zone. A new time zone recounts
/// the clinic's outcome tallies by its days.
pub async fn update_clinic(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    name: &str,
    country: &str,
    timezone: &str,
) -> Res<Clinic> {
    let before = clinic(&mut *c, clinic_id).await?;
    let updated = the(
        &mut *c,
        sql(concat!(
            "UPDATE clinics SET name = $1, country = $2, timezone = $3 WHERE id = $4 RETURNING ",
            clinic_columns!()
        ))
        .bind(name)
        .bind(country)
        .bind(timezone)
        .bind(clinic_id.get()),
        read_clinic,
    )
    .await?;
    if before.is_some_and(|b| b.timezone != updated.timezone) {
        crate::outcomes::recount(c, clinic_id, &updated.timezone).await?;
    }
    Ok(updated)
}

/// Sets the hours after a session at which check-ins are due.
pub async fn set_check_in_hours(c: &mut PgConnection, clinic_id: ClinicId, hours: &[i64]) -> Res<Clinic> {
    the(
        c,
        sql(concat!("UPDATE clinics SET check_in_hours = $1 WHERE id = $2 RETURNING ", clinic_columns!()))
            .bind(serde_json::Value::from(hours.to_vec()).to_string())
            .bind(clinic_id.get()),
        read_clinic,
    )
    .await
}

/// Sets the clinic's wording of its plan and check-in messages (`None`: the default).
pub async fn set_message_texts(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    plan: Option<&str>,
    check_in: Option<&str>,
) -> Res<Clinic> {
    the(
        c,
        sql(concat!(
            "UPDATE clinics SET plan_message = $1, check_in_message = $2 WHERE id = $3 RETURNING ",
            clinic_columns!()
        ))
        .bind(plan)
        .bind(check_in)
        .bind(clinic_id.get()),
        read_clinic,
    )
    .await
}

/// Sets where urgent alerts go at once.
pub async fn set_alert_to(c: &mut PgConnection, clinic_id: ClinicId, alert_to: Option<&str>) -> Res<Clinic> {
    the(
        c,
        sql(concat!("UPDATE clinics SET alert_to = $1 WHERE id = $2 RETURNING ", clinic_columns!()))
            .bind(alert_to)
            .bind(clinic_id.get()),
        read_clinic,
    )
    .await
}

/// Sets the phone and e-mail address clients see.
pub async fn set_clinic_contact(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Res<Clinic> {
    one(
        c,
        sql(concat!("UPDATE clinics SET phone = $1, email = $2 WHERE id = $3 RETURNING ", clinic_columns!()))
            .bind(phone)
            .bind(email)
            .bind(clinic_id.get()),
        read_clinic,
    )
    .await?
    .ok_or(Error::Store(StoreError::NotFound("clinic")))
}

/// Sets whether every member must sign in with a second factor.
pub async fn set_require_two_factor(c: &mut PgConnection, clinic_id: ClinicId, require: bool) -> Res<Clinic> {
    one(
        c,
        sql(concat!("UPDATE clinics SET require_two_factor = $1 WHERE id = $2 RETURNING ", clinic_columns!()))
            .bind(require)
            .bind(clinic_id.get()),
        read_clinic,
    )
    .await?
    .ok_or(Error::Store(StoreError::NotFound("clinic")))
}
