//! The PDF report, rendered from reports evaluated over the real captured fixtures and checked with
//! real PDF tools (poppler-utils: `pdftotext`, `pdftoppm`, `pdfinfo`).
//!
//! `ZERODOCK_BLESS=1 cargo test -p zerodock-report --test pdf` also rewrites
//! `docs/example-report.pdf` and `docs/example-report-page1.png`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use zerodock_engine::{EvalConfig, Report, Snapshot, Status, evaluate};
use zerodock_report::pdf::{PdfError, PdfOptions, render};

fn fixture_json(name: &str) -> String {
    let path = format!("{}/../engine/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

fn report_of(snapshot_json: &str) -> Report {
    let snap = Snapshot::from_json(snapshot_json).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

/// The default fixture with its containers cloned (new names and ids) to at least `n`.
fn many_containers(n: usize) -> Report {
    let mut snap: Value = serde_json::from_str(&fixture_json("default")).expect("json");
    let containers = snap["engine"]["value"]["containers"]["value"].as_array_mut().expect("containers");
    let originals = containers.clone();
    let mut i = 0usize;
    while containers.len() < n {
        let mut c = originals[i % originals.len()].clone();
        let name = format!("{}-c{i:04}", c["name"].as_str().expect("name"));
        c["name"] = Value::String(name);
        c["id"] = Value::String(format!("{:064x}", 0x00c0_ffee_0000_u64 + i as u64));
        containers.push(c);
        i += 1;
    }
    report_of(&serde_json::to_string(&snap).expect("json"))
}

struct Rendered {
    dir: tempfile::TempDir,
    path: PathBuf,
}

/// Writes the PDF to a temporary directory (and, with `ZERODOCK_PDF_OUT=DIR`, a copy to
/// `DIR/NAME.pdf` for a human to look at).
fn write(name: &str, pdf: &[u8]) -> Rendered {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    if let Some(out) = std::env::var_os("ZERODOCK_PDF_OUT") {
        std::fs::write(Path::new(&out).join(format!("{name}.pdf")), pdf).expect("write copy");
    }
    Rendered { dir, path }
}

fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e} (install poppler-utils)"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {stderr}");
    (stdout, stderr)
}

/// The text of the PDF in reading order, with the zero-width break opportunities the renderer
/// puts into overlong tokens removed.
fn text_of(r: &Rendered) -> String {
    run(Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&r.path).arg("-")).0.replace('\u{200b}', "")
}

fn info_of(r: &Rendered) -> String {
    run(Command::new("pdfinfo").arg(&r.path)).0
}

fn pages_of(r: &Rendered) -> usize {
    info_of(r)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}

