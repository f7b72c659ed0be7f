//! Trivy's JSON report (`trivy image --format json`, schema version 2): `ArtifactName`,
//! `Metadata.ImageID` / `RepoTags` / `RepoDigests`, `Results[].Vulnerabilities[]`.

use serde_json::Value;
use zerodock_engine::snapshot::Vulnerability;

use super::json::Node;
use super::{Format, ImportError, ImportedImage, non_empty, order_aliases, severity_word};

/// Reads one Trivy report.
pub(super) fn read(value: &Value) -> Result<ImportedImage, ImportError> {
    let root = Node::root(value, Format::Trivy);
    let scanner = match root.get("Trivy").map(|t| t.opt_str("Version")).transpose()?.flatten() {
        Some(version) if !version.trim().is_empty() => format!("trivy {}", version.trim()),
        _ => "trivy".to_owned(),
    };
    let reference = root.req_str("ArtifactName")?.to_owned();
    let (image_id, names) = match root.get("Metadata") {
        Some(metadata) => {
            let mut names: Vec<String> =
                metadata.str_array("RepoTags")?.into_iter().map(str::to_owned).collect();
            names.extend(metadata.str_array("RepoDigests")?.into_iter().map(str::to_owned));
            (non_empty(metadata.opt_str("ImageID")?), names)
        }
        None => (None, Vec::new()),
    };
    let mut vulnerabilities = Vec::new();
    for result in root.array("Results")? {
        for v in result.array("Vulnerabilities")? {
            vulnerabilities.push(vulnerability(&v, &scanner)?);
        }
    }
    Ok(ImportedImage { reference, image_id, names, scanner, vulnerabilities })
}

fn vulnerability(v: &Node<'_>, scanner: &str) -> Result<Vulnerability, ImportError> {
    let id = v.req_str("VulnerabilityID")?.trim().to_owned();
    let package = v.req_str("PkgName")?.trim().to_owned();
    // `VendorIDs` are the distribution's advisories for the same CVE (`DSA-4613-1`).
    let aliases = order_aliases(&id, v.str_array("VendorIDs")?.into_iter().map(str::to_owned));
    let severity_word_given = v.opt_str("Severity")?.unwrap_or("UNKNOWN").trim();
    let severity_source = match non_empty(v.opt_str("SeveritySource")?) {
        Some(source) => format!("trivy: {severity_word_given} (from {source})"),
        None => format!("trivy: {severity_word_given}"),
    };
    let purl = match v.get("PkgIdentifier") {
        Some(identifier) => identifier.opt_str("PURL")?.unwrap_or_default().to_owned(),
        None => String::new(),
    };
    Ok(Vulnerability {
        source_package: non_empty(v.opt_str("PkgSrcName")?).unwrap_or_else(|| package.clone()),
        installed: v.req_str("InstalledVersion")?.trim().to_owned(),
        fixed: non_empty(v.opt_str("FixedVersion")?),
        severity: severity_word(severity_word_given),
        severity_source,
        summary: non_empty(v.opt_str("Title")?),
        purl,
        scanner: scanner.to_owned(),
        id,
        aliases,
        package,
    })
}
