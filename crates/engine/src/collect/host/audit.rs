//! The audit daemon and whether its rules watch Docker's files and binaries (CIS 1.1.3–1.1.18,
//! host-detection.md §6.1).
//!
//! The loaded rules (`auditctl -l`, root only) are authoritative: a rule file can exist without
//! being loaded. Without them, `/etc/audit/audit.rules` and `/etc/audit/rules.d/*.rules` say what
//! loads at the next boot; both are root-only on stock packages (0750 directories), so an
//! unprivileged scan reports the rules unavailable rather than guessing.
//!
//! Watches are compared the way the kernel places them: on the named object in its (resolved)
//! parent directory, recursively for directories.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::processes::ProcessTable;
use super::{host_path, io_reason, under};
use crate::snapshot::{AuditFacts, AuditRules, AuditWatch, AuditedPath, DaemonJson, DockerdProcess, Fact};

/// Where `auditctl` is installed by the distributions' audit packages.
const AUDITCTL: [&str; 3] = ["/usr/sbin/auditctl", "/sbin/auditctl", "/usr/bin/auditctl"];

/// How long `auditctl -l` may take (it answers from the kernel at once when it works).
const AUDITCTL_TIMEOUT: Duration = Duration::from_secs(2);

/// Where Docker's and containerd's binaries are installed (distribution packages, docker-ce,
/// static tarballs, and the `/usr/libexec/docker` of some packages).
const BIN_DIRS: [&str; 5] =
    ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/usr/libexec/docker"];

