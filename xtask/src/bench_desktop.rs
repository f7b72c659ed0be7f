//! `cargo xtask bench-desktop`: the desktop app's benchmark, on the release build under Xvfb,
//! driven through `tauri-driver` (WebDriver) against a private dockerd it may change:
//!
//! - cold start → first score in the UI (WebDriver session created → `[data-testid=score]` shows a
//!   number), aim ≤ 1.5 s;
//! - Docker event → update latency: from `docker run -d` returning to the app's test state-file line
//!   (`ZERODOCK_TEST_STATE_FILE`, written when the tray and the `state-changed` event are updated)
//!   and to the CTR003 row failing in the DOM; aim ≤ 500 ms;
//! - memory with the window open (app + WebKitWebProcess + WebKitNetworkProcess, RSS and PSS), and
//!   tray-only after closing the window (aim ≤ 40 MB), plus which child processes are left;
//! - idle CPU over 30 s with only the tray.
//!
//! A benchmark, not a test: it prints figures and a verdict per aim, and fails only when something
//! could not be measured. Without `DISPLAY` it re-runs itself under `xvfb-run` + `dbus-run-session`.
//! The WebDriver client is a few lines of HTTP/1.0 over `TcpStream`, so the xtask stays light.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use crate::util::{self, Phases};

const PORT: u16 = 4444;
/// The W3C WebDriver element reference key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const CONTAINER: &str = "zd-bench-sock";
const AIM_START_S: f64 = 1.5;
const AIM_EVENT_MS: f64 = 500.0;
const AIM_TRAY_MB: f64 = 40.0;

/// Options of `cargo xtask bench-desktop`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Cold starts to measure (each launches a fresh app).
    #[arg(long, default_value_t = 3)]
    pub starts: usize,
    /// Docker events to measure (container start with the socket mounted, then its removal).
    #[arg(long, default_value_t = 5)]
    pub events: usize,
    /// Seconds of idle CPU measurement with only the tray.
    #[arg(long, default_value_t = 30)]
    pub idle_secs: u64,
    /// The engine (default: `ZERODOCK_TEST_DOCKER_HOST`, else the `test` scenario daemon).
    #[arg(long)]
    pub docker_host: Option<String>,
    /// Use the existing release binary.
    #[arg(long)]
    pub no_build: bool,
}

