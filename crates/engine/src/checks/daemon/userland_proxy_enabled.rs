//! DMN003 userland-proxy-enabled.

use serde_json::Value;

use crate::checks::{Reference, daemon_setting, engine_target};
use crate::outcome::Finding;
use crate::snapshot::Snapshot;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = engine_target(snap);
    let finding = match daemon_setting(snap, "userland-proxy", "userland-proxy") {
        Ok(setting) => {
            let field = setting.field("userland-proxy");
            let observed = setting.display("true");
            if setting.as_bool(true) {
                Finding::fail(target, "Published ports are forwarded by a root `docker-proxy` process (userland proxy enabled)")
                    .evidence(field, observed, "false")
                    .fixes(setting_fix(snap, "userland-proxy", "userland-proxy", Value::Bool(false)))
            } else {
                Finding::pass(target, "Published ports are forwarded by the kernel (userland proxy disabled)")
                    .evidence(field, observed, "false")
            }
        }
        Err(why) => Finding::unknown(target, format!("the Engine API does not report `userland-proxy`: {why}")),
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
    /// do the same job without a userspace process.
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
    ///
    /// ## References
    /// CIS Docker Benchmark 2.16; NIST SP 800-207 tenet 3 (least privilege); seed "Best practices
    /// §3 Secure Docker Hosts"; <https://docs.docker.com/engine/network/packet-filtering-firewalls/>
    pub(crate) static CHECK = {
        code: "DMN003",
        slug: "userland-proxy-enabled",
        title: "Userland proxy enabled",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.16"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/network/packet-filtering-firewalls/"),
        ],
        evaluate: evaluate,
    }
}
