//! CTR016 no-pids-limit.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    // `default-pids-limit` in daemon.json applies to containers created without `--pids-limit`,
    // and their `HostConfig.PidsLimit` may stay null, so the daemon default is consulted too.
    let daemon_default = daemon_setting(snap, "default-pids-limit", "default-pids-limit");
    each_container(snap, |c| {
        let target = container_target(c);
        if let Some(limit) = c.pids_limit.filter(|l| *l > 0) {
            return Finding::pass(
                target,
                format!("Container `{}` may run at most {limit} processes", c.name),
            )
            .evidence("HostConfig.PidsLimit", limit, "> 0");
        }
        let observed =
            c.pids_limit.map_or_else(|| "null (unlimited)".to_owned(), |l| format!("{l} (unlimited)"));
        let daemon_limit = match &daemon_default {
            Ok(setting) => match setting.value.as_ref().and_then(serde_json::Value::as_i64) {
                Some(limit) if limit > 0 && c.pids_limit.is_none() => {
                    return Finding::pass(
                        target,
                        format!("Container `{}` may run at most {limit} processes (daemon default)", c.name),
                    )
                    .evidence("HostConfig.PidsLimit", observed, "> 0 or the daemon default")
                    .evidence(setting.field("default-pids-limit"), limit, "> 0");
                }
                _ => (setting.field("default-pids-limit"), setting.display("unlimited")),
            },
            Err(reason) => {
                ("daemon.json `default-pids-limit`".to_owned(), format!("could not be read: {reason}"))
            }
        };
        Finding::fail(target, format!("Container `{}` has no process limit{}", c.name, state_note(c)))
            .evidence("HostConfig.PidsLimit", observed, "> 0")
            .evidence(daemon_limit.0, daemon_limit.1, "> 0")
            .fix(SnippetKind::Shell, format!("Apply to `{}` now, in place (also fix its definition below, or recreating it undoes this)", c.name), format!("docker update --pids-limit 200 {}", c.name))
                .fixes(container_fixes(c, "--pids-limit 200", "pids_limit: 200  # well above its normal process count"))
    })
}

crate::declare_check! {
    /// A container has no limit on the number of processes it may create.
    ///
    /// ## Rationale
    /// Process ids are a host-wide resource. Without a PIDs limit a fork bomb in one container
    /// exhausts the host's process table and nobody — not the daemon, not sshd, not the admin —
    /// can start a process any more. A limit well above the container's normal process count stops
    /// that at no cost.
    ///
    /// ## Evidence
    /// `HostConfig.PidsLimit` of every container in every state (`docker inspect -f '{{.HostConfig.PidsLimit}}'`);
    /// null, 0 and -1 mean unlimited. For a null limit, the daemon's `default-pids-limit`
    /// (daemon.json key or dockerd flag) when it can be read: a positive default passes.
    ///
    /// ## Remediation
    /// Recreate the container with `--pids-limit` (100–500 suits most services). In Compose:
    /// `pids_limit:`. The daemon can set a default for new containers with `"default-pids-limit"`
    /// in daemon.json.
    pub(crate) static CHECK = {
        code: "CTR016",
        slug: "no-pids-limit",
        title: "No process (PIDs) limit",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.29"),
            Reference::Seed("Container security roadmap §Container Isolation: Cgroups"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR016` selects its tests")]
mod CTR016 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of, variant};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn unlimited_pids_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn numeric_daemon_flag_is_the_default() {
        // Mutation: dockerd got `--default-pids-limit=100`; containers without their own limit
        // (PidsLimit null) get it.
        let snap = variant("default", |s| {
            if let Some(Some(d)) = s.host.dockerd.ok_mut() {
                d.args.push("--default-pids-limit=100".into());
            }
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-defaults"), Status::Pass);
    }
}
