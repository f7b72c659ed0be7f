//! A recording proxy in front of the Docker socket: it forwards bytes both ways and records every
//! HTTP request line the client sends, so a test can prove a scan made only GET requests. It can
//! also play a daemon that dies mid-scan: after N requests it drops every connection.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

const METHODS: [&str; 7] = ["GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "PATCH ", "OPTIONS "];

/// A running proxy; stops accepting when dropped.
pub struct Proxy {
    /// The socket clients connect to.
    pub socket: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    stopped: Arc<AtomicBool>,
}

impl Proxy {
    /// Listens on `dir/proxy.sock`, forwarding to `upstream`. With `die_after = Some(n)`, every
    /// connection is cut once `n` requests have been seen, as if the daemon had died.
    pub fn start(dir: &Path, upstream: &Path, die_after: Option<usize>) -> Proxy {
        Self::start_with(dir, upstream, die_after, None)
    }

    /// Like [`Proxy::start`], but a request whose line contains `stall` is recorded and never
    /// forwarded: the client waits for an answer that never comes, as from a hung daemon.
    pub fn stalling(dir: &Path, upstream: &Path, stall: &str) -> Proxy {
        Self::start_with(dir, upstream, None, Some(stall.to_owned()))
    }

    fn start_with(dir: &Path, upstream: &Path, die_after: Option<usize>, stall: Option<String>) -> Proxy {
        let socket = dir.join("proxy.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).expect("bind proxy socket");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(AtomicUsize::new(0));
        let upstream = upstream.to_path_buf();
        {
            let (requests, stopped) = (Arc::clone(&requests), Arc::clone(&stopped));
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
                    let stall = stall.clone();
                    thread::spawn(move || {
                        relay(client, server, &requests, &seen, die_after, stall.as_deref())
                    });
                }
            });
        }
        Proxy { socket, requests, stopped }
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
    stall: Option<&str>,
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
                stalled |= stall.is_some_and(|s| line.contains(s));
            }
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
