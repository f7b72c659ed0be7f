//! Grype's JSON report (`grype -o json`): `source.target`, `matches[]` with `vulnerability`,
//! `relatedVulnerabilities`, `matchDetails` and `artifact`, `descriptor.name` / `version`.

use serde_json::Value;
use zerodock_engine::snapshot::Vulnerability;

use super::json::Node;
use super::{Format, ImportError, ImportedImage, non_empty, order_aliases, severity_word};

/// Reads one Grype report.
pub(super) fn read(value: &Value) -> Result<ImportedImage, ImportError> {
    let root = Node::root(value, Format::Grype);
    let scanner = scanner_name(&root)?;
    let (reference, image_id, names) = source(&root)?;
    let vulnerabilities =
        root.array("matches")?.iter().map(|m| vulnerability(m, &scanner)).collect::<Result<Vec<_>, _>>()?;
    Ok(ImportedImage { reference, image_id, names, scanner, vulnerabilities })
}

fn scanner_name(root: &Node<'_>) -> Result<String, ImportError> {
    let Some(descriptor) = root.get("descriptor") else { return Ok("grype".to_owned()) };
    let name = non_empty(descriptor.opt_str("name")?).unwrap_or_else(|| "grype".to_owned());
    // Development builds write `[not provided]`, which is no version.
    Ok(match non_empty(descriptor.opt_str("version")?) {
        Some(version) if !version.starts_with('[') => format!("{name} {version}"),
        _ => name,
    })
}

/// What was scanned: `source.target` is an object for an image, a string for a directory or file.
fn source(root: &Node<'_>) -> Result<(String, Option<String>, Vec<String>), ImportError> {
    let Some(target) = root.get("source").and_then(|s| s.get("target")) else {
        return Ok((String::new(), None, Vec::new()));
    };
    if let Some(path) = target.as_str() {
        return Ok((path.to_owned(), None, Vec::new()));
    }
    let reference = target.opt_str("userInput")?.unwrap_or_default().to_owned();
    let mut names: Vec<String> = target.str_array("tags")?.into_iter().map(str::to_owned).collect();
    names.extend(target.str_array("repoDigests")?.into_iter().map(str::to_owned));
    Ok((reference, non_empty(target.opt_str("imageID")?), names))
}

fn vulnerability(m: &Node<'_>, scanner: &str) -> Result<Vulnerability, ImportError> {
    let record = m.object("vulnerability")?;
    let artifact = m.object("artifact")?;
    let id = record.req_str("id")?.trim().to_owned();
    let package = artifact.req_str("name")?.trim().to_owned();
    let mut related = Vec::new();
    for r in m.array("relatedVulnerabilities")? {
        related.push(r.req_str("id")?.to_owned());
    }
    let severity_given = record.opt_str("severity")?.unwrap_or("Unknown").trim();
    // `upstreams` names the source package (`nss` for `nss-util`) when it differs.
    let source_package = match artifact.array("upstreams")?.first() {
        Some(upstream) => upstream.req_str("name")?.to_owned(),
        None => package.clone(),
    };
    Ok(Vulnerability {
        aliases: order_aliases(&id, related),
        source_package,
        installed: artifact.req_str("version")?.trim().to_owned(),
        fixed: fixed_version(m, &record)?,
        severity: severity_word(severity_given),
        severity_source: format!("grype: {severity_given}"),
        summary: non_empty(record.opt_str("description")?.and_then(|d| d.lines().next())),
        purl: artifact.opt_str("purl")?.unwrap_or_default().to_owned(),
        scanner: scanner.to_owned(),
        id,
        package,
    })
}

/// The fix version: only when `fix.state` is `fixed` (`wont-fix`, `not-fixed` and `unknown` are "no
/// fix yet"); Grype's suggestion for this installed version when it made one, else the first listed
/// (`versions` may hold one fix per release branch).
fn fixed_version(m: &Node<'_>, record: &Node<'_>) -> Result<Option<String>, ImportError> {
    let Some(fix) = record.get("fix") else { return Ok(None) };
    if fix.opt_str("state")?.map(str::trim) != Some("fixed") {
        return Ok(None);
    }
    for detail in m.array("matchDetails")? {
        let suggested = detail.get("fix").map(|f| f.opt_str("suggestedVersion")).transpose()?.flatten();
        if let Some(v) = non_empty(suggested) {
            return Ok(Some(v));
        }
    }
    Ok(fix.str_array("versions")?.into_iter().find_map(|v| non_empty(Some(v))))
}
