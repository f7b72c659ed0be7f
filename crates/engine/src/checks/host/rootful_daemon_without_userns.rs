//! HST005 rootful-daemon-without-userns.

use serde_json::Value;

use crate::checks::daemon::setting_fix;
use crate::checks::prelude::*;
use crate::snapshot::EngineProduct;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let field = "GET /info SecurityOptions";
        let options = info.security_options.join(" ");
        let expected = "name=rootless or name=userns";
        if info.os_type == "windows" {
            return Finding::not_applicable(
                target,
                "user namespaces are a Linux feature; this is a Windows engine",
            );
        }
        let podman = snap.engine_product() == EngineProduct::Podman;
        if info.is_rootless() {
            let message = if podman {
                "Podman runs rootless: root in a container is the unprivileged user running Podman on the host"
            } else {
                "The daemon runs rootless: root in a container is an unprivileged user on the host"
            };
            // Rootless Podman says so in its own `Rootless` field, not in SecurityOptions.
            let field = if podman && info.security_option("rootless").is_none() {
                "GET /info Rootless"
            } else {
                field
            };
            let value = if field == "GET /info Rootless" { "true".to_owned() } else { options };
            return Finding::pass(target, message).evidence(field, value, expected);
        }
        if podman {
            // Rootful Podman: the same risk, but the fix is Podman's, not a daemon.json key.
            return Finding::fail(
                target,
                "Podman runs as root and container root is host root (rootful Podman, no user namespace)",
            )
            .evidence(field, options, expected)
            .evidence("GET /info Rootless", "false", "true")
            .fix(
                SnippetKind::Shell,
                "Run the containers with rootless Podman (as an ordinary user), or give each its own user namespace",
                "systemctl --user enable --now podman.socket   # as the user who runs the containers
                 # or, rootful: podman run --userns=auto …  (needs /etc/subuid and /etc/subgid entries for `containers`)",
            );
        }
        if info.security_option("userns").is_some() {
            return Finding::pass(
                target,
                "The daemon remaps container root to an unprivileged host user (userns-remap)",
            )
            .evidence(field, options, expected);
        }
        if info.is_docker_desktop() {
            return Finding::warn(
                target,
                "The engine runs as root inside Docker Desktop's VM without user namespaces: enable Enhanced Container Isolation to remap container root",
            )
            .evidence(field, options, expected)
            .evidence("GET /info OperatingSystem", &info.operating_system, "Docker Desktop with Enhanced Container Isolation");
        }
        Finding::fail(
            target,
            "The daemon runs as root and container root is host root (no rootless mode, no userns-remap)",
        )
        .evidence(field, options, expected)
        .fixes(setting_fix(snap, "userns-remap", "userns-remap", Value::String("default".to_owned())))
        .fix(
            SnippetKind::Shell,
            "Or run Docker rootless (per user, no root daemon at all)",
            "dockerd-rootless-setuptool.sh install\ndocker context use rootless",
        )
    })
}

crate::declare_check! {
    /// The daemon runs as root and maps container root to host root.
    ///
    /// ## Rationale
    /// With a rootful daemon and no user-namespace remapping, uid 0 in a container is uid 0 on the
    /// host: any container escape (a kernel bug, a runc CVE, a careless bind mount) lands as root.
    /// Rootless mode runs the whole daemon as an ordinary user; `userns-remap` maps container root
    /// to an unprivileged subordinate uid range. Either turns an escape into an unprivileged
    /// foothold: least privilege for the runtime itself. On Docker Desktop the engine runs in a VM,
    /// and Enhanced Container Isolation provides the remapping.
    ///
    /// ## Evidence
    /// `GET /info` → `SecurityOptions` contains `name=rootless` or `name=userns` (`docker info -f
    /// '{{.SecurityOptions}}'`); `OperatingSystem` for Docker Desktop. Read from the Engine API, so
    /// it is judged for remote engines too.
    ///
    /// ## Remediation
    /// Add `"userns-remap": "default"` to daemon.json and restart the daemon (images and containers
    /// live in a new data-root subdirectory afterwards: pull again), or switch to rootless Docker
    /// (`dockerd-rootless-setuptool.sh install`). On Docker Desktop, enable Enhanced Container
    /// Isolation (Settings → General, Business subscription).
    pub(crate) static CHECK = {
        code: "HST005",
        slug: "rootful-daemon-without-userns",
        title: "Rootful daemon without user namespaces",
        category: Host,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.10"),
            Reference::Cis("2.1"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Seed("Roadmap: Container Isolation"),
            Reference::Url("https://docs.docker.com/engine/security/userns-remap/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST005` selects its tests")]
mod HST005 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_fails_hardened_userns_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].remediation[0].code.contains("\"userns-remap\": \"default\""));
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn rootless_passes_desktop_warns() {
        // Mutation: a rootless daemon.
        let snap = variant("default", |s| {
            s.engine
                .ok_mut()
                .expect("captured")
                .info
                .ok_mut()
                .expect("captured")
                .security_options
                .push("name=rootless".into())
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
        // Mutation: Docker Desktop's engine.
        let snap = variant("default", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").operating_system =
                "Docker Desktop".into()
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Warn);
    }
}
