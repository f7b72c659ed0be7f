//! `cargo xtask run`: the README's "run" command. Installs what the app needs (GTK/WebKit, the
//! AppIndicator library, npm packages), builds the web UI and the release desktop app, and opens
//! it on this machine's Docker engine (the one `DOCKER_HOST` / the current context / the default
//! socket names). `--cli` builds the release CLI and prints a scan in the terminal instead.
//! `--demo` first brings up a private, deliberately weak scenario daemon (as root) and points the
//! app (or the scan) at it, so the dashboard can be seen on a machine without Docker.

use anyhow::{Context, Result, bail};

use crate::scenario::Scenarios;
use crate::util::{self, Phases};

/// Options of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Scan a private demo daemon full of misconfigured containers instead of the real engine.
    #[arg(long)]
    pub demo: bool,
    /// Scan in the terminal with the CLI instead of opening the desktop app.
    #[arg(long)]
    pub cli: bool,
    /// Arguments for `zerodock scan` (after `--`), e.g. `-- --format json`.
    #[arg(last = true)]
    pub scan_args: Vec<String>,
}

/// Builds and runs `zerodock scan`; the scan's own exit code (1 on `--fail-on` findings, 2 when
/// the engine is unreachable) is passed through.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<i32> {
    let root = util::workspace_root();
    if opts.demo && !util::is_root() {
        bail!(
            "the demo starts a private dockerd, which needs root: run `sudo env \"PATH=$PATH\" cargo xtask run --demo` \
             (sudo's secure_path drops ~/.cargo/bin)"
        );
    }
    let (package, binary) =
        if opts.cli { ("zerodock", "zerodock") } else { ("zerodock-desktop", "zerodock-desktop") };
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
    phases.run(&format!("cargo build --release -p {package}"), || {
        util::run_visible(util::cargo().current_dir(&root).args([
            "build",
            "--release",
            "--quiet",
            "-p",
            package,
        ]))
    })?;
    let binary = root.join("target/release").join(binary);
    let mut scan = std::process::Command::new(&binary);
    if opts.cli {
        scan.arg("scan").args(&opts.scan_args);
    } else if !opts.scan_args.is_empty() {
        bail!("arguments after `--` are for the CLI scan: add --cli");
    }
    let mut demo = None;
    if opts.demo {
        phases.run("deps", crate::deps::ensure)?;
        if !util::is_root() {
            bail!(
                "the demo starts a private dockerd, which needs root: run `sudo -E cargo xtask run --demo`"
            );
        }
        let sc = Scenarios::load()?;
        let running = phases.run("demo daemon", || sc.start("default", false))?;
        phases.run("demo scenarios", || sc.populate(&running))?;
        scan.env("DOCKER_HOST", &running.host);
        if let Some(config) = &running.docker_config {
            scan.env("DOCKER_CONFIG", config);
        }
        demo = Some(running);
    }
    let status = scan.status().with_context(|| format!("cannot run {}", binary.display()))?;
    if let Some(running) = demo {
        phases.run("stop demo daemon", || running.daemon.stop())?;
    }
    Ok(status.code().unwrap_or(2))
}
