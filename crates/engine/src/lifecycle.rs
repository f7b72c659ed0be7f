//! Docker Engine version currency, offline: an embedded lifecycle table (from endoflife.date and
//! moby's branch policy, stamped with its generation date) and a pure verdict function.
//!
//! Vendor builds (`20.10.24+dfsg1`, `26.1.5-0ubuntu1`, `~ds1`) are recognised: an upstream-EOL
//! cycle still patched by a distribution is "EOL upstream, vendor-maintained", not "unpatched".

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const TABLE_JSON: &str = include_str!("docker_engine_lifecycle.json");

/// The embedded lifecycle table.
#[derive(Debug, Clone, Deserialize)]
pub struct LifecycleTable {
    /// Format version of the table.
    pub schema: u32,
    /// When the table was generated; its age is shown with every verdict.
    pub generated: NaiveDate,
    /// Where the data came from.
    pub sources: Vec<String>,
    /// Release cycles, newest first.
    pub engine: Vec<Cycle>,
    /// The lowest runc version with the fix for the last container-escape advisory.
    pub runc_fix_floor: RuncFloor,
}

/// One release cycle of Docker Engine.
#[derive(Debug, Clone, Deserialize)]
pub struct Cycle {
    /// `29`, `26.1`, `25.0`, `20.10`.
    pub cycle: String,
    /// First release.
    pub released: NaiveDate,
    /// End of upstream support, when announced.
    pub eol: Option<NaiveDate>,
    /// Latest patch release.
    pub latest: String,
    /// Its date.
    pub latest_date: NaiveDate,
    /// Engine API versions of the cycle (first, last).
    pub api: [String; 2],
}

/// The runc advisory floor.
#[derive(Debug, Clone, Deserialize)]
pub struct RuncFloor {
    /// Lowest fixed version.
    pub version: String,
    /// The advisory.
    pub advisory: String,
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
pub fn version_lt(a: &str, b: &str) -> Option<bool> {
    Some(ParsedVersion::parse(a)?.key() < ParsedVersion::parse(b)?.key())
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
    fn ordering() {
        assert_eq!(version_lt("1.1.5+ds1", "1.1.12"), Some(true));
        assert_eq!(version_lt("1.3.3", "1.1.12"), Some(false));
    }
}
