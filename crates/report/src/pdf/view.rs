//! The `view` half of `/data.json`: what the template needs that is tedious or slow to compute in
//! typst — formatted dates, the order findings are read in, how many targets are shown in full,
//! Markdown as blocks, long tokens made breakable. The `report` half is the report unchanged
//! (docs/pdf-template.md documents both).

use crate::shared::{is_problem, status_rank, subject_name};
use serde::Serialize;
use zerodock_engine::{
    CheckResult, Evidence, Finding, Posture, Report, Severity, Snippet, SnippetKind, Status, TargetKind,
};

use super::markdown::{Block, blocks};
use crate::vulns::{self, Tally};
use zerodock_engine::snapshot::{VulnScan, short_id};

/// How much of a long report is printed in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Limits {
    /// Problem targets per check shown with their evidence and fixes.
    pub detailed: usize,
    /// Further problem targets per check shown as one row each (target, observation).
    pub rows: usize,
    /// Names listed in the closing "and N more" line of a check.
    pub names: usize,
    /// Vulnerability rows per image; the rest are counted (the JSON report has them all).
    pub vulnerabilities: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Three in full is what the terminal checklist shows too; the rest of a container check's
        // targets almost always fail the same way, so a row each says enough.
        // 200 rows is about six pages: an image with more needs a rebuild, not a longer list.
        Limits { detailed: 3, rows: 12, names: 40, vulnerabilities: 200 }
    }
}

/// Column budgets (in characters) past which a token without a break opportunity gets one, so a
/// digest or a long path wraps instead of running off the page.
const CODE_COLUMNS: usize = 88;
const CELL_COLUMNS: usize = 40;

/// Everything the template reads besides the raw report.
#[derive(Debug, Serialize)]
pub(crate) struct View {
    /// Document title (also the PDF title metadata).
    pub title: String,
    /// The scanned engine's or host's name, for the cover and page header.
    pub subject_name: String,
    /// `2026-11-23 11:44 UTC`.
    pub generated_at: String,
    /// When collection started, same format.
    pub collected_at: String,
    /// `23 November 2026`.
    pub date: String,
    /// `51` or `–`.
    pub score: String,
    /// `A`…`F`, `N/A`.
    pub grade: String,
    /// Why the grade is capped, if it is.
    pub grade_cap: Option<String>,
    /// `good`, `attention` or `critical`: the posture word on the cover.
    pub posture: &'static str,
    /// Label/value rows identifying what was scanned and by what.
    pub identity: Vec<[String; 2]>,
    /// Label/value rows of the signature over the JSON report (key fingerprint, report digest,
    /// envelope file); empty when the report was not signed. Filled by the caller who signs.
    pub seal: Vec<[String; 2]>,
    /// Category scores, in checklist order; categories without applicable checks are left out.
    pub categories: Vec<CategoryView>,
    /// Failing checks per severity, most severe first.
    pub severities: Vec<SeverityCount>,
    /// Checks per status.
    pub statuses: Vec<StatusCount>,
    /// The failing and warning checks worth fixing first.
    pub top_risks: Vec<TopRisk>,
    /// Every failing, warning and unknown check, most severe first.
    pub findings: Vec<CheckView>,
    /// Findings a waiver accepted.
    pub waived: Vec<WaivedView>,
    /// Checks a person must confirm (CIS "Manual"), with what was gathered.
    pub manual: Vec<BriefCheck>,
    /// Checks that passed.
    pub passed: Vec<BriefCheck>,
    /// Informational checks.
    pub info: Vec<BriefCheck>,
    /// Checks that do not apply here.
    pub not_applicable: Vec<BriefCheck>,
    /// The vulnerability part, when the scan read the images (`--vulns`); `None` leaves the
    /// section out.
    pub vulnerabilities: Option<VulnsView>,
    /// The limits applied, so the text can say so.
    pub limits: Limits,
}

/// The vulnerability section: the database's date and one table per image in use.
#[derive(Debug, Serialize)]
pub(crate) struct VulnsView {
    /// `2026-08-07`: results are as of this date (the newest record); `None` without a database.
    pub as_of: Option<String>,
    /// `vulnerability database as of 2026-08-07 (updated 2026-12-07)`, or that there is none.
    pub database: String,
    /// Images with a vulnerability, then images without one, then images that could not be read.
    pub images: Vec<ImageVulnView>,
}

