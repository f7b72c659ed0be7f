//! DMN022 swarm-secrets-to-confirm.

use crate::checks::prelude::*;

use super::with_swarm;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        let role = if swarm.control_available { "manager" } else { "worker" };
        Finding::manual(
            target,
            format!(
                "This engine is a swarm {role}: confirm the swarm's services take their passwords, keys and certificates from Docker secrets, not from environment variables, images or bind-mounted files"
            ),
        )
        .evidence("GET /info Swarm.ControlAvailable", swarm.control_available, "a swarm node")
        .fix(SnippetKind::Shell, "List the swarm's secrets (on a manager)", "docker secret ls")
        .fix(
            SnippetKind::Shell,
            "Give a service a secret (read from a file, mounted at /run/secrets/NAME)",
            "docker secret create NAME FILE\ndocker service update --secret-add NAME SERVICE",
        )
    })
}

crate::declare_check! {
    /// A swarm's secrets management, for a person to confirm.
    ///
    /// ## Rationale
    /// Docker secrets are stored encrypted in the managers' Raft log, sent only to the nodes
    /// running a service that is granted them, and mounted in memory at `/run/secrets/NAME`:
    /// unlike an environment variable they do not show in `docker inspect`, in `/proc` of the
    /// host, or in an image layer. Whether every secret a swarm's services use goes that way is
    /// for a person to confirm: ZeroDock does not read the swarm's secrets or services (a secret's
    /// value is never readable through the API anyway). Credential-like environment variables
    /// are found by the secrets checks. It never passes.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.LocalNodeState` and `Swarm.ControlAvailable`: on a swarm node the
    /// finding is manual. On an engine not in a swarm the check does not apply.
    ///
    /// ## Remediation
    /// Move service credentials into secrets: `docker secret create NAME FILE`, then
    /// `docker service update --secret-add NAME SERVICE` (or `secrets:` in a stack file), and
    /// remove them from the service's environment.
    pub(crate) static CHECK = {
        code: "DMN022",
        slug: "swarm-secrets-to-confirm",
        title: "Swarm secrets management to confirm",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("7.4"),
            Reference::Url("https://docs.docker.com/engine/swarm/secrets/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN022` selects its tests")]
mod DMN022 {
    use super::*;
    use crate::checks::testing::{findings, fixture};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm", []);

    #[test]
    fn a_swarm_node_is_manual_never_a_pass() {
        assert_eq!(findings(&CHECK, &fixture("swarm"))[0].status, Status::Manual);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
