//! The operator's commands: serve the web app (and the follow-up worker), migrate the
//! database, create a clinic, create an API token, send and list follow-ups. This is the
//! binary's edge: the only place that reads the system clock and the environment.

use crate::DataArgs;
use crate::commands::{Failure, failed};
use care::Knowledge;
use care::knowledge::locale::Languages;
use domain::secret::{hash_secret, new_secret};
use domain::{Email, PersonName, TimeZoneName};
use std::path::Path;
use std::sync::Arc;
use store::{MessageStatus, NewApiToken, NewClinic, NewStaff, Recipient, Role, Store, Timestamp};
use store_postgres::PgStore;
use store_sqlite::SqliteStore;
use web::{AppState, Clock};

/// The system clock.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the binary's edge: the one place the clock is read
    fn now(&self) -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(failed)
}

/// The database of `--database`, or the SQLite database in `--data`, opened and migrated.
pub(crate) enum Opened {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

pub(crate) async fn open(data: &DataArgs) -> Result<Opened, Failure> {
    open_with(data, None).await
}

/// The database URL: `--database` (or `AFTERCARE_DATABASE`), else the `[database]` section of
/// `--config` (or of `aftercare.toml` in `--data`), else none (SQLite in `--data`).
fn database_url(data: &DataArgs, config: Option<&Path>) -> Result<Option<String>, Failure> {
    if let Some(url) = &data.database {
        return Ok(Some(url.clone()));
    }
    let default = data.data.join("aftercare.toml");
    let Some(file) = config.map(Path::to_path_buf).or_else(|| default.exists().then_some(default)) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&file)
        .map_err(|e| Failure::input(format!("--config: cannot read {}: {e}", file.display())))?;
    followup::config::database_url(&file.display().to_string(), &text).map_err(|e| Failure::input(e.to_string()))
}

/// [`open`], with the configuration file `serve` and `followups run-due` may be given.
pub(crate) async fn open_with(data: &DataArgs, config: Option<&Path>) -> Result<Opened, Failure> {
    let opened = match database_url(data, config)?.as_deref() {
        None => Opened::Sqlite(SqliteStore::open_dir(&data.data).await.map_err(failed)?),
        Some(url) if url.starts_with("sqlite:") => Opened::Sqlite(SqliteStore::open_url(url).await.map_err(failed)?),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let options = store_postgres::PoolOptions {
                max_connections: data.database_pool,
                ..store_postgres::PoolOptions::default()
            };
            let store = PgStore::connect(url, &options)
                .await
                .map_err(|e| failed(format!("--database: cannot connect to {}: {e}", store_postgres::redact(url))))?;
            Opened::Postgres(store)
        }
        Some(url) => {
            return Err(Failure::input(format!(
                "--database: `{}` is neither a postgres:// nor a sqlite: URL",
                store_postgres::redact(url)
            )));
        }
    };
    match &opened {
        Opened::Sqlite(s) => s.migrate().await.map_err(failed)?,
        Opened::Postgres(s) => s.migrate().await.map_err(failed)?,
    }
    Ok(opened)
}

/// Runs `$body` with `$store` bound to the opened database, whichever backend it is.
macro_rules! on_store {
    ($data:expr, |$store:ident| $body:block) => {
        on_store!($data, None, |$store| $body)
    };
    ($data:expr, $config:expr, |$store:ident| $body:block) => {
        match open_with($data, $config).await? {
            Opened::Sqlite($store) => $body,
            Opened::Postgres($store) => $body,
        }
    };
}

/// Where the data is, in words.
fn place(data: &DataArgs, config: Option<&Path>) -> String {
    match database_url(data, config) {
        Ok(Some(url)) => store_postgres::redact(&url),
        _ => data.data.display().to_string(),
    }
}

/// `aftercare migrate`.
pub fn migrate(data: &DataArgs) -> Result<(), Failure> {
    runtime()?.block_on(async {
        open(data).await?;
        println!("database in {} is up to date", place(data, None));
        Ok(())
    })
}

