//! "Every fix we propose works when applied", proven on a real dockerd.
//!
//! The daemon test starts a private daemon configured like the weak `default` daemon of
//! `xtask/scenarios.toml` (its flags and daemon.json), scans it, fills the placeholders of the
//! report's `daemon_json_plan.proposed`, restarts the daemon on that file (it must start: a
//! daemon.json that stops dockerd from starting once slipped through), scans again and asserts
//! that every check the plan serves now passes and that nothing which passed before fails. The
//! container test does the same for the `docker run` recreate snippets of a few container checks.
//!
//! Why the engine as a library rather than the built `zerodock` binary: `cargo test -p xtask`
//! does not build the binary, so it could be stale and the test would prove an old plan; cargo
//! holds the build lock while tests run, so a test cannot rebuild it either. The library is
//! always the code under test, and its report is typed. (The engine brings no system library
//! the xtask did not already need: its TLS is rustls.)
//!
//! Root and `dockerd` are needed; without them the tests say why and return, unless `CI=true` or
//! `ZERODOCK_TEST_REQUIRE_ENGINE=1`, where that is a failure. Each test's daemon has its own
//! directory, bridge and TCP port, so they run in parallel beside any other daemon, and a guard
//! removes it all (and the `dockremap` user userns-remap creates) also when an assertion fails.

#![cfg(test)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;
use zerodock_engine::{CollectOptions, EvalConfig, Report, SnippetKind, Status, collect, evaluate};

use crate::dockerd::{self, DockerCli, Dockerd};
use crate::scenario::Scenarios;
use crate::util;

/// Whether the tests can run here; panics where they must (CI), else says why they are skipped.
pub(crate) fn engine_available(test: &str) -> bool {
    let required = util::is_ci() || std::env::var("ZERODOCK_TEST_REQUIRE_ENGINE").is_ok_and(|v| v == "1");
    let missing = if !util::is_root() {
        Some("not root (a private dockerd needs root)")
    } else if util::find_binary("dockerd", &["/usr/sbin/dockerd", "/usr/bin/dockerd"]).is_none() {
        Some("no dockerd installed (run `cargo xtask deps`)")
    } else {
        None
    };
    match missing {
        None => true,
        Some(why) if required => panic!("{test}: {why}; CI / ZERODOCK_TEST_REQUIRE_ENGINE=1 requires it"),
        Some(why) => {
            eprintln!("{test}: skipped: {why}");
            false
        }
    }
}

/// A loopback TCP port free right now: the weak daemon listens on TCP, and its fixed 23750 may
/// belong to a running `default` scenario daemon.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

/// The `default` daemon's configuration, in a directory, bridge and TCP port of our own: starting
/// `default` itself would wipe a `scenario up` daemon of that name (a detached one holds no lock).
fn weak_daemon_config(sc: &Scenarios, name: &str, bridge: &str, cidr: &str) -> dockerd::Config {
    let spec = sc.daemon("default").expect("scenarios.toml defines `default`");
    let port = free_port().to_string();
    let args: Vec<String> = spec
        .args
        .iter()
        .map(|a| match a.strip_prefix("tcp://127.0.0.1:") {
            Some(_) => format!("tcp://127.0.0.1:{port}"),
            None => a.clone(),
        })
        .collect();
    let config_file = spec.config_file.as_ref().map(|f| (f.content.clone(), f.mode));
    // Scenarios' placeholder filling is private; `default` needs none today. Fail loudly if that
    // changes rather than hand dockerd an unfilled `{dir}`.
    for text in args.iter().chain(config_file.iter().map(|c| &c.0)) {
        assert!(!has_scenario_placeholder(text), "daemon `default` now uses a placeholder: {text}");
    }
    dockerd::Config {
        name: name.to_owned(),
        dir: dockerd::base_dir().join(name),
        bridge: Some((bridge.to_owned(), cidr.to_owned())),
        args,
        config_file,
        socket_mode: spec.socket_mode,
        ..Default::default()
    }
}

