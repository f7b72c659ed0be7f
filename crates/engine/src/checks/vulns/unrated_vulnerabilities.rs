//! VUL005 image-unrated-vulnerabilities.

use crate::checks::prelude::*;
use crate::snapshot::{VulnSeverity, Vulnerability};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    super::each_scanned_image(snap, |_, image, target| {
        let name = &image.image;
        let unrated: Vec<&Vulnerability> = image.with_severity(VulnSeverity::Unknown).collect();
        if unrated.is_empty() {
            return Finding::pass(
                target,
                format!("Every known vulnerability of image `{name}` carries a severity"),
            );
        }
        let shown: Vec<String> = unrated.iter().take(3).map(|v| super::describe(v)).collect();
        let more = unrated.len().saturating_sub(shown.len());
        let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
        let mut finding = Finding::warn(
            target,
            format!(
                "Image `{name}` has {} whose records carry no severity ZeroDock can read: {}{more}",
                super::count(unrated.len(), "known"),
                shown.join("; ")
            ),
        );
        for v in unrated.iter().take(5) {
            finding = finding.evidence(
                format!("{} {}", v.id, v.package),
                &v.severity_source,
                "a CVSS score or a distribution urgency",
            );
        }
        finding
    })
}

crate::declare_check! {
    /// An image in use has known vulnerabilities whose records give no severity.
    ///
    /// ## Rationale
    /// Many distribution advisories are published before anyone scores them, and some records
    /// never get a CVSS vector. ZeroDock does not guess a band for them: they are listed here, for
    /// a human to judge, instead of being counted as low (or not at all).
    ///
    /// ## Evidence
    /// The vulnerabilities matched (or imported) for the image whose record has neither a CVSS
    /// vector nor a distribution urgency; the reason is each finding's evidence.
    ///
    /// ## Remediation
    /// Read the advisory (its id and CVE aliases are listed) and decide: upgrade the package as
    /// for VUL001–VUL004, or accept the risk with a waiver.
    pub(crate) static CHECK = {
        code: "VUL005",
        slug: "image-unrated-vulnerabilities",
        title: "Image has vulnerabilities without a severity",
        category: Vulnerabilities,
        severity: Info,
        target: Image,
        references: [
            Reference::Cis("4.4"),
            Reference::Seed("Container security roadmap §Container Vulnerability Management"),
            Reference::Url("https://ossf.github.io/osv-schema/#severity-field"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VUL005` selects its tests")]
mod VUL005 {
    use super::CHECK;
    use crate::checks::prelude::*;
    #[allow(unused_imports, reason = "not every test uses every helper")]
    use crate::checks::testing::{find, findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "vulns",
        ["zerodock/vuln-debian:1", "zerodock/fixed-alpine:1"]
    );

    #[test]
    fn records_without_severity_are_listed_not_guessed() {
        let f = findings(&CHECK, &fixture("vulns"));
        assert_eq!(status_of(&f, "zerodock/vuln-debian:1"), Status::Warn);
        assert!(find(&f, "zerodock/vuln-debian:1").message.contains("DLA-4413-1"));
        assert_eq!(status_of(&f, "zerodock/fixed-alpine:1"), Status::Pass);
    }
}
