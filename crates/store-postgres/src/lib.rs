//! # The PostgreSQL store
//!
//! For clinic groups and hosted services: many clinics in one PostgreSQL database, served by
//! one or several `serve` processes. It implements the same [`Store`] trait as the SQLite
//! store and passes the same conformance suite. Each write is one transaction, committed (and
//! so durable, with PostgreSQL's default `synchronous_commit`) before it answers; reads run on
//! the pool's connections. Each table has its module, which holds its SQL; the records' column
//! lists and readers are shared with the SQLite store (`store::columns`). The schema's
//! migrations are embedded in the binary and run at start (`schema`), one process at a time.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use store::tally::{Day, Tallies};
use store::*;

mod access;
mod alerts;
mod audit;
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

/// How the store connects: the pool's size and how long to wait.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// The most connections this process holds at once.
    pub max_connections: u32,
    /// How long an operation waits for a free connection before the database counts as
    /// unavailable.
    pub acquire_timeout: Duration,
    /// The longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
    /// The longest a connection may sit in an open transaction without a statement before
    /// the server ends its session, releasing its locks: a second guard, behind each write
    /// running to its end on a task of its own, against a transaction left open.
    pub idle_in_transaction_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(60),
        }
    }
}

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    db: db::Db,
}

impl PgStore {
    /// Connects to the database of a `postgres://` (or `postgresql://`) URL. TLS is used as
    /// the URL's `sslmode` asks (`require`, `verify-ca`, `verify-full`; `prefer` by default).
    ///
    /// # Errors
    /// When the URL cannot be read or the database cannot be reached.
    pub async fn connect(url: &str, options: &PoolOptions) -> StoreResult<PgStore> {
        Self::connect_in_schema(url, options, None).await
    }

    /// Connects as [`PgStore::connect`], with every table in `schema` instead of `public`
    /// (each test's own, dropped afterwards).
    ///
    /// # Errors
    /// When the URL cannot be read or the database cannot be reached.
    pub async fn connect_in_schema(url: &str, options: &PoolOptions, schema: Option<&str>) -> StoreResult<PgStore> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Database(format!("`{}` is not a postgres:// URL", redact(url)).into()));
        }
        let mut connect = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("the database URL {}: {e}", redact(url)).into()))?
            .application_name("aftercare")
            .options([
                ("statement_timeout", format!("{}", options.statement_timeout.as_millis())),
                ("idle_in_transaction_session_timeout", format!("{}", options.idle_in_transaction_timeout.as_millis())),
            ]);
        if let Some(schema) = schema {
            connect = connect.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(|e| match StoreError::from(error::Error::from(e)) {
                // The cause, not just "database error": a wrong name or password is told.
                StoreError::Database(cause) => StoreError::Unavailable(cause.to_string()),
                other => other,
            })?;
        Ok(PgStore { db: db::Db { pool } })
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        self.db.pool.close().await;
    }

    /// A write that leaves its transaction open without a statement for `idle`, then runs
    /// one: what a stuck task would do. For the tests of the idle-in-transaction guard.
    ///
    /// # Errors
    /// When the server ended the session meanwhile, as it must after
    /// [`PoolOptions::idle_in_transaction_timeout`].
    #[cfg(feature = "testing")]
    pub async fn stall_in_a_write(&self, idle: Duration) -> StoreResult<()> {
        self.db
            .write(move |c| {
                Box::pin(async move {
                    tokio::time::sleep(idle).await;
                    rows::exec(c, rows::sql("SELECT 1")).await.map(|_| ())
                })
            })
            .await
    }
}

