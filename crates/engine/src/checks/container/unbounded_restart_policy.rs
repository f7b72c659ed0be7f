//! CTR018 unbounded-restart-policy.

use crate::checks::prelude::*;

use super::state_note;

/// CIS 5.15's ceiling for `on-failure` retries.
const MAX_RETRIES: i64 = 5;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let policy = &c.restart_policy;
        let observed = match policy.name.as_str() {
            "on-failure" => format!("on-failure:{}", policy.maximum_retry_count),
            "" => "no (empty)".to_owned(),
            name => name.to_owned(),
        };
        let expected = format!("no, or on-failure:1..{MAX_RETRIES}");
        let note = state_note(c);
        let finding = match policy.name.as_str() {
            "on-failure" if policy.maximum_retry_count == 0 => Finding::fail(
                target,
                format!("Container `{}` restarts on failure without a retry limit{note}", c.name),
            ),
            "on-failure" if policy.maximum_retry_count > MAX_RETRIES => Finding::fail(
                target,
                format!(
                    "Container `{}` restarts on failure up to {} times (more than {MAX_RETRIES}){note}",
                    c.name, policy.maximum_retry_count
                ),
            ),
            "always" | "unless-stopped" => Finding::warn(
                target,
                format!("Container `{}` restarts forever (`{}`){note}", c.name, policy.name),
            ),
            _ => {
                return Finding::pass(
                    target,
                    format!("Container `{}` has a bounded restart policy ({observed})", c.name),
                )
                .evidence("HostConfig.RestartPolicy", observed, expected);
            }
        };
        finding
            .evidence("HostConfig.RestartPolicy", observed, expected)
            .fix(
                SnippetKind::Shell,
                format!("Apply to `{}` now, in place (also fix its definition below, or recreating it undoes this)", c.name),
                format!("docker update --restart on-failure:{MAX_RETRIES} {}", c.name),
            )
            .fixes(container_fixes(
                c,
                &format!("--restart on-failure:{MAX_RETRIES}"),
                &format!("restart: \"on-failure:{MAX_RETRIES}\""),
            ))
    })
}

crate::declare_check! {
    /// A container restarts without bound: `on-failure` with no retry limit or more than 5 retries
    /// (fail), or `always` / `unless-stopped` (warn).
    ///
    /// ## Rationale
    /// A container that crashes and restarts forever hides the failure, burns CPU and I/O in a crash
    /// loop, and hands an attacker unlimited retries of an exploit that crashes it (each restart is a
    /// fresh attempt, and a guess at ASLR). Capping `on-failure` retries makes a broken container
    /// stop and get noticed. `always` and `unless-stopped` also restart without limit, but are the
    /// usual way to keep services up across reboots, so they only warn: supervise them (health
    /// checks, alerts on restart counts) or cap them.
    ///
    /// ## Evidence
    /// `HostConfig.RestartPolicy.Name` and `.MaximumRetryCount` of every container in every state
    /// (`docker inspect -f '{{json .HostConfig.RestartPolicy}}'`); a retry count of 0 means unlimited.
    ///
    /// ## Remediation
    /// `docker update --restart on-failure:5 <container>` changes it in place. When recreating:
    /// `--restart on-failure:5`, or in Compose `restart: "on-failure:5"` (Swarm:
    /// `deploy.restart_policy.max_attempts: 5`).
    pub(crate) static CHECK = {
        code: "CTR018",
        slug: "unbounded-restart-policy",
        title: "Unbounded restart policy",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.15"),
            Reference::Seed("Container security roadmap §Container Isolation: Cgroups"),
            Reference::Url("https://docs.docker.com/engine/containers/start-containers-automatically/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR018` selects its tests")]
mod CTR018 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-restart-always", "zd-hardened"]);

    #[test]
    fn unbounded_restarts() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-restart-unlimited"), Status::Fail);
        assert_eq!(status_of(&f, "zd-restart-always"), Status::Warn);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
