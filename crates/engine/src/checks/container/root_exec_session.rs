//! CTR029 root-exec-session.

use crate::checks::image::is_root_user;
use crate::checks::prelude::*;

use super::exec_sessions;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let remapped = snap.info().ok().and_then(|i| {
        i.security_option("userns")
            .or_else(|| i.security_option("rootless"))
            // Rootless Podman reports it in `Rootless`, not in SecurityOptions.
            .or_else(|| i.rootless.then_some("Rootless: true"))
    });
    each_container(snap, |c| {
        let target = container_target(c);
        let sessions = match exec_sessions(c, &target) {
            Ok(sessions) => sessions,
            Err(finding) => return *finding,
        };
        // A session without `-u` runs as the container's user.
        let root: Vec<String> = sessions
            .iter()
            .filter(|e| is_root_user(if e.user.is_empty() { &c.user } else { &e.user }))
            .map(|e| {
                if e.user.is_empty() {
                    format!("{} (the container's user)", e.id)
                } else {
                    format!("{} as `{}`", e.id, e.user)
                }
            })
            .collect();
        let field = "ExecIDs → GET /exec/{id}/json ProcessConfig.user";
        if root.is_empty() {
            return Finding::pass(
                target,
                format!(
                    "No `docker exec` session runs as root in `{}` ({} session(s) running)",
                    c.name,
                    sessions.len()
                ),
            )
            .evidence(field, "none as root", "a non-root user");
        }
        let message = format!("A `docker exec` session runs as root in `{}`: {}", c.name, root.join(", "));
        let finding = if remapped.is_some() {
            Finding::warn(target, format!("{message} (root in a user namespace: unprivileged on the host)"))
        } else {
            Finding::fail(target, message)
        };
        finding
            .evidence(field, root.join(", "), "a non-root user")
            .evidence(
                "Config.User",
                if c.user.is_empty() { "(empty: root)" } else { c.user.as_str() },
                "a non-root user",
            )
            .fix(
                SnippetKind::Shell,
                format!("End the session: restarting `{}` ends every exec session in it", c.name),
                format!("docker restart {}", c.name),
            )
            .fix(
                SnippetKind::Shell,
                "From now on, exec as an unprivileged user",
                format!("docker exec -u 10001 -it {} sh", c.name),
            )
    })
}

crate::declare_check! {
    /// A `docker exec` session runs as root in a container.
    ///
    /// ## Rationale
    /// A container run as a non-root user can still be entered as root with `docker exec -u 0`,
    /// and a session without `-u` in a container that runs as root is root too. Root inside the
    /// container owns its filesystem and, without a user namespace, is root on the host for
    /// everything the namespaces leave shared: the first step of most escapes. Administrative
    /// sessions should use an unprivileged user unless the task needs root.
    ///
    /// ## Evidence
    /// Each running container's `ExecIDs`, each read with `GET /exec/{id}/json` →
    /// `ProcessConfig.user` (empty: the container's `Config.User`). Root is an empty user, `0` or
    /// `root`. Under userns-remap or rootless Docker a root session is a warning. dockerd forgets
    /// a session when it ends: finished ones are only in `docker events` and the audit log.
    ///
    /// ## Remediation
    /// End the session (restarting the container ends every exec session in it) and use
    /// `docker exec -u UID` with an unprivileged user; give images a non-root `USER` so a session
    /// without `-u` is not root either.
    pub(crate) static CHECK = {
        code: "CTR029",
        slug: "root-exec-session",
        title: "docker exec session running as root",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.24"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/exec/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR029` selects its tests")]
mod CTR029 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-exec", "zd-hardened"]);

    #[test]
    fn a_root_session_fails_an_unprivileged_one_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-exec"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
    }
}
