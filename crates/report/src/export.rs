//! One entry point for every file format a report is exported to, shared by the CLI
//! (`zerodock scan -o …`, `zerodock report`) and the desktop app's "Export" command: pick a format
//! (by name or file extension), render it, and write the file atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zerodock_engine::Report;

/// A file format a report can be exported to. The desktop app's `export_report` takes it as is (its
/// TypeScript comes from this type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The report model itself (docs/report-format.md).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards (docs/sarif.md).
    Sarif,
    /// One self-contained HTML page.
    Html,
    /// A short Markdown summary for pull-request comments and CI job summaries.
    Markdown,
    /// A paginated PDF document.
    Pdf,
}

impl ExportFormat {
    /// Every format, in the order a "Save as" menu lists them.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Pdf,
        ExportFormat::Html,
        ExportFormat::Markdown,
        ExportFormat::Sarif,
        ExportFormat::Json,
    ];

    /// The format a file name asks for: `.json`, `.sarif` / `.sarif.json`, `.html` / `.htm`, `.md` /
    /// `.markdown`, `.pdf` (case-insensitive). `None` for anything else (`.txt` is the CLI's text
    /// checklist, not an export format).
    pub fn from_extension(path: &Path) -> Option<ExportFormat> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        // `.sarif.json` first: it also ends in `.json`.
        if name.ends_with(".sarif.json") || name.ends_with(".sarif") {
            return Some(ExportFormat::Sarif);
        }
        match Path::new(&name).extension()?.to_str()? {
            "json" => Some(ExportFormat::Json),
            "html" | "htm" => Some(ExportFormat::Html),
            "md" | "markdown" => Some(ExportFormat::Markdown),
            "pdf" => Some(ExportFormat::Pdf),
            _ => None,
        }
    }

    /// Lower-case name, as on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Sarif => "sarif",
            ExportFormat::Html => "html",
            ExportFormat::Markdown => "markdown",
            ExportFormat::Pdf => "pdf",
        }
    }

    /// The usual file extension, without the dot (`sarif` rather than `sarif.json`).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Sarif => "sarif",
            ExportFormat::Html => "html",
            ExportFormat::Markdown => "md",
            ExportFormat::Pdf => "pdf",
        }
    }

    /// A name for a file dialog's filter.
    pub fn description(self) -> &'static str {
        match self {
            ExportFormat::Json => "ZeroDock report (JSON)",
            ExportFormat::Sarif => "SARIF 2.1.0",
            ExportFormat::Html => "HTML page",
            ExportFormat::Markdown => "Markdown summary",
            ExportFormat::Pdf => "PDF document",
        }
    }

    /// Whether the output is binary (not to be printed on a terminal).
    pub fn is_binary(self) -> bool {
        self == ExportFormat::Pdf
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "md" => return Ok(ExportFormat::Markdown),
            "htm" => return Ok(ExportFormat::Html),
            _ => {}
        }
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == lower).ok_or_else(|| {
            format!("unknown export format `{s}` (expected one of json, sarif, html, markdown, pdf)")
        })
    }
}

/// Options that only some formats use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// A custom Typst template for the PDF (its directory may hold the files it reads). Other
    /// formats ignore it.
    pub template: Option<PathBuf>,
    /// The signature over the JSON report, as label/value lines for the PDF and HTML to show
    /// (see [`crate::pdf::PdfOptions::seal`]); empty when the report is not signed.
    pub seal: Vec<(String, String)>,
}

/// Why an export failed. Messages say what to do, and hold the underlying error's text (none of
/// these has a `source()`, so an error chain never prints the same words twice).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The PDF could not be produced (a broken custom template, most often).
    #[error("cannot render the PDF: {0}")]
    Pdf(crate::pdf::PdfError),
    /// Serialising the report failed (an I/O error while streaming it, usually).
    #[error("cannot render the {format} report: {error}")]
    Render {
        /// The format being rendered.
        format: ExportFormat,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The file could not be written; nothing was left at `path` (a previous file there is intact).
    #[error("cannot write {}: {}{}", path.display(), error, write_hint(error))]
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The path names no file (it ends in `/` or `..`, or is empty).
    #[error("{} is not a file name: give a path such as report.html", path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
}

impl From<crate::pdf::PdfError> for ExportError {
    fn from(error: crate::pdf::PdfError) -> Self {
        ExportError::Pdf(error)
    }
}

