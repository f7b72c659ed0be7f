//! `cargo xtask`: ZeroDock's developer and CI tasks against a real Docker engine.
//!
//! - `deps`: installs the system packages the live tests need (idempotent).
//! - `scenario up|down [--daemon NAME]…`: private dockerds with the scenarios of
//!   `xtask/scenarios.toml`; `up` prints `DOCKER_HOST=… DOCKER_CONFIG=…` per daemon.
//!   `scenario image --host H`: the scratch image on any engine.
//! - `capture-fixtures`: snapshots of those daemons into `crates/engine/tests/fixtures/`.
//! - `run [--demo] [-- scan args]`: the README's run command: build, then `zerodock scan`.
//! - `test`: the project's test command (deps, fmt, clippy, engine, `cargo test --workspace`),
//!   ending with a check that the host paths it could touch are as before (`hostcheck.rs`).
//! - `bless`: rewrites every generated file (and insta snapshot) from the code.
//! - `bench`, `bench-desktop`: the CLI's and the desktop app's benchmarks.
//! - `sbom`: ZeroDock's own CycloneDX SBOM (crates of the shipped binaries, bundled npm packages, fonts).
//! - `supply-chain`: the test command's supply-chain stage alone (`cargo deny`, npm licences).

mod bench;
mod bench_desktop;
mod bench_mix;
mod bless;
mod compare_bench;
mod deps;
mod dockerd;
#[cfg(test)]
mod faults;
mod fixtures;
mod hostcheck;
mod remediation;
mod rootless;
mod run;
mod sbom;
mod scenario;
mod supply;
mod test;
mod ui;
mod util;
mod webdriver;

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};

