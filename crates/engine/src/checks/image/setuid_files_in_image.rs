//! IMG010 setuid-files-in-image.

use crate::checks::prelude::*;
use crate::checks::vulns::each_scanned_image;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_scanned_image(snap, |_, image, target| {
        let field = "image layers: files with mode bits 4000/2000 (read with --vulns)";
        let Some(files) = &image.setid_files else {
            return Finding::unknown(
                target,
                "this image was read before ZeroDock listed setuid files: scan it again with --vulns",
            );
        };
        if files.is_empty() {
            return Finding::pass(target, format!("`{}` has no setuid or setgid file", image.image))
                .evidence(field, "none", "only the ones the workload needs");
        }
        let listed: Vec<String> = files.iter().map(|f| format!("/{} ({})", f.path, f.mode)).collect();
        let paths: Vec<String> = files.iter().map(|f| format!("/{}", f.path)).collect();
        Finding::manual(
            target,
            format!(
                "`{}` has {} setuid/setgid file(s): {}. Confirm each is needed",
                image.image,
                files.len(),
                listed.join(", ")
            ),
        )
        .evidence(field, listed.join(", "), "only the ones the workload needs")
        .fix(
            SnippetKind::Dockerfile,
            "Drop the setuid/setgid bits the workload does not need (last instruction of the build)",
            format!("RUN chmod u-s,g-s {}", paths.join(" ")),
        )
    })
}

crate::declare_check! {
    /// An image holds setuid or setgid files: a person must confirm each is needed.
    ///
    /// ## Rationale
    /// A setuid or setgid executable runs with its owner's or group's rights whatever user starts
    /// it: in a container that runs as a non-root user, each root-owned setuid binary (`su`,
    /// `passwd`, `mount`…) is a way back to root, and any flaw in one is a privilege escalation.
    /// Base images often ship some that no workload uses. Which ones an application needs only
    /// its owner knows, so CIS marks this recommendation (4.8) manual: ZeroDock lists them with
    /// their modes, and a person confirms. An image without any passes. (`--security-opt
    /// no-new-privileges`, CTR011, makes the kernel ignore the bits at run time.)
    ///
    /// ## Evidence
    /// The mode bits of every regular file in the image's layer archives, read from the image
    /// export when the scan runs with `--vulns` (unknown without it): files whose mode has 4000
    /// (setuid) or 2000 (setgid), less those a later layer deletes.
    ///
    /// ## Remediation
    /// End the build with `RUN chmod u-s,g-s PATH…` for the files the workload does not need (or
    /// `find / -xdev -perm /6000 -type f -exec chmod a-s {} +` to drop them all), rebuild, and
    /// run containers with `--security-opt no-new-privileges`.
    pub(crate) static CHECK = {
        code: "IMG010",
        slug: "setuid-files-in-image",
        title: "Image setuid/setgid files to confirm",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.8"),
            Reference::Url("https://docs.docker.com/build/building/best-practices/#user"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG010` selects its tests")]
mod IMG010 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "vulns",
        ["zerodock/vuln-debian:1", "zerodock/fixed-alpine:1"]
    );

    #[test]
    fn setuid_files_are_listed_for_review() {
        let f = findings(&CHECK, &fixture("vulns"));
        assert_eq!(status_of(&f, "zerodock/vuln-debian:1"), Status::Manual, "{f:?}");
        assert!(find(&f, "zerodock/vuln-debian:1").message.contains("/bin/passwd (4755)"));
        assert_eq!(status_of(&f, "zerodock/fixed-alpine:1"), Status::Pass);
    }
}
