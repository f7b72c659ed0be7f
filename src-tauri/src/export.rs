//! Exporting the current report: Rust opens the native save dialog (the webview has no dialog or
//! filesystem permission), `zerodock_report::export` renders and writes atomically. Used by the
//! `export_report` command. **Sign** is the CLI's `--sign`, through the same code
//! (`zerodock_report::signed`): the JSON report first (the export itself, or its `.json` twin
//! beside a PDF or HTML), then the PDF/HTML with the "Signed report" seal, then the envelope.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use zerodock_engine::Report;
use zerodock_report::export::{ExportOptions, export_to};
use zerodock_report::signed::{SignError, Signing};
use zerodock_store::secrets::Secrets;
use zerodock_store::signing::ReportSigner;

use crate::core::Core;
use crate::error::{CommandError, ErrorCode};
use crate::state::{ExportFormat, ExportResult, ExportSignature};

/// Asks where to save, then writes the current report there (signed when `sign`). `Ok(None)`: the
/// user cancelled.
pub async fn export<R: Runtime>(
    app: &AppHandle<R>,
    format: ExportFormat,
    sign: bool,
) -> Result<Option<ExportResult>, CommandError> {
    let core = Core::of(app);
    let report = core.report().ok_or_else(|| {
        CommandError::new(ErrorCode::ScanFailed, "There is no report to export yet: wait for the first scan.")
    })?;
    if sign {
        signable(format)?;
    }
    let Some(path) = ask_path(app, format, &report).await? else { return Ok(None) };
    let result = if sign {
        let target = path.clone();
        // The keyring answers over D-Bus and the PDF renders for a while: not on an async worker.
        tauri::async_runtime::spawn_blocking(move || {
            let (secrets, _) = Secrets::open().map_err(|e| {
                CommandError::new(ErrorCode::ExportFailed, format!("Signing needs the OS keyring: {e}"))
            })?;
            write_signed(&target, format, &report, &secrets)
        })
        .await
        .map_err(|e| CommandError::internal(format!("The signed export stopped: {e}")))??
    } else {
        write(&path, format, &report)?
    };
    if let Some(signature) = &result.signature {
        core.remember_export(PathBuf::from(&signature.json_path));
        core.remember_export(PathBuf::from(&signature.envelope_path));
    }
    core.remember_export(path);
    Ok(Some(result))
}

/// Renders and writes `report` to `path`.
pub fn write(path: &Path, format: ExportFormat, report: &Report) -> Result<ExportResult, CommandError> {
    export_to(path, format, report, &ExportOptions::default())
        .map_err(|e| CommandError::export_failed(path, e))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).map_err(|e| CommandError::export_failed(path, e))?;
    Ok(ExportResult { path: path.display().to_string(), format, bytes, signature: None })
}

/// Sign covers the formats that carry the signature: the JSON itself, and the PDF and HTML that
/// show its seal.
fn signable(format: ExportFormat) -> Result<(), CommandError> {
    match format {
        ExportFormat::Json | ExportFormat::Pdf | ExportFormat::Html => Ok(()),
        other => Err(CommandError::invalid_argument(format!(
            "{} exports cannot be signed: sign a JSON, PDF or HTML export.",
            other.description()
        ))),
    }
}

/// The JSON report a signed export of `path` signs: `path` itself for JSON, else its `.json` twin
/// beside it (`report.pdf` → `report.json`).
pub fn signed_json_path(path: &Path, format: ExportFormat) -> PathBuf {
    if format == ExportFormat::Json { path.to_owned() } else { path.with_extension("json") }
}

