//! CTR027 ulimit-override.

use crate::checks::prelude::*;

/// The daemon's `default-ulimits` as (name, soft, hard): dockerd copies them into a container's
/// `HostConfig.Ulimits` at start, so an entry equal to one of them is no override.
fn daemon_defaults(snap: &Snapshot) -> Vec<(String, i64, i64)> {
    let Ok(setting) = daemon_setting(snap, "default-ulimits", "default-ulimit") else { return Vec::new() };
    let Some(serde_json::Value::Object(map)) = setting.value else { return Vec::new() };
    map.iter()
        .filter_map(|(name, limit)| {
            Some((name.clone(), limit.get("Soft")?.as_i64()?, limit.get("Hard")?.as_i64()?))
        })
        .collect()
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let defaults = daemon_defaults(snap);
    each_container(snap, |c| {
        let target = container_target(c);
        let overrides: Vec<&crate::snapshot::Ulimit> = c
            .ulimits
            .iter()
            .filter(|u| {
                !defaults
                    .iter()
                    .any(|(name, soft, hard)| *name == u.name && *soft == u.soft && *hard == u.hard)
            })
            .collect();
        if overrides.is_empty() {
            let shown = if c.ulimits.is_empty() {
                "none".to_owned()
            } else {
                format!("{} (the daemon's defaults)", c.ulimits.len())
            };
            return Finding::pass(
                target,
                format!("Container `{}` keeps the daemon's default ulimits", c.name),
            )
            .evidence("HostConfig.Ulimits", shown, "none, unless needed");
        }
        let limits: Vec<String> =
            overrides.iter().map(|u| format!("{}={}:{}", u.name, u.soft, u.hard)).collect();
        Finding::manual(
            target,
            format!(
                "Container `{}` overrides the default ulimits ({}): confirm it needs them",
                c.name,
                limits.join(", ")
            ),
        )
        .evidence("HostConfig.Ulimits", limits.join(", "), "none, unless needed")
    })
}

crate::declare_check! {
    /// A container overrides the daemon's default ulimits: a person must confirm it needs to.
    ///
    /// ## Rationale
    /// Default ulimits (DMN015) bound what each container's processes may hold: open files,
    /// processes, locked memory. `--ulimit` replaces them for one container, usually upwards, so
    /// that container can exhaust what the defaults were meant to protect. Some workloads need it
    /// (databases, build tools), so CIS marks this recommendation manual: ZeroDock lists each
    /// override, and a person confirms it is needed.
    ///
    /// ## Evidence
    /// `HostConfig.Ulimits` of every container in every state (`docker inspect -f
    /// '{{.HostConfig.Ulimits}}'`), less the entries equal to the daemon's `default-ulimits`
    /// (dockerd copies those in when it starts a container). No override passes.
    ///
    /// ## Remediation
    /// Keep an override only where the workload needs it, at the smallest value that works;
    /// otherwise recreate the container without `--ulimit` (Compose: remove `ulimits:`).
    pub(crate) static CHECK = {
        code: "CTR027",
        slug: "ulimit-override",
        title: "Container ulimit overrides to confirm",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.19"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#ulimit"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR027` selects its tests")]
mod CTR027 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    #[test]
    fn the_daemon_defaults_are_no_override() {
        let f = findings(&CHECK, &fixture("hardened"));
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass, "{f:?}");
    }

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-ulimit", "zd-defaults"]);

    #[test]
    fn overrides_are_listed_for_review() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-ulimit"), Status::Manual);
        assert!(find(&f, "zd-ulimit").message.contains("nofile=512:1024"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
    }
}
