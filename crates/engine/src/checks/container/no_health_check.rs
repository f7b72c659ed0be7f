//! CTR019 no-health-check.

use crate::checks::prelude::*;
use crate::snapshot::Healthcheck;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        let finding = match c.healthcheck {
            Healthcheck::Defined => {
                let status = c.health_status.as_deref().map(|s| format!(" (currently {s})")).unwrap_or_default();
                return Finding::pass(target, format!("Container `{}` has a health check{status}", c.name)).evidence(
                    "Config.Healthcheck",
                    "defined",
                    "a health check command",
                );
            }
            Healthcheck::Disabled => Finding::fail(
                target,
                format!("Container `{}` has its health check disabled (`--no-healthcheck` or `HEALTHCHECK NONE`){note}", c.name),
            )
            .evidence("Config.Healthcheck.Test", "[\"NONE\"]", "a health check command"),
            Healthcheck::Absent => Finding::fail(target, format!("Container `{}` has no health check{note}", c.name))
                .evidence("Config.Healthcheck", "absent (neither the container nor its image defines one)", "a health check command"),
        };
        finding
            .fixes(container_fixes(
                c,
                "--health-cmd 'HEALTH_COMMAND' --health-interval 30s --health-timeout 5s --health-retries 3",
                "healthcheck:\n  test: [\"CMD-SHELL\", \"HEALTH_COMMAND\"]  # exits 0 when healthy\n  interval: 30s\n  timeout: 5s\n  retries: 3",
            ))
            .fix(
                SnippetKind::Dockerfile,
                "Or declare it once in its image",
                format!(
                    "FROM {}\nHEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD HEALTH_COMMAND",
                    c.image
                ),
            )
    })
}

crate::declare_check! {
    /// A container has no health check, or disables the one its image defines.
    ///
    /// ## Rationale
    /// Without a health check Docker only knows whether the main process is alive, not whether it
    /// works: a service that hangs, loses its database or is wedged by an attack keeps "running"
    /// and nobody is told. A health check makes the container's state observable — `docker ps`,
    /// orchestrators and monitoring see `unhealthy` — which is the continuous monitoring of asset
    /// state that Zero Trust asks for.
    ///
    /// ## Evidence
    /// `Config.Healthcheck` of every container in every state (the Engine resolves the image's
    /// `HEALTHCHECK` into it); `Test == ["NONE"]` is disabled. `State.Health.Status` is reported
    /// when present.
    ///
    /// ## Remediation
    /// Add `--health-cmd` (with `--health-interval`, `--health-timeout`, `--health-retries`) when
    /// running the container, a `healthcheck:` block in Compose, or a `HEALTHCHECK` instruction in
    /// its Dockerfile; remove `--no-healthcheck` / `healthcheck: disable: true`.
    pub(crate) static CHECK = {
        code: "CTR019",
        slug: "no-health-check",
        title: "No health check",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.27"),
            Reference::Nist("tenet 7: collect information on the state of assets"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://docs.docker.com/reference/dockerfile/#healthcheck"),
            Reference::Cis("4.6"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR019` selects its tests")]
mod CTR019 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn missing_health_check_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