/// One benchmark item: its id and the paths it may be at on this machine, most likely first.
pub(super) type CisPath = (&'static str, Vec<String>);

/// The Docker paths CIS 1.1.3–1.1.18 asks to audit, adapted to this machine: the running
/// dockerd's binary, data-root, config file and containerd socket where it names them.
pub(super) fn cis_paths(dockerd: Option<&DockerdProcess>, daemon_json: Option<&DaemonJson>) -> Vec<CisPath> {
    let binaries = |name: &str| BIN_DIRS.iter().map(|d| format!("{d}/{name}")).collect::<Vec<_>>();
    let units = |name: &str| super::docker_files::UNIT_DIRS.iter().map(|d| format!("{d}/{name}")).collect();
    let mut dockerd_paths: Vec<String> =
        dockerd.and_then(|p| p.args.first()).filter(|a| a.starts_with('/')).cloned().into_iter().collect();
    dockerd_paths.extend(binaries("dockerd"));
    let data_root = dockerd
        .and_then(|p| p.flag("data-root").or_else(|| p.flag("graph")))
        .or_else(|| {
            let settings = &daemon_json?.settings;
            settings.get("data-root").or_else(|| settings.get("graph"))?.as_str().map(str::to_owned)
        })
        .filter(|d| d.starts_with('/'))
        .unwrap_or_else(|| "/var/lib/docker".to_owned());
    let config_file =
        daemon_json.map_or_else(|| "/etc/docker/daemon.json".to_owned(), |d| d.file.path.clone());
    vec![
        ("1.1.3", dockerd_paths),
        ("1.1.4", vec!["/run/containerd".to_owned()]),
        ("1.1.5", vec![data_root]),
        ("1.1.6", vec!["/etc/docker".to_owned()]),
        ("1.1.7", units("docker.service")),
        ("1.1.8", vec![super::docker_files::containerd_socket(dockerd, daemon_json)]),
        ("1.1.9", units("docker.socket")),
        ("1.1.10", vec!["/etc/default/docker".to_owned()]),
        ("1.1.11", vec![config_file]),
        ("1.1.12", vec!["/etc/containerd/config.toml".to_owned()]),
        ("1.1.13", vec!["/etc/sysconfig/docker".to_owned()]),
        ("1.1.14", binaries("containerd")),
        ("1.1.15", binaries("containerd-shim")),
        ("1.1.16", binaries("containerd-shim-runc-v1")),
        ("1.1.17", binaries("containerd-shim-runc-v2")),
        ("1.1.18", binaries("runc")),
    ]
}

/// The audit facts of this machine.
pub(super) fn probe(
    root: &Path,
    is_root: bool,
    table: &Result<ProcessTable, String>,
    paths: &[CisPath],
) -> Fact<AuditFacts> {
    if !cfg!(target_os = "linux") {
        return Fact::unavailable(
            "auditd is Linux's audit daemon: this OS's audit facilities are not inspected (Docker \
             Desktop's daemon runs in a VM)",
        );
    }
    let loaded = if is_root {
        list_loaded_rules()
    } else {
        Err("listing the loaded rules (auditctl -l) needs root".to_owned())
    };
    facts(root, auditd_running(table), loaded, paths)
}

/// Whether an `auditd` process runs; the reason when the process table cannot tell.
fn auditd_running(table: &Result<ProcessTable, String>) -> Result<bool, String> {
    let table = table.as_ref().map_err(Clone::clone)?;
    match (table.named("auditd").next(), &table.hidden) {
        (Some(_), _) => Ok(true),
        (None, Some(reason)) => Err(format!("auditd runs as root: {reason}")),
        (None, None) => Ok(false),
    }
}

/// The facts from what was read: `running` from the process table, `loaded` the output of
/// `auditctl -l` (or why there is none), rule files under `root`.
pub(super) fn facts(
    root: &Path,
    running: Result<bool, String>,
    loaded: Result<String, String>,
    paths: &[CisPath],
) -> Fact<AuditFacts> {
    let (rules, text) = match loaded {
        Ok(text) => (AuditRules::Loaded, text),
        Err(not_loaded) => match read_rule_files(root) {
            Ok(Some((files, text))) => (AuditRules::Files { files, not_loaded }, text),
            Ok(None) => (AuditRules::NotInstalled, String::new()),
            Err(reason) => return Fact::unavailable(reason),
        },
    };
    let auditd_running = match running {
        Ok(running) => running,
        // Nothing installed: nothing can run.
        Err(_) if rules == AuditRules::NotInstalled => false,
        Err(reason) => return Fact::unavailable(reason),
    };
    let watches = resolve_watches(root, &parse_rules(&text));
    let docker_paths = docker_paths(root, paths, &watches);
    Fact::available(AuditFacts { auditd_running, rules, watches, docker_paths })
}

/// The rule files and their concatenated text; `None` when `/etc/audit` does not exist.
fn read_rule_files(root: &Path) -> Result<Option<(Vec<String>, String)>, String> {
    let needs_root = |path: &Path, e: &std::io::Error| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            format!(
                "needs root: {} is readable by root only; run zerodock with sudo to read the audit rules",
                path.display()
            )
        } else {
            io_reason(path, e)
        }
    };
    let etc_audit = under(root, "/etc/audit");
    let rules_d = etc_audit.join("rules.d");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&etc_audit) {
        Ok(_) => vec![etc_audit.join("audit.rules")],
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(needs_root(Path::new("/etc/audit"), &e)),
    };
    match std::fs::read_dir(&rules_d) {
        Ok(entries) => {
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rules"))
                .collect();
            found.sort();
            files.extend(found);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(needs_root(Path::new("/etc/audit/rules.d"), &e)),
    }
    let mut read = Vec::new();
    let mut text = String::new();
    for file in files {
        let shown = host_path(root, &file).unwrap_or_else(|| file.display().to_string());
        match std::fs::read_to_string(&file) {
            Ok(content) => {
                text.push_str(&content);
                text.push('\n');
                read.push(shown);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(needs_root(Path::new(&shown), &e)),
        }
    }
    Ok(Some((read, text)))
}

/// The loaded rules, from `auditctl -l`; why not when it is missing, fails or hangs.
fn list_loaded_rules() -> Result<String, String> {
    let Some(binary) = AUDITCTL.iter().map(Path::new).find(|p| p.is_file()) else {
        return Err("auditctl is not installed".to_owned());
    };
    let (status, stdout, stderr) =
        run_bounded(std::process::Command::new(binary).arg("-l"), AUDITCTL_TIMEOUT)
            .map_err(|e| format!("auditctl -l: {e}"))?;
    if !status.success() {
        let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_owned();
        return Err(format!("auditctl -l failed ({status}): {why}"));
    }
    Ok(stdout)
}

/// Runs a command, returning its exit status, stdout and stderr, or killing it after `limit`.
/// Output is drained while it runs, so a long rule list cannot fill the pipe and stall it.
fn run_bounded(
    cmd: &mut std::process::Command,
    limit: Duration,
) -> Result<(std::process::ExitStatus, String, String), String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut out);
            }
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {limit:?}"));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let stdout = stdout.join().map_err(|_| "reading its output failed".to_owned())?;
    let stderr = stderr.join().unwrap_or_default();
    Ok((status, stdout, stderr))
}

