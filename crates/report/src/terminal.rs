//! The scored checklist for a terminal: score and grade, category bars, then every check grouped by
//! category with, for each failure, the object and its remediation.

use std::fmt::Write;

use owo_colors::{OwoColorize, Style};

use crate::vulns::{self, Tally};
use zerodock_engine::{Category, CheckResult, Finding, Grade, Report, Severity, Snippet, Status, TargetKind};

/// The reason engine checks carry when the whole engine was down (see the engine's helpers).
const ENGINE_DOWN: &str = "the Docker engine could not be inspected";

/// How to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// Emit ANSI colours.
    pub color: bool,
    /// Show passing and not-applicable checks' findings too (they are always counted).
    pub verbose: bool,
    /// At most this many targets per check are listed (0: all); failures, warnings and unknowns
    /// are listed first.
    pub max_targets: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { color: false, verbose: false, max_targets: 10 }
    }
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color { text.style(style).to_string() } else { text.to_owned() }
    }

    fn status(&self, status: Status) -> String {
        let (mark, style) = match status {
            Status::Pass => ("✓ pass", Style::new().green()),
            Status::Fail => ("✗ FAIL", Style::new().red().bold()),
            Status::Warn => ("! warn", Style::new().yellow()),
            Status::Info => ("i info", Style::new().blue()),
            Status::NotApplicable => ("- n/a ", Style::new().dimmed()),
            Status::Unknown => ("? unkn", Style::new().magenta()),
            Status::Manual => ("☐ conf", Style::new().cyan()),
        };
        self.paint(mark, style)
    }

    fn severity(&self, severity: Severity) -> String {
        let style = match severity {
            Severity::Critical => Style::new().red().bold(),
            Severity::High => Style::new().red(),
            Severity::Medium => Style::new().yellow(),
            Severity::Low => Style::new().cyan(),
            Severity::Info => Style::new().dimmed(),
        };
        self.paint(&format!("{:<8}", severity.as_str()), style)
    }

    fn grade(&self, grade: Grade) -> String {
        let style = match grade {
            Grade::A | Grade::B => Style::new().green().bold(),
            Grade::C | Grade::D => Style::new().yellow().bold(),
            Grade::F => Style::new().red().bold(),
            Grade::NotApplicable => Style::new().dimmed(),
        };
        self.paint(grade.as_str(), style)
    }
}

fn bar(score: Option<u8>) -> String {
    let filled = usize::from(score.unwrap_or(0)) / 5;
    format!("{}{}", "█".repeat(filled), "░".repeat(20 - filled))
}

fn score_text(score: Option<u8>) -> String {
    score.map_or_else(|| "--".to_owned(), |s| s.to_string())
}

/// Renders the report as a checklist.
pub fn render(report: &Report, options: &Options) -> String {
    let p = Painter { color: options.color };
    let mut out = String::new();
    header(&mut out, report, &p);
    for category in Category::ALL {
        let checks: Vec<&CheckResult> = report.checks.iter().filter(|c| c.category == category).collect();
        if checks.is_empty() {
            continue;
        }
        let _ =
            writeln!(out, "\n{}", p.paint(&category.title().to_uppercase(), Style::new().bold().underline()));
        for check in checks {
            render_check(&mut out, check, report.score, options, &p);
        }
    }
    vulnerability_summary(&mut out, report, &p);
    footer(&mut out, report, &p);
    // Hidden characters and escapes from the engine's data (crate::reveal) are shown, never
    // obeyed by the terminal; our own colour sequences are kept.
    crate::reveal::reveal(&out, options.color)
}

/// One line per scanned image after the checklist: counts per severity and how many have a fix.
/// The advisories themselves are in the VUL checks' findings above; this is the overview they lack.
fn vulnerability_summary(out: &mut String, report: &Report, p: &Painter) {
    let Some(scan) = &report.vulnerabilities else { return };
    let _ = writeln!(
        out,
        "\n{} {}",
        p.paint("VULNERABILITIES BY IMAGE", Style::new().bold().underline()),
        p.paint(&format!("· {}", vulns::database_line(scan)), Style::new().dimmed())
    );
    let width = scan.images.iter().map(|i| i.image.chars().count()).max().unwrap_or(0);
    for image in vulns::images_worst_first(scan) {
        let detail = match &image.unreadable {
            Some(reason) => p.paint(&format!("contents could not be read: {reason}"), Style::new().magenta()),
            None => {
                let t = Tally::of(image);
                if t.total == 0 {
                    format!("none known in {} package{}", image.packages.len(), plural(image.packages.len()))
                } else {
                    let style = if t.by_severity[0] > 0 || t.by_severity[1] > 0 {
                        Style::new().red()
                    } else {
                        Style::new().yellow()
                    };
                    format!("{} · {} fixable", p.paint(&vulns::count(t.total), style), t.fixable)
                        + &format!(" ({})", t.words())
                }
            }
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {}, support ends {} · {detail}",
            image.image,
            vulns::os_name(image),
            vulns::end_of_life(image)
        );
    }
}

