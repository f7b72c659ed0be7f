//! Daemon configuration checks (CIS Docker Benchmark section 2, 5.1 Swarm mode and section 7 Swarm configuration): how `dockerd` is configured, read
//! from `GET /info`, the default bridge network, and (on this machine) dockerd's command line and
//! daemon.json.

use serde_json::Value;

use crate::checks::Check;
use crate::checks::prelude::*;
use crate::report::{Snippet, SnippetKind};
use crate::snapshot::Snapshot;

pub(crate) mod api_tcp_without_tls;
pub(crate) mod daemon_log_level_not_info;
pub(crate) mod daemon_reports_warnings;
pub(crate) mod daemon_seccomp_unconfined;
pub(crate) mod default_cgroup_parent_changed;
pub(crate) mod deprecated_storage_driver;
pub(crate) mod devicemapper_base_size_changed;
pub(crate) mod experimental_features;
pub(crate) mod insecure_registries;
pub(crate) mod inter_container_communication;
pub(crate) mod iptables_management_disabled;
pub(crate) mod live_restore_disabled;
pub(crate) mod logging_not_centralised;
pub(crate) mod no_authorization_plugin;
pub(crate) mod no_default_ulimit;
pub(crate) mod no_new_privileges_default_off;
pub(crate) mod swarm_autolock_disabled;
pub(crate) mod swarm_manager_address_to_confirm;
pub(crate) mod swarm_manager_count_unsound;
pub(crate) mod swarm_mode_enabled;
pub(crate) mod swarm_node_certificate_lifetime_long;
pub(crate) mod swarm_overlay_network_unencrypted;
pub(crate) mod swarm_rotation_to_confirm;
pub(crate) mod swarm_secrets_to_confirm;
pub(crate) mod userland_proxy_enabled;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &inter_container_communication::CHECK,
    &live_restore_disabled::CHECK,
    &userland_proxy_enabled::CHECK,
    &no_new_privileges_default_off::CHECK,
    &logging_not_centralised::CHECK,
    &api_tcp_without_tls::CHECK,
    &insecure_registries::CHECK,
    &daemon_seccomp_unconfined::CHECK,
    &no_authorization_plugin::CHECK,
    &experimental_features::CHECK,
    &daemon_reports_warnings::CHECK,
    &daemon_log_level_not_info::CHECK,
    &iptables_management_disabled::CHECK,
    &deprecated_storage_driver::CHECK,
    &no_default_ulimit::CHECK,
    &default_cgroup_parent_changed::CHECK,
    &devicemapper_base_size_changed::CHECK,
    &swarm_mode_enabled::CHECK,
    &swarm_manager_count_unsound::CHECK,
    &swarm_manager_address_to_confirm::CHECK,
    &swarm_overlay_network_unencrypted::CHECK,
    &swarm_secrets_to_confirm::CHECK,
    &swarm_autolock_disabled::CHECK,
    &swarm_rotation_to_confirm::CHECK,
    &swarm_node_certificate_lifetime_long::CHECK,
];

/// CIS v1.8.0 section 7's gate: on an engine whose swarm mode is off there is no swarm to judge
/// (not applicable, with the reason: unlike docker-bench, never a pass); a node whose swarm
/// details were not read is unknown. `f` judges an active node's `GET /info` `Swarm`.
pub(crate) fn with_swarm(
    snap: &Snapshot,
    f: impl FnOnce(&crate::snapshot::SwarmInfo, Target) -> Finding,
) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let state = info.swarm_state.as_str();
        if state.is_empty() || state == "inactive" {
            return Finding::not_applicable(
                target,
                "Swarm mode is off on this engine (`Swarm.LocalNodeState` is `inactive`): there is no swarm to judge",
            );
        }
        match &info.swarm {
            Some(swarm) => f(swarm, target),
            None => Finding::unknown(
                target,
                format!(
                    "The engine is a swarm node (state `{state}`) but its swarm details could not be read from `GET /info` `Swarm` (a node that is not `active`, or a snapshot taken before ZeroDock read them)"
                ),
            ),
        }
    })
}

