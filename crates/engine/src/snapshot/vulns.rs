//! What the images in use contain and which known vulnerabilities affect them.
//!
//! Reading image contents and matching them against a vulnerability database is an explicit,
//! slower step (`zerodock scan --vulns`, **Scan images** in the app) done by the `zerodock-vuln`
//! crate; its result is attached to the snapshot here so the `vulnerabilities` checks stay pure
//! functions over a snapshot like every other check. A snapshot without this part says why
//! ("not scanned"), and the checks then report unknown, never a pass.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The vulnerability part of a snapshot: the database used and one entry per image in use.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct VulnScan {
    /// The local OSV database the images were matched against; `None` when there is none
    /// (results then come only from imported scanner output, if any).
    pub database: Option<VulnDatabase>,
    /// One entry per image in use, in the order of the snapshot's images.
    pub images: Vec<ImageVulns>,
}

/// The local vulnerability database a scan used: results are "as of" its age.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct VulnDatabase {
    /// When the newest import or update finished (UTC).
    pub updated_at: DateTime<Utc>,
    /// The newest `modified` date of any record in it: the data is as fresh as this.
    pub newest_record: Option<DateTime<Utc>>,
    /// Per ecosystem (`Debian`, `Alpine`, `Ubuntu`…): how many records it holds and where they came from.
    pub sources: Vec<VulnSource>,
}

/// One ecosystem's part of the database.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct VulnSource {
    /// OSV ecosystem name without a release (`Debian`, `Alpine`, `Ubuntu`).
    pub ecosystem: String,
    /// Records imported (withdrawn ones are not counted: they are skipped).
    pub records: u64,
    /// The file or URL it was imported from.
    pub origin: String,
    /// When it was imported (UTC).
    pub imported_at: DateTime<Utc>,
}

/// What is known about one image's contents and vulnerabilities.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct ImageVulns {
    /// The image id (`sha256:…`).
    pub image_id: String,
    /// A readable name (first tag, else digest, else short id).
    pub image: String,
    /// The base operating system from `/etc/os-release`, when the image has one.
    pub os: Option<BaseOs>,
    /// Why the contents could not be read (export failed, unsupported format), if they could not.
    pub unreadable: Option<String>,
    /// Installed packages, as the image's package database lists them.
    pub packages: Vec<Package>,
    /// Known vulnerabilities of those packages (or imported from another scanner).
    pub vulnerabilities: Vec<Vulnerability>,
    /// Who found them: `zerodock` for our own matching, else the imported scanner's name and version.
    pub scanners: Vec<String>,
    /// Ecosystems present in the image for which the database holds no records: matching them
    /// would be a guess, so their packages' status is unknown.
    pub unmatched_ecosystems: Vec<String>,
    /// Regular files with the setuid or setgid bit in the image's final filesystem (CIS 4.8).
    /// `None` when this read did not look (an older cache entry or snapshot, an imported scan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setid_files: Option<Vec<SetidFile>>,
}

/// A file with the setuid or setgid bit, from the image's layer archives.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct SetidFile {
    /// Its path in the image, without the leading `/`.
    pub path: String,
    /// Its permission bits, octal (`4755`).
    pub mode: String,
}

/// An image's base operating system.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct BaseOs {
    /// `ID` (`debian`, `ubuntu`, `alpine`…).
    pub id: String,
    /// `VERSION_ID` (`12`, `22.04`, `3.19.1`).
    pub version_id: String,
    /// `PRETTY_NAME`.
    pub pretty_name: String,
    /// The OSV ecosystem its packages belong to (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`),
    /// when ZeroDock knows it.
    pub ecosystem: Option<String>,
    /// End of security support (including LTS where the distribution runs one), when known;
    /// `None` means unknown, never "supported".
    #[ts(type = "string | null")]
    pub end_of_life: Option<NaiveDate>,
    /// How exact [`BaseOs::end_of_life`] is and where it comes from ("Debian LTS announcement";
    /// "no later than: older than every Alpine release ZeroDock knows").
    pub end_of_life_source: Option<String>,
}

