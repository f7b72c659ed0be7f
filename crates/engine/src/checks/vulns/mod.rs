//! Vulnerability checks: known vulnerabilities of the packages in the images in use, the
//! database they were matched against, and the images' base OS support. They judge the
//! snapshot's vulnerability part, which only an explicit scan (`--vulns`) fills: without it every
//! one of them is unknown, never a pass.

use crate::checks::Check;
use crate::checks::prelude::*;
use crate::snapshot::{ImageVulns, VulnScan, VulnSeverity, Vulnerability, short_id};

pub(crate) mod base_os_end_of_life;
pub(crate) mod critical_vulnerabilities;
pub(crate) mod high_vulnerabilities;
pub(crate) mod low_vulnerabilities;
pub(crate) mod medium_vulnerabilities;
pub(crate) mod unrated_vulnerabilities;
pub(crate) mod vulnerability_database_stale;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &critical_vulnerabilities::CHECK,
    &high_vulnerabilities::CHECK,
    &medium_vulnerabilities::CHECK,
    &low_vulnerabilities::CHECK,
    &unrated_vulnerabilities::CHECK,
    &vulnerability_database_stale::CHECK,
    &base_os_end_of_life::CHECK,
];

/// How to get a database, in every message that lacks one.
pub(crate) const GET_A_DATABASE: &str = "import an OSV export with `zerodock vulndb import all.zip` \
     (osv.dev publishes one per ecosystem, e.g. Debian/all.zip) or `zerodock vulndb update`, then scan with `--vulns`";

/// The target for a scanned image.
pub(crate) fn scanned_image_target(image: &ImageVulns) -> Target {
    Target::new(TargetKind::Image, &image.image, Some(short_id(&image.image_id).to_owned()))
}

/// One finding per scanned image; a single "unknown" on the engine when no scan was made, and
/// "unknown" for an image whose contents could not be read.
pub(crate) fn each_scanned_image(
    snap: &Snapshot,
    f: impl Fn(&VulnScan, &ImageVulns, Target) -> Finding,
) -> Vec<Finding> {
    let scan = match snap.vulnerabilities.get() {
        Ok(scan) => scan,
        Err(reason) => return vec![Finding::unknown(engine_target(snap), reason)],
    };
    if scan.images.is_empty() {
        return vec![Finding::not_applicable(engine_target(snap), "no image is in use by a container")];
    }
    scan.images
        .iter()
        .map(|image| {
            let target = scanned_image_target(image);
            match &image.unreadable {
                Some(reason) => {
                    Finding::unknown(target, format!("the image's contents could not be read: {reason}"))
                }
                None => f(scan, image, target),
            }
        })
        .collect()
}

/// Why an image's vulnerabilities of some band cannot be judged, if they cannot: no source of
/// vulnerability data at all, or packages from ecosystems the database does not cover.
fn why_unknown(scan: &VulnScan, image: &ImageVulns) -> Option<String> {
    let imported = image.scanners.iter().any(|s| s != "zerodock");
    if scan.database.is_none() && !imported {
        return Some(format!("no vulnerability database on this machine: {GET_A_DATABASE}"));
    }
    if !image.unmatched_ecosystems.is_empty() && !imported {
        return Some(format!(
            "the vulnerability database holds no records for {}: import that ecosystem's export ({GET_A_DATABASE})",
            image.unmatched_ecosystems.join(", ")
        ));
    }
    None
}

/// "as of 2026-12-01" for messages, from the database's freshest record.
fn as_of(scan: &VulnScan) -> String {
    match &scan.database {
        Some(db) => format!(" (database as of {})", db.newest_record.unwrap_or(db.updated_at).date_naive()),
        None => String::new(),
    }
}

/// "1 critical vulnerability", "2 critical vulnerabilities".
pub(crate) fn count(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word} vulnerability") } else { format!("{n} {word} vulnerabilities") }
}

