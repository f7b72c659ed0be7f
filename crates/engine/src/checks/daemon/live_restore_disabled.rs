//! DMN002 live-restore-disabled.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "each container runs under its own conmon and keeps running when the API service stops: there is no live-restore to turn on",
    ) {
        return na;
    }
    with_info(snap, |info, target| {
        if info.swarm_state == "active" {
            return Finding::not_applicable(
                target,
                "the engine is a Swarm node: live-restore is incompatible with Swarm mode",
            )
            .evidence("GET /info Swarm.LocalNodeState", &info.swarm_state, "inactive");
        }
        if info.live_restore_enabled {
            Finding::pass(target, "Containers keep running while the daemon restarts (live-restore enabled)")
                .evidence("GET /info LiveRestoreEnabled", true, "true")
        } else {
            Finding::fail(
                target,
                "Every container stops when the daemon stops or is upgraded (live-restore disabled)",
            )
            .evidence("GET /info LiveRestoreEnabled", false, "true")
            .fixes(setting_fix(snap, "live-restore", "live-restore", Value::Bool(true)))
        }
    })
}

crate::declare_check! {
    /// The daemon stops every container when it stops (live-restore disabled).
    ///
    /// ## Rationale
    /// Without live-restore, restarting or upgrading dockerd kills every running container. That
    /// turns each security update of the engine into an outage, so updates get postponed, and it
    /// lets anyone able to crash the daemon take every workload down. Live-restore keeps containers
    /// running across daemon restarts, making prompt patching cheap.
    ///
    /// ## Evidence
    /// `GET /info` → `LiveRestoreEnabled` (`docker info -f '{{.LiveRestoreEnabled}}'`);
    /// `Swarm.LocalNodeState` (Swarm mode does not support live-restore: the check does not apply).
    ///
    /// ## Remediation
    /// Add `"live-restore": true` to daemon.json (or `--live-restore` on dockerd's command line).
    /// The setting is reloadable: `sudo systemctl reload docker` (SIGHUP) applies it without
    /// stopping containers.
    pub(crate) static CHECK = {
        code: "DMN002",
        slug: "live-restore-disabled",
        title: "Live-restore disabled",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.16"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://docs.docker.com/engine/daemon/live-restore/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN002` selects its tests")]
mod DMN002 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_fails_hardened_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].remediation[0].code.contains("\"live-restore\": true"));
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn swarm_is_not_applicable() {
        // Mutation: the engine is an active Swarm node.
        let snap = variant("default", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").swarm_state =
                "active".into()
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
