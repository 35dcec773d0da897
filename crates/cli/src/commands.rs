//! What each subcommand does: load the knowledge, read and validate the input, run the
//! engine, print the result. Failures carry their exit status.

use crate::render;
use crate::source::{read_input, read_knowledge_dir, read_locale_dir};
use crate::{
    CHECK_FAILED, Cli, ClinicCommand, Command, ExportCommand, FollowupsCommand, Global, INVALID_INPUT, InputArgs,
    KbCommand, TokenCommand, operate,
};
use care::InputErrors;
use care::knowledge::Knowledge;
use care::knowledge::locale::{Languages, builtin_locale_files};
use care::triage::{Contacts, TriageReport};
use serde::Serialize;

/// A command that did not print a result.
#[derive(Debug)]
pub struct Failure {
    /// The exit status.
    pub status: u8,
    /// The message for standard error.
    pub message: String,
}

impl Failure {
    /// Invalid input (status 2).
    pub fn input(message: impl Into<String>) -> Failure {
        Failure { status: INVALID_INPUT, message: message.into() }
    }

    fn invalid(what: &str, errors: &InputErrors) -> Failure {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("  {e}")).collect();
        Failure::input(format!("aftercare: invalid {what}:\n{}", lines.join("\n")))
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Triage(args) => triage(&load(&cli.global)?, &args),
        Command::Screen(args) => screen(&load(&cli.global)?, &args),
        Command::Plan(args) => plan(&load(&cli.global)?, &args),
        Command::Kb(KbCommand::Check { dir, standalone }) => kb_check(dir.as_deref(), standalone),
        Command::Kb(KbCommand::Texts { language, dir }) => kb_texts(&cli.global, &language, dir.as_deref()),
        Command::Kb(KbCommand::Show { code, json }) => {
            let kb = load(&cli.global)?;
            render::show(&kb, &code, json).ok_or_else(|| {
                Failure::input(format!("aftercare: `{code}` is not a code, rule id, plan item, stretch, source or country in the knowledge base"))
            })?;
            Ok(())
        }
        Command::Serve(args) => operate::serve(load_languages(&cli.global)?, args),
        Command::Migrate(args) => operate::migrate(&args),
        Command::Clinic(ClinicCommand::Create { data, name, country, timezone, owner_email, owner_name }) => {
            operate::create_clinic(&load(&cli.global)?, &data, &name, &country, &timezone, &owner_email, &owner_name)
        }
        Command::Token(TokenCommand::Create { data, email, label, days }) => {
            operate::create_token(&data, &email, &label, days)
        }
        Command::Token(TokenCommand::Revoke { data, email }) => operate::revoke_tokens(&data, &email),
        Command::Export(ExportCommand::Csv { data, clinic, from, to, out }) => {
            operate::export_csv(&data, clinic, &from, &to, &out)
        }
        Command::Export(ExportCommand::Clinic { data, clinic, out }) => crate::moving::export(&data, clinic, &out),
        Command::Import { data, file } => crate::moving::import(&data, &file),
        Command::Backup { data, out } => crate::backup::backup(&data, &out),
        Command::Export(ExportCommand::Fhir { data, clinic, client, from, to, out }) => {
            let what = match (client, from, to) {
                (Some(id), _, _) => operate::FhirExport::Client(id),
                (None, Some(from), Some(to)) => operate::FhirExport::Period(from, to),
                _ => return Err(Failure::input("aftercare export fhir: give --client ID, or --from and --to")),
            };
            operate::export_fhir(&load(&cli.global)?, &data, clinic, what, &out)
        }
        Command::Followups(FollowupsCommand::RunDue { data, delivery, at, base_url, lanes }) => operate::run_due(
            load_languages(&cli.global)?,
            &data,
            delivery.config.as_deref(),
            at.as_deref(),
            &base_url,
            lanes,
        ),
        Command::Followups(FollowupsCommand::List { data, status, limit }) => {
            operate::list_follow_ups(&data, status.as_deref(), limit)
        }
    }
}

/// A failure of the system rather than of the input (status 1).
pub fn failed(message: impl std::fmt::Display) -> Failure {
    Failure { status: CHECK_FAILED, message: format!("aftercare: {message}") }
}

pub(crate) fn load(global: &Global) -> Result<Knowledge, Failure> {
    let loaded = match &global.knowledge {
        None => Knowledge::builtin(),
        Some(dir) => Knowledge::with_overrides(&read_knowledge_dir(dir)?),
    };
    loaded.map_err(|e| Failure::input(format!("aftercare: the knowledge base is invalid:\n{e}")))
}

