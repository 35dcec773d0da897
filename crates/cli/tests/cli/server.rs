//! `aftercare serve` as a real process for the tests: started on 127.0.0.1:0, its address
//! and the demo's token read from what it prints, the rest of its output kept.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// `aftercare serve` on `data` with `args`; its address, the demo owner's token when it
/// prints one, and every line it prints (kept as it goes, so that its pipe never fills).
pub fn serve(data: &Path, args: &[&str]) -> (Child, String, Option<String>, Arc<Mutex<Vec<String>>>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    cmd.env_remove("AFTERCARE_DATA").env_remove("AFTERCARE_KNOWLEDGE").env_remove("AFTERCARE_LISTEN");
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap()]).args(args);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (mut token, mut base) = (None, None);
    let mut early = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        early.push(line.clone());
        if let Some(t) = line.strip_prefix("  API token for the owner (shown once): ") {
            token = Some(t.trim().to_owned());
        }
        if let Some(rest) = line.strip_prefix("Aftercare is listening on ") {
            base = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let log = Arc::new(Mutex::new(early));
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (child, base.expect("the server says where it listens"), token, log)
}
