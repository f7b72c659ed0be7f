//! DMN013 iptables-management-disabled.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "its networks' firewall rules come from CNI/netavark; there is no `iptables` daemon option",
    ) {
        return na;
    }
    let target = engine_target(snap);
    let finding = match daemon_setting(snap, "iptables", "iptables") {
        Ok(setting) => {
            let field = setting.field("iptables");
            let shown = setting.display("true");
            if setting.as_bool(true) {
                Finding::pass(target, "The daemon manages the iptables rules of its networks")
                    .evidence(field, shown, "true")
            } else {
                Finding::fail(
                    target,
                    "The daemon does not manage iptables (iptables=false): published ports, icc=false and network isolation depend on hand-written rules",
                )
                .evidence(field, shown, "true")
                .fixes(setting_fix(snap, "iptables", "iptables", Value::Bool(true)))
            }
        }
        Err(why) => {
            Finding::unknown(target, format!("the daemon's iptables setting could not be read: {why}"))
        }
    };
    vec![finding]
}

crate::declare_check! {
    /// The daemon is not allowed to manage iptables (`iptables: false`).
    ///
    /// ## Rationale
    /// Docker enforces its network model with iptables rules it writes itself: isolation between
    /// user-defined networks, `icc=false` on the default bridge, `--internal` networks and the
    /// NAT of published ports. With `iptables: false` none of those rules exist; containers are
    /// isolated only by whatever rules an administrator wrote by hand and keeps in step with every
    /// network and port change, which in practice means not isolated. Leave rule management to
    /// the daemon and add host policy in the `DOCKER-USER` chain.
    ///
    /// ## Evidence
    /// The effective `iptables` setting of the daemon: dockerd's `--iptables` flag, else the
    /// `iptables` key of daemon.json, else the default (`true`). Unknown when neither can be read.
    ///
    /// ## Remediation
    /// Remove `"iptables": false` from daemon.json (or set it to `true`; on the command line
    /// `--iptables=true`) and restart the daemon. Put your own filtering in the `DOCKER-USER`
    /// chain, which the daemon leaves alone.
    pub(crate) static CHECK = {
        code: "DMN013",
        slug: "iptables-management-disabled",
        title: "Daemon may not manage iptables",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.4"),
            Reference::Nist("§3.1.2 micro-segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/packet-filtering-firewalls/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN013` selects its tests")]
mod DMN013 {
    use super::*;
    use crate::checks::testing::{findings, fixture};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn iptables_false_fails_default_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail), "{f:?}");
        assert!(f[0].remediation[0].code.contains("\"iptables\": true"));
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }
}
