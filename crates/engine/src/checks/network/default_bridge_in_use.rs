//! NET001 default-bridge-in-use.

use crate::checks::prelude::*;

fn on_default_bridge(c: &Container, bridge: Option<&Network>) -> bool {
    c.networks.iter().any(|n| {
        n.name == "bridge" || bridge.is_some_and(|b| !n.network_id.is_empty() && n.network_id == b.id)
    }) || (c.networks.is_empty() && matches!(c.network_mode.as_str(), "default" | "bridge"))
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let bridge = snap.networks().ok().and_then(|ns| ns.iter().find(|n| n.is_default_bridge()));
    let icc_blocked = bridge.and_then(|b| b.bridge_option("enable_icc")) == Some("false");
    each_container(snap, |c| {
        let target = container_target(c);
        let mode = c.network_mode.as_str();
        if mode == "host" {
            return Finding::not_applicable(
                target,
                format!(
                    "Container `{}` shares the host's network stack (judged by CTR005 host-network-namespace)",
                    c.name
                ),
            );
        }
        if let Some(other) = mode.strip_prefix("container:") {
            return Finding::not_applicable(
                target,
                format!(
                    "Container `{}` shares the network of container `{}`, judged on that container",
                    c.name,
                    short_name(other)
                ),
            );
        }
        let attached: Vec<&str> = c.networks.iter().map(|n| n.name.as_str()).collect();
        let observed = if attached.is_empty() { format!("NetworkMode={mode}") } else { attached.join(", ") };
        let field = "NetworkSettings.Networks";
        let expected = "a user-defined network only";
        if mode == "none" {
            return Finding::pass(
                target,
                format!("Container `{}` has no network (`--network none`)", c.name),
            )
            .evidence("HostConfig.NetworkMode", mode, expected);
        }
        if !on_default_bridge(c, bridge) {
            return Finding::pass(
                target,
                format!("Container `{}` is only on user-defined networks ({observed})", c.name),
            )
            .evidence(field, observed, expected);
        }
        let net = format!("{}-net", c.compose_service().unwrap_or(&c.name));
        let message = format!("Container `{}` is attached to the default bridge network", c.name);
        let finding = if icc_blocked {
            Finding::warn(
                target,
                format!(
                    "{message} (inter-container traffic is blocked there by icc=false, but it has no name resolution and no per-application segment)"
                ),
            )
        } else {
            Finding::fail(target, format!("{message}, where every container can reach every other one"))
        };
        finding
            .evidence(field, observed, expected)
            .fix(
                SnippetKind::Shell,
                format!("Move `{}` to its own network now (no restart needed)", c.name),
                format!("docker network create {net}\ndocker network connect {net} {name}\ndocker network disconnect bridge {name}", name = c.name),
            )
            .fixes(pick_fixes(
                c,
                run_fix(c, &format!("--network {net}")),
                compose_fix(c, &format!("networks: [{net}]   # and at top level: networks: {{ {net}: {{}} }}")),
            ))
    })
}

fn short_name(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

crate::declare_check! {
    /// A container is attached to Docker's default bridge network.
    ///
    /// ## Rationale
    /// Every container started without `--network` joins the default `bridge` network, which all
    /// such containers share: unless the daemon runs with `icc=false`, each can open any port of
    /// every other one, so one compromised container reaches all the rest. The default bridge
    /// also lacks name resolution, which pushes people to legacy `--link` or hard-coded IPs.
    /// Zero Trust microsegmentation puts each application on its own user-defined network, so only
    /// the containers that must talk can.
    ///
    /// ## Evidence
    /// `NetworkSettings.Networks` of every container (`docker inspect -f
    /// '{{json .NetworkSettings.Networks}}'`): an entry named `bridge` or with the default bridge's
    /// `NetworkID`; `HostConfig.NetworkMode` for containers with no attachment yet. Containers
    /// with `--network host` or `container:<id>` are left to other checks; `--network none` passes.
    /// When the default bridge has `com.docker.network.bridge.enable_icc=false`, the finding is a
    /// warning instead of a failure.
    ///
    /// ## Remediation
    /// Create a network per application and move the container to it: `docker network create
    /// app-net`, then `docker network connect app-net NAME` and `docker network disconnect bridge
    /// NAME` (or recreate with `--network app-net`). In Compose, services get a project network by
    /// default; declare `networks:` to segment further.
    pub(crate) static CHECK = {
        code: "NET001",
        slug: "default-bridge-in-use",
        title: "Container on the default bridge network",
        category: Network,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.30"),
            Reference::Nist("§3.1.2 micro-segmentation"),
            Reference::Seed("Zero Trust: Network microsegmentation"),
            Reference::Seed("Best practices §6 Implement Network Segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/drivers/bridge/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test NET001` selects its tests")]
mod NET001 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of, variant};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened", "zd-host-net"]
    );

    #[test]
    fn default_bridge_containers_fail() {
        let f = findings(&CHECK, &fixture("default"));
        for name in ["zd-defaults", "zd-env-secret", "zd-exited", "zd-privileged"] {
            assert_eq!(status_of(&f, name), Status::Fail, "{name}");
        }
        assert!(
            find(&f, "zd-defaults").remediation[0]
                .code
                .contains("docker network disconnect bridge zd-defaults")
        );
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&f, "zd-host-net"), Status::NotApplicable);
    }

    #[test]
    fn hardened_passes() {
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn icc_disabled_downgrades_to_warn() {
        // Mutation: the default daemon's bridge has enable_icc=false (as with `"icc": false`).
        let snap = variant("default", |s| {
            for n in s.engine.ok_mut().expect("captured").networks.ok_mut().expect("captured") {
                if n.is_default_bridge() {
                    n.options.insert("com.docker.network.bridge.enable_icc".into(), "false".into());
                }
            }
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-defaults"), Status::Warn);
    }
}
