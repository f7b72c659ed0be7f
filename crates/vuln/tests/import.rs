//! `zerodock vulns --import`: real outputs of Trivy, Grype and Docker Scout (sources in
//! `testdata/import/README.md`) read into ZeroDock's findings, merged, and matched to images.

use std::path::Path;

use proptest::prelude::*;
use zerodock_engine::snapshot::{ImageVulns, VulnSeverity, Vulnerability};
use zerodock_vuln::import::{Format, ImportError, ImportedImage, find_image, merge, read_scanner_output};

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/import").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_one(name: &str) -> ImportedImage {
    let mut images = read_scanner_output(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(images.len(), 1, "{name}: one image");
    images.remove(0)
}

fn find<'a>(image: &'a ImportedImage, id: &str, package: &str) -> &'a Vulnerability {
    image
        .vulnerabilities
        .iter()
        .find(|v| v.id == id && v.package == package)
        .unwrap_or_else(|| panic!("{id} on {package} not in {:#?}", image.vulnerabilities))
}

/// The facts two readings of the same scan must agree on.
fn facts(image: &ImportedImage) -> Vec<(String, String, String, Option<String>, VulnSeverity)> {
    let mut facts: Vec<_> = image
        .vulnerabilities
        .iter()
        .map(|v| (v.id.clone(), v.package.clone(), v.installed.clone(), v.fixed.clone(), v.severity))
        .collect();
    facts.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    facts
}

#[test]
fn trivy_json_debian() {
    let image = read_one("trivy-debian-buster.json");
    assert_eq!(image.scanner, "trivy dev");
    assert_eq!(image.reference, "testdata/fixtures/images/debian-buster.tar.gz");
    assert_eq!(
        image.image_id.as_deref(),
        Some("sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1")
    );
    assert_eq!(image.names, ["ghcr.io/aquasecurity/trivy-test-images:debian-buster"]);
    assert_eq!(image.vulnerabilities.len(), 2);

    let libidn = find(&image, "CVE-2019-18224", "libidn2-0");
    assert_eq!(libidn.aliases, ["DSA-4613-1"]);
    assert_eq!(libidn.installed, "2.0.5-1");
    assert_eq!(libidn.fixed.as_deref(), Some("2.0.5-1+deb10u1"));
    assert_eq!(libidn.severity, VulnSeverity::Critical);
    assert_eq!(libidn.severity_source, "trivy: CRITICAL (from nvd)");
    assert_eq!(libidn.purl, "pkg:deb/debian/libidn2-0@2.0.5-1?arch=amd64&distro=debian-10.1");
    assert_eq!(
        libidn.summary.as_deref(),
        Some("libidn2: heap-based buffer overflow in idn2_to_ascii_4i in lib/lookup.c")
    );
    assert_eq!(libidn.scanner, "trivy dev");

    let bash = find(&image, "CVE-2019-18276", "bash");
    assert_eq!(bash.fixed, None, "no FixedVersion is no fix yet");
    assert_eq!(bash.severity, VulnSeverity::Low);
    assert_eq!(bash.severity_source, "trivy: LOW (from debian)");
}

#[test]
fn trivy_json_and_sarif_of_the_same_scan_agree() {
    let json = read_one("trivy-alpine-310.json");
    let sarif = read_one("trivy-alpine-310.sarif");
    assert_eq!(json.vulnerabilities.len(), 4);
    assert_eq!(facts(&json), facts(&sarif));
    let v = find(&sarif, "CVE-2019-1551", "libssl1.1");
    assert_eq!((v.installed.as_str(), v.fixed.as_deref()), ("1.1.1c-r0", Some("1.1.1d-r2")));
    assert_eq!(v.severity_source, "trivy: MEDIUM");
    assert_eq!(sarif.scanner, "trivy dev");
    assert_eq!(sarif.reference, "testdata/fixtures/images/alpine-310.tar.gz");
    assert_eq!(
        sarif.image_id.as_deref(),
        Some("sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4")
    );
    assert_eq!(sarif.names, ["ghcr.io/aquasecurity/trivy-test-images:alpine-310"]);
    assert_eq!(json.image_id, sarif.image_id);
}

