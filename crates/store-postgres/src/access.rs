//! Access: API tokens, staff sign-in sessions, password links, two-factor secrets and recovery codes.

use crate::error::{Error, Res};
use crate::rows::{exec, one, sql, the, value};
use sqlx::PgConnection;
use store::columns::{read_id, read_link_and_member, read_nothing, read_signed_in, read_staff, read_two_ids};
use store::{
    ApiToken, ApiTokenId, ClinicId, NewApiToken, NewPasswordLink, NewStaffSession, PasswordLink, PasswordLinkId,
    Redacted, Staff, StaffId, StaffSession, StoreError, Timestamp,
};
use store::{password_link_columns, staff_columns, staff_session_columns};

/// Stores an API token of a member of its clinic (not found when the clinic has no such
/// member); only its hash is kept.
pub async fn create_api_token(c: &mut PgConnection, token: NewApiToken) -> Res<ApiToken> {
    let id: ApiTokenId = the(
        c,
        sql("INSERT INTO api_tokens (clinic_id, staff_id, label, token_hash, created_at, expires_at) \
             SELECT clinic_id, id, $1::text, $2::bytea, $3::bigint, $4::bigint FROM staff \
             WHERE id = $5 AND clinic_id = $6 RETURNING id")
        .bind(token.label.as_str())
        .bind(token.token_hash.expose().as_slice())
        .bind(token.now.0)
        .bind(token.expires_at.0)
        .bind(token.staff_id.get())
        .bind(token.clinic_id.get()),
        read_id,
    )
    .await?;
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
pub async fn staff_by_token_hash(c: &mut PgConnection, token_hash: &[u8], now: Timestamp) -> Res<Option<Staff>> {
    one(
        c,
        sql(concat!(
            "SELECT ",
            staff_columns!("s."),
            " FROM api_tokens t \
             JOIN staff s ON s.id = t.staff_id AND s.clinic_id = t.clinic_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND s.active"
        ))
        .bind(token_hash)
        .bind(now.0),
        read_staff,
    )
    .await
}

/// Stores a sign-in session of an active member of its clinic (not found otherwise).
pub async fn create_staff_session(c: &mut PgConnection, session: NewStaffSession) -> Res<()> {
    let done = exec(
        c,
        sql("INSERT INTO staff_sessions (clinic_id, staff_id, token_hash, csrf_token, created_at, expires_at, \
             second_factor_pending) SELECT clinic_id, id, $1::bytea, $2::text, $3::bigint, $4::bigint, $5::boolean \
             FROM staff WHERE id = $6 AND clinic_id = $7 AND active")
        .bind(session.token_hash.expose().as_slice())
        .bind(session.csrf_token.expose().as_str())
        .bind(session.now.0)
        .bind(session.expires_at.0)
        .bind(session.second_factor_pending)
        .bind(session.staff_id.get())
        .bind(session.clinic_id.get()),
    )
    .await?;
    if done == 1 { Ok(()) } else { Err(Error::Store(StoreError::NotFound("staff member"))) }
}

/// The unexpired sign-in session whose token hashes to `token_hash`, with its member (who
/// must be active).
pub async fn staff_session(
    c: &mut PgConnection,
    token_hash: &[u8],
    now: Timestamp,
) -> Res<Option<(Staff, StaffSession)>> {
    one(
        c,
        sql(concat!(
            "SELECT ",
            staff_columns!("s."),
            ", ",
            staff_session_columns!("x."),
            ", c.require_two_factor \
             FROM staff_sessions x \
             JOIN staff s ON s.id = x.staff_id AND s.clinic_id = x.clinic_id \
             JOIN clinics c ON c.id = s.clinic_id \
             WHERE x.token_hash = $1 AND x.expires_at > $2 AND s.active"
        ))
        .bind(token_hash)
        .bind(now.0),
        read_signed_in,
    )
    .await
}

/// Ends the sign-in session whose token hashes to `token_hash`, and clears every expired one.
pub async fn delete_staff_session(c: &mut PgConnection, token_hash: &[u8], now: Timestamp) -> Res<()> {
    exec(c, sql("DELETE FROM staff_sessions WHERE token_hash = $1 OR expires_at <= $2").bind(token_hash).bind(now.0))
        .await?;
    Ok(())
}

/// Marks an unexpired session's second factor as given, and sets when it ends; whether the
/// session was waiting for it.
pub async fn complete_second_factor(
    c: &mut PgConnection,
    token_hash: &[u8],
    now: Timestamp,
    expires_at: Timestamp,
) -> Res<bool> {
    let done = exec(
        c,
        sql("UPDATE staff_sessions SET second_factor_pending = FALSE, expires_at = $1 \
             WHERE token_hash = $2 AND second_factor_pending AND expires_at > $3")
        .bind(expires_at.0)
        .bind(token_hash)
        .bind(now.0),
    )
    .await?;
    Ok(done == 1)
}

/// Creates a password link for an active member of the clinic, with the e-mail that carries
/// it; earlier unused links of theirs stop working. With `void_password`, their password
/// and every sign-in of theirs end too. `None` when the clinic has no such active member.
pub async fn create_password_link(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    link: NewPasswordLink,
) -> Res<Option<PasswordLink>> {
    let (clinic, member) = (clinic_id.get(), link.staff_id.get());
    // The member's row stays locked to the end of the transaction: they cannot be deactivated
    // meanwhile, and two links made for them at once come one after the other, so that only
    // the later stays unused.
    let active = one(
        c,
        sql("SELECT 1 FROM staff WHERE id = $1 AND clinic_id = $2 AND active FOR NO KEY UPDATE")
            .bind(member)
            .bind(clinic),
        read_nothing,
    )
    .await?;
    if active.is_none() {
        return Ok(None);
    }
    if link.void_password {
        exec(
            c,
            sql("UPDATE staff SET password_hash = NULL, password_chosen = FALSE WHERE id = $1 AND clinic_id = $2")
                .bind(member)
                .bind(clinic),
        )
        .await?;
        exec(c, sql("DELETE FROM staff_sessions WHERE clinic_id = $1 AND staff_id = $2").bind(clinic).bind(member))
            .await?;
    }
    exec(
        c,
        sql("UPDATE password_links SET used_at = $1 WHERE clinic_id = $2 AND staff_id = $3 AND used_at IS NULL")
            .bind(link.now.0)
            .bind(clinic)
            .bind(member),
    )
    .await?;
    let id: PasswordLinkId = the(
        c,
        sql("INSERT INTO password_links (clinic_id, staff_id, purpose, token_hash, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(clinic)
        .bind(member)
        .bind(link.purpose.code())
        .bind(link.token_hash.expose().as_slice())
        .bind(link.expires_at.0)
        .bind(link.now.0),
        read_id,
    )
    .await?;
    exec(
        c,
        sql("INSERT INTO messages (clinic_id, kind, recipient, staff_id, link_token, idempotency_key, due_at, \
             next_attempt, created_at) VALUES ($1, $2, 'staff', $3, $4, $5, $6, $6, $6)")
        .bind(clinic)
        .bind(link.purpose.message_kind().code())
        .bind(member)
        .bind(link.token.expose().as_str())
        .bind(link.idempotency_key.as_str())
        .bind(link.now.0),
    )
    .await?;
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
pub async fn password_link(
    c: &mut PgConnection,
    token_hash: &[u8],
    now: Timestamp,
) -> Res<Option<(PasswordLink, Staff)>> {
    one(
        c,
        sql(concat!(
            "SELECT ",
            password_link_columns!("l."),
            ", ",
            staff_columns!("s."),
            " FROM password_links l JOIN staff s ON s.id = l.staff_id AND s.clinic_id = l.clinic_id \
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND s.active"
        ))
        .bind(token_hash)
        .bind(now.0),
        read_link_and_member,
    )
    .await
}

/// Spends a password link: sets the password its member chose and ends every sign-in of
/// theirs; the member as they now are (`None` when the link is unknown, used, expired or its
/// member inactive).
pub async fn use_password_link(
    c: &mut PgConnection,
    token_hash: &[u8],
    password_hash: Redacted<String>,
    now: Timestamp,
) -> Res<Option<Staff>> {
    // The link's row is locked by the update (a second use of it waits, then finds it used);
    // the member's row is locked by the check that they are active, so that they cannot be
    // deactivated between the check and the new password.
    let spent = one(
        c,
        sql("UPDATE password_links l SET used_at = $1 \
             WHERE l.token_hash = $2 AND l.used_at IS NULL AND l.expires_at > $1 \
             AND EXISTS (SELECT 1 FROM staff s WHERE s.id = l.staff_id AND s.clinic_id = l.clinic_id AND s.active \
             FOR NO KEY UPDATE) \
             RETURNING l.clinic_id, l.staff_id")
        .bind(now.0)
        .bind(token_hash),
        read_two_ids,
    )
    .await?;
    let Some((clinic, member)) = spent else { return Ok(None) };
    let changed = the(
        c,
        sql(concat!(
            "UPDATE staff SET password_hash = $1, password_chosen = TRUE WHERE id = $2 AND clinic_id = $3 RETURNING ",
            staff_columns!()
        ))
        .bind(password_hash.expose().as_str())
        .bind(member)
        .bind(clinic),
        read_staff,
    )
    .await?;
    exec(c, sql("DELETE FROM staff_sessions WHERE clinic_id = $1 AND staff_id = $2").bind(clinic).bind(member)).await?;
    Ok(Some(changed))
}

/// Sets (or, with `None`, removes) a member's authenticator secret, replacing their recovery
/// codes (none are kept without a secret); whether the clinic has the member.
pub async fn set_two_factor(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    secret: Option<Redacted<String>>,
    recovery_code_hashes: &[Vec<u8>],
) -> Res<bool> {
    let (clinic, member) = (clinic_id.get(), staff_id.get());
    // The update locks the member's row: a second change at once waits, then replaces these
    // codes with its own.
    let changed = exec(
        c,
        sql("UPDATE staff SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND clinic_id = $3")
            .bind(secret.as_ref().map(|s| s.expose().as_str()))
            .bind(member)
            .bind(clinic),
    )
    .await?
        == 1;
    if changed {
        exec(c, sql("DELETE FROM recovery_codes WHERE clinic_id = $1 AND staff_id = $2").bind(clinic).bind(member))
            .await?;
        if secret.is_some() {
            for hash in recovery_code_hashes {
                exec(
                    c,
                    sql("INSERT INTO recovery_codes (clinic_id, staff_id, code_hash) VALUES ($1, $2, $3)")
                        .bind(clinic)
                        .bind(member)
                        .bind(hash.as_slice()),
                )
                .await?;
            }
        }
    }
    Ok(changed)
}

/// Takes an authenticator's time step for a member, so that each code works once: whether
/// `step` is later than the last one taken.
pub async fn take_totp_step(c: &mut PgConnection, clinic_id: ClinicId, staff_id: StaffId, step: i64) -> Res<bool> {
    // One conditional update: of two takes of the same step at once, the second waits for the
    // first and then finds the step taken.
    let done = exec(
        c,
        sql("UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND clinic_id = $3 AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < $1)")
        .bind(step)
        .bind(staff_id.get())
        .bind(clinic_id.get()),
    )
    .await?;
    Ok(done == 1)
}

/// Spends one of a member's unused recovery codes; whether it was one.
pub async fn use_recovery_code(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    code_hash: &[u8],
    now: Timestamp,
) -> Res<bool> {
    // The code's row is locked as it is chosen, and `used_at IS NULL` is checked again on the
    // row updated: the same code spent twice at once counts once.
    let done = exec(
        c,
        sql("UPDATE recovery_codes SET used_at = $1 WHERE clinic_id = $2 AND used_at IS NULL AND id = \
             (SELECT id FROM recovery_codes WHERE clinic_id = $2 AND staff_id = $3 AND code_hash = $4 \
             AND used_at IS NULL LIMIT 1 FOR NO KEY UPDATE)")
        .bind(now.0)
        .bind(clinic_id.get())
        .bind(staff_id.get())
        .bind(code_hash),
    )
    .await?;
    Ok(done == 1)
}

/// How many unused recovery codes a member has.
pub async fn recovery_codes_left(c: &mut PgConnection, clinic_id: ClinicId, staff_id: StaffId) -> Res<u32> {
    let n: i64 = value(
        c,
        sql("SELECT count(*) FROM recovery_codes WHERE clinic_id = $1 AND staff_id = $2 AND used_at IS NULL")
            .bind(clinic_id.get())
            .bind(staff_id.get()),
    )
    .await?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// Revokes every API token of a member; how many.
pub async fn revoke_tokens_of_staff(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    staff_id: StaffId,
    now: Timestamp,
) -> Res<u64> {
    exec(
        c,
        sql("UPDATE api_tokens SET revoked_at = $1 WHERE staff_id = $2 AND clinic_id = $3 AND revoked_at IS NULL")
            .bind(now.0)
            .bind(staff_id.get())
            .bind(clinic_id.get()),
    )
    .await
}

/// Revokes one of the clinic's API tokens; whether it was unrevoked.
pub async fn revoke_api_token(
    c: &mut PgConnection,
    clinic_id: ClinicId,
    token_id: ApiTokenId,
    now: Timestamp,
) -> Res<bool> {
    let done = exec(
        c,
        sql("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND clinic_id = $3 AND revoked_at IS NULL")
            .bind(now.0)
            .bind(token_id.get())
            .bind(clinic_id.get()),
    )
    .await?;
    Ok(done == 1)
}
