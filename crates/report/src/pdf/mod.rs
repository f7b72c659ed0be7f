//! The PDF report: a [`Report`] laid out by a typst template (typst used as a library, no external
//! tool, no network). The built-in template is `templates/report.typ`; a team brands the report with
//! its own template, which reads the same `/data.json` (docs/pdf-template.md is the contract).
//!
//! ```no_run
//! # fn demo(report: &zerodock_engine::Report) -> Result<(), zerodock_report::pdf::PdfError> {
//! let bytes = zerodock_report::pdf::render(report, &zerodock_report::pdf::PdfOptions::default())?;
//! std::fs::write("report.pdf", bytes).ok();
//! # Ok(()) }
//! ```

mod markdown;
mod view;
mod world;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Timelike};
use serde::Serialize;
use typst::WorldExt;
use typst::diag::{Severity as DiagSeverity, SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::syntax::Source;
use typst_layout::PagedDocument;
use zerodock_engine::Report;
use zerodock_engine::report;

use self::view::{Limits, View, view};
use self::world::{ReportWorld, file_id};

/// The built-in template, compiled into the binary.
const BUILTIN_TEMPLATE: &str = include_str!("../../templates/report.typ");
/// The name errors in the built-in template are reported under.
const BUILTIN_NAME: &str = "report.typ (built-in)";

/// How to render the PDF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfOptions {
    /// A team's own `.typ` template; `None` uses the built-in one. It may read files next to it
    /// (a logo, an imported `.typ`), never packages (`@preview/…`): there is no network.
    pub template: Option<PathBuf>,
    /// Label/value lines of the signature over the JSON report written beside this PDF (key
    /// fingerprint, report digest, envelope file), shown on the cover; empty: not signed. The
    /// signer computes them from the JSON's bytes, so the PDF names exactly what was signed.
    pub seal: Vec<(String, String)>,
}

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The custom template could not be read.
    #[error("cannot read the PDF template {}: {source}", path.display())]
    TemplateUnreadable {
        /// The template's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The template did not compile; the first error first, each with file and line.
    #[error("{}", TemplateErrors(.0))]
    Template(Vec<TemplateDiagnostic>),
    /// typst could not write the laid-out document as PDF.
    #[error("cannot write the PDF: {0}")]
    Export(String),
    /// The report could not be turned into the template's data (not expected to happen).
    #[error("cannot serialise the report for the PDF template: {0}")]
    Data(#[from] serde_json::Error),
}

/// One error typst reported while compiling a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDiagnostic {
    /// The file: the custom template's path (or a file it imported), `report.typ (built-in)`, or
    /// `/data.json`.
    pub file: String,
    /// 1-based line, when the error points into a file.
    pub line: Option<usize>,
    /// 1-based column, when the error points into a file.
    pub column: Option<usize>,
    /// typst's message.
    pub message: String,
    /// typst's hints, if any.
    pub hints: Vec<String>,
}

impl fmt::Display for TemplateDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        write!(f, ": {}", self.message)?;
        for hint in &self.hints {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Displays a list of diagnostics as "template error at …", one per line.
struct TemplateErrors<'a>(&'a [TemplateDiagnostic]);

impl fmt::Display for TemplateErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in self.0 {
            if !first {
                writeln!(f)?;
            }
            write!(f, "PDF template error: {d}")?;
            first = false;
        }
        if first {
            write!(f, "PDF template error (typst gave no detail)")?;
        }
        Ok(())
    }
}

/// What `/data.json` holds: the report (as is for a custom template, [`BuiltinReport`] for the
/// built-in one), and the view the built-in template reads.
#[derive(Serialize)]
struct Data<'a, R: Serialize> {
    report: &'a R,
    view: View,
}

/// The report as the built-in template gets it: every field, but each check's `findings` empty.
/// The template reads findings from `view` (ordered and truncated), never from the report, and on
/// a giant host they are nearly all of it (27 of 28 MB of JSON at 1000 containers): typst parsing
/// them into its own values was the largest part of a PDF's peak memory. A custom template still
/// gets the whole report (docs/pdf-template.md). `same_json_as_the_report_but_findings` keeps this
/// mirror in step with [`Report`].
#[derive(Serialize)]
struct BuiltinReport<'a> {
    schema_version: u32,
    tool: &'a report::ToolInfo,
    generated_at: &'a chrono::DateTime<chrono::Utc>,
    subject: &'a report::Subject,
    score: Option<u8>,
    grade: report::Grade,
    #[serde(skip_serializing_if = "Option::is_none")]
    grade_cap: &'a Option<String>,
    categories: &'a [report::CategoryScore],
    counts: &'a report::Counts,
    checks: Vec<CheckWithoutFindings<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    waivers: &'a [report::WaiverUse],
    inventory: &'a report::Inventory,
    #[serde(skip_serializing_if = "Option::is_none")]
    daemon_json_plan: &'a Option<report::DaemonJsonPlan>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    risks: &'a [report::Risk],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    score_if_fixed_by_severity: &'a std::collections::BTreeMap<report::Severity, u8>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    identity: &'a [report::IdentityFact],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerabilities: &'a Option<zerodock_engine::snapshot::VulnScan>,
}

