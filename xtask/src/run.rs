//! `cargo xtask run`: the README's "run" command. Installs what the app needs (GTK/WebKit, the
//! AppIndicator library, npm packages), builds the web UI and the release desktop app, and opens
//! it on this machine's Docker engine (the one `DOCKER_HOST` / the current context / the default
//! socket names). `--cli` builds the release CLI and prints a scan in the terminal instead.
//! `--demo` first brings up a private, deliberately weak scenario daemon (as root) and points the
//! app (or the scan) at it, so the dashboard can be seen on a machine without Docker.
//!
//! The demo daemon is torn down (containers, bridge, directory: what `scenario down` does)
//! however the run ends: the app exiting with any status or killed by a signal (its display went
//! away), an error or a panic in the xtask (a guard's `Drop`), or SIGTERM, SIGHUP or SIGINT to
//! the xtask, which are caught from before the daemon starts: the app gets SIGTERM (SIGKILL after
//! a grace period) and the daemon is then stopped. The daemon runs in its own process group so a
//! Ctrl-C reaches the xtask and the app, not dockerd, which the xtask stops in order.

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::dockerd;
use crate::scenario::{Running, Scenarios};
use crate::util::{self, Phases};

/// How long the app has to exit after our SIGTERM before it is killed.
const APP_GRACE: Duration = Duration::from_secs(10);

/// Options of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Scan a private demo daemon full of misconfigured containers instead of the real engine.
    #[arg(long)]
    pub demo: bool,
    /// Scan in the terminal with the CLI instead of opening the desktop app.
    #[arg(long)]
    pub cli: bool,
    /// Test hook: run this shell command instead of building and opening the app (it gets the
    /// same `DOCKER_HOST`), so the demo's teardown can be tested without a display.
    #[arg(long, hide = true, value_name = "SHELL COMMAND")]
    pub stand_in_app: Option<String>,
    /// Arguments for `zerodock scan` (after `--`), e.g. `-- --format json`.
    #[arg(last = true)]
    pub scan_args: Vec<String>,
}

/// Builds and runs `zerodock scan`; the scan's own exit code (1 on `--fail-on` findings, 2 when
/// the engine is unreachable) is passed through; 128+N when the app or the xtask got signal N.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<i32> {
    if opts.demo && !util::is_root() {
        bail!(
            "the demo starts a private dockerd, which needs root: run `sudo env \"PATH=$PATH\" cargo xtask run --demo` \
             (sudo's secure_path drops ~/.cargo/bin)"
        );
    }
    let mut app = match &opts.stand_in_app {
        Some(shell) => {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", shell]);
            cmd
        }
        None => build_app(phases, opts)?,
    };
    if !opts.demo {
        let status = app.status().with_context(|| format!("cannot run {}", util::describe(&app)))?;
        return Ok(exit_code(status));
    }

    // Caught before the daemon exists: from here on a signal ends the run through the teardown.
    let signals = Signals::catch()?;
    phases.run("deps", crate::deps::ensure)?;
    let sc = Scenarios::load()?;
    let mut demo = DemoDaemon(None);
    let running = phases.run("demo daemon", || sc.start_in_group("default", false, true))?;
    app.env("DOCKER_HOST", &running.host);
    if let Some(config) = &running.docker_config {
        app.env("DOCKER_CONFIG", config);
    }
    let running = demo.0.insert(running);
    let code = match signals.received() {
        Some(sig) => 128 + sig,
        None => {
            phases.run("demo scenarios", || sc.populate(running))?;
            match signals.received() {
                Some(sig) => 128 + sig,
                None => {
                    let mut child =
                        app.spawn().with_context(|| format!("cannot run {}", util::describe(&app)))?;
                    wait_app(&mut child, &signals.got, APP_GRACE)?
                }
            }
        }
    };
    if let Some(sig) = signals.received() {
        util::note(format_args!("xtask: got signal {sig}: stopping the demo daemon"));
    }
    phases.run("stop demo daemon", || demo.down())?;
    Ok(code)
}

