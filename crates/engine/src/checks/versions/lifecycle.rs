//! Docker Engine version currency, offline: an embedded lifecycle table (from endoflife.date and
//! moby's branch policy, stamped with its generation date) and a pure verdict function.
//!
//! Vendor builds (`20.10.24+dfsg1`, `26.1.5-0ubuntu1`, `~ds1`) are recognised: an upstream-EOL
//! cycle still patched by a distribution is "EOL upstream, vendor-maintained", not "unpatched".

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const TABLE_JSON: &str = include_str!("docker_engine_lifecycle.json");

/// The embedded lifecycle table.
#[derive(Debug, Clone, Deserialize)]
pub struct LifecycleTable {
    /// Format version of the table.
    #[allow(dead_code, reason = "part of the table's format: validated on load, not judged by any check")]
    pub schema: u32,
    /// When the table was generated; its age is shown with every verdict.
    pub generated: NaiveDate,
    /// Where the data came from.
    #[allow(dead_code, reason = "part of the table's format: validated on load, not judged by any check")]
    pub sources: Vec<String>,
    /// Release cycles, newest first.
    pub engine: Vec<Cycle>,
    /// runc container-escape advisories and the version that fixed each on each release branch.
    pub runc_advisories: Vec<RuncAdvisory>,
}

/// One release cycle of Docker Engine.
#[derive(Debug, Clone, Deserialize)]
pub struct Cycle {
    /// `29`, `26.1`, `25.0`, `20.10`.
    pub cycle: String,
    /// First release.
    #[allow(dead_code, reason = "part of the table's format: validated on load, not judged by any check")]
    pub released: NaiveDate,
    /// End of upstream support, when announced.
    pub eol: Option<NaiveDate>,
    /// Latest patch release.
    pub latest: String,
    /// Its date.
    #[allow(dead_code, reason = "part of the table's format: validated on load, not judged by any check")]
    pub latest_date: NaiveDate,
    /// Engine API versions of the cycle (first, last).
    #[allow(dead_code, reason = "part of the table's format: validated on load, not judged by any check")]
    pub api: [String; 2],
}

/// A runc advisory and its fixes per release branch.
#[derive(Debug, Clone, Deserialize)]
pub struct RuncAdvisory {
    /// `CVE-2025-31133`.
    pub id: String,
    /// What it allows, in a few words.
    pub summary: String,
    /// Release branch (`1.2`) → first fixed version on it (`1.2.8`, `1.4.0-rc.3`). Branches older
    /// than every key never got the fix; branches newer than every key were cut after it.
    pub fixed: BTreeMap<String, String>,
}

/// The embedded table.
///
/// # Panics
/// Never in a released build: the table is checked by a unit test.
pub fn table() -> &'static LifecycleTable {
    static TABLE: OnceLock<LifecycleTable> = OnceLock::new();
    #[allow(clippy::expect_used)] // embedded data, tested
    TABLE.get_or_init(|| serde_json::from_str(TABLE_JSON).expect("embedded lifecycle table parses"))
}

/// A version string split into upstream numbers and vendor suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedVersion {
    /// Numeric components of the upstream version.
    pub numbers: Vec<u64>,
    /// The upstream version as written (`19.03.15`: cycles keep their leading zeros).
    pub upstream: String,
    /// What followed the upstream version (`+dfsg1`, `-0ubuntu1`, `~ds1`, `-ce`), if anything.
    pub suffix: Option<String>,
}

impl ParsedVersion {
    /// Parses `20.10.24+dfsg1`, `v29.7.2`, `1.1.5+ds1`, `18.09.1-ce`.
    pub fn parse(version: &str) -> Option<Self> {
        let v = version.trim().trim_start_matches('v');
        let end = v.find(['+', '~', '-']).unwrap_or(v.len());
        let (upstream, suffix) = v.split_at(end);
        let numbers: Option<Vec<u64>> = upstream.split('.').map(|p| p.parse().ok()).collect();
        let numbers = numbers.filter(|n| !n.is_empty())?;
        Some(ParsedVersion {
            numbers,
            upstream: upstream.to_owned(),
            suffix: (!suffix.is_empty()).then(|| suffix.to_owned()),
        })
    }

