//! VER001 engine-end-of-life.

use crate::checks::prelude::*;
use crate::checks::versions::lifecycle::{self, Currency};

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
    let desktop_note =
        desktop(v).map(|d| format!(" (the engine of {d}: update Docker Desktop)")).unwrap_or_default();
    let finding = match lifecycle::engine_currency(&v.version, today) {
        Currency::Eol { since, vendor: None } => Finding::fail(
            target,
            format!("Docker Engine {} reached upstream end of life on {since}: it no longer gets security fixes{desktop_note}", v.version),
        )
        .evidence(field, &v.version, "a maintained release cycle")
        .fixes(upgrade_fixes(snap, v)),
        Currency::Eol { since, vendor: Some(vendor) } => Finding::warn(
            target,
            format!("Docker Engine {} is upstream EOL since {since}, vendor-maintained ({vendor}): fixes depend on the distribution's backports{desktop_note}", v.version),
        )
        .evidence(field, &v.version, "a maintained release cycle")
        .fixes(upgrade_fixes(snap, v)),
        Currency::NewerThanTable => Finding::unknown(
            target,
            format!("the lifecycle table from {} is older than this engine ({}): update ZeroDock", lifecycle::table().generated, v.version),
        ),
        Currency::Unparseable => {
            Finding::unknown(target, format!("the engine version `{}` is not a release version this table can judge", v.version))
        }
        Currency::Current | Currency::OutdatedPatch { .. } => {
            let cycle = lifecycle::ParsedVersion::parse(&v.version).map(|p| p.cycle()).unwrap_or_default();
            let eol = lifecycle::table().engine.iter().find(|c| c.cycle == cycle).and_then(|c| c.eol);
            let until = eol.map_or_else(|| "no end of life announced".to_owned(), |d| format!("supported until {d}"));
            Finding::pass(target, format!("Docker Engine {} is in a maintained release cycle ({cycle}: {until}){desktop_note}", v.version))
                .evidence(field, &v.version, "a maintained release cycle")
        }
    };
    vec![table_evidence(finding, today)]
}

crate::declare_check! {
    /// The Docker Engine release cycle is past its upstream end of life.
    ///
    /// ## Rationale
    /// An end-of-life engine gets no security fixes from upstream: container-escape and daemon
    /// vulnerabilities found since stay open. Distributions sometimes keep patching an old cycle
    /// (Debian's `docker.io` 20.10), which is better than nothing but depends on their backports;
    /// that case is a warning, not a failure. Keeping the tool chain updated is a foundation of
    /// Zero Trust: the posture of every asset is maintained, not assumed.
    ///
    /// ## Evidence
    /// `GET /version` → `Version` (and `Platform.Name` for Docker Desktop, `Components` to tell
    /// other engines apart), judged on the scan date against ZeroDock's embedded lifecycle table
    /// (from endoflife.date and moby's branch policy). The table's generation date and age are
    /// shown with every verdict; older than 180 days, it may be stale. A version suffix such as
    /// `+dfsg1`, `~ds1` or `-0ubuntu1` marks a distribution build.
    ///
    /// ## Remediation
    /// Upgrade to a maintained release (see <https://docs.docker.com/engine/install/>), e.g.
    /// `sudo apt-get install --only-upgrade docker-ce docker-ce-cli containerd.io`; for Docker
    /// Desktop, update Desktop. With live-restore enabled, containers keep running during the
    /// upgrade.
    pub(crate) static CHECK = {
        code: "VER001",
        slug: "engine-end-of-life",
        title: "Docker Engine past end of life",
        category: Versions,
        severity: High,
        target: Engine,
        references: [
            Reference::Cis("1.2.2"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Seed("Zero Trust: Tool chain updates"),
            Reference::Url("https://endoflife.date/docker-engine"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VER001` selects its tests")]
mod VER001 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    fn with_version(v: &str) -> Snapshot {
        variant("default", |s| {
            s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured").version = v.into()
        })
    }

    #[test]
    fn debian_20_10_is_vendor_maintained() {
        // The fixtures' engine is Debian's docker.io 20.10.24+dfsg1, captured on 2026-12-07.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(
            f[0].message.contains("since 2023-12-10") && f[0].message.contains("Debian"),
            "{}",
            f[0].message
        );
        assert!(f[0].evidence[1].observed.starts_with("2026-08-23 (106 days"), "{:?}", f[0].evidence);
        assert!(f[0].remediation[0].code.contains("docker.io"));
    }

    #[test]
    fn upstream_eol_fails_current_passes() {
        // Mutations: the same engine reporting other versions.
        assert_eq!(findings(&CHECK, &with_version("20.10.24"))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &with_version("29.7.2"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &with_version("29.1.0"))[0].status, Status::Pass);
        let f = findings(&CHECK, &with_version("31.0.0"));
        assert_eq!(f[0].status, Status::Unknown);
        assert!(f[0].message.contains("older than this engine"));
    }

    #[test]
    fn stale_table_and_desktop() {
        // Mutation: the snapshot was taken a year after the table was generated.
        let snap = variant("default", |s| s.collected_at = "2027-09-01T00:00:00Z".parse().expect("a date"));
        assert!(findings(&CHECK, &snap)[0].evidence[1].observed.contains("may be stale"));
        // Mutation: Docker Desktop's engine.
        let snap = variant("default", |s| {
            let v = s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured");
            v.version = "28.5.2".into();
            v.platform_name = Some("Docker Desktop 4.49.0 (208003)".into());
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("Docker Desktop 4.49.0"));
        assert!(f[0].remediation[0].label.contains("Update Docker Desktop"));
    }

    #[test]
    fn podman_is_not_applicable() {
        // Mutation: Podman's compatibility API answers.
        let snap = variant("default", |s| {
            s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured").components[0].name =
                "Podman Engine".into();
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
