//! Moving a clinic with `aftercare export clinic` and `aftercare import`, as real processes:
//! from SQLite to PostgreSQL and back the files are identical, the moved clinic goes on
//! working where it lands, and a file imported twice or cut short changes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use store::*;
use store_postgres::testing::{Schemas, url_in_schema};
use store_sqlite::SqliteStore;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    for var in ["AFTERCARE_DATA", "AFTERCARE_DATABASE", "AFTERCARE_CONFIG"] {
        c.env_remove(var);
    }
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aftercare-moving-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary with `args` against a SQLite `--data DIR` or a `--database URL`.
fn run(args: &[&str], place: &[&str]) -> Output {
    bin().args(args).args(place).output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The id `import` printed: "clinic N imported: ...".
fn imported_id(stdout: &str) -> String {
    stdout.split_whitespace().nth(1).unwrap().to_owned()
}

const T0: Timestamp = Timestamp(1_790_000_000_000);

/// The demo clinic in a SQLite directory, with a row in every table the demo leaves empty
/// (products, feedback, the audit trail, recovery codes, password and intake links).
async fn seeded(dir: &Path) {
    let store = SqliteStore::open_dir(dir).await.unwrap();
    store.migrate().await.unwrap();
    let languages = Arc::new(care::knowledge::locale::Languages::shipped().unwrap());
    let state = web::AppState {
        store: store.clone(),
        knowledge: languages.english().knowledge.clone(),
        languages,
        clock: Arc::new(FixedClock(T0)),
        base_url: "https://care.example".into(),
        rate_limiter: web::rate_limit::RateLimiter::default(),
        write_health: Default::default(),
        outboxes: Vec::new(),
    };
    web::demo::seed(&state).await.unwrap();
    let clinic = store.clinics().await.unwrap().remove(0);
    let owner = store.staff_of_clinic(clinic.id).await.unwrap().remove(0);
    let client = store.clients(clinic.id, None, None, 1).await.unwrap().remove(0);
    let product = NewProduct { name: "Arnica gel".into(), item: "heat".into(), url: None, now: T0 };
    store.add_product(clinic.id, product).await.unwrap();
    let check_in = store.check_ins_of_client(clinic.id, client.id).await.unwrap().remove(0);
    let feedback = NewFeedback { check_in_id: check_in.id, rating: Some(5), comment: Some("kind".into()), now: T0 };
    store.add_feedback(clinic.id, feedback).await.unwrap();
    let entry = NewAuditEntry {
        staff_id: owner.id,
        client_id: Some(client.id),
        action: AuditAction::ViewClient,
        detail: String::new(),
        address: "192.0.2.1".into(),
        now: T0,
    };
    store.record_audit(clinic.id, entry).await.unwrap();
    let secret = Some(Redacted::new("JBSWY3DPEHPK3PXP".to_owned()));
    store.set_two_factor(clinic.id, owner.id, secret, &[vec![7; 32], vec![8; 32]]).await.unwrap();
    let link = NewPasswordLink {
        staff_id: owner.id,
        purpose: PasswordPurpose::PasswordReset,
        token: Redacted::new("t".repeat(43)),
        token_hash: Redacted::new(vec![9; 32]),
        idempotency_key: "reset-1".into(),
        expires_at: T0.plus_hours(24),
        void_password: false,
        now: T0,
    };
    store.create_password_link(clinic.id, link).await.unwrap();
    let intake = NewIntakeLink {
        client_id: Some(client.id),
        link_hash: Redacted::new(vec![5; 32]),
        now: T0,
        expires_at: T0.plus_hours(72),
    };
    store.create_intake_link(clinic.id, intake).await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clinic_moved_from_sqlite_to_postgres_and_back_exports_the_same_file_and_keeps_working() {
    let dir = temp_dir("round-trip");
    let sqlite = dir.join("first");
    seeded(&sqlite).await;
    let first = dir.join("first.jsonl");
    let data = ["--data", sqlite.to_str().unwrap()];
    ok(run(&["export", "clinic", "--clinic", "1", "--out", first.to_str().unwrap()], &data));
    let text = std::fs::read_to_string(&first).unwrap();
    for table in [
        "staff",
        "api_tokens",
        "password_links",
        "recovery_codes",
        "clients",
        "intakes",
        "intake_links",
        "sessions",
        "follow_ups",
        "check_ins",
        "alerts",
        "products",
        "feedback",
        "messages",
        "audit_log",
    ] {
        assert!(text.contains(&format!("\"table\":\"{table}\"")), "the file holds rows of {table}");
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&first).unwrap().permissions().mode() & 0o777, 0o600);

    // PostgreSQL already serving another clinic, whose rows took the low ids.
    let schemas = Schemas::default();
    let (pg, schema) = schemas.fresh_named().await;
    let staff = |email: &str| NewStaff {
        email: email.into(),
        name: "B".into(),
        role: Role::Owner,
        password_hash: None,
        now: T0,
    };
    let other = NewClinic {
        check_in_hours: vec![24],
        name: "Other".into(),
        country: "GB".into(),
        timezone: "UTC".into(),
        now: T0,
    };
    let (other, _) = pg.create_clinic(other, staff("b@other.example")).await.unwrap();
    let url = url_in_schema(&schema);
    let database = ["--database", url.as_str()];
    let id = imported_id(&ok(run(&["import", first.to_str().unwrap()], &database)));
    assert_ne!(id, other.id.to_string(), "the moved clinic gets a new id beside the one already there");
    let second = dir.join("second.jsonl");
    ok(run(&["export", "clinic", "--clinic", &id, "--out", second.to_str().unwrap()], &database));
    assert_eq!(std::fs::read_to_string(&second).unwrap(), text, "SQLite -> file -> PostgreSQL -> file");

    // The moved clinic keeps working: a new client and session take ids past the moved ones.
    let moved = ClinicId(id.parse().unwrap());
    let therapist = pg.staff_of_clinic(moved).await.unwrap().remove(0);
    let new = NewClient {
        language: None,
        name: "New".into(),
        email: None,
        phone: None,
        timezone: None,
        age_months: None,
        now: T0,
    };
    let client = pg.create_client(moved, new).await.unwrap();
    let session = NewSession {
        baby_birth_date: None,
        client_id: client.id,
        staff_id: therapist.id,
        massage_type: "swedish".into(),
        pressure: "light".into(),
        areas: vec!["back".into()],
        techniques: vec![],
        first_massage: true,
        notes: None,
        ended_at: T0,
        now: T0,
    };
    pg.record_session(moved, session, vec![]).await.unwrap();
    assert!(pg.client(other.id, client.id).await.unwrap().is_none(), "the other clinic does not see it");

    // And back: PostgreSQL -> file -> a new SQLite directory -> file, the same again.
    let back = dir.join("back");
    let back_data = ["--data", back.to_str().unwrap()];
    ok(run(&["import", second.to_str().unwrap()], &back_data));
    let third = dir.join("third.jsonl");
    ok(run(&["export", "clinic", "--clinic", "1", "--out", third.to_str().unwrap()], &back_data));
    assert_eq!(std::fs::read_to_string(&third).unwrap(), text, "PostgreSQL -> file -> SQLite -> file");
    pg.close().await;
    schemas.drop_all().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_imported_twice_or_cut_short_changes_nothing_and_says_why() {
    let dir = temp_dir("refused");
    let sqlite = dir.join("first");
    seeded(&sqlite).await;
    let file = dir.join("clinic.jsonl");
    let data = ["--data", sqlite.to_str().unwrap()];
    ok(run(&["export", "clinic", "--clinic", "1", "--out", file.to_str().unwrap()], &data));

    let schemas = Schemas::default();
    let (pg, schema) = schemas.fresh_named().await;
    let url = url_in_schema(&schema);
    let database = ["--database", url.as_str()];
    ok(run(&["import", file.to_str().unwrap()], &database));
    let again = run(&["import", file.to_str().unwrap()], &database);
    assert_eq!(again.status.code(), Some(2));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("nothing was imported") && said.contains("staff e-mail"), "{said}");
    assert_eq!(pg.clinics().await.unwrap().len(), 1, "the second import left nothing behind");

    let text = std::fs::read_to_string(&file).unwrap();
    let cut = dir.join("cut.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&cut, lines[..lines.len() - 1].join("\n")).unwrap();
    let fresh = dir.join("fresh");
    let out = run(&["import", cut.to_str().unwrap()], &["--data", fresh.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cut short"), "{}", String::from_utf8_lossy(&out.stderr));

    let wrong = dir.join("wrong.jsonl");
    std::fs::write(&wrong, text.replacen("\"version\":1", "\"version\":9", 1)).unwrap();
    let out = run(&["import", wrong.to_str().unwrap()], &["--data", fresh.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 1: format version"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clinics = ok(run(&["followups", "list"], &["--data", fresh.to_str().unwrap()]));
    assert_eq!(clinics.lines().count(), 1, "a refused file creates no clinic: {clinics}");
    pg.close().await;
    schemas.drop_all().await;
    let _ = std::fs::remove_dir_all(&dir);
}
