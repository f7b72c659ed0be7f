//! CTR012 writable-root-filesystem.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.readonly_rootfs {
            Finding::pass(target, format!("Container `{}` has a read-only root filesystem", c.name)).evidence(
                "HostConfig.ReadonlyRootfs",
                true,
                "true",
            )
        } else {
            Finding::fail(
                target,
                format!("Container `{}` has a writable root filesystem{}", c.name, state_note(c)),
            )
            .evidence("HostConfig.ReadonlyRootfs", false, "true")
            .fixes(container_fixes(
                c,
                "--read-only --tmpfs /tmp",
                "read_only: true\ntmpfs:\n  - /tmp  # and any other path it must write; data goes to volumes",
            ))
        }
    })
}

crate::declare_check! {
    /// A container's root filesystem is writable.
    ///
    /// ## Rationale
    /// A container should be an immutable instance of its image: data belongs in volumes, scratch
    /// files in a tmpfs. A writable root filesystem lets an intruder drop tools, replace binaries
    /// and libraries or plant persistence that survives restarts of the same container, and lets
    /// the running container silently drift from the image that was reviewed and scanned.
    ///
    /// ## Evidence
    /// `HostConfig.ReadonlyRootfs` of every container in every state (`docker inspect -f '{{.HostConfig.ReadonlyRootfs}}'`).
    ///
    /// ## Remediation
    /// Recreate the container with `--read-only`, adding `--tmpfs /tmp` (and `--tmpfs` for any other
    /// path it must write, e.g. `/run`) and volumes for its data. In Compose: `read_only: true` and
    /// `tmpfs:`. Run it once read-only in a test environment to find the paths it writes.
    pub(crate) static CHECK = {
        code: "CTR012",
        slug: "writable-root-filesystem",
        title: "Writable container root filesystem",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.13"),
            Reference::Nist("tenet 5: integrity and security posture of assets"),
            Reference::Seed("Zero Trust §Immutable containers"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#read-only"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR012` selects its tests")]
mod CTR012 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn writable_root_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-exited"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
