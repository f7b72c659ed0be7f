//! CTR001 privileged-container.

use crate::checks::prelude::*;

use super::state_note;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if c.privileged {
            Finding::fail(target, format!("Container `{}` runs privileged{}", c.name, state_note(c)))
                .evidence("HostConfig.Privileged", true, "false")
                .fixes(container_fixes(
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
    /// ## Evidence
    /// `HostConfig.Privileged` of every container, in every state (`docker inspect -f '{{.HostConfig.Privileged}}'`).
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