/// The knowledge in every language: the built-in ones and the knowledge directory's
/// `locales/`.
pub(crate) fn load_languages(global: &Global) -> Result<Languages, Failure> {
    let kb = load(global)?;
    let extra = match &global.knowledge {
        None => Vec::new(),
        Some(dir) => read_locale_dir(&dir.join("locales"))?,
    };
    Languages::load(kb, &builtin_locale_files(), &extra)
        .map_err(|e| Failure::input(format!("aftercare: the languages are invalid:\n{e}")))
}

fn kb_texts(global: &Global, language: &str, dir: Option<&std::path::Path>) -> Result<(), Failure> {
    let mut kb = load(global)?;
    let mut files = builtin_locale_files();
    if let Some(dir) = dir.or(global.knowledge.as_deref()) {
        files.extend(read_locale_dir(&dir.join("locales"))?);
    }
    print!("{}", care::knowledge::locale::missing_as_toml(&mut kb, &files, language));
    Ok(())
}

fn contacts<'k>(kb: &'k Knowledge, args: &InputArgs) -> Result<Contacts<'k>, Failure> {
    let Some(code) = &args.country else {
        return Ok(Contacts::default());
    };
    match kb.country(code) {
        Some(country) => Ok(Contacts { country: Some(country) }),
        None => {
            let codes: Vec<&str> = kb.countries.iter().map(|c| c.code.as_str()).collect();
            Err(Failure::input(format!("--country: `{code}` is not a known country; allowed: {}", codes.join(", "))))
        }
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure { status: CHECK_FAILED, message: format!("aftercare: {e}") })?;
    println!("{text}");
    Ok(())
}

fn triage(kb: &Knowledge, args: &InputArgs) -> Result<(), Failure> {
    let contacts = contacts(kb, args)?;
    let text = read_input(args.file.as_deref())?;
    let checkin = care::parse_check_in(kb, &text).map_err(|e| Failure::invalid("check-in", &e))?;
    let decision = care::triage(kb, &checkin);
    let report = TriageReport::new(kb, &decision, contacts);
    if args.json {
        print_json(&report)
    } else {
        print!("{}", render::triage(&report));
        Ok(())
    }
}

fn screen(kb: &Knowledge, args: &InputArgs) -> Result<(), Failure> {
    let text = read_input(args.file.as_deref())?;
    let intake = care::screening::parse_intake(kb, &text).map_err(|e| Failure::invalid("intake", &e))?;
    let recommendation = care::recommend(kb, &intake);
    if args.json {
        print_json(&recommendation)
    } else {
        print!("{}", render::recommendation(&recommendation));
        Ok(())
    }
}

fn plan(kb: &Knowledge, args: &InputArgs) -> Result<(), Failure> {
    let contacts = contacts(kb, args)?;
    let text = read_input(args.file.as_deref())?;
    let request = care::plan::parse_plan_request(kb, &text).map_err(|e| Failure::invalid("plan request", &e))?;
    let plan = care::plan(kb, &request.session, &request.client, &request.products, contacts);
    if args.json {
        print_json(&plan)
    } else {
        print!("{}", render::plan(kb, &plan));
        Ok(())
    }
}

fn kb_check(dir: Option<&std::path::Path>, standalone: bool) -> Result<(), Failure> {
    let result = match (dir, standalone) {
        (None, _) => Knowledge::builtin(),
        (Some(dir), false) => Knowledge::with_overrides(&read_knowledge_dir(dir)?),
        (Some(dir), true) => Knowledge::load(&read_knowledge_dir(dir)?, &[]),
    };
    let extra = match dir {
        Some(dir) => read_locale_dir(&dir.join("locales"))?,
        None => Vec::new(),
    };
    let result = result.and_then(|kb| Languages::load(kb, &builtin_locale_files(), &extra));
    match result {
        Ok(languages) => {
            let kb = &languages.english().knowledge;
            println!(
                "ok: {} rules, {} symptoms, {} conditions, {} plan items, {} stretches, {} sources, {} countries, languages {}",
                kb.triage.rules.len(),
                kb.vocabulary.symptoms.entries().len(),
                kb.vocabulary.conditions.entries().len(),
                kb.plan.items.len(),
                kb.stretches.len(),
                kb.sources.len(),
                kb.countries.len(),
                languages.codes().join(", ")
            );
            Ok(())
        }
        Err(e) => Err(Failure { status: CHECK_FAILED, message: format!("{e}\n{} problem(s) found", e.0.len()) }),
    }
}
