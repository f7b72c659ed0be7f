//! CTR008 host-uts-namespace.

use crate::checks::prelude::*;

use super::{is_host_mode, recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.uts_mode) {
            Finding::fail(
                target,
                format!("Container `{}` shares the host's UTS namespace{}", c.name, state_note(c)),
            )
            .evidence("HostConfig.UTSMode", "host", "private (empty)")
            .fixes(recreate_without(
                c,
                "--uts host",
                "--hostname HOSTNAME",
                "# remove `uts: host`\nhostname: HOSTNAME",
            ))
        } else {
            let mode = if c.uts_mode.is_empty() { "private" } else { c.uts_mode.as_str() };
            Finding::pass(target, format!("Container `{}` has its own UTS namespace", c.name)).evidence(
                "HostConfig.UTSMode",
                mode,
                "not host",
            )
        }
    })
}

crate::declare_check! {
    /// A container shares the host's UTS namespace (`--uts host`).
    ///
    /// ## Rationale
    /// The UTS namespace holds the host name and NIS domain name. Sharing it lets a container with
    /// `SYS_ADMIN` rename the host, which confuses logging, monitoring and Kerberos; without it, the
    /// container still learns the real host name. A small leak, but no container needs it for
    /// anything `--hostname` does not give.
    ///
    /// ## Evidence
    /// `HostConfig.UTSMode` of every container in every state (`docker inspect -f '{{.HostConfig.UTSMode}}'`).
    ///
    /// ## Remediation
    /// Recreate the container without `--uts host`; set the name it should see with `--hostname`.
    /// In Compose, remove `uts: host` and use `hostname:`.
    pub(crate) static CHECK = {
        code: "CTR008",
        slug: "host-uts-namespace",
        title: "Host UTS namespace shared",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.21"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Container security roadmap §Container Isolation: Namespaces"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#uts"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR008` selects its tests")]
mod CTR008 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-host-uts", "zd-hardened"]);

    #[test]
    fn host_uts_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-host-uts"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