/// `libssl3 3.0.11-1~deb12u1 → 3.0.11-1~deb12u2 (DSA-5532-1: CVE-2023-5363)`.
pub(crate) fn describe(v: &Vulnerability) -> String {
    let fixed = v.fixed.as_deref().map_or_else(|| "no fix yet".to_owned(), |f| format!("→ {f}"));
    let cves: Vec<&str> =
        v.aliases.iter().filter(|a| a.starts_with("CVE-")).map(String::as_str).take(3).collect();
    let ids = if cves.is_empty() || cves == [v.id.as_str()] {
        v.id.clone()
    } else {
        format!("{}: {}", v.id, cves.join(", "))
    };
    format!("{} {} {fixed} ({ids})", v.package, v.installed)
}

/// The Dockerfile line that upgrades `packages` in an image of this base OS, when ZeroDock knows
/// the package manager.
fn upgrade_line(image: &ImageVulns, packages: &[&str]) -> Option<String> {
    let list = packages.join(" ");
    match image.os.as_ref().map(|o| o.id.as_str()) {
        Some("debian" | "ubuntu") => Some(format!(
            "RUN apt-get update \\\n && apt-get install -y --only-upgrade {list} \\\n && rm -rf /var/lib/apt/lists/*"
        )),
        Some("alpine") => Some(format!("RUN apk upgrade --no-cache {list}")),
        _ => None,
    }
}

/// The verdict of one severity band on one image: fail when a fix exists for any of them, warn
/// when none has a fix yet, pass when there are none.
pub(crate) fn band(snap: &Snapshot, severity: VulnSeverity) -> Vec<Finding> {
    each_scanned_image(snap, |scan, image, target| {
        let name = &image.image;
        let word = severity.as_str();
        let found: Vec<&Vulnerability> = image.with_severity(severity).collect();
        if found.is_empty() {
            if let Some(reason) = why_unknown(scan, image) {
                return Finding::unknown(target, reason);
            }
            return Finding::pass(
                target,
                format!(
                    "Image `{name}` has no known {word} vulnerabilities in its {} packages{}",
                    image.packages.len(),
                    as_of(scan)
                ),
            )
            .evidence("vulnerabilities", "0", format!("no {word} vulnerabilities"));
        }
        let fixable: Vec<&Vulnerability> = found.iter().copied().filter(|v| v.fixed.is_some()).collect();
        let shown: Vec<String> = (if fixable.is_empty() { &found } else { &fixable })
            .iter()
            .take(3)
            .map(|v| describe(v))
            .collect();
        let more = found.len().saturating_sub(shown.len());
        let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
        let mut finding = if fixable.is_empty() {
            Finding::warn(
                target,
                format!(
                    "Image `{name}` has {} with no fix published yet: {}{more}{}",
                    count(found.len(), word),
                    shown.join("; "),
                    as_of(scan)
                ),
            )
        } else {
            Finding::fail(
                target,
                format!(
                    "Image `{name}` has {}, {} with a fix: {}{more}{}",
                    count(found.len(), word),
                    fixable.len(),
                    shown.join("; "),
                    as_of(scan)
                ),
            )
        };
        for v in found.iter().take(5) {
            finding = finding.evidence(
                format!("{} {}", v.id, v.package),
                &v.installed,
                v.fixed.as_deref().map_or_else(|| "no fixed version yet".to_owned(), |f| format!("≥ {f}")),
            );
        }
        let mut packages: Vec<&str> = fixable.iter().map(|v| v.package.as_str()).collect();
        packages.sort_unstable();
        packages.dedup();
        if let Some(line) = upgrade_line(image, &packages) {
            finding = finding.fix(
                SnippetKind::Dockerfile,
                format!("In the Dockerfile that builds `{name}`, after its FROM (or rebuild on an updated base image)"),
                line,
            );
        }
        if !fixable.is_empty() {
            finding = finding.fix(
                SnippetKind::Shell,
                "Rebuild from a freshly pulled base image, then recreate the containers that use it",
                format!("docker build --pull --no-cache -t {name} ."),
            );
        }
        finding
    })
}
