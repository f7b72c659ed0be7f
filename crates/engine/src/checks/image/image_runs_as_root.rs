//! IMG001 image-runs-as-root.

use crate::checks::prelude::*;

use super::is_root_user;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |image| {
        let name = image.display_name();
        let target = image_target(image);
        let shown = if image.user.is_empty() { "(empty: root)" } else { image.user.as_str() };
        if !is_root_user(&image.user) {
            return Finding::pass(target, format!("Image `{name}` runs as user `{}` by default", image.user))
                .evidence("Config.User", shown, "a non-root user");
        }
        Finding::fail(target, format!("Image `{name}` runs as root by default"))
            .evidence("Config.User", shown, "a non-root user")
            .fix(
                SnippetKind::Dockerfile,
                format!("In the Dockerfile that builds `{name}`, after installing packages"),
                "RUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app  # Debian/Ubuntu: groupadd -r -g 10001 app && useradd -r -u 10001 -g app app\nUSER 10001:10001",
            )
            .fix(
                SnippetKind::Dockerfile,
                format!("Or derive a non-root variant of `{name}`"),
                format!("FROM {name}\nUSER 10001:10001"),
            )
    })
}

crate::declare_check! {
    /// An image runs its processes as root unless the container overrides it: its `USER` is unset,
    /// `root` or `0`.
    ///
    /// ## Rationale
    /// An image's `USER` is the default for every container made from it; most `docker run`
    /// commands and Compose files never override it. An image without one runs everything as uid 0,
    /// which turns any flaw in the application into root inside the container — one capability,
    /// mount or kernel bug away from root on the host. Creating an unprivileged user in the image
    /// makes the safe choice the default (CTR013 judges each container's effective user).
    ///
    /// ## Evidence
    /// `Config.User` of every local image (`GET /images/{id}/json`, `docker image inspect -f '{{.Config.User}}'`);
    /// empty, `0` or `root` (any group) is root.
    ///
    /// ## Remediation
    /// Add a system user in the Dockerfile and switch to it with a numeric `USER 10001:10001` (numeric
    /// ids let runtimes verify non-root without reading `/etc/passwd`); keep files the process must
    /// write owned by it. For third-party images, run them with `--user` or derive a variant with
    /// `USER`.
    pub(crate) static CHECK = {
        code: "IMG001",
        slug: "image-runs-as-root",
        title: "Image runs as root by default",
        category: Images,
        severity: Medium,
        target: Image,
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
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG001` selects its tests")]
mod IMG001 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/busybox:1", "zerodock/hardened:1"]
    );

    #[test]
    fn image_user() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/leaky:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/hardened:1"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zerodock/hardened:1"), Status::Pass);
    }
}
