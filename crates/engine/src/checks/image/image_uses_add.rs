//! IMG004 image-uses-add.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |image| {
        let name = image.display_name();
        let target = image_target(image);
        let total = image.history.len();
        if total == 0 {
            return Finding::unknown(target, format!("image `{name}` has no build history to inspect"));
        }
        // The oldest layer of most images is their base's root filesystem, unpacked with
        // `ADD rootfs.tar /` by design (CIS 4.9 and docker-bench exempt it too).
        let adds: Vec<(usize, bool)> = image
            .history
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, h)| h.instruction == "ADD")
            .map(|(i, h)| (i + 1, h.remote_source))
            .collect();
        if adds.is_empty() {
            return Finding::pass(target, format!("Image `{name}` uses no ADD instruction")).evidence(
                "GET /images/{id}/history",
                format!("{total} layer(s), no ADD after the base layer"),
                "COPY instead of ADD",
            );
        }
        let observed = adds
            .iter()
            .map(|(layer, remote)| {
                format!("ADD{} at layer {layer} of {total}", if *remote { " <remote URL>" } else { "" })
            })
            .collect::<Vec<_>>()
            .join(", ");
        let remote = adds.iter().filter(|(_, r)| *r).count();
        let finding = if remote > 0 {
            Finding::fail(
                target,
                format!("Image `{name}` downloads build content with ADD from a remote URL"),
            )
        } else {
            Finding::warn(
                target,
                format!(
                    "Image `{name}` uses ADD where COPY would do (layer {})",
                    adds.iter().map(|(layer, _)| layer.to_string()).collect::<Vec<_>>().join(", ")
                ),
            )
        };
        let finding = finding.evidence("GET /images/{id}/history", observed, "COPY instead of ADD").fix(
            SnippetKind::Dockerfile,
            format!("In the Dockerfile that builds `{name}`: copy local files with COPY"),
            "# ADD app.tar.gz /opt/app   (auto-extracts archives, fetches URLs)\nCOPY app/ /opt/app/",
        );
        if remote > 0 {
            finding.fix(
                SnippetKind::Dockerfile,
                "Fetch remote files with a pinned checksum",
                "ADD --checksum=sha256:EXPECTED_SHA256 https://example.com/tool.tar.gz /tmp/\n# or: RUN curl -fsSLo /tmp/tool.tar.gz https://example.com/tool.tar.gz \\\n#   && echo 'EXPECTED_SHA256  /tmp/tool.tar.gz' | sha256sum -c -",
            )
        } else {
            finding
        }
    })
}

crate::declare_check! {
    /// An image was built with `ADD` (after its base layer): fail when it fetched a remote URL, warn
    /// for local files.
    ///
    /// ## Rationale
    /// `COPY` copies files from the build context, nothing more. `ADD` also unpacks local archives
    /// (a tarball can drop files anywhere, including over binaries) and downloads URLs at build
    /// time — content that is not in the repository, not reviewed, and can change between builds
    /// or be swapped by whoever controls the server: a supply-chain hole unless pinned with
    /// `--checksum`. CIS asks for `COPY` wherever `ADD`'s extra powers are not needed.
    ///
    /// ## Evidence
    /// `GET /images/{id}/history` of every local image (`docker history --no-trunc`), reduced at
    /// collection to the instruction of each layer and whether an `ADD` source is an `http(s)://` or
    /// `git@` URL. The oldest layer is exempt: it is the base's root filesystem.
    ///
    /// ## Remediation
    /// Replace `ADD` with `COPY` for local files, and `RUN tar -x` where unpacking is intended. For
    /// downloads, use `ADD --checksum=sha256:…` or `curl` followed by `sha256sum -c`.
    pub(crate) static CHECK = {
        code: "IMG004",
        slug: "image-uses-add",
        title: "Image built with ADD instead of COPY",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.9"),
            Reference::Nist("tenet 5: integrity and security posture of assets"),
            Reference::Seed("Container security roadmap §Container Vulnerability Management"),
            Reference::Url("https://docs.docker.com/build/building/best-practices/#add-or-copy"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG004` selects its tests")]
mod IMG004 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::variant;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/leaky:1", "zerodock/busybox:1"]
    );

    #[test]
    fn local_add_warns() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zerodock/leaky:1"), Status::Warn);
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/hardened:1"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zerodock/hardened:1"), Status::Pass);
    }

    #[test]
    fn remote_add_fails() {
        // Variant: zerodock/leaky:1's ADD fetched a URL (`ADD https://… /opt/`).
        let snap = variant("default", |s| {
            let images = s.engine.ok_mut().and_then(|e| e.images.ok_mut()).expect("images");
            let leaky = images
                .iter_mut()
                .find(|i| i.repo_tags.iter().any(|t| t == "zerodock/leaky:1"))
                .expect("leaky");
            leaky.history.iter_mut().filter(|h| h.instruction == "ADD").for_each(|h| h.remote_source = true);
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zerodock/leaky:1"), Status::Fail);
    }
}
