//! CTR032 stopped-container-sprawl.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.is_running() {
            return Finding::pass(target, format!("Container `{}` is {}", c.name, c.state)).evidence(
                "State.Status",
                &c.state,
                "running, or removed",
            );
        }
        let state = if c.state.is_empty() { "not running" } else { c.state.as_str() };
        Finding::manual(
            target,
            format!("Container `{}` is {state}: confirm it is still needed, or remove it", c.name),
        )
        .evidence("State.Status", state, "running, or removed")
        .fix(
            SnippetKind::Shell,
            format!("If `{}` is no longer needed", c.name),
            format!("docker rm {}", c.name),
        )
    })
}

crate::declare_check! {
    /// A container is stopped or was never started (container sprawl): a person must confirm it
    /// is still needed.
    ///
    /// ## Rationale
    /// Stopped containers pile up: each keeps its writable layer (logs, caches, sometimes
    /// credentials written at run time), its configuration and the image it pins, and one
    /// `docker start` — or a daemon restart with a restart policy — brings back whatever it was
    /// configured with, long after anyone remembers why. Whether a stopped container is a
    /// deliberate standby or leftover is the owner's call, so CIS marks container sprawl manual:
    /// ZeroDock lists every container that is not running.
    ///
    /// ## Evidence
    /// `State.Status` of every container (`docker ps -a`): `created`, `exited` and `dead` are
    /// manual findings; running, restarting and paused pass.
    ///
    /// ## Remediation
    /// Remove what is no longer needed (`docker rm NAME`, or `docker container prune` for every
    /// stopped container at once); run one-off containers with `--rm`.
    pub(crate) static CHECK = {
        code: "CTR032",
        slug: "stopped-container-sprawl",
        title: "Stopped containers to confirm (container sprawl)",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("6.2"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/prune/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR032` selects its tests")]
mod CTR032 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-exited", "zd-defaults"]);

    #[test]
    fn stopped_is_manual_running_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-exited"), Status::Manual);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Manual);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
    }
}