/// `{word}` as scenarios.toml writes its placeholders (JSON's own braces never look like that).
fn has_scenario_placeholder(text: &str) -> bool {
    text.split('{').skip(1).any(|rest| {
        rest.split_once('}').is_some_and(|(word, _)| {
            !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        })
    })
}

/// Serialises our daemon starts (see [`Host::start`]).
static START: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Snapshot of a file's bytes (or its absence), to put back exactly.
struct SavedFile {
    path: PathBuf,
    content: Option<Vec<u8>>,
}

impl SavedFile {
    fn of(path: &str) -> SavedFile {
        SavedFile { path: PathBuf::from(path), content: std::fs::read(path).ok() }
    }

    fn restore(&self) {
        let now = std::fs::read(&self.path).ok();
        if now == self.content {
            return;
        }
        let result = match &self.content {
            // Writing in place keeps the file's mode and owner.
            Some(bytes) => std::fs::write(&self.path, bytes),
            None => std::fs::remove_file(&self.path),
        };
        if let Err(e) = result {
            eprintln!("warning: cannot restore {}: {e}", self.path.display());
        }
    }
}

/// The account files `useradd`/`userdel` rewrite when dockerd creates (and the test removes) the
/// `dockremap` user, with the `-` backups both leave behind: all are put back byte for byte (or
/// removed when they were absent), so `cargo xtask test`'s host check finds /etc as it was.
const ACCOUNT_FILES: [&str; 12] = [
    "/etc/passwd",
    "/etc/group",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/subuid",
    "/etc/subgid",
    "/etc/passwd-",
    "/etc/group-",
    "/etc/shadow-",
    "/etc/gshadow-",
    "/etc/subuid-",
    "/etc/subgid-",
];

/// [`Host::new`]'s `accounts`: this test's daemon applies userns-remap.
const ACCOUNTS: bool = true;
/// [`Host::new`]'s `accounts`: this test's daemon never creates a user.
const NO_ACCOUNTS: bool = false;

/// Owns everything a test puts on the host and removes it on drop, assertion failed or not: the
/// daemon (stopped with containers, mounts, bridge and iptables rules), its directory and lock
/// file, the base directory if we created it, and the `dockremap` user that `userns-remap:
/// default` makes dockerd create (with its /etc/subuid and /etc/subgid ranges and the account
/// files' backups, [`ACCOUNT_FILES`]).
struct Host {
    daemon: Option<Dockerd>,
    dir: PathBuf,
    bridge: String,
    base_existed: bool,
    dockremap_existed: bool,
    subids: Vec<SavedFile>,
}

