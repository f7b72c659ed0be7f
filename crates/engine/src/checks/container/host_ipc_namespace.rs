//! CTR007 host-ipc-namespace.

use crate::checks::prelude::*;

use super::{is_host_mode, recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.ipc_mode) {
            Finding::fail(
                target,
                format!("Container `{}` shares the host's IPC namespace{}", c.name, state_note(c)),
            )
            .evidence("HostConfig.IpcMode", "host", "private or shareable")
            .fixes(recreate_without(c, "--ipc host", "", "# remove `ipc: host`"))
        } else {
            let mode = if c.ipc_mode.is_empty() { "daemon default" } else { c.ipc_mode.as_str() };
            Finding::pass(target, format!("Container `{}` has its own IPC namespace", c.name)).evidence(
                "HostConfig.IpcMode",
                mode,
                "not host",
            )
        }
    })
}

crate::declare_check! {
    /// A container shares the host's IPC namespace (`--ipc host`).
    ///
    /// ## Rationale
    /// The IPC namespace holds System V shared memory, semaphores and message queues and POSIX
    /// shared memory (`/dev/shm`). Sharing the host's lets the container read and corrupt the shared
    /// memory of host processes (databases, browsers, X servers) — data theft and tampering across
    /// the container boundary.
    ///
    /// ## Evidence
    /// `HostConfig.IpcMode` of every container in every state (`docker inspect -f '{{.HostConfig.IpcMode}}'`).
    ///
    /// ## Remediation
    /// Recreate the container without `--ipc host`. Containers that must share memory with each
    /// other can use `--ipc shareable` on one and `--ipc container:<name>` on the other. In Compose,
    /// remove `ipc: host`.
    pub(crate) static CHECK = {
        code: "CTR007",
        slug: "host-ipc-namespace",
        title: "Host IPC namespace shared",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.17"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Container security roadmap §Container Isolation: Namespaces"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#ipc"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR007` selects its tests")]
mod CTR007 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-host-ipc", "zd-hardened"]);

    #[test]
    fn host_ipc_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-host-ipc"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