#[test]
fn grype_json_wolfi_image() {
    let image = read_one("grype-chainguard-ruby.json");
    assert_eq!(image.scanner, "grype 0.61.1");
    assert_eq!(image.reference, "cgr.dev/chainguard/ruby:latest-3.0");
    assert_eq!(
        image.image_id.as_deref(),
        Some("sha256:2f88265cfbc43ca35cd327347a9f59375b9f29ef998b8a54a882e31111266640")
    );
    assert!(image.names.contains(&"cgr.dev/chainguard/ruby:latest-3.0".to_owned()));
    assert_eq!(image.vulnerabilities.len(), 3);

    let ruby = find(&image, "CVE-2023-28755", "ruby-3.0");
    assert_eq!(ruby.installed, "3.0.4-r1");
    assert_eq!(ruby.fixed.as_deref(), Some("3.0.6-r0"));
    assert_eq!(ruby.severity, VulnSeverity::High);
    assert_eq!(ruby.severity_source, "grype: High");
    assert!(ruby.aliases.is_empty(), "its related CVE is itself: {:?}", ruby.aliases);
    assert_eq!(ruby.purl, "pkg:apk/wolfi/ruby-3.0@3.0.4-r1?arch=aarch64&distro=wolfi-20221118");

    let uri = find(&image, "CVE-2023-28755", "uri");
    assert_eq!(uri.fixed, None, "state `unknown` is no fix yet");
    let ghsa = find(&image, "GHSA-hv5j-3h9f-99c2", "uri");
    assert_eq!(ghsa.aliases, ["CVE-2023-28755"]);
    assert_eq!(ghsa.fixed.as_deref(), Some("0.10.2"));
}

#[test]
fn grype_json_wont_fix_and_source_package() {
    let image = read_one("grype-keycloak.json");
    assert_eq!(image.scanner, "grype 0.66.0");
    let nspr = find(&image, "CVE-2020-12413", "nspr");
    assert_eq!(nspr.fixed, None, "wont-fix is no fix");
    assert_eq!(nspr.severity, VulnSeverity::Low);
    assert_eq!(nspr.source_package, "nss", "from the artifact's upstreams");
    assert_eq!(nspr.installed, "4.34.0-17.el9_1");
    let nss = find(&image, "CVE-2020-12413", "nss");
    assert_eq!(nss.source_package, "nss", "no upstream: the binary name");
}

#[test]
fn grype_fix_versions_count_only_when_the_state_is_fixed() {
    // Grype lists versions only for `fixed` today; a `not-fixed` state wins over a stray list.
    let bytes = edited("grype-chainguard-ruby.json", |d| {
        d["matches"][0]["vulnerability"]["fix"]["state"] = "not-fixed".into()
    });
    let image = read_scanner_output(&bytes).unwrap().remove(0);
    assert_eq!(find(&image, "CVE-2023-28755", "ruby-3.0").fixed, None);
}

#[test]
fn grype_json_and_sarif_of_the_same_scan_agree() {
    let json = read_one("grype-image-simple.json");
    let sarif = read_one("grype-image-simple.sarif");
    // `[not provided]` is a development build's placeholder, not a version.
    assert_eq!(json.scanner, "grype");
    assert_eq!(sarif.scanner, "grype 0.0.0-dev");
    assert_eq!(facts(&json), facts(&sarif));
    let p1 = find(&json, "CVE-1999-0001", "package-1");
    assert_eq!(p1.fixed.as_deref(), Some("1.2.1"), "Grype's suggested fix for the installed version");
    let p2 = find(&sarif, "CVE-1999-0002", "package-2");
    assert_eq!((p2.severity, p2.fixed.as_deref()), (VulnSeverity::Critical, None));
    assert_eq!(p2.purl, "pkg:deb/package-2@2.2.2", "the rule's purl of this package");
    assert_eq!(json.reference, "user-input");
    assert_eq!(sarif.reference, "user-input", "from the results' message");
}

