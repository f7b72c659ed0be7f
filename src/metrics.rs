//! `zerodock watch --metrics ADDR`: the watcher's latest verdict in the Prometheus text exposition
//! format (version 0.0.4) at `http://ADDR/metrics`, for fleets scraped by Prometheus
//! (docs/metrics.md; deploy/ has the systemd unit, scrape config and alert rules).
//!
//! Written by hand rather than with `prometheus-client`: every value is derived from the latest
//! report at scrape time, not instrumented, so a registry buys nothing; the format for gauges and two
//! counters is a few lines, `promtool check metrics` lints our output in the tests, and a security
//! tool is better off without one more dependency. The HTTP side is a small tokio `TcpListener`
//! loop on the watch's runtime for the same reason (hyper is in the tree through bollard, but only
//! its client half): one GET, one response, `Connection: close`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zerodock_engine::collect::watch::WatchUpdate;
use zerodock_engine::{Category, Grade, Report, Severity, Status};

/// The address `--metrics` serves on when given without one; 9464 is the port OpenTelemetry's
/// Prometheus exporters use, free of the node exporter's 9100 and Prometheus's 9090.
pub const DEFAULT_ADDR: &str = "127.0.0.1:9464";

/// The watcher's findings as metrics: fed with every [`WatchUpdate`], read by every scrape.
#[derive(Clone)]
pub struct Exporter {
    state: Arc<Mutex<State>>,
}

/// What the metrics are rendered from. Engine-derived values come from the last report that
/// reached the engine, so an outage shows as `zerodock_engine_reachable 0` with the last known
/// posture, not as a host-only score that would look like a drop.
#[derive(Default)]
struct State {
    engine: String,
    reachable: Option<bool>,
    last: Option<Summary>,
    scan_started: Option<Instant>,
    scan_duration: Option<Duration>,
    scans: u64,
    new_failures: BTreeMap<Severity, u64>,
}

/// The numbers of one report that reached the engine.
struct Summary {
    at_seconds: f64,
    score: Option<u8>,
    grade: Grade,
    categories: Vec<(Category, Option<u8>, Grade)>,
    failing_checks: BTreeMap<Severity, usize>,
    failing_findings: BTreeMap<Severity, usize>,
    checks_by_status: BTreeMap<Status, usize>,
    waived: usize,
    engine_name: String,
    engine_version: String,
}

const GRADES: [Grade; 6] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::F, Grade::NotApplicable];
const STATUSES: [Status; 7] = [
    Status::Pass,
    Status::Fail,
    Status::Warn,
    Status::Info,
    Status::NotApplicable,
    Status::Unknown,
    Status::Manual,
];
/// The severities the watcher reports as new failures (`report::Baseline`).
const NEW_FAILURE_SEVERITIES: [Severity; 2] = [Severity::High, Severity::Critical];

impl Exporter {
    /// Binds `addr` and serves `/metrics` on the current tokio runtime until the process ends.
    /// `engine` is the value of every series' `engine` label: the endpoint URL, known before the
    /// engine ever answers and unchanged by daemon restarts and upgrades (docs/metrics.md). A
    /// non-loopback address is refused unless `allow_remote`: the metrics name the engine and its
    /// weaknesses, and the endpoint has no authentication.
    pub async fn bind(addr: SocketAddr, allow_remote: bool, engine: &str) -> Result<Exporter> {
        if !addr.ip().is_loopback() && !allow_remote {
            bail!(
                "refusing to serve metrics on {addr}: not a loopback address, and the metrics tell anyone who can connect which weaknesses this host has. \
                 Use 127.0.0.1 (Prometheus on this machine, or a reverse proxy with TLS and authentication), or add --metrics-allow-remote if a firewall already restricts who can connect"
            );
        }
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for --metrics"))?;
        let local = listener.local_addr().context("the metrics listener has no address")?;
        // On stderr so stdout stays the watch's own lines; tests read the port from here (`:0`).
        eprintln!("zerodock: serving metrics on http://{local}/metrics");
        let state = Arc::new(Mutex::new(State {
            engine: engine.to_owned(),
            new_failures: NEW_FAILURE_SEVERITIES.iter().map(|s| (*s, 0)).collect(),
            ..State::default()
        }));
        tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(Exporter { state })
    }