/// `aftercare serve`.
pub fn serve(languages: Languages, args: crate::ServeArgs) -> Result<(), Failure> {
    let transports = transports(&args.data.data, args.delivery.config.as_deref())?;
    runtime()?.block_on(async {
        on_store!(&args.data, args.delivery.config.as_deref(), |store| {
            let listener = tokio::net::TcpListener::bind(&args.listen)
                .await
                .map_err(|e| Failure::input(format!("--listen: cannot listen on {}: {e}", args.listen)))?;
            let address = listener.local_addr().map_err(failed)?;
            let base_url =
                args.base_url.clone().unwrap_or_else(|| format!("http://{address}")).trim_end_matches('/').to_owned();
            let state = AppState {
                store,
                knowledge: languages.english().knowledge.clone(),
                languages: Arc::new(languages),
                clock: Arc::new(SystemClock),
                base_url: base_url.clone(),
                rate_limiter: web::rate_limit::RateLimiter::default(),
                write_health: Default::default(),
                outboxes: transports.folders(),
            };
            if args.demo {
                let demo = web::demo::seed(&state)
                    .await
                    .map_err(|e| failed(format!("the demo could not be created: {e:?}")))?;
                eprintln!(
                    "Demo clinic {}: owner {}",
                    if demo.created { "created" } else { "already there" },
                    demo.email
                );
                if let Some(p) = demo.password {
                    eprintln!("  owner password (shown once): {p}");
                }
                if let Some(token) = &demo.api_token {
                    eprintln!("  API token for the owner (shown once): {token}");
                    eprintln!("  try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/alerts?status=open");
                }
            }
            let worker = followup::Worker {
                store: state.store.clone(),
                languages: state.languages.clone(),
                transports: Arc::new(transports),
                base_url: base_url.clone(),
            };
            eprintln!(
                "Aftercare is listening on {base_url} (data in {}); Ctrl-C stops it",
                place(&args.data, args.delivery.config.as_deref())
            );
            eprintln!("Follow-ups: e-mail to {}, SMS to {}", worker.transports.email, worker.transports.sms);
            let (stop_worker, stopped) = tokio::sync::oneshot::channel::<()>();
            let clock = state.clock.clone();
            let sending = tokio::spawn(async move {
                worker
                    .run(clock, WORKER_EVERY, async {
                        let _ = stopped.await;
                    })
                    .await;
            });
            let (stop_probes, probes_stopped) = tokio::sync::oneshot::channel::<()>();
            let probing = tokio::spawn(web::write_health::watch(
                state.write_health.clone(),
                state.store.clone(),
                state.clock.clone(),
                WRITE_PROBE_EVERY,
                async {
                    let _ = probes_stopped.await;
                },
            ));
            let (stop_refresh, refresh_stopped) = tokio::sync::oneshot::channel::<()>();
            let store = state.store.clone();
            let refreshing = tokio::spawn(async move {
                let mut ticks = tokio::time::interval(REFRESH_STATISTICS_EVERY);
                tokio::pin!(refresh_stopped);
                loop {
                    tokio::select! {
                        _ = &mut refresh_stopped => return,
                        _ = ticks.tick() => {
                            if let Err(e) = store.refresh_statistics().await {
                                tracing::warn!(cause = %e, "refreshing the query planner's statistics failed");
                            }
                        }
                    }
                }
            });
            let limits = web::serve::Limits {
                max_connections: args.max_connections as usize,
                header_timeout: std::time::Duration::from_secs(args.header_timeout),
                request_timeout: std::time::Duration::from_secs(args.request_timeout),
                ..web::serve::Limits::default()
            };
            let served = web::serve::serve_with(listener, state, shutdown(), limits).await.map_err(failed);
            let _ = stop_worker.send(());
            let _ = stop_probes.send(());
            let _ = stop_refresh.send(());
            let _ = sending.await;
            let _ = probing.await;
            let _ = refreshing.await;
            served
        })
    })
}