/// How a package was found.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// From the distribution's package database (dpkg, apk, rpm).
    #[default]
    Distro,
    /// A language package from a lockfile or manifest.
    Language,
}

/// One installed package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash, JsonSchema, TS)]
pub struct Package {
    /// Binary package name (`libssl3`).
    pub name: String,
    /// Installed version (`3.0.11-1~deb12u2`).
    pub version: String,
    /// Source package name (`openssl`); the binary name when the database gives none.
    pub source_name: String,
    /// Source package version; the binary version when the database gives none.
    pub source_version: String,
    /// OSV ecosystem (`Debian:12`, `Alpine:v3.19`), when known.
    pub ecosystem: Option<String>,
    /// Package URL (`pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`).
    pub purl: String,
    /// CPU architecture as the package database gives it.
    pub arch: String,
    /// The layer (diff id, `sha256:…`) that added it, when known.
    pub layer: Option<String>,
    /// Distro package or language package.
    pub kind: PackageKind,
}

/// Severity of a vulnerability, from the record (CVSS score) or the distribution's urgency.
#[derive(
    Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum VulnSeverity {
    /// The record carries no severity ZeroDock can read: shown as unknown, never guessed.
    #[default]
    Unknown,
    /// CVSS < 4.0 or the distribution's "low"/"unimportant".
    Low,
    /// CVSS 4.0–6.9 or "medium".
    Medium,
    /// CVSS 7.0–8.9 or "high".
    High,
    /// CVSS ≥ 9.0 or "critical".
    Critical,
}

impl VulnSeverity {
    /// Lower-case word (`critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            VulnSeverity::Unknown => "unknown",
            VulnSeverity::Low => "low",
            VulnSeverity::Medium => "medium",
            VulnSeverity::High => "high",
            VulnSeverity::Critical => "critical",
        }
    }

    /// The band of a CVSS base score (the ranges NVD uses for v3 and v4).
    pub fn from_cvss_score(score: f64) -> Self {
        match score {
            s if s >= 9.0 => VulnSeverity::Critical,
            s if s >= 7.0 => VulnSeverity::High,
            s if s >= 4.0 => VulnSeverity::Medium,
            s if s > 0.0 => VulnSeverity::Low,
            _ => VulnSeverity::Unknown,
        }
    }
}

/// One known vulnerability of one installed package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct Vulnerability {
    /// The advisory id (`DSA-5532-1`, `DLA-3530-1`, `ALPINE-CVE-2023-5363`, `CVE-2023-5363`).
    pub id: String,
    /// Other ids of the same vulnerability, CVE ids first.
    pub aliases: Vec<String>,
    /// The binary package installed (`libssl3`).
    pub package: String,
    /// The source package the record names (`openssl`).
    pub source_package: String,
    /// The installed version the record was matched against (the source version for Debian).
    pub installed: String,
    /// The first version that fixes it; `None` is "no fix yet".
    pub fixed: Option<String>,
    /// The severity and where it came from.
    pub severity: VulnSeverity,
    /// Where the severity comes from (`CVSS:3.1/AV:N/… (9.8)`, `Debian urgency: high`), or why it
    /// is unknown.
    pub severity_source: String,
    /// The record's one-line summary, if it has one.
    pub summary: Option<String>,
    /// The package URL of the installed package (the SARIF location).
    pub purl: String,
    /// The scanner that reported it (`zerodock`, `trivy 0.50.1`, …).
    pub scanner: String,
}

impl ImageVulns {
    /// The vulnerabilities of one severity.
    pub fn with_severity(&self, severity: VulnSeverity) -> impl Iterator<Item = &Vulnerability> {
        self.vulnerabilities.iter().filter(move |v| v.severity == severity)
    }
}
