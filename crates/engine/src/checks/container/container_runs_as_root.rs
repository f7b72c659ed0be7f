//! CTR013 container-runs-as-root.

use crate::checks::image::is_root_user;
use crate::checks::prelude::*;

use super::{is_host_mode, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    // Root in a user namespace (userns-remap, rootless) is an unprivileged user on the host.
    let remapped = snap.info().ok().and_then(|i| {
        i.security_option("userns")
            .or_else(|| i.security_option("rootless"))
            // Rootless Podman reports it in `Rootless`, not in SecurityOptions.
            .or_else(|| i.rootless.then_some("Rootless: true"))
    });
    each_container(snap, |c| {
        let target = container_target(c);
        let (field, user) = if c.user.is_empty() {
            match snap.image_by_id(&c.image_id) {
                Some(image) => ("Config.User (empty) → image Config.User", image.user.as_str()),
                None => {
                    return Finding::unknown(
                        target,
                        format!(
                            "`{}` sets no user and its image {} could not be inspected, so its user is unknown",
                            c.name, c.image
                        ),
                    );
                }
            }
        } else {
            ("Config.User", c.user.as_str())
        };
        let shown = if user.is_empty() { "(empty: root)" } else { user };
        if !is_root_user(user) {
            return Finding::pass(target, format!("Container `{}` runs as user `{user}`", c.name)).evidence(
                field,
                shown,
                "a non-root user",
            );
        }
        let fixes = container_fixes(c, "--user 10001:10001", "user: \"10001:10001\"");
        let dockerfile = format!("FROM {}\nUSER 10001:10001", c.image);
        match remapped {
            Some(option) if !is_host_mode(&c.userns_mode) => Finding::warn(
                target,
                format!(
                    "Container `{}` runs as root, mapped to an unprivileged host user by the daemon ({option}){}",
                    c.name,
                    state_note(c)
                ),
            )
            .evidence(field, shown, "a non-root user")
            .evidence("GET /info SecurityOptions", option, "name=userns or name=rootless"),
            _ => Finding::fail(target, format!("Container `{}` runs as root{}", c.name, state_note(c)))
                .evidence(field, shown, "a non-root user"),
        }
        .fixes(fixes)
        .fix(SnippetKind::Dockerfile, "Or give its image a non-root default user", dockerfile)
    })
}

crate::declare_check! {
    /// A container's process runs as root (uid 0), set by the container or inherited from its image.
    ///
    /// ## Rationale
    /// Root in a container is root on the host kernel, held back only by dropped capabilities,
    /// seccomp and the LSM. Every escape, every writable host mount and every kernel bug is worse
    /// with uid 0: files it writes to mounted volumes are owned by root, and with any extra
    /// capability or mount it owns the host. Most services need no root at all; those that bind a
    /// low port can use `NET_BIND_SERVICE`. Under userns-remap or a rootless daemon, root in the
    /// container is an unprivileged user on the host, so that case only warns.
    ///
    /// ## Evidence
    /// `Config.User` of every container in every state; when it is empty, the image's
    /// `Config.User` (`GET /images/{id}/json`) decides. Empty, `0` or `root` (any group) is root.
    /// Remapping from `GET /info` `SecurityOptions` (`name=userns`, `name=rootless`), unless the
    /// container uses `--userns host`.
    ///
    /// ## Remediation
    /// Run the container as an unprivileged uid: `--user 10001:10001` (Compose `user: "10001:10001"`),
    /// and give the data it writes matching ownership. Better, set `USER` in its Dockerfile so every
    /// container of the image is non-root by default.
    pub(crate) static CHECK = {
        code: "CTR013",
        slug: "container-runs-as-root",
        title: "Container runs as root",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("4.1"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §4 Limit Privileged Containers"),
            Reference::Url("https://docs.docker.com/reference/dockerfile/#user"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR013` selects its tests")]
mod CTR013 {
    use super::CHECK;
    use crate::checks::container::container_mut;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of, variant};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn root_by_image_default_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn root_under_userns_remap_warns() {
        // Variant: zd-hardened on the hardened daemon (userns-remap) started with `--user 0`.
        let snap = variant("hardened", |s| container_mut(s, "zd-hardened").user = "0".to_owned());
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), Status::Warn);
        // ...and additionally with `--userns host`, which gives up the remapping.
        let snap = variant("hardened", |s| {
            let c = container_mut(s, "zd-hardened");
            c.user = "0".to_owned();
            c.userns_mode = "host".to_owned();
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), Status::Fail);
    }
}
