//! Software bills of materials: CycloneDX 1.5 JSON and SPDX 2.3 JSON.
//!
//! Both are functions of an [`ImageVulns`] alone (SPDX also of the creation time it must state),
//! so the same image gives the same document: no random serial numbers or namespaces.

use chrono::{DateTime, Utc};
use cyclonedx_bom::external_models::normalized_string::NormalizedString;
use cyclonedx_bom::external_models::uri::Purl;
use cyclonedx_bom::models::bom::{Bom, SpecVersion};
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::tool::Tools;
use cyclonedx_bom::models::vulnerability::{Vulnerabilities, Vulnerability as CdxVulnerability};
use cyclonedx_bom::models::vulnerability_rating::{Severity, VulnerabilityRating, VulnerabilityRatings};
use cyclonedx_bom::models::vulnerability_target::{VulnerabilityTarget, VulnerabilityTargets};
use serde_json::{Value, json};
use zerodock_engine::snapshot::{ImageVulns, Package, VulnSeverity};

/// The tool named in both documents.
const TOOL: &str = "zerodock";
/// Its version (the workspace's).
const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The bom-ref of each package: its purl, made unique when two packages share one (the same
/// package listed by two databases), else `package-<index>`.
fn bom_refs(packages: &[Package]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let base = if p.purl.is_empty() { format!("package-{i}") } else { p.purl.clone() };
            if seen.insert(base.clone()) { base } else { format!("{base}#{i}") }
        })
        .collect()
}

fn property(name: &str, value: &str) -> Property {
    Property::new(name, value)
}

/// The CycloneDX 1.5 JSON document of an image: the image as the BOM's subject (a `container`
/// component), its base OS (`operating-system`), one `library` component per package with its
/// purl and, as `zerodock:*` properties, its source package, ecosystem and layer; the known
/// vulnerabilities with their severity and the package they affect. Built with `cyclonedx-bom`,
/// which writes 1.5.
pub fn cyclonedx(image: &ImageVulns) -> Value {
    let image_ref = format!("image:{}", image.image_id);
    let mut subject =
        Component::new(Classification::Container, &image.image, &image.image_id, Some(image_ref.clone()));
    subject.properties = Some(Properties(vec![property("zerodock:image_id", &image.image_id)]));
    let mut tool = Component::new(Classification::Application, TOOL, TOOL_VERSION, None);
    tool.bom_ref = None;
    let metadata = Metadata {
        timestamp: None,
        tools: Some(Tools::Object { services: None, components: Some(Components(vec![tool])) }),
        authors: None,
        component: Some(subject),
        manufacture: None,
        supplier: None,
        licenses: None,
        properties: None,
        lifecycles: None,
    };
    let refs = bom_refs(&image.packages);
    let mut components = Vec::new();
    let mut depends_on = Vec::new();
    if let Some(os) = &image.os {
        let os_ref = format!("os:{}-{}", os.id, os.version_id);
        let mut c =
            Component::new(Classification::OperatingSystem, &os.id, &os.version_id, Some(os_ref.clone()));
        c.description = Some(NormalizedString::new(&os.pretty_name));
        if let Some(eco) = &os.ecosystem {
            c.properties = Some(Properties(vec![property("zerodock:ecosystem", eco)]));
        }
        components.push(c);
        depends_on.push(os_ref);
    }
    for (p, bom_ref) in image.packages.iter().zip(&refs) {
        let mut c = Component::new(Classification::Library, &p.name, &p.version, Some(bom_ref.clone()));
        if !p.purl.is_empty() {
            c.purl = p.purl.parse::<Purl>().ok();
        }
        let mut props = vec![
            property("zerodock:source_name", &p.source_name),
            property("zerodock:source_version", &p.source_version),
        ];
        if !p.arch.is_empty() {
            props.push(property("zerodock:arch", &p.arch));
        }
        if let Some(eco) = &p.ecosystem {
            props.push(property("zerodock:ecosystem", eco));
        }
        if let Some(layer) = &p.layer {
            props.push(property("zerodock:layer", layer));
        }
        c.properties = Some(Properties(props));
        components.push(c);
        depends_on.push(bom_ref.clone());
    }
    let vulnerabilities: Vec<CdxVulnerability> = image
        .vulnerabilities
        .iter()
        .map(|v| {
            // The package it affects, by purl (else by name and version).
            let target = image
                .packages
                .iter()
                .zip(&refs)
                .find(|(p, _)| {
                    (!v.purl.is_empty() && p.purl == v.purl)
                        || (p.name == v.package && p.version == v.installed)
                })
                .map(|(_, r)| r.clone());
            let mut out = CdxVulnerability::new(None);
            out.id = Some(NormalizedString::new(&v.id));
            out.description = v.summary.clone();
            out.recommendation = Some(match &v.fixed {
                Some(fixed) => format!("Upgrade {} to {fixed} or later", v.package),
                None => "No fixed version yet".to_owned(),
            });
            let severity = match v.severity {
                VulnSeverity::Critical => Severity::Critical,
                VulnSeverity::High => Severity::High,
                VulnSeverity::Medium => Severity::Medium,
                VulnSeverity::Low => Severity::Low,
                VulnSeverity::Unknown => Severity::Unknown,
            };
            let mut rating = VulnerabilityRating::new(None, Some(severity), None);
            rating.justification = Some(v.severity_source.clone()).filter(|s| !s.is_empty());
            out.vulnerability_ratings = Some(VulnerabilityRatings(vec![rating]));
            out.vulnerability_targets = target
                .map(|r| VulnerabilityTargets(vec![VulnerabilityTarget { bom_ref: r, versions: None }]));
            let mut props = vec![property("zerodock:scanner", &v.scanner)];
            props.extend(v.aliases.iter().map(|a| property("zerodock:alias", a)));
            out.properties = Some(Properties(props));
            out
        })
        .collect();
    let bom = Bom {
        version: 1,
        serial_number: None,
        metadata: Some(metadata),
        components: Some(Components(components)),
        services: None,
        external_references: None,
        dependencies: Some(Dependencies(vec![Dependency {
            dependency_ref: image_ref,
            dependencies: depends_on,
        }])),
        compositions: None,
        properties: None,
        vulnerabilities: (!vulnerabilities.is_empty()).then_some(Vulnerabilities(vulnerabilities)),
        signature: None,
        annotations: None,
        formulation: None,
        spec_version: SpecVersion::V1_5,
    };
    let mut out = Vec::new();
    match bom
        .output_as_json(&mut out, SpecVersion::V1_5)
        .map_err(|e| e.to_string())
        .and_then(|()| serde_json::from_slice::<Value>(&out).map_err(|e| e.to_string()))
    {
        Ok(value) => value,
        // The model above is always convertible to 1.5; should the library ever refuse it, the
        // document says why instead of panicking.
        Err(e) => json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "properties": [
            {"name": "zerodock:error", "value": e}
        ]}),
    }
}

