//! Access: API tokens, staff sign-in sessions, password links, two-factor secrets and recovery codes.

use crate::error::{Error, Res};
use crate::rows::{exec, one, the, value};
use rusqlite::{Connection, params};
use store::columns::{read_id, read_link_and_member, read_nothing, read_signed_in, read_staff, read_two_ids};
use store::{
    ApiToken, ApiTokenId, ClinicId, NewApiToken, NewPasswordLink, NewStaffSession, PasswordLink, PasswordLinkId,
    Redacted, Staff, StaffId, StaffSession, StoreError, Timestamp,
};
use store::{password_link_columns, staff_columns, staff_session_columns};

/// Stores an API token of a member of its clinic (not found when the clinic has no such
/// member); only its hash is kept.
pub fn create_api_token(c: &Connection, token: NewApiToken) -> Res<ApiToken> {
    let id: ApiTokenId = the(
        c,
        "INSERT INTO api_tokens (clinic_id, staff_id, label, token_hash, created_at, expires_at) \
         SELECT ?, id, ?, ?, ?, ? FROM staff WHERE id = ? AND clinic_id = ? RETURNING id",
        params![
            token.clinic_id.get(),
            token.label,
            token.token_hash.expose(),
            token.now.0,
            token.expires_at.0,
            token.staff_id.get(),
            token.clinic_id.get()
        ],
        read_id,
    )?;
    Ok(ApiToken {
        id,
        clinic_id: token.clinic_id,
        staff_id: token.staff_id,
        label: token.label,
        created_at: token.now,
        expires_at: token.expires_at,
    })
}

/// The active member whose unrevoked, unexpired API token hashes to `token_hash`.
pub fn staff_by_token_hash(c: &Connection, token_hash: &[u8], now: Timestamp) -> Res<Option<Staff>> {
    one(
        c,
        concat!(
            "SELECT ",
            staff_columns!("s."),
            " FROM api_tokens t \
             JOIN staff s ON s.id = t.staff_id AND s.clinic_id = t.clinic_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND s.active = 1"
        ),
        params![token_hash, now.0],
        read_staff,
    )
}

/// Stores a sign-in session of an active member of its clinic (not found otherwise).
pub fn create_staff_session(c: &Connection, session: NewStaffSession) -> Res<()> {
    let done = exec(
        c,
        "INSERT INTO staff_sessions (clinic_id, staff_id, token_hash, csrf_token, created_at, expires_at, \
         second_factor_pending) SELECT clinic_id, id, ?, ?, ?, ?, ? FROM staff \
         WHERE id = ? AND clinic_id = ? AND active = 1",
        params![
            session.token_hash.expose(),
            session.csrf_token.expose(),
            session.now.0,
            session.expires_at.0,
            session.second_factor_pending,
            session.staff_id.get(),
            session.clinic_id.get()
        ],
    )?;
    if done == 1 { Ok(()) } else { Err(Error::Store(StoreError::NotFound("staff member"))) }
}

/// The unexpired sign-in session whose token hashes to `token_hash`, with its member (who
/// must be active).
pub fn staff_session(c: &Connection, token_hash: &[u8], now: Timestamp) -> Res<Option<(Staff, StaffSession)>> {
    one(
        c,
        concat!(
            "SELECT ",
            staff_columns!("s."),
            ", ",
            staff_session_columns!("x."),
            ", c.require_two_factor \
             FROM staff_sessions x \
             JOIN staff s ON s.id = x.staff_id AND s.clinic_id = x.clinic_id \
             JOIN clinics c ON c.id = s.clinic_id \
             WHERE x.token_hash = ? AND x.expires_at > ? AND s.active = 1"
        ),
        params![token_hash, now.0],
        read_signed_in,
    )
}

/// Ends the sign-in session whose token hashes to `token_hash`, and clears every expired one.
pub fn delete_staff_session(c: &Connection, token_hash: &[u8], now: Timestamp) -> Res<()> {
    exec(c, "DELETE FROM staff_sessions WHERE token_hash = ? OR expires_at <= ?", params![token_hash, now.0])?;
    Ok(())
}

