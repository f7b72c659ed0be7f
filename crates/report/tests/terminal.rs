//! The terminal checklist rendered from the captured fixture's report.

mod common;

use zerodock_engine::{EvalConfig, Snapshot, evaluate};
use zerodock_report::terminal::{Options, render};

fn report() -> zerodock_engine::Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/default.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    let at = snap.collected_at;
    evaluate(&snap, &EvalConfig::at(at))
}

#[test]
fn failures_come_first_and_are_never_cut_by_verbose() {
    let text = render(&report(), &Options { color: false, verbose: true, max_targets: 10 });
    let section = text.split(" CTR001 ").nth(1).expect("CTR001 is listed");
    let first_target = section.lines().nth(1).expect("a finding line");
    assert!(first_target.contains("zd-privileged") && first_target.contains("FAIL"), "{first_target}");
}

#[test]
fn the_checklist_has_score_categories_and_no_colour_codes_when_off() {
    let text = render(&report(), &Options::default());
    assert!(text.contains("Score ") && text.contains("Grade "));
    assert!(text.contains("CONTAINER RUNTIME") && text.contains("DAEMON CONFIGURATION"));
    assert!(text.contains("Not applicable here: Docker Desktop"), "n/a categories are folded into one line");
    assert!(!text.contains('\u{1b}'), "no ANSI escapes without colour");
    assert!(!text.contains(common::planted_secret()));
    // A clean check says what was found rather than repeating the risk as if it were present.
    assert!(text.lines().any(|l| l.contains("✓ pass") && l.contains("none of")), "{text}");
}

#[test]
fn colour_is_applied_when_asked() {
    let text = render(&report(), &Options { color: true, ..Options::default() });
    assert!(text.contains('\u{1b}'));
}

fn vulns_report() -> zerodock_engine::Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/vulns.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

#[test]
fn a_vulnerability_scan_ends_with_one_line_per_image() {
    let text = render(&vulns_report(), &Options::default());
    let summary = text.split("VULNERABILITIES BY IMAGE").nth(1).expect("the summary after the checklist");
    let summary: String =
        summary.lines().take_while(|l| !l.is_empty() || l.is_empty()).take(6).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("terminal_vulnerability_summary", summary);
    assert!(summary.contains("· vulnerability database as of 2026-08-07"), "{summary}");
    let alpine = summary.lines().find(|l| l.contains("zerodock/vuln-alpine:1")).expect("alpine line");
    assert!(alpine.contains("2 vulnerabilities · 2 fixable (1 critical, 1 unrated)"), "{alpine}");
    let busybox = summary.lines().find(|l| l.contains("zerodock/busybox:1")).expect("busybox line");
    assert!(busybox.contains("support ends unknown") && busybox.contains("none known"), "{busybox}");
    // The checklist comes first; the summary does not repeat the findings' advisories.
    assert!(text.find("VUL001").expect("VUL001") < text.find("VULNERABILITIES BY IMAGE").expect("summary"));
    assert!(!summary.contains("ALPINE-CVE-2022-37434"), "{summary}");
    assert!(!text.contains(common::planted_secret()));
    // Without a vulnerability part there is no summary.
    assert!(!render(&report(), &Options::default()).contains("VULNERABILITIES BY IMAGE"));
}
