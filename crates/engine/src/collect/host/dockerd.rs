//! The running `dockerd` serving the endpoint, with its command line (flags override daemon.json
//! and are invisible to the Engine API: host-detection.md §4).
//!
//! Several daemons may run on one machine (tests run private ones on `/tmp/…/docker.sock`), so
//! the one whose `-H`/`--host` (or daemon.json `hosts`) names the endpoint's socket is chosen; the
//! default socket falls back to a dockerd without `-H` or with systemd's `-H fd://`.

// Only the Linux probes use the parsers; other OSes still compile them for the tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::path::{Path, PathBuf};

use super::daemon_json::{self, Env};
use super::processes::ProcessTable;
use super::{Inputs, redact_userinfo};
use crate::snapshot::secrets::{REDACTED, log_opt_value};
use crate::snapshot::{DockerdProcess, Fact};

/// Flags whose value may carry proxy credentials: redacted whole, as daemon.json's `proxies`.
const PROXY_FLAGS: [&str; 3] = ["--http-proxy", "--https-proxy", "--no-proxy"];

/// dockerd's command line with credentials removed before it enters the snapshot: values of
/// `--log-opt` keys outside the allowlist (`splunk-token=…`), proxy flags, and URL userinfo in any
/// argument. Both `--flag=value` and `--flag value` spellings are handled.
pub(super) fn redact_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut pending: Option<&str> = None;
    for arg in args {
        if let Some(flag) = pending.take() {
            out.push(redact_value(flag, arg));
            continue;
        }
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        let sensitive = flag == "--log-opt" || PROXY_FLAGS.contains(&flag);
        match arg.split_once('=') {
            Some((flag, value)) if sensitive => out.push(format!("{flag}={}", redact_value(flag, value))),
            None if sensitive => {
                pending = Some(flag);
                out.push(arg.clone());
            }
            _ => out.push(redact_userinfo(arg)),
        }
    }
    out
}

/// The value of a sensitive flag, redacted.
fn redact_value(flag: &str, value: &str) -> String {
    if flag != "--log-opt" {
        return REDACTED.to_owned();
    }
    match value.split_once('=') {
        Some((key, v)) => format!("{key}={}", redact_userinfo(&log_opt_value(key, v.to_owned()))),
        None => REDACTED.to_owned(),
    }
}

/// The sockets dockerd listens on when given no `-H` (`/var/run` is normally a link to `/run`).
const DEFAULT_SOCKETS: [&str; 2] = ["/var/run/docker.sock", "/run/docker.sock"];

/// The dockerd serving the endpoint, among the processes of `table`; `None` when none visible
/// here serves it.
#[cfg(target_os = "linux")]
pub(super) fn probe(inputs: &Inputs, table: &Result<ProcessTable, String>) -> Fact<Option<DockerdProcess>> {
    if !inputs.local {
        return Fact::available(None);
    }
    let candidates = match table {
        Ok(table) => list(table),
        Err(reason) => return Fact::unavailable(reason.clone()),
    };
    let env = Env::current(inputs.home.clone());
    let chosen =
        inputs.socket_path.as_deref().and_then(|socket| select(&candidates, socket, |p| hosts(p, &env)));
    if chosen.is_none()
        && let Ok(ProcessTable { hidden: Some(reason), .. }) = table
    {
        return Fact::unavailable(reason.clone());
    }
    Fact::available(chosen.cloned())
}

/// The dockerd serving the endpoint: there is no dockerd to see on this OS (Docker Desktop runs
/// it in a VM).
#[cfg(not(target_os = "linux"))]
pub(super) fn probe(_inputs: &Inputs, _table: &Result<ProcessTable, String>) -> Fact<Option<DockerdProcess>> {
    Fact::available(None)
}

