//! DMN018 swarm-mode-enabled.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let state = if info.swarm_state.is_empty() { "inactive" } else { info.swarm_state.as_str() };
        if state == "inactive" {
            return Finding::pass(target, "Swarm mode is off on this container host").evidence(
                "GET /info Swarm.LocalNodeState",
                state,
                "inactive unless Swarm is needed",
            );
        }
        Finding::manual(
            target,
            format!(
                "Swarm mode is on (node state `{state}`): confirm this container host is meant to be part of a swarm"
            ),
        )
        .evidence("GET /info Swarm.LocalNodeState", state, "inactive unless Swarm is needed")
        .fix(
            SnippetKind::Shell,
            "Or, if it is not needed: leave the swarm (a manager needs --force; its services stop)",
            "docker swarm leave",
        )
    })
}

crate::declare_check! {
    /// Swarm mode is enabled on a container host: a person must confirm it is needed.
    ///
    /// ## Rationale
    /// Swarm mode opens the cluster management port (2377/tcp) and the node-to-node gossip and
    /// overlay ports (7946, 4789), starts a Raft store holding the swarm's secrets and
    /// certificates, and lets a manager schedule work onto this container host. On a host that is
    /// not meant to be in a swarm, all of that is attack surface with no use. Whether the host
    /// needs Swarm is for the operator to say, so CIS marks this recommendation manual: ZeroDock
    /// reports the node state and never treats an active swarm as a pass.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.LocalNodeState` (`docker info -f '{{.Swarm.LocalNodeState}}'`):
    /// `inactive` passes; `active`, `pending`, `locked` or `error` are manual findings.
    ///
    /// ## Remediation
    /// If the host does not need Swarm, `docker swarm leave` (on a manager `--force`, which stops
    /// its services). If it does, the Swarm recommendations of CIS section 7 apply.
    pub(crate) static CHECK = {
        code: "DMN018",
        slug: "swarm-mode-enabled",
        title: "Swarm mode enabled on a container host",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("5.1"),
            Reference::Url("https://docs.docker.com/engine/swarm/swarm-mode/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN018` selects its tests")]
mod DMN018 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm-node", []);

    #[test]
    fn inactive_passes_active_is_manual() {
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::Pass);
        let f = findings(&CHECK, &named("swarm-node", |_| {}));
        assert_eq!(f[0].status, Status::Manual);
        assert_eq!(f[0].remediation[0].code, "docker swarm leave");
    }
}
