//! DMN016 default-cgroup-parent-changed.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "the default cgroup parent comes from containers.conf (`cgroup_parent`); each container's is judged by CTR030",
    ) {
        return na;
    }
    let target = engine_target(snap);
    let finding = match daemon_setting(snap, "cgroup-parent", "cgroup-parent") {
        Ok(setting) => {
            let field = setting.field("cgroup-parent");
            match setting.value.as_ref().and_then(serde_json::Value::as_str).filter(|p| !p.is_empty()) {
                None => Finding::pass(
                    target,
                    "Containers go under the daemon's default cgroup parent (`/docker`, or `system.slice` with systemd)",
                )
                .evidence(field, setting.display("unset"), "unset (the default parent)"),
                Some(parent) => Finding::manual(
                    target,
                    format!(
                        "The daemon puts every container under cgroup parent `{parent}`: confirm that cgroup is meant to hold them and limits them as intended"
                    ),
                )
                .evidence(field, parent, "unset, or a parent chosen on purpose")
                .fix(
                    SnippetKind::Shell,
                    "Or, if the parent is not deliberate: go back to the default",
                    super::daemon_json_remove(snap, "cgroup-parent").code,
                ),
            }
        }
        Err(why) => {
            Finding::unknown(target, format!("the daemon's default cgroup parent could not be read: {why}"))
        }
    };
    vec![finding]
}

crate::declare_check! {
    /// The daemon's default cgroup parent was changed: a person must confirm the cgroup its
    /// containers land in is the intended one.
    ///
    /// ## Rationale
    /// The cgroup parent decides which resource limits and accounting apply to every container
    /// the daemon starts. The default (`/docker` with cgroupfs, `system.slice` with systemd)
    /// keeps containers apart from the host's own services. A changed parent can be a deliberate
    /// design (a slice with its own CPU and memory caps) or a mistake that puts containers beside
    /// critical services with no limit between them; only the person who runs the host can tell.
    /// CIS marks this recommendation manual: ZeroDock shows the setting, a person confirms it.
    ///
    /// ## Evidence
    /// The effective `cgroup-parent` setting: dockerd's `--cgroup-parent` flag, else the
    /// `cgroup-parent` key of daemon.json. Unset passes; set is a manual finding naming the
    /// parent; unknown when neither source can be read.
    ///
    /// ## Remediation
    /// Keep a changed parent only if it is meant and limits what it holds (`systemctl show
    /// NAME.slice -p MemoryMax -p CPUQuota`); otherwise remove `cgroup-parent` from daemon.json and
    /// restart the daemon.
    pub(crate) static CHECK = {
        code: "DMN016",
        slug: "default-cgroup-parent-changed",
        title: "Daemon default cgroup parent changed",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.11"),
            Reference::Url("https://docs.docker.com/reference/cli/dockerd/#default-cgroup-parent"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN016` selects its tests")]
mod DMN016 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn the_default_passes() {
        for base in ["default", "hardened"] {
            assert_eq!(findings(&CHECK, &fixture(base))[0].status, Status::Pass, "{base}");
        }
    }

    #[test]
    fn a_changed_parent_is_manual() {
        let f = findings(&CHECK, &named("cgroup-parent-daemon", |_| {}));
        assert_eq!(f[0].status, Status::Manual, "{f:?}");
        assert!(f[0].message.contains("/zerodock-workloads"));
    }
}
