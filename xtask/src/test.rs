//! `cargo xtask test`: THE test command. System deps, tauri-driver and npm packages → the desktop
//! UI build (embedded by `src-tauri`) → rustfmt check → supply chain (`cargo deny`, the bundled npm
//! packages' licences: `supply.rs`) → clippy (`-D warnings`, whole workspace,
//! all targets) → a Docker engine for the live tests (the reachable one, else a private dockerd when
//! root) → `cargo test --workspace` under `xvfb-run` + `dbus-run-session` (the desktop app's
//! tests drive the real app through WebDriver) → the UI's type check,
//! Vitest and Chromium tests (the HTML report's Chromium check runs inside `cargo test`) → the private daemon stopped, also when a
//! step fails → the host paths the run could touch compared with their state after deps
//! (`hostcheck.rs`): a difference fails the run. Every test stage runs even when an earlier one failed, and the run fails if any did.
//!
//! Tests find the engine in `ZERODOCK_TEST_DOCKER_HOST` (set with `DOCKER_HOST`); a missing engine is
//! a failure, never a skip (under `CI=true`, `ZERODOCK_TEST_REQUIRE_ENGINE=1` is exported too).

use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::dockerd::DockerCli;
use crate::scenario::{Running, Scenarios};
use crate::util::{self, Phases};

/// Options of `cargo xtask test`.
#[derive(Debug, Default)]
pub struct Options {
    /// Always start a private dockerd, even when an engine is reachable.
    pub private: bool,
    /// Skip rustfmt and clippy (quick local iterations; CI never sets it).
    pub skip_lint: bool,
    /// Extra arguments for `cargo test` (after `--`).
    pub cargo_test_args: Vec<String>,
}

/// The engine to test against, if one answers: `ZERODOCK_TEST_DOCKER_HOST`, else the standard
/// socket. A plain `DOCKER_HOST` is deliberately not used: it often points at a scenario daemon
/// (`cargo xtask scenario up` prints one) whose deliberately weak settings break the tests.
fn reachable_engine() -> Option<String> {
    let candidates: Vec<String> = match std::env::var("ZERODOCK_TEST_DOCKER_HOST") {
        Ok(host) if !host.is_empty() => vec![host],
        _ => vec!["unix:///var/run/docker.sock".to_owned()],
    };
    candidates
        .into_iter()
        .find(|host| DockerCli::new(host, None).is_ok_and(|cli| cli.ping(Duration::from_secs(5))))
}

