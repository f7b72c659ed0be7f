//! CTR030 container-cgroup-parent-set.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.cgroup_parent.is_empty() {
            return Finding::pass(
                target,
                format!("Container `{}` runs under the daemon's cgroup parent", c.name),
            )
            .evidence(
                "HostConfig.CgroupParent",
                "(empty: the daemon's default)",
                "empty, unless chosen on purpose",
            );
        }
        Finding::manual(
            target,
            format!(
                "Container `{}` runs under cgroup parent `{}`: confirm that cgroup is meant to hold it and limits it",
                c.name, c.cgroup_parent
            ),
        )
        .evidence("HostConfig.CgroupParent", &c.cgroup_parent, "empty, unless chosen on purpose")
        .fixes(super::recreate_without(
            c,
            &format!("--cgroup-parent {}", c.cgroup_parent),
            "",
            "# remove cgroup_parent:",
        ))
    })
}

crate::declare_check! {
    /// A container runs under a cgroup parent of its own: a person must confirm it is intended.
    ///
    /// ## Rationale
    /// The cgroup parent decides which resource limits and accounting apply to a container.
    /// `--cgroup-parent` moves one container out of the daemon's parent, possibly beside the
    /// host's own services or into a cgroup with no limits, where it can starve them. It can also
    /// be a deliberate placement in a slice with its own caps. Only the operator can tell, so CIS
    /// marks this recommendation manual: ZeroDock lists every container with a parent of its own.
    ///
    /// ## Evidence
    /// `HostConfig.CgroupParent` of every container in every state (`docker inspect -f
    /// '{{.HostConfig.CgroupParent}}'`); empty (the daemon's parent) passes.
    ///
    /// ## Remediation
    /// Keep the parent only if it is deliberate and limits what it holds; otherwise recreate the
    /// container without `--cgroup-parent` (Compose: remove `cgroup_parent:`).
    pub(crate) static CHECK = {
        code: "CTR030",
        slug: "container-cgroup-parent-set",
        title: "Container cgroup parent to confirm",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.25"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#cgroup-parent"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR030` selects its tests")]
mod CTR030 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-cgroup-parent", "zd-defaults"]);

    #[test]
    fn a_parent_of_its_own_is_manual() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-cgroup-parent"), Status::Manual);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
    }
}
