//! `aftercare`: the one binary. It runs the care engine from the command line (triage a
//! check-in, screen an intake, write an aftercare plan, check or show the knowledge base) and
//! operates the web app (serve, migrate, create a clinic, create an API token, send the
//! follow-ups).

// A command answers on standard output: printing is this crate's job, and only its.
#![allow(clippy::print_stdout)]

mod backup;
mod commands;
mod moving;
mod operate;
mod render;
mod source;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status when a result was printed.
const OK: u8 = 0;
/// Exit status when a knowledge check found problems.
const CHECK_FAILED: u8 = 1;
/// Exit status for invalid input: malformed JSON, a missing or unknown field, an unknown
/// code, a number out of range, an unreadable file or an invalid knowledge directory.
const INVALID_INPUT: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "aftercare",
    version,
    about = "Aftercare: screening, aftercare plans and check-in triage after a massage.",
    long_about = "Aftercare: screening, aftercare plans and check-in triage after a massage.\n\n\
Aftercare triages and explains; it does not diagnose.\n\n\
Exit status: 0 a result was printed; 1 `kb check` found problems; 2 invalid input \
(malformed JSON, a missing or unknown field, an unknown code, a number out of range), \
with a message on standard error that names the field and what is allowed."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// A clinic's knowledge directory whose files override the built-in knowledge (same ids).
    #[arg(long, global = true, value_name = "DIR", env = "AFTERCARE_KNOWLEDGE")]
    knowledge: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Triage a check-in (care policy section 2 format) and print the level, fired rules,
    /// advice and warning signs.
    ///
    /// Input: {"session": {"massage_type", "pressure", "areas", "first_massage"?},
    /// "client": {"conditions"?, "age_months"?, "usual_pain"?, "pregnancy_weeks"?},
    /// "report": {"hours_since", "soreness", "previous_soreness"?, "trend"?, "sore_areas"?,
    /// "symptoms", "temperature_c"?, "note"?}}. `symptoms` is required: [] means "none of
    /// these". For an infant massage `age_months` is the baby's (0 to 35); left out, it reads
    /// as under 3 months.
    Triage(InputArgs),
    /// Screen an intake and recommend massage types and a pressure.
    ///
    /// Input: {"goals": [...], "conditions": [{"code", "areas"?}], "usual_pain"?,
    /// "preferred_pressure"?, "first_massage", "age_months"?, "pregnancy_weeks"?,
    /// "history"?: [{"massage_type", "pressure", "max_soreness", "fired"?: [rule ids]}]}
    /// with history oldest first.
    Screen(InputArgs),
    /// Write the aftercare plan for a session.
    ///
    /// Input: {"session": {"massage_type", "pressure", "areas", "first_massage"?,
    /// "hard_exercise_before"?}, "client": {"conditions"?, ...}, "products"?: [{"name",
    /// "item", "url"?, "description"?}]}, where "item" is a plan item id such as
    /// "epsom_salt".
    Plan(InputArgs),
    /// Check or show the clinical knowledge base.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Run the web app: the JSON API and the client check-in links (SQLite in --data, or the
    /// database of --database).
    Serve(ServeArgs),
    /// Create or bring up to date the database (in --data, or of --database), then exit.
    Migrate(DataArgs),
    /// Manage clinics.
    #[command(subcommand)]
    Clinic(ClinicCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Send or list follow-up messages (plans, check-in invitations, reminders, staff alerts).
    #[command(subcommand)]
    Followups(FollowupsCommand),
    /// Export a clinic's records.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Copy the SQLite database (in --data, or a sqlite: --database) to a new file while
    /// `serve` keeps running: one consistent snapshot, checked, readable by its owner only;
    /// an existing file is never overwritten. For PostgreSQL it names pg_dump and pg_restore.
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Load a clinic written by `export clinic` into this database, as a new clinic with the
    /// same staff, clients, sessions, check-ins, alerts, messages and audit trail; every
    /// table's row count is checked at the end. All or nothing: a row that cannot be written
    /// (for example a staff e-mail already here) leaves the database as it was.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The file `aftercare export clinic` wrote.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Write the clients, sessions, check-ins and alerts of the sessions that ended from
    /// --from to --to (days in the clinic's time zone, both included) as four CSV files:
    /// clients.csv, sessions.csv, check_ins.csv and alerts.csv in --out.
    Csv {
        #[command(flatten)]
        data: DataArgs,
        /// The clinic's id.
        #[arg(long, value_name = "ID")]
        clinic: i64,
        /// The first day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// The last day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        to: String,
        /// The directory to write the files in (created if missing).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Write one client's whole record (--client), or the clients, sessions and check-ins of
    /// the sessions that ended from --from to --to, as a FHIR R4 Bundle (JSON): Patient,
    /// Encounter and Procedure per session, QuestionnaireResponse and Observations (soreness,
    /// LOINC 72514-3; temperature, LOINC 8310-5) per check-in.
    Fhir {
        #[command(flatten)]
        data: DataArgs,
        /// The clinic's id.
        #[arg(long, value_name = "ID")]
        clinic: i64,
        /// One client's id (instead of a period).
        #[arg(long, value_name = "ID", conflicts_with_all = ["from", "to"])]
        client: Option<i64>,
        /// The first day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE", requires = "to")]
        from: Option<String>,
        /// The last day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE", requires = "from")]
        to: Option<String>,
        /// The file to write.
        #[arg(long, value_name = "FILE", default_value = "aftercare-fhir.json")]
        out: PathBuf,
    },
    /// Write a clinic's whole data (every table but sign-in sessions) to one file, read from
    /// one snapshot, to move the clinic to another database with `aftercare import`: JSON
    /// lines, format `aftercare-clinic` version 1 (see docs/operations.md). The file holds
    /// password hashes and unsent client links: keep it as safe as the database.
    Clinic {
        #[command(flatten)]
        data: DataArgs,
        /// The clinic's id.
        #[arg(long, value_name = "ID")]
        clinic: i64,
        /// The file to write (readable by its owner only).
        #[arg(long, value_name = "FILE", default_value = "aftercare-clinic.jsonl")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct DeliveryArgs {
    /// The delivery configuration (e-mail and SMS transports); default: aftercare.toml in
    /// --data if it exists, else every message is written as a file under DIR/outbox.
    #[arg(long, value_name = "FILE", env = "AFTERCARE_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum FollowupsCommand {
    /// Send every message due at TIME (default now), then exit: what `serve` does every 30
    /// seconds. A second run sends nothing new.
    RunDue {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        delivery: DeliveryArgs,
        /// The time to send at, RFC 3339 such as 2026-11-28T08:00:00Z (default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The address clients reach the app at, used in the links in messages.
        #[arg(long, value_name = "URL", env = "AFTERCARE_BASE_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
        /// Send in N lanes side by side (1 to 64), to drain a large backlog faster. A run
        /// killed mid-send may send again the one message each lane had in flight.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
        lanes: u32,
    },
    /// List the messages in the outbox of every clinic, by next attempt.
    List {
        #[command(flatten)]
        data: DataArgs,
        /// Only messages with this status: pending, sent, failed or skipped.
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// At most this many messages per clinic, the first by next attempt.
        #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        limit: u32,
    },
}

#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// The data directory: the SQLite database (unless another is chosen), the configuration
    /// (aftercare.toml) and the outbox folder (created if missing).
    #[arg(long, value_name = "DIR", default_value = "aftercare-data", env = "AFTERCARE_DATA")]
    pub(crate) data: PathBuf,
    /// The database: `postgres://USER@HOST:PORT/NAME` (add `?sslmode=require` for TLS) for
    /// PostgreSQL, or `sqlite:PATH`; default: `url` in the configuration's [database]
    /// section, else the SQLite database `aftercare.db` in --data.
    #[arg(long, value_name = "URL", env = "AFTERCARE_DATABASE")]
    pub(crate) database: Option<String>,
    /// The most connections to PostgreSQL this process holds at once (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 10, env = "AFTERCARE_DATABASE_POOL",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) database_pool: u32,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", env = "AFTERCARE_LISTEN")]
    listen: String,
    /// The address clients reach the app at, used in check-in links (default: http://ADDR).
    #[arg(long, value_name = "URL", env = "AFTERCARE_BASE_URL")]
    base_url: Option<String>,
    /// Create a demo clinic with clients, sessions, check-ins and alerts (once), and print how
    /// to use it.
    #[arg(long)]
    demo: bool,
    /// Connections served at once; more wait in the listen queue.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=100_000), env = "AFTERCARE_MAX_CONNECTIONS")]
    max_connections: u32,
    /// Seconds a connection has to send a whole request head (new or idle keep-alive ones
    /// are closed after it).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds a request has, body included, before it answers 408.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout: u64,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

#[derive(Debug, Subcommand)]
enum ClinicCommand {
    /// Create a clinic and its owner; prints the owner's password once.
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// The clinic's name.
        #[arg(long)]
        name: String,
        /// ISO 3166-1 country code (GB, US, AU, …): it sets the emergency number clients see.
        #[arg(long)]
        country: String,
        /// IANA time zone, such as Europe/London.
        #[arg(long)]
        timezone: String,
        /// The owner's e-mail.
        #[arg(long)]
        owner_email: String,
        /// The owner's name.
        #[arg(long, default_value = "Owner")]
        owner_name: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a staff member and print it, alone, on standard output. Only
    /// its hash is stored: it cannot be shown again.
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// The staff member's e-mail.
        #[arg(long)]
        email: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "api")]
        label: String,
        /// Days the token works, from now (it can be revoked sooner).
        #[arg(long, value_name = "N", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
    },
    /// Revoke every API token of a staff member.
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        /// The staff member's e-mail.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
struct InputArgs {
    /// The JSON input file; standard input when left out or `-`.
    file: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The clinic's country (ISO 3166-1 code such as GB, US, AU): it sets the emergency
    /// number shown.
    #[arg(long, value_name = "CC", env = "AFTERCARE_COUNTRY")]
    country: Option<String>,
}

