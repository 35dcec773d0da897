//! `aftercare serve` as a real process for the tests: started on 127.0.0.1:0, its address
//! and the demo's token read from what it prints, the rest of its output kept.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A server process that is killed when the test lets go of it, passing or failing.
pub struct Server(Child);

impl std::ops::Deref for Server {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `aftercare serve` on `data` with `args`; its address, the demo owner's token when it
/// prints one, and every line it prints (kept as it goes, so that its pipe never fills).
pub fn serve(data: &Path, args: &[&str]) -> (Server, String, Option<String>, Arc<Mutex<Vec<String>>>) {
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
    (Server(child), base.expect("the server says where it listens"), token, log)
}
