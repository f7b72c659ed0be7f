//! IMG008 image-signature-unverified.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |i| {
        let target = image_target(i);
        let name = i.display_name();
        let Some(digest) = i.repo_digests.first() else {
            return Finding::not_applicable(
                target,
                format!(
                    "`{name}` was built or imported on this engine (no registry digest): there is no pulled artefact to verify; its base image is judged on its own"
                ),
            );
        };
        Finding::manual(
            target,
            format!(
                "`{name}` was pulled as {digest}: confirm its signature or attestation was verified before it ran (the engine keeps no record of that)"
            ),
        )
        .evidence("RepoDigests", i.repo_digests.join(", "), "a digest whose signature was verified")
        .fix(
            SnippetKind::Shell,
            "Verify the digest against the publisher's key (Sigstore cosign or Notation, whichever the publisher signs with)",
            format!("cosign verify --key PUBLISHER_KEY {digest}\n# or: notation verify {digest}"),
        )
    })
}

crate::declare_check! {
    /// An image was pulled from a registry: a person must confirm its signature was verified.
    ///
    /// ## Rationale
    /// A tag says nothing about who built an image; a signature over its digest does. CIS 4.5
    /// asks for Docker Content Trust, which is retired: Docker CLI 29 removed it and Docker Hub's
    /// Notary v1 service shuts down, so `DOCKER_CONTENT_TRUST=1` no longer protects anything.
    /// Its successors verify signatures and attestations over the image digest — Sigstore
    /// **cosign** and **Notation** (Notary Project), usually enforced in CI or by an admission
    /// policy rather than by the engine. The Engine API keeps no record of such a verification,
    /// so this is manual (CIS 4.12): ZeroDock lists each pulled image with the digest to verify.
    ///
    /// ## Evidence
    /// `RepoDigests` of every local image (`docker image inspect -f '{{.RepoDigests}}'`): an image
    /// with a registry digest was pulled (manual); one without was built or imported here (not
    /// applicable: its base image carries the question).
    ///
    /// ## Remediation
    /// Verify the digest before deploying: `cosign verify --key KEY IMAGE@DIGEST` or
    /// `notation verify IMAGE@DIGEST`, and run only digests that passed (pin them:
    /// `IMAGE@sha256:…`). Enforce it where images enter (CI, a registry policy, an admission
    /// controller).
    pub(crate) static CHECK = {
        code: "IMG008",
        slug: "image-signature-unverified",
        title: "Pulled images whose signature to confirm (content trust retired)",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.5"),
            Reference::Cis("4.12"),
            Reference::Url("https://docs.sigstore.dev/cosign/verifying/verify/"),
            Reference::Url("https://notaryproject.dev/docs/user-guides/how-to/registry-authentication/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG008` selects its tests")]
mod IMG008 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "pulled-images",
        ["zerodock/leaky:1", "zerodock/busybox:1"]
    );

    #[test]
    fn local_images_are_not_applicable() {
        for f in findings(&CHECK, &fixture("default")) {
            assert_eq!(f.status, Status::NotApplicable, "{f:?}");
        }
    }

    #[test]
    fn pulled_images_are_manual_never_pass() {
        let f = findings(&CHECK, &named("pulled-images", |_| {}));
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Manual);
        assert!(f.iter().all(|f| f.status != Status::Pass));
    }
}
