//! A record's severity for one affected package, from what real records carry — never guessed.
//!
//! What osv.dev's distribution records carry (seen in osv.dev's own test data and converters):
//! - Debian (`DEBIAN-CVE-*`, converted from the security tracker): `affected[].ecosystem_specific.urgency`
//!   (`unimportant`, `low`, `medium`, `high`, `not yet assigned`, `end-of-life`); DSA/DLA records
//!   carry no severity at all.
//! - Ubuntu: `severity[]` of type `Ubuntu` with the priority word (`negligible` … `critical`).
//! - Alpine and others: `severity[]` CVSS vectors (from NVD) when present.
//!
//! The distribution's own rating wins over CVSS: it is the assessment for the package it ships.

use zerodock_engine::snapshot::VulnSeverity;

use super::cvss::v3_base_score;
use super::{Affected, Record, Severity};

/// The severity of `record` for one of its affected packages, and where it came from (or why it
/// is unknown).
pub fn severity_of(record: &Record, affected: Option<&Affected>) -> (VulnSeverity, String) {
    if let Some(urgency) = affected
        .and_then(|a| a.ecosystem_specific.as_ref())
        .and_then(|e| e.get("urgency"))
        .and_then(|u| u.as_str())
    {
        // The tracker marks some urgencies with `*`/`**` (set without a full assessment); the
        // word still stands.
        let word = urgency.trim_end_matches('*').trim();
        let band = match word {
            "unimportant" | "low" => Some(VulnSeverity::Low),
            "medium" => Some(VulnSeverity::Medium),
            "high" => Some(VulnSeverity::High),
            _ => None,
        };
        if let Some(band) = band {
            return (band, format!("Debian urgency: {urgency}"));
        }
    }
    let severities: Vec<&Severity> =
        affected.map(|a| a.severity.iter()).into_iter().flatten().chain(record.severity.iter()).collect();
    if let Some(s) = severities.iter().find(|s| s.kind == "Ubuntu") {
        let band = match s.score.to_ascii_lowercase().as_str() {
            "negligible" | "low" => Some(VulnSeverity::Low),
            "medium" => Some(VulnSeverity::Medium),
            "high" => Some(VulnSeverity::High),
            "critical" => Some(VulnSeverity::Critical),
            _ => None,
        };
        if let Some(band) = band {
            return (band, format!("Ubuntu priority: {}", s.score));
        }
    }
    // The highest CVSS v3 score among the vectors given (records may carry NVD's and a CNA's).
    let best = severities
        .iter()
        .filter(|s| s.kind == "CVSS_V3")
        .filter_map(|s| v3_base_score(&s.score).map(|score| (score, &s.score)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((score, vector)) = best {
        let band = VulnSeverity::from_cvss_score(score);
        return (band, format!("{vector} ({score:.1})"));
    }
    if let Some(word) =
        record.database_specific.as_ref().and_then(|d| d.get("severity")).and_then(|s| s.as_str())
    {
        let band = match word.to_ascii_lowercase().as_str() {
            "low" => Some(VulnSeverity::Low),
            "moderate" | "medium" => Some(VulnSeverity::Medium),
            "high" => Some(VulnSeverity::High),
            "critical" => Some(VulnSeverity::Critical),
            _ => None,
        };
        if let Some(band) = band {
            return (band, format!("database_specific.severity: {word}"));
        }
    }
    if let Some(v4) = severities.iter().find(|s| s.kind == "CVSS_V4") {
        return (
            VulnSeverity::Unknown,
            format!("unknown: only a CVSS v4 vector, not scored here ({})", v4.score),
        );
    }
    (VulnSeverity::Unknown, "unknown: the record carries no severity".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: serde_json::Value) -> Record {
        serde_json::from_value(json).expect("record")
    }

    #[test]
    fn sources_in_order_of_preference() {
        let r = record(serde_json::json!({
            "id": "DEBIAN-CVE-2017-6507", "modified": "2024-01-01T00:00:00Z",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
            "affected": [
                {"package": {"ecosystem": "Debian:12", "name": "apparmor"}, "ecosystem_specific": {"urgency": "low"}},
                {"package": {"ecosystem": "Debian:11", "name": "apparmor"}, "ecosystem_specific": {"urgency": "not yet assigned"}}
            ]
        }));
        assert_eq!(severity_of(&r, r.affected.first()), (VulnSeverity::Low, "Debian urgency: low".into()));
        assert_eq!(
            severity_of(&r, r.affected.get(1)),
            (VulnSeverity::High, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H (7.5)".into())
        );
        let ubuntu = record(serde_json::json!({
            "id": "UBUNTU-CVE-2025-38094", "modified": "2025-07-04T00:00:00Z",
            "severity": [{"type": "Ubuntu", "score": "medium"}]
        }));
        assert_eq!(severity_of(&ubuntu, None), (VulnSeverity::Medium, "Ubuntu priority: medium".into()));
        let none = record(serde_json::json!({"id": "DSA-3029-1", "modified": "2014-09-20T08:18:07Z"}));
        assert_eq!(severity_of(&none, None).0, VulnSeverity::Unknown);
        let v4 = record(serde_json::json!({"id": "X", "modified": "2014-09-20T08:18:07Z",
            "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}));
        assert_eq!(severity_of(&v4, None).0, VulnSeverity::Unknown);
    }

    #[test]
    fn dla_upstream_ids_are_aliases_cve_first() {
        let r = record(serde_json::json!({"id": "DLA-1", "modified": "2023-08-14T00:00:00Z",
            "aliases": ["GHSA-x"], "upstream": ["CVE-2022-39189", "CVE-2022-4269"]}));
        assert_eq!(r.all_aliases(), ["CVE-2022-39189", "CVE-2022-4269", "GHSA-x"]);
    }
}
