//! One scan of the process table, shared by the probes that look for processes (dockerd, auditd,
//! monitoring agents), so `/proc` is walked once per collection.

// Only the Linux scan builds a table; other OSes still compile the type for the probes' tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::path::Path;

/// A process as the probes need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ProcessInfo {
    /// Process id.
    pub pid: u32,
    /// The kernel's name for it (`/proc/PID/stat` comm: at most 15 bytes, truncated).
    pub name: String,
    /// Command line (argv); empty for kernel threads and when unreadable.
    pub args: Vec<String>,
    /// User id it runs as, when visible.
    pub uid: Option<u32>,
}

impl ProcessInfo {
    /// The file name of `argv[0]` (`/usr/bin/falcon-sensor` → `falcon-sensor`).
    pub fn argv0_basename(&self) -> Option<&str> {
        let first = self.args.first()?;
        // Some daemons rewrite argv[0] with a title after a colon or space ("fluentd: worker").
        let program = first.split([' ', ':']).next().unwrap_or(first);
        Path::new(program).file_name()?.to_str().filter(|s| !s.is_empty())
    }
}

/// The processes visible to ZeroDock (threads excluded), by pid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ProcessTable {
    /// Every process, sorted by pid.
    pub processes: Vec<ProcessInfo>,
    /// Why other users' processes may be missing (`/proc` mounted with `hidepid`, not root).
    pub hidden: Option<String>,
}

impl ProcessTable {
    /// Processes whose kernel name is exactly `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ProcessInfo> + 'a {
        self.processes.iter().filter(move |p| p.name == name)
    }
}

/// Reads the process table; the reason when `/proc` cannot be read.
#[cfg(target_os = "linux")]
pub(super) fn scan() -> Result<ProcessTable, String> {
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
    let mut processes: Vec<ProcessInfo> = system
        .processes()
        .values()
        .filter(|p| p.thread_kind().is_none())
        .map(|p| ProcessInfo {
            pid: p.pid().as_u32(),
            name: p.name().to_string_lossy().into_owned(),
            args: p.cmd().iter().map(|a| a.to_string_lossy().into_owned()).collect(),
            uid: p.user_id().map(|u| **u),
        })
        .collect();
    processes.sort_by_key(|p| p.pid);
    Ok(ProcessTable { processes, hidden: hidden_processes() })
}

/// The process table: not scanned on this OS (Docker Desktop runs dockerd in a VM, and the
/// agent heuristics are Linux process names).
#[cfg(not(target_os = "linux"))]
pub(super) fn scan() -> Result<ProcessTable, String> {
    Err("the process table is only inspected on Linux".to_owned())
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
            "/proc is mounted with hidepid={hidepid}: other users' processes are hidden; run zerodock with \
             sudo to see them"
        )
    })
}

/// One variable of a process's environment (`/proc/PID/environ`), read for a rootless dockerd's
/// `XDG_RUNTIME_DIR`, `HOME` and `XDG_CONFIG_HOME` only: the value is used to find its socket
/// and daemon.json, never stored (an environment may hold secrets). `None` when unreadable (another
/// user's process, not Linux) or unset.
pub(super) fn process_env(pid: u32, key: &str) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    raw.split(|b| *b == 0).find_map(|entry| {
        let entry = std::str::from_utf8(entry).ok()?;
        let (k, v) = entry.split_once('=')?;
        (k == key && !v.is_empty()).then(|| v.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(name: &str, args: &[&str]) -> ProcessInfo {
        ProcessInfo {
            pid: 1,
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            uid: None,
        }
    }

    #[test]
    fn argv0_basename_strips_the_directory_and_a_process_title() {
        assert_eq!(process("x", &["/usr/bin/falcon-sensor", "-d"]).argv0_basename(), Some("falcon-sensor"));
        assert_eq!(process("x", &["fluentd: worker 0"]).argv0_basename(), Some("fluentd"));
        assert_eq!(process("kthreadd", &[]).argv0_basename(), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn scans_processes_without_threads() {
        let table = scan().expect("/proc is readable");
        let mut pids: Vec<u32> = table.processes.iter().map(|p| p.pid).collect();
        pids.dedup();
        assert_eq!(pids.len(), table.processes.len());
        let me = std::process::id();
        assert!(table.processes.iter().any(|p| p.pid == me), "this test's own process is listed");
    }
}