/// Writes `report` to `path` signed with the report-signing key in `secrets` (created on first
/// use), in the CLI's order: the JSON (`path` or its twin), then the PDF/HTML with the seal, then
/// `<json>.dsse.json`. The key is loaded before anything is written, so a keyring failure leaves
/// no unsigned files.
pub fn write_signed(
    path: &Path,
    format: ExportFormat,
    report: &Report,
    secrets: &Secrets,
) -> Result<ExportResult, CommandError> {
    signable(format)?;
    let (signer, created) = ReportSigner::load_or_create(secrets).map_err(|e| {
        CommandError::new(ErrorCode::ExportFailed, format!("Cannot load the report-signing key: {e}"))
    })?;
    let json = signed_json_path(path, format);
    let signing = Signing::new(vec![json.clone()], signer);
    let options = ExportOptions::default();
    let rest = (format != ExportFormat::Json).then_some(|seal| {
        export_to(path, format, report, &ExportOptions { seal, ..ExportOptions::default() })
            .map_err(SignError::from)
    });
    let signed = signing
        .emit(
            report,
            || export_to(&json, ExportFormat::Json, report, &options).map_err(SignError::from),
            rest,
        )
        .map_err(|e| CommandError::export_failed(path, e))?;
    let done = signed.into_iter().next().ok_or_else(|| CommandError::internal("Nothing was signed."))?;
    let mut result = write_result(path, format)?;
    result.signature = Some(ExportSignature {
        json_path: done.json.display().to_string(),
        envelope_path: done.envelope.display().to_string(),
        key_fingerprint: done.key_fingerprint,
        report_sha256: done.report_sha256,
        key_created: created,
        keyring: secrets.kind().as_str().to_owned(),
    });
    if created {
        tracing::info!(key = %result.signature.as_ref().map_or("", |s| s.key_fingerprint.as_str()), store = %secrets.kind(), "created the report-signing key");
    }
    Ok(result)
}

fn write_result(path: &Path, format: ExportFormat) -> Result<ExportResult, CommandError> {
    let bytes = std::fs::metadata(path).map(|m| m.len()).map_err(|e| CommandError::export_failed(path, e))?;
    Ok(ExportResult { path: path.display().to_string(), format, bytes, signature: None })
}

/// A file name that says what and when: `zerodock-<host>-<date>.<ext>`.
pub fn default_file_name(format: ExportFormat, report: &Report) -> String {
    let host: String = report
        .subject
        .host
        .as_ref()
        .map(|h| h.hostname.as_str())
        .unwrap_or("docker")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    let date = report.generated_at.format("%Y-%m-%d");
    format!("zerodock-{host}-{date}.{}", format.extension())
}

async fn ask_path<R: Runtime>(
    app: &AppHandle<R>,
    format: ExportFormat,
    report: &Report,
) -> Result<Option<PathBuf>, CommandError> {
    let fmt = format;
    let mut dialog = app
        .dialog()
        .file()
        .set_title(format!("Export {}", fmt.description()))
        .set_file_name(default_file_name(format, report))
        .add_filter(fmt.description(), &[fmt.extension()]);
    if let Ok(dir) = app.path().document_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(dir);
    }
    // The blocking variant must not run on the main thread (it would wait for itself).
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(|e| CommandError::internal(format!("The save dialog failed: {e}")))?;
    let Some(picked) = picked else { return Ok(None) };
    let mut path = picked
        .into_path()
        .map_err(|e| CommandError::new(ErrorCode::ExportFailed, format!("Cannot save there: {e}")))?;
    if path.extension().is_none() {
        path.set_extension(fmt.extension());
    }
    Ok(Some(path))
}

/// Shows a file of this session in the file manager.
pub fn reveal<R: Runtime>(app: &AppHandle<R>, path: &str) -> Result<(), CommandError> {
    use tauri_plugin_opener::OpenerExt;
    let path = PathBuf::from(path);
    if !Core::of(app).was_exported(&path) {
        return Err(CommandError::invalid_argument(format!(
            "{} was not exported in this session; only those files can be revealed.",
            path.display()
        )));
    }
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| CommandError::internal(format!("Cannot show {}: {e}", path.display())))
}
