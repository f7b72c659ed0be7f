//! DMN001 inter-container-communication.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

const ICC_OPTION: &str = "com.docker.network.bridge.enable_icc";

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "inter-container traffic on its networks is set by their CNI/netavark configuration, not by dockerd's `icc`",
    ) {
        return na;
    }
    let target = engine_target(snap);
    let finding = match snap.networks() {
        Ok(networks) => match networks.iter().find(|n| n.is_default_bridge()) {
            None => Finding::not_applicable(
                target,
                "the engine has no default bridge network (dockerd runs with `--bridge=none`)",
            ),
            Some(bridge) => match bridge.bridge_option("enable_icc") {
                Some(value) => verdict(
                    snap,
                    target,
                    value != "false",
                    format!("GET /networks/{} Options[\"{ICC_OPTION}\"]", bridge.name),
                    value,
                ),
                None => {
                    from_setting(snap, target, format!("the default bridge does not report `{ICC_OPTION}`"))
                }
            },
        },
        Err(reason) => from_setting(snap, target, engine_part_reason(snap, "networks", reason)),
    };
    vec![finding]
}

/// The verdict from dockerd's `icc` setting, when the bridge does not say.
fn from_setting(snap: &Snapshot, target: Target, bridge_gap: String) -> Finding {
    match daemon_setting(snap, "icc", "icc") {
        Ok(setting) => {
            let field = setting.field("icc");
            let shown = setting.display("true");
            verdict(snap, target, setting.as_bool(true), field, &shown)
        }
        Err(why) => Finding::unknown(target, format!("{bridge_gap}, and {why}")),
    }
}

fn verdict(snap: &Snapshot, target: Target, icc: bool, field: String, observed: &str) -> Finding {
    if icc {
        Finding::fail(
            target,
            "Containers on the default bridge network can reach each other on every port (icc enabled)",
        )
        .evidence(field, observed, "false")
        .fixes(setting_fix(snap, "icc", "icc", Value::Bool(false)))
    } else {
        Finding::pass(
            target,
            "Inter-container traffic on the default bridge network is blocked (icc disabled)",
        )
        .evidence(field, observed, "false")
    }
}

crate::declare_check! {
    /// Containers on the default bridge network can talk to each other freely.
    ///
    /// ## Rationale
    /// With inter-container communication (`icc`) enabled, which is dockerd's default, every container
    /// attached to the default `bridge` network can open any port of every other one. A single
    /// compromised container can then probe and attack its neighbours (lateral movement). Zero
    /// Trust calls for microsegmentation: traffic between workloads is allowed explicitly, per
    /// user-defined network, never by default.
    ///
    /// ## Evidence
    /// `GET /networks/bridge` → `Options["com.docker.network.bridge.enable_icc"]` (the daemon's
    /// effective `icc` setting). When the bridge does not report it: dockerd's `--icc` flag, else the
    /// `icc` key of daemon.json, else the default (`true`).
    ///
    /// ## Remediation
    /// Set `"icc": false` in daemon.json (or `--icc=false` on dockerd's command line) and restart the
    /// daemon. Containers that must talk to each other go on a user-defined network
    /// (`docker network create app-net`) or are linked explicitly.
    pub(crate) static CHECK = {
        code: "DMN001",
        slug: "inter-container-communication",
        title: "Inter-container communication on the default bridge",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.2"),
            Reference::Nist("§3.1.2 micro-segmentation"),
            Reference::Seed("Zero Trust: Network microsegmentation"),
            Reference::Seed("Best practices §6 Implement Network Segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN001` selects its tests")]
mod DMN001 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_bridge_with_icc_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(
            f[0].evidence[0].field,
            "GET /networks/bridge Options[\"com.docker.network.bridge.enable_icc\"]"
        );
        assert!(f[0].remediation.iter().any(|s| s.code.contains("\"icc\": false")), "{:?}", f[0].remediation);
    }

    #[test]
    fn hardened_icc_false_passes() {
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn falls_back_to_the_daemon_setting() {
        // Mutation: the bridge does not report enable_icc; hardened's daemon.json says icc=false.
        let snap = variant("hardened", |s| {
            for n in s.engine.ok_mut().expect("captured").networks.ok_mut().expect("captured") {
                n.options.remove(ICC_OPTION);
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].evidence[0].field, "/tmp/zerodock-test/hardened/daemon.json: icc");
    }

    #[test]
    fn no_default_bridge_is_not_applicable() {
        // Mutation: dockerd started with --bridge=none (no default bridge network).
        let snap = variant("default", |s| {
            s.engine
                .ok_mut()
                .expect("captured")
                .networks
                .ok_mut()
                .expect("captured")
                .retain(|n| !n.is_default_bridge());
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
