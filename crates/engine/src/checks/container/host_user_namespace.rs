//! CTR020 host-user-namespace.

use crate::checks::prelude::*;

use super::{is_host_mode, recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let remap = snap.info().ok().map(|i| i.security_option("userns").is_some());
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.userns_mode) {
            let why = match remap {
                Some(true) => "opts out of the daemon's userns-remap",
                Some(false) => {
                    "opts out of user-namespace remapping (no effect until the daemon enables userns-remap)"
                }
                None => "asks for the host user namespace",
            };
            return Finding::fail(target, format!("Container `{}` {why}{}", c.name, state_note(c)))
                .evidence("HostConfig.UsernsMode", "host", "empty (the daemon's user namespace)")
                .fixes(recreate_without(c, "--userns host", "", "# remove `userns_mode: host`"));
        }
        let daemon = match remap {
            Some(true) => "root in it is remapped by userns-remap",
            Some(false) => "the daemon has no userns-remap, so its root is host root (a daemon setting)",
            None => "the daemon's userns-remap state is unknown",
        };
        Finding::pass(
            target,
            format!("Container `{}` does not opt out of user-namespace remapping; {daemon}", c.name),
        )
        .evidence(
            "HostConfig.UsernsMode",
            if c.userns_mode.is_empty() { "(empty)" } else { c.userns_mode.as_str() },
            "not host",
        )
    })
}

crate::declare_check! {
    /// A container opts out of user-namespace remapping (`--userns host`).
    ///
    /// ## Rationale
    /// With the daemon's `userns-remap`, uid 0 in a container is an unprivileged uid on the host, so
    /// an escape lands as nobody. `--userns host` puts the container back in the host's user
    /// namespace: its root is the host's root again. On a daemon without remapping the flag changes
    /// nothing yet, but it is an explicit opt-out that silently defeats remapping once it is
    /// enabled, so it fails either way. Whether the daemon remaps at all is a daemon check.
    ///
    /// ## Evidence
    /// `HostConfig.UsernsMode` of every container in every state (`docker inspect -f '{{.HostConfig.UsernsMode}}'`);
    /// remapping from `GET /info` `SecurityOptions` (`name=userns`), for the message.
    ///
    /// ## Remediation
    /// Recreate the container without `--userns host` (Compose: remove `userns_mode: host`). If it
    /// needs host-owned files, give them to the remapped uid range (`/etc/subuid`) instead.
    pub(crate) static CHECK = {
        code: "CTR020",
        slug: "host-user-namespace",
        title: "Host user namespace shared",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.31"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust §Principle of least privilege"),
            Reference::Url("https://docs.docker.com/engine/security/userns-remap/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR020` selects its tests")]
mod CTR020 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-userns-host", "zd-hardened"]);

    #[test]
    fn userns_host_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-userns-host"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
