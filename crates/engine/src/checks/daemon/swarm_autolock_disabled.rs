//! DMN023 swarm-autolock-disabled.

use crate::checks::prelude::*;

use super::{with_cluster, with_swarm};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        with_cluster(swarm, target, |cluster, target| {
            let field = "GET /info Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers";
            if cluster.autolock_managers {
                return Finding::pass(
                    target,
                    "Swarm managers are auto-locked: a restarted manager needs the unlock key",
                )
                .evidence(field, true, "true");
            }
            Finding::fail(
                target,
                "Swarm managers are not auto-locked: the keys that decrypt the swarm's Raft log (its secrets) lie on each manager's disk",
            )
            .evidence(field, false, "true")
            .fix(
                SnippetKind::Shell,
                "Turn auto-lock on (keep the printed unlock key in a password manager)",
                "docker swarm update --autolock=true",
            )
        })
    })
}

crate::declare_check! {
    /// Swarm managers run without auto-lock.
    ///
    /// ## Rationale
    /// A manager's Raft log holds the swarm's secrets and the keys of its encrypted networks,
    /// encrypted with a key the manager keeps on disk next to its TLS key. Without auto-lock,
    /// anyone who copies a manager's `/var/lib/docker/swarm` (a stolen disk, a backup) has both.
    /// With auto-lock the key is itself encrypted, and a restarted manager stays locked until
    /// someone gives it the unlock key (`docker swarm unlock`).
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers`: `true` passes,
    /// `false` fails. Only a manager reports it (a worker is unknown); on an engine not in a
    /// swarm the check does not apply.
    ///
    /// ## Remediation
    /// `docker swarm update --autolock=true` (or `docker swarm init --autolock`), and keep the
    /// unlock key it prints somewhere safe off the managers.
    pub(crate) static CHECK = {
        code: "DMN023",
        slug: "swarm-autolock-disabled",
        title: "Swarm managers not auto-locked",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("7.5"),
            Reference::Url("https://docs.docker.com/engine/swarm/swarm_manager_locking/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN023` selects its tests")]
mod DMN023 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm", []);

    #[test]
    fn off_fails_on_passes_worker_unknown() {
        assert_eq!(findings(&CHECK, &fixture("swarm"))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &named("swarm-autolock", |_| {}))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &named("swarm-worker", |_| {}))[0].status, Status::Unknown);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }
}