#[test]
fn docker_scout_sarif_rules_carry_the_package() {
    let image = read_one("docker-scout-0.24.1.sarif");
    assert_eq!(image.scanner, "docker scout 0.24.1");
    assert_eq!(image.reference, "", "Scout's SARIF does not name the image");
    let [v] = image.vulnerabilities.as_slice() else { panic!("{:#?}", image.vulnerabilities) };
    assert_eq!(v.id, "GMS-2022-9109");
    assert_eq!((v.package.as_str(), v.installed.as_str()), ("xstream", "1.4.5"));
    assert_eq!(v.fixed, None, "`not fixed`");
    assert_eq!(v.severity, VulnSeverity::Unknown, "UNSPECIFIED stays unknown (not its 3.1 score)");
    assert_eq!(v.severity_source, "docker scout: UNSPECIFIED");
    assert_eq!(v.purl, "pkg:maven/com.thoughtworks.xstream/xstream@1.4.5");
}

#[test]
fn docker_scout_results_repeat_rules_without_duplicating_them() {
    // Scout ≥ 1.0 lists `purls` and adds one result per file location (docker/scout-cli#47).
    let mut doc: serde_json::Value = serde_json::from_slice(&sample("docker-scout-0.24.1.sarif")).unwrap();
    let props = &mut doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"];
    props["purls"] = serde_json::json!([
        "pkg:maven/com.thoughtworks.xstream/xstream@1.4.5",
        "pkg:maven/com.thoughtworks.xstream/xstream@1.4.6"
    ]);
    props.as_object_mut().unwrap().remove("purl");
    let result = serde_json::json!({"ruleId": "GMS-2022-9109", "ruleIndex": 0, "level": "warning", "message": {"text": "x"}});
    doc["runs"][0]["results"] = serde_json::json!([result.clone(), result]);
    let images = read_scanner_output(&serde_json::to_vec(&doc).unwrap()).unwrap();
    let versions: Vec<_> = images[0].vulnerabilities.iter().map(|v| v.installed.as_str()).collect();
    assert_eq!(versions, ["1.4.5", "1.4.6"]);
}

fn error_of(bytes: &[u8]) -> ImportError {
    match read_scanner_output(bytes) {
        Ok(images) => panic!("expected an error, read {images:#?}"),
        Err(e) => e,
    }
}

/// A real sample with one JSON value replaced.
fn edited(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(&sample(name)).expect("the samples are JSON");
    edit(&mut doc);
    serde_json::to_vec(&doc).expect("a JSON value serialises")
}

