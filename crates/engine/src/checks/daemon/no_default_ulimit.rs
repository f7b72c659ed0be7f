//! DMN015 no-default-ulimit.

use serde_json::{Value, json};

use crate::checks::prelude::*;

/// What the fix proposes: the hardened scenario daemon runs with exactly this (a start on it is
/// proven by every fixture capture).
fn proposed() -> Value {
    json!({ "default-ulimits": { "nofile": { "Name": "nofile", "Soft": 1024, "Hard": 4096 } } })
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "default ulimits come from containers.conf `default_ulimits`; each container's ulimits are judged by CTR027",
    ) {
        return na;
    }
    let target = engine_target(snap);
    let finding = match daemon_setting(snap, "default-ulimits", "default-ulimit") {
        Ok(setting) => {
            let field = setting.field("default-ulimits");
            match &setting.value {
                Some(value) => Finding::pass(
                    target,
                    format!("Containers get default ulimits chosen for this host: {}", describe(value)),
                )
                .evidence(field, setting.display(""), "set"),
                None => Finding::manual(
                    target,
                    "No default ulimit is set: containers inherit dockerd's own limits; confirm they suit the workloads",
                )
                .evidence(field, "unset (dockerd's limits apply)", "deliberate default ulimits")
                .fixes(crate::checks::helpers::daemon_json_fix(snap, proposed())),
            }
        }
        Err(why) => {
            Finding::unknown(target, format!("the daemon's default ulimits could not be read: {why}"))
        }
    };
    vec![finding]
}

/// `nofile=1024:4096, nproc=…` from daemon.json's map (or a flag's text).
fn describe(value: &Value) -> String {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(name, limit)| {
                let get = |k: &str| limit.get(k).map_or_else(|| "?".to_owned(), Value::to_string);
                format!("{name}={}:{}", get("Soft"), get("Hard"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

crate::declare_check! {
    /// No default ulimit is configured for the daemon's containers: whether the inherited limits
    /// suit the workloads is for a person to confirm.
    ///
    /// ## Rationale
    /// Ulimits cap what one process may hold: open files, processes, locked memory, core size.
    /// Without `default-ulimits`, every container inherits the limits dockerd itself was started
    /// with, which are set for a daemon, not for untrusted workloads: a service unit's
    /// `LimitNOFILE=infinity` becomes every container's open-file limit, so one container can
    /// exhaust the host's file table. Choosing defaults for the daemon's containers, and
    /// overriding them per container only where needed, bounds that. What the right values are
    /// depends on the workloads, so CIS marks this recommendation manual: ZeroDock reports whether
    /// defaults are set, and a person confirms the values.
    ///
    /// ## Evidence
    /// The effective `default-ulimits` setting: dockerd's `--default-ulimit` flag, else the
    /// `default-ulimits` key of daemon.json. Set passes (showing the values); unset is a manual
    /// finding; unknown when neither source can be read.
    ///
    /// ## Remediation
    /// Add `default-ulimits` to daemon.json (for example `nofile` soft 1024, hard 4096, which no
    /// hard limit of dockerd below it blocks) and restart the daemon; containers that need more
    /// get `--ulimit` of their own.
    pub(crate) static CHECK = {
        code: "DMN015",
        slug: "no-default-ulimit",
        title: "No default ulimit for the daemon's containers",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.9"),
            Reference::Url("https://docs.docker.com/reference/cli/dockerd/#default-ulimit-settings"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN015` selects its tests")]
mod DMN015 {
    use super::*;
    use crate::checks::testing::{findings, fixture};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn unset_is_manual_set_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Manual), "{f:?}");
        let h = findings(&CHECK, &fixture("hardened"));
        assert_eq!(h[0].status, Status::Pass, "{h:?}");
        assert!(h[0].message.contains("nofile=1024:4096"), "{}", h[0].message);
    }

    #[test]
    fn the_proposal_is_what_the_hardened_daemon_runs_with() {
        let snap = fixture("hardened");
        let dj = snap.host.daemon_json.ok().and_then(Option::as_ref).expect("captured daemon.json");
        assert_eq!(dj.settings.get("default-ulimits"), proposed().get("default-ulimits"));
    }
}
