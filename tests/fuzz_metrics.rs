//! Property-based fuzzing of the one network parser ZeroDock has (issue 13, "Bad input, fuzzed"):
//! the request head `zerodock watch --metrics` reads from whoever connects (issue 10). The real
//! binary serves on 127.0.0.1 with an engine that does not exist (the exporter serves before the
//! first scan), and each case is one TCP connection.
//!
//! Requests: well-formed ones with odd methods, targets, versions and headers; heads cut before
//! their blank line, bare `\n\n`, NUL and non-UTF-8 bytes, heads over the 16 KiB limit, arbitrary
//! bytes; each sent in one to three writes.
//!
//! Properties: the server never dies (a `GET /metrics` after the run is answered); a head that is
//! complete (or reached 16 KiB) gets exactly one well-formed HTTP/1.1 answer — 200 for `GET` or
//! `HEAD` of `/metrics` or `/`, 404 for other paths, 405 for other methods — with a
//! `Content-Length` equal to the body (none for `HEAD`); a head cut short gets no answer.
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets the case count:
//! `ZERODOCK_FUZZ_CASES=20000 cargo test --release --test fuzz_metrics`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// The server stops reading a head at this size and answers what it has.
const HEAD_LIMIT: usize = 16 * 1024;

/// A child process killed and reaped when dropped, so a failing case leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `zerodock watch --metrics 127.0.0.1:0` with no engine, and where it serves.
fn start() -> (Running, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zerodock"))
        .args(["watch", "--metrics", "127.0.0.1:0", "--interval", "3600"])
        .env("DOCKER_HOST", "unix:///nonexistent/zerodock-fuzz.sock")
        .env_remove("DOCKER_CONTEXT")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zerodock runs");
    let stderr = child.stderr.take().expect("stderr");
    let guard = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Keeps draining stderr (the watch's retry lines) so the child never blocks on it.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    loop {
        // A bound against a child that never starts, not a timing assertion.
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("zerodock watch says where it serves");
        if let Some(url) = line.strip_prefix("zerodock: serving metrics on http://") {
            return (guard, url.trim_end_matches("/metrics").parse().expect("an address"));
        }
    }
}

/// Sends `parts` on one connection, closes the sending side, and reads everything back.
fn exchange(addr: SocketAddr, parts: &[Vec<u8>]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    // Bounds a server that never answers (its own limit is 10 s per head).
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    for part in parts {
        // The server may answer and close before reading everything (a head over the limit).
        if stream.write_all(part).is_err() {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Write);
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(response)
}

/// The answer the server owes `request`: `None` for a head it never finishes reading.
fn expected(request: &[u8]) -> Option<(&'static str, bool)> {
    let complete = request.windows(4).any(|w| w == b"\r\n\r\n") || request.len() >= HEAD_LIMIT;
    if !complete {
        return None;
    }
    let line = request.split(|b| *b == b'\r').next().unwrap_or_default();
    let mut parts = line.split(|b| *b == b' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let path = target.split(|b| *b == b'?').next().unwrap_or_default();
    let head = method == b"HEAD";
    Some(match (method, path) {
        (b"GET" | b"HEAD", b"/metrics" | b"/") => ("200 OK", head),
        (b"GET" | b"HEAD", _) => ("404 Not Found", head),
        _ => ("405 Method Not Allowed", false),
    })
}

fn check(addr: SocketAddr, request: &[u8], splits: &[usize]) -> Result<(), TestCaseError> {
    let mut parts = Vec::new();
    let mut from = 0;
    for &at in splits {
        let at = at.min(request.len()).max(from);
        parts.push(request[from..at].to_vec());
        from = at;
    }
    parts.push(request[from..].to_vec());
    let response = match exchange(addr, &parts) {
        Ok(response) => response,
        // A head larger than the server reads: it answers and closes with bytes unread, and the
        // kernel may reset the connection before the answer is read. Only then.
        Err(e) if request.len() > HEAD_LIMIT && e.kind() == std::io::ErrorKind::ConnectionReset => {
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
    };
    match expected(request) {
        None => prop_assert!(
            response.is_empty(),
            "an answer to an unfinished head: {:?}",
            String::from_utf8_lossy(&response)
        ),
        Some((status, head)) => {
            if response.is_empty() && request.len() > HEAD_LIMIT {
                return Ok(());
            }
            let text = String::from_utf8_lossy(&response);
            let (head_part, body) = text
                .split_once("\r\n\r\n")
                .ok_or_else(|| TestCaseError::fail(format!("no head: {text:?}")))?;
            let status_line = head_part.lines().next().unwrap_or_default();
            prop_assert_eq!(status_line, format!("HTTP/1.1 {status}"));
            let length: usize = head_part
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| TestCaseError::fail(format!("no Content-Length: {head_part}")))?;
            if head {
                prop_assert!(body.is_empty(), "a body for HEAD");
            } else {
                prop_assert_eq!(body.len(), length);
            }
        }
    }
    Ok(())
}

/// Request heads, well-formed and not.
fn request() -> impl Strategy<Value = Vec<u8>> {
    let method =
        prop::sample::select(&["GET", "HEAD", "POST", "get", "", "GET GET", "\u{0}", "DELETE", "GÉT"][..]);
    let target = prop::sample::select(
        &[
            "/metrics",
            "/",
            "/metrics?x=1&y",
            "/metrics/",
            "/metricsx",
            "*",
            "http://h/metrics",
            "",
            "/\u{0}",
            "?",
            "/metrics#f",
        ][..],
    );
    let version = prop::sample::select(&["HTTP/1.1", "HTTP/1.0", "", "HTTP/9", "\u{7f}"][..]);
    let header = "[ -~]{0,40}";
    let end = prop::sample::select(
        &["\r\n\r\n", "\r\n", "\n\n", "", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "\r\r\n\n"][..],
    );
    let formed =
        (method, target, version, prop::collection::vec(header, 0..4), end).prop_map(|(m, t, v, hs, end)| {
            let mut text = format!("{m} {t} {v}");
            for h in hs {
                text.push_str("\r\n");
                text.push_str(&h);
            }
            text.push_str(end);
            text.into_bytes()
        });
    prop_oneof![
        6 => formed,
        2 => prop::collection::vec(any::<u8>(), 0..2048),
        1 => (0usize..3, HEAD_LIMIT - 8..HEAD_LIMIT + 2048).prop_map(|(shape, n)| {
            let mut head = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
            head.resize(n, b'a');
            if shape == 1 {
                head.extend_from_slice(b"\r\n\r\n");
            } else if shape == 2 {
                head = vec![0xff; n];
            }
            head
        }),
    ]
}

#[test]
fn metrics_requests_get_one_well_formed_answer_and_never_stop_the_server() {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(128);
    let (_server, addr) = start();
    // Failing inputs become named regression tests here by hand, not `proptest-regressions/`.
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    });
    let strategy = (request(), prop::collection::vec(0usize..256, 0..3));
    let result = runner.run(&strategy, |(request, mut splits)| {
        splits.sort_unstable();
        check(addr, &request, &splits)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let after =
        exchange(addr, &[b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()]).expect("still serving");
    let text = String::from_utf8_lossy(&after);
    assert!(text.starts_with("HTTP/1.1 200 OK") && text.contains("zerodock_"), "{text}");
}