/// The managers `GET /nodes` lists, each as `HOST (leader, reachable, ADDR)`, for 7.1/7.2
/// evidence; the reason when the list was not read (a worker, an older snapshot).
pub(crate) fn managers_listed(swarm: &crate::snapshot::SwarmInfo) -> String {
    let nodes = match swarm.node_list.as_ref().map(|f| f.get()) {
        Some(Ok(nodes)) => nodes,
        Some(Err(reason)) => return format!("not read: {reason}"),
        None => return "not read (a snapshot taken before ZeroDock read `GET /nodes`)".to_owned(),
    };
    let managers: Vec<String> = nodes
        .iter()
        .filter_map(|n| {
            let m = n.manager.as_ref()?;
            let mut parts = Vec::new();
            if m.leader {
                parts.push("leader".to_owned());
            }
            parts.push(if m.reachability.is_empty() {
                "reachability unknown".to_owned()
            } else {
                m.reachability.clone()
            });
            if !m.addr.is_empty() {
                parts.push(m.addr.clone());
            }
            Some(format!(
                "{} ({})",
                if n.hostname.is_empty() { "unnamed node" } else { n.hostname.as_str() },
                parts.join(", ")
            ))
        })
        .collect();
    if managers.is_empty() { "no manager listed".to_owned() } else { managers.join("; ") }
}

/// How many managers `GET /nodes` lists as not reachable (`None` when the list was not read).
pub(crate) fn unreachable_managers(swarm: &crate::snapshot::SwarmInfo) -> Option<Vec<String>> {
    let nodes = swarm.node_list.as_ref()?.ok()?;
    Some(
        nodes
            .iter()
            .filter(|n| n.manager.as_ref().is_some_and(|m| m.reachability != "reachable"))
            .map(|n| n.hostname.clone())
            .collect(),
    )
}

/// Judges the cluster settings a manager reports in `GET /info` `Swarm.Cluster`; on a worker, an
/// unknown finding saying so (a worker cannot read the managers' API).
pub(crate) fn with_cluster(
    swarm: &crate::snapshot::SwarmInfo,
    target: Target,
    f: impl FnOnce(&crate::snapshot::SwarmCluster, Target) -> Finding,
) -> Finding {
    match &swarm.cluster {
        Some(cluster) => f(cluster, target),
        None => Finding::unknown(
            target,
            "This swarm node is a worker: only a manager reports the swarm's settings (`GET /info` `Swarm.Cluster`); scan a manager",
        ),
    }
}

/// The first line of a (multi-line) `/info` warning, without the `WARNING: ` prefix: DMN006 and
/// DMN011 both quote warnings this way.
pub(crate) fn first_line(warning: &str) -> &str {
    let line = warning.trim().lines().next().unwrap_or_default().trim();
    line.strip_prefix("WARNING:").map_or(line, str::trim)
}

/// The value dockerd's command line gives `--flag`, when this machine's dockerd is visible.
pub(crate) fn dockerd_flag(snap: &Snapshot, flag: &str) -> Option<String> {
    snap.host.dockerd.ok()?.as_ref()?.flag(flag)
}

/// How to set a daemon setting: through the command line when dockerd already gets `--flag`
/// there (dockerd refuses to start when a key is both a flag and in daemon.json), else a
/// daemon.json fragment.
pub(crate) fn setting_fix(snap: &Snapshot, key: &str, flag: &str, value: Value) -> Vec<Snippet> {
    if let Some(current) = dockerd_flag(snap, flag) {
        let wanted = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return vec![Snippet::new(
            SnippetKind::Shell,
            format!("dockerd is started with `--{flag}={current}`: change the flag (not daemon.json)"),
            format!(
                "# a setting cannot be both a flag and a daemon.json key: dockerd would refuse to start\n\
                 sudo systemctl edit docker.service   # in ExecStart (or DOCKER_OPTS in /etc/default/docker): --{flag}={wanted}\n\
                 sudo systemctl restart docker"
            ),
        )];
    }
    let mut fragment = serde_json::Map::new();
    fragment.insert(key.to_owned(), value);
    daemon_json_fix(snap, Value::Object(fragment)).into()
}

/// The path of the daemon.json this machine's dockerd reads (or the default location).
pub(crate) fn daemon_json_path(snap: &Snapshot) -> String {
    snap.host
        .daemon_json
        .ok()
        .and_then(|d| d.as_ref().map(|d| d.file.path.clone()))
        .unwrap_or_else(|| "/etc/docker/daemon.json".to_owned())
}

/// A shell snippet that deletes `key` from daemon.json, keeping the file's owner and mode (`tee`
/// writes into the existing file), then restarts the daemon.
pub(crate) fn daemon_json_remove(snap: &Snapshot, key: &str) -> Snippet {
    let path = daemon_json_path(snap);
    Snippet::new(
        SnippetKind::Shell,
        format!("Remove `{key}` from {path} and restart the daemon"),
        format!(
            "sudo cp {path} {path}.bak\n\
             sudo jq 'del(.[\"{key}\"])' {path}.bak | sudo tee {path} >/dev/null\n\
             sudo systemctl restart docker"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn first_lines() {
        assert_eq!(first_line("WARNING: No swap limit support\n  more"), "No swap limit support");
    }
}
