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
        let (uses, unused) = services_and_secrets(swarm);
        Finding::manual(
            target,
            format!(
                "The swarm holds {held}: confirm its services take their passwords, keys and certificates from Docker secrets, not from environment variables, images or bind-mounted files"
            ),
        )
        .evidence("GET /secrets Spec.Name", listed, "every credential a service uses")
        .evidence("GET /services Spec.TaskTemplate.ContainerSpec.Secrets", uses, "each service granted the secrets it needs")
        .evidence("secrets no service is granted", unused, "none, or ones kept on purpose")
        .fix(SnippetKind::Shell, "List the swarm's secrets (on a manager)", "docker secret ls")
        .fix(
            SnippetKind::Shell,
            "Give a service a secret (read from a file, mounted at /run/secrets/NAME)",
            "docker secret create NAME FILE\ndocker service update --secret-add NAME SERVICE",
        )
    })
}

/// Which service is granted which secrets (`web: db-password, tls-key; worker: none`), and the
/// secrets no service is granted; the reason when the services were not read.
fn services_and_secrets(swarm: &crate::snapshot::SwarmInfo) -> (String, String) {
    let services = match swarm.services.as_ref().map(|f| f.get()) {
        Some(Ok(services)) => services,
        Some(Err(reason)) => return (format!("not read: {reason}"), "not known".to_owned()),
        None => {
            let why = "not read (a snapshot taken before ZeroDock read `GET /services`)".to_owned();
            return (why, "not known".to_owned());
        }
    };
    let uses = if services.is_empty() {
        "no service".to_owned()
    } else {
        services
            .iter()
            .map(|s| {
                let secrets =
                    if s.secrets.is_empty() { "no secret".to_owned() } else { s.secrets.join(", ") };
                format!("{}: {secrets}", s.name)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let unused = match swarm.secrets.as_ref().and_then(|f| f.ok()) {
        Some(names) => {
            let unused: Vec<&str> = names
                .iter()
                .filter(|n| !services.iter().any(|s| s.secrets.contains(n)))
                .map(String::as_str)
                .collect();
            if unused.is_empty() { "none".to_owned() } else { unused.join(", ") }
        }
        None => "not known (the secrets were not listed)".to_owned(),
    };
    (uses, unused)
}

crate::declare_check! {
    /// A swarm's secrets management, for a person to confirm.
    ///
    /// ## Rationale
    /// Docker secrets are stored encrypted in the managers' Raft log, sent only to the nodes
    /// running a service that is granted them, and mounted in memory at `/run/secrets/NAME`:
    /// unlike an environment variable they do not show in `docker inspect`, in `/proc` of the
    /// host, or in an image layer. Whether every secret a swarm's services use goes that way is
    /// for a person to confirm: ZeroDock lists the secrets' names and which service is granted
    /// which (a secret's value is never readable through the API, and nothing else of a service's
    /// spec is kept: its environment may hold the very credentials in question). Credential-like environment
    /// variables of containers are found by the secrets checks. It never passes.
    ///
    /// ## Evidence
    /// `GET /secrets` → each secret's `Spec.Name` (`docker secret ls`) and `GET /services` → each
    /// service's `Spec.Name` and `Spec.TaskTemplate.ContainerSpec.Secrets[].SecretName`, read on a
    /// manager only (a worker cannot list them; its finding says so); the secrets no service is
    /// granted are named too. On a swarm node the finding is manual; on an
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
        assert_eq!(f[0].evidence[0].observed, "zd-swarm-secret, zd-swarm-unused-secret");
        // Which service is granted which secret (GET /services), and the secret none is granted.
        assert_eq!(f[0].evidence[1].observed, "zd-swarm-service: zd-swarm-secret");
        assert_eq!(f[0].evidence[2].observed, "zd-swarm-unused-secret");
        let worker = findings(&CHECK, &crate::checks::testing::named("swarm-worker", |_| {}));
        assert!(
            worker[0].evidence[1].observed.contains("only a manager can list"),
            "{:?}",
            worker[0].evidence
        );
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
