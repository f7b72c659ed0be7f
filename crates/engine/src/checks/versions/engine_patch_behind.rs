//! VER002 engine-patch-behind.

use crate::checks::prelude::*;
use crate::checks::versions::lifecycle::{self, Currency, ParsedVersion};

use super::{desktop, not_docker, table_evidence, today, upgrade_fixes};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = engine_target(snap);
    let v = match snap.version() {
        Ok(v) => v,
        Err(reason) => {
            return vec![Finding::unknown(target, engine_part_reason(snap, "the engine version", reason))];
        }
    };
    if let Some(reason) = not_docker(v) {
        return vec![Finding::not_applicable(target, reason)];
    }
    let today = today(snap);
    let field = "GET /version Version";
    let desktop_note = desktop(v).map(|d| format!(" (the engine of {d})")).unwrap_or_default();
    let finding = match lifecycle::engine_currency(&v.version, today) {
        Currency::OutdatedPatch { latest } => {
            let vendor = ParsedVersion::parse(&v.version).and_then(|p| p.vendor());
            let finding = match vendor {
                Some(vendor) => Finding::warn(
                    target,
                    format!(
                        "Docker Engine {} is behind upstream {latest}; as a {vendor} build it may carry backported fixes: check the distribution's tracker{desktop_note}",
                        v.version
                    ),
                ),
                None => Finding::fail(
                    target,
                    format!(
                        "Docker Engine {} is behind the latest patch release of its cycle, {latest}{desktop_note}",
                        v.version
                    ),
                ),
            };
            finding.evidence(field, &v.version, format!("{latest} or later")).fixes(upgrade_fixes(snap, v))
        }
        Currency::Current => Finding::pass(
            target,
            format!("Docker Engine {} is the latest patch release of its cycle{desktop_note}", v.version),
        )
        .evidence(field, &v.version, "the cycle's latest patch"),
        Currency::Eol { since, .. } => {
            return vec![Finding::not_applicable(
                target,
                format!(
                    "the release cycle is past end of life (since {since}): see VER001 engine-end-of-life"
                ),
            )];
        }
        Currency::NewerThanTable => Finding::unknown(
            target,
            format!(
                "the lifecycle table from {} is older than this engine ({}): update ZeroDock",
                lifecycle::table().generated,
                v.version
            ),
        ),
        Currency::Unparseable => Finding::unknown(
            target,
            format!("the engine version `{}` is not a release version this table can judge", v.version),
        ),
    };
    vec![table_evidence(finding, today)]
}

crate::declare_check! {
    /// The Docker Engine is behind the latest patch release of its (maintained) cycle.
    ///
    /// ## Rationale
    /// Patch releases of a maintained cycle carry the security fixes: runc, containerd and Go
    /// standard-library CVEs, daemon authorisation bypasses. Running an older patch of a supported
    /// cycle means known, fixed vulnerabilities stay exploitable on this host. Distribution builds
    /// may have backported fixes, so they get a warning rather than a failure.
    ///
    /// ## Evidence
    /// `GET /version` → `Version`, compared with the latest patch of its cycle in ZeroDock's
    /// embedded lifecycle table (shown with its generation date and age). Cycles past end of life
    /// are reported by VER001 instead.
    ///
    /// ## Remediation
    /// Upgrade within the cycle, e.g. `sudo apt-get update && sudo apt-get install --only-upgrade
    /// docker-ce docker-ce-cli containerd.io` (or `dnf upgrade`), or update Docker Desktop.
    pub(crate) static CHECK = {
        code: "VER002",
        slug: "engine-patch-behind",
        title: "Docker Engine behind its latest patch",
        category: Versions,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("1.2.2"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://docs.docker.com/engine/release-notes/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VER002` selects its tests")]
mod VER002 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "patch-behind-engine", []);

    fn with_version(v: &str) -> Snapshot {
        variant("default", |s| {
            s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured").version = v.into()
        })
    }

    #[test]
    fn eol_cycle_is_left_to_ver001() {
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
    }

    #[test]
    fn behind_fails_latest_passes_vendor_warns() {
        // Mutations: the engine reporting a maintained cycle's versions.
        let f = findings(&CHECK, &with_version("29.1.0"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("29.7.2"));
        assert_eq!(findings(&CHECK, &with_version("29.7.2"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &with_version("29.1.0+dfsg1"))[0].status, Status::Warn);
    }
}
