//! DMN021 swarm-overlay-network-unencrypted.

use crate::checks::prelude::*;

use super::with_swarm;
use crate::checks::network::network_target;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    // Not in a swarm (or its details unread): the engine-wide verdict says why.
    let gate = with_swarm(snap, |_, target| Finding::pass(target, ""));
    if gate.first().is_some_and(|f| f.status != Status::Pass) {
        return gate;
    }
    let networks = match snap.networks() {
        Ok(networks) => networks,
        Err(reason) => {
            return vec![Finding::unknown(engine_target(snap), engine_part_reason(snap, "networks", reason))];
        }
    };
    let overlays: Vec<&Network> = networks.iter().filter(|n| n.driver == "overlay").collect();
    if overlays.is_empty() {
        return vec![Finding::not_applicable(engine_target(snap), "The swarm has no overlay network")];
    }
    overlays
        .into_iter()
        .map(|n| {
            let target = network_target(n);
            let field = format!("GET /networks/{} Options[\"encrypted\"]", n.name);
            if n.options.contains_key("encrypted") {
                Finding::pass(
                    target,
                    format!("Overlay network `{}` encrypts its data traffic (IPsec)", n.name),
                )
                .evidence(field, "set", "set")
            } else {
                Finding::fail(
                    target,
                    format!(
                        "Overlay network `{}` carries container traffic between nodes unencrypted",
                        n.name
                    ),
                )
                .evidence(field, "unset", "set")
                .fix(
                    SnippetKind::Shell,
                    "Recreate the network encrypted (after removing the services attached to it)",
                    format!(
                        "docker network rm {0}\ndocker network create --driver overlay --opt encrypted {0}",
                        n.name
                    ),
                )
            }
        })
        .collect()
}

crate::declare_check! {
    /// A swarm overlay network carries container traffic between nodes unencrypted.
    ///
    /// ## Rationale
    /// Overlay networks tunnel container traffic between swarm nodes in VXLAN over UDP 4789.
    /// Swarm's management traffic is always encrypted, but the data plane is not unless the
    /// network is created with `--opt encrypted` (IPsec, keys rotated by the managers): anyone on
    /// the path between nodes can read and inject the containers' traffic. The `ingress` network
    /// that publishes service ports is an overlay too and is judged like the others.
    ///
    /// ## Evidence
    /// `GET /networks` → every network with `Driver` `overlay`, its `Options["encrypted"]`
    /// (`docker network inspect -f '{{.Options}}' NAME`): present passes, absent fails. On an
    /// engine not in a swarm the check does not apply.
    ///
    /// ## Remediation
    /// Create overlay networks with `docker network create --driver overlay --opt encrypted NAME`
    /// (an existing network cannot be changed: remove its services, then the network, and
    /// recreate it). The ingress network can be recreated the same way with `--ingress`.
    pub(crate) static CHECK = {
        code: "DMN021",
        slug: "swarm-overlay-network-unencrypted",
        title: "Swarm overlay network unencrypted",
        category: Daemon,
        severity: Medium,
        target: Network,
        references: [
            Reference::Cis("7.3"),
            Reference::Nist("tenet 2: all communication is secured regardless of network location"),
            Reference::Url("https://docs.docker.com/engine/network/drivers/overlay/#encrypt-traffic-on-an-overlay-network"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN021` selects its tests")]
mod DMN021 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "swarm",
        ["zd-overlay-encrypted", "zd-overlay-plain"]
    );

    #[test]
    fn encrypted_passes_plain_fails_off_is_not_applicable() {
        let f = findings(&CHECK, &fixture("swarm"));
        assert_eq!(status_of(&f, "zd-overlay-encrypted"), Status::Pass);
        assert_eq!(status_of(&f, "zd-overlay-plain"), Status::Fail);
        assert_eq!(status_of(&f, "ingress"), Status::Fail);
        let off = findings(&CHECK, &fixture("default"));
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].status, Status::NotApplicable);
    }
}