/// Marks an unexpired session's second factor as given, and sets when it ends; whether the
/// session was waiting for it.
pub fn complete_second_factor(c: &Connection, token_hash: &[u8], now: Timestamp, expires_at: Timestamp) -> Res<bool> {
    let done = exec(
        c,
        "UPDATE staff_sessions SET second_factor_pending = 0, expires_at = ? \
         WHERE token_hash = ? AND second_factor_pending = 1 AND expires_at > ?",
        params![expires_at.0, token_hash, now.0],
    )?;
    Ok(done == 1)
}

/// Creates a password link for an active member of the clinic, with the e-mail that carries
/// it; earlier unused links of theirs stop working. With `void_password`, their password
/// and every sign-in of theirs end too. `None` when the clinic has no such active member.
pub fn create_password_link(c: &Connection, clinic_id: ClinicId, link: NewPasswordLink) -> Res<Option<PasswordLink>> {
    let (clinic, member) = (clinic_id.get(), link.staff_id.get());
    let active = one(
        c,
        "SELECT 1 FROM staff WHERE id = ? AND clinic_id = ? AND active = 1",
        params![member, clinic],
        read_nothing,
    )?;
    if active.is_none() {
        return Ok(None);
    }
    if link.void_password {
        exec(
            c,
            "UPDATE staff SET password_hash = NULL, password_chosen = 0 WHERE id = ? AND clinic_id = ?",
            params![member, clinic],
        )?;
        exec(c, "DELETE FROM staff_sessions WHERE clinic_id = ? AND staff_id = ?", params![clinic, member])?;
    }
    exec(
        c,
        "UPDATE password_links SET used_at = ? WHERE clinic_id = ? AND staff_id = ? AND used_at IS NULL",
        params![link.now.0, clinic, member],
    )?;
    let id: PasswordLinkId = the(
        c,
        "INSERT INTO password_links (clinic_id, staff_id, purpose, token_hash, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        params![clinic, member, link.purpose.code(), link.token_hash.expose(), link.expires_at.0, link.now.0],
        read_id,
    )?;
    exec(
        c,
        "INSERT INTO messages (clinic_id, kind, recipient, staff_id, link_token, idempotency_key, due_at, \
         next_attempt, created_at) VALUES (?1, ?2, 'staff', ?3, ?4, ?5, ?6, ?6, ?6)",
        params![
            clinic,
            link.purpose.message_kind().code(),
            member,
            link.token.expose(),
            link.idempotency_key,
            link.now.0
        ],
    )?;
    Ok(Some(PasswordLink {
        id,
        clinic_id,
        staff_id: link.staff_id,
        purpose: link.purpose,
        expires_at: link.expires_at,
    }))
}

/// The unused, unexpired password link whose token hashes to `token_hash`, with its member
/// (who must be active).
pub fn password_link(c: &Connection, token_hash: &[u8], now: Timestamp) -> Res<Option<(PasswordLink, Staff)>> {
    one(
        c,
        concat!(
            "SELECT ",
            password_link_columns!("l."),
            ", ",
            staff_columns!("s."),
            " FROM password_links l JOIN staff s ON s.id = l.staff_id AND s.clinic_id = l.clinic_id \
             WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND s.active = 1"
        ),
        params![token_hash, now.0],
        read_link_and_member,
    )
}

/// Spends a password link: sets the password its member chose and ends every sign-in of
/// theirs; the member as they now are (`None` when the link is unknown, used, expired or its
/// member inactive).
pub fn use_password_link(
    c: &Connection,
    token_hash: &[u8],
    password_hash: Redacted<String>,
    now: Timestamp,
) -> Res<Option<Staff>> {
    let spent = one(
        c,
        "UPDATE password_links SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1 \
         AND EXISTS (SELECT 1 FROM staff s WHERE s.id = staff_id AND s.clinic_id = clinic_id AND s.active = 1) \
         RETURNING clinic_id, staff_id",
        params![now.0, token_hash],
        read_two_ids,
    )?;
    let Some((clinic, member)) = spent else { return Ok(None) };
    let changed = the(
        c,
        concat!(
            "UPDATE staff SET password_hash = ?, password_chosen = 1 WHERE id = ? AND clinic_id = ? RETURNING ",
            staff_columns!()
        ),
        params![password_hash.expose(), member, clinic],
        read_staff,
    )?;
    exec(c, "DELETE FROM staff_sessions WHERE clinic_id = ? AND staff_id = ?", params![clinic, member])?;
    Ok(Some(changed))
}

