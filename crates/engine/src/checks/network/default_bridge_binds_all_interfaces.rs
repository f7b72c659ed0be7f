//! NET002 default-bridge-binds-all-interfaces.

use serde_json::Value;

use crate::checks::prelude::*;

use super::network_target;
use crate::checks::daemon::setting_fix;

const OPTION: &str = "com.docker.network.bridge.host_binding_ipv4";

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let networks = match snap.networks() {
        Ok(networks) => networks,
        Err(reason) => {
            return vec![Finding::unknown(engine_target(snap), engine_part_reason(snap, "networks", reason))];
        }
    };
    let Some(bridge) = networks.iter().find(|n| n.is_default_bridge()) else {
        return vec![Finding::not_applicable(
            engine_target(snap),
            "the engine has no default bridge network (dockerd runs with `--bridge=none`)",
        )];
    };
    let target = network_target(bridge);
    let field = format!("GET /networks/{} Options[\"{OPTION}\"]", bridge.name);
    let expected = "127.0.0.1 (publish on all interfaces only explicitly)";
    let finding = match bridge.bridge_option("host_binding_ipv4") {
        Some(ip) if !matches!(ip, "0.0.0.0" | "" | "::") => {
            Finding::pass(target, format!("Ports published without an address bind to {ip} by default"))
                .evidence(field, ip, expected)
        }
        found => Finding::warn(
            target,
            "Ports published without an address (`-p 8080:80`) listen on every interface of the host by default",
        )
        .evidence(field, found.map_or_else(|| "unset (0.0.0.0)".to_owned(), str::to_owned), expected)
        .fixes(setting_fix(snap, "ip", "ip", Value::String("127.0.0.1".to_owned()))),
    };
    vec![finding]
}

crate::declare_check! {
    /// Ports that containers publish without an address listen on every interface of the host.
    ///
    /// ## Rationale
    /// `docker run -p 8080:80` publishes on `0.0.0.0` unless told otherwise: a database started for
    /// local development is reachable from the whole network, and Docker's iptables rules bypass
    /// host firewalls such as ufw. Binding to `127.0.0.1` by default makes exposure to the network
    /// an explicit choice (`-p 0.0.0.0:8080:80`), the default-deny stance of Zero Trust.
    ///
    /// ## Evidence
    /// `GET /networks/bridge` → `Options["com.docker.network.bridge.host_binding_ipv4"]`, the
    /// daemon's `ip` setting (missing means the default, `0.0.0.0`).
    ///
    /// ## Remediation
    /// Set `"ip": "127.0.0.1"` in daemon.json (or `--ip=127.0.0.1` on dockerd's command line) and
    /// restart the daemon; publish deliberately on other addresses with `-p ADDR:HOST:CONTAINER`.
    /// Ports of existing containers keep their binding until the containers are recreated.
    pub(crate) static CHECK = {
        code: "NET002",
        slug: "default-bridge-binds-all-interfaces",
        title: "Default bind address is all interfaces",
        category: Network,
        severity: Low,
        target: Network,
        references: [
            Reference::Cis("5.14"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §6 Implement Network Segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/packet-filtering-firewalls/#setting-the-default-bind-address-for-containers"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test NET002` selects its tests")]
mod NET002 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["bridge"]);

    #[test]
    fn all_interfaces_warn() {
        for daemon in ["default", "hardened"] {
            let f = findings(&CHECK, &fixture(daemon));
            assert_eq!((f.len(), status_of(&f, "bridge")), (1, Status::Warn), "{daemon}");
            assert!(f[0].remediation[0].code.contains("\"ip\": \"127.0.0.1\""));
        }
    }

    #[test]
    fn loopback_default_passes() {
        // Mutation: daemon.json `"ip": "127.0.0.1"`, as the bridge then reports it.
        let snap = variant("hardened", |s| {
            for n in s.engine.ok_mut().expect("captured").networks.ok_mut().expect("captured") {
                n.options.insert(OPTION.into(), "127.0.0.1".into());
            }
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "bridge"), Status::Pass);
    }
}
