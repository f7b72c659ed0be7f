//! VER001 engine-end-of-life.

use crate::checks::{Reference, engine_part_reason, engine_target};
use crate::lifecycle::{self, Currency};
use crate::outcome::Finding;
use crate::snapshot::Snapshot;

use super::{desktop, not_docker, table_evidence, today, upgrade_fixes};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = engine_target(snap);
    let v = match snap.version() {
        Ok(v) => v,
        Err(reason) => return vec![Finding::unknown(target, engine_part_reason(snap, "the engine version", reason))],
    };
    if let Some(reason) = not_docker(v) {
        return vec![Finding::not_applicable(target, reason)];
    }
    let today = today(snap);
    let field = "GET /version Version";
    let desktop_note = desktop(v).map(|d| format!(" (the engine of {d}: update Docker Desktop)")).unwrap_or_default();
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
    ///
    /// ## References
    /// CIS Docker Benchmark 1.2.2; NIST SP 800-207 tenet 5 (monitor and maintain the security
    /// posture of assets); seed "Best practices §2 Keep Docker Up to Date" and "Zero Trust: Tool
    /// chain updates"; <https://endoflife.date/docker-engine>
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
