//! CTR001 privileged-container.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.privileged {
            let finding = match rootless_engine(snap) {
                // Not host root: the user's own power (its files, processes, devices), still far
                // more than a container needs.
                Some(engine) => rootless_evidence(
                    snap,
                    Finding::warn(
                        target,
                        format!(
                            "Container `{}` runs privileged under {engine}: every capability and device of the user running the engine, not host root{}",
                            c.name,
                            state_note(c)
                        ),
                    ),
                ),
                None => {
                    Finding::fail(target, format!("Container `{}` runs privileged{}", c.name, state_note(c)))
                }
            };
            finding.evidence("HostConfig.Privileged", true, "false").fixes(container_fixes(
                c,
                "--cap-drop ALL --cap-add CAP_NAME",
                "privileged: false\ncap_drop: [\"ALL\"]\ncap_add: []  # only what it needs, e.g. [CAP_NAME]",
            ))
        } else {
            Finding::pass(target, format!("Container `{}` is not privileged", c.name)).evidence(
                "HostConfig.Privileged",
                false,
                "false",
            )
        }
    })
}

crate::declare_check! {
    /// A container runs (or is created to run) with `--privileged`.
    ///
    /// ## Rationale
    /// A privileged container gets every capability, every host device and no seccomp, AppArmor or
    /// SELinux confinement: root inside it is root on the host, one `mount /dev/sda1` away. A
    /// *created* privileged container is as dangerous as a running one: anyone who can run
    /// `docker start` gets the host. This is the opposite of least privilege, the core of Zero Trust.
    ///
    /// Under a **rootless** engine (rootless dockerd, rootless Podman) the container's root is the
    /// user running the engine, in that user's namespace: `--privileged` then gives every
    /// capability *in that namespace* and the devices the user may open — the user's files,
    /// processes and credentials, not the host. That is a warning, not a failure, and the
    /// finding says so.
    ///
    /// ## Evidence
    /// `HostConfig.Privileged` of every container, in every state (`docker inspect -f '{{.HostConfig.Privileged}}'`);
    /// rootless mode from `GET /info` (`SecurityOptions` `name=rootless`, Podman's `Rootless`).
    ///
    /// ## Remediation
    /// Recreate the container without `--privileged`; grant only the capabilities it needs with
    /// `--cap-drop ALL --cap-add <CAP>` and pass individual devices with `--device`. In Compose, remove
    /// `privileged: true`.
    pub(crate) static CHECK = {
        code: "CTR001",
        slug: "privileged-container",
        title: "Privileged container",
        category: Containers,
        severity: Critical,
        target: Container,
        references: [
            Reference::Cis("5.5"),
            Reference::Nist("tenet 3: least privilege per session"),
            Reference::Seed("Best practices §4 Limit Privileged Containers"),
            Reference::Url("https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR001` selects its tests")]
mod CTR001 {
    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-privileged", "zd-hardened"]);
}
