//! The server under load on a data directory whose disk fills up and then frees: no check-in
//! or session is answered as saved unless it is, the client is told plainly when it is not,
//! the server saves again by itself once space returns, and everything acknowledged is there
//! after a `kill -9` and a restart, each check-in with its alert. The disk is a small tmpfs
//! the test mounts (the tests run as root, in CI too).

use crate::server::serve;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use store_sqlite::testing::SmallDisk;

/// What the server answered during the load.
#[derive(Default)]
struct Tally {
    /// Check-in ids answered 200.
    check_ins: Vec<i64>,
    /// Session ids answered 201.
    sessions: Vec<i64>,
    /// 503 answers, with their bodies.
    refused: Vec<Value>,
    /// 503 pages answered to the check-in form: (content type, page).
    refused_pages: Vec<(String, String)>,
    /// Anything else: (status, body).
    other: Vec<(u16, String)>,
}

struct Load {
    http: reqwest::Client,
    base: String,
    token: String,
    client_id: i64,
    links: Vec<String>,
}

impl Load {
    /// `tasks` concurrent clients, each sending `rounds` check-ins, one session in five.
    async fn run(self: &Arc<Self>, tasks: usize, rounds: usize) -> Tally {
        let mut handles = Vec::new();
        for t in 0..tasks {
            let load = self.clone();
            handles.push(tokio::spawn(async move {
                let mut tally = Tally::default();
                for i in 0..rounds {
                    if i % 5 == 4 {
                        load.session(&mut tally).await;
                    } else if i % 5 == 2 {
                        load.form(&mut tally, &load.links[(t + i) % load.links.len()]).await;
                    } else {
                        load.check_in(&mut tally, &load.links[(t + i) % load.links.len()]).await;
                    }
                }
                tally
            }));
        }
        let mut all = Tally::default();
        for h in handles {
            let t = h.await.unwrap();
            all.check_ins.extend(t.check_ins);
            all.sessions.extend(t.sessions);
            all.refused.extend(t.refused);
            all.refused_pages.extend(t.refused_pages);
            all.other.extend(t.other);
        }
        all
    }

    async fn check_in(&self, tally: &mut Tally, link: &str) {
        let body =
            json!({"soreness": 7, "symptoms": ["chest_pain"], "note": "tight chest since last night ".repeat(8)});
        let r = self.http.post(link).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        match status {
            200 => tally.check_ins.push(body["check_in_id"].as_i64().expect("a saved check-in has its id")),
            503 => tally.refused.push(body),
            _ => tally.other.push((status, body.to_string())),
        }
    }

    /// The check-in form, as a browser sends it.
    async fn form(&self, tally: &mut Tally, link: &str) {
        let body = "soreness=7&symptom=chest_pain&none=doctor&none=therapist";
        let r = self.http.post(link).header("content-type", "application/x-www-form-urlencoded").body(body);
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let page = r.text().await.unwrap_or_default();
        match status {
            200 => {
                let id = page.split("data-check-in=\"").nth(1).and_then(|r| r.split('"').next());
                tally
                    .check_ins
                    .push(id.and_then(|id| id.parse().ok()).expect("the result page carries its check-in id"));
            }
            503 => tally.refused_pages.push((kind, page)),
            _ => tally.other.push((status, page)),
        }
    }

    async fn session(&self, tally: &mut Tally) {
        let body = json!({"client_id": self.client_id, "massage_type": "swedish", "pressure": "medium",
                          "areas": ["neck", "upper_back"], "notes": "full-disk test ".repeat(10)});
        let r = self.http.post(format!("{}/api/v1/sessions", self.base)).bearer_auth(&self.token).json(&body).send();
        let r = r.await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        match status {
            201 => tally.sessions.push(body["id"].as_i64().expect("a saved session has its id")),
            503 => tally.refused.push(body),
            _ => tally.other.push((status, body.to_string())),
        }
    }
}