/// One image's vulnerabilities.
#[derive(Debug, Serialize)]
pub(crate) struct ImageVulnView {
    /// Its name (first tag, else digest, else short id), made breakable.
    pub image: String,
    /// Short id.
    pub image_id: String,
    /// The base OS's name, or why there is none.
    pub os: String,
    /// End of security support `2026-08-31`, or `unknown`.
    pub end_of_life: String,
    /// Where that date comes from, when known.
    pub end_of_life_source: Option<String>,
    /// Why the contents could not be read, if they could not.
    pub unreadable: Option<String>,
    /// Installed packages read.
    pub packages: usize,
    /// `1 critical, 1 unrated`, or `none`.
    pub counts: String,
    /// Vulnerabilities with a fixed version.
    pub fixable: usize,
    /// All vulnerabilities.
    pub total: usize,
    /// Who found them (`zerodock`, an imported scanner).
    pub scanners: Vec<String>,
    /// Ecosystems the database has no records for: their packages' status is unknown.
    pub unmatched_ecosystems: Vec<String>,
    /// The first `limits.vulnerabilities` vulnerabilities, most severe and fixable first.
    pub rows: Vec<VulnRow>,
    /// How many were not listed.
    pub more: usize,
}

/// One vulnerability of one package.
#[derive(Debug, Serialize)]
pub(crate) struct VulnRow {
    /// The advisory id, breakable.
    pub id: String,
    /// Its CVE aliases.
    pub cves: Vec<String>,
    /// The binary package.
    pub package: String,
    /// The source package, when it differs from the binary one.
    pub source_package: Option<String>,
    /// Installed version, breakable.
    pub installed: String,
    /// Fixed version (breakable), `None`: no fix yet.
    pub fixed: Option<String>,
    /// `critical` `high` `medium` `low` `unrated`.
    pub severity: &'static str,
    /// Where the severity comes from (a CVSS vector, a distribution urgency), breakable.
    pub severity_source: String,
}

/// One category's bar.
#[derive(Debug, Serialize)]
pub(crate) struct CategoryView {
    /// Heading.
    pub title: String,
    /// 0–100, or `None` when nothing in it could be scored.
    pub score: Option<u8>,
    /// Letter grade.
    pub grade: String,
    /// Failing checks in it.
    pub failing: usize,
    /// Warning checks in it.
    pub warning: usize,
    /// Checks in it.
    pub checks: usize,
}

/// Failing checks of one severity.
#[derive(Debug, Serialize)]
pub(crate) struct SeverityCount {
    /// `critical`…`info`.
    pub severity: Severity,
    /// How many checks.
    pub failing: usize,
}

/// Checks with one status.
#[derive(Debug, Serialize)]
pub(crate) struct StatusCount {
    /// The status.
    pub status: Status,
    /// How many checks.
    pub count: usize,
}

/// A row of the "top risks" table.
#[derive(Debug, Serialize)]
pub(crate) struct TopRisk {
    /// Check code.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// `fail` or `warn`.
    pub status: Status,
    /// `23 containers`, `engine`…
    pub affected: String,
    /// The overall score if it were fixed.
    pub score_if_fixed: Option<u8>,
    /// Points gained by fixing it.
    pub gain: u8,
}

/// A failing, warning or unknown check in full.
#[derive(Debug, Serialize)]
pub(crate) struct CheckView {
    /// Code.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Category heading.
    pub category: String,
    /// Severity.
    pub severity: Severity,
    /// Aggregated status.
    pub status: Status,
    /// The catalogue's summary.
    pub summary: Vec<Block>,
    /// Why it matters.
    pub rationale: Vec<Block>,
    /// How to fix it in general.
    pub remediation: Vec<Block>,
    /// References, links made breakable.
    pub references: Vec<String>,
    /// Overall score if fixed.
    pub score_if_fixed: Option<u8>,
    /// Points gained by fixing it.
    pub gain: u8,
    /// `fails on 23 of 23 containers`.
    pub tally: String,
    /// The first targets, with evidence and fixes.
    pub detailed: Vec<TargetView>,
    /// A fix that is the same for several of the detailed targets, printed once after them.
    pub shared_fixes: Vec<SnippetView>,
    /// The next targets, one row each.
    pub rows: Vec<TargetView>,
    /// The rest, by name.
    pub more: Option<More>,
}