/// Sets (or, with `None`, removes) a member's authenticator secret, replacing their recovery
/// codes (none are kept without a secret); whether the clinic has the member.
pub fn set_two_factor(
    c: &Connection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    secret: Option<Redacted<String>>,
    recovery_code_hashes: &[Vec<u8>],
) -> Res<bool> {
    let (clinic, member) = (clinic_id.get(), staff_id.get());
    let changed = exec(
        c,
        "UPDATE staff SET totp_secret = ?, totp_last_step = NULL WHERE id = ? AND clinic_id = ?",
        params![secret.as_ref().map(|s| s.expose()), member, clinic],
    )? == 1;
    if changed {
        exec(c, "DELETE FROM recovery_codes WHERE clinic_id = ? AND staff_id = ?", params![clinic, member])?;
        if secret.is_some() {
            for hash in recovery_code_hashes {
                exec(
                    c,
                    "INSERT INTO recovery_codes (clinic_id, staff_id, code_hash) VALUES (?, ?, ?)",
                    params![clinic, member, hash],
                )?;
            }
        }
    }
    Ok(changed)
}

/// Takes an authenticator's time step for a member, so that each code works once: whether
/// `step` is later than the last one taken.
pub fn take_totp_step(c: &Connection, clinic_id: ClinicId, staff_id: StaffId, step: i64) -> Res<bool> {
    let done = exec(
        c,
        "UPDATE staff SET totp_last_step = ?1 WHERE id = ?2 AND clinic_id = ?3 AND totp_secret IS NOT NULL \
         AND (totp_last_step IS NULL OR totp_last_step < ?1)",
        params![step, staff_id.get(), clinic_id.get()],
    )?;
    Ok(done == 1)
}

/// Spends one of a member's unused recovery codes; whether it was one.
pub fn use_recovery_code(
    c: &Connection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    code_hash: &[u8],
    now: Timestamp,
) -> Res<bool> {
    let done = exec(
        c,
        "UPDATE recovery_codes SET used_at = ? WHERE id = (SELECT id FROM recovery_codes \
         WHERE clinic_id = ? AND staff_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1)",
        params![now.0, clinic_id.get(), staff_id.get(), code_hash],
    )?;
    Ok(done == 1)
}

/// How many unused recovery codes a member has.
pub fn recovery_codes_left(c: &Connection, clinic_id: ClinicId, staff_id: StaffId) -> Res<u32> {
    let n: i64 = value(
        c,
        "SELECT count(*) FROM recovery_codes WHERE clinic_id = ? AND staff_id = ? AND used_at IS NULL",
        params![clinic_id.get(), staff_id.get()],
    )?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// Revokes every API token of a member; how many.
pub fn revoke_tokens_of_staff(c: &Connection, clinic_id: ClinicId, staff_id: StaffId, now: Timestamp) -> Res<u64> {
    let done = exec(
        c,
        "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND clinic_id = ? AND revoked_at IS NULL",
        params![now.0, staff_id.get(), clinic_id.get()],
    )?;
    Ok(done as u64)
}

/// Revokes one of the clinic's API tokens; whether it was unrevoked.
pub fn revoke_api_token(c: &Connection, clinic_id: ClinicId, token_id: ApiTokenId, now: Timestamp) -> Res<bool> {
    let done = exec(
        c,
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND clinic_id = ? AND revoked_at IS NULL",
        params![now.0, token_id.get(), clinic_id.get()],
    )?;
    Ok(done == 1)
}
