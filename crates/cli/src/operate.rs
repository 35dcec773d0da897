//! The operator's commands: serve the web app, migrate the database, create a clinic, create
//! an API token. This is the binary's edge: the only place that reads the system clock.

use crate::commands::{Failure, failed};
use care::Knowledge;
use std::path::Path;
use std::sync::Arc;
use store::{NewApiToken, NewClinic, NewStaff, Role, Store, Timestamp};
use store_sqlite::SqliteStore;
use web::secret::{hash_secret, new_secret};
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

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(failed)
}

async fn open(data: &Path) -> Result<SqliteStore, Failure> {
    let store = SqliteStore::open_dir(data).await.map_err(failed)?;
    store.migrate().await.map_err(failed)?;
    Ok(store)
}

/// `aftercare migrate`.
pub fn migrate(data: &Path) -> Result<(), Failure> {
    runtime()?.block_on(async {
        open(data).await?;
        println!("database in {} is up to date", data.display());
        Ok(())
    })
}

/// `aftercare serve`.
pub fn serve(knowledge: Knowledge, args: crate::ServeArgs) -> Result<(), Failure> {
    runtime()?.block_on(async {
        let store = open(&args.data.data).await?;
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| Failure::input(format!("--listen: cannot listen on {}: {e}", args.listen)))?;
        let address = listener.local_addr().map_err(failed)?;
        let base_url =
            args.base_url.clone().unwrap_or_else(|| format!("http://{address}")).trim_end_matches('/').to_owned();
        let state = AppState {
            store,
            knowledge: Arc::new(knowledge),
            clock: Arc::new(SystemClock),
            base_url: base_url.clone(),
            rate_limiter: web::rate_limit::RateLimiter::default(),
        };
        if args.demo {
            let demo =
                web::demo::seed(&state).await.map_err(|e| failed(format!("the demo could not be created: {e:?}")))?;
            eprintln!("Demo clinic {}: owner {}", if demo.created { "created" } else { "already there" }, demo.email);
            if let Some(p) = demo.password {
                eprintln!("  owner password (shown once): {p}");
            }
            if let Some(token) = &demo.api_token {
                eprintln!("  API token for the owner (shown once): {token}");
                eprintln!("  try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/alerts?status=open");
            }
        }
        eprintln!("Aftercare is listening on {base_url} (data in {}); Ctrl-C stops it", args.data.data.display());
        web::serve(listener, state, shutdown()).await.map_err(failed)
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
    data: &Path,
    name: &str,
    country: &str,
    timezone: &str,
    owner_email: &str,
    owner_name: &str,
) -> Result<(), Failure> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Failure::input("--name: must be 1 to 200 characters"));
    }
    let country = knowledge.country(country).ok_or_else(|| {
        let codes: Vec<&str> = knowledge.countries.iter().map(|c| c.code.as_str()).collect();
        Failure::input(format!("--country: `{country}` is not a known country; allowed: {}", codes.join(", ")))
    })?;
    if !web::time::is_time_zone(timezone) {
        return Err(Failure::input(format!("--timezone: `{timezone}` is not an IANA time zone such as Europe/London")));
    }
    let email = web::fields::email(owner_email).map_err(|p| Failure::input(format!("--owner-email: {p}")))?;
    let password = new_secret()[..20].to_owned();
    let hash = password_auth::generate_hash(&password);
    runtime()?.block_on(async {
        let store = open(data).await?;
        let now = SystemClock.now();
        let clinic =
            NewClinic { name: name.to_owned(), country: country.code.clone(), timezone: timezone.to_owned(), now };
        let owner = NewStaff {
            email: email.clone(),
            name: owner_name.to_owned(),
            role: Role::Owner,
            password_hash: Some(hash),
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
}

/// `aftercare token create`.
pub fn create_token(data: &Path, email: &str, label: &str) -> Result<(), Failure> {
    let email = web::fields::email(email).map_err(|p| Failure::input(format!("--email: {p}")))?;
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(Failure::input("--label: must be 1 to 100 characters"));
    }
    runtime()?.block_on(async {
        let store = open(data).await?;
        let staff = store
            .staff_by_email(&email)
            .await
            .map_err(failed)?
            .filter(|s| s.active)
            .ok_or_else(|| Failure::input(format!("--email: no active staff member has the e-mail {email}")))?;
        let token = new_secret();
        let new = NewApiToken {
            clinic_id: staff.clinic_id,
            staff_id: staff.id,
            label: label.to_owned(),
            token_hash: hash_secret(&token),
            now: SystemClock.now(),
        };
        store.create_api_token(new).await.map_err(failed)?;
        println!("{token}");
        Ok(())
    })
}

/// `aftercare token revoke`.
pub fn revoke_tokens(data: &Path, email: &str) -> Result<(), Failure> {
    let email = web::fields::email(email).map_err(|p| Failure::input(format!("--email: {p}")))?;
    runtime()?.block_on(async {
        let store = open(data).await?;
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
}