/// One target of a check.
#[derive(Debug, Serialize)]
pub(crate) struct TargetView {
    /// `container`, `image`, `engine`…
    pub kind: &'static str,
    /// Its name, made breakable.
    pub name: String,
    /// Short id, when it has one.
    pub id: Option<String>,
    /// Its status.
    pub status: Status,
    /// The observation.
    pub message: String,
    /// Why unknown / not applicable.
    pub reason: Option<String>,
    /// Field, observed, expected.
    pub evidence: Vec<Evidence>,
    /// Fixes for this target alone (shared ones are on the check).
    pub fixes: Vec<SnippetView>,
}

/// A remediation snippet.
#[derive(Debug, Serialize)]
pub(crate) struct SnippetView {
    /// `docker run`, `compose.yaml`, `daemon.json`, `shell`, `Dockerfile`, `JSON`.
    pub kind: &'static str,
    /// What it does.
    pub label: String,
    /// The text, with break opportunities in overlong tokens.
    pub code: String,
}

/// The targets beyond those printed.
#[derive(Debug, Serialize)]
pub(crate) struct More {
    /// How many.
    pub count: usize,
    /// `containers`, `images`, `targets`…
    pub noun: String,
    /// The first of their names.
    pub names: Vec<String>,
    /// How many names were not listed.
    pub unnamed: usize,
}

/// A waived finding.
#[derive(Debug, Serialize)]
pub(crate) struct WaivedView {
    /// Check code.
    pub check: String,
    /// Check title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Target kind.
    pub kind: &'static str,
    /// Target name.
    pub target: String,
    /// The accepted reason.
    pub reason: String,
    /// Expiry date, if any.
    pub expires: Option<String>,
}

/// A check in the compact lists.
#[derive(Debug, Serialize)]
pub(crate) struct BriefCheck {
    /// Code.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category heading.
    pub category: String,
    /// Severity.
    pub severity: Severity,
    /// What was found ("none of 23 containers"), the reason it does not apply, or the
    /// observations of an informational check.
    pub note: String,
}

/// Builds the view of `report`.
pub(crate) fn view(report: &Report, limits: Limits) -> View {
    let subject = &report.subject;
    let subject_name = subject_name(report);
    let score = report.score.map_or_else(|| "–".to_owned(), |s| s.to_string());
    let posture = posture(report);

    let findings: Vec<&CheckResult> = report.problem_checks();

    let top: Vec<&CheckResult> =
        findings.iter().copied().filter(|c| matches!(c.status, Status::Fail | Status::Warn)).collect();
    let top_risks = top
        .into_iter()
        .take(10)
        .map(|c| TopRisk {
            id: c.id.clone(),
            title: c.title.clone(),
            severity: c.severity,
            status: c.status,
            affected: affected(c),
            score_if_fixed: c.score_if_fixed,
            gain: report.gain(c).unwrap_or(0),
        })
        .collect();

    let brief = |status: Status| -> Vec<BriefCheck> {
        report
            .checks
            .iter()
            .filter(|c| c.status == status)
            .map(|c| BriefCheck {
                id: c.id.clone(),
                title: c.title.clone(),
                category: c.category.title().to_owned(),
                severity: c.severity,
                note: brief_note(c),
            })
            .collect()
    };

    let waived = report
        .checks
        .iter()
        .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
        .filter_map(|(c, f)| {
            f.waived.as_ref().map(|w| WaivedView {
                check: c.id.clone(),
                title: c.title.clone(),
                severity: c.severity,
                kind: f.target.kind.as_str(),
                target: breakable(&f.target.name, CELL_COLUMNS),
                reason: w.reason.clone(),
                expires: w.expires.clone(),
            })
        })
        .collect();

    View {
        title: format!("Docker security posture: {subject_name}"),
        generated_at: report.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        collected_at: subject.collected_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        date: report.generated_at.format("%-d %B %Y").to_string(),
        identity: identity(report),
        seal: Vec::new(),
        subject_name,
        score,
        grade: report.grade.to_string(),
        grade_cap: report.grade_cap.clone(),
        posture,
        categories: report
            .categories
            .iter()
            .filter(|c| c.score.is_some() || count(&c.counts.by_status, Status::Unknown) > 0)
            .map(|c| CategoryView {
                title: c.title.clone(),
                score: c.score,
                grade: c.grade.to_string(),
                failing: count(&c.counts.by_status, Status::Fail),
                warning: count(&c.counts.by_status, Status::Warn),
                checks: c.counts.by_status.values().sum(),
            })
            .collect(),
        severities: Severity::ALL
            .iter()
            .rev()
            .map(|&s| SeverityCount {
                severity: s,
                failing: report.counts.failing_by_severity.get(&s).copied().unwrap_or(0),
            })
            .collect(),
        statuses: [
            Status::Fail,
            Status::Warn,
            Status::Unknown,
            Status::Manual,
            Status::Pass,
            Status::Info,
            Status::NotApplicable,
        ]
        .into_iter()
        .map(|s| StatusCount { status: s, count: count(&report.counts.by_status, s) })
        .collect(),
        top_risks,
        findings: findings.into_iter().map(|c| check_view(report, c, limits)).collect(),
        waived,
        manual: brief(Status::Manual),
        passed: brief(Status::Pass),
        info: brief(Status::Info),
        not_applicable: brief(Status::NotApplicable),
        vulnerabilities: report.vulnerabilities.as_ref().map(|scan| vulns_view(scan, limits)),
        limits,
    }
}

