//! Real peers for tests (feature `testing`): an SMTP server and an HTTP webhook receiver
//! that listen on 127.0.0.1, speak their protocol, record what they receive, and can be told
//! to refuse or to hang. They stand in for a mail server and an SMS gateway; they are not
//! mocks of this crate's code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the SMTP server does with the next connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// Takes every message.
    Accept,
    /// Greets with `421` and closes: a server that is down for maintenance.
    Refuse,
    /// Takes the message's data but never answers it: a server that hangs mid-delivery.
    Hang,
    /// Takes messages until it has received this many in all, then hangs like `Hang`.
    HangAfter(usize),
}

/// A message the SMTP server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`s.
    pub to: Vec<String>,
    /// The data, dot-unstuffed, with CRLF line ends.
    pub data: String,
    /// The `AUTH PLAIN` credentials, decoded (`user`, `password`), if any.
    pub auth: Option<(String, String)>,
}

impl Received {
    /// A header's value (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut()
                && (line.starts_with(' ') || line.starts_with('\t'))
            {
                v.push_str(line.trim_start());
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }

    /// The body decoded from quoted-printable (soft breaks joined, `=XX` decoded).
    pub fn decoded(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[derive(Debug)]
struct SmtpState {
    mode: SmtpMode,
    received: Vec<Received>,
    connections: usize,
    open: usize,
    most_at_once: usize,
}

/// How many times each Message-ID is among `received`.
pub fn by_message_id<'a>(received: impl IntoIterator<Item = &'a Received>) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    for m in received {
        *counts.entry(m.header("Message-ID").unwrap_or_default()).or_default() += 1;
    }
    counts
}

/// An SMTP server on 127.0.0.1.
#[derive(Debug, Clone)]
pub struct SmtpServer {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<Mutex<SmtpState>>,
}

impl SmtpServer {
    /// Starts a server on a free port (on the current tokio runtime).
    pub async fn start(mode: SmtpMode) -> SmtpServer {
        Self::start_on("127.0.0.1:0", mode).await
    }

    /// Starts a server on `addr`.
    pub async fn start_on(addr: &str, mode: SmtpMode) -> SmtpServer {
        let listener = TcpListener::bind(addr).await.expect("bind");
        let server = SmtpServer {
            addr: listener.local_addr().unwrap(),
            state: Arc::new(Mutex::new(SmtpState {
                mode,
                received: Vec::new(),
                connections: 0,
                open: 0,
                most_at_once: 0,
            })),
        };
        let state = server.state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let _ = session(socket, state).await;
                });
            }
        });
        server
    }

    /// Changes what it does with later connections.
    pub fn set_mode(&self, mode: SmtpMode) {
        self.state.lock().unwrap().mode = mode;
    }

    /// How many times each Message-ID arrived so far.
    pub fn received_by_message_id(&self) -> std::collections::HashMap<String, usize> {
        by_message_id(&self.received())
    }

    /// What it received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Connections so far.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// The most connections it has held open at once.
    pub fn most_at_once(&self) -> usize {
        self.state.lock().unwrap().most_at_once
    }

    /// Waits until it has received `n` messages or `timeout` passed; what it received.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let step = Duration::from_millis(20);
        let mut waited = Duration::ZERO;
        while self.received().len() < n && waited < timeout {
            tokio::time::sleep(step).await;
            waited += step;
        }
        self.received()
    }
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<SmtpState>>) -> std::io::Result<()> {
    {
        let mut s = state.lock().unwrap();
        s.open += 1;
        s.most_at_once = s.most_at_once.max(s.open);
    }
    let talked = talk(socket, &state).await;
    state.lock().unwrap().open -= 1;
    talked
}

async fn talk(socket: tokio::net::TcpStream, state: &Arc<Mutex<SmtpState>>) -> std::io::Result<()> {
    let mode = {
        let mut s = state.lock().unwrap();
        s.connections += 1;
        s.mode
    };
    socket.set_nodelay(true)?;
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if mode == SmtpMode::Refuse {
        write.write_all(b"421 test.invalid Service not available, try later\r\n").await?;
        return Ok(());
    }
    write.write_all(b"220 test.invalid ESMTP ready\r\n").await?;
    let (mut from, mut to, mut auth) = (String::new(), Vec::new(), None);
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test.invalid\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") || upper.starts_with("RSET") {
            b"250 OK\r\n"
        } else if upper.starts_with("AUTH PLAIN") {
            let encoded = command.split_whitespace().nth(2).unwrap_or("");
            let decoded = base64_decode(encoded);
            let parts: Vec<&str> = decoded.split('\0').collect();
            if parts.len() == 3 {
                auth = Some((parts[1].to_owned(), parts[2].to_owned()));
            }
            b"235 2.7.0 Authentication successful\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_owned();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_owned());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let hang = {
                let mut s = state.lock().unwrap();
                s.received.push(Received { from: from.clone(), to: to.clone(), data, auth: auth.clone() });
                match s.mode {
                    SmtpMode::Hang => true,
                    SmtpMode::HangAfter(n) => s.received.len() > n,
                    _ => false,
                }
            };
            if hang {
                // The data arrived, the answer never does.
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            b"250 2.0.0 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

fn base64_decode(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { continue };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request the webhook receiver got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// The request line's path.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body's exact bytes.
    pub body: Vec<u8>,
}

impl Hook {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP server on 127.0.0.1 that records POSTs and answers with the next status of a
/// list (the last one repeats).
#[derive(Debug, Clone)]
pub struct WebhookServer {
    /// Where it listens.
    pub addr: SocketAddr,
    hooks: Arc<Mutex<Vec<Hook>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

impl WebhookServer {
    /// Starts a receiver answering `statuses` in turn.
    pub async fn start(statuses: Vec<u16>) -> WebhookServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server = WebhookServer {
            addr: listener.local_addr().unwrap(),
            hooks: Arc::new(Mutex::new(Vec::new())),
            statuses: Arc::new(Mutex::new(statuses)),
        };
        let (hooks, statuses) = (server.hooks.clone(), server.statuses.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (hooks, statuses) = (hooks.clone(), statuses.clone());
                tokio::spawn(async move {
                    let _ = http(socket, hooks, statuses).await;
                });
            }
        });
        server
    }

    /// The URL to post to.
    pub fn url(&self) -> String {
        format!("http://{}/sms", self.addr)
    }

    /// What it received.
    pub fn hooks(&self) -> Vec<Hook> {
        self.hooks.lock().unwrap().clone()
    }
}

async fn http(
    socket: tokio::net::TcpStream,
    hooks: Arc<Mutex<Vec<Hook>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize =
        headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await?;
    hooks.lock().unwrap().push(Hook { path, headers, body });
    let status = {
        let mut s = statuses.lock().unwrap();
        if s.len() > 1 { s.remove(0) } else { s.first().copied().unwrap_or(200) }
    };
    let response = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    write.write_all(response.as_bytes()).await?;
    write.shutdown().await
}