/// A [`report::CheckResult`] with an empty `findings` list (see [`BuiltinReport`]).
#[derive(Serialize)]
struct CheckWithoutFindings<'a> {
    id: &'a str,
    slug: &'a str,
    title: &'a str,
    category: &'a report::Category,
    severity: report::Severity,
    status: report::Status,
    summary: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    rationale: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    remediation: &'a str,
    references: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    doc_url: &'a Option<String>,
    findings: [(); 0],
    #[serde(skip_serializing_if = "Option::is_none")]
    score_if_fixed: Option<u8>,
}

impl<'a> BuiltinReport<'a> {
    fn new(r: &'a Report) -> Self {
        let checks = r
            .checks
            .iter()
            .map(|c| CheckWithoutFindings {
                id: &c.id,
                slug: &c.slug,
                title: &c.title,
                category: &c.category,
                severity: c.severity,
                status: c.status,
                summary: &c.summary,
                rationale: &c.rationale,
                remediation: &c.remediation,
                references: &c.references,
                doc_url: &c.doc_url,
                findings: [],
                score_if_fixed: c.score_if_fixed,
            })
            .collect();
        BuiltinReport {
            schema_version: r.schema_version,
            tool: &r.tool,
            generated_at: &r.generated_at,
            subject: &r.subject,
            score: r.score,
            grade: r.grade,
            grade_cap: &r.grade_cap,
            categories: &r.categories,
            counts: &r.counts,
            checks,
            waivers: &r.waivers,
            inventory: &r.inventory,
            daemon_json_plan: &r.daemon_json_plan,
            risks: &r.risks,
            score_if_fixed_by_severity: &r.score_if_fixed_by_severity,
            identity: &r.identity,
            notes: &r.notes,
            vulnerabilities: &r.vulnerabilities,
        }
    }
}

/// Renders `report` as a PDF document.
pub fn render(report: &Report, options: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    render_with(report, options, Limits::default())
}