    /// The release-cycle key: the major for 27 and later, `major.minor` before (as endoflife.date).
    pub fn cycle(&self) -> String {
        let mut parts = self.upstream.split('.');
        let major = parts.next().unwrap_or_default();
        if self.numbers[0] >= 27 {
            major.to_owned()
        } else {
            format!("{major}.{}", parts.next().unwrap_or("0"))
        }
    }

    /// Whether the suffix marks a distribution build that the vendor patches itself.
    pub fn vendor(&self) -> Option<&'static str> {
        let s = self.suffix.as_deref()?;
        if s.contains("dfsg")
            || s.contains("~ds")
            || s.starts_with("+ds")
            || s.contains("debian")
            || s.contains("deb")
        {
            Some("Debian")
        } else if s.contains("ubuntu") {
            Some("Ubuntu")
        } else if s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            w.strip_prefix("fc")
                .or_else(|| w.strip_prefix("el"))
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }) {
            Some("Fedora/RHEL")
        } else {
            None
        }
    }

    fn key(&self) -> Vec<u64> {
        let mut n = self.numbers.clone();
        n.resize(3, 0);
        n
    }
}

/// The verdict on an engine version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Currency {
    /// Supported cycle, latest patch.
    Current,
    /// Supported cycle, behind its latest patch.
    OutdatedPatch {
        /// The latest patch of the cycle.
        latest: String,
    },
    /// The cycle is past upstream end of life.
    Eol {
        /// The EOL date.
        since: NaiveDate,
        /// The distribution that still patches it, if the version is a vendor build.
        vendor: Option<String>,
    },
    /// Newer than every cycle in the table: the table may be stale.
    NewerThanTable,
    /// Not a version this table can judge.
    Unparseable,
}

/// Judges `version` on `today` (the snapshot's collection date, so a saved snapshot keeps its verdict).
pub fn engine_currency(version: &str, today: NaiveDate) -> Currency {
    let Some(parsed) = ParsedVersion::parse(version) else { return Currency::Unparseable };
    let t = table();
    let cycle_key = parsed.cycle();
    let Some(cycle) = t.engine.iter().find(|c| c.cycle == cycle_key) else {
        let newest = t.engine.first().and_then(|c| ParsedVersion::parse(&c.latest));
        return match newest {
            Some(n) if parsed.key() > n.key() => Currency::NewerThanTable,
            _ => Currency::Eol {
                since: t.engine.last().and_then(|c| c.eol).unwrap_or(t.generated),
                vendor: parsed.vendor().map(str::to_owned),
            },
        };
    };
    if let Some(eol) = cycle.eol.filter(|eol| *eol < today) {
        return Currency::Eol { since: eol, vendor: parsed.vendor().map(str::to_owned) };
    }
    match ParsedVersion::parse(&cycle.latest) {
        Some(latest) if parsed.key() < latest.key() => {
            Currency::OutdatedPatch { latest: cycle.latest.clone() }
        }
        _ => Currency::Current,
    }
}

/// Whether `a < b` on upstream numbers (suffixes ignored); `None` when either does not parse.
#[cfg(test)]
pub fn version_lt(a: &str, b: &str) -> Option<bool> {
    Some(ParsedVersion::parse(a)?.key() < ParsedVersion::parse(b)?.key())
}

/// `major.minor` of a version, as numbers.
fn branch_of(p: &ParsedVersion) -> (u64, u64) {
    (p.numbers[0], p.numbers.get(1).copied().unwrap_or(0))
}

fn branch_key(branch: &str) -> Option<(u64, u64)> {
    ParsedVersion::parse(branch).map(|p| branch_of(&p))
}