/// A database URL with its password hidden, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Store for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.db.read(|c| Box::pin(schema::migrate(c))).await?;
        // Tallies from before they were kept, or counted in a time zone the clinic left.
        self.db.write(|c| Box::pin(outcomes::recount_stale(c))).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.read(|c| Box::pin(async move { rows::value::<i32>(c, rows::sql("SELECT 1")).await.map(|_| ()) })).await
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        // PostgreSQL's autovacuum keeps the planner's statistics; nothing to do here.
        Ok(())
    }

    async fn write_probe(&self, now: Timestamp) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO write_probe (id, probed_at) VALUES (1, $1) \
                           ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";
        self.db
            .write(move |c| Box::pin(async move { rows::exec(c, rows::sql(SQL).bind(now.0)).await.map(|_| ()) }))
            .await
    }

    async fn create_clinic(&self, clinic: NewClinic, owner: NewStaff) -> StoreResult<(Clinic, Staff)> {
        self.db.write(move |c| Box::pin(async move { clinics::create_clinic(c, clinic, owner).await })).await
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        self.db.read(|c| Box::pin(clinics::clinics(c))).await
    }

    async fn clinic(&self, clinic_id: ClinicId) -> StoreResult<Option<Clinic>> {
        self.db.read(move |c| Box::pin(async move { clinics::clinic(c, clinic_id).await })).await
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
        self.db
            .write(move |c| {
                Box::pin(async move { clinics::update_clinic(c, clinic_id, &name, &country, &timezone).await })
            })
            .await
    }

    async fn set_check_in_hours(&self, clinic_id: ClinicId, hours: &[i64]) -> StoreResult<Clinic> {
        let hours = hours.to_vec();
        self.db.write(move |c| Box::pin(async move { clinics::set_check_in_hours(c, clinic_id, &hours).await })).await
    }

    async fn set_message_texts(
        &self,
        clinic_id: ClinicId,
        plan: Option<&str>,
        check_in: Option<&str>,
    ) -> StoreResult<Clinic> {
        let plan = plan.map(str::to_owned);
        let check_in = check_in.map(str::to_owned);
        self.db
            .write(move |c| {
                Box::pin(
                    async move { clinics::set_message_texts(c, clinic_id, plan.as_deref(), check_in.as_deref()).await },
                )
            })
            .await
    }

    async fn set_alert_to(&self, clinic_id: ClinicId, alert_to: Option<&str>) -> StoreResult<Clinic> {
        let alert_to = alert_to.map(str::to_owned);
        self.db
            .write(move |c| Box::pin(async move { clinics::set_alert_to(c, clinic_id, alert_to.as_deref()).await }))
            .await
    }

    async fn staff_of_clinic(&self, clinic_id: ClinicId) -> StoreResult<Vec<Staff>> {
        self.db.read(move |c| Box::pin(async move { staff::staff_of_clinic(c, clinic_id).await })).await
    }

    async fn set_staff_password(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        password_hash: Redacted<String>,
        keep: &[u8],
    ) -> StoreResult<bool> {
        let keep = keep.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move { staff::set_staff_password(c, clinic_id, staff_id, password_hash, &keep).await })
            })
            .await
    }

    async fn update_staff(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        role: Role,
        active: bool,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        self.db
            .write(move |c| {
                Box::pin(async move { staff::update_staff(c, clinic_id, staff_id, role, active, now).await })
            })
            .await
    }

    async fn products(&self, clinic_id: ClinicId) -> StoreResult<Vec<Product>> {
        self.db.read(move |c| Box::pin(async move { products::products(c, clinic_id).await })).await
    }

    async fn add_product(&self, clinic_id: ClinicId, product: NewProduct) -> StoreResult<Product> {
        self.db.write(move |c| Box::pin(async move { products::add_product(c, clinic_id, product).await })).await
    }

    async fn remove_product(&self, clinic_id: ClinicId, product_id: ProductId) -> StoreResult<bool> {
        self.db.write(move |c| Box::pin(async move { products::remove_product(c, clinic_id, product_id).await })).await
    }

    async fn add_feedback(&self, clinic_id: ClinicId, feedback: NewFeedback) -> StoreResult<Feedback> {
        self.db.write(move |c| Box::pin(async move { products::add_feedback(c, clinic_id, feedback).await })).await
    }

    async fn feedback_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<Feedback>> {
        self.db
            .read(move |c| Box::pin(async move { products::feedback_of_client(c, clinic_id, client_id).await }))
            .await
    }

    async fn create_staff(&self, clinic_id: ClinicId, staff: NewStaff) -> StoreResult<Staff> {
        self.db.write(move |c| Box::pin(async move { staff::create_staff(c, clinic_id, staff).await })).await
    }

    async fn staff_in_clinic(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<Option<Staff>> {
        self.db.read(move |c| Box::pin(async move { staff::staff_in_clinic(c, clinic_id, staff_id).await })).await
    }

    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<Staff>> {
        let email = email.to_owned();
        self.db.read(move |c| Box::pin(async move { staff::staff_by_email(c, &email).await })).await
    }

    async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiToken> {
        self.db.write(move |c| Box::pin(async move { access::create_api_token(c, token).await })).await
    }

    async fn staff_by_token_hash(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<Staff>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { access::staff_by_token_hash(c, &token_hash, now).await })).await
    }

    async fn create_staff_session(&self, session: NewStaffSession) -> StoreResult<()> {
        self.db.write(move |c| Box::pin(async move { access::create_staff_session(c, session).await })).await
    }

    async fn staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(Staff, StaffSession)>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { access::staff_session(c, &token_hash, now).await })).await
    }

    async fn delete_staff_session(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<()> {
        let token_hash = token_hash.to_vec();
        self.db.write(move |c| Box::pin(async move { access::delete_staff_session(c, &token_hash, now).await })).await
    }

    async fn complete_second_factor(
        &self,
        token_hash: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<bool> {
        let token_hash = token_hash.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move { access::complete_second_factor(c, &token_hash, now, expires_at).await })
            })
            .await
    }

    async fn create_password_link(
        &self,
        clinic_id: ClinicId,
        link: NewPasswordLink,
    ) -> StoreResult<Option<PasswordLink>> {
        self.db.write(move |c| Box::pin(async move { access::create_password_link(c, clinic_id, link).await })).await
    }

    async fn password_link(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<(PasswordLink, Staff)>> {
        let token_hash = token_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { access::password_link(c, &token_hash, now).await })).await
    }

    async fn use_password_link(
        &self,
        token_hash: &[u8],
        password_hash: Redacted<String>,
        now: Timestamp,
    ) -> StoreResult<Option<Staff>> {
        let token_hash = token_hash.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move { access::use_password_link(c, &token_hash, password_hash, now).await })
            })
            .await
    }

    async fn set_two_factor(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        secret: Option<Redacted<String>>,
        recovery_code_hashes: &[Vec<u8>],
    ) -> StoreResult<bool> {
        let recovery_code_hashes = recovery_code_hashes.to_vec();
        self.db
            .write(move |c| {
                Box::pin(
                    async move { access::set_two_factor(c, clinic_id, staff_id, secret, &recovery_code_hashes).await },
                )
            })
            .await
    }

    async fn take_totp_step(&self, clinic_id: ClinicId, staff_id: StaffId, step: i64) -> StoreResult<bool> {
        self.db
            .write(move |c| Box::pin(async move { access::take_totp_step(c, clinic_id, staff_id, step).await }))
            .await
    }

    async fn use_recovery_code(
        &self,
        clinic_id: ClinicId,
        staff_id: StaffId,
        code_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let code_hash = code_hash.to_vec();
        self.db
            .write(move |c| {
                Box::pin(async move { access::use_recovery_code(c, clinic_id, staff_id, &code_hash, now).await })
            })
            .await
    }

    async fn recovery_codes_left(&self, clinic_id: ClinicId, staff_id: StaffId) -> StoreResult<u32> {
        self.db.read(move |c| Box::pin(async move { access::recovery_codes_left(c, clinic_id, staff_id).await })).await
    }

    async fn set_clinic_contact(
        &self,
        clinic_id: ClinicId,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> StoreResult<Clinic> {
        let phone = phone.map(str::to_owned);
        let email = email.map(str::to_owned);
        self.db
            .write(move |c| {
                Box::pin(
                    async move { clinics::set_clinic_contact(c, clinic_id, phone.as_deref(), email.as_deref()).await },
                )
            })
            .await
    }

    async fn set_require_two_factor(&self, clinic_id: ClinicId, require: bool) -> StoreResult<Clinic> {
        self.db
            .write(move |c| Box::pin(async move { clinics::set_require_two_factor(c, clinic_id, require).await }))
            .await
    }

    async fn revoke_tokens_of_staff(&self, clinic_id: ClinicId, staff_id: StaffId, now: Timestamp) -> StoreResult<u64> {
        self.db
            .write(move |c| Box::pin(async move { access::revoke_tokens_of_staff(c, clinic_id, staff_id, now).await }))
            .await
    }

    async fn revoke_api_token(&self, clinic_id: ClinicId, token_id: ApiTokenId, now: Timestamp) -> StoreResult<bool> {
        self.db
            .write(move |c| Box::pin(async move { access::revoke_api_token(c, clinic_id, token_id, now).await }))
            .await
    }

    async fn create_client(&self, clinic_id: ClinicId, client: NewClient) -> StoreResult<Client> {
        self.db.write(move |c| Box::pin(async move { clients::create_client(c, clinic_id, client).await })).await
    }

    async fn client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Client>> {
        self.db.read(move |c| Box::pin(async move { clients::client(c, clinic_id, client_id).await })).await
    }

    async fn clients_by_ids(&self, clinic_id: ClinicId, ids: &[ClientId]) -> StoreResult<Vec<Client>> {
        let ids = ids.to_vec();
        self.db.read(move |c| Box::pin(async move { clients::clients_by_ids(c, clinic_id, &ids).await })).await
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
        self.db
            .read(move |c| {
                Box::pin(async move { clients::clients(c, clinic_id, search.as_deref(), after.as_ref(), limit).await })
            })
            .await
    }

    async fn set_client_opted_out(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        opted_out_at: Option<Timestamp>,
    ) -> StoreResult<Option<Client>> {
        self.db
            .write(move |c| {
                Box::pin(async move { clients::set_client_opted_out(c, clinic_id, client_id, opted_out_at).await })
            })
            .await
    }

    async fn set_client_language(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        language: Option<&str>,
    ) -> StoreResult<Option<Client>> {
        let language = language.map(str::to_owned);
        self.db
            .write(move |c| {
                Box::pin(
                    async move { clients::set_client_language(c, clinic_id, client_id, language.as_deref()).await },
                )
            })
            .await
    }

    async fn create_intake_link(&self, clinic_id: ClinicId, link: NewIntakeLink) -> StoreResult<()> {
        self.db.write(move |c| Box::pin(async move { intakes::create_intake_link(c, clinic_id, link).await })).await
    }

    async fn intake_link(&self, link_hash: &[u8], now: Timestamp) -> StoreResult<Option<IntakeLink>> {
        let link_hash = link_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { intakes::intake_link(c, &link_hash, now).await })).await
    }

    async fn intake_by_link(
        &self,
        link: &IntakeLink,
        new_client: Option<NewClient>,
        body: String,
        now: Timestamp,
    ) -> StoreResult<Option<Intake>> {
        let link = link.clone();
        self.db
            .write(move |c| Box::pin(async move { intakes::intake_by_link(c, &link, new_client, body, now).await }))
            .await
    }

    async fn save_intake(&self, clinic_id: ClinicId, intake: NewIntake) -> StoreResult<Intake> {
        self.db.write(move |c| Box::pin(async move { intakes::save_intake(c, clinic_id, intake).await })).await
    }

    async fn latest_intake(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Option<Intake>> {
        self.db.read(move |c| Box::pin(async move { intakes::latest_intake(c, clinic_id, client_id).await })).await
    }

    async fn record_session(
        &self,
        clinic_id: ClinicId,
        session: NewSession,
        follow_ups: Vec<NewFollowUp>,
    ) -> StoreResult<(Session, Vec<FollowUp>)> {
        self.db
            .write(move |c| Box::pin(async move { sessions::record_session(c, clinic_id, session, follow_ups).await }))
            .await
    }

    async fn session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Option<Session>> {
        self.db.read(move |c| Box::pin(async move { sessions::session(c, clinic_id, session_id).await })).await
    }

    async fn sessions_of_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        after: Option<&SessionPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let after = after.cloned();
        self.db
            .read(move |c| {
                Box::pin(
                    async move { sessions::sessions_of_client(c, clinic_id, client_id, after.as_ref(), limit).await },
                )
            })
            .await
    }

    async fn check_ins_by_ids(&self, clinic_id: ClinicId, ids: &[CheckInId]) -> StoreResult<Vec<CheckIn>> {
        let ids = ids.to_vec();
        self.db.read(move |c| Box::pin(async move { check_ins::check_ins_by_ids(c, clinic_id, &ids).await })).await
    }

    async fn sessions_by_ids(&self, clinic_id: ClinicId, ids: &[SessionId]) -> StoreResult<Vec<Session>> {
        let ids = ids.to_vec();
        self.db.read(move |c| Box::pin(async move { sessions::sessions_by_ids(c, clinic_id, &ids).await })).await
    }

    async fn sessions_between(&self, clinic_id: ClinicId, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Session>> {
        self.db.read(move |c| Box::pin(async move { sessions::sessions_between(c, clinic_id, from, to).await })).await
    }

    async fn follow_ups_due(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(FollowUp, bool)>> {
        self.db.read(move |c| Box::pin(async move { follow_ups::follow_ups_due(c, clinic_id, from, to).await })).await
    }

    async fn outcome_check_ins(
        &self,
        clinic_id: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeCheckIn>> {
        self.db.read(move |c| Box::pin(async move { outcomes::outcome_check_ins(c, clinic_id, from, to).await })).await
    }

    async fn outcome_tallies(&self, clinic_id: ClinicId, from: Day, to: Day) -> StoreResult<Tallies> {
        self.db.read(move |c| Box::pin(async move { outcomes::outcome_tallies(c, clinic_id, from, to).await })).await
    }

    async fn erase_client(
        &self,
        clinic_id: ClinicId,
        client_id: ClientId,
        now: Timestamp,
    ) -> StoreResult<Option<Erased>> {
        self.db.write(move |c| Box::pin(async move { clients::erase_client(c, clinic_id, client_id, now).await })).await
    }

    async fn record_audit(&self, clinic_id: ClinicId, entry: NewAuditEntry) -> StoreResult<()> {
        self.db.write(move |c| Box::pin(async move { audit::record_audit(c, clinic_id, entry).await })).await
    }

    async fn audit_trail(
        &self,
        clinic_id: ClinicId,
        client: Option<ClientId>,
        before: Option<AuditId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        self.db
            .read(move |c| Box::pin(async move { audit::audit_trail(c, clinic_id, client, before, limit).await }))
            .await
    }

    async fn follow_ups_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<FollowUp>> {
        self.db
            .read(move |c| Box::pin(async move { follow_ups::follow_ups_of_session(c, clinic_id, session_id).await }))
            .await
    }

    async fn follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Option<FollowUp>> {
        self.db.read(move |c| Box::pin(async move { follow_ups::follow_up(c, clinic_id, follow_up_id).await })).await
    }

    async fn follow_up_by_link_hash(&self, link_hash: &[u8]) -> StoreResult<Option<FollowUp>> {
        let link_hash = link_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { follow_ups::follow_up_by_link_hash(c, &link_hash).await })).await
    }

    async fn link_context(&self, link_hash: &[u8]) -> StoreResult<Option<LinkRecords>> {
        let link_hash = link_hash.to_vec();
        self.db.read(move |c| Box::pin(async move { follow_ups::link_context(c, &link_hash).await })).await
    }

    async fn record_check_in(
        &self,
        clinic_id: ClinicId,
        check_in: NewCheckIn,
        alert: Option<NewAlert>,
        next: Option<NewFollowUp>,
    ) -> StoreResult<(CheckIn, Option<Alert>)> {
        self.db
            .write(move |c| {
                Box::pin(async move { check_ins::record_check_in(c, clinic_id, check_in, alert, next).await })
            })
            .await
    }

    async fn check_in(&self, clinic_id: ClinicId, check_in_id: CheckInId) -> StoreResult<Option<CheckIn>> {
        self.db.read(move |c| Box::pin(async move { check_ins::check_in(c, clinic_id, check_in_id).await })).await
    }

    async fn check_in_stats(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<CheckInStats> {
        self.db.read(move |c| Box::pin(async move { check_ins::check_in_stats(c, clinic_id, session_id).await })).await
    }

    async fn check_ins_of_session(&self, clinic_id: ClinicId, session_id: SessionId) -> StoreResult<Vec<CheckIn>> {
        self.db
            .read(move |c| Box::pin(async move { check_ins::check_ins_of_session(c, clinic_id, session_id).await }))
            .await
    }

    async fn check_ins_of_client(&self, clinic_id: ClinicId, client_id: ClientId) -> StoreResult<Vec<CheckIn>> {
        self.db
            .read(move |c| Box::pin(async move { check_ins::check_ins_of_client(c, clinic_id, client_id).await }))
            .await
    }

    async fn check_ins_with_notes(
        &self,
        clinic_id: ClinicId,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<CheckIn>> {
        self.db
            .read(move |c| Box::pin(async move { check_ins::check_ins_with_notes(c, clinic_id, since, limit).await }))
            .await
    }

    async fn alerts(
        &self,
        clinic_id: ClinicId,
        status: Option<AlertStatus>,
        after: Option<&AlertPosition>,
        limit: u32,
    ) -> StoreResult<Vec<Alert>> {
        let after = after.cloned();
        self.db
            .read(move |c| Box::pin(async move { alerts::alerts(c, clinic_id, status, after.as_ref(), limit).await }))
            .await
    }

    async fn alert(&self, clinic_id: ClinicId, alert_id: AlertId) -> StoreResult<Option<Alert>> {
        self.db.read(move |c| Box::pin(async move { alerts::alert(c, clinic_id, alert_id).await })).await
    }

    async fn acknowledge_alert(
        &self,
        clinic_id: ClinicId,
        alert_id: AlertId,
        ack: Acknowledgement,
    ) -> StoreResult<Option<(Alert, bool)>> {
        self.db
            .write(move |c| Box::pin(async move { alerts::acknowledge_alert(c, clinic_id, alert_id, ack).await }))
            .await
    }

    async fn enqueue_message(&self, clinic_id: ClinicId, message: NewMessage) -> StoreResult<bool> {
        self.db.write(move |c| Box::pin(async move { messages::enqueue_message(c, clinic_id, message).await })).await
    }

    async fn claim_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: &str,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let claim = claim.to_owned();
        self.db
            .write(move |c| Box::pin(async move { messages::claim_messages(c, now, lease_until, &claim, limit).await }))
            .await
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
        self.db
            .write(move |c| {
                Box::pin(async move { messages::finish_message(c, clinic_id, message_id, &claim, outcome, now).await })
            })
            .await
    }

    async fn messages(
        &self,
        clinic_id: ClinicId,
        status: Option<MessageStatus>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.db.read(move |c| Box::pin(async move { messages::messages(c, clinic_id, status, limit).await })).await
    }

    async fn newest_messages(
        &self,
        clinic_id: ClinicId,
        status: MessageStatus,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.db
            .read(move |c| Box::pin(async move { messages::newest_messages(c, clinic_id, status, limit).await }))
            .await
    }

    async fn messages_of_follow_up(&self, clinic_id: ClinicId, follow_up_id: FollowUpId) -> StoreResult<Vec<Message>> {
        self.db
            .read(move |c| Box::pin(async move { messages::messages_of_follow_up(c, clinic_id, follow_up_id).await }))
            .await
    }

    async fn export_clinic(&self, clinic_id: ClinicId, sink: store::moving::RowSink) -> StoreResult<bool> {
        self.db.read(move |c| Box::pin(async move { crate::moving::export_clinic(c, clinic_id, sink).await })).await
    }

    async fn import_clinic(
        &self,
        clinic: store::moving::Row,
        rows: Vec<(usize, store::moving::Row)>,
        written: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> StoreResult<ClinicId> {
        self.db
            .write(move |c| Box::pin(async move { crate::moving::import_clinic(c, clinic, rows, &written).await }))
            .await
    }

    async fn count_clinic_rows(&self, clinic_id: ClinicId) -> StoreResult<Vec<u64>> {
        self.db.read(move |c| Box::pin(async move { crate::moving::count_clinic_rows(c, clinic_id).await })).await
    }
}
