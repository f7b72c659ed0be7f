//! `cargo xtask capture-fixtures`: snapshots of real private daemons, written to
//! `crates/engine/tests/fixtures/<daemon>.json` for the checks' unit tests.
//!
//! The daemons run one after another, never side by side: the snapshot's host facts include
//! "the dockerd process", and a second private daemon on the machine would make that ambiguous.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::scenario::{Running, Scenarios};
use crate::util::{self, Phases};

/// The daemons captured by default, in order.
pub const FIXTURE_DAEMONS: &[&str] = &["default", "hardened"];

/// Builds the CLI and fails early, with a clear message, when it has no `collect` yet.
pub fn build_collector() -> Result<()> {
    let root = util::workspace_root();
    util::run_visible(util::cargo().current_dir(&root).args(["build", "-q", "-p", "zerodock"]))?;
    let help = util::cargo()
        .current_dir(&root)
        .args(["run", "-q", "-p", "zerodock", "--", "collect", "--help"])
        .output()?;
    if !help.status.success() {
        bail!("the zerodock CLI has no working `collect` subcommand yet (`zerodock collect --help` failed)");
    }
    Ok(())
}

/// Runs `zerodock collect` against a running scenario daemon into `out`, then checks the planted
/// secret appears neither in the file nor in what the CLI printed.
pub fn collect(sc: &Scenarios, running: &Running, out: &Path) -> Result<()> {
    let root = util::workspace_root();
    let mut cmd = util::cargo();
    cmd.current_dir(&root)
        .args(["run", "-q", "-p", "zerodock", "--", "collect", "--output"])
        .arg(out)
        .env("DOCKER_HOST", &running.host)
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH");
    match &running.docker_config {
        Some(dir) => cmd.env("DOCKER_CONFIG", dir),
        None => cmd.env_remove("DOCKER_CONFIG"),
    };
    let output = util::run(&mut cmd)?;
    let written = std::fs::read(out).with_context(|| format!("collect wrote no {}", out.display()))?;
    let printed = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
    for secret in sc.secrets() {
        if util::contains_bytes(&written, secret.as_bytes())
            || util::contains_bytes(&printed, secret.as_bytes())
        {
            bail!(
                "the planted secret (or its registry-auth encoding) leaked into the snapshot of `{}`",
                running.daemon.name()
            );
        }
    }
    serde_json::from_slice::<serde_json::Value>(&written).context("collect wrote invalid JSON")?;
    Ok(())
}

/// Captures the fixtures of `daemons` (default: [`FIXTURE_DAEMONS`]).
pub fn capture(phases: &mut Phases, daemons: &[String]) -> Result<()> {
    let sc = Scenarios::load()?;
    phases.run("deps", crate::deps::ensure)?;
    if !util::is_root() {
        bail!("capture-fixtures starts private dockerds: run it as root");
    }
    phases.run("build zerodock", build_collector)?;
    let fixtures = util::workspace_root().join("crates/engine/tests/fixtures");
    std::fs::create_dir_all(&fixtures)?;
    for name in daemons {
        let running = phases.run(&format!("{name}: start dockerd"), || sc.start(name, false))?;
        phases.run(&format!("{name}: images, networks, containers"), || sc.populate(&running))?;
        let staged = running.daemon.dir().join("snapshot.json");
        phases.run(&format!("{name}: zerodock collect"), || collect(&sc, &running, &staged))?;
        // Only a checked snapshot reaches the repository.
        let target = fixtures.join(format!("{name}.json"));
        std::fs::copy(&staged, &target).with_context(|| format!("cannot write {}", target.display()))?;
        eprintln!("    wrote {}", target.display());
        phases.run(&format!("{name}: stop dockerd"), || running.daemon.stop())?;
    }
    Ok(())
}
