//! CTR014 no-memory-limit.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.memory > 0 {
            Finding::pass(
                target,
                format!("Container `{}` has a memory limit of {}", c.name, human_bytes(c.memory)),
            )
            .evidence("HostConfig.Memory", c.memory, "> 0")
        } else {
            Finding::fail(target, format!("Container `{}` has no memory limit{}", c.name, state_note(c)))
                .evidence("HostConfig.Memory", "0 (unlimited)", "> 0")
                .fix(SnippetKind::Shell, format!("Apply to `{}` now, in place (also fix its definition below, or recreating it undoes this)", c.name), format!("docker update --memory 512m --memory-swap 512m {}", c.name))
                .fixes(container_fixes(
                    c,
                    "--memory MEMORY_LIMIT --memory-swap MEMORY_LIMIT",
                    "mem_limit: 512m  # its measured peak plus headroom\nmemswap_limit: 512m",
                ))
        }
    })
}

/// Bytes as the `docker` CLI writes limits (`64m`, `1.5g`).
fn human_bytes(bytes: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(1 << 30, "g"), (1 << 20, "m"), (1 << 10, "k")];
    for (size, unit) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if bytes % size == 0 {
                format!("{}{unit}", bytes / size)
            } else {
                format!("{value:.1}{unit}")
            };
        }
    }
    format!("{bytes}b")
}

crate::declare_check! {
    /// A container has no memory limit.
    ///
    /// ## Rationale
    /// Without `--memory` a container may use all the host's memory: a leak, a decompression bomb
    /// or a deliberate denial of service pushes the whole host into swap and wakes the kernel's OOM
    /// killer, which may pick the Docker daemon or another service instead of the culprit. A limit
    /// confines the damage to the container that misbehaves. Control groups exist for exactly this.
    ///
    /// ## Evidence
    /// `HostConfig.Memory` of every container in every state (`docker inspect -f '{{.HostConfig.Memory}}'`; 0 = unlimited).
    ///
    /// ## Remediation
    /// Recreate the container with `--memory` set a little above its measured peak (`docker stats`),
    /// and `--memory-swap` to the same value so it cannot spill into swap instead. In Compose:
    /// `mem_limit:` (or `deploy.resources.limits.memory`).
    pub(crate) static CHECK = {
        code: "CTR014",
        slug: "no-memory-limit",
        title: "No memory limit",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.11"),
            Reference::Seed("Container security roadmap §Container Isolation: Cgroups"),
            Reference::Url("https://docs.docker.com/engine/containers/resource_constraints/#memory"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR014` selects its tests")]
mod CTR014 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn unlimited_memory_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn sizes() {
        assert_eq!(super::human_bytes(64 << 20), "64m");
        assert_eq!(super::human_bytes(3 << 29), "1.5g");
    }
}
