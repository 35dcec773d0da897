//! Staff: their accounts, roles and passwords.

use crate::error::Res;
use crate::rows::{all, exec, one, sql, the};
use sqlx::PgConnection;
use store::columns::read_staff;
use store::staff_columns;
use store::{ClinicId, NewStaff, Redacted, Role, Staff, StaffId, Timestamp};

/// A new staff member.
const INSERT: &str = concat!(
    "INSERT INTO staff (clinic_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
     RETURNING ",
    staff_columns!()
);

/// Adds a staff member to a clinic (inside the caller's transaction).
pub async fn insert_staff(c: &mut PgConnection, clinic_id: ClinicId, s: &NewStaff) -> Res<Staff> {
    the(
        c,
        sql(INSERT)
            .bind(clinic_id.get())
            .bind(s.email.as_str())
            .bind(s.name.as_str())
            .bind(s.role.code())
            .bind(s.password_hash.as_ref().map(|h| h.expose().as_str()))
            .bind(s.now.0),
        read_staff,
    )
    .await
}

/// A clinic's staff, by name (case aside).
pub async fn staff_of_clinic(c: &mut PgConnection, clinic_id: ClinicId) -> Res<Vec<Staff>> {
    all(
        c,
        sql(concat!("SELECT ", staff_columns!(), " FROM staff WHERE clinic_id = $1 ORDER BY lower(name), id"))
            .bind(clinic_id.get()),
        read_staff,
    )
    .await
}

/// Sets a member's password (one they chose) and ends every sign-in of theirs but the one
/// whose token hashes to `keep`; whether the clinic has the member.
pub async fn set_staff_password(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    password_hash: Redacted<String>,
    keep: &[u8],
) -> Res<bool> {
    let changed = exec(
        c,
        sql("UPDATE staff SET password_hash = $1, password_chosen = TRUE WHERE id = $2 AND clinic_id = $3")
            .bind(password_hash.expose().as_str())
            .bind(staff_id.get())
            .bind(clinic_id.get()),
    )
    .await?
        == 1;
    if changed {
        exec(
            c,
            sql("DELETE FROM staff_sessions WHERE staff_id = $1 AND clinic_id = $2 AND token_hash <> $3")
                .bind(staff_id.get())
                .bind(clinic_id.get())
                .bind(keep),
        )
        .await?;
    }
    Ok(changed)
}

/// Sets a member's role and whether they may sign in; the member as they now are.
pub async fn update_staff(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    role: Role,
    active: bool,
    now: Timestamp,
) -> Res<Option<Staff>> {
    let member = one(
        c,
        sql(concat!(
            "UPDATE staff SET role = $1, active = $2 WHERE id = $3 AND clinic_id = $4 RETURNING ",
            staff_columns!()
        ))
        .bind(role.code())
        .bind(active)
        .bind(staff_id.get())
        .bind(clinic_id.get()),
        read_staff,
    )
    .await?;
    if !active {
        // A deactivated member's tokens end with them: reactivation does not bring them back.
        exec(
            c,
            sql("UPDATE api_tokens SET revoked_at = $1 WHERE staff_id = $2 AND clinic_id = $3 AND revoked_at IS NULL")
                .bind(now.0)
                .bind(staff_id.get())
                .bind(clinic_id.get()),
        )
        .await?;
    }
    Ok(member)
}

/// Adds a staff member to a clinic.
pub async fn create_staff(c: &mut PgConnection, clinic_id: ClinicId, staff: NewStaff) -> Res<Staff> {
    insert_staff(c, clinic_id, &staff).await
}

/// The clinic's member `staff_id`.
pub async fn staff_in_clinic(c: &mut PgConnection, clinic_id: ClinicId, staff_id: StaffId) -> Res<Option<Staff>> {
    one(
        c,
        sql(concat!("SELECT ", staff_columns!(), " FROM staff WHERE id = $1 AND clinic_id = $2"))
            .bind(staff_id.get())
            .bind(clinic_id.get()),
        read_staff,
    )
    .await
}

/// The staff member with this e-mail address (lower case), in any clinic.
pub async fn staff_by_email(c: &mut PgConnection, email: &str) -> Res<Option<Staff>> {
    one(c, sql(concat!("SELECT ", staff_columns!(), " FROM staff WHERE email = $1")).bind(email), read_staff).await
}
