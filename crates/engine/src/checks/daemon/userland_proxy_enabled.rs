//! DMN003 userland-proxy-enabled.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "published ports are forwarded by conmon (rootless: rootlessport); there is no `userland-proxy` setting",
    ) {
        return na;
    }
    let target = engine_target(snap);
    let finding = match daemon_setting(snap, "userland-proxy", "userland-proxy") {
        Ok(setting) => {
            let field = setting.field("userland-proxy");
            let observed = setting.display("true");
            if setting.as_bool(true) && rootless_engine(snap).is_some() {
                // Rootless dockerd: docker-proxy runs as the daemon's user, inside RootlessKit's
                // namespaces; the root process this check is about does not exist.
                Finding::warn(
                    target,
                    "Published ports are forwarded by `docker-proxy` running as the rootless daemon's user, not root (userland proxy enabled)",
                )
                .evidence(field, observed, "false")
                .fixes(setting_fix(snap, "userland-proxy", "userland-proxy", Value::Bool(false)))
            } else if setting.as_bool(true) {
                Finding::fail(
                    target,
                    "Published ports are forwarded by a root `docker-proxy` process (userland proxy enabled)",
                )
                .evidence(field, observed, "false")
                .fixes(setting_fix(
                    snap,
                    "userland-proxy",
                    "userland-proxy",
                    Value::Bool(false),
                ))
            } else {
                Finding::pass(target, "Published ports are forwarded by the kernel (userland proxy disabled)")
                    .evidence(field, observed, "false")
            }
        }
        Err(why) => {
            Finding::unknown(target, format!("the Engine API does not report `userland-proxy`: {why}"))
        }
    };
    vec![finding]
}

crate::declare_check! {
    /// Published ports are served by `docker-proxy`, a root process per port (userland proxy).
    ///
    /// ## Rationale
    /// With the userland proxy (dockerd's default), every published port gets a `docker-proxy`
    /// process running as root on the host, listening on the port and copying traffic into the
    /// container. Each one is extra root-owned attack surface, and it hides the real client address
    /// from the container. With hairpin NAT available (every current kernel), iptables/nftables rules
    /// do the same job without a userspace process. Under rootless dockerd the proxy runs as the
    /// daemon's user inside RootlessKit's namespaces, not as root: a warning there.
    ///
    /// ## Evidence
    /// dockerd's `--userland-proxy` flag (`/proc/<dockerd pid>/cmdline`), else the `userland-proxy`
    /// key of daemon.json, else the default (`true`). The Engine API does not report this setting,
    /// so the check is unknown when neither source is readable (remote engine, Docker Desktop VM).
    ///
    /// ## Remediation
    /// Add `"userland-proxy": false` to daemon.json (or `--userland-proxy=false` to dockerd's command
    /// line) and restart the daemon. Test published ports from the host itself afterwards: a few
    /// setups (IPv6 to IPv4 forwarding, some loopback cases) still need the proxy.
    pub(crate) static CHECK = {
        code: "DMN003",
        slug: "userland-proxy-enabled",
        title: "Userland proxy enabled",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.17"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/network/packet-filtering-firewalls/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN003` selects its tests")]
mod DMN003 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};
    use crate::snapshot::Fact;

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_fails_hardened_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(f[0].evidence[0].observed, "true (default)");
        let f = findings(&CHECK, &fixture("hardened"));
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].evidence[0].field, "/tmp/zerodock-test/hardened/daemon.json: userland-proxy");
    }

    #[test]
    fn unreadable_configuration_is_unknown() {
        // Mutation: neither dockerd's command line nor daemon.json could be read.
        let snap = variant("default", |s| {
            s.host.dockerd = Fact::unavailable("hidepid");
            s.host.daemon_json = Fact::unavailable("permission denied");
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Unknown);
    }

    #[test]
    fn a_flag_is_fixed_on_the_command_line() {
        // Mutation: dockerd got --userland-proxy=true on its command line.
        let snap = variant("default", |s| {
            if let Some(Some(d)) = s.host.dockerd.ok_mut() {
                d.args.push("--userland-proxy=true".into());
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].evidence[0].field, "dockerd --userland-proxy");
        assert!(f[0].remediation[0].code.contains("--userland-proxy=false"));
    }

    #[test]
    fn go_boolean_flag_values() {
        // Mutation: dockerd got `--userland-proxy=0` (Go's ParseBool: false).
        let snap = variant("default", |s| {
            if let Some(Some(d)) = s.host.dockerd.ok_mut() {
                d.args.push("--userland-proxy=0".into());
            }
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }
}