/// A watch as a rule states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RuleWatch {
    /// The path as written.
    pub path: String,
    /// `Some(true)` for `-F dir=` (recursive), `Some(false)` for `-F path=` (that object only),
    /// `None` for `-w`, which is recursive when the path is a directory.
    pub dir: Option<bool>,
}

/// The watches in rule text (a rules file or `auditctl -l` output): `-w PATH`,
/// `-a always,exit … -F path=PATH` and `-F dir=PATH`. Rules that cannot record a change are left
/// out: deletions (`-W`), `never` actions, and permission filters without `w` or `a` (a `-p x`
/// watch logs executions only).
pub(super) fn parse_rules(text: &str) -> Vec<RuleWatch> {
    let mut watches = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut watch = None;
        let mut perms: Option<&str> = None;
        let mut ignored = false;
        let mut tokens = line.split_whitespace();
        while let Some(token) = tokens.next() {
            match token {
                "-w" => watch = tokens.next().map(|p| RuleWatch { path: p.to_owned(), dir: None }),
                "-W" => ignored = true,
                "-p" => perms = tokens.next(),
                "-a" | "-A" => ignored |= tokens.next().is_some_and(|a| a.split(',').any(|p| p == "never")),
                "-F" => {
                    let Some(field) = tokens.next() else { continue };
                    if let Some(path) = field.strip_prefix("path=") {
                        watch = Some(RuleWatch { path: path.to_owned(), dir: Some(false) });
                    } else if let Some(path) = field.strip_prefix("dir=") {
                        watch = Some(RuleWatch { path: path.to_owned(), dir: Some(true) });
                    } else if let Some(p) = field.strip_prefix("perm=") {
                        perms = Some(p);
                    }
                }
                _ => {}
            }
        }
        let records_changes = perms.is_none_or(|p| p.contains(['w', 'a']));
        if let Some(watch) = watch
            && !ignored
            && records_changes
            && watch.path.starts_with('/')
        {
            watches.push(watch);
        }
    }
    watches
}

/// Watches with their parent directories resolved, and whether each is recursive.
fn resolve_watches(root: &Path, rules: &[RuleWatch]) -> Vec<AuditWatch> {
    let mut watches: Vec<AuditWatch> = rules
        .iter()
        .map(|rule| {
            let path = resolve_parent(root, &rule.path);
            let recursive = rule.dir.unwrap_or_else(|| under(root, &path).is_dir());
            AuditWatch { path, recursive }
        })
        .collect();
    watches.sort_by(|a, b| (&a.path, a.recursive).cmp(&(&b.path, b.recursive)));
    watches.dedup();
    watches
}

/// Each benchmark item's paths that exist (symlinks resolved, duplicates merged), or its first
/// path marked absent, with whether a watch covers it.
fn docker_paths(root: &Path, paths: &[CisPath], watches: &[AuditWatch]) -> Vec<AuditedPath> {
    let mut out: Vec<AuditedPath> = Vec::new();
    for (cis, candidates) in paths {
        let mut found: Vec<(String, Vec<String>)> = Vec::new();
        let mut exists = false;
        for candidate in candidates {
            let Ok(resolved) = std::fs::canonicalize(under(root, candidate)) else { continue };
            if resolved == Path::new("/dev/null") {
                continue; // a masked unit
            }
            let Some(real) = host_path(root, &resolved) else { continue };
            exists = true;
            // The candidate's own name counts too: a watch on `/usr/bin/runc` where that is a link
            // to `/usr/sbin/runc` is what the benchmark asks for, and auditors accept it.
            let alias = resolve_parent(root, candidate);
            match found.iter_mut().find(|(r, _)| *r == real) {
                Some((_, aliases)) => aliases.push(alias),
                None if out.iter().any(|p| p.path == real) => {}
                None => found.push((real, vec![alias])),
            }
        }
        if !exists {
            let path = candidates.first().cloned().unwrap_or_default();
            out.push(AuditedPath { cis: (*cis).to_owned(), path, exists: false, watched: false });
        }
        for (real, aliases) in found {
            let watched = std::iter::once(&real).chain(&aliases).any(|name| covered(name, watches));
            out.push(AuditedPath { cis: (*cis).to_owned(), path: real, exists: true, watched });
        }
    }
    out
}

/// Whether a watch names `path` or, recursively, a directory above it.
fn covered(path: &str, watches: &[AuditWatch]) -> bool {
    watches.iter().any(|w| w.path == path || (w.recursive && Path::new(path).starts_with(&w.path)))
}

