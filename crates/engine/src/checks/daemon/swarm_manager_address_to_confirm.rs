//! DMN020 swarm-manager-address-to-confirm.

use crate::checks::prelude::*;

use super::{managers_listed, with_swarm};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        let managers = if swarm.manager_addrs.is_empty() {
            "none reported".to_owned()
        } else {
            swarm.manager_addrs.join(", ")
        };
        Finding::manual(
            target,
            format!(
                "Swarm management traffic is advertised on {}: confirm port 2377 listens on that interface only, not on all of them, and that data traffic uses another (`--data-path-addr`)",
                if swarm.node_addr.is_empty() { "no reported address" } else { swarm.node_addr.as_str() }
            ),
        )
        .evidence("GET /info Swarm.NodeAddr", &swarm.node_addr, "a chosen host interface, not 0.0.0.0")
        .evidence("GET /info Swarm.RemoteManagers[].Addr", managers, "managers on a management network")
        .evidence("GET /nodes ManagerStatus.Addr", managers_listed(swarm), "each manager on a management interface")
        .fix(
            SnippetKind::Shell,
            "See what listens on the management port (on each manager)",
            "ss -ltn 'sport = :2377'",
        )
        .fix(
            SnippetKind::Shell,
            "Create the swarm with management and data traffic on chosen, separate interfaces",
            "docker swarm init --advertise-addr MGMT_ADDR --listen-addr MGMT_ADDR:2377 --data-path-addr DATA_ADDR",
        )
    })
}

crate::declare_check! {
    /// A swarm node's management listen address, and its management plane kept apart from its data plane, for a person to confirm.
    ///
    /// ## Rationale
    /// `docker swarm init` listens for cluster management on `0.0.0.0:2377` unless told
    /// otherwise, so every network the host is on can reach the swarm's control plane. CIS also
    /// asks that management traffic and the containers' data traffic run on separate networks,
    /// so saturating or sniffing one does not reach the other. The Engine API reports the address
    /// a node advertises, but neither the address it listens on nor a separate data-path address:
    /// ZeroDock shows what it read and a person confirms the rest. It never passes.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.NodeAddr` (the advertised management address) and
    /// `Swarm.RemoteManagers[].Addr`, and `GET /nodes` → each manager's `ManagerStatus.Addr`
    /// (`docker node ls`; a manager only). The listen address is given only to `docker swarm init` /
    /// `join` (`--listen-addr`) and the data-path address to `--data-path-addr`; neither is
    /// readable afterwards. On an engine not in a swarm the check does not apply.
    ///
    /// ## Remediation
    /// Check with `ss -ltn 'sport = :2377'` that the port is bound to one address. Create or join
    /// the swarm with `--listen-addr ADDR:2377 --advertise-addr ADDR` on the management
    /// interface and `--data-path-addr` on another (a node must leave and rejoin to change them).
    pub(crate) static CHECK = {
        code: "DMN020",
        slug: "swarm-manager-address-to-confirm",
        title: "Swarm listen address and data plane separation to confirm",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("7.2"),
            Reference::Cis("7.9"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/swarm/init/"),
            Reference::Url("https://docs.docker.com/engine/swarm/networking/#use-a-separate-interface-for-control-and-data-traffic"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN020` selects its tests")]
mod DMN020 {
    use super::*;
    use crate::checks::testing::{findings, fixture};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm", []);

    #[test]
    fn a_swarm_node_is_manual_never_a_pass() {
        let f = findings(&CHECK, &fixture("swarm"));
        assert_eq!(f[0].status, Status::Manual);
        assert!(f[0].message.contains("10.213.6.1"), "{}", f[0].message);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