/// How often `serve` checks that the database can save data (a one-row write).
const WRITE_PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How often `serve` refreshes the query planner's statistics (SQLite's advice for
/// long-lived connections: every few hours at most).
const REFRESH_STATISTICS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often `serve` sends what is due.
const WORKER_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The transports of `--config`, else of `aftercare.toml` in the data directory, else files
/// under `<data>/outbox`. Secrets may come from the environment.
fn transports(data: &Path, config: Option<&Path>) -> Result<followup::Transports, Failure> {
    let default = data.join("aftercare.toml");
    let file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => default.exists().then_some(default),
    };
    let text = match &file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::input(format!("--config: cannot read {}: {e}", path.display())))?,
        ),
        None => None,
    };
    let name = file.as_ref().map_or_else(|| "the default configuration".to_owned(), |p| p.display().to_string());
    followup::config::transports(&name, text.as_deref(), data, &|key| std::env::var(key).ok())
        .map_err(|e| Failure::input(e.to_string()))
}

/// `aftercare followups run-due`.
pub fn run_due(
    languages: Languages,
    data: &DataArgs,
    config: Option<&Path>,
    at: Option<&str>,
    base_url: &str,
    lanes: u32,
) -> Result<(), Failure> {
    let at = match at {
        Some(text) => Some(store::Timestamp::parse_rfc3339(text).ok_or_else(|| {
            Failure::input(format!("--at: `{text}` is not an RFC 3339 time such as 2026-11-28T08:00:00Z"))
        })?),
        None => None,
    };
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(Failure::input(format!("--base-url: `{base_url}` must start with https:// or http://")));
    }
    let transports = transports(&data.data, config)?;
    runtime()?.block_on(async {
        on_store!(data, config, |store| {
            let worker = followup::Worker {
                store,
                languages: Arc::new(languages),
                transports: Arc::new(transports),
                base_url: base_url.trim_end_matches('/').to_owned(),
            };
            // What is due follows --at; claims and signatures follow the real clock, so that a
            // run for a past time never takes a message a running server holds.
            let report = match at {
                Some(t) => worker.run_due_in_lanes(lanes, &store::FixedClock(t), &SystemClock).await,
                None => worker.run_due_in_lanes(lanes, &SystemClock, &SystemClock).await,
            }
            .map_err(failed)?;
            println!("{report}");
            Ok(())
        })
    })
}

