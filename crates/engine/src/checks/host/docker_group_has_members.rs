//! HST004 docker-group-members.

use crate::checks::prelude::*;

use super::in_scope;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    if let Some(na) = podman_not_applicable(
        snap,
        target.clone(),
        "the `docker` group opens dockerd's socket, not Podman's (root's, or the rootless user's, mode 0600)",
    ) {
        return na;
    }
    let finding = match snap.host.docker_group.get() {
        Err(reason) => Finding::unknown(target, format!("the docker group could not be read: {reason}")),
        Ok(None) => Finding::pass(
            target,
            "There is no `docker` group: only root (or the rootless owner) controls the daemon",
        )
        .evidence("/etc/group: docker", "absent", "no members"),
        Ok(Some(group)) if group.members.is_empty() => {
            Finding::pass(target, "The `docker` group has no members").evidence(
                format!("/etc/group: {} (gid {})", group.name, group.gid),
                "no members",
                "no members",
            )
        }
        Ok(Some(group)) if rootless_engine(snap).is_some() => {
            // A rootful-only risk: the rootless daemon's socket belongs to its user.
            let members = group.members.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
            Finding::info(
                target,
                format!(
                    "{members} in the `docker` group would be root through a rootful dockerd's socket; the scanned engine is rootless, its socket belongs to its user and the group does not open it"
                ),
            )
            .evidence(format!("/etc/group: {} (gid {})", group.name, group.gid), group.members.join(", "), "no members")
        }
        Ok(Some(group)) => {
            let members = group.members.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
            Finding::warn(
                target,
                format!(
                    "{} user(s) can control Docker, and so are root on this host: {members}",
                    group.members.len()
                ),
            )
            .evidence(
                format!("/etc/group: {} (gid {})", group.name, group.gid),
                group.members.join(", "),
                "only trusted administrators, or none (rootless Docker)",
            )
            .fix(
                SnippetKind::Shell,
                "Remove every member who should not be root (takes effect at their next login)",
                group
                    .members
                    .iter()
                    .map(|m| format!("sudo gpasswd -d {m} {}", group.name))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }
    };
    vec![finding]
}

crate::declare_check! {
    /// Users in the `docker` group, each of whom is root-equivalent on this host.
    ///
    /// ## Rationale
    /// The Docker socket is owned by the `docker` group, and whoever can use the socket can start a
    /// privileged container that mounts `/`: every member is effectively root, without a password
    /// or an audit trail of sudo. The benchmark cannot know who is trusted, so it lists the members
    /// for review (a warning when there are any). Zero Trust grants this power explicitly, to as few
    /// accounts as possible.
    ///
    /// ## Evidence
    /// The `docker` group in the group database (`getent group docker`): its explicit members and
    /// the users whose primary group it is.
    ///
    /// ## Remediation
    /// Remove members who do not administer Docker: `sudo gpasswd -d USER docker`. Give developers
    /// rootless Docker instead (`dockerd-rootless-setuptool.sh install`).
    pub(crate) static CHECK = {
        code: "HST004",
        slug: "docker-group-has-members",
        title: "Members of the docker group",
        category: Host,
        severity: Low,
        target: Host,
        references: [
            Reference::Cis("1.1.2"),
            Reference::Nist("tenet 6: authorisation strictly enforced before access"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/engine/install/linux-postinstall/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST004` selects its tests")]
mod HST004 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-user-in-docker", []);

    #[test]
    fn empty_group_passes_members_warn() {
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::Pass);
        // Mutation: two users were added to the docker group.
        let snap = variant("default", |s| {
            s.host.docker_group.ok_mut().expect("captured").as_mut().expect("captured").members =
                vec!["alice".into(), "ci".into()];
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert_eq!(f[0].remediation[0].code, "sudo gpasswd -d alice docker\nsudo gpasswd -d ci docker");
        // Mutation: no docker group exists.
        let snap = variant("default", |s| *s.host.docker_group.ok_mut().expect("captured") = None);
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }
}
