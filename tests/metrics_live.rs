//! `zerodock watch --metrics` for real: the deploy/ files pass Debian's `promtool` (config, rules,
//! the rules' unit tests), the endpoint's output passes `promtool check metrics`, and a real
//! `prometheus` scrapes a watcher running against the test engine — `up == 1`, `zerodock_score`
//! with the engine label, and a privileged container started mid-test counted as a new critical
//! failure. Every process the tests start is killed when its guard drops; every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn deploy(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy").join(file)
}

/// Runs one of the prometheus package's binaries; a missing one fails (no skip), with the fix.
fn run(program: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{program} cannot be run ({e}): run `cargo xtask deps` (Debian package prometheus)")
        });
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("wait")
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn promtool_accepts_the_deploy_files_and_their_rule_tests_pass() {
    let config = deploy("prometheus.yml");
    let out = run("promtool", &["check", "config", config.to_str().expect("utf-8")], None);
    assert_success(&out, "promtool check config");
    let rules = deploy("zerodock-alerts.yml");
    let out = run("promtool", &["check", "rules", rules.to_str().expect("utf-8")], None);
    assert_success(&out, "promtool check rules");
    assert!(String::from_utf8_lossy(&out.stdout).contains("SUCCESS: 4 rules found"), "{out:?}");
    let tests = deploy("zerodock-alerts.test.yml");
    let out = run("promtool", &["test", "rules", tests.to_str().expect("utf-8")], None);
    assert_success(&out, "promtool test rules");
}

