//! The SBOMs validate against the official JSON schemas (vendored in `testdata/schemas/`, see its
//! README): CycloneDX 1.5 (with the SPDX licence list and JSF schemas it references) and SPDX 2.3.

use std::path::Path;

use chrono::TimeZone;
use serde_json::Value;
use zerodock_engine::snapshot::{BaseOs, ImageVulns, Package, VulnSeverity, Vulnerability};

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/schemas").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn cyclonedx_validator() -> jsonschema::Validator {
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", schema("spdx.schema.json"))
        .and_then(|r| {
            r.add("http://cyclonedx.org/schema/jsf-0.82.schema.json", schema("jsf-0.82.schema.json"))
        })
        .and_then(|r| r.prepare())
        .expect("registry of the referenced schemas");
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema("bom-1.5.schema.json"))
        .expect("CycloneDX 1.5 schema compiles")
}

fn spdx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema("spdx-2.3.schema.json"))
        .expect("SPDX 2.3 schema compiles")
}

/// An image with awkward values: purls with `%2B`, an epoch, names that are not SPDX ids, two
/// packages of the same name, a vulnerability with no fix and one whose package is unknown.
fn image(packages: usize) -> ImageVulns {
    let mut pkgs = Vec::new();
    for i in 0..packages {
        let name = if i % 5 == 0 { "libstdc++6".to_owned() } else { format!("pkg_{i}") };
        let version = format!("1:{i}.0+dfsg-{i}~deb12u1");
        pkgs.push(Package {
            purl: format!(
                "pkg:deb/debian/{}@{}?arch=amd64&distro=debian-12",
                name.replace('+', "%2B"),
                version.replace('+', "%2B")
            ),
            name,
            source_name: format!("src{i}"),
            source_version: version.clone(),
            version,
            ecosystem: Some("Debian:12".into()),
            arch: "amd64".into(),
            layer: (i % 2 == 0).then(|| format!("sha256:{i:064x}")),
            ..Package::default()
        });
    }
    let vuln = |id: &str, package: &str, fixed: Option<&str>, severity| Vulnerability {
        id: id.into(),
        aliases: vec!["CVE-2024-0001".into()],
        package: package.into(),
        source_package: "src1".into(),
        installed: "1:1.0+dfsg-1~deb12u1".into(),
        fixed: fixed.map(Into::into),
        severity,
        severity_source: String::new(),
        summary: None,
        purl: String::new(),
        scanner: "zerodock".into(),
    };
    ImageVulns {
        image_id: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        image: "registry.example/team/app:1.2 (test)".into(),
        os: Some(BaseOs {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
            ecosystem: Some("Debian:12".into()),
            ..BaseOs::default()
        }),
        packages: pkgs,
        vulnerabilities: vec![
            vuln("DLA-1-1", "pkg_1", Some("1:1.1-1"), VulnSeverity::Critical),
            vuln("CVE-2024-0002", "absent", None, VulnSeverity::Unknown),
        ],
        scanners: vec!["zerodock".into()],
        ..ImageVulns::default()
    }
}

#[test]
fn cyclonedx_documents_validate_against_the_1_5_schema() {
    let validator = cyclonedx_validator();
    for doc in [image(12), image(0), ImageVulns::default()].iter().map(zerodock_vuln::sbom::cyclonedx) {
        assert_eq!(errors(&validator, &doc), Vec::<String>::new(), "{doc:#}");
    }
    // The schema is strict enough to catch a broken document: the test can fail.
    let mut broken = zerodock_vuln::sbom::cyclonedx(&image(2));
    broken["components"][0]["type"] = "gizmo".into();
    assert!(!errors(&validator, &broken).is_empty());
}

#[test]
fn spdx_documents_validate_against_the_2_3_schema() {
    let validator = spdx_validator();
    let created = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).single().expect("date");
    for doc in
        [image(12), image(0), ImageVulns::default()].iter().map(|i| zerodock_vuln::sbom::spdx(i, created))
    {
        assert_eq!(errors(&validator, &doc), Vec::<String>::new(), "{doc:#}");
        // Every SPDX id is unique and matches the spec's pattern.
        let ids: Vec<&str> = doc["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| p["SPDXID"].as_str().expect("id"))
            .collect();
        let unique: std::collections::HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(
            ids.iter().all(|id| id
                .strip_prefix("SPDXRef-")
                .is_some_and(|r| r.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))),
            "{ids:?}"
        );
    }
    let mut broken = zerodock_vuln::sbom::spdx(&image(2), created);
    broken["packages"][1]["primaryPackagePurpose"] = "OPERATING-SYSTEM".into();
    assert!(!errors(&validator, &broken).is_empty());
}

/// ZeroDock's own SBOM (`cargo xtask sbom`) uses the same writer: an application with crates (one
/// with Cargo's legacy `A/B` licence), a scoped npm package and a font file validates too.
#[test]
fn the_application_sbom_validates_against_cyclonedx_1_5() {
    use zerodock_vuln::sbom::{AppComponent, AppComponentKind, cyclonedx_application};
    let comp = |kind, name: &str, version: &str, purl: Option<&str>, license: &str| AppComponent {
        kind,
        name: name.into(),
        version: version.into(),
        purl: purl.map(Into::into),
        license: Some(license.into()),
        sha256: Some("ab".repeat(32)),
        depends_on: Vec::new(),
        properties: vec![("zerodock:shipped_in".into(), "zerodock".into())],
    };
    let mut subject = comp(
        AppComponentKind::Application,
        "zerodock",
        "0.1.0",
        Some("pkg:cargo/zerodock@0.1.0"),
        "Apache-2.0",
    );
    subject.sha256 = None;
    subject.depends_on = vec!["pkg:cargo/serde@1.0.228".into(), "pkg:npm/%40tauri-apps/api@2.12.5".into()];
    let components = vec![
        comp(
            AppComponentKind::Library,
            "serde",
            "1.0.228",
            Some("pkg:cargo/serde@1.0.228"),
            "MIT/Apache-2.0",
        ),
        comp(
            AppComponentKind::Library,
            "@tauri-apps/api",
            "2.12.5",
            Some("pkg:npm/%40tauri-apps/api@2.12.5"),
            "Apache-2.0 OR MIT",
        ),
        comp(AppComponentKind::File, "DejaVuSans.ttf", "2.37", None, "Bitstream-Vera"),
    ];
    let doc = cyclonedx_application(&subject, &components);
    let found = errors(&cyclonedx_validator(), &doc);
    assert!(found.is_empty(), "{found:#?}\n{doc:#}");
    assert_eq!(doc["components"][0]["licenses"][0]["expression"], "MIT OR Apache-2.0", "{doc:#}");
    assert_eq!(doc["components"][1]["purl"], "pkg:npm/%40tauri-apps/api@2.12.5");
    assert_eq!(doc["metadata"]["component"]["name"], "zerodock");
    assert_eq!(doc["dependencies"][0]["dependsOn"][1], "pkg:npm/%40tauri-apps/api@2.12.5");
}