impl Host {
    /// `accounts`: whether this test's daemon may create the `dockremap` user (userns-remap), so
    /// its account files are saved now and put back on drop. Only that test may restore them: a
    /// test that restored a copy taken before another daemon created the user would delete the
    /// user under that daemon (seen: "getent unable to find entry dockremap").
    fn new(cfg: &dockerd::Config, accounts: bool) -> Host {
        Host {
            daemon: None,
            dir: cfg.dir.clone(),
            bridge: cfg.bridge.as_ref().map(|b| b.0.clone()).unwrap_or_default(),
            base_existed: dockerd::base_dir().exists(),
            // Without `accounts` the user is never ours to remove.
            dockremap_existed: !accounts || user_exists("dockremap"),
            subids: if accounts {
                ACCOUNT_FILES.iter().map(|path| SavedFile::of(path)).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Starts the daemon on `cfg`; a daemon that does not come up fails the test with the error,
    /// which carries the tail of dockerd's log (`Dockerd::start` reads it).
    fn start(&mut self, cfg: &dockerd::Config, what: &str) -> &Dockerd {
        self.stop();
        let started = Instant::now();
        // dockerd sets up its global iptables chains (DOCKER, DOCKER-ISOLATION-*) check-then-create:
        // two daemons starting at once fail with "Chain already exists" or "No chain/target/match".
        // Our two tests start one at a time; a start that lost that race to a daemon of another
        // test is retried once (the messages name iptables' own chains, never a daemon.json key).
        let _one_at_a_time = START.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut result = Dockerd::start(cfg);
        if let Err(e) = &result {
            let text = format!("{e:#}");
            if text.contains("iptables")
                && (text.contains("Chain already exists") || text.contains("No chain"))
            {
                eprintln!("  dockerd {what}: lost the iptables start race to another daemon; once more");
                result = Dockerd::start(cfg);
            }
        }
        match result {
            Ok(d) => {
                eprintln!("  dockerd {what}: up in {:.1}s", started.elapsed().as_secs_f64());
                self.daemon.insert(d)
            }
            Err(e) => panic!("dockerd did not start {what}: {}", util::redact(&format!("{e:#}"))),
        }
    }

    fn daemon(&self) -> &Dockerd {
        self.daemon.as_ref().expect("the daemon is running")
    }

    fn stop(&mut self) {
        if let Some(d) = self.daemon.take()
            && let Err(e) = d.stop()
        {
            eprintln!("warning: stopping {}: {e:#}", self.dir.display());
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop();
        // `stop` leaves the directory for the log; nothing of it is worth keeping after a test.
        dockerd::cleanup(&self.dir, Some(&self.bridge));
        if let Err(e) = dockerd::remove_dir(&self.dir) {
            eprintln!("warning: {e:#}");
        }
        let _ = std::fs::remove_file(self.dir.with_extension("lock"));
        if !self.base_existed {
            // Only when empty: another test's daemon may live there by now.
            let _ = std::fs::remove_dir(dockerd::base_dir());
        }
        if !self.dockremap_existed && user_exists("dockremap") {
            let _ = util::run(std::process::Command::new("userdel").arg("dockremap"));
            if group_exists("dockremap") {
                let _ = util::run(std::process::Command::new("groupdel").arg("dockremap"));
            }
        }
        for file in &self.subids {
            file.restore();
        }
    }
}

fn user_exists(name: &str) -> bool {
    has_entry("/etc/passwd", name)
}

fn group_exists(name: &str) -> bool {
    has_entry("/etc/group", name)
}

fn has_entry(file: &str, name: &str) -> bool {
    std::fs::read_to_string(file).unwrap_or_default().lines().any(|l| l.split(':').next() == Some(name))
}

/// Collects and evaluates the daemon's engine and this host, as `zerodock scan` does.
fn scan(daemon: &Dockerd) -> Report {
    let started = Instant::now();
    let mut options = CollectOptions::with_host(Some(&daemon.host())).expect("endpoint");
    // The daemon's own empty client directory, never the user's ~/.docker.
    options.docker_config_dir = Some(daemon.dir().join("cli"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let snapshot = runtime.block_on(collect(&options));
    let report = evaluate(&snapshot, &EvalConfig::at(snapshot.collected_at));
    eprintln!("  scan: {:.2}s", started.elapsed().as_secs_f64());
    report
}

fn status_of(report: &Report, check: &str) -> Status {
    report.check(check).unwrap_or_else(|| panic!("no check {check} in the report")).status
}

/// What a finding says, for a failure message.
fn findings_of(report: &Report, check: &str) -> String {
    report
        .check(check)
        .map(|c| {
            c.findings
                .iter()
                .map(|f| format!("{:?} {}: {}", f.status, f.target.name, f.message))
                .collect::<Vec<_>>()
                .join("\n    ")
        })
        .unwrap_or_default()
}

/// A busybox container running with no options, so container checks have something to judge.
fn plain_container(sc: &Scenarios, daemon: &Dockerd, name: &str) {
    let cli = daemon.cli().expect("docker cli");
    sc.build_scratch(&cli, &daemon.dir().join("build")).expect("the scratch image");
    cli.run(["run", "-d", "--name", name, sc.scratch.tag.as_str()]).expect("a plain container runs");
}

/// The local value for a placeholder the user must fill, by daemon.json key; `None` when there is
/// no meaningful local stand-in.
fn local_value(key: &str) -> Option<String> {
    match key {
        // The syslog the hardened scenario daemon uses: UDP needs no listener to start.
        "log-opts.syslog-address" => Some("udp://127.0.0.1:514".to_owned()),
        "log-opts.gelf-address" => Some("udp://127.0.0.1:12201".to_owned()),
        "log-opts.fluentd-address" => Some("127.0.0.1:24224".to_owned()),
        _ => None,
    }
}

/// Whether a daemon.json string is a value the user must replace: a documentation host
/// (`*.example.*`), `<angle brackets>`, an UPPER_CASE name, or a file that is not there (a TLS
/// certificate path: dockerd refuses to start without it). Go templates (`{{.Name}}`) are values.
fn is_placeholder(value: &str) -> bool {
    // The engine's rules (the plan marks those values for the user), plus a path that does not
    // exist on this machine, which only the machine applying the fix can tell.
    let missing_file = value.starts_with('/') && !Path::new(value).exists();
    zerodock_engine::report::is_placeholder(value) || missing_file
}

/// `CAP_NAME`, `MEMORY_LIMIT`, `YOUR_HOST`: upper case with an underscore (`ALL` is a value).
fn is_upper_placeholder(word: &str) -> bool {
    zerodock_engine::report::is_upper_placeholder(word)
}

/// Replaces every placeholder string of `value` (dotted keys) with its local value; panics naming
/// the key of one that cannot be filled. Returns what was filled.
fn fill_placeholders(value: &mut Value, prefix: &str, filled: &mut Vec<(String, String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let dotted = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                fill_placeholders(v, &dotted, filled);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                fill_placeholders(v, &format!("{prefix}[{i}]"), filled);
            }
        }
        Value::String(s) if is_placeholder(s) => {
            let local = local_value(prefix).unwrap_or_else(|| {
                panic!(
                    "daemon_json_plan.proposed: `{prefix}` = {s:?} is a placeholder this test cannot fill with a \
                     meaningful local value; teach `local_value` how, or the plan proposes a value no user can \
                     apply as is"
                )
            });
            filled.push((prefix.to_owned(), s.clone(), local.clone()));
            *s = local;
        }
        _ => {}
    }
}

/// The checks whose merged recommendation the plan carries: those named by a change, plus those
/// whose snippet asked for a value another check had already set (the plan names one per key).
fn checks_served(report: &Report) -> Vec<String> {
    let plan = report.daemon_json_plan.as_ref().expect("plan");
    let mut checks: Vec<String> = plan.changes.iter().map(|c| c.check.clone()).collect();
    for check in &report.checks {
        let asks =
            check.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn)).any(|f| {
                f.remediation.iter().any(|s| s.kind == SnippetKind::DaemonJson && !is_alternative(&s.label))
            });
        if asks {
            checks.push(check.id.clone());
        }
    }
    checks.sort();
    checks.dedup();
    checks
}

/// The daemon.json fragments manual findings propose (not alternatives), by check.
fn manual_daemon_json(report: &Report) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for check in &report.checks {
        for finding in check.findings.iter().filter(|f| f.status == Status::Manual) {
            for s in finding
                .remediation
                .iter()
                .filter(|s| s.kind == SnippetKind::DaemonJson && !is_alternative(&s.label))
            {
                let fragment: Value = serde_json::from_str(&s.code).expect("a daemon.json snippet is JSON");
                out.push((check.id.clone(), fragment));
            }
        }
    }
    out
}

/// "Or …" / "Or, if …": a choice offered beside the recommendation, not part of it.
fn is_alternative(label: &str) -> bool {
    label.strip_prefix("Or").is_some_and(|rest| rest.starts_with([' ', ',']))
}

/// The weak daemon's merged daemon.json plan, applied: dockerd starts on it, every check it
/// serves then passes, and nothing that passed before fails.
#[test]
fn the_daemon_json_plan_starts_dockerd_and_fixes_its_checks() {
    if !engine_available("the_daemon_json_plan_starts_dockerd_and_fixes_its_checks") {
        return;
    }
    let started = Instant::now();
    let sc = Scenarios::load().expect("scenarios.toml");
    let cfg = weak_daemon_config(&sc, "remediation-daemon", "zd-rem-daemon", "10.213.5.1/24");
    let mut host = Host::new(&cfg, ACCOUNTS);
    host.start(&cfg, "as the weak `default` daemon");
    // CTR011's fix is a daemon default (no-new-privileges): it needs a container to fail on.
    plain_container(&sc, host.daemon(), "zd-plain");
    let before = scan(host.daemon());

    let plan = before.daemon_json_plan.clone().expect("the weak daemon gets a daemon.json plan");
    let config_path = cfg.dir.join("daemon.json");
    assert_eq!(Path::new(&plan.path), config_path, "the plan names the file dockerd reads");
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let mut proposed: Value = serde_json::from_str(&plan.proposed).expect("the proposed file is JSON");
    // What manual findings propose (DMN015's default ulimits) is no part of the plan — a person
    // decides — but it must work when that person applies it: merged in too.
    let manual = manual_daemon_json(&before);
    for (check, fragment) in &manual {
        eprintln!("  manual {check}: {fragment}");
        if let (Some(file), Value::Object(keys)) = (proposed.as_object_mut(), fragment) {
            file.extend(keys.clone());
        }
    }
    let mut filled = Vec::new();
    fill_placeholders(&mut proposed, "", &mut filled);
    eprintln!("  plan changes:");
    for c in &plan.changes {
        eprintln!(
            "    {} {} = {} (was {})",
            c.check,
            c.key,
            c.proposed,
            c.current.as_deref().unwrap_or("unset")
        );
    }
    // What this test had to fill is what the plan tells the user to fill (the file view marks
    // those values), except paths missing here, which only the applying machine can tell.
    let told: Vec<&str> = plan.placeholders.iter().map(|p| p.key.as_str()).collect();
    for (key, from, _) in &filled {
        assert!(
            told.contains(&key.as_str()) || from.starts_with('/'),
            "daemon_json_plan.placeholders does not name `{key}` = {from:?}, which had to be filled: {told:?}"
        );
    }
    for (key, from, to) in &filled {
        eprintln!("  filled {key}: {from} -> {to}");
    }
    let mut served = checks_served(&before);
    served.extend(manual.iter().map(|(check, _)| check.clone()));
    eprintln!("  checks served: {}", served.join(" "));

    // The user replaces the file and restarts dockerd with the same flags (they live in the
    // service unit, so a key that clashes with a flag must fail here as it would there). The
    // restart gets a fresh data root: the data must not matter to whether the config is valid,
    // and userns-remap moves it to a new one anyway.
    let mode = cfg.config_file.as_ref().map_or(0o644, |c| c.1);
    let applied = dockerd::Config {
        config_file: Some((serde_json::to_string_pretty(&proposed).expect("json"), mode)),
        ..cfg.clone()
    };
    host.start(&applied, "on the proposed daemon.json");
    // Daemon defaults (no-new-privileges, log driver, userns-remap) apply to containers created
    // from now on: the fresh container proves them.
    plain_container(&sc, host.daemon(), "zd-plain-after");
    let after = scan(host.daemon());

    let mut broken = Vec::new();
    for check in &served {
        let status = status_of(&after, check);
        eprintln!("  {check}: {:?} -> {status:?}", status_of(&before, check));
        if status != Status::Pass {
            broken.push(format!("{check} is {status:?} after the fix:\n    {}", findings_of(&after, check)));
        }
    }
    for check in &before.checks {
        let now = status_of(&after, &check.id);
        if check.status == Status::Pass && matches!(now, Status::Fail | Status::Warn | Status::Unknown) {
            broken.push(format!(
                "{} passed before the fix and is {now:?} after:\n    {}",
                check.id,
                findings_of(&after, &check.id)
            ));
        }
    }
    assert!(broken.is_empty(), "the applied plan did not do what it promised:\n{}", broken.join("\n"));
    drop(host);
    eprintln!("  total {:.1}s", started.elapsed().as_secs_f64());
}

/// The container fixes under test: check code, the scenario container failing it, and the kind
/// of the snippet applied (the first of that kind that is not an alternative). CTR028's fix (a
/// restart ends every exec session) is CTR029's: a privileged exec cannot start on this machine
/// kind (as zd-privileged cannot), so CTR028 is proven through CTR029.
const CONTAINER_FIXES: [(&str, &str, SnippetKind); 9] = [
    ("CTR001", "zd-privileged", SnippetKind::DockerRun),
    ("CTR003", "zd-docker-sock", SnippetKind::DockerRun),
    ("CTR012", "zd-defaults", SnippetKind::DockerRun),
    ("CTR011", "zd-defaults", SnippetKind::DockerRun),
    ("CTR014", "zd-defaults", SnippetKind::DockerRun),
    ("CTR025", "zd-low-port", SnippetKind::DockerRun),
    ("CTR029", "zd-exec", SnippetKind::Shell),
    ("CTR030", "zd-cgroup-parent", SnippetKind::DockerRun),
    ("CTR031", "zd-behind-tag", SnippetKind::DockerRun),
];

/// Local values for the UPPER_CASE placeholders of `docker run` snippets.
fn docker_run_value(placeholder: &str) -> Option<&'static str> {
    match placeholder {
        "CAP_NAME" => Some("NET_BIND_SERVICE"),
        "MEMORY_LIMIT" => Some("64m"),
        _ => None,
    }
}

