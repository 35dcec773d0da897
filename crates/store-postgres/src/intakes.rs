//! Intake links and the intake forms clients fill in.

use crate::error::{Error, Res};
use crate::rows::{exec, one, sql, the};
use sqlx::PgConnection;
use store::columns::{read_intake, read_intake_link};
use store::{ClientId, ClinicId, Intake, IntakeLink, NewClient, NewIntake, NewIntakeLink, StoreError, Timestamp};
use store::{intake_columns, intake_link_columns};

/// Stores an intake link: a client's, or the clinic's public one (which ends any public
/// link still working). `NotFound` when the client is not in the clinic.
pub async fn create_intake_link(c: &mut PgConnection, clinic_id: ClinicId, link: NewIntakeLink) -> Res<()> {
    if link.client_id.is_none() {
        // Two public links created at once must not both stay working: the clinic's row is
        // locked first (FOR NO KEY UPDATE, which other writes' foreign keys do not wait for),
        // so the second waits, then ends the link the first one stored.
        exec(&mut *c, sql("SELECT id FROM clinics WHERE id = $1 FOR NO KEY UPDATE").bind(clinic_id.get())).await?;
        exec(
            &mut *c,
            sql("UPDATE intake_links SET expires_at = $1 \
                 WHERE clinic_id = $2 AND client_id IS NULL AND expires_at > $1")
            .bind(link.now.0)
            .bind(clinic_id.get()),
        )
        .await?;
    }
    let done = exec(
        c,
        sql("INSERT INTO intake_links (clinic_id, client_id, link_hash, created_at, expires_at) \
             SELECT $1::bigint, $2::bigint, $3::bytea, $4::bigint, $5::bigint \
             WHERE $2::bigint IS NULL OR EXISTS (SELECT 1 FROM clients WHERE id = $2 AND clinic_id = $1)")
        .bind(clinic_id.get())
        .bind(link.client_id.map(ClientId::get))
        .bind(link.link_hash.expose().as_slice())
        .bind(link.now.0)
        .bind(link.expires_at.0),
    )
    .await?;
    if done != 1 {
        return Err(Error::Store(StoreError::NotFound("client")));
    }
    Ok(())
}

/// The intake link with this hash, while it works (not expired, not used).
pub async fn intake_link(c: &mut PgConnection, link_hash: &[u8], now: Timestamp) -> Res<Option<IntakeLink>> {
    const SQL: &str = concat!(
        "SELECT ",
        intake_link_columns!(),
        " FROM intake_links WHERE link_hash = $1 AND expires_at > $2 AND used_at IS NULL"
    );
    one(c, sql(SQL).bind(link_hash).bind(now.0), read_intake_link).await
}

/// Stores an intake sent through a link: for the link's client, or for `new_client`, added
/// now, through the public link. `None` when a client's link was used already (or expired).
pub async fn intake_by_link(
    c: &mut PgConnection,
    link: &IntakeLink,
    new_client: Option<NewClient>,
    body: String,
    now: Timestamp,
) -> Res<Option<Intake>> {
    const SQL: &str = concat!(
        "INSERT INTO intakes (clinic_id, client_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING ",
        intake_columns!()
    );
    // A client's link is used once: claim it first, so two submissions cannot both pass (one
    // conditional statement: a second submission waits for the first and then finds the link
    // used).
    if link.client_id.is_some() {
        let claimed = exec(
            &mut *c,
            sql("UPDATE intake_links SET used_at = $1 \
                 WHERE id = $2 AND clinic_id = $3 AND used_at IS NULL AND expires_at > $1")
            .bind(now.0)
            .bind(link.id.get())
            .bind(link.clinic_id.get()),
        )
        .await?;
        if claimed != 1 {
            return Ok(None);
        }
    }
    let client_id = match (link.client_id, new_client) {
        (Some(id), _) => id,
        (None, Some(new)) => crate::clients::create_client(&mut *c, link.clinic_id, new).await?.id,
        (None, None) => return Err(Error::Store(StoreError::NotFound("client"))),
    };
    let saved =
        the(c, sql(SQL).bind(link.clinic_id.get()).bind(client_id.get()).bind(body).bind(now.0), read_intake).await?;
    Ok(Some(saved))
}

/// Stores an intake taken by staff for a client of the clinic (`NotFound` otherwise).
pub async fn save_intake(c: &mut PgConnection, clinic_id: ClinicId, intake: NewIntake) -> Res<Intake> {
    const SQL: &str = concat!(
        "INSERT INTO intakes (clinic_id, client_id, body, created_at) \
         SELECT $1, id, $2, $3 FROM clients WHERE id = $4 AND clinic_id = $1 RETURNING ",
        intake_columns!()
    );
    the(
        c,
        sql(SQL).bind(clinic_id.get()).bind(intake.body).bind(intake.now.0).bind(intake.client_id.get()),
        read_intake,
    )
    .await
}

/// A client's newest intake.
pub async fn latest_intake(c: &mut PgConnection, clinic_id: ClinicId, client_id: ClientId) -> Res<Option<Intake>> {
    const SQL: &str = concat!(
        "SELECT ",
        intake_columns!(),
        " FROM intakes WHERE clinic_id = $1 AND client_id = $2 ORDER BY id DESC LIMIT 1"
    );
    one(c, sql(SQL).bind(clinic_id.get()).bind(client_id.get()), read_intake).await
}