/// Runs the benchmark.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        return rerun_under_xvfb();
    }
    let docker_host = opts
        .docker_host
        .clone()
        .or_else(|| std::env::var("ZERODOCK_TEST_DOCKER_HOST").ok())
        .unwrap_or_else(|| "unix:///tmp/zerodock-test/test/docker.sock".to_owned());
    let socket = docker_host
        .strip_prefix("unix://")
        .with_context(|| format!("{docker_host}: the benchmark needs a unix:// socket (it mounts it)"))?
        .to_owned();
    ensure!(
        util::succeeds_within(
            Command::new("docker").args(["-H", &docker_host, "version"]),
            Duration::from_secs(10)
        ),
        "no engine at {docker_host}: start one with `cargo xtask scenario up --daemon test`"
    );
    let root = util::workspace_root();
    ensure!(
        root.join("ui/dist/index.html").is_file(),
        "ui/dist is missing: build the UI first (`cd ui && npm ci && npm run build`)"
    );
    let driver = util::find_binary("tauri-driver", &[]).or_else(|| {
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"))
            .filter(|p| p.is_file())
    });
    let driver =
        driver.context("tauri-driver not found: `cargo install tauri-driver --version '^2' --locked`")?;
    if !opts.no_build {
        phases.run("build zerodock-desktop (release)", || {
            util::run_visible(util::cargo().current_dir(&root).args([
                "build",
                "--release",
                "-p",
                "zerodock-desktop",
            ]))
        })?;
    }
    let app = root.join("target/release/zerodock-desktop");
    ensure!(app.is_file(), "{} is missing", app.display());

    let home = std::env::temp_dir().join(format!("zerodock-bench-desktop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let config = home.join("config/dev.zerodock.desktop");
    std::fs::create_dir_all(&config)?;
    // A 1 h interval: within the benchmark only Docker events cause rescans.
    std::fs::write(
        config.join("settings.json"),
        r#"{"rescan_interval_secs": 3600, "notifications": true, "start_at_login": false}"#,
    )?;
    let state_file = home.join("state.jsonl");
    let docker = |args: &[&str]| {
        Command::new("docker").arg("-H").arg(&docker_host).args(args).stdin(Stdio::null()).output()
    };
    let _ = docker(&["rm", "-f", CONTAINER]);

    let mut bench = Bench {
        driver: Some(
            Command::new(&driver)
                .args(["--port", &PORT.to_string(), "--native-port", "4445"])
                .env("DOCKER_HOST", &docker_host)
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("XDG_DATA_HOME", home.join("data"))
                .env("XDG_CACHE_HOME", home.join("cache"))
                .env("ZERODOCK_TEST_STATE_FILE", &state_file)
                .stdout(Stdio::null())
                // The app's stderr (one line per state change) too: kept when the benchmark fails.
                .stderr(std::fs::File::create(home.join("app.log"))?)
                .spawn()
                .context("start tauri-driver")?,
        ),
        session: None,
        state_file: state_file.clone(),
        apps: Vec::new(),
    };
    wait_until("tauri-driver to listen", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", PORT)).ok()
    })?;

    // 1. Cold starts.
    let mut starts = Vec::new();
    for i in 0..opts.starts.max(1) {
        let last = i + 1 == opts.starts.max(1);
        let took = phases.run(&format!("cold start {}", i + 1), || bench.start(&app))?;
        starts.push(took);
        if !last {
            bench.stop_app()?;
        }
    }
    let pid = bench.app_pid().context("the app's pid (state file)")?;

    // 2. Window open: all processes (on the checklist, where step 3 watches CTR003).
    bench.click("[data-testid=nav-checklist]")?;
    std::thread::sleep(Duration::from_secs(3));
    let open = Memory::of_tree(pid);

    // 3. Event latency.
    let mut to_state = Vec::new();
    let mut to_dom = Vec::new();
    for i in 0..opts.events {
        phases.run(&format!("event {}", i + 1), || {
            let since = now_ms();
            let out = docker(&[
                "run",
                "-d",
                "--name",
                CONTAINER,
                "-v",
                &format!("{socket}:/var/run/docker.sock"),
                "zerodock/busybox:1",
                "sleep",
                "3600",
            ])?;
            ensure!(out.status.success(), "docker run: {}", String::from_utf8_lossy(&out.stderr));
            let returned = now_ms();
            let ran = Instant::now();
            let dom = bench.wait_row_status("CTR003", "fail", Duration::from_secs(10))?;
            let dom_ms = ran.elapsed().as_secs_f64() * 1000.0 - dom;
            let line = wait_until("the state-file line", Duration::from_secs(10), || {
                tray_lines(&state_file).into_iter().find(|l| {
                    l["at_ms"].as_u64().is_some_and(|at| u128::from(at) > since)
                        && l["scanning"] == false
                        && l["tray"] == "critical"
                })
            })?;
            let at = u128::from(line["at_ms"].as_u64().unwrap_or_default());
            to_state.push(at.saturating_sub(returned) as f64);
            to_dom.push(dom_ms);
            let since = now_ms();
            let out = docker(&["rm", "-f", CONTAINER])?;
            ensure!(out.status.success(), "docker rm: {}", String::from_utf8_lossy(&out.stderr));
            wait_until("the removal to be evaluated", Duration::from_secs(10), || {
                tray_lines(&state_file).into_iter().find(|l| {
                    l["at_ms"].as_u64().is_some_and(|at| u128::from(at) > since) && l["scanning"] == false
                })
            })?;
            wait_until("CTR003 to pass again in the DOM", Duration::from_secs(10), || {
                let css = "[data-testid=check-row][data-code=CTR003]";
                bench.attr(css, "data-status").ok().filter(|s| s.as_deref() != Some("fail"))
            })?;
            Ok(())
        })?;
    }

    // 4. Close the window: tray only.
    bench.close_window()?;
    std::thread::sleep(Duration::from_secs(5));
    let tray = Memory::of_tree(pid);
    let left: Vec<String> = descendants(pid).iter().map(|p| format!("{} ({p})", comm(*p))).collect();

    // 5. Idle CPU with only the tray.
    let ticks_before = cpu_ticks_tree(pid);
    let idle_start = Instant::now();
    std::thread::sleep(Duration::from_secs(opts.idle_secs));
    let ticks = cpu_ticks_tree(pid).saturating_sub(ticks_before);
    let hz = clock_ticks_per_second();
    let cpu_pct = ticks as f64 / hz / idle_start.elapsed().as_secs_f64() * 100.0;
    ensure!(util::pid_alive(pid), "the app exited after its window closed (it must stay in the tray)");

    drop(bench);
    let _ = docker(&["rm", "-f", CONTAINER]);
    let _ = std::fs::remove_dir_all(&home);

    let verdict = |ok: bool| if ok { "meets the aim" } else { "MISSES the aim" };
    let start_med = median(&starts);
    let state_med = median(&to_state);
    println!("\nzerodock-desktop (release) against {docker_host}:");
    println!(
        "  cold start → first score in the UI: median {start_med:.2} s, max {:.2} s over {} ({} ≤ {AIM_START_S} s)",
        max(&starts),
        starts.len(),
        verdict(start_med <= AIM_START_S)
    );
    println!(
        "  docker run → tray/state update:     median {state_med:.0} ms, max {:.0} ms over {} ({} ≤ {AIM_EVENT_MS} ms)",
        max(&to_state),
        to_state.len(),
        verdict(state_med <= AIM_EVENT_MS)
    );
    println!(
        "  docker run → CTR003 failing in DOM: median {:.0} ms, max {:.0} ms",
        median(&to_dom),
        max(&to_dom)
    );
    println!("  window open, all processes:         {open}");
    println!(
        "  tray only (window closed):          {tray} ({} ≤ {AIM_TRAY_MB} MB RSS)",
        verdict(tray.rss_mb <= AIM_TRAY_MB)
    );
    println!(
        "  processes left under the app:       {}",
        if left.is_empty() { "none".to_owned() } else { left.join(", ") }
    );
    println!("  idle CPU, tray only, {} s:          {cpu_pct:.2} % of one core", opts.idle_secs);
    Ok(())
}