/// `aftercare followups list`.
pub fn list_follow_ups(data: &DataArgs, status: Option<&str>, limit: u32) -> Result<(), Failure> {
    let status = match status {
        Some(code) => Some(MessageStatus::from_code(code).ok_or_else(|| {
            Failure::input(format!("--status: `{code}` is not one of pending, sent, failed, skipped"))
        })?),
        None => None,
    };
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let mut out = String::from("id\tclinic\tkind\tto\twhen\tstatus\tattempts\tnote\n");
            for clinic in store.clinics().await.map_err(failed)? {
                let tz = followup::window::time_zone(None, &clinic.timezone);
                let mut page = store.messages(clinic.id, status, limit.saturating_add(1)).await.map_err(failed)?;
                if page.len() > limit as usize {
                    page.truncate(limit as usize);
                    eprintln!("clinic {}: the first {limit} messages shown; use --limit for more", clinic.id);
                }
                for m in page {
                    let to = match m.recipient {
                        Recipient::Client => "client".to_owned(),
                        Recipient::Staff(id) => format!("staff {id}"),
                        Recipient::Clinic => "clinic alert address".to_owned(),
                    };
                    let when = followup::window::local_time(m.sent_at.unwrap_or(m.next_attempt), &tz);
                    let note = [m.channel.clone(), m.last_error.clone()].into_iter().flatten().collect::<Vec<_>>();
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{to}\t{when}\t{}\t{}\t{}\n",
                        m.id,
                        clinic.id,
                        m.kind.code(),
                        m.status.code(),
                        m.attempts,
                        note.join("; ")
                    ));
                }
            }
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes());
            Ok(())
        })
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// `aftercare clinic create`.
pub fn create_clinic(
    knowledge: &Knowledge,
    data: &DataArgs,
    name: &str,
    country: &str,
    timezone: &str,
    owner_email: &str,
    owner_name: &str,
) -> Result<(), Failure> {
    let name = PersonName::parse(name).map_err(|p| Failure::input(format!("--name: {p}")))?;
    let owner_name = PersonName::parse(owner_name).map_err(|p| Failure::input(format!("--owner-name: {p}")))?;
    let country = knowledge.country(country).ok_or_else(|| {
        let codes: Vec<&str> = knowledge.countries.iter().map(|c| c.code.as_str()).collect();
        Failure::input(format!("--country: `{country}` is not a known country; allowed: {}", codes.join(", ")))
    })?;
    let timezone = TimeZoneName::parse(timezone).map_err(|p| Failure::input(format!("--timezone: {p}")))?;
    let email = Email::parse(owner_email).map_err(|p| Failure::input(format!("--owner-email: {p}")))?.into_string();
    let password = new_secret()[..20].to_owned();
    let hash = password_auth::generate_hash(&password);
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let now = SystemClock.now();
            let clinic = NewClinic {
                check_in_hours: knowledge.triage.schedule.check_in_hours.clone(),
                name: name.into_string(),
                country: country.code.clone(),
                timezone: timezone.as_str().to_owned(),
                now,
            };
            let owner = NewStaff {
                email: email.clone(),
                name: owner_name.into_string(),
                role: Role::Owner,
                password_hash: Some(store::Redacted::new(hash)),
                now,
            };
            let (clinic, _) = store.create_clinic(clinic, owner).await.map_err(|e| match e {
                store::StoreError::Conflict(_) => {
                    Failure::input(format!("--owner-email: {email} already belongs to a staff member"))
                }
                other => failed(other),
            })?;
            println!(
                "clinic {} created: {} ({}, emergency number {})",
                clinic.id, clinic.name, clinic.country, country.emergency
            );
            println!("owner: {email}");
            println!("owner password (shown once; store it safely): {password}");
            Ok(())
        })
    })
}

/// `aftercare token create`.
pub fn create_token(data: &DataArgs, email: &str, label: &str, days: u32) -> Result<(), Failure> {
    let email = Email::parse(email).map_err(|p| Failure::input(format!("--email: {p}")))?.into_string();
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(Failure::input("--label: must be 1 to 100 characters"));
    }
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let staff = store
                .staff_by_email(&email)
                .await
                .map_err(failed)?
                .filter(|s| s.active)
                .ok_or_else(|| Failure::input(format!("--email: no active staff member has the e-mail {email}")))?;
            let token = new_secret();
            let now = SystemClock.now();
            let new = NewApiToken {
                clinic_id: staff.clinic_id,
                staff_id: staff.id,
                label: label.to_owned(),
                token_hash: store::Redacted::new(hash_secret(&token)),
                expires_at: web::auth::token_expiry(now, i64::from(days)),
                now,
            };
            let made = store.create_api_token(new).await.map_err(failed)?;
            println!("{token}");
            eprintln!(
                "The token works until {} (UTC); revoke it sooner with `aftercare token revoke`.",
                made.expires_at.to_rfc3339()
            );
            Ok(())
        })
    })
}

/// `aftercare token revoke`.
pub fn revoke_tokens(data: &DataArgs, email: &str) -> Result<(), Failure> {
    let email = Email::parse(email).map_err(|p| Failure::input(format!("--email: {p}")))?.into_string();
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let staff = store
                .staff_by_email(&email)
                .await
                .map_err(failed)?
                .ok_or_else(|| Failure::input(format!("--email: no staff member has the e-mail {email}")))?;
            let revoked =
                store.revoke_tokens_of_staff(staff.clinic_id, staff.id, SystemClock.now()).await.map_err(failed)?;
            println!("{revoked} token(s) of {email} revoked");
            Ok(())
        })
    })
}

