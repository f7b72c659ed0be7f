//! `cargo xtask run`: the README's "run" command. Builds the release CLI and scans this machine's
//! Docker engine (the one `DOCKER_HOST` / the current context / the default socket names).
//! `--demo` instead brings up the scenario daemons (a deliberately weak one and a hardened one, as
//! root) and scans the weak one, so the checklist can be seen on a machine without Docker.

use anyhow::{Context, Result, bail};

use crate::scenario::Scenarios;
use crate::util::{self, Phases};

/// Options of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Scan a private demo daemon full of misconfigured containers instead of the real engine.
    #[arg(long)]
    pub demo: bool,
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
    phases.run("cargo build --release", || {
        util::run_visible(util::cargo().current_dir(&root).args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "zerodock",
        ]))
    })?;
    let binary = root.join("target/release/zerodock");
    let mut scan = std::process::Command::new(&binary);
    scan.arg("scan").args(&opts.scan_args);
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
