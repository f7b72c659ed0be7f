//! CTR006 host-pid-namespace.

use crate::checks::prelude::*;

use super::{is_host_mode, recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.pid_mode) {
            Finding::fail(
                target,
                format!("Container `{}` shares the host's process namespace{}", c.name, state_note(c)),
            )
            .evidence("HostConfig.PidMode", "host", "private (empty)")
            .fixes(recreate_without(c, "--pid host", "", "# remove `pid: host`"))
        } else {
            let mode = if c.pid_mode.is_empty() { "private" } else { c.pid_mode.as_str() };
            Finding::pass(target, format!("Container `{}` has its own process namespace", c.name)).evidence(
                "HostConfig.PidMode",
                mode,
                "not host",
            )
        }
    })
}

crate::declare_check! {
    /// A container shares the host's process (PID) namespace (`--pid host`).
    ///
    /// ## Rationale
    /// In the host's PID namespace the container sees every host process with its command line and
    /// environment (`/proc/<pid>/environ` leaks secrets), can signal them, and — as root, or with
    /// `SYS_PTRACE` — attach to them or enter their namespaces with `nsenter -t 1`, which is root on
    /// the host.
    ///
    /// ## Evidence
    /// `HostConfig.PidMode` of every container in every state (`docker inspect -f '{{.HostConfig.PidMode}}'`).
    ///
    /// ## Remediation
    /// Recreate the container without `--pid host`; to debug another container use
    /// `--pid container:<name>` instead. In Compose, remove `pid: host`.
    pub(crate) static CHECK = {
        code: "CTR006",
        slug: "host-pid-namespace",
        title: "Host process namespace shared",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.16"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Container security roadmap §Container Isolation: Namespaces"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#pid"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR006` selects its tests")]
mod CTR006 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-host-pid", "zd-hardened"]);

    #[test]
    fn host_pid_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-host-pid"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
