//! `aftercare backup` as a real process, taken while `serve` runs: the copy, put in place of
//! the database of a new data directory, answers the API exactly as the original does.

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aftercare-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Waits until the server's log says its follow-up worker finished a round.
fn first_round_done(log: &std::sync::Mutex<Vec<String>>) {
    for _ in 0..200 {
        if log.lock().unwrap().iter().any(|l| l.contains("follow-ups:")) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server's follow-up worker did not finish its first round: {:?}", log.lock().unwrap());
}

#[test]
fn a_backup_taken_while_serving_restores_to_a_server_that_answers_the_api_as_the_original() {
    let dir = temp_dir("original");
    let (original, base, token, log) = crate::server::serve(&dir, &["--demo"]);
    let token = token.expect("the demo prints a token");
    // The follow-up worker changes the outbox at its start (sends what is due, puts off what
    // waits for the morning): the copy is taken once that first round is done.
    first_round_done(&log);
    let copy = temp_dir("copy.db");
    let out = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .env_remove("AFTERCARE_DATA")
        .env_remove("AFTERCARE_DATABASE")
        .args(["backup", "--data", dir.to_str().unwrap(), "--out", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    let again = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["backup", "--data", dir.to_str().unwrap(), "--out", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "a backup never overwrites a file");

    // Restored: the copy becomes the database of a new data directory.
    let restored = temp_dir("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::set_permissions(&restored, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(&copy, restored.join("aftercare.db")).unwrap();
    // Its worker finds nothing to do: the original's first round, in the copy, sent what was
    // due and put off the rest.
    let (second, other, _, _) = crate::server::serve(&restored, &[]);

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let get = |base: String, path: String| {
            let (http, token) = (http.clone(), token.clone());
            async move {
                let r = http.get(format!("{base}{path}")).bearer_auth(&token).send().await.unwrap();
                assert_eq!(r.status(), 200, "{base}{path}");
                r.json::<serde_json::Value>().await.unwrap()
            }
        };
        let alerts = get(base.clone(), "/api/v1/alerts?status=all".into()).await;
        assert!(!alerts["alerts"].as_array().unwrap().is_empty(), "the demo has alerts");
        assert_eq!(get(other.clone(), "/api/v1/alerts?status=all".into()).await, alerts);
        let mut clients: Vec<i64> =
            alerts["alerts"].as_array().unwrap().iter().map(|a| a["client"]["id"].as_i64().unwrap()).collect();
        clients.sort_unstable();
        clients.dedup();
        for id in clients.iter().take(5) {
            let path = format!("/api/v1/clients/{id}");
            assert_eq!(get(other.clone(), path.clone()).await, get(base.clone(), path).await, "client {id}");
        }
    });
    drop((original, second)); // killed, and waited for
    for d in [dir, restored] {
        std::fs::remove_dir_all(&d).ok();
    }
    std::fs::remove_file(&copy).ok();
}