/// Every `dockerd` process of the table, by pid.
fn list(table: &ProcessTable) -> Vec<DockerdProcess> {
    table
        .named("dockerd")
        .map(|p| {
            let args = if p.args.is_empty() { vec!["dockerd".to_owned()] } else { redact_args(&p.args) };
            DockerdProcess { pid: p.pid, args, uid: p.uid }
        })
        .collect()
}

/// What a dockerd listens on: its `-H` flags, else the `hosts` of its daemon.json.
fn hosts(process: &DockerdProcess, env: &Env) -> Vec<String> {
    let flags = process.flag_values(&["-H", "--host"]);
    if !flags.is_empty() {
        return flags;
    }
    daemon_json::config_file_of(process, env)
        .iter()
        .map(|c| daemon_json::configured_hosts(&c.path))
        .find(|h| !h.is_empty())
        .unwrap_or_default()
}

/// Picks the dockerd serving `socket` among `candidates` (in pid order); `hosts_of` tells what
/// each listens on.
pub(super) fn select<'a>(
    candidates: &'a [DockerdProcess],
    socket: &Path,
    hosts_of: impl Fn(&DockerdProcess) -> Vec<String>,
) -> Option<&'a DockerdProcess> {
    let listening: Vec<(&DockerdProcess, Vec<String>)> =
        candidates.iter().map(|p| (p, hosts_of(p))).collect();
    if let Some((process, _)) =
        listening.iter().find(|(_, hosts)| hosts.iter().any(|h| names_socket(h, socket)))
    {
        return Some(process);
    }
    let listens_on_unix = |hosts: &[String]| hosts.iter().any(|h| unix_path(h).is_some());
    if DEFAULT_SOCKETS.iter().any(|d| same_path(socket, Path::new(d))) {
        return listening
            .iter()
            .find(|(_, hosts)| hosts.is_empty() || hosts.iter().any(|h| h.starts_with("fd://")))
            .map(|(p, _)| *p);
    }
    // Rootless dockerd listens on $XDG_RUNTIME_DIR/docker.sock: its own environment says where
    // (readable by root and by its user), else systemd's /run/user/UID.
    listening
        .iter()
        .find(|(p, hosts)| {
            !listens_on_unix(hosts)
                && p.uid.is_some_and(|uid| {
                    uid != 0
                        && (same_path(socket, &PathBuf::from(format!("/run/user/{uid}/docker.sock")))
                            || super::processes::process_env(p.pid, "XDG_RUNTIME_DIR")
                                .is_some_and(|dir| same_path(socket, &Path::new(&dir).join("docker.sock"))))
                })
        })
        .map(|(p, _)| *p)
}

/// The socket path of a `-H` value (`unix:///x` or a bare `/x`).
fn unix_path(host: &str) -> Option<&Path> {
    host.strip_prefix("unix://").or_else(|| host.starts_with('/').then_some(host)).map(Path::new)
}

fn names_socket(host: &str, socket: &Path) -> bool {
    unix_path(host).is_some_and(|p| same_path(p, socket))
}