/// [`render`] with explicit truncation limits.
fn render_with(report: &Report, options: &PdfOptions, limits: Limits) -> Result<Vec<u8>, PdfError> {
    let world = world(report, options, limits)?;
    let Warned { output, warnings: _ } = typst::compile::<PagedDocument>(&world);
    // typst memoises layout in a process-wide cache that only grows. A report is rendered once
    // (an export, a CLI run), so keeping it would only hold memory in the long-running desktop
    // app: empty it. Cost: every render is a cold one (benches/pdf.rs measures that).
    typst::comemo::evict(0);
    let document = output.map_err(|errors| template_error(&world, &errors))?;
    let generated = report.generated_at;
    let timestamp = Datetime::from_ymd_hms(
        generated.year(),
        u8::try_from(generated.month()).unwrap_or(1),
        u8::try_from(generated.day()).unwrap_or(1),
        u8::try_from(generated.hour()).unwrap_or(0),
        u8::try_from(generated.minute()).unwrap_or(0),
        u8::try_from(generated.second()).unwrap_or(0),
    );
    let pdf_options = typst_pdf::PdfOptions {
        // Stable across renders of the same report, so the same report gives the same file.
        ident: Smart::Custom(format!("zerodock-{}", report.generated_at.to_rfc3339())),
        creator: Smart::Custom(Some(format!("{} {}", report.tool.name, report.tool.version))),
        timestamp: timestamp.map(typst_pdf::Timestamp::new_utc),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &pdf_options).map_err(|errors| {
        PdfError::Export(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}

/// The world one render compiles in.
fn world(report: &Report, options: &PdfOptions, limits: Limits) -> Result<ReportWorld, PdfError> {
    let mut view = view(report, limits);
    view.seal = options.seal.iter().map(|(k, v)| [k.clone(), v.clone()]).collect();
    let data = match options.template {
        None => serde_json::to_string(&Data { report: &BuiltinReport::new(report), view })?,
        Some(_) => serde_json::to_string(&Data { report, view })?,
    };
    // Text from the engine may hold bidirectional overrides and controls: the PDF shows them as
    // `⟨U+202E⟩`, as the terminal, HTML and Markdown reports do (docs/security.md).
    // Zero-width spaces are kept: `view::breakable` inserts them, after revealing the text.
    let data = match crate::reveal::reveal_json(&data, Some('\u{200b}')) {
        std::borrow::Cow::Borrowed(_) => data.into_bytes(),
        std::borrow::Cow::Owned(shown) => shown.into_bytes(),
    };
    let generated = report.generated_at;
    let today = Datetime::from_ymd(
        generated.year(),
        u8::try_from(generated.month()).unwrap_or(1),
        u8::try_from(generated.day()).unwrap_or(1),
    );
    // Constant paths: typst only refuses backslashes and paths climbing out of the root.
    let internal = || PdfError::Export("internal error: a constant typst path was refused".to_owned());
    let data_id = file_id(world::DATA_PATH).ok_or_else(internal)?;
    let (main, root) = match &options.template {
        None => {
            (Source::new(file_id("/report.typ").ok_or_else(internal)?, BUILTIN_TEMPLATE.to_owned()), None)
        }
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| PdfError::TemplateUnreadable { path: path.clone(), source })?;
            // The main file is named after the template, so typst's own messages name it too.
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("template.typ");
            let id = file_id(&format!("/{}", name.replace('\\', "_")))
                .or_else(|| file_id("/template.typ"))
                .ok_or_else(internal)?;
            let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
            (Source::new(id, text), Some(root))
        }
    };
    Ok(ReportWorld::new(main, data_id, data, root, today))
}

/// Turns typst's errors into [`PdfError::Template`] with file and line for each.
fn template_error(world: &ReportWorld, errors: &[SourceDiagnostic]) -> PdfError {
    use typst::World;
    let main = world.main();
    let diagnostics = errors
        .iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .map(|d| {
            let id = d.span.id();
            let file = match id {
                Some(id) if id == main => match world.root() {
                    Some(root) => root.join(id.vpath().get_without_slash()).display().to_string(),
                    None => BUILTIN_NAME.to_owned(),
                },
                Some(id) => match world.root() {
                    Some(root) if id.vpath().get_with_slash() != world::DATA_PATH => {
                        root.join(id.vpath().get_without_slash()).display().to_string()
                    }
                    _ => id.vpath().get_with_slash().to_owned(),
                },
                None => match world.root() {
                    Some(root) => root.join(main.vpath().get_without_slash()).display().to_string(),
                    None => BUILTIN_NAME.to_owned(),
                },
            };
            let position = id.zip(world.range(d.span)).and_then(|(id, range)| {
                match world.source(id) {
                    Ok(source) => source.lines().byte_to_line_column(range.start),
                    // A data file such as /data.json: count lines in its bytes.
                    Err(_) => world.file(id).ok().map(|bytes| {
                        let before = &bytes.as_slice()[..range.start.min(bytes.len())];
                        let line = before.iter().filter(|&&b| b == b'\n').count();
                        let column = before.iter().rev().take_while(|&&b| b != b'\n').count();
                        (line, column)
                    }),
                }
            });
            TemplateDiagnostic {
                file,
                line: position.map(|(l, _)| l + 1),
                column: position.map(|(_, c)| c + 1),
                message: d.message.to_string(),
                hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect();
    PdfError::Template(diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_report() -> Report {
        fixture("default")
    }

    fn fixture(name: &str) -> Report {
        let path = format!("{}/../engine/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let snap = zerodock_engine::Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture"))
            .expect("snapshot");
        zerodock_engine::evaluate(&snap, &zerodock_engine::EvalConfig::at(snap.collected_at))
    }

    #[test]
    fn the_built_in_template_compiles_without_warnings() {
        // `vulns` has the vulnerability section, `default` does not: both paths of the template.
        for name in ["default", "vulns"] {
            let report = fixture(name);
            let world = world(&report, &PdfOptions::default(), Limits::default()).expect("world");
            let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
            let messages: Vec<String> = warnings.iter().map(|w| w.message.to_string()).collect();
            assert!(output.is_ok(), "{}", template_error(&world, &output.err().unwrap_or_default()));
            assert!(messages.is_empty(), "{name}: typst warnings: {messages:?}");
        }
    }

    #[test]
    fn same_json_as_the_report_but_findings() {
        // The built-in template's copy of the report must follow every field of `Report`.
        for name in ["default", "vulns", "swarm"] {
            let report = fixture(name);
            let mut want = serde_json::to_value(&report).expect("json");
            for check in want["checks"].as_array_mut().expect("checks") {
                check["findings"] = serde_json::json!([]);
            }
            let got = serde_json::to_value(BuiltinReport::new(&report)).expect("json");
            assert!(got == want, "{name}: BuiltinReport differs from the report beyond its findings");
        }
    }

    #[test]
    fn the_same_report_gives_the_same_bytes() {
        let report = fixture_report();
        let a = render(&report, &PdfOptions::default()).expect("pdf");
        let b = render(&report, &PdfOptions::default()).expect("pdf");
        assert!(a.starts_with(b"%PDF-"));
        assert!(a == b, "rendering is deterministic");
    }
}