fn rerun_under_xvfb() -> Result<()> {
    let exe = std::env::current_exe().context("the xtask's own path")?;
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "--server-args=-screen 0 1280x800x24", "dbus-run-session", "--"]).arg(exe);
    cmd.args(std::env::args_os().skip(1));
    eprintln!("==> no DISPLAY: re-running under xvfb-run + dbus-run-session");
    util::run_visible(&mut cmd)
}

/// The driver, the session and the apps it launched; all stopped on drop.
struct Bench {
    driver: Option<Child>,
    session: Option<String>,
    state_file: PathBuf,
    apps: Vec<u32>,
}

impl Bench {
    /// Creates a session (which launches the app) and returns seconds until the score shows.
    fn start(&mut self, app: &Path) -> Result<f64> {
        let before = self.app_pid();
        let started = Instant::now();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": app}}}});
        // tauri-driver accepts connections before its WebKitWebDriver is up: retry briefly.
        let resp = wait_until(
            "a WebDriver session (app log: app.log in the temp home)",
            Duration::from_secs(20),
            || http("POST", "/session", Some(&caps)).ok().filter(|r| r["value"]["sessionId"].is_string()),
        )?;
        let id = resp["value"]["sessionId"].as_str().context("no session id")?.to_owned();
        self.session = Some(id);
        wait_until("the first score in the UI", Duration::from_secs(60), || {
            let text = self.text("[data-testid=score]").ok()??;
            text.trim().split('/').next()?.trim().parse::<u32>().ok()
        })?;
        let took = started.elapsed().as_secs_f64();
        let pid = wait_until("the app's pid", Duration::from_secs(10), || {
            self.app_pid().filter(|p| Some(*p) != before)
        })?;
        self.apps.push(pid);
        Ok(took)
    }

