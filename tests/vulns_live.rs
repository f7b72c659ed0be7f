//! Vulnerability management end to end on the live engine: images built from the scenario file's
//! own definitions (Debian 11 and Alpine 3.22 package databases at versions real advisories name,
//! and a fixed twin), a database imported from the advisories' facts in
//! `crates/vuln/testdata/osv`, and the CLI's `vulndb`, `vulns`, `sbom` and `scan --vulns`.

mod common;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Scenario, docker, docker_ok, zerodock};

const SCENARIOS_TOML: &str = include_str!("../xtask/scenarios.toml");
const VULN_IMAGES: [&str; 3] =
    ["zerodock/vuln-debian:1", "zerodock/vuln-alpine:1", "zerodock/fixed-alpine:1"];

/// Builds (once) each vulnerability image the scenario file defines that the engine lacks, from
/// that definition: `cargo xtask test`'s private engine already has them, a reachable one may not.
fn ensure_vuln_images() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        common::ensure_image();
        let doc: toml::Table = SCENARIOS_TOML.parse().expect("scenarios.toml parses");
        for tag in VULN_IMAGES {
            if docker(&["image", "inspect", tag]).status.success() {
                continue;
            }
            let spec = doc["image"]
                .as_array()
                .expect("[[image]]")
                .iter()
                .find(|i| i["tag"].as_str() == Some(tag))
                .unwrap_or_else(|| panic!("scenarios.toml defines {tag}"));
            let ctx = common::tempdir("vuln-image");
            let dockerfile =
                spec["dockerfile"].as_str().expect("dockerfile").replace("{scratch}", common::image());
            std::fs::write(ctx.join("Dockerfile"), dockerfile).expect("write Dockerfile");
            for (name, contents) in spec["files"].as_table().expect("files") {
                std::fs::write(ctx.join(name), contents.as_str().expect("file text")).expect("write file");
            }
            let out = std::process::Command::new("docker")
                .args(["build", "-q", "-t", tag])
                .arg(&ctx)
                .env("DOCKER_HOST", common::docker_host())
                .env("DOCKER_BUILDKIT", "0")
                .output()
                .expect("docker build runs");
            assert!(out.status.success(), "docker build {tag}: {}", String::from_utf8_lossy(&out.stderr));
            let _ = std::fs::remove_dir_all(ctx);
        }
    });
}

/// A database imported from the test advisories (packed as osv.dev packs an ecosystem export).
fn test_database(dir: &Path) -> PathBuf {
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/vuln/testdata/osv");
    let zip_path = dir.join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create zip"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&records)
        .expect("testdata/osv")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("zip entry");
        zip.write_all(&std::fs::read(&path).expect("read record")).expect("zip write");
    }
    zip.finish().expect("zip finish");
    let db = dir.join("vulndb.sqlite");
    let out =
        zerodock().args(["vulndb", "import", "--vulndb"]).arg(&db).arg(&zip_path).output().expect("runs");
    assert!(out.status.success(), "vulndb import: {}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("records imported"), "{said}");
    db
}

/// The containers that put the three images in use (created, never started: in use all the same).
fn in_use(test: &str) -> Vec<Scenario> {
    ensure_vuln_images();
    VULN_IMAGES
        .iter()
        .map(|tag| Scenario::with_image(&format!("{test}-{}", tag.replace(['/', ':'], "-")), false, &[], tag))
        .collect()
}

fn advisories(scan: &serde_json::Value, image: &str) -> BTreeSet<(String, String, String, String)> {
    let entry = scan["images"]
        .as_array()
        .expect("images")
        .iter()
        .find(|i| i["image"] == image)
        .unwrap_or_else(|| panic!("{image} is scanned: {scan}"));
    assert!(entry["unreadable"].is_null(), "{image} was read: {}", entry["unreadable"]);
    entry["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .map(|v| {
            let text = |k: &str| v[k].as_str().unwrap_or("none").to_owned();
            (text("id"), text("package"), text("fixed"), text("severity"))
        })
        .collect()
}

fn set(items: &[(&str, &str, &str, &str)]) -> BTreeSet<(String, String, String, String)> {
    items
        .iter()
        .map(|(a, b, c, d)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned(), (*d).to_owned()))
        .collect()
}

