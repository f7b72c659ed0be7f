//! CTR015 no-cpu-limit.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let observed =
            format!("NanoCpus={} CpuQuota={} CpuShares={}", c.nano_cpus, c.cpu_quota, c.cpu_shares);
        if c.nano_cpus > 0 {
            let cpus = c.nano_cpus as f64 / 1e9;
            Finding::pass(target, format!("Container `{}` is limited to {cpus} CPUs", c.name)).evidence(
                "HostConfig.NanoCpus",
                observed,
                "a CPU limit or weight",
            )
        } else if c.cpu_quota > 0 {
            Finding::pass(target, format!("Container `{}` has a CPU quota", c.name)).evidence(
                "HostConfig.CpuQuota",
                observed,
                "a CPU limit or weight",
            )
        } else if c.cpu_shares > 0 {
            Finding::pass(target, format!("Container `{}` has a CPU weight of {}", c.name, c.cpu_shares))
                .evidence("HostConfig.CpuShares", observed, "a CPU limit or weight")
        } else {
            Finding::fail(target, format!("Container `{}` has no CPU limit{}", c.name, state_note(c)))
                .evidence("HostConfig.NanoCpus / CpuQuota / CpuShares", observed, "a CPU limit or weight")
                .fix(SnippetKind::Shell, format!("Apply to `{}` now, in place (also fix its definition below, or recreating it undoes this)", c.name), format!("docker update --cpus 1.0 {}", c.name))
                .fixes(container_fixes(c, "--cpus CPU_LIMIT", "cpus: 1.0  # its measured need plus headroom"))
        }
    })
}

crate::declare_check! {
    /// A container has no CPU limit and no CPU weight.
    ///
    /// ## Rationale
    /// Without a limit one container can take every CPU of the host — a busy loop, a crypto-miner
    /// planted by an intruder, or a request flood — and starve the daemon, the host's own services
    /// and every other container. `--cpus` caps it; `--cpu-shares` at least sets its priority
    /// relative to the others (CIS accepts either).
    ///
    /// ## Evidence
    /// `HostConfig.NanoCpus`, `HostConfig.CpuQuota` and `HostConfig.CpuShares` of every container in
    /// every state; all three 0 means unlimited at the default weight.
    ///
    /// ## Remediation
    /// Recreate the container with `--cpus` set to what it needs (`--cpus 0.5` is half a CPU). In
    /// Compose: `cpus:` (or `deploy.resources.limits.cpus`).
    pub(crate) static CHECK = {
        code: "CTR015",
        slug: "no-cpu-limit",
        title: "No CPU limit",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.12"),
            Reference::Seed("Container security roadmap §Container Isolation: Cgroups"),
            Reference::Url("https://docs.docker.com/engine/containers/resource_constraints/#cpu"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR015` selects its tests")]
mod CTR015 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn unlimited_cpu_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
