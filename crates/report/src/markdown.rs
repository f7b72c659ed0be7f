//! A short Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: score and grade,
//! the category table, the failing and warning checks with their first targets, and one collapsed
//! `<details>` per check with its first fix. It is cut to a size budget (default: GitHub's 65,536
//! character comment limit, well under the 1 MiB job-summary limit) with a note saying so, however
//! many containers the host runs.

use crate::reveal::reveal;
use crate::shared::subject_name;
use crate::vulns::{self, Tally};
use std::fmt::Write;
use zerodock_engine::snapshot::VulnSeverity;

use zerodock_engine::{CheckResult, Finding, Report, Severity, SnippetKind, Status, TargetKind};

/// GitHub rejects comments longer than 65,536 characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Targets named per check in the table.
const FIRST_TARGETS: usize = 3;

/// How to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Upper bound on the output's length in characters; checks that do not fit are named in a
    /// closing note instead.
    pub max_chars: usize,
}

impl Default for Options {
    fn default() -> Self {
        // A margin under the limit for what a CI step may wrap around the summary.
        Options { max_chars: GITHUB_COMMENT_LIMIT - 1_536 }
    }
}

/// The summary as GitHub-flavoured Markdown.
pub fn render(report: &Report, options: &Options) -> String {
    let mut head = String::new();
    let score = report.score.map_or_else(|| "–".to_owned(), |s| s.to_string());
    let name = subject_name(report);
    let _ = writeln!(
        head,
        "## ZeroDock: score **{score}/100**, grade **{}** — {}\n",
        report.grade.as_str(),
        text(&name)
    );
    if let Some(cap) = &report.grade_cap {
        let _ = writeln!(head, "> Grade capped: {}\n", inline(cap));
    }
    let failing: usize = report.counts.failing_by_severity.values().sum();
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            report.counts.failing_by_severity.get(s).filter(|n| **n > 0).map(|n| format!("{n} {s}"))
        })
        .collect();
    let status_count = |s: Status| report.counts.by_status.get(&s).copied().unwrap_or(0);
    let mut line = format!("**{failing} failing check{}**", if failing == 1 { "" } else { "s" });
    if !by_severity.is_empty() {
        let _ = write!(line, " ({})", by_severity.join(", "));
    }
    let _ = write!(
        line,
        " · {} warning · {} unknown · {} to confirm by hand · {} passed",
        status_count(Status::Warn),
        status_count(Status::Unknown),
        status_count(Status::Manual),
        status_count(Status::Pass)
    );
    if report.counts.waived > 0 {
        let _ = write!(line, " · {} waived", report.counts.waived);
    }
    let _ = writeln!(head, "{line}\n");
    let _ = writeln!(
        head,
        "<sub>{} · {} {} (catalogue {}) · {}</sub>\n",
        text(&report.subject.endpoint.host),
        text(&report.tool.name),
        text(&report.tool.version),
        text(&report.tool.catalogue_version),
        report.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(reason) = &report.subject.engine_unavailable {
        let _ = writeln!(head, "> **The Docker engine could not be inspected:** {}\n", inline(reason));
    }

    head.push_str("| Area | Score | Grade | Failing |\n|---|---:|:---:|---:|\n");
    for c in &report.categories {
        // Like the PDF: an area where nothing applied (Docker Desktop on Linux) is left out.
        if c.score.is_none() && c.counts.by_status.get(&Status::Unknown).is_none_or(|n| *n == 0) {
            continue;
        }
        let _ = writeln!(
            head,
            "| {} | {} | {} | {} |",
            text(&c.title),
            c.score.map_or_else(|| "n/a".to_owned(), |s| s.to_string()),
            c.grade.as_str(),
            c.counts.by_status.get(&Status::Fail).copied().unwrap_or(0)
        );
    }
    head.push('\n');

    // Built first and kept whole: its size is bounded (one row per image, at most
    // `FIXABLE_LISTED` advisories), and it is what a reviewer of an image change looks for.
    let vulns = vulnerability_section(report);
    let checks = problem_checks(report);
    if checks.is_empty() {
        head.push_str("No check fails or warns. :white_check_mark:\n");
        if !vulns.is_empty() {
            head.push('\n');
            head.push_str(&vulns);
        }
        return head;
    }

    // The table and the details are built row by row against the budget; what does not fit is
    // counted in the closing note.
    let budget = options.max_chars;
    let reserve = 400 + vulns.chars().count(); // the closing note and the vulnerabilities
    let mut table = String::from(
        "### Checks to fix\n\n| Check | Severity | Result | Title | Targets | First targets |\n|---|---|---|---|---:|---|\n",
    );
    let mut details = String::new();
    let mut left_out = 0usize;
    let used = |head: &String, table: &String, details: &String| {
        head.chars().count() + table.chars().count() + details.chars().count()
    };
    let mut rows = Vec::new();
    for c in &checks {
        rows.push((row(c), detail(c)));
    }
    // Rows first (the overview matters most), then as many details as fit.
    let mut shown = 0usize;
    for (r, _) in &rows {
        if used(&head, &table, &details) + r.chars().count() + reserve > budget {
            break;
        }
        table.push_str(r);
        shown += 1;
    }
    left_out += rows.len() - shown;
    let mut details_shown = 0usize;
    for (_, d) in rows.iter().take(shown) {
        if used(&head, &table, &details) + d.chars().count() + reserve > budget {
            break;
        }
        details.push_str(d);
        details_shown += 1;
    }
    let mut out = head;
    out.push_str(&table);
    out.push('\n');
    out.push_str(&details);
    out.push_str(&vulns);
    if left_out > 0 || details_shown < shown {
        let _ = writeln!(
            out,
            "\n> Truncated to stay under {} characters: {} more check{} to fix{}. The full report (`zerodock scan --format html` or `json`) lists everything.",
            budget,
            left_out,
            if left_out == 1 { "" } else { "s" },
            if details_shown < shown {
                format!(
                    ", and the fixes of {} listed check{}",
                    shown - details_shown,
                    if shown - details_shown == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
    }
    out
}

/// Fixable critical and high advisories listed under the per-image counts; the rest are counted.
const FIXABLE_LISTED: usize = 20;

/// Per image in use: base OS, end of support, counts per severity and how many have a fix; then
/// the fixable critical and high advisories (what to upgrade now). Empty without a vulnerability
/// part.
fn vulnerability_section(report: &Report) -> String {
    let Some(scan) = &report.vulnerabilities else { return String::new() };
    let mut md = format!("### Vulnerabilities\n\n<sub>{}</sub>\n\n", text(&vulns::database_line(scan)));
    md.push_str(
        "| Image | Base OS | End of support | Critical | High | Medium | Low | Unrated | Fixable |\n",
    );
    md.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    let mut urgent = Vec::new();
    for image in vulns::images_worst_first(scan) {
        let name = cell(&code_span(&image.image));
        if let Some(reason) = &image.unreadable {
            let _ = writeln!(
                md,
                "| {name} | contents could not be read: {} | {} | ? | ? | ? | ? | ? | ? |",
                cell(&text(reason)),
                vulns::end_of_life(image)
            );
            continue;
        }
        let t = Tally::of(image);
        let [critical, high, medium, low, unrated] = t.by_severity;
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {critical} | {high} | {medium} | {low} | {unrated} | {} |",
            cell(&text(&vulns::os_name(image))),
            vulns::end_of_life(image),
            t.fixable
        );
        urgent.extend(
            vulns::sorted(image)
                .into_iter()
                .filter(|v| {
                    v.fixed.is_some() && matches!(v.severity, VulnSeverity::Critical | VulnSeverity::High)
                })
                .map(|v| (image, v)),
        );
    }
    if !urgent.is_empty() {
        md.push_str("\n**Fixable critical and high:**\n\n");
        for (image, v) in urgent.iter().take(FIXABLE_LISTED) {
            let _ = writeln!(
                md,
                "- {} **{}** {} — {} {} → {}",
                code_span(&image.image),
                v.severity.as_str(),
                text(&vulns::ids(v)),
                code_span(&v.package),
                text(&v.installed),
                text(vulns::fixed(v))
            );
        }
        if urgent.len() > FIXABLE_LISTED {
            let _ = writeln!(md, "- +{} more", urgent.len() - FIXABLE_LISTED);
        }
    }
    md.push('\n');
    md
}

/// Failing and warning checks (no unknowns: a PR comment lists what to fix), in the engine's
/// order of risks.
fn problem_checks(report: &Report) -> Vec<&CheckResult> {
    report.problem_checks().into_iter().filter(|c| matches!(c.status, Status::Fail | Status::Warn)).collect()
}

fn problems(c: &CheckResult) -> Vec<&Finding> {
    c.findings
        .iter()
        .filter(|f| f.waived.is_none() && matches!(f.status, Status::Fail | Status::Warn))
        .collect()
}

fn row(c: &CheckResult) -> String {
    let problems = problems(c);
    let mut first: Vec<String> =
        problems.iter().take(FIRST_TARGETS).map(|f| cell(&code_span(&f.target.name))).collect();
    if problems.len() > FIRST_TARGETS {
        first.push(format!("+{} more", problems.len() - FIRST_TARGETS));
    }
    format!(
        "| {} | {} | {} | {} | {} | {} |\n",
        cell(&code_span(&c.id)),
        c.severity.as_str(),
        if c.status == Status::Fail { "fail" } else { "warn" },
        text(&c.title),
        problems.len(),
        first.join(", ")
    )
}

fn detail(c: &CheckResult) -> String {
    let problems = problems(c);
    let kind = problems.first().map_or(TargetKind::Host, |f| f.target.kind);
    let noun = match kind {
        TargetKind::Container => "container",
        TargetKind::Image => "image",
        TargetKind::Network => "network",
        _ => "target",
    };
    let mut d = format!(
        "<details><summary><code>{}</code> {} — {}, {} {}{}</summary>\n\n",
        html(&c.id),
        html(&c.title),
        c.severity.as_str(),
        problems.len(),
        noun,
        if problems.len() == 1 { "" } else { "s" }
    );
    let _ = writeln!(d, "{}\n", inline(&c.summary));
    if let Some(f) = problems.first() {
        let _ = writeln!(d, "{}\n", inline(&f.message));
        if let Some(s) = f.remediation.first() {
            let lang = match s.kind {
                SnippetKind::DockerRun | SnippetKind::Shell => "sh",
                SnippetKind::Compose => "yaml",
                SnippetKind::DaemonJson | SnippetKind::Json => "json",
                SnippetKind::Dockerfile => "dockerfile",
            };
            let fence = "`".repeat(longest_run(&s.code, '`').max(2) + 1);
            let _ = writeln!(
                d,
                "**Fix:** {}\n\n{fence}{lang}\n{}\n{fence}\n",
                inline(&s.label),
                reveal(&s.code, false)
            );
        }
    }
    if let Some(url) = &c.doc_url {
        let _ = writeln!(d, "[Docs]({})\n", url.replace(')', "%29").replace(' ', "%20"));
    }
    d.push_str("</details>\n\n");
    d
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// A code span that holds `s` whatever backticks it contains (CommonMark: a longer fence, padded).
fn code_span(s: &str) -> String {
    let s = reveal(s, false).replace('\n', " ");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Plain text: characters Markdown or HTML would interpret are escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in reveal(s, false).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text whose `backtick` spans stay code spans (messages and labels name objects that way).
fn inline(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        return text(s);
    }
    s.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { code_span(part) } else { text(part) }).collect()
}

/// Inside a table cell, `|` ends the cell even in a code span: GFM wants it escaped there too.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Text inside an HTML element (the `<summary>` line).
fn html(s: &str) -> String {
    crate::html::escape(&reveal(s, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(cell(&code_span("a|b")), "`a\\|b`");
    }

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("<script>*x*"), "&lt;script&gt;\\*x\\*");
        assert_eq!(inline("Container `a<b` runs"), "Container `a<b` runs");
    }
}