/// The `docker` commands of a snippet, one argument vector per line, placeholders filled. Only
/// plain words are accepted: a snippet needing a shell (quotes, pipes, `$`) fails loudly here, as
/// does one binding a host path (dockerd would create a missing one on the host).
fn docker_commands(check: &str, code: &str) -> Vec<Vec<String>> {
    code.replace("\\\n", " ")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|line| {
            assert!(
                !line.contains(['\'', '"', '|', '$', ';', '&', '`', '>', '<']),
                "{check}: snippet line needs a shell: {line}"
            );
            let words: Vec<String> = line
                .split_whitespace()
                .map(|w| {
                    if is_upper_placeholder(w) {
                        docker_run_value(w)
                            .unwrap_or_else(|| {
                                panic!("{check}: no local value for placeholder {w} in `{line}`")
                            })
                            .to_owned()
                    } else {
                        w.to_owned()
                    }
                })
                .collect();
            assert_eq!(
                words.first().map(String::as_str),
                Some("docker"),
                "{check}: not a docker command: {line}"
            );
            assert!(
                !words.iter().any(|w| matches!(w.as_str(), "-v" | "--volume" | "--mount")
                    || w.starts_with("--volume=")
                    || w.starts_with("--mount=")),
                "{check}: the fix binds a host path; not run here: {line}"
            );
            words[1..].to_vec()
        })
        .collect()
}

