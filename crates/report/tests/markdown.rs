//! The Markdown summary from the captured fixture (pinned with insta, versions redacted), and its
//! size bound on a 1000-container report.

mod common;

use zerodock_engine::{EvalConfig, Report, Snapshot, Status, TargetKind, evaluate};
use zerodock_report::markdown::{GITHUB_COMMENT_LIMIT, Options, render};

fn report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/default.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

/// Tool and catalogue versions change with every release; the snapshot pins the layout.
fn redacted(report: &Report, text: &str) -> String {
    text.replace(&format!("(catalogue {})", report.tool.catalogue_version), "(catalogue [catalogue])")
        .replace(&format!("zerodock {} ", report.tool.version), "zerodock [version] ")
}

#[test]
fn summary_of_the_default_fixture() {
    let report = report();
    let md = render(&report, &Options::default());
    insta::assert_snapshot!("markdown_default", redacted(&report, &md));
}

#[test]
fn summary_names_every_failing_check_and_its_first_targets() {
    let report = report();
    let md = render(&report, &Options::default());
    assert!(md.starts_with(&format!(
        "## ZeroDock: score **{}/100**, grade **{}**",
        report.score.expect("score"),
        report.grade
    )));
    for check in report.checks.iter().filter(|c| matches!(c.status, Status::Fail | Status::Warn)) {
        assert!(md.contains(&format!("| `{}` |", check.id)), "{} in the table", check.id);
        assert!(md.contains(&format!("<summary><code>{}</code>", check.id)), "{} has details", check.id);
        let first = check
            .findings
            .iter()
            .find(|f| matches!(f.status, Status::Fail | Status::Warn))
            .expect("a target");
        assert!(md.contains(&format!("`{}`", first.target.name)), "{} names {}", check.id, first.target.name);
    }
    assert!(md.contains("```sh\ndocker rm -f zd-privileged\n"), "the first fix, fenced");
    assert!(!md.contains("Truncated"), "the fixture fits");
    assert!(!md.contains(common::planted_secret()));
}

/// The fixture's report with each container finding repeated for 1000 containers.
fn thousand_containers() -> Report {
    let mut report = report();
    for check in &mut report.checks {
        let Some(template) = check.findings.iter().find(|f| f.target.kind == TargetKind::Container).cloned()
        else {
            continue;
        };
        check.findings.retain(|f| f.target.kind != TargetKind::Container);
        for i in 0..1000 {
            let mut f = template.clone();
            let name = format!("app-{i:04}-a-rather-long-compose-project-name-web-1");
            f.message = f.message.replace(&template.target.name, &name);
            f.target.name = name;
            check.findings.push(f);
        }
    }
    report.subject.containers = 1000;
    report
}

#[test]
fn a_thousand_containers_stay_under_the_comment_limit() {
    let md = render(&thousand_containers(), &Options::default());
    assert!(md.chars().count() < GITHUB_COMMENT_LIMIT, "{} characters", md.chars().count());
    assert!(md.contains("+997 more"), "the table names three targets and counts the rest");
}

#[test]
fn a_small_budget_truncates_with_a_note() {
    let report = report();
    let md = render(&report, &Options { max_chars: 6_000 });
    assert!(md.chars().count() <= 6_000, "{}", md.chars().count());
    assert!(md.contains("> Truncated to stay under 6000 characters"), "{md}");
    assert!(md.contains("| `CTR001` |"), "the most severe checks come first and are kept");
}

fn vulns_report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/vulns.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

#[test]
fn summary_of_the_vulns_fixture() {
    let report = vulns_report();
    let md = render(&report, &Options::default());
    let section = md.split("### Vulnerabilities").nth(1).expect("a vulnerability section");
    insta::assert_snapshot!("markdown_vulnerabilities", section);
    assert!(
        section.contains(
            "| `zerodock/vuln-alpine:1` | Alpine Linux v3.22 | 2027-05-01 | 1 | 0 | 0 | 0 | 1 | 2 |"
        ),
        "{section}"
    );
    assert!(
        section.contains("| `zerodock/busybox:1` | no OS release file (distroless or scratch) | unknown |")
    );
    // Only fixable critical and high advisories are listed one by one.
    assert!(
        section.contains("ALPINE-CVE-2022-37434 (CVE-2022-37434) — `zlib` 1.2.12-r1 → 1.2.12-r2"),
        "{section}"
    );
    assert!(!section.contains("DLA-4413-1"), "unrated advisories are counted, not listed");
    assert!(!md.contains(common::planted_secret()));
    assert!(!render(&report_default(), &Options::default()).contains("### Vulnerabilities"));
}

fn report_default() -> Report {
    report()
}

#[test]
fn the_vulnerability_section_survives_truncation() {
    let report = vulns_report();
    let md = render(&report, &Options { max_chars: 4_000 });
    assert!(md.chars().count() <= 4_000, "{}", md.chars().count());
    assert!(md.contains("### Vulnerabilities") && md.contains("ALPINE-CVE-2022-37434"), "{md}");
}
