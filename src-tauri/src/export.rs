//! Exporting the current report: Rust opens the native save dialog (the webview has no dialog or
//! filesystem permission), `zerodock_report::export` renders and writes atomically. Used by the
//! `export_report` command.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use zerodock_engine::Report;
use zerodock_report::export::{ExportOptions, export_to};

use crate::core::Core;
use crate::error::{CommandError, ErrorCode};
use crate::state::{ExportFormat, ExportResult};

/// Asks where to save, then writes the current report there. `Ok(None)`: the user cancelled.
pub async fn export<R: Runtime>(
    app: &AppHandle<R>,
    format: ExportFormat,
) -> Result<Option<ExportResult>, CommandError> {
    let core = Core::of(app);
    let report = core.report().ok_or_else(|| {
        CommandError::new(ErrorCode::ScanFailed, "There is no report to export yet: wait for the first scan.")
    })?;
    let Some(path) = ask_path(app, format, &report).await? else { return Ok(None) };
    let result = write(&path, format, &report)?;
    core.remember_export(path);
    Ok(Some(result))
}

/// Renders and writes `report` to `path`.
pub fn write(path: &Path, format: ExportFormat, report: &Report) -> Result<ExportResult, CommandError> {
    export_to(path, format, report, &ExportOptions::default())
        .map_err(|e| CommandError::export_failed(path, e))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).map_err(|e| CommandError::export_failed(path, e))?;
    Ok(ExportResult { path: path.display().to_string(), format, bytes })
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