impl ExportError {
    /// The I/O error underneath, if any (a closed pipe is not a failure for a CLI).
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match self {
            ExportError::Render { error, .. } | ExportError::Write { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What to do about a write error, by kind: the raw OS message rarely says.
fn write_hint(err: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::PermissionDenied | K::ReadOnlyFilesystem => {
            " (choose a directory you can write to, or fix its permissions)"
        }
        K::NotFound => " (the directory does not exist: create it first)",
        K::NotADirectory => " (a part of the path is a file, not a directory)",
        K::IsADirectory | K::DirectoryNotEmpty => " (a directory is in the way: choose another file name)",
        K::StorageFull | K::QuotaExceeded => " (the disk is full: free some space or write elsewhere)",
        _ => "",
    }
}

/// Renders `report` in `format` into memory. A PDF is binary; every other format is UTF-8 text.
pub fn render(
    format: ExportFormat,
    report: &Report,
    options: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let mut buf = Vec::new();
    write(format, report, options, &mut buf)?;
    Ok(buf)
}

/// Renders `report` in `format` to `out`. JSON and SARIF are streamed (at 1000 containers they are
/// ~20 MB and ~13 MB, never built as one string); the other formats are rendered, then written.
pub fn write(
    format: ExportFormat,
    report: &Report,
    options: &ExportOptions,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let io = |error| ExportError::Render { format, error };
    match format {
        ExportFormat::Json => {
            let mut out = out;
            crate::json::write(report, &mut out).map_err(io)
        }
        ExportFormat::Sarif => {
            let mut out = out;
            crate::sarif::write(report, &mut out).map_err(io)
        }
        ExportFormat::Html => {
            out.write_all(crate::html::render_sealed(report, &options.seal).as_bytes()).map_err(io)
        }
        ExportFormat::Markdown => out
            .write_all(crate::markdown::render(report, &crate::markdown::Options::default()).as_bytes())
            .map_err(io),
        ExportFormat::Pdf => {
            let pdf = crate::pdf::render(
                report,
                &crate::pdf::PdfOptions { template: options.template.clone(), seal: options.seal.clone() },
            )?;
            out.write_all(&pdf).map_err(io)
        }
    }
}

/// A buffer of its own type between serde_json and `out`: the serializer issues millions of
/// writes of a few bytes, and through `&mut dyn Write` (what [`write_atomic_with`] hands out) each
/// would be a call through a vtable; into a concrete `BufWriter` they are inlined copies. At
/// 10,000 containers (a 270 MB report) this is a measured part of the scan's time
/// (docs/performance.md).
pub(crate) fn buffered<W: Write>(out: W) -> std::io::BufWriter<W> {
    std::io::BufWriter::with_capacity(256 * 1024, out)
}

/// Writes `bytes` to `path` atomically: see [`write_atomic_with`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Renders `report` in `format` straight into `path`, atomically (JSON streams to the file).
pub fn export_to(
    path: &Path,
    format: ExportFormat,
    report: &Report,
    options: &ExportOptions,
) -> Result<(), ExportError> {
    // A PDF is rendered before the file is created, so a template error leaves nothing behind and
    // is reported as a template error, not as a write error. JSON and SARIF stream to the file.
    if !matches!(format, ExportFormat::Json | ExportFormat::Sarif) {
        let bytes = render(format, report, options)?;
        return write_atomic(path, &bytes);
    }
    let mut failed = None;
    let written = write_atomic_with(path, |out| {
        write(format, report, options, out).map_err(|e| {
            let message = e.to_string();
            failed = Some(e);
            std::io::Error::other(message)
        })
    });
    match (written, failed) {
        (Err(_), Some(render_error)) => Err(render_error),
        (result, _) => result,
    }
}

/// Writes a file atomically: `fill` writes into a temporary file in the same directory, which is
/// flushed to disk and renamed over `path`. Readers see the old file or the whole new one, never a
/// part; on any error (disk full, unwritable directory, `fill` failing) the temporary file is
/// removed and a previous file at `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    let wrap = |error| ExportError::Write { path: path.to_owned(), error };
    if path.file_name().is_none() {
        return Err(ExportError::NotAFile { path: path.to_owned() });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".").suffix(".zerodock.tmp");
    // 0644 before the umask, like `File::create`: a report is not more secret than the terminal
    // output it mirrors, and tempfile's default 0600 would surprise whoever shares the file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(dir).map_err(wrap)?;
    // Dropping `tmp` on any early return deletes the temporary file.
    let mut out = std::io::BufWriter::new(tmp);
    fill(&mut out).map_err(wrap)?;
    let tmp = out.into_inner().map_err(|e| wrap(e.into_error()))?;
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    // The rename itself is durable only once the directory is synced; a failure here is not worth
    // failing an export whose file is already complete and in place.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
