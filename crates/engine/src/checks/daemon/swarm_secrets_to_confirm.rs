//! DMN022 swarm-secrets-to-confirm.

use crate::checks::prelude::*;

use super::with_swarm;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        let (held, listed) = match swarm.secrets.as_ref().map(|f| f.get()) {
            Some(Ok(names)) if names.is_empty() => ("no Docker secret".to_owned(), "none".to_owned()),
            Some(Ok(names)) => (
                format!("{} Docker secret{}", names.len(), if names.len() == 1 { "" } else { "s" }),
                names.join(", "),
            ),
            Some(Err(reason)) => {
                ("secrets ZeroDock could not list".to_owned(), format!("not read: {reason}"))
            }
            None => ("secrets this snapshot did not list".to_owned(), "not read".to_owned()),
        };
        Finding::manual(
            target,
            format!(
                "The swarm holds {held}: confirm its services take their passwords, keys and certificates from Docker secrets, not from environment variables, images or bind-mounted files"
            ),
        )
        .evidence("GET /secrets Spec.Name", listed, "every credential a service uses")
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
    /// for a person to confirm: ZeroDock lists the secrets' names, not the services that use them
    /// (a secret's value is never readable through the API). Credential-like environment
    /// variables of containers are found by the secrets checks. It never passes.
    ///
    /// ## Evidence
    /// `GET /secrets` → each secret's `Spec.Name` (`docker secret ls`), read on a manager only (a
    /// worker cannot list them; its finding says so). On a swarm node the finding is manual; on an
    /// engine not in a swarm the check does not apply.
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
        let f = findings(&CHECK, &fixture("swarm"));
        assert_eq!(f[0].status, Status::Manual);
        assert_eq!(f[0].evidence[0].observed, "zd-swarm-secret");
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