#[test]
fn images_in_use_get_exactly_the_advisories_that_affect_them() {
    let _containers = in_use("exact");
    let dir = common::tempdir("vulns");
    let db = test_database(&dir);
    let out = zerodock()
        .args(["vulns", "--format", "json", "--vulndb"])
        .arg(&db)
        .arg("--image-cache")
        .arg(dir.join("cache"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        advisories(&scan, "zerodock/vuln-alpine:1"),
        set(&[
            ("ALPINE-CVE-2022-37434", "zlib", "1.2.12-r2", "critical"),
            ("ALPINE-CVE-2026-22184", "zlib", "1.3.2-r0", "unknown"),
        ])
    );
    assert_eq!(
        advisories(&scan, "zerodock/vuln-debian:1"),
        set(&[("DLA-4413-1", "node-url-parse", "1.5.3-1+deb11u3", "unknown")])
    );
    assert_eq!(advisories(&scan, "zerodock/fixed-alpine:1"), BTreeSet::new(), "the fixed twin has none");
    let debian =
        scan["images"].as_array().expect("images").iter().find(|i| i["image"] == "zerodock/vuln-debian:1");
    let debian = debian.expect("debian image");
    assert_eq!(debian["os"]["ecosystem"], "Debian:11");
    assert_eq!(debian["os"]["end_of_life"], "2026-08-31");
    let libc = debian["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "libc6")
        .expect("libc6");
    assert_eq!(libc["source_name"], "glibc", "binary → source mapping from the Source field");
    assert_eq!(scan["database"]["sources"].as_array().map(Vec::len), Some(3), "Alpine, Debian, Ubuntu");

    // One image by name, as text.
    let out = zerodock()
        .args(["vulns", "zerodock/vuln-debian:1", "--vulndb"])
        .arg(&db)
        .arg("--image-cache")
        .arg(dir.join("cache"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("DLA-4413-1") && text.contains("node-url-parse 1.5.3-1+deb11u2 → 1.5.3-1+deb11u3"),
        "{text}"
    );
    assert!(text.contains("support ended 2026-08-31"), "{text}");
    assert!(!text.contains("vuln-alpine"), "only the named image: {text}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_vulnerability_scan_only_reads_and_exports_each_image_once() {
    let _containers = in_use("proxy");
    let dir = common::tempdir("vulns-proxy");
    let db = test_database(&dir);
    let proxy = common::proxy::Proxy::start(&dir, &common::socket_path(), None);
    let scan = |n: usize| {
        let before = proxy.requests().len();
        let out = zerodock()
            .args(["scan", "--vulns", "--format", "json", "--host", &proxy.host(), "--vulndb"])
            .arg(&db)
            .arg("--image-cache")
            .arg(dir.join("cache"))
            .output()
            .expect("runs");
        assert!(out.status.success(), "scan {n}: {}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
        (report, proxy.requests()[before..].to_vec())
    };
    let (report, first) = scan(1);
    let writes: Vec<&String> =
        first.iter().filter(|r| !r.starts_with("GET ") && !r.starts_with("HEAD ")).collect();
    assert!(writes.is_empty(), "a vulnerability scan made non-read requests: {writes:?}");
    let exports =
        |reqs: &[String]| reqs.iter().filter(|r| r.contains("/images/") && r.contains("/get")).count();
    assert!(exports(&first) >= VULN_IMAGES.len(), "each image in use is exported: {first:?}");
    let vul001 =
        report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "VUL001").expect("VUL001");
    assert_eq!(vul001["status"], "fail", "{vul001}");

    let (_, second) = scan(2);
    assert_eq!(exports(&second), 0, "the second scan reads every image from the cache: {second:?}");
    assert!(second.iter().all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")), "{second:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_a_database_the_vulnerability_checks_are_unknown_and_say_how_to_get_one() {
    let _containers = in_use("nodb");
    let dir = common::tempdir("vulns-nodb");
    let out = zerodock()
        .args(["scan", "--vulns", "--format", "json", "--only", "VUL001,VUL006", "--vulndb"])
        .arg(dir.join("absent.sqlite"))
        .arg("--image-cache")
        .arg(dir.join("cache"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for check in report["checks"].as_array().expect("checks") {
        assert_eq!(check["status"], "unknown", "{check}");
        let text = check.to_string();
        assert!(text.contains("zerodock vulndb import"), "{text}");
    }
    assert!(!dir.join("absent.sqlite").exists(), "a scan never creates a database");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sbom_documents_name_every_package_by_purl() {
    let _containers = in_use("sbom");
    let dir = common::tempdir("sbom");
    for (format, marker) in [("cyclonedx", "\"bomFormat\""), ("spdx", "\"spdxVersion\"")] {
        let path = dir.join(format!("{format}.json"));
        let out = zerodock()
            .args(["sbom", "zerodock/vuln-debian:1", "--format", format, "--output"])
            .arg(&path)
            .arg("--image-cache")
            .arg(dir.join("cache"))
            .output()
            .expect("runs");
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&path).expect("written");
        assert!(text.contains(marker), "{format}: {text}");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON");
        for purl in [
            "pkg:deb/debian/node-url-parse@1.5.3-1%2Bdeb11u2?arch=all&distro=debian-11",
            "pkg:deb/debian/libc6@2.31-13%2Bdeb11u11?arch=amd64&distro=debian-11",
        ] {
            assert!(text.contains(purl), "{format} names {purl}");
        }
    }
    let missing = zerodock().args(["sbom", "zerodock/never-built:1"]).output().expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ZeroDock never pulls"));
    let id = docker_ok(&["image", "inspect", "--format", "{{.Id}}", "zerodock/vuln-debian:1"]);
    assert!(id.starts_with("sha256:"));
    let _ = std::fs::remove_dir_all(dir);
}