/// The fix snippet of `kind` of `check`'s failing (or manual) finding on container `name`.
fn container_fix(report: &Report, check: &str, name: &str, kind: SnippetKind) -> String {
    let result = report.check(check).unwrap_or_else(|| panic!("no check {check}"));
    let finding =
        result.findings.iter().find(|f| f.target.name == name).unwrap_or_else(|| {
            panic!("{check} has no finding on {name}:\n    {}", findings_of(report, check))
        });
    assert!(
        matches!(finding.status, Status::Fail | Status::Warn | Status::Manual),
        "{check} should fail on {name} before the fix: {:?} {}",
        finding.status,
        finding.message
    );
    finding
        .remediation
        .iter()
        .find(|s| s.kind == kind && !is_alternative(&s.label))
        .unwrap_or_else(|| panic!("{check} on {name}: no {kind:?} fix"))
        .code
        .clone()
}

/// The `docker run` recreate fixes of a few container checks, applied as given on the weak
/// daemon: each recreated container runs and passes the check it was recreated for.
#[test]
fn the_docker_run_fixes_recreate_passing_containers() {
    if !engine_available("the_docker_run_fixes_recreate_passing_containers") {
        return;
    }
    let started = Instant::now();
    let sc = Scenarios::load().expect("scenarios.toml");
    let cfg = weak_daemon_config(&sc, "remediation-containers", "zd-rem-ctrs", "10.213.6.1/24");
    let mut host = Host::new(&cfg, NO_ACCOUNTS);
    let daemon = host.start(&cfg, "as the weak `default` daemon");
    let cli: DockerCli = daemon.cli().expect("docker cli");
    sc.build_scratch(&cli, &daemon.dir().join("build")).expect("the scratch image");
    let socket = Dockerd::socket_of(daemon.dir());
    // zd-behind-tag's tag, moved to another image once the container exists (as `retag` does).
    cli.run(["tag", sc.scratch.tag.as_str(), "zerodock/moving:1"]).expect("tag");
    let mut names: Vec<&str> = CONTAINER_FIXES.iter().map(|f| f.1).collect();
    names.dedup();
    for name in names {
        // The scenario's own arguments, `{socket}` being this daemon's (it exists: no host path
        // is created). zd-privileged cannot start on this machine kind: created, as in the file.
        let args = sc.run_args_elsewhere(name, &socket).expect("scenario container");
        let created =
            sc.container(name).expect("scenario container").state == crate::scenario::State::Created;
        let mut cmd = cli.cmd(if created { vec!["create"] } else { vec!["run", "-d"] });
        cmd.args(["--name", name]).args(&args);
        util::run(&mut cmd).unwrap_or_else(|e| panic!("scenario container {name}: {e:#}"));
        for exec in &sc.container(name).expect("scenario container").exec {
            let mut cmd = cli.cmd(["exec", "-d"]);
            cmd.args(&exec.args).arg(name).args(&exec.cmd);
            util::run(&mut cmd).unwrap_or_else(|e| panic!("scenario exec in {name}: {e:#}"));
        }
    }
    let moved = cli.run(["commit", "zd-defaults"]).expect("docker commit: another image id");
    cli.run(["tag", moved.as_str(), "zerodock/moving:1"]).expect("retag");

    let mut report = scan(daemon);
    let mut broken = Vec::new();
    for (check, name, kind) in CONTAINER_FIXES {
        let code = container_fix(&report, check, name, kind);
        eprintln!("  {check} on {name}:\n    {}", code.replace('\n', "\n    "));
        for args in docker_commands(check, &code) {
            let out = cli.cmd(&args).output().expect("docker runs");
            if !out.status.success() {
                broken.push(format!(
                    "{check}: `docker {}` failed: {}",
                    args.join(" "),
                    util::redact(&String::from_utf8_lossy(&out.stderr))
                ));
            }
        }
        let state = cli.run(["inspect", "--format", "{{.State.Status}}", name]).unwrap_or_default();
        report = scan(daemon);
        let finding = report.check(check).and_then(|c| c.findings.iter().find(|f| f.target.name == name));
        match finding {
            Some(f) if f.status == Status::Pass && state == "running" => {}
            Some(f) => broken
                .push(format!("{check} on {name} ({state}) after its fix: {:?} {}", f.status, f.message)),
            None => broken.push(format!("{check}: no finding on {name} ({state}) after its fix")),
        }
    }
    assert!(broken.is_empty(), "container fixes that did not work when applied:\n{}", broken.join("\n"));
    drop(host);
    eprintln!("  total {:.1}s", started.elapsed().as_secs_f64());
}

#[test]
fn placeholders_are_told_from_values() {
    for p in ["tcp+tls://logs.example.internal:6514", "https://example.com/x", "<address>", "CHANGE_ME"] {
        assert!(is_placeholder(p), "{p}");
    }
    for v in ["{{.Name}}", "udp://127.0.0.1:514", "default", "10m", "127.0.0.1", "/tmp", "info", "syslog"] {
        assert!(!is_placeholder(v), "{v}");
    }
    assert!(is_upper_placeholder("MEMORY_LIMIT") && !is_upper_placeholder("ALL"));
    assert!(is_alternative("Or, if logs must stay local: Merge") && is_alternative("Or require TLS"));
    assert!(!is_alternative("Orchestrate") && !is_alternative("Merge into x"));
    assert!(has_scenario_placeholder("{dir}/x") && !has_scenario_placeholder("{\n  \"a\": 1\n}"));
}