/// `--from` and `--to`, checked: the days, the first on or before the last.
fn days(from: &str, to: &str) -> Result<(jiff::civil::Date, jiff::civil::Date), Failure> {
    let day = |flag: &str, text: &str| {
        domain::time::parse_date(text)
            .ok_or_else(|| Failure::input(format!("{flag}: `{text}` is not a date such as 2026-11-01")))
    };
    let (first, last) = (day("--from", from)?, day("--to", to)?);
    if first > last {
        return Err(Failure::input("--from: must be on or before --to".to_owned()));
    }
    Ok((first, last))
}

/// The clinic of `--clinic`.
async fn clinic_of<S: Store>(store: &S, clinic_id: i64) -> Result<store::Clinic, Failure> {
    store
        .clinic(store::ClinicId(clinic_id))
        .await
        .map_err(failed)?
        .ok_or_else(|| Failure::input(format!("--clinic: there is no clinic {clinic_id}")))
}

/// The start of the first day and of the day after the last, in the clinic's time zone.
fn period(
    clinic: &store::Clinic,
    first: jiff::civil::Date,
    last: jiff::civil::Date,
) -> Result<(Timestamp, Timestamp), Failure> {
    let tz = jiff::tz::TimeZone::get(&clinic.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let start = |d: jiff::civil::Date| {
        d.to_zoned_datetime(tz.clone()).map(|z| Timestamp(z.timestamp().as_millisecond())).map_err(failed)
    };
    Ok((start(first)?, start(last.tomorrow().map_err(failed)?)?))
}

/// What `aftercare export fhir` writes.
#[derive(Debug)]
pub enum FhirExport {
    /// One client's whole record.
    Client(i64),
    /// The sessions that ended from the first day to the last (YYYY-MM-DD).
    Period(String, String),
}

/// `aftercare export fhir`.
pub fn export_fhir(
    knowledge: &care::Knowledge,
    data: &DataArgs,
    clinic_id: i64,
    what: FhirExport,
    out: &Path,
) -> Result<(), Failure> {
    let days = match &what {
        FhirExport::Period(from, to) => Some(days(from, to)?),
        FhirExport::Client(_) => None,
    };
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let clinic = clinic_of(&store, clinic_id).await?;
            let export_failed = |e: web::error::Error| failed(format!("the export failed: {e}"));
            let records = match (what, days) {
                (FhirExport::Client(id), _) => web::service::fhir::client_records(&store, &clinic, store::ClientId(id))
                    .await
                    .map_err(export_failed)?
                    .ok_or_else(|| {
                        Failure::input(format!("--client: there is no client {id} in clinic {clinic_id}"))
                    })?,
                (FhirExport::Period(..), Some((first, last))) => {
                    let (from, to) = period(&clinic, first, last)?;
                    web::service::fhir::period_records(&store, &clinic, from, to).await.map_err(export_failed)?
                }
                (FhirExport::Period(..), None) => return Err(failed("the period was not read")),
            };
            let bundle = web::service::fhir::bundle(knowledge, &records, SystemClock.now());
            let text = serde_json::to_string_pretty(&bundle).map_err(failed)?;
            std::fs::write(out, text)
                .map_err(|e| Failure::input(format!("--out: cannot write {}: {e}", out.display())))?;
            println!("{}", out.display());
            Ok(())
        })
    })
}

/// `aftercare export csv`: a clinic's records of a period as four CSV files.
pub fn export_csv(data: &DataArgs, clinic_id: i64, from: &str, to: &str, out: &Path) -> Result<(), Failure> {
    let (first, last) = days(from, to)?;
    runtime()?.block_on(async {
        on_store!(data, |store| {
            let clinic = clinic_of(&store, clinic_id).await?;
            let (from, to) = period(&clinic, first, last)?;
            let files = web::service::export::csv(&store, &clinic, from, to)
                .await
                .map_err(|e| failed(format!("the export failed: {e}")))?;
            std::fs::create_dir_all(out)
                .map_err(|e| Failure::input(format!("--out: cannot create {}: {e}", out.display())))?;
            for (name, body) in files.named() {
                let path = out.join(name);
                std::fs::write(&path, body)
                    .map_err(|e| Failure::input(format!("--out: cannot write {}: {e}", path.display())))?;
                println!("{}", path.display());
            }
            Ok(())
        })
    })
}