/// The vulnerability section of `scan`: images with findings first (most severe first), so the
/// reader meets the worst image first; clean and unreadable images after, each one line.
fn vulns_view(scan: &VulnScan, limits: Limits) -> VulnsView {
    let images = vulns::images_worst_first(scan)
        .into_iter()
        .map(|image| {
            let tally = Tally::of(image);
            let all = vulns::sorted(image);
            let rows = all
                .iter()
                .take(limits.vulnerabilities)
                .map(|v| VulnRow {
                    id: breakable(&v.id, CELL_COLUMNS),
                    cves: vulns::cves(v).into_iter().map(str::to_owned).collect(),
                    package: breakable(&v.package, CELL_COLUMNS),
                    source_package: (!v.source_package.is_empty() && v.source_package != v.package)
                        .then(|| breakable(&v.source_package, CELL_COLUMNS)),
                    installed: breakable(&v.installed, CELL_COLUMNS),
                    fixed: v.fixed.as_deref().map(|f| breakable(f, CELL_COLUMNS)),
                    severity: vulns::severity_word(v.severity),
                    severity_source: breakable(&v.severity_source, CELL_COLUMNS),
                })
                .collect();
            ImageVulnView {
                image: breakable(&image.image, CELL_COLUMNS),
                image_id: short_id(&image.image_id).to_owned(),
                os: vulns::os_name(image),
                end_of_life: vulns::end_of_life(image),
                end_of_life_source: image.os.as_ref().and_then(|o| o.end_of_life_source.clone()),
                unreadable: image.unreadable.clone(),
                packages: image.packages.len(),
                counts: tally.words(),
                fixable: tally.fixable,
                total: tally.total,
                scanners: image.scanners.clone(),
                unmatched_ecosystems: image.unmatched_ecosystems.clone(),
                rows,
                more: all.len().saturating_sub(limits.vulnerabilities),
            }
        })
        .collect();
    VulnsView { as_of: vulns::as_of(scan), database: vulns::database_line(scan), images }
}

/// The posture word the desktop tray also shows ([`Report::posture`]).
fn posture(report: &Report) -> &'static str {
    match report.posture() {
        Posture::Good => "good",
        Posture::Attention => "attention",
        Posture::Critical => "critical",
    }
}

fn count<K: Ord>(map: &std::collections::BTreeMap<K, usize>, key: K) -> usize {
    map.get(&key).copied().unwrap_or(0)
}