#[test]
fn a_full_disk_under_load_loses_no_acknowledged_answer_and_the_server_recovers_by_itself() {
    let disk = SmallDisk::mount("full-disk", "16m");
    let data = disk.dir.join("data");
    let (mut server, base, token, log) = serve(&data, &["--demo"]);
    let token = token.expect("the demo prints its owner's API token");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let http = reqwest::Client::new();

    let (client_id, links) = rt.block_on(async {
        let r = http.post(format!("{base}/api/v1/clients")).bearer_auth(&token);
        let client: Value = r.json(&json!({"name": "Disk Test"})).send().await.unwrap().json().await.unwrap();
        let client_id = client["id"].as_i64().unwrap();
        let r = http.post(format!("{base}/api/v1/clients/{client_id}/intake")).bearer_auth(&token);
        let s = r.json(&json!({"goals": ["relaxation"], "first_massage": false})).send().await.unwrap().status();
        assert_eq!(s, 200);
        let mut links = Vec::new();
        for _ in 0..4 {
            let body =
                json!({"client_id": client_id, "massage_type": "swedish", "pressure": "medium", "areas": ["neck"]});
            let r = http.post(format!("{base}/api/v1/sessions")).bearer_auth(&token).json(&body).send().await.unwrap();
            let session: Value = r.json().await.unwrap();
            for f in session["follow_ups"].as_array().unwrap() {
                links.push(f["check_in_url"].as_str().unwrap().to_owned());
            }
        }
        (client_id, links)
    });
    let load = Arc::new(Load { http: http.clone(), base: base.clone(), token: token.clone(), client_id, links });

    let (before, during, after) = rt.block_on(async {
        let before = load.run(8, 5).await;
        let filler = disk.fill();
        let during = load.run(8, 25).await;
        std::fs::remove_file(filler).unwrap();
        // The server notices by itself that it can save again: no restart, no request needed.
        let mut ready = false;
        for _ in 0..300 {
            if http.get(format!("{base}/readyz")).send().await.unwrap().status() == 200 {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(ready, "the server did not recover within a minute of space returning");
        let after = load.run(8, 5).await;
        (before, during, after)
    });

    for t in [&before, &during, &after] {
        assert!(t.other.is_empty(), "answers other than saved or 503: {:?}", t.other);
    }
    assert!(before.refused.is_empty() && after.refused.is_empty(), "refusals with space free: {:?}", after.refused);
    assert!(!during.refused.is_empty(), "the disk was full, yet nothing was refused: the test did not fill it");
    for r in &during.refused {
        assert_eq!(r["error"]["code"], "unavailable", "{r}");
    }
    assert!(!during.refused_pages.is_empty(), "the check-in form was refused too while the disk was full");
    for (kind, page) in &during.refused_pages {
        assert!(kind.starts_with("text/html"), "a browser gets a page, not {kind}");
        assert!(page.contains("We cannot save answers just now") && page.contains("call 999 now"), "{page}");
        assert!(page.contains("Warning signs: get help at once"), "the page lists the warning signs: {page}");
    }
    assert!(
        during.refused.iter().any(|r| r["error"]["message"].as_str().unwrap_or("").contains("call 999 now")),
        "a refused check-in tells the client what to do now, with the emergency number"
    );
    // Staff see on the dashboard when writing failed and what became of their clients' answers.
    let password = log
        .lock()
        .unwrap()
        .iter()
        .find_map(|l| l.strip_prefix("  owner password (shown once): ").map(str::to_owned))
        .expect("the demo prints its owner's password");
    let dashboard = rt.block_on(async {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let body = format!("email=owner%40riverside.demo&password={}", password.replace('+', "%2B"));
        let r = http.post(format!("{base}/sign-in")).header("content-type", "application/x-www-form-urlencoded");
        let signed = r.body(body).send().await.unwrap();
        assert_eq!(signed.status(), 303, "the demo owner signs in");
        let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        http.get(format!("{base}/")).header("cookie", cookie).send().await.unwrap().text().await.unwrap()
    });
    assert!(dashboard.contains("Answers could not be saved for a while"), "{dashboard}");
    assert!(dashboard.contains("could not be saved when sent") && dashboard.contains("saved as soon as it"));
    let health: Value =
        rt.block_on(async { http.get(format!("{base}/healthz")).send().await.unwrap().json().await }).unwrap();
    assert_eq!(health["database"], json!({"read": true, "write": true}), "{health}");
    assert_eq!(health["unsaved_check_ins"], 0, "every refused check-in was saved once space returned: {health}");

    // Killed hard, then started again: everything acknowledged is there.
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut server, base, _, _) = serve(&data, &[]);
    let (shown, alerts): (Value, Vec<Value>) = rt.block_on(async {
        let shown = http.get(format!("{base}/api/v1/clients/{client_id}")).bearer_auth(&token).send().await.unwrap();
        // Every alert, a page at a time.
        let mut alerts = Vec::new();
        let mut cursor = String::new();
        loop {
            let url = format!("{base}/api/v1/alerts?status=all&limit=200{cursor}");
            let page: Value = http.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            alerts.extend(page["alerts"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        (shown.json().await.unwrap(), alerts)
    });
    server.kill().ok();
    server.wait().ok();

    let sessions = shown["sessions"].as_array().unwrap();
    let stored_sessions: Vec<i64> = sessions.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    let stored_check_ins: Vec<i64> =
        sessions.iter().flat_map(|s| s["check_ins"].as_array().unwrap()).map(|c| c["id"].as_i64().unwrap()).collect();
    // The demo clinic's own clients have alerts too: only this client's count.
    let alerted: Vec<i64> = alerts
        .iter()
        .filter(|a| a["client"]["id"].as_i64() == Some(client_id))
        .filter_map(|a| a["check_in"]["id"].as_i64())
        .collect();
    let acknowledged_check_ins: Vec<i64> =
        [&before, &during, &after].iter().flat_map(|t| t.check_ins.clone()).collect();
    let acknowledged_sessions: Vec<i64> = [&before, &during, &after].iter().flat_map(|t| t.sessions.clone()).collect();
    let lost: Vec<&i64> = acknowledged_check_ins.iter().filter(|id| !stored_check_ins.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged check-ins were lost: {lost:?}",
        lost.len(),
        acknowledged_check_ins.len()
    );
    let lost: Vec<&i64> = acknowledged_sessions.iter().filter(|id| !stored_sessions.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged sessions were lost: {lost:?}",
        lost.len(),
        acknowledged_sessions.len()
    );
    // Each link has one alert, which follows its latest answer: every link answered has an
    // alert, on its newest stored check-in.
    let mut latest: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for c in sessions.iter().flat_map(|s| s["check_ins"].as_array().unwrap()) {
        let (id, link) = (c["id"].as_i64().unwrap(), c["follow_up_id"].as_i64().unwrap());
        let newest = latest.entry(link).or_insert(id);
        *newest = (*newest).max(id);
    }
    let unalerted: Vec<(&i64, &i64)> = latest.iter().filter(|(_, id)| !alerted.contains(id)).collect();
    assert!(unalerted.is_empty(), "links whose latest emergency answer has no alert (link, check-in): {unalerted:?}");
    assert_eq!(alerted.len(), latest.len(), "one alert per link answered");
    // Check-ins refused while the disk was full were kept and saved, with their alerts, once
    // it freed (one the client got saved again meanwhile is not saved twice).
    let refused_check_ins =
        during.refused.iter().filter(|r| r["error"]["message"].as_str().unwrap_or("").contains("answer"));
    assert!(refused_check_ins.count() > 0, "check-ins were refused, not only sessions");
    assert!(
        stored_check_ins.len() > acknowledged_check_ins.len(),
        "no refused check-in was saved late: {} stored, {} acknowledged; server log: {:?}",
        stored_check_ins.len(),
        acknowledged_check_ins.len(),
        log.lock().unwrap()
    );
}
