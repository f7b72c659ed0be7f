//! HST003 root-equivalent-user.

use crate::checks::prelude::*;

use super::in_scope;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    let user = match snap.host.user.get() {
        Ok(u) => u,
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the current user could not be examined: {reason}"),
            )];
        }
    };
    let name = user.name.clone().unwrap_or_else(|| format!("uid {}", user.uid));
    let groups = user.root_equivalent_groups();
    let field = "current user: effective and configured groups";
    let expected = "none of docker, lxd, incus-admin, disk, libvirt, root";
    if user.is_root() {
        return vec![Finding::info(
            target,
            "ZeroDock ran as root (euid 0), as expected under sudo or in CI: the groups of the desktop user who launched it are not visible this way (see HST004 for the docker group's members)",
        )
        .evidence("current user: effective uid", user.euid, "non-root for a desktop session")];
    }
    let observed = if user.groups.is_empty() && user.configured_groups.is_empty() {
        "no supplementary groups".to_owned()
    } else {
        format!("effective: {}; configured: {}", user.groups.join(", "), user.configured_groups.join(", "))
    };
    if groups.is_empty() {
        return vec![
            Finding::pass(target, format!("User `{name}` has no root-equivalent group"))
                .evidence(field, observed, expected),
        ];
    }
    let pending: Vec<&str> = groups.iter().copied().filter(|g| !user.groups.iter().any(|e| e == g)).collect();
    let listed = groups.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ");
    let mut message =
        format!("User `{name}` is in {listed}: any program it runs can become root on this host");
    if !pending.is_empty() {
        message.push_str(&format!(" ({} effective after the next login)", pending.join(", ")));
    }
    let rootless = snap.info().is_ok_and(|i| i.is_rootless());
    let only_docker = groups == ["docker"];
    let finding = if rootless && only_docker {
        Finding::warn(
            target,
            format!(
                "{message}, through a rootful daemon's socket; the scanned engine is rootless, so this matters only if a rootful dockerd also runs"
            ),
        )
    } else {
        Finding::fail(target, message)
    };
    let removals: Vec<String> = groups.iter().map(|g| format!("sudo gpasswd -d {name} {g}")).collect();
    let mut finding = finding.evidence(field, observed, expected).fix(
        SnippetKind::Shell,
        format!("Remove `{name}` from the root-equivalent groups (takes effect at the next login)"),
        removals.join("\n"),
    );
    if groups.contains(&"docker") {
        finding = finding.fix(
            SnippetKind::Shell,
            "Keep using Docker without root power: rootless mode",
            "dockerd-rootless-setuptool.sh install\ndocker context use rootless",
        );
    }
    vec![finding]
}

crate::declare_check! {
    /// The user running ZeroDock belongs to a group that is root-equivalent (`docker`, `lxd`, `disk`…).
    ///
    /// ## Rationale
    /// Membership of the `docker` group grants root on the host without a password: `docker run -v
    /// /:/host --privileged …` is all it takes, and any program the user runs (a malicious npm
    /// package, a compromised browser extension, a coding agent) can do it silently. `lxd`,
    /// `incus-admin`, `libvirt` and `disk` are equivalent. It is Docker's documented convenience
    /// step, and the opposite of least privilege: Zero Trust asks to limit user privileges on the
    /// host. Running ZeroDock itself as root (sudo, CI) is expected and reported as information: it
    /// hides the desktop user's groups, which HST004 lists instead.
    ///
    /// ## Evidence
    /// The process's effective uid and supplementary groups (`getgroups`) and the account's
    /// configured groups (`getgrouplist`, so a membership pending the next login counts).
    ///
    /// ## Remediation
    /// Use rootless Docker (`dockerd-rootless-setuptool.sh install`), or run `docker` through `sudo`,
    /// and remove the user from the group: `sudo gpasswd -d USER docker`.
    pub(crate) static CHECK = {
        code: "HST003",
        slug: "root-equivalent-user",
        title: "User in a root-equivalent group",
        category: Host,
        severity: Medium,
        target: Host,
        references: [
            Reference::Cis("1.1.2"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/engine/security/#docker-daemon-attack-surface"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST003` selects its tests")]
mod HST003 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};
    use crate::snapshot::HostUser;

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-user-in-docker", []);

    fn as_user(groups: &[&str], configured: &[&str]) -> Snapshot {
        variant("default", |s| {
            *s.host.user.ok_mut().expect("captured") = HostUser {
                uid: 1000,
                euid: 1000,
                name: Some("alice".into()),
                groups: groups.iter().map(|g| (*g).to_owned()).collect(),
                configured_groups: configured.iter().map(|g| (*g).to_owned()).collect(),
            };
        })
    }

    #[test]
    fn running_as_root_is_information() {
        // The fixtures were captured as root (xtask capture-fixtures starts daemons).
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Info));
    }

    #[test]
    fn docker_group_member_fails_plain_user_passes() {
        // Mutation: a desktop user `alice` (uid 1000) in docker, plus lxd pending the next login.
        let f = findings(&CHECK, &as_user(&["alice", "docker"], &["alice", "docker", "lxd"]));
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].message.contains("`docker`, `lxd`")
                && f[0].message.contains("lxd effective after the next login"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].remediation[0].code, "sudo gpasswd -d alice docker\nsudo gpasswd -d alice lxd");
        // Mutation: the same user without root-equivalent groups.
        assert_eq!(findings(&CHECK, &as_user(&["alice"], &["alice", "sudo"]))[0].status, Status::Pass);
    }
}