    fn session(&self) -> Result<&str> {
        self.session.as_deref().context("no WebDriver session")
    }

    fn find(&self, css: &str) -> Result<Option<String>> {
        let resp = http(
            "POST",
            &format!("/session/{}/element", self.session()?),
            Some(&json!({"using": "css selector", "value": css})),
        )?;
        // A found element is `{"value": {"element-6066-…": id}}`; a miss is `{"value": {"error": …}}`.
        Ok(resp["value"][ELEMENT_KEY].as_str().map(str::to_owned))
    }

    fn click(&self, css: &str) -> Result<()> {
        let el = self.find(css)?.with_context(|| format!("no element {css}"))?;
        http("POST", &format!("/session/{}/element/{el}/click", self.session()?), Some(&json!({})))?;
        Ok(())
    }

    fn text(&self, css: &str) -> Result<Option<String>> {
        let Some(el) = self.find(css)? else { return Ok(None) };
        let resp = http("GET", &format!("/session/{}/element/{el}/text", self.session()?), None)?;
        Ok(resp["value"].as_str().map(str::to_owned))
    }

    fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        let Some(el) = self.find(css)? else { return Ok(None) };
        let resp = http("GET", &format!("/session/{}/element/{el}/attribute/{name}", self.session()?), None)?;
        Ok(resp["value"].as_str().map(str::to_owned))
    }

    /// Waits until the check row has `status`; returns the milliseconds spent in the last probe
    /// (subtracted from the latency: the DOM changed at the latest when that probe began).
    fn wait_row_status(&self, code: &str, status: &str, within: Duration) -> Result<f64> {
        let css = format!("[data-testid=check-row][data-code={code}]");
        let deadline = Instant::now() + within;
        loop {
            let probe = Instant::now();
            if self.attr(&css, "data-status")?.as_deref() == Some(status) {
                return Ok(probe.elapsed().as_secs_f64() * 1000.0);
            }
            if Instant::now() >= deadline {
                bail!("{code} did not become {status} within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Closes the window as a window manager would. (WebDriver's "close window" would end the
    /// session, and WebKitWebDriver then ends the app.)
    fn close_window(&mut self) -> Result<()> {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};
        let (conn, screen) = x11rb::connect(None)?;
        let root = conn.setup().roots[screen].root;
        let protocols = conn.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
        let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW")?.reply()?.atom;
        let (mut stack, mut sent) = (vec![root], 0);
        while let Some(window) = stack.pop() {
            // Windows may vanish during the walk (BadWindow): skip them.
            let Ok(tree) = conn.query_tree(window)?.reply() else { continue };
            stack.extend(tree.children);
            let Ok(name) =
                conn.get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)?.reply()
            else {
                continue;
            };
            let name = name.value;
            if name == b"ZeroDock" {
                let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
                conn.send_event(false, window, EventMask::NO_EVENT, event)?;
                sent += 1;
            }
        }
        conn.flush()?;
        ensure!(sent == 1, "expected one window titled ZeroDock, found {sent}");
        Ok(())
    }

    fn app_pid(&self) -> Option<u32> {
        tray_lines(&self.state_file)
            .iter()
            .rev()
            .find_map(|l| l["pid"].as_u64())
            .and_then(|p| u32::try_from(p).ok())
    }

    /// Ends the session and the app it launched (which would stay in the tray).
    fn stop_app(&mut self) -> Result<()> {
        if let Some(id) = self.session.take() {
            let _ = http("DELETE", &format!("/session/{id}"), None);
        }
        for pid in self.apps.drain(..) {
            util::signal(pid, "TERM");
            if !util::wait_gone(pid, Duration::from_secs(5)) {
                util::signal(pid, "KILL");
            }
        }
        // Let the session bus drop the single-instance name before the next launch claims it.
        std::thread::sleep(Duration::from_millis(500));
        Ok(())
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = self.stop_app();
        if let Some(mut driver) = self.driver.take() {
            // SIGTERM: tauri-driver then stops its WebKitWebDriver (SIGKILL would orphan it).
            util::signal(driver.id(), "TERM");
            if !util::wait_gone(driver.id(), Duration::from_secs(5)) {
                let _ = driver.kill();
            }
            let _ = driver.wait();
        }
    }
}

/// One WebDriver request (HTTP/1.0: no chunked bodies, the connection closes after the answer).
fn http(method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", PORT)).context("connect to tauri-driver")?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{PORT}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let (_, body) =
        text.split_once("\r\n\r\n").with_context(|| format!("malformed HTTP response: {text:?}"))?;
    serde_json::from_str(body).with_context(|| format!("{method} {path}: not JSON: {body}"))
}

fn wait_until<T>(what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> Result<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            bail!("timed out after {within:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

fn tray_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l.get("tray").is_some())
        .collect()
}

/// Resident memory of a process tree.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss_mb: f64,
    pss_mb: f64,
    /// Private memory (heap, stacks): what the process itself allocated, without the shared
    /// libraries' pages (WebKitGTK and GTK are linked and stay mapped even with no webview).
    anon_mb: f64,
    processes: usize,
}

