//! The HTML report from the captured fixtures: self-contained and strict (CSP, no script, nothing
//! remote), every check to act on with its targets, names escaped; then the same page opened in
//! headless Debian Chromium by `tests/browser/html.test.mjs` (console, network, dark mode, print,
//! screenshots in `target/shots/`).

mod common;

use std::path::PathBuf;
use std::process::Command;

use zerodock_engine::{EvalConfig, Policy, Report, Snapshot, Status, evaluate};
use zerodock_report::html;

const EVIL: &str = "<script>alert(1)</script>";

fn report_with(policy: Policy) -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/default.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig { policy, ..EvalConfig::at(snap.collected_at) })
}

/// The fixture's report with one failing container renamed to a markup-injection attempt.
fn evil_report() -> Report {
    let mut report = report_with(Policy::default());
    for finding in report.checks.iter_mut().flat_map(|c| c.findings.iter_mut()) {
        if finding.target.name == "zd-privileged" {
            finding.target.name = EVIL.to_owned();
            finding.message = finding.message.replace("zd-privileged", EVIL);
        }
    }
    report
}

#[test]
fn the_page_is_self_contained_and_strict() {
    let page = html::render(&report_with(Policy::default()));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    assert!(!page.contains("<script"), "no script");
    assert!(
        !page.contains("<link") && !page.contains("@import") && !page.contains("url("),
        "no external style or font"
    );
    for tag in ["<img", "<iframe", "<object", "<embed", "<video", "<audio", "<base", "<form"] {
        assert!(!page.contains(tag), "no {tag}: nothing to load");
    }
    assert!(page.contains("@media print") && page.contains("prefers-color-scheme: dark"));
    assert!(!page.contains(common::planted_secret()));
}

#[test]
fn every_check_to_act_on_is_there_with_its_targets_and_status_words() {
    let report = report_with(Policy::default());
    let page = html::render(&report);
    for check in
        report.checks.iter().filter(|c| matches!(c.status, Status::Fail | Status::Warn | Status::Unknown))
    {
        assert!(page.contains(&format!("id=\"{}\"", check.id)), "{} has its section", check.id);
        for f in check.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn)) {
            assert!(page.contains(&html::escape(&f.target.name)), "{} target {}", check.id, f.target.name);
        }
    }
    // Status is a word, not only a colour (greyscale printing, colour-blind readers).
    assert!(page.contains(">FAIL</span>") && page.contains(">WARN</span>") && page.contains(">PASS</span>"));
    // Score, grade, identity, catalogue version, bars, evidence and a tailored snippet.
    let score = report.score.expect("score").to_string();
    assert!(page.contains(&format!("<span class=\"value\">{score}</span>")));
    assert!(page.contains(&report.tool.catalogue_version));
    assert!(page.contains("class=\"fill "), "category bars");
    assert!(page.contains("<td><code>HostConfig.Privileged</code></td>"), "evidence table");
    assert!(page.contains("<pre><code>docker rm -f zd-privileged\n"), "tailored fix in <pre>");
    assert!(page.contains("<details class=\"more\">"), "long target lists are collapsed");
    assert!(page.contains("Not applicable here (") && page.contains("Passed ("));
}

#[test]
fn a_capped_grade_says_why() {
    let mut report = report_with(Policy::default());
    report.grade_cap = Some("capped at D: critical failure `CTR001` <privileged>".to_owned());
    let page = html::render(&report);
    assert!(page.contains(
        "<p class=\"cap\"><strong>Grade capped:</strong> capped at D: critical failure <code>CTR001</code> &lt;privileged&gt;</p>"
    ));
}

#[test]
fn names_are_escaped_everywhere() {
    let page = html::render(&evil_report());
    assert!(!page.contains(EVIL), "the raw name would run as script");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script"));
}

#[test]
fn waived_findings_are_listed_with_reason_and_expiry() {
    let policy = Policy::from_toml(
        "[[waiver]]\ncheck = \"CTR001\"\ntarget = \"zd-privileged\"\nreason = \"lab <box>, isolated\"\nexpires = \"2099-01-01\"\n",
    )
    .expect("policy");
    let page = html::render(&report_with(policy));
    let section = page.split("<section class=\"waived\">").nth(1).expect("a waived section");
    assert!(section.contains("zd-privileged") && section.contains("lab &lt;box&gt;, isolated"));
    assert!(section.contains("2099-01-01"));
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")))
}

/// The real browser check. Needs `chromium` (Debian package, `cargo xtask deps`) and node; the
/// npm package (`playwright-core`, no browser download) is installed from the lockfile on first run.
#[test]
fn opens_in_headless_chromium_without_errors_or_requests() {
    let browser_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser"));
    if !browser_dir.join("node_modules/playwright-core").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&browser_dir)
            .status()
            .expect("npm runs (node 20 is needed for the browser test)");
        assert!(status.success(), "npm ci in {} failed", browser_dir.display());
    }
    let shots = target_dir().join("shots");
    std::fs::create_dir_all(&shots).expect("shots dir");
    let page = shots.join("html-report.html");
    std::fs::write(&page, html::render(&evil_report())).expect("write page");
    let page = page.canonicalize().expect("absolute path");
    let out = Command::new("node")
        .args(["--test", "html.test.mjs"])
        .current_dir(&browser_dir)
        .env("ZERODOCK_HTML", &page)
        .env("ZERODOCK_SHOTS", &shots)
        .env("ZERODOCK_EXPECT_TEXT", format!("{EVIL}\nPrivileged container\nScore by area"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "browser check failed (is `chromium` installed? `apt-get install chromium`):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shots.join("html-report.png").exists(), "screenshot saved");
}

fn vulns_report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/vulns.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

#[test]
fn the_vulnerability_section_has_a_full_table_per_image() {
    let mut report = vulns_report();
    let page = html::render(&report);
    let section = page
        .split("<section class=\"vulnerabilities\" id=\"vulnerabilities\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("a vulnerability section");
    insta::assert_snapshot!("html_vulnerabilities", section);
    assert!(section.contains("vulnerability database as of 2026-08-07"));
    assert!(section.contains(
        "<td><code>ALPINE-CVE-2022-37434</code></td><td>CVE-2022-37434</td><td><strong>zlib</strong></td><td><code>1.2.12-r1</code></td><td><code>1.2.12-r2</code></td>"
    ), "{section}");
    assert!(section.contains("end of support unknown"), "busybox has no OS release");
    assert!(section.contains(">PASS</span> no known vulnerabilities"), "the fixed twin");
    assert!(!page.contains(common::planted_secret()));
    assert!(!html::render(&report_with(Policy::default())).contains("class=\"vulnerabilities\""));

    // Names from an image are escaped like any other.
    let scan = report.vulnerabilities.as_mut().expect("scan");
    scan.images[0].image = EVIL.to_owned();
    scan.images[2].vulnerabilities[0].package = EVIL.to_owned();
    let page = html::render(&report);
    assert!(!page.contains("<script"), "escaped");
}