/// A child process killed and reaped when dropped, so a failing assertion leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `zerodock watch --metrics 127.0.0.1:0` against the test engine, and the address it serves on.
fn start_watch() -> (Running, SocketAddr) {
    let mut child = common::zerodock()
        .args(["watch", "--metrics", "127.0.0.1:0", "--interval", "3600"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zerodock runs");
    let stderr = child.stderr.take().expect("stderr");
    let guard = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = rx.recv_timeout(left) else { break };
        if let Some(url) = line.strip_prefix("zerodock: serving metrics on http://") {
            let addr = url.trim_end_matches("/metrics").parse().expect("an address");
            return (guard, addr);
        }
        seen.push(line);
    }
    panic!("zerodock watch never said where it serves metrics; stderr: {seen:?}");
}

/// One HTTP/1.1 request by hand (the tests need no HTTP client for this): status line and body.
fn http(addr: SocketAddr, method: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (head.lines().next().unwrap_or_default().to_owned(), body)
}

/// A chunked body (Go's HTTP server sends one when it does not know the length up front).
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or_default().trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// Polls `what` until it returns `Some`, at most `within`.
fn wait_for<T>(within: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up after {within:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn the_endpoint_serves_valid_exposition_text() {
    let (_watch, addr) = start_watch();
    let body = wait_for(Duration::from_secs(60), "the first scan's metrics", || {
        let (status, body) = http(addr, "GET", "/metrics");
        assert_eq!(status, "HTTP/1.1 200 OK");
        body.contains("zerodock_score{").then_some(body)
    });
    let out = run("promtool", &["check", "metrics"], Some(body.as_bytes()));
    assert_success(&out, "promtool check metrics");
    // promtool prints lint problems (names, units, _total) and still exits 0 for some of them.
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "promtool lint: {out:?}");

    let engine = format!("engine=\"{}\"", common::docker_host());
    let line = |name: &str| body.lines().find(|l| l.starts_with(name)).map(str::to_owned);
    let reachable = line("zerodock_engine_reachable{").expect("reachable");
    assert_eq!(reachable, format!("zerodock_engine_reachable{{{engine}}} 1"));
    let version = common::docker_ok(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        body.contains(&format!("zerodock_engine_info{{{engine},name="))
            && body.contains(&format!("version=\"{}\"", version.trim())),
        "{body}"
    );
    let grades: Vec<&str> =
        body.lines().filter(|l| l.starts_with("zerodock_grade{") && l.ends_with(" 1")).collect();
    assert_eq!(grades.len(), 1, "exactly one current grade: {grades:?}");
    for severity in ["critical", "high", "medium", "low", "info"] {
        assert!(
            body.contains(&format!("zerodock_failing_checks{{{engine},severity=\"{severity}\"}} ")),
            "{severity}"
        );
    }

    assert_eq!(http(addr, "GET", "/nope").0, "HTTP/1.1 404 Not Found");
    assert_eq!(http(addr, "POST", "/metrics").0, "HTTP/1.1 405 Method Not Allowed");
}

#[test]
fn a_public_address_is_refused_without_the_flag() {
    let out = common::zerodock()
        .args(["watch", "--metrics", "0.0.0.0:9464", "--count", "1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to serve metrics on 0.0.0.0:9464"), "{stderr}");
    assert!(stderr.contains("--metrics-allow-remote"), "{stderr}");
}

/// A port that was free a moment ago (Prometheus has no "pick one and tell me").
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `GET /api/v1/query?query=…` on Prometheus: the result vector, when the API answered.
fn query(prometheus: SocketAddr, promql: &str) -> Option<Vec<serde_json::Value>> {
    let encoded: String = promql
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let stream = TcpStream::connect_timeout(&prometheus, Duration::from_secs(2)).ok()?;
    drop(stream);
    let (status, body) = http(prometheus, "GET", &format!("/api/v1/query?query={encoded}"));
    if !status.contains("200") {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(&body).ok()?;
    json["data"]["result"].as_array().cloned()
}

/// The single sample of a query's result, when there is one.
fn value(result: &[serde_json::Value]) -> Option<f64> {
    result.first()?["value"][1].as_str()?.parse().ok()
}

#[test]
fn a_real_prometheus_scrapes_the_watcher() {
    common::ensure_image();
    let (_watch, addr) = start_watch();
    let dir = common::tempdir("prometheus");
    let config = common::write(
        &dir,
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: zerodock\n    static_configs:\n      - targets: [\"{addr}\"]\n"
        ),
    );
    let web = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let log = std::fs::File::create(dir.join("prometheus.log")).expect("log file");
    let _prometheus = Running(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={web}"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("prometheus runs (cargo xtask deps installs Debian's prometheus)"),
    );
    let logs = || std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();

    let up = wait_for(Duration::from_secs(90), "up{job=\"zerodock\"} == 1", || {
        query(web, "up{job=\"zerodock\"}").and_then(|r| value(&r)).filter(|v| *v == 1.0)
    });
    assert_eq!(up, 1.0);
    let score = wait_for(Duration::from_secs(60), "zerodock_score in Prometheus", || {
        query(web, "zerodock_score").filter(|r| !r.is_empty())
    });
    assert_eq!(score.len(), 1, "{score:?}");
    let labels = &score[0]["metric"];
    assert_eq!(labels["engine"], common::docker_host(), "{labels}");
    assert_eq!(labels["job"], "zerodock");
    let v = value(&score).expect("a number");
    assert!((0.0..=100.0).contains(&v), "{v}");

    // Someone creates a privileged container (created, not started: this nested test engine cannot
    // apply its capabilities, and CTR001 judges the configuration either way): the watcher's event-driven rescan counts it as a new
    // critical failure, and Prometheus sees the counter move (what the alert rule fires on).
    let before = query(web, "zerodock_new_failures_total{severity=\"critical\"}").and_then(|r| value(&r));
    assert_eq!(before, Some(0.0), "no new critical failure yet; prometheus log:\n{}", logs());
    let _privileged = common::Scenario::new("metrics-privileged", false, &["--privileged"]);
    wait_for(Duration::from_secs(60), "zerodock_new_failures_total{severity=\"critical\"} >= 1", || {
        query(web, "zerodock_new_failures_total{severity=\"critical\"}")
            .and_then(|r| value(&r))
            .filter(|v| *v >= 1.0)
    });
}