/// Rasterises every page; returns the PNGs.
fn rasterise(r: &Rendered, dpi: u32, prefix: &str) -> Vec<PathBuf> {
    let out = r.dir.path().join(prefix);
    let (_, stderr) =
        run(Command::new("pdftoppm").arg("-png").arg("-r").arg(dpi.to_string()).arg(&r.path).arg(&out));
    assert!(stderr.trim().is_empty(), "pdftoppm complained: {stderr}");
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(r.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "png")
                && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    pngs.sort();
    pngs
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every failing check's code and every failing target's name is in the text; nothing secret is.
fn assert_lists_failures(report: &Report, text: &str) {
    let flat = squash(text);
    let mut failing_checks = 0;
    for check in report.checks.iter().filter(|c| c.status == Status::Fail) {
        failing_checks += 1;
        assert!(text.contains(&check.id), "{} is missing from the PDF", check.id);
        for f in check.findings.iter().filter(|f| f.status == Status::Fail && f.waived.is_none()) {
            assert!(
                flat.contains(&squash(&f.target.name)),
                "{}: target {} is missing",
                check.id,
                f.target.name
            );
        }
    }
    assert!(!text.contains(common::planted_secret()));
    assert!(text.contains("FAIL") || failing_checks == 0, "status words are printed, not only colours");
}

#[test]
fn the_default_fixture_lists_every_failure_and_rasterises() {
    let report = report_of(&fixture_json("default"));
    assert!(report.checks.iter().filter(|c| c.status == Status::Fail).count() > 10, "a weak fixture");
    let started = std::time::Instant::now();
    let pdf = render(&report, &PdfOptions::default()).expect("pdf");
    let took = started.elapsed();
    let r = write("default", &pdf);
    let text = text_of(&r);
    assert_lists_failures(&report, &text);
    assert!(text.contains(&format!("{}", report.score.expect("scored"))) && text.contains("Grade"));
    assert!(text.contains("Page 1 of"), "footer with the page count");
    assert!(text.contains("Contents") && text.contains("Top risks") && text.contains("Findings at a glance"));
    let pages = pages_of(&r);
    let pngs = rasterise(&r, 50, "page");
    assert_eq!(pngs.len(), pages, "pdftoppm rendered every page");
    println!("default fixture: {pages} pages, {} bytes, rendered in {took:?}", pdf.len());
    assert!((8..=60).contains(&pages), "{pages} pages");

    let info = info_of(&r);
    assert!(info.lines().any(|l| l.starts_with("Title:") && l.contains("Docker security posture")), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Author:") && l.contains("ZeroDock")), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.contains("yes")), "{info}");
    let fonts = run(Command::new("pdffonts").arg(&r.path)).0;
    assert!(fonts.contains("DejaVuSans") && fonts.contains("DejaVuSansMono"), "{fonts}");

    if std::env::var_os("ZERODOCK_BLESS").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        std::fs::write(docs.join("example-report.pdf"), &pdf).expect("write example");
        let first = r.dir.path().join("first");
        run(Command::new("pdftoppm")
            .args(["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&r.path)
            .arg(&first));
        std::fs::copy(first.with_extension("png"), docs.join("example-report-page1.png")).expect("copy png");
    }
}

#[test]
fn the_hardened_fixture_renders_too() {
    let report = report_of(&fixture_json("hardened"));
    let r = write("hardened", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = text_of(&r);
    assert_lists_failures(&report, &text);
    let pages = pages_of(&r);
    assert_eq!(rasterise(&r, 50, "page").len(), pages);
    println!("hardened fixture: {pages} pages");
}

#[test]
fn a_thousand_containers_stay_a_readable_length() {
    let report = many_containers(1000);
    assert!(report.subject.containers >= 1000);
    let started = std::time::Instant::now();
    let pdf = render(&report, &PdfOptions::default()).expect("pdf");
    let took = started.elapsed();
    let r = write("thousand", &pdf);
    let pages = pages_of(&r);
    println!(
        "{} containers: {pages} pages, {} bytes, rendered in {took:?}",
        report.subject.containers,
        pdf.len()
    );
    let text = text_of(&r);
    assert!(!text.contains(common::planted_secret()));
    // Targets beyond those printed in full are counted and named, not dropped silently.
    assert!(text.contains("more containers:"), "the rest of a check's targets are summarised");
    for check in report.checks.iter().filter(|c| c.status == Status::Fail) {
        assert!(text.contains(&check.id), "{} is missing", check.id);
    }
    assert!(pages <= 120, "{pages} pages for {} containers", report.subject.containers);
    assert_eq!(rasterise(&r, 20, "page").len(), pages);
}

#[test]
fn a_custom_template_renders_from_the_same_data() {
    let report = report_of(&fixture_json("default"));
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/min.typ");
    let pdf = render(&report, &PdfOptions { template: Some(template), ..Default::default() }).expect("pdf");
    let r = write("custom", &pdf);
    let text = text_of(&r);
    assert!(text.contains("ACME Docker audit"), "{text}");
    assert!(text.contains(&format!("Score: {} / 100", report.score.expect("scored"))), "{text}");
    assert!(text.contains("CTR001"), "{text}");
    assert!(info_of(&r).contains("ACME Platform Team"));
    assert_eq!(rasterise(&r, 50, "page").len(), pages_of(&r));
}

#[test]
fn a_template_error_names_the_file_and_line() {
    let report = report_of(&fixture_json("hardened"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.typ");
    std::fs::write(&path, "#let data = json(\"/data.json\")\n= Title\n\n#let x = (1, 2\nmore\n")
        .expect("write");
    let err = render(&report, &PdfOptions { template: Some(path.clone()), ..Default::default() })
        .expect_err("a syntax error");
    let PdfError::Template(diagnostics) = &err else { panic!("not a template error: {err:?}") };
    let first = diagnostics.first().expect("a diagnostic");
    assert_eq!(first.file, path.display().to_string());
    assert!(matches!(first.line, Some(4..=6)), "{first:?}");
    let message = err.to_string();
    assert!(message.contains(&format!("{}:{}", path.display(), first.line.unwrap_or(0))), "{message}");

    // A runtime error (a field the data does not have) is located too.
    std::fs::write(&path, "#let data = json(\"/data.json\")\n\n#data.view.no_such_field\n").expect("write");
    let err = render(&report, &PdfOptions { template: Some(path.clone()), ..Default::default() })
        .expect_err("a missing field");
    let PdfError::Template(diagnostics) = &err else { panic!("not a template error: {err:?}") };
    assert_eq!(diagnostics[0].line, Some(3), "{err}");
    assert!(diagnostics[0].message.contains("no_such_field"), "{err}");
}

#[test]
fn templates_cannot_reach_packages_or_missing_files() {
    let report = report_of(&fixture_json("hardened"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pkg.typ");
    std::fs::write(&path, "#import \"@preview/cetz:0.3.0\": canvas\n").expect("write");
    let err = render(&report, &PdfOptions { template: Some(path.clone()), ..Default::default() })
        .expect_err("no packages");
    assert!(err.to_string().contains("pkg.typ:1"), "{err}");

    let missing = dir.path().join("absent.typ");
    let err = render(&report, &PdfOptions { template: Some(missing), ..Default::default() })
        .expect_err("unreadable");
    assert!(matches!(err, PdfError::TemplateUnreadable { .. }), "{err:?}");
}

#[test]
fn a_custom_template_may_read_files_next_to_it() {
    let report = report_of(&fixture_json("hardened"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("brand.typ"), "#let company = \"Globex Security\"\n").expect("write");
    let path = dir.path().join("main.typ");
    std::fs::write(
        &path,
        "#import \"brand.typ\": company\n#let data = json(\"/data.json\")\n= #company\n#data.view.grade\n",
    )
    .expect("write");
    let r = write(
        "globex",
        &render(&report, &PdfOptions { template: Some(path), ..Default::default() }).expect("pdf"),
    );
    assert!(text_of(&r).contains("Globex Security"));
}

#[test]
fn waived_findings_are_listed_with_reason_and_expiry() {
    let snap = Snapshot::from_json(&fixture_json("default")).expect("snapshot");
    let policy = zerodock_engine::Policy::from_toml(
        r#"
[[waiver]]
check = "CTR003"
target = "zd-docker-sock"
reason = "Portainer manages this host by design"
expires = "2099-03-31"

[[waiver]]
check = "CTR001"
target = "no-such-container"
reason = "stale waiver nobody removed"
"#,
    )
    .expect("policy");
    let report = evaluate(&snap, &EvalConfig { policy, ..EvalConfig::at(snap.collected_at) });
    assert!(report.counts.waived > 0, "the waiver matched");
    let r = write("waived", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = text_of(&r);
    assert!(text.contains("Accepted risks"), "a section for waived findings");
    assert!(text.contains("Portainer manages this host by design") && text.contains("2099-03-31"));
    assert!(
        text.contains("stale waiver nobody removed") && text.contains("unused"),
        "unused waivers are shown"
    );
    assert_lists_failures(&report, &text);
}

#[test]
fn a_report_without_an_engine_still_renders() {
    let mut snap: Value = serde_json::from_str(&fixture_json("default")).expect("json");
    snap["engine"] =
        serde_json::json!({"state": "unavailable", "reason": "the Docker engine could not be inspected"});
    let report = report_of(&serde_json::to_string(&snap).expect("json"));
    assert!(report.subject.engine_unavailable.is_some());
    let r = write("no-engine", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = text_of(&r);
    assert!(text.contains("not inspected"), "the cover says the engine was not inspected");
    assert_lists_failures(&report, &text);
    assert_eq!(rasterise(&r, 30, "page").len(), pages_of(&r));
}

/// The vulns fixture: two vulnerable images, a fixed twin and a busybox without a package database.
fn vulns_report() -> Report {
    report_of(&fixture_json("vulns"))
}

#[test]
fn the_vulnerability_section_has_a_table_per_image() {
    let report = vulns_report();
    let r = write("vulns", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = text_of(&r);
    let section = text.split("\nVulnerabilities\n").nth(2).unwrap_or_else(|| {
        // Contents, Findings at a glance (category title) and the section heading: take the last.
        text.rsplit("\nVulnerabilities\n").next().expect("a Vulnerabilities section")
    });
    let flat = squash(section);
    assert!(flat.contains(&squash("vulnerability database as of 2026-08-07")), "{section}");
    for needle in [
        "ALPINE-CVE-2022-37434",
        "CVE-2022-37434",
        "zlib",
        "1.2.12-r1 → 1.2.12-r2",
        "DLA-4413-1",
        "CVE-2022-0639",
        "node-url-parse",
        "1.5.3-1+deb11u2 → 1.5.3-1+deb11u3",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H (9.8)",
        "Debian GNU/Linux 11 (bullseye)",
        "end of support: 2026-08-31",
        "Alpine Linux v3.22",
        "end of support: 2027-05-01",
        // busybox has no os-release: its end of support is unknown, and it has no vulnerabilities.
        "zerodock/busybox:1",
        "no OS release file",
        "Images without a known vulnerability (2)",
        "none known as of 2026-08-07",
        "1 critical, 1 unrated",
    ] {
        assert!(flat.contains(&squash(needle)), "{needle} is missing from:\n{section}");
    }
    // The worst image first.
    let alpine = flat.find("zerodock/vuln-alpine:1").expect("alpine");
    let debian = flat.find("zerodock/vuln-debian:1").expect("debian");
    let busybox = flat.find("zerodock/busybox:1").expect("busybox");
    assert!(alpine < debian && debian < busybox, "{section}");
    // busybox's end of support is unknown, never left blank or taken for "supported".
    assert!(
        flat[busybox..].split("zerodock/fixed-alpine:1").next().is_some_and(|row| row.contains("unknown"))
    );
    assert!(!text.contains(common::planted_secret()));
    assert_eq!(rasterise(&r, 50, "page").len(), pages_of(&r));
}

#[test]
fn a_report_without_a_vulnerability_part_has_no_section() {
    let text = text_of(&write(
        "no-vulns",
        &render(&report_of(&fixture_json("default")), &PdfOptions::default()).expect("pdf"),
    ));
    assert!(!text.contains("Installed → fixed"), "no vulnerability table");
    assert!(!text.contains("vulnerability database as of"));
}

/// The vulns fixture with 150 made-up advisories on the Alpine image: its table spans pages.
fn many_vulnerabilities(n: usize) -> Report {
    let mut report = vulns_report();
    let scan = report.vulnerabilities.as_mut().expect("scan");
    let image = scan.images.iter_mut().find(|i| i.image == "zerodock/vuln-alpine:1").expect("image");
    let template = image.vulnerabilities[0].clone();
    let severities = [
        zerodock_engine::snapshot::VulnSeverity::Critical,
        zerodock_engine::snapshot::VulnSeverity::High,
        zerodock_engine::snapshot::VulnSeverity::Medium,
        zerodock_engine::snapshot::VulnSeverity::Low,
    ];
    for i in 0..n {
        let mut v = template.clone();
        v.id = format!("ALPINE-CVE-2099-{i:05}");
        v.aliases = vec![format!("CVE-2099-{i:05}")];
        v.package = format!("libexample{}", i % 17);
        v.severity = severities[i % 4];
        v.fixed = (i % 3 != 0).then(|| format!("1.{i}-r0"));
        image.vulnerabilities.push(v);
    }
    report
}

#[test]
fn a_long_vulnerability_table_breaks_across_pages_with_its_header() {
    let report = many_vulnerabilities(150);
    let r = write("many-vulns", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = text_of(&r);
    // pdftotext separates pages with form feeds: the table's header is on every page it spans.
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let spanned: Vec<&&str> = pages.iter().filter(|p| p.contains("ALPINE-CVE-2099-")).collect();
    assert!(spanned.len() >= 3, "150 rows span pages ({} did)", spanned.len());
    for page in &spanned {
        assert!(page.contains("Installed → fixed"), "the header repeats:\n{page}");
    }
    for i in [0usize, 77, 149] {
        assert!(text.contains(&format!("ALPINE-CVE-2099-{i:05}")), "row {i}");
    }
    // No row is split across a page break: each advisory's id and its versions are on one page.
    for i in 0..150usize {
        let id = format!("ALPINE-CVE-2099-{i:05}");
        let page = pages.iter().find(|p| p.contains(&id)).expect("listed");
        assert!(page.contains(&format!("CVE-2099-{i:05}")), "{id}");
    }
    assert_eq!(rasterise(&r, 30, "page").len(), pages_of(&r));
}

#[test]
fn hidden_characters_from_the_engine_are_shown_not_obeyed() {
    // A right-to-left override in a container name would reorder the printed line (typst lays
    // text out with the bidirectional algorithm), and a control would be dropped unseen.
    let mut snap: Value = serde_json::from_str(&fixture_json("default")).expect("json");
    let containers = snap["engine"]["value"]["containers"]["value"].as_array_mut().expect("containers");
    let name = containers[0]["name"].as_str().expect("name").to_owned();
    containers[0]["name"] = Value::String(format!("{name}\u{202E}txt.exe\u{7}"));
    let report = report_of(&serde_json::to_string(&snap).expect("json"));
    let r = write("hidden", &render(&report, &PdfOptions::default()).expect("pdf"));
    let text = squash(&text_of(&r));
    assert!(text.contains(&format!("{name}⟨U+202E⟩txt.exe⟨U+0007⟩")), "the override is shown");
    assert!(!text.contains('\u{202E}'), "no override reaches the PDF's text");
}