#[derive(Debug, Subcommand)]
enum KbCommand {
    /// Validate a knowledge directory: as a clinic's overrides on the built-in knowledge, or
    /// with --standalone as a complete knowledge base. Without DIR, check the built-in one.
    /// The languages are checked too (the built-in ones and DIR/locales/*.toml): a missing
    /// translation of any client text, word or warning sign's note phrases is a problem.
    Check {
        /// The directory.
        dir: Option<PathBuf>,
        /// Treat DIR as a complete knowledge base, not as overrides.
        #[arg(long, requires = "dir")]
        standalone: bool,
    },
    /// Print, as TOML to add to `locales/LANG.toml`, every word and knowledge text that
    /// language has no translation for yet (all of them for a new language), each with a
    /// comment saying where it is shown.
    Texts {
        /// The language code, such as `es` or `fr`.
        language: String,
        /// A knowledge directory whose `locales/` folder adds to the built-in languages.
        dir: Option<PathBuf>,
    },
    /// Print what the knowledge says about a code, a rule id, a plan item, a stretch, a
    /// source or a country.
    Show {
        /// The code or id, such as `dark_urine`, `E-urine`, `anticoagulants` or `GB`.
        code: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Logs go to standard error, at the level of `AFTERCARE_LOG` (`error`, `warn`, `info`, the
/// default, `debug` or `trace`): one line per request answered, with its id, and each failure
/// with its cause.
fn init_logging() {
    let level = std::env::var("AFTERCARE_LOG").ok().and_then(|l| l.parse::<tracing::Level>().ok());
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_max_level(level.unwrap_or(tracing::Level::INFO))
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let status = match commands::run(cli) {
        Ok(()) => OK,
        Err(failure) => {
            eprintln!("{}", failure.message);
            failure.status
        }
    };
    ExitCode::from(status)
}
