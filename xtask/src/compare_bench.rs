//! `cargo xtask compare-bench`: docker-bench-security (a peer tool, CIS v1.6.0) and ZeroDock (CIS
//! v1.8.0) on the same engine, verdict by verdict, with the reason wherever they differ.
//!
//! docker-bench-security is a comparison oracle, never a dependency: its scripts are looked for at
//! `../shared/tools/docker-bench-security` beside the workspace (or `ZERODOCK_DOCKER_BENCH`), run
//! from a copy (it writes beside itself), and when the folder is absent the command says so and
//! does nothing. Nothing of it is built into or shipped with ZeroDock.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::scenario::Scenarios;
use crate::util::{self, Phases};

/// Options of `cargo xtask compare-bench`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// The engine to compare on; default: the private scenario daemon `--daemon`.
    #[arg(long)]
    host: Option<String>,
    /// The scenario daemon of `xtask/scenarios.toml` to compare on (started for the run and
    /// stopped after, unless it was already up): `default`, the weak one, has a container for
    /// most misconfigurations.
    #[arg(long, default_value = "default")]
    daemon: String,
    /// Also write the table to docs/docker-bench-comparison.md.
    #[arg(long)]
    write: bool,
}

/// Every check id of docker-bench-security at the pinned commit (ff26d67, 2024-10-21: CIS v1.6.0
/// sections 1–7, its Docker Enterprise section 8 and its community checks `C.*`). A test compares
/// it with the scripts when they are present, so a newer docker-bench cannot slip by unmapped.
pub const DOCKER_BENCH_IDS: &[&str] = &[
    "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10", "1.1.11",
    "1.1.12", "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18", "1.2.1", "1.2.2", "2.1", "2.2",
    "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16",
    "2.17", "2.18", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12",
    "3.13", "3.14", "3.15", "3.16", "3.17", "3.18", "3.19", "3.20", "3.21", "3.22", "3.23", "3.24", "4.1",
    "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", "5.1", "5.2", "5.3",
    "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.17",
    "5.18", "5.19", "5.20", "5.21", "5.22", "5.23", "5.24", "5.25", "5.26", "5.27", "5.28", "5.29", "5.30",
    "5.31", "5.32", "6.1", "6.2", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "8.1.1",
    "8.1.2", "8.1.3", "8.1.4", "8.1.5", "8.1.6", "8.1.7", "8.2.1", "C.1", "C.1.1", "C.2", "C.5.3.1",
    "C.5.3.2", "C.5.3.3", "C.5.3.4",
];

/// Where a docker-bench id lands in CIS v1.8.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// The v1.8.0 id (the same number, or section 2's shifted one).
    Cis(String),
    /// No v1.8.0 recommendation: docker-bench's own or Docker Enterprise's, with why.
    BenchOnly(&'static str),
}

/// The v1.8.0 id of a docker-bench (v1.6.0) id: v1.8.0 inserted 2.7 (devicemapper), so v1.6.0's
/// 2.7–2.18 are 2.8–2.19; every other section kept its numbers.
pub fn map(id: &str) -> Mapped {
    if id.starts_with("8.") {
        return Mapped::BenchOnly(
            "Docker Enterprise (UCP/DTR) check of docker-bench: not in CIS Docker Benchmark v1.8.0",
        );
    }
    if id.starts_with("C.") {
        return Mapped::BenchOnly("docker-bench's community check: not a CIS recommendation");
    }
    match id.strip_prefix("2.").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) if n >= 7 => Mapped::Cis(format!("2.{}", n + 1)),
        _ => Mapped::Cis(id.to_owned()),
    }
}

/// docker-bench-security's folder, when present.
pub fn tool_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ZERODOCK_DOCKER_BENCH").map(PathBuf::from).unwrap_or_else(|| {
        util::workspace_root().join("..").join("shared").join("tools").join("docker-bench-security")
    });
    dir.join("docker-bench-security.sh").is_file().then_some(dir)
}

