//! The report's vulnerability part as every renderer reads it: which image a `VUL00x` finding is
//! about, which of its vulnerabilities it counts, per-image tallies and the order rows are listed
//! in. One place, so SARIF, the PDF, HTML, Markdown and the terminal never disagree on a count.

use zerodock_engine::snapshot::{ImageVulns, VulnScan, VulnSeverity, Vulnerability, short_id};
use zerodock_engine::{Finding, Report};

/// The band checks (one per severity, one finding per image, issue 12) and the severity each
/// counts. The codes are the catalogue's stable ids; a check outside this table is rendered like
/// any other check.
const BANDS: [(&str, VulnSeverity); 5] = [
    ("VUL001", VulnSeverity::Critical),
    ("VUL002", VulnSeverity::High),
    ("VUL003", VulnSeverity::Medium),
    ("VUL004", VulnSeverity::Low),
    ("VUL005", VulnSeverity::Unknown),
];

/// Severities from the most to the least severe, unrated last: the order of counts and rows.
pub(crate) const SEVERITIES: [VulnSeverity; 5] = [
    VulnSeverity::Critical,
    VulnSeverity::High,
    VulnSeverity::Medium,
    VulnSeverity::Low,
    VulnSeverity::Unknown,
];

/// The severity a band check counts, if `code` is one.
pub(crate) fn band_of(code: &str) -> Option<VulnSeverity> {
    BANDS.iter().find(|(c, _)| *c == code).map(|(_, s)| *s)
}

/// The scanned image a finding is about: by short id (what the checks put in the target), else by
/// name (a report edited or produced elsewhere may lack the id).
pub(crate) fn image_of<'a>(report: &'a Report, finding: &Finding) -> Option<&'a ImageVulns> {
    let scan = report.vulnerabilities.as_ref()?;
    let target = &finding.target;
    scan.images
        .iter()
        .find(|i| target.id.as_deref().is_some_and(|id| id == short_id(&i.image_id)))
        .or_else(|| scan.images.iter().find(|i| i.image == target.name))
}

/// The vulnerabilities a band check's finding stands for, most relevant first (fixable first, then
/// by advisory id); empty when `code` is not a band check or the image is not in the scan.
pub(crate) fn of_finding<'a>(report: &'a Report, code: &str, finding: &Finding) -> Vec<&'a Vulnerability> {
    let (Some(severity), Some(image)) = (band_of(code), image_of(report, finding)) else {
        return Vec::new();
    };
    let mut found: Vec<&Vulnerability> = image.with_severity(severity).collect();
    found.sort_by(|a, b| a.fixed.is_none().cmp(&b.fixed.is_none()).then_with(|| a.id.cmp(&b.id)));
    found
}

/// An image's vulnerabilities in reading order: most severe first, fixable before unfixed, then
/// by advisory id and package (deterministic whatever order the scan listed them in).
pub(crate) fn sorted(image: &ImageVulns) -> Vec<&Vulnerability> {
    let mut all: Vec<&Vulnerability> = image.vulnerabilities.iter().collect();
    all.sort_by(|a, b| {
        rank(a.severity)
            .cmp(&rank(b.severity))
            .then_with(|| a.fixed.is_none().cmp(&b.fixed.is_none()))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
    });
    all
}

/// The scan's images worst first — by their counts per severity (critical first), then by name;
/// images that could not be read last (nothing is known about them). Every format lists them so.
pub(crate) fn images_worst_first(scan: &VulnScan) -> Vec<&ImageVulns> {
    let mut images: Vec<(Tally, &ImageVulns)> = scan.images.iter().map(|i| (Tally::of(i), i)).collect();
    images.sort_by(|(a, x), (b, y)| {
        x.unreadable
            .is_some()
            .cmp(&y.unreadable.is_some())
            .then_with(|| b.by_severity.cmp(&a.by_severity))
            .then_with(|| x.image.cmp(&y.image))
    });
    images.into_iter().map(|(_, i)| i).collect()
}

/// Position in [`SEVERITIES`] (unrated after low: it is not known to be worse).
fn rank(s: VulnSeverity) -> usize {
    SEVERITIES.iter().position(|x| *x == s).unwrap_or(SEVERITIES.len())
}

/// The CVE ids among a vulnerability's aliases (the advisory id itself when it is a CVE is not
/// repeated).
pub(crate) fn cves(v: &Vulnerability) -> Vec<&str> {
    v.aliases.iter().map(String::as_str).filter(|a| a.starts_with("CVE-") && *a != v.id).collect()
}

/// `ALPINE-CVE-2022-37434 (CVE-2022-37434)`: the advisory and its CVE aliases.
pub(crate) fn ids(v: &Vulnerability) -> String {
    let cves = cves(v);
    if cves.is_empty() { v.id.clone() } else { format!("{} ({})", v.id, cves.join(", ")) }
}

