//! The local account databases, `/etc/passwd` and `/etc/group`, read once per scan: uid/gid to
//! name, group members, and users whose primary group a group is.
//!
//! Parsed directly rather than through sysinfo because sysinfo's user list skips accounts with a
//! `/bin/false` shell and uids ≥ 65536, and has no member lists; accounts that live only in LDAP or
//! another NSS source are not seen, so names are optional everywhere they are used.

use std::path::Path;

use super::{io_reason, under};

/// One `/etc/passwd` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// One `/etc/group` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// Both databases, each or the reason it could not be read.
#[derive(Debug, Clone)]
pub(super) struct Accounts {
    pub users: Result<Vec<PasswdEntry>, String>,
    pub groups: Result<Vec<GroupEntry>, String>,
}

impl Accounts {
    /// Reads `/etc/passwd` and `/etc/group` under `root`.
    pub fn load(root: &Path) -> Self {
        let read = |abs: &str| {
            let path = under(root, abs);
            std::fs::read_to_string(&path).map_err(|e| io_reason(Path::new(abs), &e))
        };
        Accounts {
            users: read("/etc/passwd").map(|t| parse_passwd(&t)),
            groups: read("/etc/group").map(|t| parse_group(&t)),
        }
    }

    /// The name of a uid, when the passwd file has it.
    pub fn user_name(&self, uid: u32) -> Option<String> {
        self.users.as_ref().ok()?.iter().find(|u| u.uid == uid).map(|u| u.name.clone())
    }

    /// The name of a gid, when the group file has it.
    pub fn group_name(&self, gid: u32) -> Option<String> {
        self.group(gid).map(|g| g.name.clone())
    }

    /// The group with this gid.
    pub fn group(&self, gid: u32) -> Option<&GroupEntry> {
        self.groups.as_ref().ok()?.iter().find(|g| g.gid == gid)
    }

    /// A gid's name, or the number when it does not resolve (so lists stay complete).
    pub fn group_label(&self, gid: u32) -> String {
        self.group_name(gid).unwrap_or_else(|| gid.to_string())
    }

    /// Everyone in a group: listed members plus users whose primary group it is. Sorted, unique.
    pub fn members_of(&self, group: &GroupEntry) -> Vec<String> {
        let mut members = group.members.clone();
        if let Ok(users) = &self.users {
            members.extend(users.iter().filter(|u| u.gid == group.gid).map(|u| u.name.clone()));
        }
        members.sort_unstable();
        members.dedup();
        members
    }

    /// The groups an account is configured with in the files: its primary group plus every group
    /// listing it. This is what `getgrouplist` returns for accounts that live in the files.
    pub fn configured_groups(&self, user: &str, primary_gid: Option<u32>) -> Vec<String> {
        let mut names: Vec<String> = primary_gid.map(|g| self.group_label(g)).into_iter().collect();
        if let Ok(groups) = &self.groups {
            names.extend(
                groups.iter().filter(|g| g.members.iter().any(|m| m == user)).map(|g| g.name.clone()),
            );
        }
        names.sort_unstable();
        names.dedup();
        names
    }
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let _password = fields.next()?;
            let uid = fields.next()?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            // NIS compat lines (`+user`, `-user`) are not accounts.
            (!name.is_empty() && !name.starts_with(['+', '-'])).then(|| PasswdEntry {
                name: name.to_owned(),
                uid,
                gid,
            })
        })
        .collect()
}

fn parse_group(text: &str) -> Vec<GroupEntry> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let _password = fields.next()?;
            let gid = fields.next()?.parse().ok()?;
            let members = fields
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect();
            (!name.is_empty() && !name.starts_with(['+', '-'])).then(|| GroupEntry {
                name: name.to_owned(),
                gid,
                members,
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;

    /// A small account tree: alice (1000) is listed in docker, bob's primary group is docker.
    pub fn fake_accounts(dir: &TempDir) {
        dir.write(
            "/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\n\
             alice:x:1000:1000:Alice:/home/alice:/bin/bash\n\
             bob:x:1001:998::/home/bob:/bin/sh\n\
             +nis::::::\n\
             broken line\n",
        );
        dir.write(
            "/etc/group",
            "# comment\n\
             root:x:0:\n\
             sudo:x:27:alice\n\
             alice:x:1000:\n\
             docker:x:998:alice, carol\n",
        );
    }

    #[test]
    fn parses_both_files_and_skips_junk() {
        let dir = TempDir::new();
        fake_accounts(&dir);
        let accounts = Accounts::load(dir.path());
        assert_eq!(accounts.users.as_ref().map(Vec::len), Ok(3));
        assert_eq!(accounts.user_name(1001).as_deref(), Some("bob"));
        assert_eq!(accounts.group_name(27).as_deref(), Some("sudo"));
        assert_eq!(accounts.group_label(4242), "4242");
        let docker = accounts.group(998).expect("docker group");
        assert_eq!(docker.members, ["alice", "carol"]);
        assert_eq!(accounts.members_of(docker), ["alice", "bob", "carol"]);
        assert_eq!(accounts.configured_groups("alice", Some(1000)), ["alice", "docker", "sudo"]);
    }

    #[test]
    fn a_missing_file_is_a_reason() {
        let dir = TempDir::new();
        let accounts = Accounts::load(dir.path());
        assert_eq!(accounts.groups, Err("/etc/group does not exist".to_owned()));
        assert_eq!(accounts.user_name(0), None);
    }
}