fn header(out: &mut String, report: &Report, p: &Painter) {
    let s = &report.subject;
    let engine = match (&s.engine, &s.engine_unavailable) {
        // `Docker 20.10.24 (API 1.41)`; another engine, or a rootless one, says so.
        (Some(e), _) => format!(
            "{} on {}{}",
            e.headline().replacen("Docker Engine ", "Docker ", 1),
            if e.name.is_empty() { "?" } else { &e.name },
            e.platform.as_ref().map(|pl| format!(", {pl}")).unwrap_or_default()
        ),
        (None, Some(reason)) => format!("engine unavailable: {reason}"),
        (None, None) => "engine unavailable".to_owned(),
    };
    let _ =
        writeln!(out, "{} {} — {}", p.paint("ZeroDock", Style::new().bold()), report.tool.version, engine);
    let _ = writeln!(
        out,
        "endpoint {} · scanned {} · {} containers · {} images · {} networks",
        s.endpoint.host,
        s.collected_at.format("%Y-%m-%d %H:%M UTC"),
        s.containers,
        s.images,
        s.networks
    );
    let _ = writeln!(
        out,
        "\n  Score {}/100   Grade {}{}",
        p.paint(&score_text(report.score), Style::new().bold()),
        p.grade(report.grade),
        report.grade_cap.as_ref().map(|c| format!("   ({c})")).unwrap_or_default()
    );
    let failing: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|sev| report.counts.failing_by_severity.get(sev).map(|n| format!("{n} {sev}")))
        .collect();
    let unknown = report.counts.by_status.get(&Status::Unknown).copied().unwrap_or(0);
    let warning = report.counts.by_status.get(&Status::Warn).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "  Failing checks: {}{}{}\n",
        if failing.is_empty() { "none".to_owned() } else { failing.join(", ") },
        if warning > 0 { format!(" · {warning} warning{}", plural(warning)) } else { String::new() },
        if unknown > 0 { format!(" · {unknown} unknown (not scored)") } else { String::new() }
    );
    if s.engine_unavailable.is_some() {
        let _ = writeln!(
            out,
            "  {}\n",
            p.paint(
                "Incomplete: the engine could not be inspected, so this score covers host checks only.",
                Style::new().yellow()
            )
        );
    }
    let mut not_applicable = Vec::new();
    for cat in &report.categories {
        if cat.score.is_none() && cat.counts.by_status.keys().all(|s| *s == Status::NotApplicable) {
            not_applicable.push(cat.title.as_str());
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<22} {:>3}  {:<3} {}",
            cat.title,
            score_text(cat.score),
            p.grade(cat.grade),
            bar(cat.score)
        );
    }
    if !not_applicable.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            p.paint(&format!("Not applicable here: {}", not_applicable.join(", ")), Style::new().dimmed())
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Order in which a check's findings are listed: problems first, so truncation never hides one.
fn listing_rank(f: &Finding) -> u8 {
    match (f.waived.is_some(), f.status) {
        (false, Status::Fail) => 0,
        (false, Status::Warn) => 1,
        (false, Status::Unknown) => 2,
        (false, Status::Manual) => 3,
        (true, _) => 4,
        (false, Status::Info) => 5,
        (false, Status::Pass) => 6,
        (false, Status::NotApplicable) => 7,
    }
}

/// The text after the code: the risk-stating title while anything is wrong; for a clean check,
/// what was found instead ("Privileged container: none of 23 containers"), so a pass never reads
/// like the risk it rules out.
fn check_line_text(check: &CheckResult) -> String {
    let waived = check.findings.iter().any(|f| f.waived.is_some());
    match check.status {
        Status::Pass if waived => format!("{} (accepted risk: waived)", check.title),
        Status::Pass if check.findings.len() == 1 => check.findings[0].message.clone(),
        Status::Pass => {
            let kind = match check.findings.first().map(|f| f.target.kind) {
                Some(TargetKind::Container) => "containers",
                Some(TargetKind::Image) => "images",
                Some(TargetKind::Network) => "networks",
                _ => "checked",
            };
            format!("{}: none of {} {kind}", check.title, check.findings.len())
        }
        Status::NotApplicable => match check.findings.first().and_then(|f| f.reason.as_deref()) {
            Some(reason) => format!("{} (n/a: {reason})", check.title),
            None => check.title.clone(),
        },
        _ => check.title.clone(),
    }
}

