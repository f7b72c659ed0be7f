//! The OSV record format (<https://ossf.github.io/osv-schema/>): what ZeroDock reads of it.
//!
//! Only the fields matching needs are modelled; everything else in a record is ignored, so a
//! newer schema version with extra fields still parses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod cvss;
mod severity;

pub use severity::severity_of;

/// One OSV record (`DSA-3029-1.json`, `ALPINE-CVE-2022-37434.json`, …).
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    /// The record id (`DSA-3029-1`).
    pub id: String,
    /// Other ids of the same vulnerability (`CVE-2014-3616`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Ids this record was derived from; Debian's DLA records list their CVEs only here.
    #[serde(default)]
    pub upstream: Vec<String>,
    /// When the record last changed.
    pub modified: DateTime<Utc>,
    /// When the record was withdrawn; such records are not imported.
    pub withdrawn: Option<DateTime<Utc>>,
    /// One-line summary.
    pub summary: Option<String>,
    /// The affected packages and their version ranges.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Record-wide severities (CVSS vectors, the Ubuntu priority).
    #[serde(default)]
    pub severity: Vec<Severity>,
    /// Database-specific fields (read for a severity some databases put there).
    pub database_specific: Option<serde_json::Value>,
}

impl Record {
    /// The ids to show next to the record's own: `aliases` then `upstream`, CVE ids first,
    /// without duplicates.
    pub fn all_aliases(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in self.aliases.iter().chain(&self.upstream) {
            if id != &self.id && !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        // Stable: CVE ids keep their order, the rest keep theirs after them.
        ids.sort_by_key(|id| !id.starts_with("CVE-"));
        ids
    }
}

/// One affected package of a record.
#[derive(Debug, Clone, Deserialize)]
pub struct Affected {
    /// The package; records without one (an OSS-Fuzz-only record) match nothing.
    pub package: Option<Package>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Severities of this package only (schema 1.4+).
    #[serde(default)]
    pub severity: Vec<Severity>,
    /// Ecosystem-specific fields: Debian's `urgency` lives here.
    pub ecosystem_specific: Option<serde_json::Value>,
    /// Database-specific fields.
    pub database_specific: Option<serde_json::Value>,
}

/// An affected package's identity.
#[derive(Debug, Clone, Deserialize)]
pub struct Package {
    /// OSV ecosystem with its release (`Debian:12`, `Alpine:v3.19`).
    pub ecosystem: String,
    /// Package name: the source package for Debian and Ubuntu, the origin package for Alpine.
    pub name: String,
    /// Package URL, if given.
    pub purl: Option<String>,
}

/// A version range.
#[derive(Debug, Clone, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`; only `ECOSYSTEM` ranges are evaluated for distributions.
    #[serde(rename = "type")]
    pub kind: String,
    /// The range's events, in the record's order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range: exactly one of its fields is set in a valid record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Versions from here on are affected (`0` = from the first version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// Versions from here on are not affected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// This version and earlier ones (since `introduced`) are affected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// Versions from here on are outside the range (an upper bound, not a fix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// One severity entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Severity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A CVSS vector, or the Ubuntu priority word.
    pub score: String,
}
