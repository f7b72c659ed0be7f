//! DMN024 swarm-rotation-to-confirm.

use crate::checks::prelude::*;

use super::{with_cluster, with_swarm};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        with_cluster(swarm, target, |cluster, target| {
            let key = if cluster.autolock_managers {
                "the auto-lock unlock key"
            } else {
                "the auto-lock key (auto-lock is off, see DMN023)"
            };
            let ca = if cluster.external_ca {
                "the external CA's certificate"
            } else {
                "the swarm's root CA certificate"
            };
            Finding::manual(
                target,
                format!(
                    "The Engine API keeps no date of the last rotation: confirm {key} and {ca} are rotated as your policy requires"
                ),
            )
            .evidence(
                "GET /info Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers",
                cluster.autolock_managers,
                "true, its key rotated on schedule",
            )
            .evidence("GET /info Swarm.Cluster.Spec.CAConfig.ExternalCAs", if cluster.external_ca { "set" } else { "none" }, "either")
            .evidence(
                "GET /info Swarm.Cluster.RootRotationInProgress",
                cluster.root_rotation_in_progress,
                "false once a rotation has finished",
            )
            .fix(SnippetKind::Shell, "Rotate the auto-lock key (on a manager)", "docker swarm unlock-key --rotate")
            .fix(SnippetKind::Shell, "Rotate the swarm's root CA (on a manager)", "docker swarm ca --rotate")
        })
    })
}

crate::declare_check! {
    /// Rotation of a swarm's auto-lock key and CA certificate, for a person to confirm.
    ///
    /// ## Rationale
    /// The auto-lock key decrypts a manager's Raft log; the root CA signs every node's
    /// certificate. A leaked unlock key or CA key stays usable until it is rotated, so both
    /// should be rotated on a schedule and after any suspected exposure. The Engine API reports
    /// whether a CA rotation is under way and whether an external CA signs, but no date of a
    /// past rotation: a person confirms. It never passes.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers`,
    /// `Swarm.Cluster.Spec.CAConfig.ExternalCAs`, `Swarm.Cluster.RootRotationInProgress`. Only a
    /// manager reports them (a worker is unknown); on an engine not in a swarm the check does not
    /// apply.
    ///
    /// ## Remediation
    /// `docker swarm unlock-key --rotate` for the auto-lock key (keep the new key and, until every
    /// manager has it, the old one), `docker swarm ca --rotate` for the root CA.
    pub(crate) static CHECK = {
        code: "DMN024",
        slug: "swarm-rotation-to-confirm",
        title: "Swarm unlock key and CA rotation to confirm",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("7.6"),
            Reference::Cis("7.8"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/swarm/unlock-key/"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/swarm/ca/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN024` selects its tests")]
mod DMN024 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm", []);

    #[test]
    fn a_manager_is_manual_a_worker_unknown() {
        let f = findings(&CHECK, &fixture("swarm"));
        assert_eq!(f[0].status, Status::Manual);
        assert_eq!(f[0].remediation[1].code, "docker swarm ca --rotate");
        assert_eq!(findings(&CHECK, &named("swarm-worker", |_| {}))[0].status, Status::Unknown);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
