//! VUL007 base-os-end-of-life.

use chrono::Duration;

use crate::checks::prelude::*;

/// Warn this long before support ends: enough to rebuild on a newer release.
const WARN_DAYS: i64 = 90;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let today = snap.collected_at.date_naive();
    super::each_scanned_image(snap, |_, image, target| {
        let name = &image.image;
        let Some(os) = &image.os else {
            return Finding::not_applicable(
                target,
                format!("image `{name}` has no /etc/os-release: no base OS to judge"),
            );
        };
        let release = if os.pretty_name.is_empty() {
            format!("{} {}", os.id, os.version_id)
        } else {
            os.pretty_name.clone()
        };
        let field = "/etc/os-release VERSION_ID";
        let Some(eol) = os.end_of_life else {
            return Finding::unknown(
                target,
                format!("when {release} stops getting security updates is not known to ZeroDock"),
            );
        };
        let source = os.end_of_life_source.clone().unwrap_or_default();
        let expected = format!("a release supported after {today}");
        if eol < today {
            Finding::fail(
                target,
                format!("Image `{name}` is based on {release}, whose security support ended on {eol}: its packages get no fixes"),
            )
            .evidence(field, &os.version_id, expected)
            .evidence("end of support", eol.to_string(), source)
            .fix(
                SnippetKind::Dockerfile,
                format!("In the Dockerfile that builds `{name}`: move FROM to a supported release of {}", os.id),
                supported_from(&os.id),
            )
        } else if eol - today <= Duration::days(WARN_DAYS) {
            Finding::warn(
                target,
                format!("Image `{name}` is based on {release}, whose security support ends on {eol}: plan the move to a newer release"),
            )
            .evidence(field, &os.version_id, expected)
            .evidence("end of support", eol.to_string(), source)
            .fix(SnippetKind::Dockerfile, format!("In the Dockerfile that builds `{name}`"), supported_from(&os.id))
        } else {
            Finding::pass(target, format!("Image `{name}` is based on {release}, supported until {eol}"))
                .evidence(field, &os.version_id, expected)
                .evidence("end of support", eol.to_string(), source)
        }
    })
}

/// A FROM line naming a release supported today (the newest each distribution lists).
fn supported_from(id: &str) -> String {
    match id {
        "debian" => "FROM debian:bookworm-slim".to_owned(),
        "ubuntu" => "FROM ubuntu:24.04".to_owned(),
        "alpine" => "FROM alpine:3.23".to_owned(),
        other => format!("FROM {other}:SUPPORTED_RELEASE"),
    }
}

crate::declare_check! {
    /// An image in use is built on an operating system release past its end of security support.
    ///
    /// ## Rationale
    /// Once a distribution release is out of support, newly found vulnerabilities in its packages
    /// are never fixed, and vulnerability databases often stop listing them: a scan of such an
    /// image looks cleaner every month while it gets less safe. Rebuilding on a supported release
    /// is the only fix.
    ///
    /// ## Evidence
    /// `/etc/os-release` (`ID`, `VERSION_ID`) read from the image during a `--vulns` scan, against
    /// the end-of-support dates Debian (LTS), Alpine and Canonical (standard support) publish.
    /// A release ZeroDock has no date for is unknown, never "supported".
    ///
    /// ## Remediation
    /// Move the Dockerfile's `FROM` to a supported release and rebuild.
    pub(crate) static CHECK = {
        code: "VUL007",
        slug: "base-os-end-of-life",
        title: "Image base OS is past its end of support",
        category: Vulnerabilities,
        severity: High,
        target: Image,
        references: [
            Reference::Seed("Container security roadmap §Container Vulnerability Management"),
            Reference::Tool("Trivy: OS end-of-service-life warning"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VUL007` selects its tests")]
mod VUL007 {
    use super::CHECK;
    use crate::checks::prelude::*;
    #[allow(unused_imports, reason = "not every test uses every helper")]
    use crate::checks::testing::{find, findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "vulns",
        ["zerodock/vuln-debian:1", "zerodock/vuln-alpine:1", "zerodock/busybox:1"]
    );

    #[test]
    fn support_dates_decide() {
        let f = findings(&CHECK, &fixture("vulns"));
        // Debian 11's LTS ended on 2026-08-31; the fixture was captured after.
        assert_eq!(status_of(&f, "zerodock/vuln-debian:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/vuln-alpine:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::NotApplicable);
        let soon = findings(&CHECK, &named("vulns-low-eol-soon", |_| {}));
        assert_eq!(status_of(&soon, "zerodock/vuln-alpine:1"), Status::Warn);
    }
}
