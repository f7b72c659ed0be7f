//! DMN025 swarm-node-certificate-lifetime-long.

use crate::checks::prelude::*;

use super::{with_cluster, with_swarm};

/// Docker's default node certificate lifetime, 90 days (2160h), in nanoseconds.
const DEFAULT_EXPIRY_NS: i64 = 90 * 24 * 3600 * 1_000_000_000;

fn hours(ns: i64) -> String {
    format!("{}h", ns / 3_600_000_000_000)
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        with_cluster(swarm, target, |cluster, target| {
            let field = "GET /info Swarm.Cluster.Spec.CAConfig.NodeCertExpiry";
            let expected = "at most 2160h (90 days)";
            match cluster.node_cert_expiry_ns {
                None => Finding::unknown(
                    target,
                    "The manager reported no node certificate lifetime (`Swarm.Cluster.Spec.CAConfig.NodeCertExpiry`)",
                ),
                Some(ns) if ns > DEFAULT_EXPIRY_NS => Finding::fail(
                    target,
                    format!(
                        "Swarm node certificates live {} before they are rotated, longer than 90 days",
                        hours(ns)
                    ),
                )
                .evidence(field, hours(ns), expected)
                .fix(
                    SnippetKind::Shell,
                    "Rotate node certificates at least every 90 days",
                    "docker swarm update --cert-expiry 2160h",
                ),
                Some(ns) => Finding::pass(
                    target,
                    format!("Swarm node certificates are rotated automatically every {}", hours(ns)),
                )
                .evidence(field, hours(ns), expected),
            }
        })
    })
}

crate::declare_check! {
    /// Swarm node certificates live longer than 90 days before they are rotated.
    ///
    /// ## Rationale
    /// Every swarm node authenticates with a TLS certificate the managers' CA issues, and renews
    /// it automatically before it expires. The lifetime bounds how long a certificate stolen
    /// from a node (or kept by a node removed from the swarm) stays valid. Docker's default is 90
    /// days; a longer lifetime widens that window for no operational gain.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.Cluster.Spec.CAConfig.NodeCertExpiry` (nanoseconds; `docker info`
    /// shows it as "Expiry Duration"): at most 2160h passes, longer fails. Only a manager reports
    /// it (a worker is unknown); on an engine not in a swarm the check does not apply.
    ///
    /// ## Remediation
    /// `docker swarm update --cert-expiry 2160h` (or shorter); `docker swarm ca --rotate` renews
    /// every node's certificate at once.
    pub(crate) static CHECK = {
        code: "DMN025",
        slug: "swarm-node-certificate-lifetime-long",
        title: "Swarm node certificates live longer than 90 days",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("7.7"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/swarm/update/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN025` selects its tests")]
mod DMN025 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm-long-cert-expiry", []);

    #[test]
    fn ninety_days_passes_a_year_fails() {
        let f = findings(&CHECK, &fixture("swarm"));
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].evidence[0].observed, "2160h");
        assert_eq!(findings(&CHECK, &named("swarm-long-cert-expiry", |_| {}))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
