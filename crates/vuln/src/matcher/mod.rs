//! Packages × database → vulnerabilities.
//!
//! One finding per installed *binary* package and advisory, as Trivy and Grype report them, so a
//! fix names the package a Dockerfile upgrades (`libssl3`), while the query uses what the
//! distribution's records name: the source package and version for Debian, Ubuntu and Alpine
//! (`openssl`; Alpine's secdb is per aports origin), the binary package elsewhere.

use std::collections::{BTreeSet, HashMap};

use zerodock_engine::snapshot::{Package, Vulnerability};

use crate::db::{Database, Match, Result};

/// What matching one image's packages found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matched {
    /// One entry per (binary package, advisory), sorted by severity (highest first), then id.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Ecosystems of the image's packages for which the database holds no records: their status
    /// is unknown (reported, never taken as "no vulnerabilities").
    pub unmatched_ecosystems: Vec<String>,
    /// Packages whose version the ecosystem's ordering could not read (name, version, why).
    pub unreadable_versions: Vec<(String, String, String)>,
}

/// Whether an ecosystem's records name source packages.
fn by_source(ecosystem: &str) -> bool {
    matches!(ecosystem.split(':').next(), Some("Debian" | "Ubuntu" | "Alpine"))
}

/// Matches `packages` against `db` (one image; a scan of many images uses a [`Matcher`]).
pub fn match_packages(db: &Database, packages: &[Package]) -> Result<Matched> {
    Matcher::new(db)?.match_packages(packages)
}

/// Matches the packages of many images against one database, each distinct (ecosystem, name,
/// version) query once for all of them: images in use mostly share a base, so most of their
/// packages were already looked up for another image.
pub struct Matcher<'a> {
    db: &'a Database,
    covered: BTreeSet<String>,
    cache: HashMap<(String, String, String), Result<Vec<Match>, Skip>>,
}

/// Why a query gave no matches without being a match.
#[derive(Clone)]
enum Skip {
    Version,
    Ecosystem,
}

impl<'a> Matcher<'a> {
    /// A matcher over `db`, reading which ecosystems it covers once.
    pub fn new(db: &'a Database) -> Result<Self> {
        let covered = db
            .info()?
            .map(|info| info.sources.into_iter().map(|s| s.ecosystem).collect())
            .unwrap_or_default();
        Ok(Matcher { db, covered, cache: HashMap::new() })
    }

    /// Matches one image's packages.
    pub fn match_packages(&mut self, packages: &[Package]) -> Result<Matched> {
        let mut unmatched = BTreeSet::new();
        let mut unreadable = Vec::new();
        let mut out = Vec::new();
        for package in packages {
            let Some(ecosystem) = package.ecosystem.as_deref() else {
                // No OSV ecosystem for this OS release (rpm distributions, Debian testing without a
                // VERSION_ID): unknown, never "no vulnerabilities".
                let kind =
                    package.purl.strip_prefix("pkg:").and_then(|p| p.split('/').next()).unwrap_or("unknown");
                unmatched.insert(format!("{kind} packages (no OSV ecosystem known for this OS release)"));
                continue;
            };
            let base = ecosystem.split(':').next().unwrap_or(ecosystem);
            if !self.covered.contains(base) {
                unmatched.insert(ecosystem.to_owned());
                continue;
            }
            let (name, version) = if by_source(ecosystem) {
                (&package.source_name, &package.source_version)
            } else {
                (&package.name, &package.version)
            };
            let key = (ecosystem.to_owned(), name.clone(), version.clone());
            let found = match self.cache.get(&key) {
                Some(found) => found,
                None => {
                    let found = match self.db.matches(ecosystem, name, version) {
                        Ok(found) => Ok(found),
                        Err(crate::db::Error::Version { .. }) => Err(Skip::Version),
                        Err(crate::db::Error::UnknownEcosystem(_)) => Err(Skip::Ecosystem),
                        Err(e) => return Err(e),
                    };
                    self.cache.entry(key).or_insert(found)
                }
            };
            let found = match found {
                Ok(found) => found,
                Err(Skip::Version) => {
                    unreadable.push((
                        package.name.clone(),
                        package.version.clone(),
                        format!("not a valid {base} version"),
                    ));
                    continue;
                }
                Err(Skip::Ecosystem) => {
                    unmatched.insert(ecosystem.to_owned());
                    continue;
                }
            };
            out.extend(found.iter().map(|m| Vulnerability {
                id: m.id.clone(),
                aliases: m.aliases.clone(),
                package: package.name.clone(),
                source_package: name.clone(),
                installed: version.clone(),
                fixed: m.fixed.clone(),
                severity: m.severity,
                severity_source: m.severity_source.clone(),
                summary: m.summary.clone(),
                purl: package.purl.clone(),
                scanner: "zerodock".to_owned(),
            }));
        }
        sort(&mut out);
        Ok(Matched {
            vulnerabilities: out,
            unmatched_ecosystems: unmatched.into_iter().collect(),
            unreadable_versions: unreadable,
        })
    }
}

/// Highest severity first, then advisory id, then package: the order every output lists them.
pub fn sort(vulns: &mut [Vulnerability]) {
    vulns.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)).then_with(|| a.package.cmp(&b.package))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, ecosystem: Option<&str>, purl: &str) -> Package {
        Package {
            name: name.to_owned(),
            version: "1.0-1".to_owned(),
            source_name: name.to_owned(),
            source_version: "1.0-1".to_owned(),
            ecosystem: ecosystem.map(str::to_owned),
            purl: purl.to_owned(),
            ..Package::default()
        }
    }

    #[test]
    fn packages_the_database_cannot_judge_are_unknown_not_clean() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("db.sqlite")).expect("open");
        let packages = [
            package("bash", None, "pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64"),
            package("zlib", Some("Alpine:v3.22"), "pkg:apk/alpine/zlib@1.3.2-r0"),
        ];
        let matched = match_packages(&db, &packages).expect("match");
        assert!(matched.vulnerabilities.is_empty());
        assert_eq!(
            matched.unmatched_ecosystems,
            vec![
                "Alpine:v3.22".to_owned(),
                "rpm packages (no OSV ecosystem known for this OS release)".to_owned()
            ]
        );
    }
}
