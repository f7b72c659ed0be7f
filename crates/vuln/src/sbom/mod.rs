//! Software bills of materials: CycloneDX 1.5 JSON and SPDX 2.3 JSON.
//!
//! Both are functions of an [`ImageVulns`] alone (SPDX also of the creation time it must state),
//! so the same image gives the same document: no random serial numbers or namespaces.
//! [`cyclonedx_application`] writes ZeroDock's own SBOM (`cargo xtask sbom`: crates and bundled
//! npm packages) with the same writer.

use chrono::{DateTime, Utc};
use cyclonedx_bom::external_models::normalized_string::NormalizedString;
use cyclonedx_bom::external_models::spdx::SpdxExpression;
use cyclonedx_bom::external_models::uri::Purl;
use cyclonedx_bom::models::bom::{Bom, SpecVersion};
use cyclonedx_bom::models::component::{Classification, Component, Components};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::hash::{Hash, HashAlgorithm, HashValue, Hashes};
use cyclonedx_bom::models::license::{LicenseChoice, Licenses};
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
    let metadata = metadata(subject);
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
    to_json(Bom {
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
    })
}

/// The document's metadata: `subject` is what the BOM describes, ZeroDock the tool that wrote it.
fn metadata(subject: Component) -> Metadata {
    let mut tool = Component::new(Classification::Application, TOOL, TOOL_VERSION, None);
    tool.bom_ref = None;
    Metadata {
        timestamp: None,
        tools: Some(Tools::Object { services: None, components: Some(Components(vec![tool])) }),
        authors: None,
        component: Some(subject),
        manufacture: None,
        supplier: None,
        licenses: None,
        properties: None,
        lifecycles: None,
    }
}

/// The BOM as CycloneDX 1.5 JSON.
fn to_json(bom: Bom) -> Value {
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

/// What a component of an application is ([`AppComponent::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppComponentKind {
    /// An executable or the application the BOM describes.
    Application,
    /// A library linked or bundled into it (a crate, an npm package).
    Library,
    /// A file embedded as data (a font, an icon).
    File,
}

/// One component of an application's bill of materials ([`cyclonedx_application`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppComponent {
    /// What it is.
    pub kind: AppComponentKind,
    /// Its name (a crate's, an npm package's with its scope, a file's).
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its package URL (`pkg:cargo/serde@1.0.228`), also its bom-ref; `None` for a file.
    pub purl: Option<String>,
    /// Its licence as an SPDX expression; Cargo's legacy `MIT/Apache-2.0` is accepted and written
    /// `MIT OR Apache-2.0`.
    pub license: Option<String>,
    /// The SHA-256 of what was downloaded (Cargo.lock's checksum) or of the file, in hex.
    pub sha256: Option<String>,
    /// The bom-refs (purls) of the components it depends on.
    pub depends_on: Vec<String>,
    /// `zerodock:*` properties (`name`, `value`).
    pub properties: Vec<(String, String)>,
}

impl AppComponent {
    /// Its bom-ref: the purl, else `kind:name@version`.
    pub fn bom_ref(&self) -> String {
        self.purl.clone().unwrap_or_else(|| format!("file:{}@{}", self.name, self.version))
    }

    fn to_component(&self) -> Component {
        let kind = match self.kind {
            AppComponentKind::Application => Classification::Application,
            AppComponentKind::Library => Classification::Library,
            AppComponentKind::File => Classification::File,
        };
        let mut c = Component::new(kind, &self.name, &self.version, Some(self.bom_ref()));
        c.purl = self.purl.as_deref().and_then(|p| p.parse::<Purl>().ok());
        c.licenses = self.license.as_ref().map(|l| {
            let expr = SpdxExpression::parse_lax(l.clone()).unwrap_or_else(|_| SpdxExpression::new(l));
            Licenses(vec![LicenseChoice::Expression(expr)])
        });
        c.hashes = self
            .sha256
            .as_ref()
            .map(|h| Hashes(vec![Hash { alg: HashAlgorithm::SHA_256, content: HashValue(h.clone()) }]));
        if !self.properties.is_empty() {
            c.properties = Some(Properties(self.properties.iter().map(|(n, v)| property(n, v)).collect()));
        }
        c
    }
}

/// The CycloneDX 1.5 JSON document of an application: `subject` (ZeroDock itself) as the BOM's
/// subject, every component with its purl, licence and hash, and the dependency graph (each
/// component's `depends_on`, the subject's too). Deterministic: components in the given order, no
/// timestamp or serial number.
pub fn cyclonedx_application(subject: &AppComponent, components: &[AppComponent]) -> Value {
    let mut dependencies =
        vec![Dependency { dependency_ref: subject.bom_ref(), dependencies: subject.depends_on.clone() }];
    dependencies.extend(
        components
            .iter()
            .map(|c| Dependency { dependency_ref: c.bom_ref(), dependencies: c.depends_on.clone() }),
    );
    to_json(Bom {
        version: 1,
        serial_number: None,
        metadata: Some(metadata(subject.to_component())),
        components: Some(Components(components.iter().map(AppComponent::to_component).collect())),
        services: None,
        external_references: None,
        dependencies: Some(Dependencies(dependencies)),
        compositions: None,
        properties: None,
        vulnerabilities: None,
        signature: None,
        annotations: None,
        formulation: None,
        spec_version: SpecVersion::V1_5,
    })
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