impl Memory {
    fn of_tree(pid: u32) -> Memory {
        let mut pids = vec![pid];
        pids.extend(descendants(pid));
        let kb = |p: u32, file: &str, key: &str| -> f64 {
            std::fs::read_to_string(format!("/proc/{p}/{file}"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with(key))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .and_then(|v| v.parse::<f64>().ok())
                })
                .unwrap_or(0.0)
        };
        Memory {
            rss_mb: pids.iter().map(|p| kb(*p, "status", "VmRSS:")).sum::<f64>() / 1024.0,
            pss_mb: pids.iter().map(|p| kb(*p, "smaps_rollup", "Pss:")).sum::<f64>() / 1024.0,
            anon_mb: pids.iter().map(|p| kb(*p, "smaps_rollup", "Anonymous:")).sum::<f64>() / 1024.0,
            processes: pids.len(),
        }
    }
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RSS {:.1} MB, PSS {:.1} MB, anonymous {:.1} MB in {} process(es)",
            self.rss_mb, self.pss_mb, self.anon_mb, self.processes
        )
    }
}

fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name (which may contain spaces).
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// Every process below `pid` (WebKit's web and network processes are the app's children).
fn descendants(pid: u32) -> Vec<u32> {
    let all: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|p| Some((p, stat_fields(p)?.get(1)?.parse::<u32>().ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for (p, _) in all.iter().filter(|(_, pp)| *pp == parent) {
            out.push(*p);
            frontier.push(*p);
        }
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// utime + stime of a process tree, in clock ticks.
fn cpu_ticks_tree(pid: u32) -> u64 {
    std::iter::once(pid)
        .chain(descendants(pid))
        .filter_map(stat_fields)
        .map(|f| {
            // After the command name: state is field 0, utime 11, stime 12.
            f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        })
        .sum()
}

fn clock_ticks_per_second() -> f64 {
    util::run_stdout(Command::new("getconf").arg("CLK_TCK"))
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(100.0)
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}