/// Installs the app's dependencies, builds it and returns the command that runs it.
fn build_app(phases: &mut Phases, opts: &Options) -> Result<Command> {
    let root = util::workspace_root();
    let binary = if opts.cli { "zerodock" } else { "zerodock-desktop" };
    if !opts.cli {
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            bail!(
                "no display: the desktop app needs a graphical session (DISPLAY/WAYLAND_DISPLAY).\n    \
                 Run it from a desktop terminal, use `cargo xtask run --cli` for a scan in this terminal, \
                 or `xvfb-run -a cargo xtask run` to start it on a virtual display"
            );
        }
        phases.run("deps", crate::deps::ensure)?;
        phases.run("ui: npm ci + build", crate::ui::build)?;
    }
    let packages = release_packages(opts.cli);
    phases.run(&format!("cargo build --release -p {}", packages.join(" -p ")), || {
        let mut cmd = util::cargo();
        cmd.current_dir(&root).args(["build", "--release", "--quiet"]);
        for p in packages {
            cmd.args(["-p", p]);
        }
        util::run_visible(&mut cmd)
    })?;
    let mut app = Command::new(root.join("target/release").join(binary));
    if opts.cli {
        app.arg("scan").args(&opts.scan_args);
    } else if !opts.scan_args.is_empty() {
        bail!("arguments after `--` are for the CLI scan: add --cli");
    }
    Ok(app)
}

/// The packages `run` builds. The dashboard starts the tray from its own directory when no tray
/// answers (`src-tauri/src/link.rs`), and depending on the tray's library does not build the
/// tray's binary: a fresh machine had a dashboard and no `target/release/zerodock-tray`.
fn release_packages(cli: bool) -> &'static [&'static str] {
    if cli { &["zerodock"] } else { &["zerodock-desktop", "zerodock-tray"] }
}

/// An exit status as a shell reports it: the code, or 128+N for signal N.
fn exit_code(status: ExitStatus) -> i32 {
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(2)
}

/// The demo daemon, torn down as `scenario down` does (containers, mounts, bridges, then its
/// directory) by [`DemoDaemon::down`] or, on an early return, an error or a panic, on drop.
struct DemoDaemon(Option<Running>);

impl DemoDaemon {
    fn down(&mut self) -> Result<()> {
        let Some(running) = self.0.take() else { return Ok(()) };
        let dir = running.daemon.dir().to_path_buf();
        running.daemon.stop()?;
        dockerd::remove_dir(&dir)
    }
}

impl Drop for DemoDaemon {
    fn drop(&mut self) {
        if let Err(e) = self.down() {
            util::note(format_args!("warning: stopping the demo daemon: {e:#}"));
        }
    }
}

/// SIGTERM, SIGHUP and SIGINT, caught for the rest of the process's life: instead of killing the
/// xtask before its teardown ran, they record the signal number, which the caller polls.
pub struct Signals {
    got: Arc<AtomicI32>,
}

impl Signals {
    /// Installs the handlers (on a thread of their own, with a small tokio runtime) and returns
    /// once they are in place.
    pub fn catch() -> Result<Signals> {
        let got = Arc::new(AtomicI32::new(0));
        let flag = Arc::clone(&got);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
        std::thread::Builder::new().name("signals".to_owned()).spawn(move || {
            use tokio::signal::unix::{SignalKind, signal};
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let streams = (|| {
                    Ok::<_, std::io::Error>((
                        signal(SignalKind::terminate())?,
                        signal(SignalKind::hangup())?,
                        signal(SignalKind::interrupt())?,
                    ))
                })();
                let (mut term, mut hup, mut int) = match streams {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                loop {
                    let sig = tokio::select! {
                        _ = term.recv() => 15,
                        _ = hup.recv() => 1,
                        _ = int.recv() => 2,
                    };
                    // The first signal is the one reported; later ones (a second Ctrl-C during
                    // the teardown) must not interrupt it.
                    let _ = flag.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                }
            });
        })?;
        ready_rx.recv().context("the signal thread died")?.context("cannot install signal handlers")?;
        Ok(Signals { got })
    }

    /// The first signal received, if any.
    pub fn received(&self) -> Option<i32> {
        Some(self.got.load(Ordering::SeqCst)).filter(|s| *s != 0)
    }
}