fn render_check(out: &mut String, check: &CheckResult, score: Option<u8>, options: &Options, p: &Painter) {
    let _ = writeln!(
        out,
        " {} {}  {} {}",
        p.status(check.status),
        check.id,
        p.severity(check.severity),
        check_line_text(check)
    );
    if check.status == Status::Unknown
        && check.findings.iter().all(|f| f.reason.as_deref() == Some(ENGINE_DOWN))
    {
        return; // the header already says the engine could not be inspected
    }
    let interesting = |f: &&Finding| {
        options.verbose
            || matches!(
                f.status,
                Status::Fail | Status::Warn | Status::Unknown | Status::Manual | Status::Info
            )
            || f.waived.is_some()
    };
    let mut listed: Vec<&Finding> = check.findings.iter().filter(interesting).collect();
    if check.status == Status::Pass && !options.verbose && listed.is_empty() {
        return;
    }
    listed.sort_by_key(|f| listing_rank(f));
    // Problems sort first, so a limit only ever cuts passes before it cuts a failure.
    let limit = if options.max_targets == 0 { usize::MAX } else { options.max_targets };
    // A fix that is the same for several targets (a daemon.json change, a restart) is printed
    // once after them instead of under each one.
    let shown: Vec<&Finding> = listed.iter().take(limit).copied().collect();
    let mut uses: Vec<(&Snippet, usize)> = Vec::new();
    for snippet in shown.iter().filter(|f| f.waived.is_none()).flat_map(|f| &f.remediation) {
        match uses.iter_mut().find(|(s, _)| s.code == snippet.code && s.kind == snippet.kind) {
            Some((_, n)) => *n += 1,
            None => uses.push((snippet, 1)),
        }
    }
    let shared: Vec<&Snippet> = uses.iter().filter(|(_, n)| *n > 1).map(|(s, _)| *s).collect();
    // Evidence and fixes for the first few targets; the rest follow the same pattern, so they get
    // one line each unless --verbose (the JSON report always has everything).
    const DETAILED: usize = 3;
    for (i, finding) in shown.iter().enumerate() {
        let detailed = options.verbose || i < DETAILED;
        render_finding(out, finding, &shared, detailed, p);
    }
    let brief =
        shown.iter().skip(DETAILED).filter(|f| matches!(f.status, Status::Fail | Status::Warn)).count();
    if !options.verbose && brief > 0 {
        let line = format!(
            "fixes for the other {brief} follow the same pattern (--verbose or --format json shows each)"
        );
        let _ = writeln!(out, "        {}", p.paint(&line, Style::new().dimmed()));
    }
    for snippet in &shared {
        render_snippet(out, snippet, "fix for all of the above:", p);
    }
    if listed.len() > limit {
        let _ = writeln!(out, "        … and {} more (--max-targets 0 lists all)", listed.len() - limit);
    }
    if let (Some(fixed), Some(now)) = (check.score_if_fixed, score)
        && fixed > now
    {
        let line = format!("fixing this check: score {now} → {fixed} (+{})", fixed - now);
        let _ = writeln!(out, "        {}", p.paint(&line, Style::new().dimmed()));
    }
}

fn render_snippet(out: &mut String, s: &Snippet, prefix: &str, p: &Painter) {
    let _ = writeln!(out, "            {} {}", p.paint(prefix, Style::new().green()), s.label);
    for line in s.code.lines() {
        let _ = writeln!(out, "              {}", p.paint(line, Style::new().cyan()));
    }
}

fn render_finding(out: &mut String, f: &Finding, shared: &[&Snippet], detailed: bool, p: &Painter) {
    let status =
        if f.waived.is_some() { p.paint("waived", Style::new().dimmed()) } else { p.status(f.status) };
    let _ = writeln!(out, "     {status} {:?} {}: {}", f.target.kind, f.target.name, f.message).map(|()| ());
    if let Some(w) = &f.waived {
        let _ = writeln!(
            out,
            "            accepted: {}{}",
            w.reason,
            w.expires.as_ref().map(|e| format!(" (until {e})")).unwrap_or_default()
        );
        return;
    }
    if !detailed || !matches!(f.status, Status::Fail | Status::Warn) {
        return;
    }
    for e in &f.evidence {
        let _ = writeln!(
            out,
            "            {} {} = {} (expected {})",
            p.paint("evidence", Style::new().dimmed()),
            e.field,
            e.observed,
            e.expected
        );
    }
    for s in f.remediation.iter().filter(|s| !shared.iter().any(|x| x.code == s.code && x.kind == s.kind)) {
        render_snippet(out, s, "fix", p);
    }
}

fn footer(out: &mut String, report: &Report, p: &Painter) {
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for note in &report.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    let count = |s: Status| report.counts.by_status.get(&s).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "\n{} check{}: {} pass, {} fail, {} warn, {} unknown, {} to confirm by hand, {} info, {} n/a{}",
        report.checks.len(),
        plural(report.checks.len()),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Unknown),
        count(Status::Manual),
        count(Status::Info),
        count(Status::NotApplicable),
        if report.counts.waived > 0 {
            format!(", {} finding(s) waived", report.counts.waived)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{}",
        p.paint(
            "`zerodock explain CODE` tells why a check matters and how to fix it.",
            Style::new().dimmed()
        )
    );
}
