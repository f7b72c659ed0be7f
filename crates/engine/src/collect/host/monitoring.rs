//! Endpoint monitoring (EDR) and log-shipping agents seen running, by process name
//! (host-detection.md §6.2). Presence only: whether the agent is healthy and ships anywhere is not
//! visible from the process table.

use super::processes::{ProcessInfo, ProcessTable};
use crate::snapshot::Fact;

/// Products and the Linux process names their agents run under, as data. A name ending in `*` is
/// a prefix (`otelcol*` matches `otelcol-contrib`); a name starting with `/` is a fragment of
/// `argv[0]`'s path, for agents whose process name is too generic to match alone (Datadog's is
/// `agent`). Names are compared with the kernel's 15-byte process name (so
/// `amazon-cloudwatch-agent` matches its truncated `amazon-cloudwat`) and with `argv[0]`'s file name.
///
/// Deliberately absent: `rsyslogd`, `syslog-ng`, `systemd-journald` (installed everywhere, and
/// ship remotely only when configured to) and `auditd` (HST010 covers it).
pub(super) const AGENTS: &[(&str, &[&str])] = &[
    ("CrowdStrike Falcon", &["falcon-sensor"]),
    ("Microsoft Defender for Endpoint", &["wdavdaemon"]),
    ("SentinelOne", &["s1-agent"]),
    ("Sophos", &["SophosScanD", "savscand"]),
    ("ESET", &["esets_daemon"]),
    ("Kaspersky", &["wdserver", "klnagent"]),
    ("Trellix (McAfee) Agent", &["cma", "cmdagent"]),
    ("Symantec Endpoint Protection", &["rtvscand", "smcd"]),
    ("Trend Micro Deep Security", &["ds_am"]),
    ("Wazuh", &["wazuh-agentd"]),
    ("OSSEC", &["ossec-agentd"]),
    ("Elastic Agent", &["elastic-agent", "elastic-endpoint"]),
    ("Filebeat", &["filebeat"]),
    ("Auditbeat", &["auditbeat"]),
    ("osquery", &["osqueryd"]),
    ("Falco", &["falco"]),
    ("Tetragon", &["tetragon"]),
    ("Sysdig", &["sysdig"]),
    ("Fluent Bit", &["fluent-bit"]),
    ("Fluentd", &["fluentd", "td-agent"]),
    ("Vector", &["vector"]),
    ("Promtail", &["promtail"]),
    ("Grafana Alloy", &["alloy"]),
    ("OpenTelemetry Collector", &["otelcol*"]),
    ("Datadog Agent", &["datadog-agent", "/datadog-agent/"]),
    ("Splunk", &["splunkd"]),
    ("Amazon CloudWatch Agent", &["amazon-cloudwatch-agent"]),
];

/// The longest process name the kernel keeps (`TASK_COMM_LEN` - 1).
const COMM_LEN: usize = 15;

/// Product names of the agents running, in table order; unavailable when the process table could
/// not be read, or when other users' processes are hidden and none was found among the visible ones.
pub(super) fn probe(table: &Result<ProcessTable, String>) -> Fact<Vec<String>> {
    let table = match table {
        Ok(table) => table,
        Err(reason) => return Fact::unavailable(reason.clone()),
    };
    let found = agents(&table.processes);
    match &table.hidden {
        Some(reason) if found.is_empty() => {
            Fact::unavailable(format!("monitoring agents usually run as root: {reason}"))
        }
        _ => Fact::available(found),
    }
}

/// The products of [`AGENTS`] with at least one process among `processes`.
pub(super) fn agents(processes: &[ProcessInfo]) -> Vec<String> {
    AGENTS
        .iter()
        .filter(|(_, names)| processes.iter().any(|p| names.iter().any(|n| matches(p, n))))
        .map(|(product, _)| (*product).to_owned())
        .collect()
}

/// Whether `process` runs under `pattern` (see [`AGENTS`]).
fn matches(process: &ProcessInfo, pattern: &str) -> bool {
    if pattern.starts_with('/') {
        return process.args.first().is_some_and(|a| a.contains(pattern));
    }
    let argv0 = process.argv0_basename();
    if let Some(prefix) = pattern.strip_suffix('*') {
        return process.name.starts_with(prefix) || argv0.is_some_and(|b| b.starts_with(prefix));
    }
    process.name == truncated(pattern) || argv0 == Some(pattern)
}

/// `name` as the kernel stores it: its first 15 bytes.
fn truncated(name: &str) -> &str {
    let mut end = name.len().min(COMM_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(name: &str, args: &[&str]) -> ProcessInfo {
        ProcessInfo {
            pid: 1,
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            uid: Some(0),
        }
    }

    #[test]
    fn matches_the_truncated_kernel_name_or_argv0() {
        assert!(matches(&process("amazon-cloudwat", &[]), "amazon-cloudwatch-agent"));
        assert!(matches(&process("x", &["/opt/aws/bin/amazon-cloudwatch-agent"]), "amazon-cloudwatch-agent"));
        assert!(matches(&process("falcon-sensor", &["/opt/CrowdStrike/falcon-sensor"]), "falcon-sensor"));
        assert!(!matches(&process("falcon-sensor-x", &[]), "falcon-sensor"));
        assert!(!matches(&process("vectorize", &["/usr/bin/vectorize"]), "vector"));
    }

    #[test]
    fn prefix_and_path_patterns() {
        assert!(matches(&process("otelcol-contrib", &["/usr/bin/otelcol-contrib"]), "otelcol*"));
        assert!(matches(
            &process("agent", &["/opt/datadog-agent/bin/agent/agent", "run"]),
            "/datadog-agent/"
        ));
        assert!(!matches(&process("agent", &["/usr/local/bin/agent"]), "/datadog-agent/"));
    }

    #[test]
    fn finds_products_once_in_table_order() {
        let processes = [
            process("systemd", &["/sbin/init"]),
            process("rsyslogd", &["/usr/sbin/rsyslogd", "-n"]),
            process("fluent-bit", &["/opt/fluent-bit/bin/fluent-bit", "-c", "x"]),
            process("wazuh-agentd", &["/var/ossec/bin/wazuh-agentd"]),
            process("wazuh-agentd", &["/var/ossec/bin/wazuh-agentd"]),
        ];
        assert_eq!(agents(&processes), ["Wazuh", "Fluent Bit"]);
        assert!(agents(&processes[..2]).is_empty(), "syslog daemons are not log shippers by themselves");
    }

    #[test]
    fn hidden_processes_make_an_empty_result_unknown() {
        let hidden = Some("/proc is mounted with hidepid=2".to_owned());
        let table = ProcessTable { processes: vec![process("bash", &["bash"])], hidden: hidden.clone() };
        assert!(probe(&Ok(table)).get().is_err_and(|r| r.contains("hidepid=2")));
        let table = ProcessTable { processes: vec![process("falco", &["/usr/bin/falco"])], hidden };
        assert_eq!(probe(&Ok(table)).get(), Ok(&vec!["Falco".to_owned()]));
        let visible = ProcessTable { processes: vec![process("bash", &["bash"])], hidden: None };
        assert_eq!(probe(&Ok(visible)).get(), Ok(&Vec::new()));
    }

    #[test]
    fn the_table_is_well_formed() {
        for (product, names) in AGENTS {
            assert!(!product.is_empty() && !names.is_empty(), "{product}");
            for name in *names {
                assert!(!name.is_empty() && !name.contains(char::is_whitespace), "{product}: {name}");
            }
        }
    }
}