    /// Records what the watcher said.
    pub fn observe(&self, update: &WatchUpdate) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match update {
            WatchUpdate::ScanStarted { .. } => state.scan_started = Some(Instant::now()),
            WatchUpdate::Evaluated { report, new_failures, .. } => {
                state.scans += 1;
                state.scan_duration = state.scan_started.take().map(|t| t.elapsed());
                // The same test as `report::Baseline`: a report without engine identity did not reach it.
                let reached = report.subject.engine.is_some();
                state.reachable = Some(reached);
                if reached {
                    state.last = Some(Summary::of(report));
                }
                for failure in new_failures {
                    *state.new_failures.entry(failure.severity).or_default() += 1;
                }
            }
            WatchUpdate::EngineDown { .. } => state.reachable = Some(false),
            WatchUpdate::EngineUp => state.reachable = Some(true),
            WatchUpdate::Progress(_) => {}
        }
    }

    #[cfg(test)]
    fn render(&self) -> String {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).render()
    }
}

impl Summary {
    fn of(report: &Report) -> Summary {
        let mut failing_findings: BTreeMap<Severity, usize> = BTreeMap::new();
        for check in &report.checks {
            let failing =
                check.findings.iter().filter(|f| f.status == Status::Fail && f.waived.is_none()).count();
            *failing_findings.entry(check.severity).or_default() += failing;
        }
        let engine = report.subject.engine.as_ref();
        Summary {
            // Milliseconds are plenty for "when", and f64 holds them exactly until the year 287396.
            at_seconds: report.generated_at.timestamp_millis() as f64 / 1000.0,
            score: report.score,
            grade: report.grade,
            categories: report.categories.iter().map(|c| (c.category, c.score, c.grade)).collect(),
            failing_checks: report.counts.failing_by_severity.clone(),
            failing_findings,
            checks_by_status: report.counts.by_status.clone(),
            waived: report.counts.waived,
            engine_name: engine.map(|e| e.name.clone()).unwrap_or_default(),
            engine_version: engine.map(|e| e.version.clone()).unwrap_or_default(),
        }
    }
}

/// The exposition being written; every sample gets the `engine` label.
struct Writer<'a> {
    out: String,
    engine: &'a str,
}

impl Writer<'_> {
    /// Starts a metric family: `# HELP`, `# TYPE`, then its samples.
    fn family(&mut self, name: &'static str, kind: &str, help: &str) -> Family<'_> {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        Family { out: &mut self.out, name, engine: self.engine }
    }
}

/// One metric family being written.
struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
    engine: &'a str,
}

impl Family<'_> {
    fn sample(&mut self, labels: &[(&str, &str)], value: f64) {
        let _ = write!(self.out, "{}{{engine=\"{}\"", self.name, escape(self.engine));
        for (key, val) in labels {
            let _ = write!(self.out, ",{key}=\"{}\"", escape(val));
        }
        let _ = writeln!(self.out, "}} {value}");
    }
}

/// A label value as the exposition format writes it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

fn flag(on: bool) -> f64 {
    if on { 1.0 } else { 0.0 }
}