/// `abs` with the symlinks of its parent directories resolved (the kernel places a watch on the
/// last component itself); as written when the parent does not exist.
fn resolve_parent(root: &Path, abs: &str) -> String {
    let trimmed = abs.trim_end_matches('/');
    let path = Path::new(trimmed);
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return if trimmed.is_empty() { "/".to_owned() } else { trimmed.to_owned() };
    };
    match std::fs::canonicalize(under(root, parent)).ok().and_then(|p| host_path(root, &p)) {
        Some(parent) => Path::new(&parent).join(name).display().to_string(),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;

    fn watch(path: &str, dir: Option<bool>) -> RuleWatch {
        RuleWatch { path: path.to_owned(), dir }
    }

    #[test]
    fn normalises_watches_and_path_rules() {
        let text = "\
            # CIS Docker\n\
            -D\n\
            -b 8192\n\
            -w /usr/bin/dockerd -k docker\n\
            -a exit,always -F path=/run/containerd -F perm=war -k docker\n\
            -a always,exit -F arch=b64 -S all -F dir=/etc/docker/ -F perm=wa -F key=docker\n\
            -w /etc/default/docker -p rwxa -k docker\n\
            -w /usr/bin/runc -p x -k exec-only\n\
            -a never,exit -F path=/var/lib/docker\n\
            -W /etc/sysconfig/docker\n\
            -a always,exit -F arch=b64 -S execve -k exec\n\
            -e 2\n";
        assert_eq!(
            parse_rules(text),
            [
                watch("/usr/bin/dockerd", None),
                watch("/run/containerd", Some(false)),
                watch("/etc/docker/", Some(true)),
                watch("/etc/default/docker", None),
            ]
        );
    }

    #[test]
    fn auditctl_listing_is_parsed_like_rule_files() {
        // `auditctl -l` prints watches as `-w` and other file rules with `-S all` and `-F key=`.
        let listing = "-w /usr/sbin/dockerd -p rwxa -k docker\n\
                       -a always,exit -S all -F path=/run/containerd -F perm=rwa -F key=docker\n";
        assert_eq!(
            parse_rules(listing),
            [watch("/usr/sbin/dockerd", None), watch("/run/containerd", Some(false))]
        );
        assert!(parse_rules("No rules\n").is_empty());
    }

    /// A fake Debian host: merged /usr (`/lib` → `usr/lib`), `/usr/bin/runc` → `../sbin/runc`.
    fn debian(dir: &TempDir) {
        for file in [
            "usr/sbin/dockerd",
            "usr/sbin/runc",
            "usr/bin/containerd",
            "usr/lib/systemd/system/docker.service",
            "usr/lib/systemd/system/docker.socket",
            "etc/docker/daemon.json",
            "etc/default/docker",
            "var/lib/docker/volumes/x",
            "run/containerd/containerd.sock",
        ] {
            dir.write(file, "");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("usr/lib", dir.path().join("lib")).expect("symlink");
            std::os::unix::fs::symlink("../sbin/runc", dir.path().join("usr/bin/runc")).expect("symlink");
            dir.write("etc/systemd/system/.keep", "");
            std::os::unix::fs::symlink("/dev/null", dir.path().join("etc/systemd/system/docker.socket"))
                .expect("symlink: a masked unit");
        }
    }

    #[cfg(unix)]
    #[test]
    fn rule_files_are_matched_against_the_paths_that_exist() {
        let dir = TempDir::new();
        debian(&dir);
        dir.write("etc/audit/audit.rules", "-w /usr/sbin/dockerd -k docker\n");
        dir.write(
            "etc/audit/rules.d/docker.rules",
            "-w /lib/systemd/system/docker.service -k docker\n\
             -w /etc/docker -k docker\n\
             -w /usr/bin/runc -k docker\n",
        );
        dir.write("etc/audit/rules.d/readme.txt", "-w /etc/default/docker\n");
        let fact =
            facts(dir.path(), Ok(true), Err("auditctl is not installed".to_owned()), &cis_paths(None, None));
        let audit = fact.get().expect("readable");
        assert!(audit.auditd_running);
        assert_eq!(
            audit.rules,
            AuditRules::Files {
                files: vec![
                    "/etc/audit/audit.rules".to_owned(),
                    "/etc/audit/rules.d/docker.rules".to_owned()
                ],
                not_loaded: "auditctl is not installed".to_owned()
            }
        );
        let state: Vec<(&str, &str, bool)> = audit
            .docker_paths
            .iter()
            .filter(|p| p.exists)
            .map(|p| (p.cis.as_str(), p.path.as_str(), p.watched))
            .collect();
        assert_eq!(
            state,
            [
                ("1.1.3", "/usr/sbin/dockerd", true),
                ("1.1.4", "/run/containerd", false),
                ("1.1.5", "/var/lib/docker", false),
                ("1.1.6", "/etc/docker", true),
                ("1.1.7", "/usr/lib/systemd/system/docker.service", true),
                ("1.1.8", "/run/containerd/containerd.sock", false),
                ("1.1.9", "/usr/lib/systemd/system/docker.socket", false),
                ("1.1.10", "/etc/default/docker", false),
                ("1.1.11", "/etc/docker/daemon.json", true),
                ("1.1.14", "/usr/bin/containerd", false),
                ("1.1.18", "/usr/sbin/runc", true),
            ]
        );
        let absent: Vec<&str> =
            audit.docker_paths.iter().filter(|p| !p.exists).map(|p| p.path.as_str()).collect();
        assert!(
            absent.contains(&"/etc/sysconfig/docker") && absent.contains(&"/usr/bin/containerd-shim"),
            "{absent:?}"
        );
        assert!(audit.watches.contains(&AuditWatch { path: "/etc/docker".to_owned(), recursive: true }));
    }

    #[cfg(unix)]
    #[test]
    fn loaded_rules_win_over_files() {
        let dir = TempDir::new();
        debian(&dir);
        dir.write("etc/audit/audit.rules", "-w /usr/sbin/dockerd -k docker\n");
        let fact = facts(dir.path(), Ok(false), Ok("No rules\n".to_owned()), &cis_paths(None, None));
        let audit = fact.get().expect("readable");
        assert_eq!((audit.rules.clone(), audit.auditd_running), (AuditRules::Loaded, false));
        assert!(audit.docker_paths.iter().all(|p| !p.watched));
    }

    #[test]
    fn no_audit_configuration_means_not_installed() {
        let dir = TempDir::new();
        let fact = facts(dir.path(), Err("hidden".to_owned()), Err("needs root".to_owned()), &[]);
        let audit = fact.get().expect("available");
        assert_eq!((audit.rules.clone(), audit.auditd_running), (AuditRules::NotInstalled, false));
        assert!(audit.watches.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_rules_need_root() {
        use std::os::unix::fs::PermissionsExt;
        if crate::collect::host::user::read_status(Path::new("/")).is_ok_and(|s| s.euid == 0) {
            return; // root reads everything
        }
        let dir = TempDir::new();
        dir.write("etc/audit/audit.rules", "-w /etc/docker\n");
        let etc_audit = dir.path().join("etc/audit");
        std::fs::set_permissions(&etc_audit, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let fact = facts(dir.path(), Ok(true), Err("needs root".to_owned()), &[]);
        std::fs::set_permissions(&etc_audit, std::fs::Permissions::from_mode(0o750)).expect("chmod back");
        assert!(fact.get().is_err_and(|r| r.starts_with("needs root: /etc/audit")), "{fact:?}");
    }

    #[test]
    fn the_running_dockerd_names_its_binary_data_root_and_config() {
        let dockerd = DockerdProcess {
            pid: 1,
            args: ["/opt/docker/dockerd", "--data-root=/srv/docker", "--containerd", "/run/c.sock"]
                .map(str::to_owned)
                .to_vec(),
            uid: Some(0),
        };
        let paths = cis_paths(Some(&dockerd), None);
        let of =
            |id: &str| paths.iter().find(|(cis, _)| *cis == id).map(|(_, p)| p.clone()).unwrap_or_default();
        assert_eq!(of("1.1.3")[0], "/opt/docker/dockerd");
        assert_eq!(of("1.1.5"), ["/srv/docker"]);
        assert_eq!(of("1.1.8"), ["/run/c.sock"]);
        assert_eq!(of("1.1.11"), ["/etc/docker/daemon.json"]);
        assert_eq!(paths.len(), 16);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn run_bounded_kills_a_hung_command() {
        let started = std::time::Instant::now();
        let err = run_bounded(std::process::Command::new("sleep").arg("5"), Duration::from_millis(200))
            .expect_err("times out");
        assert!(err.contains("no answer"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
        let (status, out, _) =
            run_bounded(std::process::Command::new("sh").args(["-c", "seq 1 50000"]), Duration::from_secs(5))
                .expect("runs");
        assert!(status.success() && out.lines().count() == 50000, "a long output does not stall it");
    }
}