#[test]
fn malformed_input_names_the_format_and_field() {
    let e = error_of(b"{\"Results\": [");
    assert!(matches!(e, ImportError::NotJson { line: 1, .. }), "{e:?}");
    assert!(e.to_string().contains("expected Trivy JSON, Grype JSON or SARIF 2.1.0"), "{e}");

    let e = error_of(b"{\"bomFormat\": \"CycloneDX\"}");
    assert!(
        e.to_string().contains("found keys bomFormat") && e.to_string().contains("Grype JSON (`matches`"),
        "{e}"
    );
    assert!(matches!(error_of(b"[1, 2]"), ImportError::UnknownFormat { .. }));

    let e = error_of(&edited("trivy-debian-buster.json", |d| {
        d["Results"][0]["Vulnerabilities"][1].as_object_mut().unwrap().remove("PkgName");
    }));
    assert_eq!(
        e,
        ImportError::Field {
            format: Format::Trivy,
            path: "Results[0].Vulnerabilities[1].PkgName".into(),
            problem: "is missing (expected a string)".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "Trivy JSON: `Results[0].Vulnerabilities[1].PkgName` is missing (expected a string)"
    );

    let e = error_of(&edited("grype-chainguard-ruby.json", |d| {
        d["matches"][2]["vulnerability"]["severity"] = 7.into()
    }));
    assert_eq!(
        e.to_string(),
        "Grype JSON: `matches[2].vulnerability.severity` is a number, expected a string"
    );

    let e = error_of(&edited("grype-keycloak.json", |d| d["matches"][0]["artifact"] = "nss".into()));
    assert_eq!(e.to_string(), "Grype JSON: `matches[0].artifact` is a string, expected an object");

    let e = error_of(&edited("trivy-alpine-310.sarif", |d| d["version"] = "2.0.0".into()));
    assert_eq!(e.to_string(), "SARIF 2.1.0: `version` is `2.0.0`, expected `2.1.0`");

    let e = error_of(&edited("trivy-alpine-310.sarif", |d| {
        d["runs"][0]["results"][3]["message"]["text"] = "Vulnerability CVE-2019-1551".into();
        d["runs"][0]["tool"]["driver"]["rules"][1]["help"]["text"] = "".into();
    }));
    assert!(
        e.to_string().starts_with("SARIF 2.1.0: `runs[0].results[3].message.text` names no package"),
        "{e}"
    );

    let e = error_of(&edited("docker-scout-0.24.1.sarif", |d| {
        d["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["purl"] = "xstream 1.4.5".into();
    }));
    assert!(
        e.to_string().contains("`runs[0].tool.driver.rules[0].properties.purls` holds `xstream 1.4.5`"),
        "{e}"
    );
}

#[test]
fn a_clean_trivy_report_has_no_results_and_no_findings() {
    let bytes = edited("trivy-debian-buster.json", |d| {
        d.as_object_mut().unwrap().remove("Results");
    });
    let images = read_scanner_output(&bytes).unwrap();
    assert!(images[0].vulnerabilities.is_empty());
}

fn our_image() -> ImageVulns {
    ImageVulns {
        image_id: "sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1".into(),
        image: "debian:buster".into(),
        vulnerabilities: vec![Vulnerability {
            id: "DSA-4613-1".into(),
            aliases: vec!["CVE-2019-18224".into()],
            package: "libidn2-0".into(),
            source_package: "libidn2".into(),
            installed: "2.0.5-1".into(),
            fixed: None,
            severity: VulnSeverity::Unknown,
            severity_source: "no severity in the record".into(),
            summary: None,
            purl: String::new(),
            scanner: "zerodock".into(),
        }],
        scanners: vec!["zerodock".into()],
        ..ImageVulns::default()
    }
}

#[test]
fn merge_keeps_one_finding_per_vulnerability_and_package() {
    let mut ours = our_image();
    let trivy = read_one("trivy-debian-buster.json");
    merge(&mut ours, trivy.clone());
    assert_eq!(ours.scanners, ["zerodock", "trivy dev"]);
    assert_eq!(ours.vulnerabilities.len(), 2, "{:#?}", ours.vulnerabilities);
    let libidn: Vec<_> = ours.vulnerabilities.iter().filter(|v| v.package == "libidn2-0").collect();
    let [libidn] = libidn.as_slice() else { panic!("deduplicated by alias: {libidn:#?}") };
    // Trivy's says more (a fix, a severity, a purl): it is kept, with our advisory id as an alias.
    assert_eq!(libidn.id, "CVE-2019-18224");
    assert_eq!(libidn.scanner, "trivy dev");
    assert_eq!(libidn.fixed.as_deref(), Some("2.0.5-1+deb10u1"));
    assert_eq!(libidn.aliases, ["DSA-4613-1"]);

    // Importing the same file again changes nothing.
    let before = ours.clone();
    merge(&mut ours, trivy);
    assert_eq!(ours, before);
}

#[test]
fn merge_keeps_the_richer_finding_already_there() {
    let mut ours = our_image();
    ours.vulnerabilities[0].fixed = Some("2.0.5-1+deb10u1".into());
    ours.vulnerabilities[0].severity = VulnSeverity::High;
    ours.vulnerabilities[0].purl = "pkg:deb/debian/libidn2-0@2.0.5-1".into();
    ours.vulnerabilities[0].summary = Some("ours".into());
    ours.vulnerabilities[0].aliases.push("GHSA-x".into());
    merge(&mut ours, read_one("trivy-debian-buster.json"));
    let libidn = ours.vulnerabilities.iter().find(|v| v.package == "libidn2-0").unwrap();
    assert_eq!((libidn.id.as_str(), libidn.scanner.as_str()), ("DSA-4613-1", "zerodock"));
    assert_eq!(libidn.aliases, ["CVE-2019-18224", "GHSA-x"]);
}

#[test]
fn find_image_by_id_then_by_name() {
    let trivy = read_one("trivy-debian-buster.json");
    let other =
        ImageVulns { image_id: "sha256:0000".into(), image: "alpine:3.19".into(), ..ImageVulns::default() };
    let mut images = vec![other.clone(), our_image()];
    assert_eq!(find_image(&mut images, &trivy).map(|i| i.image.clone()).as_deref(), Some("debian:buster"));

    // Re-pulled since the scan: a new id, the same tag.
    let mut images = vec![
        other.clone(),
        ImageVulns {
            image_id: "sha256:1111".into(),
            image: "ghcr.io/aquasecurity/trivy-test-images:debian-buster".into(),
            ..ImageVulns::default()
        },
    ];
    assert_eq!(find_image(&mut images, &trivy).map(|i| i.image_id.clone()).as_deref(), Some("sha256:1111"));

    // Grype names the image as the user typed it; Docker shows `docker.io/library/` less.
    let mut grype = read_one("grype-image-simple.json");
    grype.reference = "docker.io/library/alpine:3.19".into();
    grype.image_id = None;
    assert_eq!(find_image(&mut images, &grype).map(|i| i.image.clone()).as_deref(), Some("alpine:3.19"));

    let mut nothing = vec![other];
    assert!(find_image(&mut nothing, &trivy).is_none());
    let scout = read_one("docker-scout-0.24.1.sarif");
    let mut unnamed = vec![ImageVulns { image: String::new(), ..ImageVulns::default() }];
    assert!(find_image(&mut unnamed, &scout).is_none(), "an empty reference matches nothing");
}

const SAMPLES: &[&str] = &[
    "trivy-debian-buster.json",
    "trivy-alpine-310.json",
    "trivy-alpine-310.sarif",
    "grype-chainguard-ruby.json",
    "grype-keycloak.json",
    "grype-image-simple.json",
    "grype-image-simple.sarif",
    "docker-scout-0.24.1.sarif",
];

/// Replaces the `n`th value of a document (in a depth-first walk) with `with`.
fn replace_nth(value: &mut serde_json::Value, n: &mut usize, with: &serde_json::Value) -> bool {
    if *n == 0 {
        *value = with.clone();
        return true;
    }
    *n -= 1;
    match value {
        serde_json::Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, n, with)),
        serde_json::Value::Object(map) => map.values_mut().any(|v| replace_nth(v, n, with)),
        _ => false,
    }
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 :@/%.,\n-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// 256 cases per property in `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every property's count
/// for a long run (as in `fuzz_image.rs` and `crates/engine/tests/fuzz.rs`). Without it the
/// properties ran proptest's default and the long-run variable silently did nothing here.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 512, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_scanner_output(&bytes);
    }

    #[test]
    fn byte_edits_of_real_samples_never_panic(
        sample_index in 0..SAMPLES.len(),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = sample(SAMPLES[sample_index]);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        bytes.truncate(cut.index(bytes.len() + 1).max(i));
        let _ = read_scanner_output(&bytes);
    }

    #[test]
    fn value_edits_of_real_samples_never_panic_and_errors_name_a_field(
        sample_index in 0..SAMPLES.len(),
        position in 0usize..400,
        with in any_json(),
    ) {
        let mut doc: serde_json::Value = serde_json::from_slice(&sample(SAMPLES[sample_index])).unwrap();
        let mut n = position;
        replace_nth(&mut doc, &mut n, &with);
        match read_scanner_output(&serde_json::to_vec(&doc).unwrap()) {
            Ok(_) | Err(ImportError::UnknownFormat { .. }) => {}
            Err(ImportError::Field { path, problem, .. }) => prop_assert!(!problem.is_empty(), "{path}"),
            Err(e) => prop_assert!(false, "a JSON document read as not JSON: {e}"),
        }
    }
}

