//! The running `dockerd` serving the endpoint, with its command line (flags override daemon.json
//! and are invisible to the Engine API: host-detection.md §4).
//!
//! Several daemons may run on one machine (tests run private ones on `/tmp/…/docker.sock`), so
//! the one whose `-H`/`--host` (or daemon.json `hosts`) names the endpoint's socket is chosen; the
//! default socket falls back to a dockerd without `-H` or with systemd's `-H fd://`.

// Only the Linux probes use the parsers; other OSes still compile them for the tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::path::{Path, PathBuf};

use super::Inputs;
use super::daemon_json::{self, Env};
use crate::snapshot::{DockerdProcess, Fact};

/// The sockets dockerd listens on when given no `-H` (`/var/run` is normally a link to `/run`).
const DEFAULT_SOCKETS: [&str; 2] = ["/var/run/docker.sock", "/run/docker.sock"];

/// The dockerd serving the endpoint; `None` when none visible here serves it.
#[cfg(target_os = "linux")]
pub(super) fn probe(inputs: &Inputs) -> Fact<Option<DockerdProcess>> {
    if !inputs.local {
        return Fact::available(None);
    }
    let candidates = match list() {
        Ok(candidates) => candidates,
        Err(reason) => return Fact::unavailable(reason),
    };
    let env = Env::current(inputs.home.clone());
    let chosen =
        inputs.socket_path.as_deref().and_then(|socket| select(&candidates, socket, |p| hosts(p, &env)));
    if chosen.is_none()
        && let Some(reason) = hidden_processes()
    {
        return Fact::unavailable(reason);
    }
    Fact::available(chosen.cloned())
}

/// The dockerd serving the endpoint: there is no dockerd to see on this OS (Docker Desktop runs
/// it in a VM).
#[cfg(not(target_os = "linux"))]
pub(super) fn probe(_inputs: &Inputs) -> Fact<Option<DockerdProcess>> {
    Fact::available(None)
}

/// Every `dockerd` process (threads excluded), by pid.
#[cfg(target_os = "linux")]
fn list() -> Result<Vec<DockerdProcess>, String> {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
    // sysinfo reports an unreadable /proc as an empty table; say why instead.
    if let Err(e) = std::fs::read_dir("/proc") {
        return Err(format!(
            "the process table could not be read: {}",
            super::io_reason(Path::new("/proc"), &e)
        ));
    }
    let mut system = System::new().map_err(|e| format!("the process table could not be read: {e}"))?;
    // A plain refresh fills neither cmd nor user, and `nothing()` still lists every thread as a
    // process (host-detection.md §8.1).
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .with_cmd(UpdateKind::OnlyIfNotSet)
            .with_user(UpdateKind::OnlyIfNotSet)
            .without_tasks(),
    );
    let mut found: Vec<DockerdProcess> = system
        .processes_by_exact_name("dockerd".as_ref())
        .filter(|p| p.thread_kind().is_none())
        .map(|p| {
            let mut args: Vec<String> = p.cmd().iter().map(|a| a.to_string_lossy().into_owned()).collect();
            if args.is_empty() {
                args.push("dockerd".to_owned());
            }
            DockerdProcess { pid: p.pid().as_u32(), args, uid: p.user_id().map(|u| **u) }
        })
        .collect();
    found.sort_by_key(|p| p.pid);
    Ok(found)
}

/// Why other users' processes may be invisible: `/proc` mounted with `hidepid` and not root.
#[cfg(target_os = "linux")]
fn hidden_processes() -> Option<String> {
    let root = Path::new("/");
    if super::user::read_status(root).is_ok_and(|s| s.euid == 0) {
        return None;
    }
    let mounts = super::storage::parse_mountinfo(&std::fs::read_to_string("/proc/self/mountinfo").ok()?);
    let proc_mount = super::storage::mount_of(&mounts, Path::new("/proc")).filter(|m| m.fstype == "proc")?;
    let hidepid = proc_mount.super_options.split(',').find_map(|o| o.strip_prefix("hidepid="))?;
    (!matches!(hidepid, "0" | "off")).then(|| {
        format!(
            "/proc is mounted with hidepid={hidepid}: other users' processes, dockerd included, are hidden; run \
             zerodock with sudo to see them"
        )
    })
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
    // Rootless dockerd listens on $XDG_RUNTIME_DIR/docker.sock, i.e. /run/user/UID, by default.
    listening
        .iter()
        .find(|(p, hosts)| {
            !listens_on_unix(hosts)
                && p.uid.is_some_and(|uid| {
                    uid != 0 && same_path(socket, &PathBuf::from(format!("/run/user/{uid}/docker.sock")))
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

    #[cfg(target_os = "linux")]
    #[test]
    fn lists_processes_without_threads() {
        // Whatever runs here, the table is readable and has no duplicate pids.
        let found = list().expect("/proc is readable");
        let mut pids: Vec<u32> = found.iter().map(|p| p.pid).collect();
        pids.dedup();
        assert_eq!(pids.len(), found.len());
        assert!(found.iter().all(|p| !p.args.is_empty()));
    }
}