/// Runs the pipeline.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<()> {
    let ci = util::is_ci();
    phases.run("deps", || match crate::deps::ensure() {
        Ok(()) => Ok(()),
        // A developer without root may still lint and unit-test; CI must have everything.
        Err(e) if !ci && !util::is_root() => {
            eprintln!(
                "warning: {e:#}\n    continuing: lint and tests may still run against a reachable engine"
            );
            Ok(())
        }
        Err(e) => Err(e),
    })?;
    disk_preflight();
    // Recorded after deps (installing docker.io legitimately creates Docker's places) and before
    // anything else; compared once the private daemon is stopped, whatever failed in between.
    let sc = Scenarios::load()?;
    let watched = crate::hostcheck::watched_paths(&sc);
    let before = crate::hostcheck::Snapshot::take(&watched);
    let mut started_private = false;
    let staged = stages(phases, opts, &mut started_private);
    let checked = phases.run("host paths as before", || crate::hostcheck::verify(&before, started_private));
    match (staged, checked) {
        (Err(e), Err(c)) => Err(anyhow::anyhow!("{e:#}\n{c:#}")),
        (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// What a cold `CI=true cargo xtask test` leaves in `target/` (measured on a fresh clone, see
/// docs/testing.md "Disk"), with a margin for the next dependency bump.
const COLD_TARGET_BYTES: u64 = 8 << 30;

/// Says, before the build starts, whether the run is likely to fit on the disk: one fresh-clone CI
/// run died of "No space left on device" 400 s into the test build, and its later stages then failed
/// for want of the binaries — a line here names the cause first. A warning, not a failure: a warm
/// `target/` needs far less than a cold one, and the estimate is from one machine.
fn disk_preflight() {
    let target = util::workspace_root().join("target");
    let probe = if target.exists() { target.clone() } else { util::workspace_root() };
    let Some(free) = util::free_bytes(&probe) else {
        return;
    };
    // Integer tenths: a float cast here would need a precision-loss allowance for no gain.
    let gib = |b: u64| format!("{}.{}", b >> 30, ((b & ((1 << 30) - 1)) * 10) >> 30);
    if free < COLD_TARGET_BYTES {
        eprintln!(
            "warning: {} GiB free where target/ lives; a cold build writes ~{} GiB there. \
             If target/ is new, this run may end in \"No space left on device\": free space, or point \
             CARGO_TARGET_DIR at a larger disk.",
            gib(free),
            gib(COLD_TARGET_BYTES)
        );
    } else {
        eprintln!(
            "    disk: {} GiB free where target/ lives (a cold build writes ~{} GiB)",
            gib(free),
            gib(COLD_TARGET_BYTES)
        );
    }
}

/// Everything after deps; the private daemon, if it started one (`started_private`), is stopped
/// before this returns, also on an early error (its guard's drop).
fn stages(phases: &mut Phases, opts: &Options, started_private: &mut bool) -> Result<()> {
    let root = util::workspace_root();
    let ci = util::is_ci();
    phases.run("tauri-driver", crate::webdriver::ensure_tauri_driver)?;
    phases.run("ui: npm ci + build", crate::ui::build)?;
    phases.run("report browser test: npm ci", || {
        crate::ui::ensure_node_modules(&crate::ui::report_browser_dir())
    })?;
    if !opts.skip_lint {
        phases.run("cargo fmt --check", || {
            util::run_visible(util::cargo().current_dir(&root).args(["fmt", "--all", "--", "--check"]))
                .context("formatting differs from rustfmt.toml: run `cargo fmt --all`")
        })?;
        phases.run(crate::supply::STAGE, crate::supply::run)?;
        phases.run("cargo clippy -D warnings", || {
            util::run_visible(util::cargo().current_dir(&root).args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
    }

    // Declared before the test run so it is dropped (daemon stopped) after it, success or not.
    let mut private: Option<Running> = None;
    let host = phases.run("docker engine", || {
        if !opts.private
            && let Some(host) = reachable_engine()
        {
            eprintln!("    using the reachable engine at {host}");
            // The tests' containers run the scratch image; only the xtask builds it.
            Scenarios::load()?.ensure_scratch(&DockerCli::new(&host, None)?)?;
            return Ok(Some(host));
        }
        if !util::is_root() {
            // The live tests never skip: fail here, with the remedy, rather than in every test.
            bail!(
                "no Docker engine is reachable (ZERODOCK_TEST_DOCKER_HOST / /var/run/docker.sock) and we are not root, \
                 so no private dockerd can be started: run as root, or point ZERODOCK_TEST_DOCKER_HOST at an engine"
            );
        }
        let sc = Scenarios::load()?;
        *started_private = true;
        let running = sc.start("test", false)?;
        let host = running.host.clone();
        let populated = sc.populate(&running);
        private = Some(running);
        populated?;
        eprintln!("    started a private dockerd at {host}");
        Ok(Some(host))
    })?;

    // Podman's Docker-compatible API, rootful and rootless, and rootless dockerd, for
    // tests/podman_live.rs (started as root only; without root that test fails, naming the
    // remedy). Stopped after the tests, also when they fail (the guards' drop).
    let mut podman: Vec<crate::rootless::Engine> = Vec::new();
    if util::is_root() {
        let started = phases.run("podman (rootful, rootless), rootless dockerd", || {
            let sc = Scenarios::load()?;
            for name in crate::rootless::ENGINES {
                let engine = crate::rootless::start(name)?;
                let populated = engine.populate(&sc);
                podman.push(engine);
                populated?;
            }
            Ok(())
        });
        if started.is_err() {
            podman.clear();
        }
    }
    let podman_env: Vec<(&str, String)> = match podman.as_slice() {
        [rootful, rootless, rootless_dockerd] => vec![
            ("ZERODOCK_TEST_PODMAN_HOST", rootful.host()),
            ("ZERODOCK_TEST_PODMAN_ROOTLESS_HOST", rootless.host()),
            ("ZERODOCK_TEST_PODMAN_ROOTLESS_RUNTIME_DIR", rootless.runtime_dir().display().to_string()),
            ("ZERODOCK_TEST_ROOTLESS_DOCKER_HOST", rootless_dockerd.host()),
        ],
        _ => Vec::new(),
    };
    let engine_env = |cmd: &mut std::process::Command| {
        for (key, value) in &podman_env {
            cmd.env(key, value);
        }
        if let Some(host) = &host {
            cmd.env("DOCKER_HOST", host).env("ZERODOCK_TEST_DOCKER_HOST", host);
        } else {
            cmd.env_remove("ZERODOCK_TEST_DOCKER_HOST");
        }
        if ci {
            cmd.env("ZERODOCK_TEST_REQUIRE_ENGINE", "1");
        }
    };
    let mut failed = Vec::new();
    let mut stage = |phases: &mut Phases, name: &str, cmd: &mut std::process::Command| {
        if phases.run(name, || util::run_visible(cmd)).is_err() {
            failed.push(name.to_owned());
        }
    };

    // One `cargo test --workspace` for every crate, the desktop app included: testing the app
    // apart (`-p zerodock-desktop`) resolves other features for shared dependencies and rebuilds
    // half the tree. The real app needs a display and a session bus; both die with the wrapper, so
    // nothing (Xvfb, dbus, at-spi, WebKitWebDriver) outlives the run.
    let mut cargo_test = std::process::Command::new("xvfb-run");
    cargo_test
        .current_dir(&root)
        .args(["-a", "--server-args=-screen 0 1280x800x24", "dbus-run-session", "--"])
        .arg(util::cargo().get_program())
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(&opts.cargo_test_args);
    util::lean_ci_build(&mut cargo_test);
    engine_env(&mut cargo_test);
    stage(phases, "cargo test --workspace (under xvfb-run + dbus-run-session)", &mut cargo_test);

    let ui = crate::ui::ui_dir();
    let zerodock = root.join("target/debug/zerodock");
    let ui_env = |mut cmd: std::process::Command| {
        cmd.env("ZERODOCK_BIN", &zerodock).env("ZERODOCK_UI_REGEN", "1");
        cmd
    };
    stage(phases, "ui: svelte-check + tsc", &mut ui_env(crate::ui::npm(&ui, &["run", "--silent", "check"])));
    stage(phases, "ui: vitest", &mut ui_env(crate::ui::npm(&ui, &["test"])));
    stage(phases, "ui: chromium (playwright)", &mut ui_env(crate::ui::npm(&ui, &["run", "test:browser"])));

    let result =
        if failed.is_empty() { Ok(()) } else { Err(anyhow::anyhow!("failed: {}", failed.join(", "))) };
    for engine in podman.drain(..) {
        let name = format!("stop {}", engine.name());
        phases.run(&name, || engine.stop())?;
    }
    if let Some(running) = private.take() {
        phases.run("stop private dockerd", || running.daemon.stop())?;
    }
    result
}