/// Waits for the app; when a signal is recorded in `got` first, the app gets SIGTERM and `grace`
/// to exit (then SIGKILL). Returns the app's exit code, or 128+N for signal N to the xtask.
fn wait_app(child: &mut Child, got: &AtomicI32, grace: Duration) -> Result<i32> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(exit_code(status));
        }
        let sig = got.load(Ordering::SeqCst);
        if sig != 0 {
            util::note(format_args!("xtask: got signal {sig}: closing the app"));
            util::signal(child.id(), "TERM");
            let deadline = Instant::now() + grace;
            while child.try_wait()?.is_none() {
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            return Ok(128 + sig);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_build_includes_the_tray_the_dashboard_starts() {
        // The binary the dashboard starts beside itself, as its source names it (package and
        // binary share the name); the CLI run needs only the CLI.
        let link = include_str!("../../src-tauri/src/link.rs");
        let tray = link
            .lines()
            .find_map(|l| l.strip_prefix("pub const TRAY_BIN: &str = \"")?.strip_suffix("\";"))
            .expect("src-tauri/src/link.rs names TRAY_BIN");
        assert_eq!(release_packages(false), ["zerodock-desktop", tray]);
        assert_eq!(release_packages(true), ["zerodock"]);
    }

    /// Set in the re-executed test process that plays the xtask receiving the signal.
    const CHILD_ENV: &str = "ZD_XTASK_SIGNAL_CHILD";

    #[test]
    fn wait_app_passes_the_apps_exit_through() {
        let got = AtomicI32::new(0);
        let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn().expect("sh");
        assert_eq!(wait_app(&mut child, &got, APP_GRACE).expect("wait"), 3);
        let mut child = Command::new("sh").args(["-c", "kill -KILL $$"]).spawn().expect("sh");
        assert_eq!(wait_app(&mut child, &got, APP_GRACE).expect("wait"), 128 + 9, "killed app");
    }

    #[test]
    fn a_signal_closes_the_app_then_returns() {
        let got = AtomicI32::new(15);
        // An app that ignores SIGTERM is killed after the grace period.
        let mut child = Command::new("sh").args(["-c", "trap '' TERM; sleep 30"]).spawn().expect("sh");
        let pid = child.id();
        let start = Instant::now();
        assert_eq!(wait_app(&mut child, &got, Duration::from_millis(300)).expect("wait"), 143);
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(!util::pid_alive(pid), "the app is gone");
    }

    /// The real thing in a separate process (handlers are process-wide, so not in the test
    /// harness's): the re-executed test catches signals and waits on a stand-in app; this test
    /// sends it SIGTERM, then SIGHUP, then SIGINT, and checks that each was caught (not fatal),
    /// the app closed and the teardown line reached.
    #[test]
    fn signals_to_the_xtask_are_caught_and_close_the_app() {
        if std::env::var_os(CHILD_ENV).is_some() {
            return; // the child's own run of this test: nothing to do
        }
        for (name, num) in [("TERM", 15), ("HUP", 1), ("INT", 2)] {
            let exe = std::env::current_exe().expect("test binary");
            let mut child = Command::new(exe)
                .args(["--exact", "run::tests::signal_child", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, "1")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("re-exec");
            let pid = child.id();
            // Wait for the child to report its app's pid (handlers are installed before that).
            let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
            let mut line = String::new();
            let app_pid = loop {
                line.clear();
                let n = std::io::BufRead::read_line(&mut stdout, &mut line).expect("read");
                assert!(n > 0, "the child ended before starting its app");
                // libtest prints `test … ... ` before the test's own output, on the same line.
                if let Some((_, p)) = line.trim().split_once("app pid ") {
                    break p.parse::<u32>().expect("pid");
                }
            };
            util::signal(pid, name);
            let mut rest = String::new();
            std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read");
            assert!(child.wait().expect("wait").success(), "SIG{name} was caught, not fatal: {rest}");
            assert!(rest.contains(&format!("ended {}", 128 + num)), "SIG{name}: {rest}");
            assert!(rest.contains("teardown ran"), "SIG{name}: {rest}");
            assert!(util::wait_gone(app_pid, Duration::from_secs(5)), "SIG{name}: the app is gone");
        }
    }

    /// The child side of the test above (a no-op unless re-executed by it).
    #[test]
    fn signal_child() {
        if std::env::var_os(CHILD_ENV).is_none() {
            return;
        }
        struct Teardown;
        impl Drop for Teardown {
            fn drop(&mut self) {
                println!("teardown ran");
            }
        }
        let signals = Signals::catch().expect("handlers");
        let _teardown = Teardown;
        let mut app = Command::new("sleep").arg("60").spawn().expect("sleep");
        println!("app pid {}", app.id());
        let code = wait_app(&mut app, &signals.got, APP_GRACE).expect("wait");
        println!("ended {code}");
    }
}
