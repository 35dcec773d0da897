//! # The SQLite store
//!
//! Aftercare's embedded default: one SQLite file in WAL mode with `synchronous = FULL`, so a
//! write is on disk when its transaction commits and survives a crash. One thread writes,
//! committing the writes that arrive together in one transaction (`db`); reads run on a small
//! pool of read-only connections. Each table has its module, which holds its SQL; the records'
//! column lists and readers are shared with the PostgreSQL store (`store::columns`).
//! Migrations are embedded in the binary and run at start (`schema`).

use std::path::Path;
use store::tally::{Day, Tallies};
use store::*;

mod access;
mod alerts;
mod audit;
mod backup;
mod check_ins;
mod clients;
mod clinics;
mod db;
mod error;
mod follow_ups;
mod intakes;
mod messages;
mod moving;
mod outcomes;
mod products;
mod rows;
mod schema;
mod sessions;
mod staff;

#[cfg(feature = "testing")]
pub mod testing;

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: db::Db,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file `aftercare.db` in `dir`.
    ///
    /// # Errors
    /// When the directory or the database cannot be opened.
    pub async fn open_dir(dir: &Path) -> StoreResult<SqliteStore> {
        let file = dir.join("aftercare.db");
        owner_only(dir, &file).map_err(|e| StoreError::Database(format!("{}: {e}", dir.display()).into()))?;
        Self::open_file(&file)
    }

    /// Opens a database from a `sqlite:` URL: `sqlite://PATH` or `sqlite:PATH` for a file,
    /// `sqlite::memory:` for a private in-memory one.
    ///
    /// # Errors
    /// When the URL is not a `sqlite:` one or the database cannot be opened.
    pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
        let Some(rest) = url.strip_prefix("sqlite:") else {
            return Err(StoreError::Database(format!("`{url}` is not a sqlite: URL").into()));
        };
        if rest == ":memory:" {
            return Ok(SqliteStore { db: db::Db::open_memory()? });
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or(path);
        Self::open_file(Path::new(path))
    }

    fn open_file(file: &Path) -> StoreResult<SqliteStore> {
        Ok(SqliteStore { db: db::Db::open_file(file)? })
    }

    /// Finishes the writes already sent, then closes every connection.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Copies the database to the new file `file` while it keeps serving: the database as it
    /// stood at one commit, checked, readable by its owner only. Its size in bytes. Put as
    /// `aftercare.db` in a data directory, the copy opens and migrates like the original.
    ///
    /// # Errors
    /// When `file` exists (it is never overwritten), cannot be created or written, or the
    /// database is a private in-memory one. A copy that fails is removed.
    pub async fn backup_to(&self, file: &Path) -> StoreResult<u64> {
        let file = file.to_owned();
        self.db.read(move |c| backup::backup_to(c, &file)).await
    }
}

/// Creates `dir` (with its parents) and the database `file` readable by their owner only,
/// before SQLite opens it: SQLite gives its WAL and shared-memory files the database file's
/// permissions. What exists already keeps its permissions.
fn owner_only(dir: &Path, file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(file)?;
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)?;
        let _ = file;
    }
    Ok(())
}

impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.db.alone(schema::migrate).await?;
        // Tallies from before they were kept, or counted in a time zone the clinic left.
        self.db.write(outcomes::recount_stale).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.read(|c| rows::value::<i64>(c, "SELECT 1", []).map(|_| ())).await
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        self.db.alone(|c| Ok(c.execute_batch("PRAGMA optimize")?)).await
    }

    async fn write_probe(&self, now: Timestamp) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO write_probe (id, probed_at) VALUES (1, ?) \
                           ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";
        self.db.write(move |c| rows::exec(c, SQL, [now.0]).map(|_| ())).await
    }

    async fn create_clinic(&self, clinic: NewClinic, owner: NewStaff) -> StoreResult<(Clinic, Staff)> {
        self.db.write(move |c| clinics::create_clinic(c, clinic, owner)).await
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        self.db.read(clinics::clinics).await
    }

    async fn clinic(&self, clinic_id: ClinicId) -> StoreResult<Option<Clinic>> {
        self.db.read(move |c| clinics::clinic(c, clinic_id)).await
    }

    async fn update_clinic(
        &self,
        clinic_id: ClinicId,
        name: &str,
        country: &str,
        timezone: &str,
    ) -> StoreResult<Clinic> {
        let name = name.to_owned();
        let country = country.to_owned();
        let timezone = timezone.to_owned();
        self.db.write(move |c| clinics::update_clinic(c, clinic_id, &name, &country, &timezone)).await
    }

    async fn set_check_in_hours(&self, clinic_id: ClinicId, hours: &[i64]) -> StoreResult<Clinic> {
        let hours = hours.to_vec();
        self.db.write(move |c| clinics::set_check_in_hours(c, clinic_id, &hours)).await
    }

    async fn set_message_texts(
        &self,
        clinic_id: ClinicId,
        plan: Option<&str>,
        check_in: Option<&str>,
    ) -> StoreResult<Clinic> {
        let plan = plan.map(str::to_owned);
        let check_in = check_in.map(str::to_owned);
        self.db.write(move |c| clinics::set_message_texts(c, clinic_id, plan.as_deref(), check_in.as_deref())).await
    }

    async fn set_alert_to(&self, clinic_id: ClinicId, alert_to: Option<&str>) -> StoreResult<Clinic> {
        let alert_to = alert_to.map(str::to_owned);
        self.db.write(move |c| clinics::set_alert_to(c, clinic_id, alert_to.as_deref())).await
    }

    async fn staff_of_clinic(&self, clinic_id: ClinicId) -> StoreResult<Vec<Staff>> {
        self.db.read(move |c| staff::staff_of_clinic(c, clinic_id)).await
    }

    async fn set_staff_password(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        password_hash: Redacted<String>,
        keep: &[u8],
    ) -> StoreResult<bool> {
        let keep = keep.to_vec();
        self.db.write(move |c| staff::set_staff_password(c, clinic_id, staff_id, password_hash, &keep)).await
    }

    async fn update_staff(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        role: Role,
        active: bool,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        self.db.write(move |c| staff::update_staff(c, clinic_id, staff_id, role, active, now)).await
    }

    async fn products(&self, clinic_id: ClinicId) -> StoreResult<Vec<Product>> {
        self.db.read(move |c| products::products(c, clinic_id)).await
    }

    async fn add_product(&self, clinic_id: ClinicId, product: NewProduct) -> StoreResult<Product> {
        self.db.write(move |c| products::add_product(c, clinic_id, product)).await
    }

    async fn remove_product(&self, clinic_id: ClinicId, product_id: ProductId) -> StoreResult<bool> {
        self.db.write(move |c| products::remove_product(c, clinic_id, product_id)).await
    }

    async fn add_feedback(&self, clinic_id: ClinicId, feedback: NewFeedback) -> StoreResult<Feedback> {
        self.db.write(move |c| products::add_feedback(c, clinic_id, feedback)).await
    }

    async fn feedback_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<Feedback>> {
        self.db.read(move |c| products::feedback_of_client(c, clinic_id, client_id)).await
    }

    async fn create_staff(&self, clinic_id: ClinicId, staff: NewStaff) -> StoreResult<Staff> {
        self.db.write(move |c| staff::create_staff(c, clinic_id, staff)).await
    }

    async fn staff_in_clinic(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<Option<Staff>> {
        self.db.read(move |c| staff::staff_in_clinic(c, clinic_id, staff_id)).await
    }

    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<Staff>> {
        let email = email.to_owned();
        self.db.read(move |c| staff::staff_by_email(c, &email)).await
    }

    async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiToken> {
        self.db.write(move |c| access::create_api_token(c, token)).await
    }

    async fn staff_by_token_hash(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<Staff>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| access::staff_by_token_hash(c, &token_hash, now)).await
    }

    async fn create_staff_session(&self, session: NewStaffSession) -> StoreResult<()> {
        self.db.write(move |c| access::create_staff_session(c, session)).await
    }

    async fn staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(Staff, StaffSession)>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| access::staff_session(c, &token_hash, now)).await
    }

    async fn delete_staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<()> {
        let token_hash = token_hash.to_vec();
        self.db.write(move |c| access::delete_staff_session(c, &token_hash, now)).await
    }

    async fn complete_second_factor(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<bool> {
        let token_hash = token_hash.to_vec();
        self.db.write(move |c| access::complete_second_factor(c, &token_hash, now, expires_at)).await
    }

    async fn create_password_link(
        &self,
        clinic_id: ClinicId,
        link: NewPasswordLink,
    ) -> StoreResult<Option<PasswordLink>> {
        self.db.write(move |c| access::create_password_link(c, clinic_id, link)).await
    }

    async fn password_link(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(PasswordLink, Staff)>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| access::password_link(c, &token_hash, now)).await
    }

    async fn use_password_link(
        &self,
        token_hash: &[u8],
        password_hash: Redacted<String>,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        let token_hash = token_hash.to_vec();
        self.db.write(move |c| access::use_password_link(c, &token_hash, password_hash, now)).await
    }

    async fn set_two_factor(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        secret: Option<Redacted<String>>,
        recovery_code_hashes: &[Vec<u8>],
    ) -> StoreResult<bool> {
        let recovery_code_hashes = recovery_code_hashes.to_vec();
        self.db.write(move |c| access::set_two_factor(c, clinic_id, staff_id, secret, &recovery_code_hashes)).await
    }

    async fn take_totp_step(&self, clinic_id: ClinicId, staff_id: StaffId, step: i64) -> StoreResult<bool> {
        self.db.write(move |c| access::take_totp_step(c, clinic_id, staff_id, step)).await
    }

    async fn use_recovery_code(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        code_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let code_hash = code_hash.to_vec();
        self.db.write(move |c| access::use_recovery_code(c, clinic_id, staff_id, &code_hash, now)).await
    }

    async fn recovery_codes_left(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<u32> {
        self.db.read(move |c| access::recovery_codes_left(c, clinic_id, staff_id)).await
    }

    async fn set_clinic_contact(
        &self,
        clinic_id: ClinicId,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> StoreResult<Clinic> {
        let phone = phone.map(str::to_owned);
        let email = email.map(str::to_owned);
        self.db.write(move |c| clinics::set_clinic_contact(c, clinic_id, phone.as_deref(), email.as_deref())).await
    }

    async fn set_require_two_factor(&self, clinic_id: ClinicId, require: bool) -> StoreResult<Clinic> {
        self.db.write(move |c| clinics::set_require_two_factor(c, clinic_id, require)).await
    }

    async fn revoke_tokens_of_staff(&self, clinic_id: ClinicId, staff_id: StaffId, now: Timestamp) -> StoreResult<u64> {
        self.db.write(move |c| access::revoke_tokens_of_staff(c, clinic_id, staff_id, now)).await
    }

    async fn revoke_api_token(&self, clinic_id: ClinicId, token_id: ApiTokenId, now: Timestamp) -> StoreResult<bool> {
        self.db.write(move |c| access::revoke_api_token(c, clinic_id, token_id, now)).await
    }

    async fn create_client(&self, clinic_id: ClinicId, client: NewClient) -> StoreResult<Client> {
        self.db.write(move |c| clients::create_client(c, clinic_id, client)).await
    }

    async fn client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Client>> {
        self.db.read(move |c| clients::client(c, clinic_id, client_id)).await
    }

    async fn clients_by_ids(&self, clinic_id: ClinicId, ids: &[ClientId]) -> StoreResult<Vec<Client>> {
        let ids = ids.to_vec();
        self.db.read(move |c| clients::clients_by_ids(c, clinic_id, &ids)).await
    }

    async fn clients(
        &self,
        clinic_id: ClinicId,
        search: Option<&str>,
        after: Option<&ClientPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Client>> {
        let search = search.map(str::to_owned);
        let after = after.cloned();
        self.db.read(move |c| clients::clients(c, clinic_id, search.as_deref(), after.as_ref(), limit)).await
    }

    async fn set_client_opted_out(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        opted_out_at: Option<Timestamp>,
    ) -> StoreResult<Option<Client>> {
        self.db.write(move |c| clients::set_client_opted_out(c, clinic_id, client_id, opted_out_at)).await
    }

    async fn set_client_language(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        language: Option<&str>,
    ) -> StoreResult<Option<Client>> {
        let language = language.map(str::to_owned);
        self.db.write(move |c| clients::set_client_language(c, clinic_id, client_id, language.as_deref())).await
    }

    async fn create_intake_link(&self, clinic_id: ClinicId, link: NewIntakeLink) -> StoreResult<()> {
        self.db.write(move |c| intakes::create_intake_link(c, clinic_id, link)).await
    }

    async fn intake_link(&self, link_hash: &[u8], now: Timestamp) -> StoreResult<Option<IntakeLink>> {
        let link_hash = link_hash.to_vec();
        self.db.read(move |c| intakes::intake_link(c, &link_hash, now)).await
    }

    async fn intake_by_link(
        &self,
        link: &IntakeLink,
        new_client: Option<NewClient>,
        body: String,
        now: Timestamp,
    ) -> StoreResult<Option<Intake>> {
        let link = link.clone();
        self.db.write(move |c| intakes::intake_by_link(c, &link, new_client, body, now)).await
    }

    async fn save_intake(&self, clinic_id: ClinicId, intake: NewIntake) -> StoreResult<Intake> {
        self.db.write(move |c| intakes::save_intake(c, clinic_id, intake)).await
    }

    async fn latest_intake(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Intake>> {
        self.db.read(move |c| intakes::latest_intake(c, clinic_id, client_id)).await
    }

    async fn record_session(
        &self,
        clinic_id: ClinicId,
        session: NewSession,
        follow_ups: Vec<NewFollowUp>,
    ) -> StoreResult<(Session, Vec<FollowUp>)> {
        self.db.write(move |c| sessions::record_session(c, clinic_id, session, follow_ups)).await
    }

    async fn session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Option<Session>> {
        self.db.read(move |c| sessions::session(c, clinic_id, session_id)).await
    }

    async fn sessions_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        after: Option<&SessionPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let after = after.cloned();
        self.db.read(move |c| sessions::sessions_of_client(c, clinic_id, client_id, after.as_ref(), limit)).await
    }

    async fn check_ins_by_ids(&self, clinic_id: ClinicId, ids: &[CheckInId]) -> StoreResult<Vec<CheckIn>> {
        let ids = ids.to_vec();
        self.db.read(move |c| check_ins::check_ins_by_ids(c, clinic_id, &ids)).await
    }

    async fn sessions_by_ids(&self, clinic_id: ClinicId, ids: &[SessionId]) -> StoreResult<Vec<Session>> {
        let ids = ids.to_vec();
        self.db.read(move |c| sessions::sessions_by_ids(c, clinic_id, &ids)).await
    }

    async fn sessions_between(&self, clinic_id: ClinicId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Session>> {
        self.db.read(move |c| sessions::sessions_between(c, clinic_id, from, to)).await
    }

    async fn follow_ups_due(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(FollowUp, bool)>> {
        self.db.read(move |c| follow_ups::follow_ups_due(c, clinic_id, from, to)).await
    }

    async fn outcome_check_ins(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeCheckIn>> {
        self.db.read(move |c| outcomes::outcome_check_ins(c, clinic_id, from, to)).await
    }

    async fn outcome_tallies(&self, clinic_id: ClinicId, from: Day, to: Day) -> StoreResult<Tallies> {
        self.db.read(move |c| outcomes::outcome_tallies(c, clinic_id, from, to)).await
    }

    async fn erase_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        now: Timestamp,
    ) -> StoreResult<Option<Erased>> {
        let erased = self.db.write(move |c| clients::erase_client(c, clinic_id, client_id, now)).await?;
        if erased.is_some() {
            self.db.alone(|c| clients::checkpoint(c)).await?;
        }
        Ok(erased)
    }

    async fn record_audit(&self, clinic_id: ClinicId, entry: NewAuditEntry) -> StoreResult<()> {
        self.db.write(move |c| audit::record_audit(c, clinic_id, entry)).await
    }

    async fn audit_trail(
        &self,
        clinic_id: ClinicId,
        client: Option<ClientId>,
        before: Option<AuditId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        self.db.read(move |c| audit::audit_trail(c, clinic_id, client, before, limit)).await
    }

    async fn follow_ups_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<FollowUp>> {
        self.db.read(move |c| follow_ups::follow_ups_of_session(c, clinic_id, session_id)).await
    }

    async fn follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Option<FollowUp>> {
        self.db.read(move |c| follow_ups::follow_up(c, clinic_id, follow_up_id)).await
    }

    async fn follow_up_by_link_hash(&self, link_hash: &[u8]) -> StoreResult<Option<FollowUp>> {
        let link_hash = link_hash.to_vec();
        self.db.read(move |c| follow_ups::follow_up_by_link_hash(c, &link_hash)).await
    }

    async fn link_context(&self, link_hash: &[u8]) -> StoreResult<Option<LinkRecords>> {
        let link_hash = link_hash.to_vec();
        self.db.read_on_writer(move |c| follow_ups::link_context(c, &link_hash)).await
    }

    async fn record_check_in(
        &self,
        clinic_id: ClinicId,
        check_in: NewCheckIn,
        alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) -> StoreResult<(CheckIn, Option<Alert>)> {
        self.db.write(move |c| check_ins::record_check_in(c, clinic_id, check_in, alert, next)).await
    }

    async fn check_in(&self, clinic_id: ClinicId, check_in_id: CheckInId) -> StoreResult<Option<CheckIn>> {
        self.db.read(move |c| check_ins::check_in(c, clinic_id, check_in_id)).await
    }

    async fn check_in_stats(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<CheckInStats> {
        self.db.read(move |c| check_ins::check_in_stats(c, clinic_id, session_id)).await
    }

    async fn check_ins_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<CheckIn>> {
        self.db.read(move |c| check_ins::check_ins_of_session(c, clinic_id, session_id)).await
    }

    async fn check_ins_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<CheckIn>> {
        self.db.read(move |c| check_ins::check_ins_of_client(c, clinic_id, client_id)).await
    }

    async fn check_ins_with_notes(
        &self,
        clinic_id: ClinicId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<CheckIn>> {
        self.db.read(move |c| check_ins::check_ins_with_notes(c, clinic_id, since, limit)).await
    }

    async fn alerts(
        &self,
        clinic_id: ClinicId,
        status: Option<AlertStatus>,
        after: Option<&AlertPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Alert>> {
        let after = after.cloned();
        self.db.read(move |c| alerts::alerts(c, clinic_id, status, after.as_ref(), limit)).await
    }

    async fn alert(&self, clinic_id: ClinicId, alert_id: AlertId) -> StoreResult<Option<Alert>> {
        self.db.read(move |c| alerts::alert(c, clinic_id, alert_id)).await
    }

    async fn acknowledge_alert(
        &self,
        clinic_id: ClinicId,
        alert_id: AlertId,
        ack: Acknowledgement,
    ) -> StoreResult<Option<(Alert, bool)>> {
        self.db.write(move |c| alerts::acknowledge_alert(c, clinic_id, alert_id, ack)).await
    }

    async fn enqueue_message(&self, clinic_id: ClinicId, message: NewMessage) -> StoreResult<bool> {
        self.db.write(move |c| messages::enqueue_message(c, clinic_id, message)).await
    }

    async fn claim_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let claim = claim.to_owned();
        self.db.write(move |c| messages::claim_messages(c, now, lease_until, &claim, limit)).await
    }

    async fn finish_message(
        &self,
        clinic_id: ClinicId,
        message_id: MessageId,
        claim: &str,
        outcome: MessageOutcome,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let claim = claim.to_owned();
        self.db.write(move |c| messages::finish_message(c, clinic_id, message_id, &claim, outcome, now)).await
    }

    async fn messages(
        &self,
        clinic_id: ClinicId,
        status: Option<MessageStatus>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.db.read(move |c| messages::messages(c, clinic_id, status, limit)).await
    }

    async fn newest_messages(
        &self,
        clinic_id: ClinicId,
        status: MessageStatus,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.db.read(move |c| messages::newest_messages(c, clinic_id, status, limit)).await
    }

    async fn messages_of_follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Vec<Message>> {
        self.db.read(move |c| messages::messages_of_follow_up(c, clinic_id, follow_up_id)).await
    }

    async fn export_clinic(&self, clinic_id: ClinicId, sink: store::moving::RowSink) -> StoreResult<bool> {
        self.db.read(move |c| crate::moving::export_clinic(c, clinic_id, sink)).await
    }

    async fn import_clinic(
        &self,
        clinic: store::moving::Row,
        rows: Vec<(usize, store::moving::Row)>,
        written: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> StoreResult<ClinicId> {
        self.db.write(move |c| crate::moving::import_clinic(c, &clinic, &rows, &written)).await
    }

    async fn count_clinic_rows(&self, clinic_id: ClinicId) -> StoreResult<Vec<u64>> {
        self.db.read(move |c| crate::moving::count_clinic_rows(c, clinic_id)).await
    }
}