/// `a < b` for runc versions: upstream numbers, then a release candidate (`-rc.3`) before its
/// release; other suffixes (vendor builds) rank as the release.
fn runc_lt(a: &ParsedVersion, b: &ParsedVersion) -> bool {
    let rc = |p: &ParsedVersion| -> u64 {
        p.suffix
            .as_deref()
            .and_then(|s| s.strip_prefix("-rc"))
            .map_or(u64::MAX, |n| n.trim_start_matches('.').parse().unwrap_or(0))
    };
    (a.key(), rc(a)) < (b.key(), rc(b))
}

/// An advisory a runc version is exposed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAdvisory {
    /// `CVE-2025-31133`.
    pub id: String,
    /// What it allows.
    pub summary: String,
    /// The fix on the version's own branch; `None` when that branch never got one (upgrade to a
    /// newer branch).
    pub fixed_on_branch: Option<String>,
}

/// What the embedded table says about a runc version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuncExposure {
    /// The advisories it is exposed to; empty when it has every fix.
    pub open: Vec<OpenAdvisory>,
    /// Its branch is newer than every branch the table knows: judged fixed, but the table may be
    /// stale.
    pub newer_than_table: bool,
}

/// Judges a runc version against every advisory in the table; `None` when it does not parse.
pub fn runc_exposure(version: &str) -> Option<RuncExposure> {
    let v = ParsedVersion::parse(version)?;
    let branch = branch_of(&v);
    let mut newest_known = (0, 0);
    let mut open = Vec::new();
    for adv in &table().runc_advisories {
        let branches: Vec<(u64, u64)> = adv.fixed.keys().filter_map(|b| branch_key(b)).collect();
        let Some(last) = branches.iter().max() else { continue };
        newest_known = newest_known.max(*last);
        let on_branch = adv
            .fixed
            .iter()
            .find(|(b, _)| branch_key(b) == Some(branch))
            .and_then(|(_, f)| ParsedVersion::parse(f).map(|p| (f, p)));
        let exposed = match &on_branch {
            Some((_, fix)) => runc_lt(&v, fix),
            // Cut after the fix: it has it. Older than (or between) the fixed branches: no fix.
            None => branch < *last,
        };
        if exposed {
            open.push(OpenAdvisory {
                id: adv.id.clone(),
                summary: adv.summary.clone(),
                fixed_on_branch: on_branch.map(|(f, _)| f.clone()),
            });
        }
    }
    Some(RuncExposure { open, newer_than_table: branch > newest_known })
}

/// The lowest fixed runc version on each branch that has a fix for every advisory, oldest branch
/// first (`1.2.8`, `1.3.3`, `1.4.0-rc.3`).
pub fn runc_floors() -> Vec<String> {
    let mut branches: Vec<&String> = table().runc_advisories.iter().flat_map(|a| a.fixed.keys()).collect();
    branches.sort_by_key(|b| branch_key(b));
    branches.dedup();
    branches
        .into_iter()
        .filter_map(|b| {
            let exposure = runc_exposure(&format!("{b}.0-rc.0"))?;
            exposure
                .open
                .iter()
                .map(|o| o.fixed_on_branch.clone())
                .collect::<Option<Vec<String>>>()
                .and_then(|fixes| {
                    fixes
                        .into_iter()
                        .filter_map(|f| ParsedVersion::parse(&f).map(|p| (f, p)))
                        .reduce(|a, b| if runc_lt(&a.1, &b.1) { b } else { a })
                })
                .map(|(f, _)| f)
        })
        .collect()
}

