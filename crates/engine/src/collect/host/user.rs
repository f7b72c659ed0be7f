//! The user ZeroDock runs as (uids, effective and configured groups) and the `docker` group.
//!
//! Effective ids come from `/proc/self/status` (no libc calls: `unsafe` is forbidden here). The
//! configured groups come from sysinfo's `getgrouplist`, which is NSS-aware; they differ from the
//! effective ones when a user was added to a group but has not logged in again.

// Only the Linux probes use the parsers; other OSes still compile them for the tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::path::Path;

use super::accounts::Accounts;
use super::{io_reason, under};
use crate::snapshot::{Fact, GroupFacts, HostUser};

/// The ids `/proc/self/status` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProcStatus {
    /// Real uid.
    pub uid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// Parses the `Uid:`, `Gid:` and `Groups:` lines of `/proc/<pid>/status`.
pub(super) fn parse_status(text: &str) -> Option<ProcStatus> {
    let ids = |key: &str| -> Option<Vec<u32>> {
        let line = text.lines().find_map(|l| l.strip_prefix(key))?;
        line.split_whitespace().map(|v| v.parse().ok()).collect()
    };
    let uids = ids("Uid:")?;
    let gids = ids("Gid:")?;
    Some(ProcStatus {
        uid: *uids.first()?,
        euid: *uids.get(1)?,
        egid: *gids.get(1)?,
        groups: ids("Groups:").unwrap_or_default(),
    })
}

/// Reads this process's ids under `root`.
pub(super) fn read_status(root: &Path) -> Result<ProcStatus, String> {
    let path = under(root, "/proc/self/status");
    let text = std::fs::read_to_string(&path).map_err(|e| io_reason(Path::new("/proc/self/status"), &e))?;
    parse_status(&text).ok_or_else(|| "/proc/self/status has no Uid:/Gid: lines".to_owned())
}

/// The user this process runs as.
#[cfg(target_os = "linux")]
pub(super) fn probe(root: &Path, accounts: &Accounts) -> Fact<HostUser> {
    match effective(root, accounts) {
        Ok(mut user) => {
            user.configured_groups = configured_groups(user.uid, user.name.as_deref(), accounts);
            Fact::available(user)
        }
        Err(reason) => Fact::unavailable(reason),
    }
}

/// The user this process runs as.
#[cfg(not(target_os = "linux"))]
pub(super) fn probe(_root: &Path, _accounts: &Accounts) -> Fact<HostUser> {
    Fact::unavailable("not on this OS: user and group detection reads /proc (Linux only so far)")
}

/// Everything but the configured groups, which need NSS.
fn effective(root: &Path, accounts: &Accounts) -> Result<HostUser, String> {
    let status = read_status(root)?;
    // The effective gid counts as much as a supplementary group for access to the socket.
    let mut groups: Vec<String> =
        std::iter::once(status.egid).chain(status.groups).map(|g| accounts.group_label(g)).collect();
    groups.sort_unstable();
    groups.dedup();
    Ok(HostUser {
        uid: status.uid,
        euid: status.euid,
        name: accounts.user_name(status.uid),
        groups,
        configured_groups: Vec::new(),
    })
}

/// The groups the account of `uid` is configured with: sysinfo's `getgrouplist` when sysinfo
/// lists the account, else the files.
#[cfg(target_os = "linux")]
fn configured_groups(uid: u32, name: Option<&str>, accounts: &Accounts) -> Vec<String> {
    if let Ok(users) = sysinfo::Users::new_with_refreshed_list()
        && let Some(user) = users.iter().find(|u| **u.id() == uid)
    {
        let mut names: Vec<String> = user.groups().iter().map(|g| g.name().to_owned()).collect();
        names.sort_unstable();
        names.dedup();
        return names;
    }
    let primary = accounts.users.as_ref().ok().and_then(|us| us.iter().find(|u| u.uid == uid)).map(|u| u.gid);
    name.map(|n| accounts.configured_groups(n, primary)).unwrap_or_default()
}

/// The `docker` group and everyone in it; `None` when the group does not exist.
pub(super) fn docker_group(accounts: &Accounts) -> Fact<Option<GroupFacts>> {
    match &accounts.groups {
        Ok(groups) => Fact::available(groups.iter().find(|g| g.name == "docker").map(|g| GroupFacts {
            name: g.name.clone(),
            gid: g.gid,
            members: accounts.members_of(g),
        })),
        Err(reason) => Fact::unavailable(format!("the docker group could not be read: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::accounts::tests::fake_accounts;
    use crate::collect::host::testing::TempDir;

    const STATUS: &str = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nUid:\t1000\t1000\t1000\t1000\n\
                          Gid:\t1000\t1000\t1000\t1000\nFDSize:\t256\nGroups:\t27 998 4242 \nNStgid:\t1\n";

    #[test]
    fn parses_ids_and_groups() {
        let status = parse_status(STATUS).expect("parses");
        assert_eq!(status, ProcStatus { uid: 1000, euid: 1000, egid: 1000, groups: vec![27, 998, 4242] });
        let no_groups = parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n").expect("parses");
        assert!(no_groups.groups.is_empty());
        assert_eq!(parse_status("Name: x\n"), None);
    }

    #[test]
    fn effective_groups_resolve_to_names() {
        let dir = TempDir::new();
        fake_accounts(&dir);
        dir.write("/proc/self/status", STATUS);
        let user = effective(dir.path(), &Accounts::load(dir.path())).expect("reads");
        assert_eq!(user.name.as_deref(), Some("alice"));
        assert!(!user.is_root());
        assert_eq!(user.groups, ["4242", "alice", "docker", "sudo"]);
        assert_eq!(user.root_equivalent_groups(), ["docker"]);
    }

    #[test]
    fn missing_status_is_a_reason() {
        let dir = TempDir::new();
        let err = effective(dir.path(), &Accounts::load(dir.path())).expect_err("no /proc");
        assert!(err.contains("/proc/self/status"), "{err}");
    }

    #[test]
    fn docker_group_members_include_primary_users() {
        let dir = TempDir::new();
        fake_accounts(&dir);
        let fact = docker_group(&Accounts::load(dir.path()));
        let group = fact.ok().cloned().flatten().expect("docker group exists");
        assert_eq!(
            group,
            GroupFacts {
                name: "docker".into(),
                gid: 998,
                members: vec!["alice".into(), "bob".into(), "carol".into()]
            }
        );

        dir.write("/etc/group", "root:x:0:\n");
        assert_eq!(docker_group(&Accounts::load(dir.path())), Fact::available(None));
    }

    #[test]
    fn this_process_has_a_user() {
        let root = Path::new("/");
        let fact = probe(root, &Accounts::load(root));
        if cfg!(target_os = "linux") {
            let user = fact.get().expect("reads /proc/self/status");
            assert!(!user.groups.is_empty());
        }
    }
}
