//! VUL004 image-low-vulnerabilities.

use crate::checks::prelude::*;
use crate::snapshot::VulnSeverity;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    super::band(snap, VulnSeverity::Low)
}

crate::declare_check! {
    /// An image in use carries packages with known low-severity vulnerabilities.
    ///
    /// ## Rationale
    /// CVSS below 4.0, or rated low/unimportant by the distribution: rarely exploitable or of little impact on their own. A container inherits every vulnerable library its image ships, whether or not the
    /// application calls it. The fail/warn split tells what you can do now: fail when a fixed
    /// version exists (upgrade or rebuild), warn when none is published yet (rebuild on a base
    /// without the package, or accept the risk with a waiver until a fix appears).
    ///
    /// ## Evidence
    /// The image's package database (dpkg `status`, `status.d/`, apk `installed`, rpm
    /// `rpmdb.sqlite`), read through `GET /images/{id}/get` during an explicit `--vulns` scan,
    /// matched against the local OSV database with the distribution's own version ordering
    /// (Debian and Ubuntu by source package), or imported from Trivy, Grype or Docker Scout output.
    /// The severity is the record's CVSS score or the distribution's urgency; a record without one
    /// counts under VUL005, never guessed into a band. Results are as of the database's date.
    ///
    /// ## Remediation
    /// Rebuild the image from a freshly pulled base (`docker build --pull`), or upgrade the named
    /// packages in its Dockerfile, then recreate the containers that use it. Where no fix exists,
    /// prefer a smaller base (distroless, alpine) that does not ship the package.
    pub(crate) static CHECK = {
        code: "VUL004",
        slug: "image-low-vulnerabilities",
        title: "Image has low vulnerabilities",
        category: Vulnerabilities,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.4"),
            Reference::Nist("tenet 5: monitor and measure the integrity and security posture of all assets"),
            Reference::Seed("Zero Trust: Docker Scout (SBOM, CVEs)"),
            Reference::Seed("Container security roadmap §Container Vulnerability Management"),
            Reference::Url("https://ossf.github.io/osv-schema/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VUL004` selects its tests")]
mod VUL004 {
    use super::CHECK;
    use crate::checks::prelude::*;
    #[allow(unused_imports, reason = "not every test uses every helper")]
    use crate::checks::testing::{find, findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "vulns-low-eol-soon",
        ["zerodock/vuln-alpine:1", "zerodock/fixed-alpine:1"]
    );

    #[test]
    fn a_fixable_low_fails() {
        let f = findings(&CHECK, &named("vulns-low-eol-soon", |_| {}));
        assert_eq!(status_of(&f, "zerodock/vuln-alpine:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/fixed-alpine:1"), Status::Pass);
    }
}