use crate::scenario::Scenarios;
use crate::util::Phases;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "ZeroDock developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Speed/memory benchmark: `zerodock scan` on 50/200/1000 containers (`--sizes`, `--odd`:
    /// a giant, odd host) vs. the bare API fetch, the verdicts checked.
    Bench(bench::Options),
    /// Desktop app benchmark: cold start, event latency, memory, idle CPU (release, Xvfb).
    BenchDesktop(bench_desktop::Options),
    /// Rewrite every generated file (docs/checks, JSON Schema, TS bindings, example PDF, insta
    /// snapshots) from the code, delete snapshots no test asserts, and list what changed.
    Bless,
    /// Write ZeroDock's own SBOM (CycloneDX 1.5 JSON): the shipped binaries' crates, the npm
    /// packages bundled into the UI, the embedded fonts.
    Sbom(sbom::Options),
    /// The supply-chain stage of `test` alone: cargo deny (bans, licenses, sources; installed if
    /// missing) and the licences of the npm packages bundled into the UI.
    SupplyChain,
    /// docker-bench-security (../shared/tools, a comparison oracle; nothing when absent) and
    /// ZeroDock on the same engine: a table per CIS id, agree or differ with the reason.
    CompareBench(compare_bench::Options),
    /// Build the CLI and scan this machine's Docker engine (`--demo`: a private demo daemon).
    Run(run::Options),
    /// Install the system packages the live tests need (docker.io, busybox-static, iptables, iproute2).
    Deps,
    /// Bring the scenario daemons up or down.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
    /// Capture crates/engine/tests/fixtures/{default,hardened,vulns,swarm}.json from real private daemons.
    CaptureFixtures {
        /// Only these daemons (default: default, hardened, vulns and swarm).
        #[arg(long = "daemon")]
        daemons: Vec<String>,
    },
    /// The project's test command: deps, fmt, clippy, engine, cargo test --workspace.
    Test {
        /// Always start a private dockerd, even if an engine is reachable.
        #[arg(long)]
        private: bool,
        /// Skip rustfmt and clippy (local iterations only).
        #[arg(long)]
        skip_lint: bool,
        /// Arguments passed on to `cargo test`.
        #[arg(last = true)]
        cargo_test_args: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ScenarioAction {
    /// Start fresh daemons with their scenarios; they keep running after this command.
    Up {
        /// Only these daemons (default: default, hardened, vulns and swarm).
        #[arg(long = "daemon")]
        daemons: Vec<String>,
    },
    /// Stop daemons and remove their directories and bridges.
    Down {
        /// Only these daemons (default: all defined).
        #[arg(long = "daemon")]
        daemons: Vec<String>,
    },
    /// Load the scratch image (`[scratch]` of scenarios.toml) onto any engine, unless it is there:
    /// what the end-to-end tests' containers run.
    Image {
        /// The engine (`unix:///var/run/docker.sock`, `tcp://…`).
        #[arg(long, env = "DOCKER_HOST")]
        host: String,
    },
}

fn or_fixture_daemons(daemons: Vec<String>) -> Vec<String> {
    if daemons.is_empty() {
        fixtures::FIXTURE_DAEMONS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        daemons
    }
}

fn scenario_up(phases: &mut Phases, daemons: &[String]) -> Result<()> {
    let sc = Scenarios::load()?;
    phases.run("deps", deps::ensure)?;
    if !util::is_root() {
        bail!("starting private dockerds needs root");
    }
    let mut lines = Vec::new();
    for name in daemons {
        if rootless::Kind::of(name).is_some() {
            let engine = phases.run(&format!("{name}: start"), || rootless::start(name))?;
            phases.run(&format!("{name}: image, containers"), || engine.populate(&sc))?;
            let runtime = engine.runtime_dir();
            eprintln!(
                "# engine {name} (log: {}/engine.log; XDG_RUNTIME_DIR={})",
                rootless::dir_of(name).display(),
                runtime.display()
            );
            lines.push(format!("DOCKER_HOST={}", engine.host()));
            engine.keep_running();
            continue;
        }
        let running = phases.run(&format!("{name}: start dockerd"), || sc.start(name, true))?;
        // On failure, `running` drops here and the half-populated daemon is stopped.
        phases.run(&format!("{name}: images, networks, containers"), || sc.populate(&running))?;
        eprintln!("# daemon {name} (log: {}/dockerd.log)", running.daemon.dir().display());
        lines.push(running.env_line());
        running.daemon.keep_running();
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn scenario_down(phases: &mut Phases, daemons: &[String]) -> Result<()> {
    let sc = Scenarios::load()?;
    let names: Vec<String> = if daemons.is_empty() {
        sc.daemon_names().into_iter().map(str::to_owned).collect()
    } else {
        daemons.to_vec()
    };
    for name in &names {
        if rootless::Kind::of(name).is_some() {
            phases.run(&format!("{name}: stop and remove"), || rootless::stop_dir(name))?;
            continue;
        }
        phases.run(&format!("{name}: stop and remove"), || sc.down(name))?;
    }
    if daemons.is_empty() {
        for name in rootless::ENGINES {
            if rootless::dir_of(name).exists() {
                phases.run(&format!("{name}: stop and remove"), || rootless::stop_dir(name))?;
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut phases = Phases::default();
    let result = match cli.task {
        Task::Run(opts) => match run::run(&mut phases, &opts) {
            Ok(code) => return ExitCode::from(u8::try_from(code).unwrap_or(2)),
            Err(e) => Err(e),
        },
        Task::Deps => phases.run("deps", deps::ensure),
        Task::Bench(opts) => bench::run(&mut phases, &opts),
        Task::BenchDesktop(opts) => bench_desktop::run(&mut phases, &opts),
        Task::Bless => bless::run(&mut phases),
        Task::CompareBench(opts) => compare_bench::run(&mut phases, &opts),
        Task::Sbom(opts) => phases.run("sbom", || sbom::run(&opts)),
        Task::SupplyChain => phases.run(supply::STAGE, supply::run),
        Task::Scenario { action: ScenarioAction::Up { daemons } } => {
            scenario_up(&mut phases, &or_fixture_daemons(daemons))
        }
        Task::Scenario { action: ScenarioAction::Down { daemons } } => scenario_down(&mut phases, &daemons),
        Task::Scenario { action: ScenarioAction::Image { host } } => phases.run("scratch image", || {
            Scenarios::load()?.ensure_scratch(&dockerd::DockerCli::new(&host, None)?)
        }),
        Task::CaptureFixtures { daemons } => fixtures::capture(&mut phases, &or_fixture_daemons(daemons)),
        Task::Test { private, skip_lint, cargo_test_args } => {
            test::run(&mut phases, &test::Options { private, skip_lint, cargo_test_args })
        }
    };
    phases.summary();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            util::note(format_args!("xtask: error: {}", util::redact(&format!("{e:#}"))));
            ExitCode::FAILURE
        }
    }
}
