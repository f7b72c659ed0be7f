//! CTR005 host-network-namespace.

use crate::checks::prelude::*;

use super::{is_host_mode, recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.network_mode) {
            Finding::fail(target, format!("Container `{}` uses the host's network namespace{}", c.name, state_note(c)))
                .evidence("HostConfig.NetworkMode", "host", "a bridge or user-defined network")
                .fixes(recreate_without(
                    c,
                    "--network host",
                    "--network app-net -p 127.0.0.1:HOST_PORT:CONTAINER_PORT",
                    "# remove `network_mode: host`\nnetworks: [\"app-net\"]  # a user-defined network\nports:\n  - \"127.0.0.1:HOST_PORT:CONTAINER_PORT\"",
                ))
                .fix(SnippetKind::Shell, "Create the user-defined network first", "docker network create app-net")
        } else {
            let mode = if c.network_mode.is_empty() { "default" } else { c.network_mode.as_str() };
            Finding::pass(target, format!("Container `{}` has its own network namespace", c.name)).evidence(
                "HostConfig.NetworkMode",
                mode,
                "not host",
            )
        }
    })
}

crate::declare_check! {
    /// A container shares the host's network namespace (`--network host`).
    ///
    /// ## Rationale
    /// With the host's network stack the container sees every host interface, can bind any host
    /// port, reach services listening only on 127.0.0.1 (the Docker API on a local TCP port,
    /// databases, cloud metadata proxies) and sniff traffic with `NET_RAW`. It sits outside any
    /// network segmentation: no bridge, no port mapping, no inter-container rules apply.
    ///
    /// ## Evidence
    /// `HostConfig.NetworkMode` of every container in every state (`docker inspect -f '{{.HostConfig.NetworkMode}}'`).
    ///
    /// ## Remediation
    /// Attach the container to a user-defined bridge network and publish only the ports it serves,
    /// bound to one interface (`-p 127.0.0.1:8080:80`). In Compose, remove `network_mode: host` and
    /// use `networks:` and `ports:`.
    pub(crate) static CHECK = {
        code: "CTR005",
        slug: "host-network-namespace",
        title: "Host network namespace shared",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.10"),
            Reference::Nist("§3.1.2 micro-segmentation"),
            Reference::Seed("Best practices §6 Implement Network Segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/drivers/host/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR005` selects its tests")]
mod CTR005 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-host-net", "zd-hardened"]);

    #[test]
    fn host_network_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-host-net"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
