//! The `aftercare` command line, run as a real process: results on standard output with
//! status 0, and every kind of bad input as status 2 with a message that names the field.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    cmd.args(args).current_dir(root()).env_remove("AFTERCARE_KNOWLEDGE").env_remove("AFTERCARE_COUNTRY");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.unwrap_or("").as_bytes()).expect("stdin is written");
    }
    child.wait_with_output().expect("the binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_out(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON object")
}

/// Runs `triage --json` on a check-in and expects status 2 with every fragment on stderr.
fn rejects(checkin: &str, fragments: &[&str]) {
    let o = run(&["triage", "--json"], Some(checkin));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stdout: {} stderr: {err}", text(&o.stdout));
    assert!(o.stdout.is_empty(), "nothing on stdout when the input is invalid");
    for f in fragments {
        assert!(err.contains(f), "stderr should contain {f:?}: {err}");
    }
}

const VALID: &str = r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]},
  "report": {"hours_since": 24, "soreness": 3, "symptoms": []}}"#;

#[test]
fn triage_json_prints_level_and_every_fired_rule_with_reason_advice_and_sources() {
    let o = json_out(&run(&["triage", "--json", "examples/checkin.json"], None));
    assert_eq!(o["level"], "therapist");
    let fired = o["fired"].as_array().expect("fired is a list");
    assert_eq!(fired.len(), 1);
    let f = &fired[0];
    assert_eq!(f["rule"], "T-symptom");
    for key in ["level", "reason", "advice", "sources"] {
        assert!(!f[key].is_null(), "fired rule has {key}");
    }
    assert!(!o["red_flags"].as_array().expect("red flags").is_empty(), "warning signs are always listed");
    assert!(o["disclaimer"].as_str().is_some_and(|d| d.contains("does not diagnose")));
}

#[test]
fn triage_reads_standard_input_and_prints_text_by_default() {
    let o = run(&["triage"], Some(VALID));
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.contains("NORMAL SORENESS (self_care)"), "{out}");
    assert!(out.contains("Warning signs"), "{out}");
    let dash = run(&["triage", "-", "--json"], Some(VALID));
    assert_eq!(json_out(&dash)["level"], "self_care");
}

#[test]
fn the_country_sets_the_emergency_number() {
    let emergency = r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]},
      "report": {"hours_since": 2, "soreness": 1, "symptoms": ["chest_pain"]}}"#;
    let o = json_out(&run(&["triage", "--json", "--country", "AU"], Some(emergency)));
    assert_eq!(o["level"], "emergency");
    assert_eq!(o["emergency_number"], "000");
    assert!(o["instruction"].as_str().is_some_and(|i| i.starts_with("Call 000 now")));
    let bad = run(&["triage", "--country", "XX"], Some(emergency));
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--country: `XX` is not a known country; allowed: "));
}

#[test]
fn malformed_json_is_rejected_with_status_2() {
    rejects("{\"session\": ", &["not valid JSON"]);
    rejects("", &["not valid JSON"]);
    rejects("[1, 2]", &["invalid type"]);
    rejects(&format!("{VALID} trailing"), &["not valid JSON"]);
}

#[test]
fn a_missing_field_is_named() {
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": []}, "report": {"hours_since": 24, "symptoms": []}}"#,
        &["report.soreness: is required"],
    );
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": []}, "report": {"hours_since": 24, "soreness": 2}}"#,
        &["report.symptoms: is required"],
    );
    rejects(r#"{"report": {"hours_since": 24, "soreness": 2, "symptoms": []}}"#, &["session: is required"]);
}

#[test]
fn an_unknown_field_is_named() {
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": []}, "report": {"hours_since": 24, "soreness": 2, "symptoms": [], "sorenes": 3}}"#,
        &["report.sorenes", "is not a known field"],
    );
}

