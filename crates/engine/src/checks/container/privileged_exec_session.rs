//! CTR028 privileged-exec-session.

use crate::checks::prelude::*;

use super::exec_sessions;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let sessions = match exec_sessions(c, &target) {
            Ok(sessions) => sessions,
            Err(finding) => return *finding,
        };
        let privileged: Vec<&str> = sessions.iter().filter(|e| e.privileged).map(|e| e.id.as_str()).collect();
        let field = "ExecIDs → GET /exec/{id}/json ProcessConfig.privileged";
        if privileged.is_empty() {
            return Finding::pass(
                target,
                format!(
                    "No privileged `docker exec` session runs in `{}` ({} session(s) running)",
                    c.name,
                    sessions.len()
                ),
            )
            .evidence(field, "none privileged", "false for every session");
        }
        Finding::fail(
            target,
            format!("A privileged `docker exec` session runs in `{}` ({})", c.name, privileged.join(", ")),
        )
        .evidence(field, format!("true ({})", privileged.join(", ")), "false for every session")
        .fix(
            SnippetKind::Shell,
            format!("End the session: restarting `{}` ends every exec session in it", c.name),
            format!("docker restart {}", c.name),
        )
        .fix(
            SnippetKind::Shell,
            "From now on, exec without --privileged (add only the capability a task needs with a one-off container)",
            format!("docker exec -it {} sh", c.name),
        )
    })
}

crate::declare_check! {
    /// A `docker exec --privileged` session runs in a container.
    ///
    /// ## Rationale
    /// `docker exec --privileged` gives the new process every capability, whatever the container
    /// was started with: the `--cap-drop ALL`, seccomp and AppArmor confinement chosen for the
    /// container do not apply to it, and from there the host's devices and kernel interfaces are
    /// in reach. A hardened container is only as hardened as the sessions run in it.
    ///
    /// ## Evidence
    /// Each running container's `ExecIDs`, each read with `GET /exec/{id}/json` →
    /// `ProcessConfig.privileged`. dockerd forgets a session when it ends, so the Engine API shows
    /// the sessions running at scan time; finished ones are only in `docker events` (`exec_start`)
    /// and the host's audit log (CIS's audit for this recommendation).
    ///
    /// ## Remediation
    /// End the session (restarting the container ends every exec session in it) and run
    /// administrative commands without `--privileged`; a task that needs a capability belongs in
    /// a one-off container started with just that capability.
    pub(crate) static CHECK = {
        code: "CTR028",
        slug: "privileged-exec-session",
        title: "Privileged docker exec session in a container",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.23"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/exec/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR028` selects its tests")]
mod CTR028 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "privileged-exec", ["zd-exec", "zd-exited"]);

    #[test]
    fn unprivileged_sessions_pass() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-exec"), Status::Pass);
        assert_eq!(status_of(&f, "zd-exited"), Status::NotApplicable);
    }

    #[test]
    fn a_privileged_session_fails() {
        let f = findings(&CHECK, &named("privileged-exec", |_| {}));
        assert_eq!(status_of(&f, "zd-exec"), Status::Fail);
        assert_eq!(find(&f, "zd-exec").remediation[0].code, "docker restart zd-exec");
    }
}