/// Equal as written, or once symlinks (`/var/run` → `/run`) are resolved.
fn same_path(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: u32, args: &[&str], uid: u32) -> DockerdProcess {
        DockerdProcess { pid, args: args.iter().map(|a| (*a).to_owned()).collect(), uid: Some(uid) }
    }

    fn flags_only(p: &DockerdProcess) -> Vec<String> {
        p.flag_values(&["-H", "--host"])
    }

    fn table() -> Vec<DockerdProcess> {
        vec![
            process(
                100,
                &["/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"],
                0,
            ),
            process(200, &["dockerd", "--data-root", "/tmp/zd/a", "-H", "unix:///tmp/zd/a/docker.sock"], 0),
            process(300, &["dockerd", "--host=/tmp/zd/b/docker.sock", "-H", "tcp://127.0.0.1:23750"], 0),
            process(400, &["dockerd"], 1000),
        ]
    }

    fn pid_for(socket: &str) -> Option<u32> {
        select(&table(), Path::new(socket), flags_only).map(|p| p.pid)
    }

    #[test]
    fn the_dockerd_naming_the_socket_wins() {
        assert_eq!(pid_for("/tmp/zd/a/docker.sock"), Some(200));
        assert_eq!(pid_for("/tmp/zd/b/docker.sock"), Some(300));
    }

    #[test]
    fn the_default_socket_falls_back_to_systemd_or_no_host_flag() {
        assert_eq!(pid_for("/var/run/docker.sock"), Some(100));
        assert_eq!(pid_for("/run/docker.sock"), Some(100));
        let plain = vec![process(7, &["dockerd", "--debug"], 0)];
        assert_eq!(select(&plain, Path::new("/var/run/docker.sock"), flags_only).map(|p| p.pid), Some(7));
    }

    #[test]
    fn rootless_dockerd_serves_its_runtime_dir_socket() {
        assert_eq!(pid_for("/run/user/1000/docker.sock"), Some(400));
        assert_eq!(pid_for("/run/user/1001/docker.sock"), None);
    }

    #[test]
    fn an_unknown_socket_has_no_dockerd() {
        assert_eq!(pid_for("/tmp/other/docker.sock"), None);
        let private_only = vec![table()[1].clone()];
        assert_eq!(select(&private_only, Path::new("/var/run/docker.sock"), flags_only), None);
    }

    #[test]
    fn daemon_json_hosts_count_when_there_is_no_host_flag() {
        let configured = vec![process(9, &["dockerd", "--config-file", "/etc/zd.json"], 0)];
        let from_json = |_: &DockerdProcess| vec!["unix:///tmp/zd/c.sock".to_owned()];
        assert_eq!(select(&configured, Path::new("/tmp/zd/c.sock"), from_json).map(|p| p.pid), Some(9));
    }

    #[test]
    fn credentials_in_the_command_line_are_redacted() {
        let args: Vec<String> = [
            "dockerd",
            "--log-opt",
            "splunk-token=zd-planted-1",
            "--log-opt=splunk-url=https://zd-planted-2@splunk:8088",
            "--log-opt",
            "max-size=10m",
            "--log-opt=syslog-address=tcp://u:zd-planted-3@10.0.0.1:514",
            "--http-proxy",
            "http://u:zd-planted-4@proxy:3128",
            "--https-proxy=http://proxy:3128",
            "--no-proxy",
            "internal.zd-planted-5",
            "--registry-mirror=https://bob:zd-planted-6@mirror.example",
            "-H",
            "unix:///tmp/zd/a.sock",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        let redacted = redact_args(&args);
        assert_eq!(
            redacted,
            [
                "dockerd",
                "--log-opt",
                "splunk-token=<redacted>",
                "--log-opt=splunk-url=<redacted>",
                "--log-opt",
                "max-size=10m",
                "--log-opt=syslog-address=tcp://<redacted>@10.0.0.1:514",
                "--http-proxy",
                "<redacted>",
                "--https-proxy=<redacted>",
                "--no-proxy",
                "<redacted>",
                "--registry-mirror=https://<redacted>@mirror.example",
                "-H",
                "unix:///tmp/zd/a.sock",
            ]
        );
        assert!(!redacted.concat().contains("zd-planted"));
    }

    #[test]
    fn lists_dockerd_processes_of_the_table() {
        use super::super::processes::ProcessInfo;
        let info = |pid, name: &str, args: &[&str]| ProcessInfo {
            pid,
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            uid: Some(0),
        };
        let table = ProcessTable {
            processes: vec![
                info(1, "systemd", &["/sbin/init"]),
                info(5, "dockerd", &[]),
                info(9, "dockerd", &["/usr/sbin/dockerd"]),
            ],
            hidden: None,
        };
        let found = list(&table);
        assert_eq!(found.iter().map(|p| p.pid).collect::<Vec<_>>(), [5, 9]);
        assert_eq!(found[0].args, ["dockerd"]);
    }
}
