//! HST011 no-endpoint-monitoring.

use crate::checks::prelude::*;

use super::in_scope;

const EXPECTED: &str = "an EDR or log-shipping agent (CrowdStrike Falcon, Defender, SentinelOne, Wazuh, \
                        Elastic Agent, Falco, Fluent Bit, Vector, …)";

/// Falco from its Debian/Ubuntu repository (falco.org/docs/setup/packages).
const FALCO: &str = "\
keyring=/usr/share/keyrings/falco-archive-keyring.gpg
curl -fsSL https://falco.org/repo/falcosecurity-packages.asc | sudo gpg --dearmor -o \"$keyring\"
echo \"deb [signed-by=$keyring] https://download.falco.org/packages/deb stable main\" \\
  | sudo tee /etc/apt/sources.list.d/falcosecurity.list
sudo apt-get update && sudo apt-get install -y falco
# then forward its alerts (and the daemon's logs) off the machine: see DMN005";

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    let field = "running processes (kernel name or argv[0])";
    let agents = match snap.host.monitoring_agents.get() {
        Ok(agents) => agents,
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the process table could not be examined: {reason}"),
            )];
        }
    };
    if agents.is_empty() {
        let finding = Finding::warn(
            target,
            "No endpoint monitoring or log-shipping agent is running: an intrusion on this machine or in \
             its containers would go unseen",
        )
        .evidence(field, "no known agent", EXPECTED)
        .fix(
            SnippetKind::Shell,
            "Install your organisation's EDR or log shipper; without one, Falco watches containers at \
             runtime (Debian/Ubuntu)",
            FALCO,
        );
        return vec![finding];
    }
    vec![Finding::pass(target, format!("Monitoring agents running: {}", agents.join(", "))).evidence(
        field,
        agents.join(", "),
        EXPECTED,
    )]
}

crate::declare_check! {
    /// No endpoint monitoring (EDR) or log-shipping agent runs on the machine.
    ///
    /// ## Rationale
    /// Zero Trust asks the host itself to be monitored: an EDR sensor or a runtime detector sees a
    /// shell spawned in a container or a binary replaced on the host, and a log shipper gets the
    /// evidence off the machine before an intruder can erase it. A warning, not a failure: the
    /// check sees that an agent runs, not that it is healthy or reports anywhere, and a developer
    /// laptop may be covered by other means.
    ///
    /// ## Evidence
    /// The process table (`/proc`): each process's kernel name (15 characters, so
    /// `amazon-cloudwatch-agent` is `amazon-cloudwat`) and the file name of its `argv[0]`, against a
    /// table of EDR sensors (CrowdStrike Falcon, Microsoft Defender, SentinelOne, Sophos, ESET,
    /// Kaspersky, Trellix, Symantec, Trend Micro, Wazuh/OSSEC, Elastic), runtime detectors (osquery,
    /// Falco, Tetragon, Sysdig) and log shippers (Fluent Bit, Fluentd, Vector, Promtail, Alloy,
    /// OpenTelemetry Collector, Datadog, Splunk, CloudWatch). rsyslog and syslog-ng are not counted:
    /// they are everywhere and ship remotely only when configured to. With `/proc` mounted
    /// `hidepid` and no root, and no agent among the visible processes: unknown.
    ///
    /// ## Remediation
    /// Deploy the organisation's EDR or log-shipping agent; on an unmanaged machine, a runtime
    /// detector such as Falco, with its alerts and the daemon's logs forwarded off the machine.
    pub(crate) static CHECK = {
        code: "HST011",
        slug: "no-endpoint-monitoring",
        title: "No endpoint monitoring or log-shipping agent running",
        category: Host,
        severity: Low,
        target: Host,
        references: [
            Reference::Nist("tenet 7: collect information about the state of assets"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://falco.org/docs/setup/packages/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST011` selects its tests")]
mod HST011 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};
    use crate::snapshot::Fact;

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn no_agent_warns() {
        let f = findings(&CHECK, &named("unmonitored-host", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(f[0].remediation[0].code.contains("apt-get install -y falco"));
    }

    #[test]
    fn a_running_agent_passes_by_name() {
        let f = findings(&CHECK, &named("edr-host", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].message, "Monitoring agents running: Wazuh, Fluent Bit");
    }

    #[test]
    fn hidden_processes_are_unknown() {
        // Captured on a machine that runs no agent: a warning, not unknown (/proc was readable).
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Warn);
        // Mutation: an unprivileged scan with /proc mounted hidepid=2.
        let snap = named("unmonitored-host", |s| {
            s.host.monitoring_agents = Fact::unavailable("/proc is mounted with hidepid=2");
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Unknown);
        assert!(f[0].message.contains("hidepid=2"));
    }
}