#[test]
fn an_unknown_code_is_named_with_the_valid_ones() {
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]}, "report": {"hours_since": 24, "soreness": 2, "symptoms": ["tenderness", "chest_ache"]}}"#,
        &["report.symptoms[1]: `chest_ache` is not a known symptom code; allowed: breathlessness, chest_pain"],
    );
    rejects(
        r#"{"session": {"massage_type": "thai", "pressure": "medium", "areas": ["neck"]}, "report": {"hours_since": 24, "soreness": 2, "symptoms": []}}"#,
        &["session.massage_type: `thai` is not a known massage type code"],
    );
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]}, "report": {"hours_since": 24, "soreness": 2, "trend": "up", "symptoms": []}}"#,
        &["report.trend: `up` is not a known trend; allowed: better, same, worse"],
    );
}

#[test]
fn numbers_out_of_range_are_rejected_never_dropped() {
    let with = |field: &str, value: &str| {
        format!(
            r#"{{"session": {{"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]}}, "report": {{"hours_since": 24, "soreness": 2, "symptoms": [], {field}: {value}}}}}"#
        )
    };
    rejects(
        &with("\"soreness\"", "11").replacen("\"soreness\": 2, ", "", 1),
        &["report.soreness: 11 is out of range; allowed: a whole number from 0 to 10"],
    );
    rejects(
        &with("\"soreness\"", "3.5").replacen("\"soreness\": 2, ", "", 1),
        &["report.soreness", "whole number from 0 to 10"],
    );
    rejects(&with("\"temperature_c\"", "50"), &["report.temperature_c", "from 30 to 45"]);
    rejects(&with("\"temperature_c\"", "29.9"), &["report.temperature_c", "from 30 to 45"]);
    rejects(&with("\"temperature_c\"", "98.6"), &["report.temperature_c"]);
    rejects(&with("\"previous_soreness\"", "-1"), &["report.previous_soreness"]);
    rejects(
        &with("\"hours_since\"", "9000").replacen("\"hours_since\": 24, ", "", 1),
        &["report.hours_since", "0 to 8760"],
    );
    rejects(
        &with("\"note\"", &format!("\"{}\"", "a".repeat(2001))),
        &["report.note: is 2001 characters long; allowed: at most 2000"],
    );
}

#[test]
fn an_infant_massage_reads_an_unknown_age_as_under_three_months_and_refuses_36() {
    let unknown = r#"{"session": {"massage_type": "infant", "pressure": "light", "areas": ["abdomen"]}, "report": {"hours_since": 24, "soreness": 0, "symptoms": ["feels_feverish"]}}"#;
    let o = run(&["triage", "-"], Some(unknown));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("E-infant-fever"), "{}", text(&o.stdout));
    rejects(
        r#"{"session": {"massage_type": "infant", "pressure": "light", "areas": ["abdomen"]}, "client": {"age_months": 36}, "report": {"hours_since": 24, "soreness": 0, "symptoms": []}}"#,
        &[
            "client.age_months: is 36 months: for a baby's session (`infant`) it is the baby's age in completed months, from 0 to 35",
        ],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    rejects(
        r#"{"session": {"massage_type": "swedish", "pressure": "hard", "areas": ["nek"]}, "report": {"hours_since": 24, "soreness": 12, "symptoms": ["ouch"]}}"#,
        &["session.pressure", "session.areas[0]", "report.soreness", "report.symptoms[0]"],
    );
}

#[test]
fn a_missing_file_is_invalid_input() {
    let o = run(&["triage", "no/such/file.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no/such/file.json: cannot be read"));
}

