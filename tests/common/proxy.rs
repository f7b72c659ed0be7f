//! A recording proxy in front of the Docker socket: it forwards bytes both ways and records every
//! HTTP request line the client sends, so a test can prove a scan made only GET requests. It can
//! also play a daemon that dies mid-scan: after N requests it drops every connection, one that
//! hangs on a call (or answers it late), and (`Proxy::rewriting`) a newer engine: each JSON answer is rewritten by the
//! test before the client sees it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

const METHODS: [&str; 7] = ["GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "PATCH ", "OPTIONS "];

/// A running proxy; stops accepting when dropped.
pub struct Proxy {
    /// The socket clients connect to.
    pub socket: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    stopped: Arc<AtomicBool>,
    /// The request-line needle that stalls (or delays) a request; changeable while running.
    stall: Arc<Mutex<Option<String>>>,
}

impl Proxy {
    /// Listens on `dir/proxy.sock`, forwarding to `upstream`. With `die_after = Some(n)`, every
    /// connection is cut once `n` requests have been seen, as if the daemon had died.
    pub fn start(dir: &Path, upstream: &Path, die_after: Option<usize>) -> Proxy {
        Self::start_with(dir, upstream, die_after, None, None)
    }

    /// Like [`Proxy::start`], but a request whose line contains `stall` is recorded and never
    /// forwarded: the client waits for an answer that never comes, as from a hung daemon.
    /// [`Proxy::answer_again`] ends the stall for the requests that follow (a stalled connection
    /// stays stalled: its client gives up on it).
    pub fn stalling(dir: &Path, upstream: &Path, stall: &str) -> Proxy {
        Self::start_with(dir, upstream, None, Some(stall.to_owned()), None)
    }

    /// A slow daemon: a request whose line contains `slow` is forwarded only after `delay`.
    pub fn delaying(dir: &Path, upstream: &Path, slow: &str, delay: Duration) -> Proxy {
        Self::start_with(dir, upstream, None, Some(slow.to_owned()), Some(delay))
    }

    /// The hung (or slow) daemon answers again: requests from now on are forwarded at once.
    pub fn answer_again(&self) {
        *self.stall.lock().expect("lock") = None;
    }

    /// From now on a request whose line contains `needle` stalls (or is delayed) again.
    pub fn stall_again(&self, needle: &str) {
        *self.stall.lock().expect("lock") = Some(needle.to_owned());
    }

    fn start_with(
        dir: &Path,
        upstream: &Path,
        die_after: Option<usize>,
        stall: Option<String>,
        delay: Option<Duration>,
    ) -> Proxy {
        let socket = dir.join("proxy.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).expect("bind proxy socket");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(AtomicUsize::new(0));
        let stall = Arc::new(Mutex::new(stall));
        let upstream = upstream.to_path_buf();
        {
            let (requests, stopped, stall) =
                (Arc::clone(&requests), Arc::clone(&stopped), Arc::clone(&stall));
            thread::spawn(move || {
                for client in listener.incoming() {
                    if stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    if die_after.is_some_and(|n| seen.load(Ordering::SeqCst) >= n) {
                        let _ = client.shutdown(Shutdown::Both);
                        continue;
                    }
                    let Ok(server) = UnixStream::connect(&upstream) else { continue };
                    let (requests, seen) = (Arc::clone(&requests), Arc::clone(&seen));
                    let stall = Arc::clone(&stall);
                    thread::spawn(move || relay(client, server, &requests, &seen, die_after, &stall, delay));
                }
            });
        }
        Proxy { socket, requests, stopped, stall }
    }

    /// A newer engine than the one behind it: every request is answered by the real daemon, then
    /// its JSON body is handed to `rewrite(path, &mut body)` (`path` without the `/v1.NN` prefix
    /// and the query, e.g. `/containers/<id>/json`) and sent on with a fresh `Content-Length`.
    /// The client's API version prefix is stripped before forwarding, so a client that negotiated
    /// a version the real daemon does not speak still gets answers (in the daemon's own schema,
    /// which the rewrite then reshapes). The `Api-Version` header takes the `ApiVersion` of the
    /// rewritten `/version`. Request/answer only: not for streaming endpoints (`/events`).
    pub fn rewriting(
        dir: &Path,
        upstream: &Path,
        rewrite: impl Fn(&str, &mut serde_json::Value) + Send + Sync + 'static,
    ) -> Proxy {
        let socket = dir.join("proxy.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).expect("bind proxy socket");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let rewrite: Arc<Rewrite> = Arc::new(rewrite);
        let api_version = Arc::new(Mutex::new(None::<String>));
        let upstream = upstream.to_path_buf();
        {
            let (requests, stopped) = (Arc::clone(&requests), Arc::clone(&stopped));
            thread::spawn(move || {
                for client in listener.incoming() {
                    if stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (requests, rewrite, upstream) =
                        (Arc::clone(&requests), Arc::clone(&rewrite), upstream.clone());
                    let api_version = Arc::clone(&api_version);
                    thread::spawn(move || {
                        serve_rewritten(client, &upstream, &requests, &*rewrite, &api_version)
                    });
                }
            });
        }
        Proxy { socket, requests, stopped, stall: Arc::new(Mutex::new(None)) }
    }

    /// `unix://` address of the proxy.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Every request line seen so far (`GET /v1.41/containers/json?all=1 HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.socket); // wake the accept loop
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn relay(
    mut client: UnixStream,
    mut server: UnixStream,
    requests: &Mutex<Vec<String>>,
    seen: &AtomicUsize,
    die_after: Option<usize>,
    stall: &Mutex<Option<String>>,
    delay: Option<Duration>,
) {
    let (Ok(mut client_w), Ok(mut server_r)) = (client.try_clone(), server.try_clone()) else { return };
    let back = thread::spawn(move || {
        let _ = std::io::copy(&mut server_r, &mut client_w);
        let _ = client_w.shutdown(Shutdown::Write);
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut line_start = true;
    let mut stalled = false;
    loop {
        let mut slow = false;
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        // Record request lines: a method at the start of the stream or after a CRLF.
        let text = String::from_utf8_lossy(chunk);
        for (i, line) in text.split("\r\n").enumerate() {
            if (i > 0 || line_start) && METHODS.iter().any(|m| line.starts_with(m)) {
                requests.lock().expect("lock").push(line.to_owned());
                seen.fetch_add(1, Ordering::SeqCst);
                let matched = stall.lock().expect("lock").as_deref().is_some_and(|s| line.contains(s));
                match delay {
                    Some(_) => slow |= matched,
                    None => stalled |= matched,
                }
            }
        }
        if let Some(delay) = delay.filter(|_| slow) {
            thread::sleep(delay);
        }
        if stalled {
            // Swallow the rest of this connection: the daemon "hangs" on it.
            continue;
        }
        line_start = chunk.ends_with(b"\r\n");
        if die_after.is_some_and(|d| seen.load(Ordering::SeqCst) > d) {
            let _ = server.shutdown(Shutdown::Both);
            let _ = client.shutdown(Shutdown::Both);
            break;
        }
        if server.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = server.shutdown(Shutdown::Write);
    let _ = back.join();
}

/// What [`Proxy::rewriting`] applies to each JSON answer.
type Rewrite = dyn Fn(&str, &mut serde_json::Value) + Send + Sync;

/// `/v1.53/containers/json?all=1` → `/containers/json?all=1`.
fn strip_api_version(target: &str) -> &str {
    let Some(rest) = target.strip_prefix("/v") else { return target };
    let end = rest.find('/').unwrap_or(rest.len());
    let version = &rest[..end];
    if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        &rest[end..]
    } else {
        target
    }
}

/// Decodes a chunked HTTP body.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let end = (start + size).min(body.len());
        out.extend_from_slice(&body[start..end]);
        body = body.get(end + 2..).unwrap_or_default();
    }
    out
}

/// One client connection of a rewriting proxy: request by request (keep-alive), each sent to the
/// daemon on a connection of its own (`Connection: close`, so its answer ends at EOF).
fn serve_rewritten(
    client: UnixStream,
    upstream: &Path,
    requests: &Mutex<Vec<String>>,
    rewrite: &Rewrite,
    api_version: &Mutex<Option<String>>,
) {
    let Ok(mut out) = client.try_clone() else { return };
    let mut reader = BufReader::new(client);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            continue;
        }
        requests.lock().expect("lock").push(line.clone());
        let mut parts = line.splitn(3, ' ');
        let (method, target) = (parts.next().unwrap_or("GET"), parts.next().unwrap_or("/"));
        let target = strip_api_version(target).to_owned();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end().to_owned();
            if h.is_empty() {
                break;
            }
            let lower = h.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if !lower.starts_with("connection:") {
                headers.push(h);
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let Ok(mut server) = UnixStream::connect(upstream) else { return };
        let mut request = format!("{method} {target} HTTP/1.1\r\n");
        for h in &headers {
            request.push_str(h);
            request.push_str("\r\n");
        }
        request.push_str("Connection: close\r\n\r\n");
        let mut answer = Vec::new();
        if server.write_all(request.as_bytes()).and_then(|()| server.write_all(&body)).is_err()
            || server.read_to_end(&mut answer).is_err()
        {
            return;
        }
        let Some(split) = answer.windows(4).position(|w| w == b"\r\n\r\n") else { return };
        let head = String::from_utf8_lossy(&answer[..split]).into_owned();
        let mut body = answer[split + 4..].to_vec();
        let mut head_lines = head.split("\r\n");
        let status = head_lines.next().unwrap_or("HTTP/1.1 502 Bad Gateway").to_owned();
        let mut kept = Vec::new();
        let (mut chunked, mut json) = (false, false);
        for h in head_lines {
            let lower = h.to_ascii_lowercase();
            chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
            json |= lower.starts_with("content-type:") && lower.contains("json");
            if !(lower.starts_with("content-length:")
                || lower.starts_with("transfer-encoding:")
                || lower.starts_with("connection:"))
            {
                kept.push(h.to_owned());
            }
        }
        if chunked {
            body = dechunk(&body);
        }
        let path = target.split('?').next().unwrap_or("/").to_owned();
        if json && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) {
            rewrite(&path, &mut value);
            if path == "/version" {
                *api_version.lock().expect("lock") = value["ApiVersion"].as_str().map(str::to_owned);
            }
            body = serde_json::to_vec(&value).expect("json");
        }
        let version = api_version.lock().expect("lock").clone();
        let mut response = format!("{status}\r\n");
        for h in kept {
            match (&version, h.to_ascii_lowercase().starts_with("api-version:")) {
                (Some(v), true) => response.push_str(&format!("Api-Version: {v}")),
                _ => response.push_str(&h),
            }
            response.push_str("\r\n");
        }
        response.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        if out.write_all(response.as_bytes()).and_then(|()| out.write_all(&body)).is_err() {
            return;
        }
    }
}
