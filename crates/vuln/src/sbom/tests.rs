//! What each document says about a small image (the schema checks are in
//! `tests/sbom_schema.rs`).

use chrono::TimeZone;
use zerodock_engine::snapshot::{BaseOs, ImageVulns, Package, VulnSeverity, Vulnerability};

use super::*;

pub(crate) fn sample() -> ImageVulns {
    let pkg = |name: &str, version: &str, source: &str, purl: &str| Package {
        name: name.into(),
        version: version.into(),
        source_name: source.into(),
        source_version: version.into(),
        ecosystem: Some("Debian:12".into()),
        purl: purl.into(),
        arch: "amd64".into(),
        layer: Some("sha256:1111111111111111111111111111111111111111111111111111111111111111".into()),
        ..Package::default()
    };
    ImageVulns {
        image_id: "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789".into(),
        image: "zd/debian-like:1".into(),
        os: Some(BaseOs {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
            ecosystem: Some("Debian:12".into()),
            ..BaseOs::default()
        }),
        packages: vec![
            pkg(
                "libssl3",
                "3.0.11-1~deb12u2",
                "openssl",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
            ),
            pkg(
                "login",
                "1:4.13+dfsg1-1",
                "shadow",
                "pkg:deb/debian/login@1:4.13%2Bdfsg1-1?arch=amd64&distro=debian-12",
            ),
        ],
        vulnerabilities: vec![Vulnerability {
            id: "DSA-5532-1".into(),
            aliases: vec!["CVE-2023-5363".into()],
            package: "libssl3".into(),
            source_package: "openssl".into(),
            installed: "3.0.11-1~deb12u2".into(),
            fixed: Some("3.0.11-1~deb12u2".into()),
            severity: VulnSeverity::High,
            severity_source: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N (7.5)".into(),
            summary: Some("openssl: incorrect cipher key and IV length processing".into()),
            purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12".into(),
            scanner: "zerodock".into(),
        }],
        scanners: vec!["zerodock".into()],
        ..ImageVulns::default()
    }
}

#[test]
fn cyclonedx_lists_the_image_os_packages_and_vulnerabilities() {
    let doc = cyclonedx(&sample());
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.5");
    assert_eq!(doc["metadata"]["component"]["type"], "container");
    assert_eq!(doc["metadata"]["component"]["name"], "zd/debian-like:1");
    let comps = doc["components"].as_array().expect("components");
    assert_eq!(comps.len(), 3);
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(comps[2]["purl"], "pkg:deb/debian/login@1:4.13%2Bdfsg1-1?arch=amd64&distro=debian-12");
    let props = comps[1]["properties"].as_array().expect("properties");
    assert!(
        props.iter().any(|p| p["name"] == "zerodock:source_name" && p["value"] == "openssl"),
        "{props:?}"
    );
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns[0]["id"], "DSA-5532-1");
    assert_eq!(vulns[0]["ratings"][0]["severity"], "high");
    assert_eq!(vulns[0]["affects"][0]["ref"], comps[1]["bom-ref"]);
    // Deterministic: no serial number or timestamp that would change between runs.
    assert_eq!(doc, cyclonedx(&sample()));
}

#[test]
fn spdx_describes_the_image_which_contains_each_package() {
    let created = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).single().expect("date");
    let doc = spdx(&sample(), created);
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["creationInfo"]["created"], "2026-12-07T10:00:00Z");
    assert_eq!(
        doc["documentNamespace"],
        "https://spdx.org/spdxdocs/zerodock-image-abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
    );
    let pkgs = doc["packages"].as_array().expect("packages");
    assert_eq!(pkgs.len(), 4);
    assert_eq!(pkgs[2]["externalRefs"][0]["referenceLocator"], sample().packages[0].purl);
    let rels = doc["relationships"].as_array().expect("relationships");
    assert_eq!(rels[0]["relationshipType"], "DESCRIBES");
    assert_eq!(rels.iter().filter(|r| r["relationshipType"] == "CONTAINS").count(), 3);
}