#[test]
fn screen_and_plan_read_their_documented_inputs() {
    let s = json_out(&run(&["screen", "--json", "examples/intake.json"], None));
    assert_eq!(s["screening"]["outcome"], "avoid_area");
    assert_eq!(s["pressure"], "light");
    let p = json_out(&run(&["plan", "--json", "--country", "GB", "examples/session.json"], None));
    assert_eq!(p["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(p["emergency_number"], "999");
    let text_plan = text(&run(&["plan", "examples/session.json"], None).stdout);
    assert!(text_plan.contains("YOUR AFTERCARE PLAN") && text_plan.contains("does not diagnose"), "{text_plan}");
    let bad = run(&["plan"], Some(r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": []}}"#));
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("session.areas: is empty"));
}

#[test]
fn kb_check_validates_the_built_in_and_a_directory_naming_file_and_line() {
    let ok = run(&["kb", "check"], None);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).starts_with("ok: 32 rules"));
    let standalone = run(&["kb", "check", "--standalone", "knowledge"], None);
    assert_eq!(standalone.status.code(), Some(0), "{}", text(&standalone.stderr));

    let dir = std::env::temp_dir().join(format!("aftercare-kb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("triage.toml"),
        "# a clinic rule\n[[rule]]\nid = \"X-new\"\nlevel = \"therapist\"\nwhen = { symptoms_any = [\"hiccups\"] }\nclient_reason = \"r\"\nclinical_reason = \"c\"\nadvice = \"a\"\nsources = [\"policy-v1-1\"]\n",
    )
    .expect("write");
    let bad = run(&["kb", "check", dir.to_str().expect("utf-8 path")], None);
    let err = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("triage.toml:2: rule X-new names symptom `hiccups`, which is not in the vocabulary"), "{err}");
    let with_bad_dir = run(&["triage", "--knowledge", dir.to_str().expect("utf-8 path")], Some(VALID));
    assert_eq!(with_bad_dir.status.code(), Some(2), "an invalid clinic directory stops the command");
    std::fs::remove_dir_all(&dir).ok();
}

/// A clinic adds a language in its directory: `kb texts` lists what it lacks, `kb check`
/// fails naming each missing warning sign and note phrase, and passes once it is complete.
#[test]
fn a_language_is_added_in_a_directory_and_checked_until_complete() {
    let dir = std::env::temp_dir().join(format!("aftercare-kb-lang-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("locales")).expect("temp dir");
    let path = dir.to_str().expect("utf-8 path");
    std::fs::write(dir.join("locales/fr.toml"), "language = \"fr\"\nname = \"Français\"\n[words]\nyes = \"Oui\"\n")
        .expect("write");
    let missing = run(&["kb", "texts", "fr", path], None);
    let listed = text(&missing.stdout);
    assert_eq!(missing.status.code(), Some(0));
    assert!(listed.contains("[texts]\n# area `head`\n\"Head\" = \"\""), "{listed}");
    assert!(listed.contains("\n# warning sign 1 ("), "the warning signs are listed: {listed}");
    assert!(listed.contains("chest_pain = []"), "and the note phrases: {listed}");
    assert!(!listed.contains("\nyes = "), "what is translated is not listed again");

    let bad = run(&["kb", "check", path], None);
    let err = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("fr.toml: no translation of warning sign 1"), "{err}");
    assert!(err.contains("fr.toml: [words] has no `send_answers`"), "{err}");
    assert!(err.contains("fr.toml: [note_phrases] has no `chest_pain`"), "{err}");

    // Complete (here, the Spanish words under another code), it is a language like the others.
    let spanish = std::fs::read_to_string(root().join("knowledge/locales/es.toml")).expect("es.toml");
    let french =
        spanish.replace("language = \"es\"", "language = \"fr\"").replace("name = \"Español\"", "name = \"Français\"");
    std::fs::write(dir.join("locales/fr.toml"), french).expect("write");
    let ok = run(&["kb", "check", path], None);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("languages en, es, fr"), "{}", text(&ok.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn kb_show_prints_a_rule_and_a_code() {
    let rule = run(&["kb", "show", "E-urine"], None);
    let out = text(&rule.stdout);
    assert_eq!(rule.status.code(), Some(0));
    assert!(out.contains("rule E-urine [emergency]") && out.contains("dark_urine"), "{out}");
    let code = json_out(&run(&["kb", "show", "--json", "dark_urine"], None));
    assert_eq!(code["symptom"]["symptom"]["group"], "emergency");
    assert!(code["symptom"]["rules"].as_array().is_some_and(|r| r.iter().any(|x| x == "E-urine")));
    let none = run(&["kb", "show", "nonsense"], None);
    assert_eq!(none.status.code(), Some(2));
}
