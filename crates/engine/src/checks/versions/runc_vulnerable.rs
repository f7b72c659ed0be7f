//! VER003 runc-vulnerable.

use crate::checks::prelude::*;
use crate::checks::versions::lifecycle::{self, ParsedVersion};

use super::{not_docker, upgrade_fixes};

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
    let Some(runc) = v.component("runc") else {
        return vec![Finding::unknown(
            target,
            "`GET /version` lists no runc component, so its version cannot be judged",
        )];
    };
    let field = "GET /version Components[runc].Version";
    let floors = lifecycle::runc_floors();
    let expected = format!("{} or later on its branch", floors.join(" / "));
    let Some(exposure) = lifecycle::runc_exposure(runc) else {
        return vec![Finding::unknown(
            target,
            format!(
                "the runc version `{runc}` cannot be compared with the fixed versions ({})",
                floors.join(", ")
            ),
        )];
    };
    let ids = exposure.open.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ");
    let upgrade_to = match exposure.open.iter().find_map(|o| o.fixed_on_branch.clone()) {
        Some(fix) if exposure.open.iter().all(|o| o.fixed_on_branch.is_some()) => {
            format!("fixed in {fix} on its branch")
        }
        _ => format!("its branch gets no fix: move to {}", floors.join(", ")),
    };
    let finding = if exposure.open.is_empty() {
        let mut finding = Finding::pass(
            target,
            format!("runc {runc} includes the fixes for every known container-escape advisory"),
        )
        .evidence(field, runc, expected);
        if exposure.newer_than_table {
            finding.message = format!(
                "runc {runc} is newer than every branch in ZeroDock's advisory table (judged fixed; the table may be stale)"
            );
        }
        finding
    } else {
        let mut finding = match ParsedVersion::parse(runc).and_then(|p| p.vendor()) {
            Some(vendor) => Finding::warn(
                target,
                format!("runc {runc} predates the fixes for {ids} ({upgrade_to} upstream); the {vendor} build may have backported them: verify with your distribution's security tracker"),
            ),
            None => Finding::fail(
                target,
                format!("runc {runc} is vulnerable to {ids} ({upgrade_to}): a container can escape to the host"),
            ),
        }
        .evidence(field, runc, expected);
        for open in &exposure.open {
            let fix = open.fixed_on_branch.as_deref().unwrap_or("no fix on this branch");
            finding =
                finding.evidence(format!("advisory {}", open.id), &open.summary, format!("fixed in {fix}"));
        }
        finding.fixes(upgrade_fixes(snap, v))
    };
    vec![finding]
}

crate::declare_check! {
    /// runc, the runtime that starts every container, lacks a container-escape fix.
    ///
    /// ## Rationale
    /// runc sets up each container's namespaces; a bug in it is a container escape. CVE-2024-21626
    /// ("Leaky Vessels", fixed in runc 1.1.12) let a container, or an image built with a crafted
    /// `WORKDIR`, reach the host file system through a leaked file descriptor. CVE-2025-31133,
    /// CVE-2025-52565 and CVE-2025-52881 (November 2025) let a malicious image redirect runc's own
    /// mounts and writes (`/dev/null` masking, `/dev/console`, procfs labels) to escape; they are
    /// fixed in 1.2.8, 1.3.3 and 1.4.0-rc.3, and the 1.1 branch got no fix. Fixes are per release
    /// branch, so each version is judged against its own branch. Engines bundle their
    /// own runc (Docker's `containerd.io` package), so an up-to-date engine version alone does not
    /// prove runc is fixed. Distribution builds (`1.1.5+ds1`) may carry the fix as a backport
    /// without changing the upstream number: they get a warning to verify.
    ///
    /// ## Evidence
    /// `GET /version` → `Components[]`, entry `runc`, `Version` (`docker version` "runc"), compared
    /// with the per-branch fixed versions of each advisory in ZeroDock's embedded lifecycle table
    /// (a branch newer than the table passes with a note).
    ///
    /// ## Remediation
    /// Upgrade runc with the engine: `sudo apt-get install --only-upgrade containerd.io` (Docker's
    /// packages) or the distribution's `runc` package, then restart the daemon. For distribution
    /// builds, look the version up in the security tracker (e.g.
    /// <https://security-tracker.debian.org/tracker/CVE-2025-31133>).
    pub(crate) static CHECK = {
        code: "VER003",
        slug: "runc-vulnerable",
        title: "runc lacks a container-escape fix",
        category: Versions,
        severity: High,
        target: Engine,
        references: [
            Reference::Cis("1.2.2"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://github.com/opencontainers/runc/security/advisories/GHSA-xr7r-f8xq-vfvv"),
            Reference::Url("https://nvd.nist.gov/vuln/detail/CVE-2025-31133"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test VER003` selects its tests")]
mod VER003 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    fn with_runc(v: &str) -> Snapshot {
        variant("default", |s| {
            let version = s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured");
            version.components.iter_mut().filter(|c| c.name == "runc").for_each(|c| c.version = v.into());
        })
    }

    #[test]
    fn debian_runc_1_1_5_warns() {
        // The fixtures' runc is Debian's 1.1.5+ds1: below 1.1.12, but a vendor build.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(
            f[0].message.contains("CVE-2024-21626")
                && f[0].message.contains("CVE-2025-52881")
                && f[0].message.contains("Debian"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn upstream_old_fails_fixed_passes_missing_unknown() {
        // Mutations: the engine reporting other runc builds, or none.
        assert_eq!(findings(&CHECK, &with_runc("1.1.5"))[0].status, Status::Fail);
        // 1.1.12 fixed CVE-2024-21626, but the 1.1 branch never got the 2025 fixes.
        let f = findings(&CHECK, &with_runc("1.1.12"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("gets no fix"), "{}", f[0].message);
        // 1.2.5 is past the 2024 fix but before 1.2.8.
        let f = findings(&CHECK, &with_runc("1.2.5"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].message.contains("CVE-2025-31133") && f[0].message.contains("1.2.8"),
            "{}",
            f[0].message
        );
        assert_eq!(findings(&CHECK, &with_runc("1.2.8"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &with_runc("1.3.2"))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &with_runc("1.3.3"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &with_runc("1.4.0-rc.3"))[0].status, Status::Pass);
        let f = findings(&CHECK, &with_runc("1.6.0"));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("newer than every branch"), "{}", f[0].message);
        let snap = variant("default", |s| {
            s.engine
                .ok_mut()
                .expect("captured")
                .version
                .ok_mut()
                .expect("captured")
                .components
                .retain(|c| c.name != "runc")
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Unknown);
    }
}
