//! The operator's commands as real processes: create a clinic and a token, migrate, and serve
//! the demo clinic over HTTP (with its follow-up worker) until stopped.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    c.env_remove("AFTERCARE_DATA").env_remove("AFTERCARE_KNOWLEDGE").env_remove("AFTERCARE_LISTEN");
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aftercare-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_clinic_and_an_api_token_are_created_from_the_command_line() {
    let dir = temp_dir("clinic");
    let data = dir.to_str().unwrap();
    let ok = run(&[
        "clinic",
        "create",
        "--data",
        data,
        "--name",
        "Calm Hands",
        "--country",
        "gb",
        "--timezone",
        "Europe/London",
        "--owner-email",
        "Owner@Calm.example",
    ]);
    let out = text(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(out.contains("emergency number 999") && out.contains("owner: owner@calm.example"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("owner password (shown once")), "{out}");

    let again = run(&[
        "clinic",
        "create",
        "--data",
        data,
        "--name",
        "Again",
        "--country",
        "GB",
        "--timezone",
        "Europe/London",
        "--owner-email",
        "owner@calm.example",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--owner-email: owner@calm.example already belongs to a staff member"));

    for (flag, value, message) in [
        ("--country", "XX", "--country: `XX` is not a known country"),
        ("--timezone", "Mars/Base", "--timezone: `Mars/Base` is not an IANA time zone"),
        ("--owner-email", "nobody", "--owner-email: `nobody` is not an e-mail address"),
    ] {
        let mut args = vec![
            "clinic",
            "create",
            "--data",
            data,
            "--name",
            "X",
            "--country",
            "GB",
            "--timezone",
            "Europe/London",
            "--owner-email",
            "x@x.example",
        ];
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        let bad = run(&args);
        assert_eq!(bad.status.code(), Some(2), "{flag}");
        assert!(text(&bad.stderr).contains(message), "{}", text(&bad.stderr));
    }

    let token = run(&["token", "create", "--data", data, "--email", "owner@calm.example", "--label", "ci"]);
    assert_eq!(token.status.code(), Some(0), "{}", text(&token.stderr));
    let printed = text(&token.stdout);
    assert_eq!(printed.lines().count(), 1, "the token alone on standard output");
    let t = printed.trim();
    assert!(t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()), "{t}");
    assert!(text(&token.stderr).contains("The token works until "), "the expiry is shown at creation");
    let week = run(&["token", "create", "--data", data, "--email", "owner@calm.example", "--days", "7"]);
    assert_eq!(week.status.code(), Some(0), "{}", text(&week.stderr));
    let forever = run(&["token", "create", "--data", data, "--email", "owner@calm.example", "--days", "0"]);
    assert_eq!(forever.status.code(), Some(2), "a token lasts 1 to 3650 days");
    let unknown = run(&["token", "create", "--data", data, "--email", "who@calm.example"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no active staff member has the e-mail who@calm.example"));

    let revoke = run(&["token", "revoke", "--data", data, "--email", "owner@calm.example"]);
    assert_eq!(revoke.status.code(), Some(0), "{}", text(&revoke.stderr));
    assert_eq!(text(&revoke.stdout).trim(), "2 token(s) of owner@calm.example revoked");

    let migrate = run(&["migrate", "--data", data]);
    assert_eq!(migrate.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn serve_demo_answers_the_api_with_open_alerts_at_every_level() {
    let dir = temp_dir("serve");
    let (mut child, base, token, _) = crate::server::serve(&dir, &["--demo"]);
    let token = token.expect("the demo prints a token");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let alerts: serde_json::Value = rt.block_on(async {
        let http = reqwest::Client::new();
        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        http.get(format!("{base}/api/v1/alerts?status=all"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    // The follow-up worker runs inside serve: its first round, at start, sends the demo's
    // open urgent alerts at once (at any hour) to the file transport under the data directory.
    let outbox = dir.join("outbox");
    let urgent_alert_written = || {
        std::fs::read_dir(&outbox).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .any(|m| m.contains("Subject: Urgent:") || m.contains("Subject: Emergency:"))
        })
    };
    let mut waited = 0;
    while !urgent_alert_written() && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert!(urgent_alert_written(), "serve's worker wrote the demo's urgent alerts to {}", outbox.display());
    // The data directory, the database and the outbox are their owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&dir), mode(&dir.join("aftercare.db")), mode(&outbox)), (0o700, 0o600, 0o700));
    for e in std::fs::read_dir(&outbox).unwrap().filter_map(Result::ok) {
        assert_eq!(mode(&e.path()), 0o600, "{}", e.path().display());
    }
    child.kill().ok();
    child.wait().ok();
    let alerts = alerts["alerts"].as_array().unwrap();
    let levels: std::collections::BTreeSet<&str> = alerts.iter().map(|a| a["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["doctor", "emergency", "therapist"].into_iter().collect());
    assert!(alerts.iter().any(|a| a["status"] == "open") && alerts.iter().any(|a| a["status"] == "acknowledged"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sigterm_stops_serve_within_its_grace_even_with_half_sent_requests() {
    use std::io::Write;
    let dir = temp_dir("sigterm");
    // Timeouts long enough that only the shutdown's own bound can end these requests.
    let (mut child, base, _, _) = crate::server::serve(&dir, &["--header-timeout", "600", "--request-timeout", "600"]);
    let addr = base.trim_start_matches("http://");
    let mut half_head = std::net::TcpStream::connect(addr).unwrap();
    half_head.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut half_body = std::net::TcpStream::connect(addr).unwrap();
    let link = "0".repeat(64);
    let head = format!(
        "POST /c/{link} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"sore"
    );
    half_body.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));

    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    // The grace for requests in flight is 10 s; allow for a slow machine, but not for ever.
    let mut exited = None;
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = exited else {
        child.kill().ok();
        panic!("serve still ran 30 s after SIGTERM, held by half-sent requests");
    };
    assert!(status.success(), "serve exits cleanly after SIGTERM: {status:?}");
    drop((half_head, half_body));
    std::fs::remove_dir_all(&dir).ok();
}