/// `1 vulnerability`, `2 vulnerabilities`.
pub(crate) fn count(n: usize) -> String {
    if n == 1 { "1 vulnerability".to_owned() } else { format!("{n} vulnerabilities") }
}

/// The fixed version, or the words every format uses when there is none.
pub(crate) fn fixed(v: &Vulnerability) -> &str {
    v.fixed.as_deref().unwrap_or("no fix yet")
}

/// Counts of one image's vulnerabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Per severity, in [`SEVERITIES`] order.
    pub by_severity: [usize; 5],
    /// How many have a fixed version.
    pub fixable: usize,
    /// All of them.
    pub total: usize,
}

impl Tally {
    /// The counts of `image`.
    pub(crate) fn of(image: &ImageVulns) -> Tally {
        let mut t = Tally::default();
        for v in &image.vulnerabilities {
            t.by_severity[rank(v.severity).min(4)] += 1;
            t.total += 1;
            if v.fixed.is_some() {
                t.fixable += 1;
            }
        }
        t
    }

    /// `1 critical, 1 unrated` (only the non-zero ones), or `none`.
    pub(crate) fn words(&self) -> String {
        let parts: Vec<String> = SEVERITIES
            .iter()
            .zip(self.by_severity)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", severity_word(*s)))
            .collect();
        if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
    }
}

/// `critical` … `low`, and `unrated` for a record without a severity (the word "unknown" is the
/// report's status for checks that could not be judged; the two must not be confused).
pub(crate) fn severity_word(s: VulnSeverity) -> &'static str {
    match s {
        VulnSeverity::Unknown => "unrated",
        other => other.as_str(),
    }
}

/// The base OS in words: `Debian GNU/Linux 11 (bullseye)`, or why it is not known.
pub(crate) fn os_name(image: &ImageVulns) -> String {
    match &image.os {
        Some(os) if !os.pretty_name.is_empty() => os.pretty_name.clone(),
        Some(os) => format!("{} {}", os.id, os.version_id),
        None => "no OS release file (distroless or scratch)".to_owned(),
    }
}

/// End of security support as a date, or `unknown` (never "supported" when not known).
pub(crate) fn end_of_life(image: &ImageVulns) -> String {
    image
        .os
        .as_ref()
        .and_then(|o| o.end_of_life)
        .map_or_else(|| "unknown".to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

/// The date results are "as of": the database's newest record, else when it was last updated;
/// `None` without a database (results then come only from imported scanner output).
pub(crate) fn as_of(scan: &VulnScan) -> Option<String> {
    let db = scan.database.as_ref()?;
    Some(db.newest_record.unwrap_or(db.updated_at).format("%Y-%m-%d").to_string())
}

/// `vulnerability database as of 2026-08-07 (updated 2026-12-07)`, or that there is none.
pub(crate) fn database_line(scan: &VulnScan) -> String {
    match (&scan.database, as_of(scan)) {
        (Some(db), Some(date)) => {
            format!("vulnerability database as of {date} (updated {})", db.updated_at.format("%Y-%m-%d"))
        }
        _ => "no vulnerability database on this machine: results come only from imported scanner output"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vuln(id: &str, severity: VulnSeverity, fixed: Option<&str>) -> Vulnerability {
        Vulnerability {
            id: id.to_owned(),
            aliases: vec!["CVE-2024-1".to_owned(), "GHSA-x".to_owned()],
            severity,
            fixed: fixed.map(str::to_owned),
            ..Vulnerability::default()
        }
    }

    #[test]
    fn rows_are_most_severe_then_fixable_first_and_unrated_last() {
        let image = ImageVulns {
            vulnerabilities: vec![
                vuln("U", VulnSeverity::Unknown, Some("1")),
                vuln("H2", VulnSeverity::High, None),
                vuln("H1", VulnSeverity::High, Some("2")),
                vuln("C", VulnSeverity::Critical, None),
            ],
            ..ImageVulns::default()
        };
        let order: Vec<&str> = sorted(&image).iter().map(|v| v.id.as_str()).collect();
        assert_eq!(order, ["C", "H1", "H2", "U"]);
        let t = Tally::of(&image);
        assert_eq!((t.by_severity, t.fixable, t.total), ([1, 2, 0, 0, 1], 2, 4));
        assert_eq!(t.words(), "1 critical, 2 high, 1 unrated");
    }

    #[test]
    fn ids_name_only_cve_aliases_and_not_twice() {
        assert_eq!(ids(&vuln("DSA-1", VulnSeverity::Low, None)), "DSA-1 (CVE-2024-1)");
        assert_eq!(ids(&vuln("CVE-2024-1", VulnSeverity::Low, None)), "CVE-2024-1");
        assert_eq!(fixed(&vuln("X", VulnSeverity::Low, None)), "no fix yet");
    }
}