/// An SPDX identifier from free text: letters, digits, `.` and `-` only (the spec's pattern).
fn spdx_id(prefix: &str, text: &str) -> String {
    let clean: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' }).collect();
    format!("SPDXRef-{prefix}-{clean}")
}

/// The SPDX 2.3 JSON document of an image, created at `created`: the image (purpose
/// `CONTAINER`) which the document DESCRIBES and which CONTAINS its base OS and every package;
/// each package with its purl as a `PACKAGE-MANAGER` external reference, its source package as
/// `sourceInfo` and its layer in `comment`. The namespace is derived from the image id, so the
/// same image always gets the same one.
pub fn spdx(image: &ImageVulns, created: DateTime<Utc>) -> Value {
    let hex = image.image_id.strip_prefix("sha256:").unwrap_or(&image.image_id);
    let image_spdx = "SPDXRef-Image".to_owned();
    let mut packages = vec![json!({
        "SPDXID": image_spdx,
        "name": image.image,
        "versionInfo": image.image_id,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": image_spdx,
    })];
    let mut contains = |id: &str| {
        relationships.push(json!({
            "spdxElementId": image_spdx,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    };
    if let Some(os) = &image.os {
        let id = spdx_id("OperatingSystem", &os.id);
        packages.push(json!({
            "SPDXID": id,
            "name": os.id,
            "versionInfo": os.version_id,
            "description": os.pretty_name,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING_SYSTEM",
        }));
        contains(&id);
    }
    for (i, p) in image.packages.iter().enumerate() {
        // The index keeps ids unique when a name repeats (two architectures, two databases).
        let id = spdx_id(&format!("Package-{i}"), &p.name);
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
            "sourceInfo": format!("built package from: {} {}", p.source_name, p.source_version),
        });
        if !p.purl.is_empty() {
            pkg["externalRefs"] = json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }]);
        }
        if let Some(layer) = &p.layer {
            pkg["comment"] = json!(format!("layer: {layer}"));
        }
        packages.push(pkg);
        contains(&id);
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": image.image,
        // SPDX suggests spdx.org/spdxdocs/<name>-<unique> to tools without a namespace of their own.
        "documentNamespace": format!("https://spdx.org/spdxdocs/zerodock-image-{hex}"),
        "creationInfo": {
            "created": created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "creators": [format!("Tool: {TOOL}-{TOOL_VERSION}")],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

#[cfg(test)]
mod tests;
