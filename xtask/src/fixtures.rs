//! `cargo xtask capture-fixtures`: snapshots of real private daemons, written to
//! `crates/engine/tests/fixtures/<daemon>.json` for the checks' unit tests.
//!
//! The CLI is built once (`cargo build -p zerodock`, the same binary `cargo run` would use) and a
//! copy runs `collect` for every daemon, so the fixtures agree even while the tree changes.
//!
//! The daemons run one after another, never side by side: the snapshot's host facts include
//! "the dockerd process", and a second private daemon on the machine would make that ambiguous.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::scenario::{Running, Scenarios};
use crate::util::{self, Phases};

/// The daemons captured by default, in order.
pub const FIXTURE_DAEMONS: &[&str] =
    &["default", "hardened", "vulns", "swarm", "podman", "podman-rootless", "rootless"];

/// Builds the CLI once and returns a private copy of the binary, so both fixtures come from the
/// same build even if the tree changes while daemons start. Fails early, with a clear message,
/// when the CLI has no `collect` yet.
pub fn build_collector() -> Result<PathBuf> {
    let root = util::workspace_root();
    let mut build = util::cargo();
    build.current_dir(&root).args([
        "build",
        "-q",
        "-p",
        "zerodock",
        "--bin",
        "zerodock",
        "--message-format=json",
    ]);
    build.stderr(std::process::Stdio::inherit());
    let out = util::run(&mut build)?;
    let binary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "zerodock")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo build reported no zerodock executable")?;
    let base = crate::dockerd::base_dir();
    std::fs::create_dir_all(&base)?;
    let copy = base.join("zerodock-collector");
    std::fs::copy(&binary, &copy).with_context(|| format!("cannot copy {}", binary.display()))?;
    let help = Command::new(&copy).args(["collect", "--help"]).output()?;
    if !help.status.success() {
        bail!("the zerodock CLI has no working `collect` subcommand yet (`zerodock collect --help` failed)");
    }
    Ok(copy)
}

/// Runs `zerodock collect --output OUT` against a running scenario daemon, then checks the
/// planted secret appears neither in the file nor in what the CLI printed.
pub fn collect(
    sc: &Scenarios,
    collector: &Path,
    running: &Running,
    out: &Path,
    extra: &[String],
) -> Result<()> {
    collect_from(
        sc,
        collector,
        &running.host,
        running.docker_config.as_deref(),
        running.daemon.name(),
        out,
        extra,
    )
}

/// [`collect`] from any engine: `host`, with `docker_config` as the client configuration.
pub fn collect_from(
    sc: &Scenarios,
    collector: &Path,
    host: &str,
    docker_config: Option<&Path>,
    name: &str,
    out: &Path,
    extra: &[String],
) -> Result<()> {
    let mut cmd = Command::new(collector);
    cmd.current_dir(util::workspace_root())
        .args(["collect", "--output"])
        .arg(out)
        .args(extra)
        .env("DOCKER_HOST", host)
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH");
    match docker_config {
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
            bail!("the planted secret (or its registry-auth encoding) leaked into the snapshot of `{name}`");
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
    let collector = phases.run("build zerodock", build_collector)?;
    let fixtures = util::workspace_root().join("crates/engine/tests/fixtures");
    std::fs::create_dir_all(&fixtures)?;
    for name in daemons {
        if crate::rootless::Kind::of(name).is_some() {
            let engine = phases.run(&format!("{name}: start"), || crate::rootless::start(name))?;
            phases.run(&format!("{name}: image, containers"), || engine.populate(&sc))?;
            let staged = crate::dockerd::base_dir().join(format!("{name}-snapshot.json"));
            phases.run(&format!("{name}: zerodock collect"), || {
                collect_from(&sc, &collector, &engine.host(), None, name, &staged, &[])
            })?;
            let target = fixtures.join(format!("{name}.json"));
            std::fs::copy(&staged, &target).with_context(|| format!("cannot write {}", target.display()))?;
            let _ = std::fs::remove_file(&staged);
            eprintln!("    wrote {}", target.display());
            phases.run(&format!("{name}: stop"), || engine.stop())?;
            continue;
        }
        let running = phases.run(&format!("{name}: start dockerd"), || sc.start(name, false))?;
        phases.run(&format!("{name}: images, networks, containers"), || sc.populate(&running))?;
        let spec = sc.daemon(name)?;
        if let Some(records) = &spec.vulndb_records {
            let db = std::path::PathBuf::from(sc.subst(spec, "{dir}/vulndb.sqlite"));
            phases.run(&format!("{name}: vulnerability database from {records}"), || {
                import_records(&collector, &util::workspace_root().join(records), &db)
            })?;
        }
        let extra: Vec<String> = spec.capture_args.iter().map(|a| sc.subst(spec, a)).collect();
        let staged = running.daemon.dir().join("snapshot.json");
        phases.run(&format!("{name}: zerodock collect"), || {
            collect(&sc, &collector, &running, &staged, &extra)
        })?;
        // Only a checked snapshot reaches the repository.
        let target = fixtures.join(format!("{name}.json"));
        std::fs::copy(&staged, &target).with_context(|| format!("cannot write {}", target.display()))?;
        eprintln!("    wrote {}", target.display());
        phases.run(&format!("{name}: stop dockerd"), || running.daemon.stop())?;
    }
    Ok(())
}

/// Packs every `*.json` OSV record in `records` into an `all.zip` beside `db` (as osv.dev
/// publishes an ecosystem) and imports it with `zerodock vulndb import`, replacing `db`.
pub fn import_records(collector: &Path, records: &Path, db: &Path) -> Result<()> {
    use std::io::Write as _;
    let dir = db.parent().context("database path has no directory")?;
    std::fs::create_dir_all(dir)?;
    let _ = std::fs::remove_file(db);
    let zip_path = dir.join("osv-all.zip");
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(records)
        .with_context(|| format!("cannot read {}", records.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path)?);
    for path in &names {
        let name = path.file_name().and_then(|n| n.to_str()).context("record file name")?;
        zip.start_file(name, zip::write::SimpleFileOptions::default())?;
        zip.write_all(&std::fs::read(path)?)?;
    }
    zip.finish()?;
    let mut cmd = Command::new(collector);
    cmd.args(["vulndb", "import", "--vulndb"]).arg(db).arg(&zip_path);
    util::run(&mut cmd)?;
    Ok(())
}
