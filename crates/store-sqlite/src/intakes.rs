//! Intake links and the intake forms clients fill in.

use crate::error::{Error, Res};
use crate::rows::{exec, one, the};
use rusqlite::{Connection, params};
use store::columns::{read_intake, read_intake_link};
use store::{ClientId, ClinicId, Intake, IntakeLink, NewClient, NewIntake, NewIntakeLink, StoreError, Timestamp};
use store::{intake_columns, intake_link_columns};

/// Stores an intake link: a client's, or the clinic's public one (which ends any public
/// link still working). `NotFound` when the client is not in the clinic.
pub fn create_intake_link(c: &Connection, clinic_id: ClinicId, link: NewIntakeLink) -> Res<()> {
    if link.client_id.is_none() {
        exec(
            c,
            "UPDATE intake_links SET expires_at = ?1 WHERE clinic_id = ?2 AND client_id IS NULL AND expires_at > ?1",
            (link.now.0, clinic_id.get()),
        )?;
    }
    let done = exec(
        c,
        "INSERT INTO intake_links (clinic_id, client_id, link_hash, created_at, expires_at) \
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM clients WHERE id = ?2 AND clinic_id = ?1)",
        params![
            clinic_id.get(),
            link.client_id.map(ClientId::get),
            link.link_hash.expose().as_slice(),
            link.now.0,
            link.expires_at.0
        ],
    )?;
    if done != 1 {
        return Err(Error::Store(StoreError::NotFound("client")));
    }
    Ok(())
}

/// The intake link with this hash, while it works (not expired, not used).
pub fn intake_link(c: &Connection, link_hash: &[u8], now: Timestamp) -> Res<Option<IntakeLink>> {
    one(
        c,
        concat!(
            "SELECT ",
            intake_link_columns!(),
            " FROM intake_links WHERE link_hash = ? AND expires_at > ? AND used_at IS NULL"
        ),
        (link_hash, now.0),
        read_intake_link,
    )
}

/// Stores an intake sent through a link: for the link's client, or for `new_client`, added
/// now, through the public link. `None` when a client's link was used already (or expired).
pub fn intake_by_link(
    c: &Connection,
    link: &IntakeLink,
    new_client: Option<NewClient>,
    body: String,
    now: Timestamp,
) -> Res<Option<Intake>> {
    // A client's link is used once: claim it first, so two submissions cannot both pass.
    if link.client_id.is_some() {
        let claimed = exec(
            c,
            "UPDATE intake_links SET used_at = ?1 WHERE id = ?2 AND used_at IS NULL AND expires_at > ?1",
            (now.0, link.id.get()),
        )?;
        if claimed != 1 {
            return Ok(None);
        }
    }
    let client_id = match (link.client_id, new_client) {
        (Some(id), _) => id,
        (None, Some(new)) => crate::clients::create_client(c, link.clinic_id, new)?.id,
        (None, None) => return Err(Error::Store(StoreError::NotFound("client"))),
    };
    let saved = the(
        c,
        concat!(
            "INSERT INTO intakes (clinic_id, client_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING ",
            intake_columns!()
        ),
        (link.clinic_id.get(), client_id.get(), body, now.0),
        read_intake,
    )?;
    Ok(Some(saved))
}

/// Stores an intake taken by staff for a client of the clinic (`NotFound` otherwise).
pub fn save_intake(c: &Connection, clinic_id: ClinicId, intake: NewIntake) -> Res<Intake> {
    the(
        c,
        concat!(
            "INSERT INTO intakes (clinic_id, client_id, body, created_at) \
             SELECT ?1, id, ?2, ?3 FROM clients WHERE id = ?4 AND clinic_id = ?1 RETURNING ",
            intake_columns!()
        ),
        (clinic_id.get(), intake.body, intake.now.0, intake.client_id.get()),
        read_intake,
    )
}

/// A client's newest intake.
pub fn latest_intake(c: &Connection, clinic_id: ClinicId, client_id: ClientId) -> Res<Option<Intake>> {
    one(
        c,
        concat!(
            "SELECT ",
            intake_columns!(),
            " FROM intakes WHERE clinic_id = ? AND client_id = ? ORDER BY id DESC LIMIT 1"
        ),
        (clinic_id.get(), client_id.get()),
        read_intake,
    )
}
