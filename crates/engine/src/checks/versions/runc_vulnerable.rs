//! VER003 runc-vulnerable.

use crate::checks::{Reference, engine_part_reason, engine_target};
use crate::lifecycle::{self, ParsedVersion};
use crate::outcome::Finding;
use crate::snapshot::Snapshot;

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
    let floor = &lifecycle::table().runc_fix_floor;
    let field = "GET /version Components[runc].Version";
    let expected = format!("{} or later ({})", floor.version, floor.advisory);
    let finding = match lifecycle::version_lt(runc, &floor.version) {
        Some(true) => match ParsedVersion::parse(runc).and_then(|p| p.vendor()) {
            Some(vendor) => Finding::warn(
                target,
                format!("runc {runc} predates the fix for {} ({} fixed it upstream); the {vendor} build may have backported it: verify with your distribution's security tracker", advisory_id(&floor.advisory), floor.version),
            ),
            None => Finding::fail(
                target,
                format!("runc {runc} is vulnerable to {}: a container can escape to the host", advisory_id(&floor.advisory)),
            ),
        }
        .evidence(field, runc, expected)
        .fixes(upgrade_fixes(snap, v)),
        Some(false) => Finding::pass(target, format!("runc {runc} includes the fix for {}", advisory_id(&floor.advisory)))
            .evidence(field, runc, expected),
        None => Finding::unknown(target, format!("the runc version `{runc}` cannot be compared with {}", floor.version)),
    };
    vec![finding]
}

/// The CVE id at the start of the advisory text.
fn advisory_id(advisory: &str) -> &str {
    advisory.split_whitespace().next().unwrap_or(advisory)
}

crate::declare_check! {
    /// runc, the runtime that starts every container, predates the last container-escape fix.
    ///
    /// ## Rationale
    /// runc sets up each container's namespaces; a bug in it is a container escape. CVE-2024-21626
    /// ("Leaky Vessels", fixed in runc 1.1.12) let a container, or an image built with a crafted
    /// `WORKDIR`, reach the host file system through a leaked file descriptor. Engines bundle their
    /// own runc (Docker's `containerd.io` package), so an up-to-date engine version alone does not
    /// prove runc is fixed. Distribution builds (`1.1.5+ds1`) may carry the fix as a backport
    /// without changing the upstream number: they get a warning to verify.
    ///
    /// ## Evidence
    /// `GET /version` → `Components[]`, entry `runc`, `Version` (`docker version` "runc"), compared
    /// with the fix floor in ZeroDock's embedded lifecycle table.
    ///
    /// ## Remediation
    /// Upgrade runc with the engine: `sudo apt-get install --only-upgrade containerd.io` (Docker's
    /// packages) or the distribution's `runc` package, then restart the daemon. For distribution
    /// builds, look the version up in the security tracker (e.g.
    /// <https://security-tracker.debian.org/tracker/CVE-2024-21626>).
    ///
    /// ## References
    /// NIST SP 800-207 tenet 5 (monitor and maintain the security posture of assets); seed
    /// "Best practices §2 Keep Docker Up to Date"; CIS Docker Benchmark 1.2.2;
    /// <https://github.com/opencontainers/runc/security/advisories/GHSA-xr7r-f8xq-vfvv>
    pub(crate) static CHECK = {
        code: "VER003",
        slug: "runc-vulnerable",
        title: "runc predates the last container-escape fix",
        category: Versions,
        severity: High,
        target: Engine,
        references: [
            Reference::Cis("1.2.2"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://github.com/opencontainers/runc/security/advisories/GHSA-xr7r-f8xq-vfvv"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;
    use crate::checks::testing::{findings, fixture, variant};

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
            f[0].message.contains("CVE-2024-21626") && f[0].message.contains("Debian"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn upstream_old_fails_fixed_passes_missing_unknown() {
        // Mutations: the engine reporting other runc builds, or none.
        assert_eq!(findings(&CHECK, &with_runc("1.1.5"))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &with_runc("1.1.12"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &with_runc("1.3.3"))[0].status, Status::Pass);
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