fn identity(report: &Report) -> Vec<[String; 2]> {
    let s = &report.subject;
    let mut rows = Vec::new();
    let mut row = |k: &str, v: String| rows.push([k.to_owned(), v]);
    let source = match &s.endpoint.source {
        zerodock_engine::snapshot::EndpointSource::Flag => "--host".to_owned(),
        zerodock_engine::snapshot::EndpointSource::DockerHost => "DOCKER_HOST".to_owned(),
        zerodock_engine::snapshot::EndpointSource::Context { name } => format!("Docker context `{name}`"),
        zerodock_engine::snapshot::EndpointSource::Default => "default socket".to_owned(),
        other @ zerodock_engine::snapshot::EndpointSource::Discovered { .. } => other.describe(),
    };
    let mut endpoint = format!("{} (from {source}", s.endpoint.host);
    if s.endpoint.tls {
        endpoint.push_str(", TLS");
    }
    endpoint.push_str(if s.endpoint.local { ", local)" } else { ", remote)" });
    row("Endpoint", breakable(&endpoint, CODE_COLUMNS));
    match (&s.engine, &s.engine_unavailable) {
        (Some(e), _) => {
            let mut engine = e.headline();
            if let Some(p) = &e.platform {
                engine.push_str(&format!(", {p}"));
            }
            row("Engine", engine);
            row("Engine host", format!("{} · {}", e.name, e.operating_system));
        }
        (None, Some(reason)) => row("Engine", format!("not inspected: {reason}")),
        (None, None) => row("Engine", "not inspected".to_owned()),
    }
    if let Some(h) = &s.host {
        row("Scanned from", format!("{} · {} · kernel {}", h.hostname, h.os, h.kernel));
    }
    row(
        "Inspected",
        format!(
            "{} container{}, {} image{}, {} network{}",
            s.containers,
            plural(s.containers),
            s.images,
            plural(s.images),
            s.networks,
            plural(s.networks)
        ),
    );
    row("Collected", s.collected_at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    row("Evaluated", report.generated_at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    row(
        "Tool",
        format!("{} {} · catalogue {}", report.tool.name, report.tool.version, report.tool.catalogue_version),
    );
    rows
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn kind_plural(kind: TargetKind, n: usize) -> String {
    let word = match kind {
        TargetKind::Container => "container",
        TargetKind::Image => "image",
        TargetKind::Network => "network",
        TargetKind::Waiver => "waiver",
        _ => "target",
    };
    format!("{word}{}", plural(n))
}

fn snippet_kind(kind: SnippetKind) -> &'static str {
    match kind {
        SnippetKind::DockerRun => "docker run",
        SnippetKind::Compose => "compose.yaml",
        SnippetKind::DaemonJson => "daemon.json",
        SnippetKind::Shell => "shell",
        SnippetKind::Dockerfile => "Dockerfile",
        SnippetKind::Json => "JSON",
    }
}

/// `23 containers`, or the single target's kind (`engine`, `host`).
fn affected(c: &CheckResult) -> String {
    let problems: Vec<&Finding> = c.findings.iter().filter(|f| is_problem(f)).collect();
    match problems.as_slice() {
        [one] => format!("{} {}", one.target.kind.as_str(), one.target.name),
        many => {
            let kind = many.first().map_or(TargetKind::Host, |f| f.target.kind);
            format!("{} {}", many.len(), kind_plural(kind, many.len()))
        }
    }
}

fn check_view(report: &Report, c: &CheckResult, limits: Limits) -> CheckView {
    let mut problems: Vec<&Finding> = c.findings.iter().filter(|f| is_problem(f)).collect();
    // Failures before warnings before unknowns, by target within each (the sort is stable), so
    // the targets shown in full are the worst ones.
    problems.sort_by_key(|f| status_rank(f.status));
    let kind = problems.first().copied().or(c.findings.first()).map_or(TargetKind::Host, |f| f.target.kind);
    let failing = problems.iter().filter(|f| f.status == Status::Fail).count();
    let warning = problems.iter().filter(|f| f.status == Status::Warn).count();
    let unknown = problems.iter().filter(|f| f.status == Status::Unknown).count();
    let total = c.findings.len();
    let noun = kind_plural(kind, total);
    let mut parts = Vec::new();
    if failing > 0 {
        parts.push(format!("fails on {failing}"));
    }
    if warning > 0 {
        parts.push(format!("warns on {warning}"));
    }
    if unknown > 0 {
        parts.push(format!("unknown on {unknown}"));
    }
    let tally = format!("{} of {total} {noun}", parts.join(", "));

    let detailed_findings: Vec<&Finding> = problems.iter().take(limits.detailed).copied().collect();
    // A fix shared by several detailed targets (a daemon.json change, a restart) is printed once.
    let mut uses: Vec<(&Snippet, usize)> = Vec::new();
    for s in detailed_findings.iter().flat_map(|f| &f.remediation) {
        match uses.iter_mut().find(|(x, _)| x.code == s.code && x.kind == s.kind) {
            Some((_, n)) => *n += 1,
            None => uses.push((s, 1)),
        }
    }
    let shared: Vec<&Snippet> = uses.iter().filter(|(_, n)| *n > 1).map(|(s, _)| *s).collect();
    let detailed = detailed_findings
        .iter()
        .map(|f| {
            let mut t = target_view(f);
            t.fixes = f
                .remediation
                .iter()
                .filter(|s| !shared.iter().any(|x| x.code == s.code && x.kind == s.kind))
                .map(snippet_view)
                .collect();
            t
        })
        .collect();
    let rows = problems.iter().skip(limits.detailed).take(limits.rows).map(|f| target_view(f)).collect();
    let rest: Vec<&Finding> = problems.iter().skip(limits.detailed + limits.rows).copied().collect();
    let more = (!rest.is_empty()).then(|| More {
        count: rest.len(),
        noun: kind_plural(kind, rest.len()),
        names: rest.iter().take(limits.names).map(|f| f.target.name.clone()).collect(),
        unnamed: rest.len().saturating_sub(limits.names),
    });
    CheckView {
        id: c.id.clone(),
        slug: c.slug.clone(),
        title: c.title.clone(),
        category: c.category.title().to_owned(),
        severity: c.severity,
        status: c.status,
        summary: blocks(&c.summary),
        rationale: blocks(&c.rationale),
        remediation: blocks(&c.remediation),
        references: c.references.iter().map(|r| breakable(r, CODE_COLUMNS)).collect(),
        score_if_fixed: c.score_if_fixed,
        gain: report.gain(c).unwrap_or(0),
        tally,
        detailed,
        shared_fixes: shared.into_iter().map(snippet_view).collect(),
        rows,
        more,
    }
}

fn target_view(f: &Finding) -> TargetView {
    TargetView {
        kind: f.target.kind.as_str(),
        name: breakable(&f.target.name, CELL_COLUMNS),
        id: f.target.id.clone(),
        status: f.status,
        message: breakable(&f.message, CELL_COLUMNS),
        reason: f.reason.clone(),
        evidence: f
            .evidence
            .iter()
            .map(|e| Evidence {
                field: breakable(&e.field, CELL_COLUMNS),
                observed: breakable(&e.observed, CELL_COLUMNS),
                expected: breakable(&e.expected, CELL_COLUMNS),
            })
            .collect(),
        fixes: Vec::new(),
    }
}

fn snippet_view(s: &Snippet) -> SnippetView {
    SnippetView { kind: snippet_kind(s.kind), label: s.label.clone(), code: breakable(&s.code, CODE_COLUMNS) }
}

/// The line of a passed, informational or not-applicable check in the compact lists.
fn brief_note(c: &CheckResult) -> String {
    match c.status {
        Status::NotApplicable => {
            c.findings.iter().find_map(|f| f.reason.clone()).unwrap_or_else(|| "does not apply".to_owned())
        }
        Status::Info | Status::Manual => {
            let messages: Vec<&str> =
                c.findings.iter().filter(|f| f.status == c.status).map(|f| f.message.as_str()).collect();
            messages.join("; ")
        }
        _ => match c.findings.as_slice() {
            [one] => one.message.clone(),
            many => {
                let kind = many.first().map_or(TargetKind::Host, |f| f.target.kind);
                let waived = many.iter().filter(|f| f.waived.is_some()).count();
                let mut note = format!("none of {} {}", many.len(), kind_plural(kind, many.len()));
                if waived > 0 {
                    note.push_str(&format!(" ({waived} waived)"));
                }
                note
            }
        },
    }
}

/// Gives every run of more than `columns` characters without a break opportunity a zero-width
/// space every `columns` characters, so typst can wrap it. Only such runs change (a digest, a
/// long path): ordinary text and commands are left as they are. Hidden characters from the engine
/// are revealed first (`⟨U+200B⟩`), so the only raw zero-width spaces in the PDF's data are these
/// break opportunities (the data's reveal pass keeps them).
pub(crate) fn breakable(text: &str, columns: usize) -> String {
    let text = crate::reveal::reveal(text, false);
    let mut out = String::with_capacity(text.len());
    let mut run = 0usize;
    for ch in text.chars() {
        // Only whitespace is trusted as a break: the line breaker's rules around `/`, `-` and
        // punctuation depend on the neighbours, and an extra opportunity costs nothing.
        if ch.is_whitespace() {
            run = 0;
        } else {
            run += 1;
            if run > columns {
                out.push('\u{200b}');
                run = 1;
            }
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::breakable;

    #[test]
    fn only_long_unbroken_runs_get_break_opportunities() {
        assert_eq!(breakable("docker run --rm x", 6), "docker run --rm x");
        assert_eq!(breakable("abcdefghij", 4), "abcd\u{200b}efgh\u{200b}ij");
        assert_eq!(breakable("/a/bc d", 4), "/a/b\u{200b}c d");
        // An engine's own zero-width space is shown, not taken as a break.
        assert_eq!(breakable("ab\u{200b}c", 20), "ab⟨U+200B⟩c");
    }
}
