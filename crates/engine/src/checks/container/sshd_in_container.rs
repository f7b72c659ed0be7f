//! CTR024 sshd-in-container.

use crate::checks::prelude::*;
use crate::snapshot::PROCESSES_NOT_READ;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    // A scan not asked to read processes: one unknown on the engine, not one per container.
    if let Ok(containers) = snap.containers() {
        let running: Vec<&Container> = containers.iter().filter(|c| c.is_running()).collect();
        let not_read = |c: &&Container| matches!(&c.processes, Some(crate::snapshot::Fact::Unavailable { reason }) if reason == PROCESSES_NOT_READ);
        if !running.is_empty() && running.iter().all(not_read) {
            return vec![Finding::unknown(engine_target(snap), PROCESSES_NOT_READ)];
        }
    }
    each_container(snap, |c| {
        let target = container_target(c);
        if !c.is_running() {
            return Finding::not_applicable(
                target,
                format!("`{}` is not running ({}): it has no processes to look at", c.name, c.state),
            );
        }
        let names = match &c.processes {
            None => {
                return Finding::unknown(target, "this snapshot predates process lists (collect it again)");
            }
            Some(fact) => match fact.get() {
                Ok(names) => names,
                Err(reason) => {
                    return Finding::unknown(
                        target,
                        format!("`{}`'s processes could not be read: {reason}", c.name),
                    );
                }
            },
        };
        let listed = names.join(", ");
        let sshd: Vec<&String> = names.iter().filter(|n| matches!(n.as_str(), "sshd" | "dropbear")).collect();
        if sshd.is_empty() {
            return Finding::pass(target, format!("Container `{}` runs no SSH server", c.name)).evidence(
                "GET /containers/{id}/top COMMAND",
                listed,
                "no sshd",
            );
        }
        let which = sshd.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        Finding::fail(target, format!("Container `{}` runs an SSH server ({which})", c.name))
            .evidence("GET /containers/{id}/top COMMAND", listed, "no sshd")
            .fix(
                SnippetKind::Shell,
                format!("Reach `{}` through the engine instead of SSH", c.name),
                format!("docker exec -it {} sh", c.name),
            )
            .fix(
                SnippetKind::Dockerfile,
                "Rebuild the image without the SSH server (and its host keys and authorized_keys)",
                "# remove openssh-server / dropbear from the image, and the CMD or supervisor entry that starts it",
            )
    })
}

crate::declare_check! {
    /// A running container runs an SSH server.
    ///
    /// ## Rationale
    /// An SSH daemon in a container is a second way in that Docker's controls do not see: its own
    /// keys and passwords to manage and rotate, its own vulnerabilities to patch, a login that
    /// bypasses the engine's authorization and audit trail. Everything it offers, `docker exec`
    /// (or `kubectl exec`) already gives to the people allowed to use the engine. Processes are
    /// matched by executable name (`sshd`, `dropbear`).
    ///
    /// ## Evidence
    /// `GET /containers/{id}/top?ps_args=-eo pid,comm` for each running container — executable
    /// names only, never command lines (they can hold credentials). The engine records a `top`
    /// event for each such read, so the scan reads processes only when asked (`--processes`);
    /// without it the check is unknown. Stopped containers have no processes: not applicable.
    ///
    /// ## Remediation
    /// Remove the SSH server from the image and the command or supervisor entry that starts it;
    /// use `docker exec` for interactive access.
    pub(crate) static CHECK = {
        code: "CTR024",
        slug: "sshd-in-container",
        title: "SSH server running in a container",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.7"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/exec/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR024` selects its tests")]
mod CTR024 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of, variant};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-sshd", "zd-hardened", "zd-exited"]
    );

    #[test]
    fn sshd_fails_others_pass() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-sshd"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&f, "zd-exited"), Status::NotApplicable);
    }

    #[test]
    fn processes_not_read_is_one_unknown() {
        // Mutation: a scan without `--processes`.
        let snap = variant("default", |s| {
            for c in s.engine.ok_mut().expect("captured").containers.ok_mut().expect("captured") {
                if c.is_running() {
                    c.processes = Some(crate::snapshot::Fact::unavailable(PROCESSES_NOT_READ));
                }
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!((f.len(), f[0].status), (1, Status::Unknown), "{f:?}");
    }
}
