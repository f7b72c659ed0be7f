//! Base operating systems: when their security support ends.
//!
//! Only dates the distributions published are listed; anything else is unknown, never
//! "supported". Where a distribution published a month rather than a day (Canonical), the last
//! day of that month is used so a release is never called ended early; a release older than every
//! one listed has ended no later than the oldest listed one did.

use chrono::NaiveDate;
use zerodock_engine::snapshot::BaseOs;

/// What is known about when an OS release's security support ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// Support ends (or ended) on this day; `source` says who published it.
    Ends {
        /// The last day of security support (including the distribution's own LTS).
        date: NaiveDate,
        /// Who published it and how exact it is.
        source: &'static str,
    },
    /// Older than every release listed: support ended no later than this day.
    EndedBy(NaiveDate),
    /// Not known: a release not in the table, or no version given.
    Unknown,
}

// (major, last day of LTS). Debian: "three years of regular support plus two years of LTS", dates
// from the Debian LTS team's announcements (buster 2024-06-30, bullseye 2026-08-31, bookworm
// 2028-06-30). Trixie's LTS end has no published day yet: unknown.
const DEBIAN: &[(u32, (i32, u32, u32))] =
    &[(8, (2020, 6, 30)), (9, (2022, 6, 30)), (10, (2024, 6, 30)), (11, (2026, 8, 31)), (12, (2028, 6, 30))];

// (minor of 3.x, end of the main repository's support) from alpinelinux.org/releases.
const ALPINE: &[(u32, (i32, u32, u32))] = &[
    (16, (2024, 5, 23)),
    (17, (2024, 11, 22)),
    (18, (2025, 5, 9)),
    (19, (2025, 11, 1)),
    (20, (2026, 4, 1)),
    (21, (2026, 11, 1)),
    (22, (2027, 5, 1)),
    (23, (2027, 11, 1)),
];

// LTS releases, end of standard support (without Ubuntu Pro/ESM), month as Canonical publishes it;
// where sources give two months the later one is used.
const UBUNTU: &[(&str, (i32, u32, u32))] = &[
    ("14.04", (2019, 4, 30)),
    ("16.04", (2021, 4, 30)),
    ("18.04", (2023, 6, 30)),
    ("20.04", (2025, 5, 31)),
    ("22.04", (2027, 6, 30)),
    ("24.04", (2029, 6, 30)),
];

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// When `os-release`'s `ID`/`VERSION_ID` stops getting security updates.
pub fn support(id: &str, version_id: &str) -> Support {
    let mut parts = version_id.split('.');
    let major: Option<u32> = parts.next().and_then(|p| p.parse().ok());
    let minor: Option<u32> = parts.next().and_then(|p| p.parse().ok());
    match id {
        "debian" => {
            let Some(major) = major else { return Support::Unknown };
            lookup(DEBIAN, major, "Debian LTS team announcement (end of LTS)")
        }
        "alpine" => match (major, minor) {
            (Some(3), Some(minor)) => lookup(ALPINE, minor, "alpinelinux.org/releases (end of main support)"),
            (Some(m), _) if m < 3 => Support::EndedBy(day(ALPINE[0].1)),
            _ => Support::Unknown,
        },
        "ubuntu" => {
            let release: String = version_id.split('.').take(2).collect::<Vec<_>>().join(".");
            match UBUNTU.iter().find(|(r, _)| *r == release) {
                Some((_, date)) => Support::Ends {
                    date: day(*date),
                    source: "Canonical's release cycle (end of standard support, end of the published month)",
                },
                // Interim releases get nine months and are not listed: unknown rather than a guess.
                None => Support::Unknown,
            }
        }
        _ => Support::Unknown,
    }
}

fn lookup(table: &[(u32, (i32, u32, u32))], key: u32, source: &'static str) -> Support {
    if let Some((_, date)) = table.iter().find(|(k, _)| *k == key) {
        return Support::Ends { date: day(*date), source };
    }
    match table.first() {
        Some((oldest, date)) if key < *oldest => Support::EndedBy(day(*date)),
        _ => Support::Unknown,
    }
}

/// Fills a base OS's end of life from the table.
pub fn annotate(os: &mut BaseOs) {
    match support(&os.id, &os.version_id) {
        Support::Ends { date, source } => {
            os.end_of_life = Some(date);
            os.end_of_life_source = Some(source.to_owned());
        }
        Support::EndedBy(date) => {
            os.end_of_life = Some(date);
            os.end_of_life_source =
                Some(format!("no later than {date}: older than every {} release ZeroDock lists", os.id));
        }
        Support::Unknown => {
            os.end_of_life = None;
            os.end_of_life_source = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(id: &str, v: &str) -> Option<NaiveDate> {
        match support(id, v) {
            Support::Ends { date, .. } => Some(date),
            _ => None,
        }
    }

    #[test]
    fn published_dates() {
        assert_eq!(ends("debian", "12"), NaiveDate::from_ymd_opt(2028, 6, 30));
        assert_eq!(ends("debian", "11"), NaiveDate::from_ymd_opt(2026, 8, 31));
        assert_eq!(ends("alpine", "3.19.1"), NaiveDate::from_ymd_opt(2025, 11, 1));
        assert_eq!(ends("alpine", "3.21.3"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(ends("ubuntu", "22.04"), NaiveDate::from_ymd_opt(2027, 6, 30));
    }

    #[test]
    fn unknown_is_never_supported() {
        assert_eq!(support("debian", "13"), Support::Unknown);
        assert_eq!(support("debian", ""), Support::Unknown);
        assert_eq!(support("ubuntu", "23.10"), Support::Unknown);
        assert_eq!(support("alpine", "3.99"), Support::Unknown);
        assert_eq!(support("fedora", "40"), Support::Unknown);
        assert_eq!(support("debian", "7"), Support::EndedBy(NaiveDate::from_ymd_opt(2020, 6, 30).unwrap()));
        assert_eq!(
            support("alpine", "3.10.2"),
            Support::EndedBy(NaiveDate::from_ymd_opt(2024, 5, 23).unwrap())
        );
    }

    #[test]
    fn tables_are_ordered_and_valid() {
        for table in [DEBIAN, ALPINE] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0 && day(w[0].1) < day(w[1].1)));
            assert!(table.iter().all(|(_, d)| day(*d) != NaiveDate::MIN));
        }
        assert!(UBUNTU.windows(2).all(|w| day(w[0].1) < day(w[1].1)));
    }
}
