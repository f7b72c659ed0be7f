//! IMG007 image-packages-to-review.

use crate::checks::prelude::*;
use crate::checks::vulns::each_scanned_image;

/// How many package names a message lists before "and N more".
const LISTED: usize = 8;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_scanned_image(snap, |_, image, target| {
        let field = "image package database (read with --vulns)";
        if image.packages.is_empty() {
            return Finding::pass(
                target,
                format!(
                    "`{}` has no package database: nothing installed through a package manager",
                    image.image
                ),
            )
            .evidence(field, "0 packages", "only what the workload needs");
        }
        let mut names: Vec<&str> = image.packages.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let shown = names.iter().take(LISTED).copied().collect::<Vec<_>>().join(", ");
        let more =
            if names.len() > LISTED { format!(" and {} more", names.len() - LISTED) } else { String::new() };
        let os = image.os.as_ref().map_or_else(|| "an unknown base".to_owned(), |o| o.pretty_name.clone());
        Finding::manual(
            target,
            format!(
                "`{}` ({os}) installs {} package(s): {shown}{more}. Confirm each is needed and came from a verified (signed) repository",
                image.image,
                names.len()
            ),
        )
        .evidence(field, format!("{} packages", names.len()), "only what the workload needs, from signed repositories")
    })
}

crate::declare_check! {
    /// An image installs packages: a person must confirm each is needed and came from a verified
    /// source.
    ///
    /// ## Rationale
    /// Every installed package is code that can be vulnerable, and tools left in an image (a
    /// shell, a compiler, curl) are what an attacker uses after getting in. CIS asks that images
    /// hold only the packages the workload needs (4.3) and that those come from verified sources
    /// — signed repositories, checksummed downloads (4.11). Neither is decidable from the
    /// package list alone, so CIS marks both manual: ZeroDock lists what each image in use
    /// installs, and a person confirms it. An image with no package database passes.
    ///
    /// ## Evidence
    /// The package database of each image in use (dpkg, apk, rpm), read from the image export
    /// when the scan runs with `--vulns`; without it the check is unknown. The packages' names,
    /// count and the base OS are listed.
    ///
    /// ## Remediation
    /// Remove what the workload does not need (build in one stage, copy the result into a
    /// minimal or distroless base); install only from the distribution's signed repositories,
    /// never with `--allow-unauthenticated`, and check the checksum of anything downloaded.
    pub(crate) static CHECK = {
        code: "IMG007",
        slug: "image-packages-to-review",
        title: "Image packages to confirm (needed, from verified sources)",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.3"),
            Reference::Cis("4.11"),
            Reference::Url("https://docs.docker.com/build/building/best-practices/#dont-install-unnecessary-packages"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG007` selects its tests")]
mod IMG007 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "vulns",
        ["zerodock/vuln-debian:1", "zerodock/busybox:1"]
    );

    #[test]
    fn packages_are_listed_for_review() {
        let f = findings(&CHECK, &fixture("vulns"));
        assert_eq!(status_of(&f, "zerodock/vuln-debian:1"), Status::Manual, "{f:?}");
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Pass, "{f:?}");
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::Unknown);
    }
}