/// The check ids the scripts define: each `check_*` function that logs a test (section headers
/// do not).
pub fn ids_in_scripts(dir: &Path) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("tests"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for function in text.split("\ncheck_").skip(1) {
            let body = function.split("\n}").next().unwrap_or_default();
            let id = body.split("local id=\"").nth(1).and_then(|rest| rest.split('"').next());
            if let Some(id) = id
                && body.contains("starttestjson")
            {
                ids.push(id.to_owned());
            }
        }
    }
    Ok(ids)
}

/// `cargo xtask compare-bench`.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<()> {
    let Some(tool) = tool_dir() else {
        eprintln!(
            "docker-bench-security is not at ../shared/tools/docker-bench-security (or $ZERODOCK_DOCKER_BENCH): \
             nothing to compare — it is a comparison oracle, never a dependency of ZeroDock"
        );
        return Ok(());
    };
    if !util::is_root() {
        bail!("docker-bench-security reads root-only files and dockerd's process: run as root");
    }
    let ids = ids_in_scripts(&tool)?;
    if ids != DOCKER_BENCH_IDS {
        let new: Vec<&String> = ids.iter().filter(|id| !DOCKER_BENCH_IDS.contains(&id.as_str())).collect();
        eprintln!(
            "warning: {} is not the pinned docker-bench-security: ids not in the mapping table: {new:?}",
            tool.display()
        );
    }
    let sc = Scenarios::load()?;
    let collector = phases.run("build zerodock", crate::fixtures::build_collector)?;
    // The engine: --host, the scenario daemon if it is already up, else a fresh one.
    let name = opts.daemon.as_str();
    let daemon_host = format!("unix://{}/docker.sock", crate::dockerd::base_dir().join(name).display());
    let mut started = None;
    let host = match &opts.host {
        Some(host) => host.clone(),
        None if answers(&daemon_host) => daemon_host,
        None => {
            let running = phases.run(&format!("{name}: start dockerd"), || sc.start(name, true))?;
            phases.run(&format!("{name}: images, networks, containers"), || sc.populate(&running))?;
            let host = running.host.clone();
            started = Some(running);
            host
        }
    };
    let work = std::env::temp_dir().join(format!("zd-compare-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let bench = phases.run("docker-bench-security", || run_bench(&tool, &work, &host))?;
    let report = phases.run("zerodock scan", || {
        let out = Command::new(&collector)
            .args(["scan", "--format", "json"])
            .env("DOCKER_HOST", &host)
            .env_remove("DOCKER_CONTEXT")
            .env("NO_COLOR", "1")
            .output()
            .context("zerodock scan")?;
        // Exit 1 only says failures were found: the report is on stdout either way.
        if !matches!(out.status.code(), Some(0 | 1)) {
            bail!("zerodock scan failed: {}", util::redact(&String::from_utf8_lossy(&out.stderr)));
        }
        serde_json::from_slice::<Value>(&out.stdout).context("zerodock scan printed no JSON report")
    })?;
    drop(started);
    let _ = std::fs::remove_dir_all(&work);
    let rows = compare(&bench, &report);
    let engine = opts
        .host
        .as_ref()
        .map_or_else(|| format!("the private `{name}` daemon of `xtask/scenarios.toml`"), |h| h.clone());
    let table = render(&rows, &engine, &bench, &report);
    println!("{table}");
    if opts.write {
        let path = util::workspace_root().join("docs").join("docker-bench-comparison.md");
        std::fs::write(&path, &table).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn answers(host: &str) -> bool {
    Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .env("DOCKER_HOST", host)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs docker-bench from a copy in `work` against `host`; its JSON log's results by id.
fn run_bench(tool: &Path, work: &Path, host: &str) -> Result<BTreeMap<String, BenchResult>> {
    let copy = work.join("docker-bench-security");
    util::run(Command::new("cp").arg("-a").arg(tool).arg(&copy))?;
    let log = work.join("dbs.log");
    let out = Command::new("sh")
        .current_dir(&copy)
        .arg("docker-bench-security.sh")
        .arg("-l")
        .arg(&log)
        .env("DOCKER_HOST", host)
        .output()
        .context("sh docker-bench-security.sh")?;
    let json = work.join("dbs.log.json");
    let text = std::fs::read_to_string(&json).with_context(|| {
        format!(
            "docker-bench-security wrote no {} (exit {:?}): {}",
            json.display(),
            out.status.code(),
            util::redact(&String::from_utf8_lossy(&out.stderr))
        )
    })?;
    parse_bench(&text)
}

/// One docker-bench verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchResult {
    /// `PASS`, `WARN`, `INFO` or `NOTE`.
    pub result: String,
    /// Its details line, if any.
    pub details: String,
}

/// docker-bench's JSON log: `tests[].results[]` with `id`, `result`, `details`.
pub fn parse_bench(text: &str) -> Result<BTreeMap<String, BenchResult>> {
    let log: Value = serde_json::from_str(text).context("docker-bench's JSON log")?;
    let mut out = BTreeMap::new();
    for section in log["tests"].as_array().into_iter().flatten() {
        for r in section["results"].as_array().into_iter().flatten() {
            let (Some(id), Some(result)) = (r["id"].as_str(), r["result"].as_str()) else { continue };
            let details = r["details"].as_str().unwrap_or_default().to_owned();
            out.insert(id.to_owned(), BenchResult { result: result.to_owned(), details });
        }
    }
    Ok(out)
}

/// One row of the comparison.
#[derive(Debug, Clone)]
pub struct Row {
    bench_id: &'static str,
    bench: Option<BenchResult>,
    cis: Option<String>,
    checks: Vec<String>,
    ours: Option<String>,
    agree: Agreement,
}

/// Whether the two verdicts agree, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Agreement {
    BothPass,
    BothFail,
    BothManual,
    /// Neither has an object to judge (no container, say): docker-bench skips, ZeroDock says
    /// not applicable.
    NothingToJudge,
    Differ(String),
    BenchOnly(String),
}

/// ZeroDock's checks citing each v1.8.0 id (ranges `A–B` expanded within a section), with the
/// check's status and its first finding's message or reason.
fn citations(report: &Value) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut by_id: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for check in report["checks"].as_array().into_iter().flatten() {
        let code = check["id"].as_str().unwrap_or_default().to_owned();
        let status = check["status"].as_str().unwrap_or_default().to_owned();
        let first = check["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["status"] == check["status"]).or_else(|| f.first()))
            .map(|f| {
                let reason = f["reason"].as_str().filter(|r| !r.is_empty());
                reason.or(f["message"].as_str()).unwrap_or_default().to_owned()
            })
            .unwrap_or_default();
        for reference in check["references"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let Some(rest) = reference.strip_prefix("CIS Docker Benchmark v1.8.0 ") else { continue };
            let ids = rest.split(' ').next().unwrap_or_default();
            for id in expand(ids) {
                by_id.entry(id).or_default().push((code.clone(), status.clone(), first.clone()));
            }
        }
    }
    by_id
}

/// `3.1–3.3` → 3.1, 3.2, 3.3 (the last component counts up); a single id → itself.
fn expand(ids: &str) -> Vec<String> {
    let Some((first, last)) = ids.split_once('–') else { return vec![ids.to_owned()] };
    let (Some((prefix, a)), Some((prefix2, b))) = (first.rsplit_once('.'), last.rsplit_once('.')) else {
        return vec![first.to_owned(), last.to_owned()];
    };
    match (a.parse::<u32>(), b.parse::<u32>()) {
        (Ok(a), Ok(b)) if prefix == prefix2 && a <= b => (a..=b).map(|n| format!("{prefix}.{n}")).collect(),
        _ => vec![first.to_owned(), last.to_owned()],
    }
}

/// The worst status among the checks citing an id (what a person reading the id would see).
fn worst(statuses: &[(String, String, String)]) -> Option<&(String, String, String)> {
    let rank = |s: &str| match s {
        "fail" => 0,
        "warn" => 1,
        "unknown" => 2,
        "manual" => 3,
        "info" => 4,
        "pass" => 5,
        _ => 6,
    };
    statuses.iter().min_by_key(|(_, status, _)| rank(status))
}

/// The comparison, one row per docker-bench id.
pub fn compare(bench: &BTreeMap<String, BenchResult>, report: &Value) -> Vec<Row> {
    let cited = citations(report);
    DOCKER_BENCH_IDS
        .iter()
        .map(|&id| {
            let b = bench.get(id).cloned();
            match map(id) {
                Mapped::BenchOnly(why) => Row {
                    bench_id: id,
                    bench: b,
                    cis: None,
                    checks: Vec::new(),
                    ours: None,
                    agree: Agreement::BenchOnly(why.to_owned()),
                },
                Mapped::Cis(cis) => {
                    let ours = cited.get(&cis).cloned().unwrap_or_default();
                    let checks: Vec<String> = {
                        let mut c: Vec<String> = ours.iter().map(|(code, _, _)| code.clone()).collect();
                        c.dedup();
                        c
                    };
                    let top = worst(&ours).cloned();
                    let agree = agreement(id, &cis, b.as_ref(), top.as_ref());
                    Row { bench_id: id, bench: b, cis: Some(cis), checks, ours: top.map(|t| t.1), agree }
                }
            }
        })
        .collect()
}

/// Causes of a difference found by reading docker-bench's scripts against the scenario daemon
/// (checked where the table shows them): appended to the generic reason.
const KNOWN_CAUSES: &[(&str, &str, &str)] = &[
    (
        "2.",
        "PASS",
        "docker-bench takes `--config-file` only as `--config-file=PATH` (this dockerd has `--config-file PATH`), then falls back to /etc/docker/daemon.json, absent here: the daemon.json setting is not seen",
    ),
    (
        "5.30",
        "PASS",
        "docker-bench looks for containers on a bridge named `docker0` only; this daemon's default bridge is `zd-default`",
    ),
    (
        "4.5",
        "WARN",
        "docker-bench warns when DOCKER_CONTENT_TRUST is unset in its own environment; content trust is retired and ZeroDock judges pulled images only",
    ),
];

fn agreement(
    bench_id: &str,
    cis: &str,
    bench: Option<&BenchResult>,
    ours: Option<&(String, String, String)>,
) -> Agreement {
    let renumbered = if bench_id == cis {
        String::new()
    } else {
        format!(" (numbering shift: v1.6.0 {bench_id} is v1.8.0 {cis})")
    };
    if bench.is_none() && ours.is_some_and(|o| o.1 == "not_applicable") {
        return Agreement::NothingToJudge;
    }
    let Some(b) = bench else {
        return Agreement::Differ(format!(
            "docker-bench gave no verdict (it skips a check it has no input for){renumbered}"
        ));
    };
    let Some((code, status, said)) = ours else {
        return Agreement::Differ(format!("no ZeroDock check cites v1.8.0 {cis}{renumbered}"));
    };
    let said = shorten(said);
    let verdict = agreement_of(bench_id, cis, b, code, status, &said, &renumbered);
    match verdict {
        Agreement::Differ(why) => {
            let known = KNOWN_CAUSES.iter().find(|(prefix, result, _)| {
                (bench_id == *prefix || (prefix.ends_with('.') && bench_id.starts_with(prefix)))
                    && b.result == *result
                    // The section-2 cause is about a setting ZeroDock found in daemon.json.
                    && (!prefix.ends_with('.') || matches!(status.as_str(), "fail" | "warn"))
            });
            Agreement::Differ(match known {
                Some((_, _, cause)) => format!("{why}. Cause: {cause}"),
                None => why,
            })
        }
        other => other,
    }
}

fn agreement_of(
    _bench_id: &str,
    cis: &str,
    b: &BenchResult,
    code: &str,
    status: &str,
    said: &str,
    renumbered: &str,
) -> Agreement {
    match (b.result.as_str(), status) {
        ("PASS", "pass") => Agreement::BothPass,
        ("WARN", "fail" | "warn") => Agreement::BothFail,
        ("INFO" | "NOTE", "manual" | "info") => Agreement::BothManual,
        ("PASS", "not_applicable") if cis.starts_with("7.") => Agreement::Differ(
            "docker-bench passes Swarm checks on an engine whose swarm mode is off; ZeroDock: not applicable, never a pass".to_owned(),
        ),
        ("PASS" | "WARN" | "INFO" | "NOTE", "not_applicable") => {
            Agreement::Differ(format!("ZeroDock ({code}): not applicable — {said}{renumbered}"))
        }
        (_, "unknown") => Agreement::Differ(format!("ZeroDock ({code}) could not read the evidence: {said}")),
        ("PASS", "fail" | "warn") if said.contains("(created") || said.contains("(exited") => {
            Agreement::Differ(format!(
                "docker-bench judges running containers only (`docker ps -q`); ZeroDock ({code}) also a created or stopped one: {said}"
            ))
        }
        ("PASS", "fail" | "warn") => Agreement::Differ(format!("ZeroDock ({code}) fails what docker-bench passes: {said}")),
        ("WARN", "pass") => Agreement::Differ(format!(
            "docker-bench warns ({}); ZeroDock ({code}) passes: {said}",
            shorten(&b.details)
        )),
        ("INFO" | "NOTE", _) => Agreement::Differ(format!(
            "docker-bench gives no verdict ({}: for a person, or its input was not found); ZeroDock ({code}) decides from the evidence: {said}",
            b.result
        )),
        (_, "manual" | "info") => Agreement::Differ(format!(
            "ZeroDock ({code}) leaves it to a person (CIS's judgement call); docker-bench says {}",
            b.result
        )),
        (other, ours) => Agreement::Differ(format!("docker-bench {other}, ZeroDock {ours} ({code}): {said}")),
    }
}

fn shorten(text: &str) -> String {
    let text = text.replace('|', "/").replace('\n', " ");
    if text.chars().count() > 140 {
        format!("{}…", text.chars().take(140).collect::<String>())
    } else {
        text
    }
}

fn render(rows: &[Row], engine_name: &str, bench: &BTreeMap<String, BenchResult>, report: &Value) -> String {
    let count = |f: &dyn Fn(&Agreement) -> bool| rows.iter().filter(|r| f(&r.agree)).count();
    let mut out = String::new();
    let engine = report["subject"]["engine"]["version"].as_str().unwrap_or("?");
    let _ = writeln!(out, "# docker-bench-security beside ZeroDock, on the same engine\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask compare-bench --write` on {engine_name} (Docker Engine {engine}), as root. docker-bench-security ({} verdicts) is the peer tool at \
         commit ff26d67 (CIS Docker Benchmark **v1.6.0**), run from a copy of `../shared/tools/docker-bench-security` \
         — a comparison oracle, never a dependency. ZeroDock cites **v1.8.0** ids: v1.8.0 inserted 2.7 \
         (devicemapper), so v1.6.0's 2.7–2.18 are v1.8.0's 2.8–2.19; the other sections kept their numbers. \
         ZeroDock's verdict for an id is the worst of the checks citing it.\n",
        bench.len()
    );
    let _ = writeln!(
        out,
        "Both fail: {} · both pass: {} · both leave it to a person: {} · nothing to judge: {} · differ: {} · \
         docker-bench only: {}\n",
        count(&|a| *a == Agreement::BothFail),
        count(&|a| *a == Agreement::BothPass),
        count(&|a| *a == Agreement::BothManual),
        count(&|a| *a == Agreement::NothingToJudge),
        count(&|a| matches!(a, Agreement::Differ(_))),
        count(&|a| matches!(a, Agreement::BenchOnly(_))),
    );
    let _ = writeln!(
        out,
        "| docker-bench (v1.6.0) | verdict | ZeroDock (v1.8.0) | checks | verdict | | why they differ |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for r in rows {
        let (mark, why) = match &r.agree {
            Agreement::BothPass => ("agree", "both pass".to_owned()),
            Agreement::BothFail => ("agree", "both fail".to_owned()),
            Agreement::BothManual => ("agree", "both leave it to a person".to_owned()),
            Agreement::NothingToJudge => {
                ("agree", "nothing to judge: docker-bench skips it, ZeroDock says not applicable".to_owned())
            }
            Agreement::Differ(why) => ("differ", why.clone()),
            Agreement::BenchOnly(why) => ("—", why.clone()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {mark} | {} |",
            r.bench_id,
            r.bench.as_ref().map_or("—", |b| b.result.as_str()),
            r.cis.as_deref().unwrap_or("—"),
            if r.checks.is_empty() { "—".to_owned() } else { r.checks.join(", ") },
            r.ours.as_deref().unwrap_or("—"),
            why.replace('|', "/"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every docker-bench check id maps to a v1.8.0 recommendation some ZeroDock check cites, or
    /// is docker-bench's own (Docker Enterprise, community) — never silently left out.
    #[test]
    fn the_mapping_covers_every_docker_bench_check_id() {
        let text =
            std::fs::read_to_string(util::workspace_root().join("crates/engine/tests/fixtures/default.json"))
                .expect("fixture");
        let snap = zerodock_engine::Snapshot::from_json(&text).expect("snapshot");
        let report = zerodock_engine::evaluate(&snap, &zerodock_engine::EvalConfig::at(snap.collected_at));
        let report = serde_json::to_value(&report).expect("json");
        let cited = citations(&report);
        let mut unmapped = Vec::new();
        for id in DOCKER_BENCH_IDS {
            match map(id) {
                Mapped::Cis(cis) if cited.contains_key(&cis) => {}
                Mapped::Cis(cis) => {
                    unmapped.push(format!("{id} -> v1.8.0 {cis}: no ZeroDock check cites it"))
                }
                Mapped::BenchOnly(_) => assert!(id.starts_with("8.") || id.starts_with("C."), "{id}"),
            }
        }
        assert!(unmapped.is_empty(), "{unmapped:#?}");
        assert_eq!(map("2.7"), Mapped::Cis("2.8".into()));
        assert_eq!(map("2.18"), Mapped::Cis("2.19".into()));
        assert_eq!(map("2.6"), Mapped::Cis("2.6".into()));
        assert_eq!(map("5.31"), Mapped::Cis("5.31".into()));
        assert_eq!(expand("3.1–3.3"), ["3.1", "3.2", "3.3"]);

        // The scripts, where this machine has them, define exactly these ids.
        match tool_dir() {
            Some(dir) => assert_eq!(ids_in_scripts(&dir).expect("scripts"), DOCKER_BENCH_IDS),
            None => {
                eprintln!("docker-bench-security absent: its ids are checked against the pinned list only")
            }
        }
        // The committed table has a row for each.
        let doc = std::fs::read_to_string(util::workspace_root().join("docs/docker-bench-comparison.md"))
            .expect("docs/docker-bench-comparison.md (cargo xtask compare-bench --write)");
        for id in DOCKER_BENCH_IDS {
            assert!(
                doc.contains(&format!("\n| {id} |")),
                "docs/docker-bench-comparison.md has no row for {id}"
            );
        }
    }

    #[test]
    fn verdicts_agree_or_say_why() {
        let b = |r: &str| BenchResult { result: r.to_owned(), details: String::new() };
        let z = |s: &str, said: &str| ("CTR001".to_owned(), s.to_owned(), said.to_owned());
        assert_eq!(agreement("5.5", "5.5", Some(&b("WARN")), Some(&z("fail", ""))), Agreement::BothFail);
        assert_eq!(agreement("2.7", "2.8", Some(&b("PASS")), Some(&z("pass", ""))), Agreement::BothPass);
        let Agreement::Differ(why) =
            agreement("7.1", "7.1", Some(&b("PASS")), Some(&z("not_applicable", "off")))
        else {
            panic!("swarm off differs")
        };
        assert!(why.contains("swarm mode is off"), "{why}");
        let Agreement::Differ(why) = agreement(
            "5.5",
            "5.5",
            Some(&b("PASS")),
            Some(&z("fail", "`x` runs privileged (created, never started")),
        ) else {
            panic!("created containers differ")
        };
        assert!(why.contains("running containers only"), "{why}");
        let Agreement::Differ(why) = agreement("2.9", "2.10", None, Some(&z("pass", ""))) else { panic!() };
        assert!(why.contains("numbering shift: v1.6.0 2.9 is v1.8.0 2.10"), "{why}");
    }
}