/// The UI's Vulnerabilities view is tested (Playwright, `ui/tests/browser/`) on a report whose
/// vulnerability part is these real samples imported as `zerodock vulns --import` would: the
/// images as Trivy and Grype name them, base OS facts from the same files with ZeroDock's own end
/// of life, and a database block that is a fixture (no OSV export is read here).
/// `ZERODOCK_BLESS=1` rewrites `ui/tests/vuln-scan.json`; otherwise drift fails.
#[test]
fn ui_fixture_is_the_samples_imported() {
    use chrono::{TimeZone, Utc};
    use zerodock_engine::snapshot::{BaseOs, VulnDatabase, VulnScan, VulnSource};

    let os = |id: &str, version_id: &str, pretty: &str, ecosystem: Option<&str>| {
        let mut os = BaseOs {
            id: id.into(),
            version_id: version_id.into(),
            pretty_name: pretty.into(),
            ecosystem: ecosystem.map(str::to_owned),
            ..BaseOs::default()
        };
        zerodock_vuln::eol::annotate(&mut os);
        os
    };
    // (sample, the image's readable name, its base OS as the sample states it)
    let samples = [
        (
            "trivy-debian-buster.json",
            "ghcr.io/aquasecurity/trivy-test-images:debian-buster",
            Some(os("debian", "10", "Debian GNU/Linux 10 (buster)", Some("Debian:10"))),
        ),
        (
            "trivy-alpine-310.json",
            "ghcr.io/aquasecurity/trivy-test-images:alpine-310",
            Some(os("alpine", "3.10.2", "Alpine Linux v3.10", Some("Alpine:v3.10"))),
        ),
        (
            "grype-chainguard-ruby.json",
            "cgr.dev/chainguard/ruby:latest-3.0",
            Some(os("wolfi", "20221118", "Wolfi", None)),
        ),
        (
            "grype-keycloak.json",
            "keycloak/keycloak:21.0.2",
            Some(os("rhel", "9.1", "Red Hat Enterprise Linux 9.1 (Plow)", None)),
        ),
    ];
    let mut images: Vec<ImageVulns> = samples
        .iter()
        .map(|(name, image, os)| {
            let imported = read_one(name);
            ImageVulns {
                image_id: imported.image_id.clone().unwrap_or_default(),
                image: (*image).to_owned(),
                os: os.clone(),
                ..ImageVulns::default()
            }
        })
        .collect();
    for (name, _, _) in &samples {
        let imported = read_one(name);
        let image = find_image(&mut images, &imported).unwrap_or_else(|| panic!("{name}: image not found"));
        merge(image, imported);
    }
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).single().unwrap();
    let scan = VulnScan {
        database: Some(VulnDatabase {
            updated_at: at(6, 9),
            newest_record: Some(at(5, 22)),
            sources: vec![
                VulnSource {
                    ecosystem: "Alpine".into(),
                    records: 6840,
                    origin: "fixture".into(),
                    imported_at: at(6, 9),
                },
                VulnSource {
                    ecosystem: "Debian".into(),
                    records: 41_207,
                    origin: "fixture".into(),
                    imported_at: at(6, 9),
                },
            ],
        }),
        images,
    };
    let text = serde_json::to_string_pretty(&scan).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/tests/vuln-scan.json");
    if std::env::var_os("ZERODOCK_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "ui/tests/vuln-scan.json is out of date: run `ZERODOCK_BLESS=1 cargo test -p zerodock-vuln --test import`"
    );
}