impl State {
    fn render(&self) -> String {
        let mut w = Writer { out: String::with_capacity(8192), engine: &self.engine };

        if let Some(reachable) = self.reachable {
            w.family(
                "zerodock_engine_reachable",
                "gauge",
                "Whether the last attempt reached the Docker engine (1) or not (0).",
            )
            .sample(&[], flag(reachable));
        }
        let mut scans = w.family("zerodock_scans_total", "counter", "Evaluations since the watcher started.");
        scans.sample(&[], self.scans as f64);
        let mut new = w.family(
            "zerodock_new_failures_total",
            "counter",
            "High and critical failures new against the last report that reached the engine (what `zerodock watch` prints as NEW).",
        );
        for (severity, n) in &self.new_failures {
            new.sample(&[("severity", severity.as_str())], *n as f64);
        }
        if let Some(duration) = self.scan_duration {
            w.family(
                "zerodock_scan_duration_seconds",
                "gauge",
                "How long the last scan took (collection and evaluation).",
            )
            .sample(&[], duration.as_secs_f64());
        }
        let Some(last) = &self.last else { return w.out };

        w.family(
            "zerodock_engine_info",
            "gauge",
            "The engine's name and version (value 1), for joins and dashboards.",
        )
        .sample(&[("name", &last.engine_name), ("version", &last.engine_version)], 1.0);
        w.family(
            "zerodock_last_scan_timestamp_seconds",
            "gauge",
            "When the last report that reached the engine was evaluated (Unix time).",
        )
        .sample(&[], last.at_seconds);
        if let Some(score) = last.score {
            w.family(
                "zerodock_score",
                "gauge",
                "Overall posture score 0-100 (absent when nothing could be scored).",
            )
            .sample(&[], f64::from(score));
        }
        let mut grade = w.family(
            "zerodock_grade",
            "gauge",
            "Overall letter grade: 1 for the current grade, 0 for the others.",
        );
        for g in GRADES {
            grade.sample(&[("grade", g.as_str())], flag(g == last.grade));
        }
        let mut category_score = w.family(
            "zerodock_category_score",
            "gauge",
            "Posture score 0-100 per category (absent when none of its checks applied).",
        );
        for (category, score, _) in &last.categories {
            if let Some(score) = score {
                category_score.sample(&[("category", category.as_str())], f64::from(*score));
            }
        }
        let mut category_grade = w.family(
            "zerodock_category_grade",
            "gauge",
            "Letter grade per category: 1 for the current grade, 0 for the others.",
        );
        for (category, _, current) in &last.categories {
            for g in GRADES {
                category_grade
                    .sample(&[("category", category.as_str()), ("grade", g.as_str())], flag(g == *current));
            }
        }
        let mut checks = w.family(
            "zerodock_failing_checks",
            "gauge",
            "Failing checks (not wholly waived) by effective severity.",
        );
        for severity in Severity::ALL {
            let n = last.failing_checks.get(&severity).copied().unwrap_or(0);
            checks.sample(&[("severity", severity.as_str())], n as f64);
        }
        let mut findings = w.family(
            "zerodock_failing_findings",
            "gauge",
            "Failing findings (one per object, not waived) by their check's effective severity.",
        );
        for severity in Severity::ALL {
            let n = last.failing_findings.get(&severity).copied().unwrap_or(0);
            findings.sample(&[("severity", severity.as_str())], n as f64);
        }
        let mut by_status = w.family("zerodock_checks", "gauge", "Checks by aggregated status.");
        for status in STATUSES {
            let n = last.checks_by_status.get(&status).copied().unwrap_or(0);
            by_status.sample(&[("status", status.as_str())], n as f64);
        }
        w.family(
            "zerodock_waived_findings",
            "gauge",
            "Findings accepted by a valid waiver (excluded from the score).",
        )
        .sample(&[], last.waived as f64);
        w.out
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(respond(stream, Arc::clone(&state)));
            }
            // Out of file descriptors and the like: wait rather than spin, keep serving.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Reads one request head (bounded in size and time, so a silent client cannot hold a task
/// forever) and answers it.
async fn respond(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut head = Vec::with_capacity(1024);
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        true
    })
    .await;
    if !matches!(read, Ok(true)) {
        return;
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let mut parts = line.split(|b| *b == b' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    // Prometheus may add a query string; nothing here reads it.
    let path = target.split(|b| *b == b'?').next().unwrap_or_default();
    let (status, content_type, body) = match (method, path) {
        (b"GET" | b"HEAD", b"/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            state.lock().unwrap_or_else(PoisonError::into_inner).render(),
        ),
        (b"GET" | b"HEAD", b"/") => {
            ("200 OK", "text/plain; charset=utf-8", "zerodock watch: metrics at /metrics\n".to_owned())
        }
        (b"GET" | b"HEAD", _) => {
            ("404 Not Found", "text/plain; charset=utf-8", "not found: try /metrics\n".to_owned())
        }
        _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n".to_owned()),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != b"HEAD" {
        response.extend_from_slice(body.as_bytes());
    }
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("two\nlines"), r"two\nlines");
    }

    #[tokio::test]
    async fn a_public_address_needs_the_explicit_flag() {
        let addr: SocketAddr = "0.0.0.0:0".parse().expect("addr");
        let err = Exporter::bind(addr, false, "unix:///x").await.err().expect("refused").to_string();
        assert!(err.contains("refusing to serve metrics on 0.0.0.0:0"), "{err}");
        assert!(Exporter::bind(addr, true, "unix:///x").await.is_ok());
        let v6: SocketAddr = "[::1]:0".parse().expect("addr");
        assert!(
            Exporter::bind(v6, false, "unix:///x").await.is_ok() || std::net::TcpListener::bind(v6).is_err()
        );
    }

    #[tokio::test]
    async fn before_the_first_scan_only_the_counters_show() {
        let exporter =
            Exporter::bind("127.0.0.1:0".parse().expect("addr"), false, "unix:///var/run/docker.sock")
                .await
                .expect("bind");
        let text = exporter.render();
        assert!(text.contains("zerodock_scans_total{engine=\"unix:///var/run/docker.sock\"} 0\n"), "{text}");
        assert!(text.contains(
            "zerodock_new_failures_total{engine=\"unix:///var/run/docker.sock\",severity=\"critical\"} 0\n"
        ));
        assert!(!text.contains("zerodock_score"), "{text}");
        exporter
            .observe(&WatchUpdate::EngineDown { reason: "down".into(), retry_in: Duration::from_secs(1) });
        assert!(
            exporter
                .render()
                .contains("zerodock_engine_reachable{engine=\"unix:///var/run/docker.sock\"} 0\n")
        );
    }
}
