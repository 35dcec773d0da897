//! Staff: their accounts, roles and passwords.

use crate::error::Res;
use crate::rows::{all, exec, one, the};
use rusqlite::{Connection, params};
use store::columns::read_staff;
use store::staff_columns;
use store::{ClinicId, NewStaff, Redacted, Role, Staff, StaffId, Timestamp};

/// A new staff member.
const INSERT: &str = concat!(
    "INSERT INTO staff (clinic_id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?) \
     RETURNING ",
    staff_columns!()
);

/// Adds a staff member to a clinic (inside the caller's transaction).
pub fn insert_staff(c: &Connection, clinic_id: ClinicId, s: &NewStaff) -> Res<Staff> {
    the(
        c,
        INSERT,
        params![clinic_id.get(), s.email, s.name, s.role.code(), s.password_hash.as_ref().map(|h| h.expose()), s.now.0],
        read_staff,
    )
}

/// A clinic's staff, by name.
pub fn staff_of_clinic(c: &Connection, clinic_id: ClinicId) -> Res<Vec<Staff>> {
    all(
        c,
        concat!("SELECT ", staff_columns!(), " FROM staff WHERE clinic_id = ? ORDER BY name COLLATE NOCASE, id"),
        params![clinic_id.get()],
        read_staff,
    )
}

/// Sets a member's password (one they chose) and ends every sign-in of theirs but the one
/// whose token hashes to `keep`; whether the clinic has the member.
pub fn set_staff_password(
    c: &Connection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    password_hash: Redacted<String>,
    keep: &[u8],
) -> Res<bool> {
    let changed = exec(
        c,
        "UPDATE staff SET password_hash = ?, password_chosen = 1 WHERE id = ? AND clinic_id = ?",
        params![password_hash.expose(), staff_id.get(), clinic_id.get()],
    )? == 1;
    if changed {
        exec(
            c,
            "DELETE FROM staff_sessions WHERE staff_id = ? AND clinic_id = ? AND token_hash != ?",
            params![staff_id.get(), clinic_id.get(), keep],
        )?;
    }
    Ok(changed)
}

/// Sets a member's role and whether they may sign in; the member as they now are.
pub fn update_staff(
    c: &Connection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    role: Role,
    active: bool,
    now: Timestamp,
) -> Res<Option<Staff>> {
    let member = one(
        c,
        concat!("UPDATE staff SET role = ?, active = ? WHERE id = ? AND clinic_id = ? RETURNING ", staff_columns!()),
        params![role.code(), active, staff_id.get(), clinic_id.get()],
        read_staff,
    )?;
    if !active {
        // A deactivated member's tokens end with them: reactivation does not bring them back.
        exec(
            c,
            "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND clinic_id = ? AND revoked_at IS NULL",
            params![now.0, staff_id.get(), clinic_id.get()],
        )?;
    }
    Ok(member)
}

/// Adds a staff member to a clinic.
pub fn create_staff(c: &Connection, clinic_id: ClinicId, staff: NewStaff) -> Res<Staff> {
    insert_staff(c, clinic_id, &staff)
}

/// The clinic's member `staff_id`.
pub fn staff_in_clinic(c: &Connection, clinic_id: ClinicId, staff_id: StaffId) -> Res<Option<Staff>> {
    one(
        c,
        concat!("SELECT ", staff_columns!(), " FROM staff WHERE id = ? AND clinic_id = ?"),
        params![staff_id.get(), clinic_id.get()],
        read_staff,
    )
}

/// The staff member with this e-mail address (lower case), in any clinic.
pub fn staff_by_email(c: &Connection, email: &str) -> Res<Option<Staff>> {
    one(c, concat!("SELECT ", staff_columns!(), " FROM staff WHERE email = ?"), params![email], read_staff)
}