/// Days between the table's generation and `today`.
pub fn table_age_days(today: NaiveDate) -> i64 {
    (today - table().generated).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn table_parses_and_is_newest_first() {
        let t = table();
        assert!(t.engine.windows(2).all(|w| w[0].released > w[1].released));
        assert!(
            t.engine
                .iter()
                .all(|c| ParsedVersion::parse(&c.latest).map(|p| p.cycle()) == Some(c.cycle.clone()))
        );
    }

    #[test]
    fn versions_parse_with_vendor_suffixes() {
        let p = ParsedVersion::parse("20.10.24+dfsg1").unwrap();
        assert_eq!(
            (p.numbers.as_slice(), p.cycle().as_str(), p.vendor()),
            (&[20, 10, 24][..], "20.10", Some("Debian"))
        );
        assert_eq!(ParsedVersion::parse("v29.7.2").unwrap().cycle(), "29");
        assert_eq!(ParsedVersion::parse("26.1.5-0ubuntu1~24.04.1").unwrap().vendor(), Some("Ubuntu"));
        assert_eq!(ParsedVersion::parse("1.1.5+ds1").unwrap().numbers, vec![1, 1, 5]);
        assert_eq!(ParsedVersion::parse("dev"), None);
    }

    #[test]
    fn verdicts() {
        let today = day("2026-11-23");
        assert_eq!(engine_currency("29.7.2", today), Currency::Current);
        assert_eq!(engine_currency("29.1.0", today), Currency::OutdatedPatch { latest: "29.7.2".into() });
        assert_eq!(engine_currency("25.0.17", today), Currency::Current);
        assert_eq!(
            engine_currency("25.0.17", day("2026-12-05")),
            Currency::Eol { since: day("2026-12-04"), vendor: None }
        );
        assert_eq!(
            engine_currency("20.10.24+dfsg1", today),
            Currency::Eol { since: day("2023-12-10"), vendor: Some("Debian".into()) }
        );
        assert_eq!(
            engine_currency("28.5.2", today),
            Currency::Eol { since: day("2026-05-13"), vendor: None }
        );
        assert_eq!(engine_currency("31.0.0", today), Currency::NewerThanTable);
        assert!(matches!(engine_currency("17.03.2-ce", today), Currency::Eol { .. }));
        assert_eq!(engine_currency("nonsense", today), Currency::Unparseable);
    }

    #[test]
    fn runc_per_branch_floors() {
        let open =
            |v: &str| runc_exposure(v).unwrap().open.into_iter().map(|o| o.id).collect::<Vec<_>>().join(" ");
        assert_eq!(runc_floors(), ["1.2.8", "1.3.3", "1.4.0-rc.3"]);
        // 1.1 never got the 2025 fixes; 1.1.5 also misses CVE-2024-21626.
        assert_eq!(open("1.1.5+ds1"), "CVE-2024-21626 CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert_eq!(open("1.1.12"), "CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert_eq!(open("1.2.5"), "CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert_eq!(open("1.2.8"), "");
        assert_eq!(open("1.3.2"), "CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert_eq!(open("1.3.3"), "");
        assert_eq!(open("1.4.0-rc.2"), "CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert_eq!(open("1.4.0-rc.3"), "");
        assert_eq!(open("1.4.1"), "");
        assert_eq!(open("1.0.0-rc93"), "CVE-2024-21626 CVE-2025-31133 CVE-2025-52565 CVE-2025-52881");
        assert!(!runc_exposure("1.4.1").unwrap().newer_than_table);
        let newer = runc_exposure("1.5.0").unwrap();
        assert!(newer.open.is_empty() && newer.newer_than_table);
        let fix = runc_exposure("1.2.5").unwrap().open[0].fixed_on_branch.clone();
        assert_eq!(fix.as_deref(), Some("1.2.8"));
        assert_eq!(runc_exposure("1.1.12").unwrap().open[0].fixed_on_branch, None);
        assert_eq!(runc_exposure("dev"), None);
    }

    #[test]
    fn ordering() {
        assert_eq!(version_lt("1.1.5+ds1", "1.1.12"), Some(true));
        assert_eq!(version_lt("1.3.3", "1.1.12"), Some(false));
    }
}
