//! What commands and the tray's messages do, in one place: a state from the tray ends in
//! [`on_state`] (mirror + `state-changed` event); what the user changes (scan, pause, settings) is
//! asked of the tray, which owns the watcher and the settings, and comes back as a state.

use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Runtime};
use zerodock_engine::Progress;

use zerodock_tray::engines::{NewEngine, Pem, TlsMaterial};
use zerodock_tray::history::ScanId;
use zerodock_tray::ipc::{FindingRef, Request};

use crate::core::Core;
use crate::error::CommandError;
use crate::state::{AppState, EngineChoice, EngineList, HistoryList, ScanDiff, Settings};
use crate::state::{WaiverChange, WaiverInput};
use crate::window;

/// The event carrying [`AppState`].
pub const STATE_CHANGED: &str = "state-changed";
/// The event carrying the engine's scan progress (`zerodock_engine::Progress`).
pub const SCAN_PROGRESS: &str = "scan-progress";
/// The event asking the UI to show one finding (`{ check, target }`), from a notification click.
pub const FOCUS_FINDING: &str = "focus-finding";

/// Takes a state from the tray and tells the webview.
pub fn on_state<R: Runtime>(app: &AppHandle<R>, state: AppState) {
    tracing::debug!(tray = state.tray.as_str(), score = state.report.as_ref().and_then(|r| r.score), "state");
    Core::of(app).set_state(state.clone());
    if let Err(e) = app.emit(STATE_CHANGED, &state) {
        tracing::warn!("cannot emit {STATE_CHANGED}: {e}");
    }
}

/// Passes scan progress on to the webview.
pub fn on_progress<R: Runtime>(app: &AppHandle<R>, progress: &Progress) {
    if let Err(e) = app.emit(SCAN_PROGRESS, progress) {
        tracing::warn!("cannot emit {SCAN_PROGRESS}: {e}");
    }
}

/// Brings the window up (a second "Open dashboard"), on `finding` when a notification named one.
pub fn focus<R: Runtime>(app: &AppHandle<R>, finding: Option<FindingRef>) {
    window::open(app);
    if let Some(finding) = finding
        && let Err(e) = app.emit(FOCUS_FINDING, &finding)
    {
        tracing::warn!("cannot emit {FOCUS_FINDING}: {e}");
    }
}

/// Asks the tray for a full rescan.
pub fn scan_now<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    Core::of(app).request(Request::ScanNow).map(|_| ())
}

/// Asks the tray to read every image in use and match it against the vulnerability database
/// (`zerodock_tray::vulns`); the report with the vulnerability part arrives as a state before this
/// returns. Blocks until the tray answers (see `commands::scan_images`).
pub fn scan_images<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    Core::of(app).request_within(Request::ScanImages, crate::core::IMAGE_SCAN_TIMEOUT).map(|_| ())
}

/// Asks the tray to pause or resume monitoring; returns the state it answers with.
pub fn set_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> Result<AppState, CommandError> {
    let value = Core::of(app).request(Request::SetPaused { paused })?;
    let state: AppState = serde_json::from_value(value)
        .map_err(|e| CommandError::internal(format!("unreadable state from the tray: {e}")))?;
    Core::of(app).set_state(state.clone());
    Ok(state)
}

/// Asks the tray to validate, apply and persist settings (the autostart entry is the tray's).
pub fn update_settings<R: Runtime>(app: &AppHandle<R>, settings: Settings) -> Result<Settings, CommandError> {
    // Checked here too, so a bad value is refused even before the tray is asked.
    settings.validate()?;
    let value = Core::of(app).request(Request::UpdateSettings { settings })?;
    serde_json::from_value(value)
        .map_err(|e| CommandError::internal(format!("unreadable settings from the tray: {e}")))
}

/// Asks the tray to accept a risk (a waiver in the policy file it applies); the state with the
/// new policy, then the report judged again with it, arrive as states.
pub fn waive<R: Runtime>(app: &AppHandle<R>, waiver: WaiverInput) -> Result<WaiverChange, CommandError> {
    // Checked here too, so an empty reason is refused before the tray is asked.
    if waiver.reason.trim().is_empty() {
        return Err(CommandError::invalid_argument("Say why the risk is accepted: the reason is required."));
    }
    let value = Core::of(app).request(Request::Waive { waiver })?;
    serde_json::from_value(value)
        .map_err(|e| CommandError::internal(format!("unreadable waiver change from the tray: {e}")))
}

/// Asks the tray to remove the waiver for `check` and `target` (`None`: every object).
pub fn unwaive<R: Runtime>(
    app: &AppHandle<R>,
    check: String,
    target: Option<String>,
) -> Result<WaiverChange, CommandError> {
    let value = Core::of(app).request(Request::Unwaive { check, target })?;
    serde_json::from_value(value)
        .map_err(|e| CommandError::internal(format!("unreadable waiver change from the tray: {e}")))
}

/// Reads the tray's answer as `T`.
fn answer<T: serde::de::DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T, CommandError> {
    serde_json::from_value(value)
        .map_err(|e| CommandError::internal(format!("unreadable {what} from the tray: {e}")))
}

/// Asks the tray's history for the saved scans of `engine`.
pub fn list_history<R: Runtime>(
    app: &AppHandle<R>,
    engine: Option<String>,
    limit: Option<u32>,
) -> Result<HistoryList, CommandError> {
    answer(Core::of(app).request(Request::History { engine, limit })?, "history")
}

/// Asks the tray's history what changed between two saved scans.
pub fn history_diff<R: Runtime>(
    app: &AppHandle<R>,
    from: i64,
    to: Option<i64>,
) -> Result<ScanDiff, CommandError> {
    let (from, to) = (ScanId(from), to.map(ScanId));
    answer(Core::of(app).request(Request::HistoryDiff { from, to })?, "diff")
}

/// Asks the tray for the engines its switcher offers.
pub fn list_engines<R: Runtime>(app: &AppHandle<R>) -> Result<EngineList, CommandError> {
    answer(Core::of(app).request(Request::Engines)?, "engine list")
}

/// Asks the tray to watch another engine; returns the state it answers with (the new engine
/// connecting, no report yet).
pub fn select_engine<R: Runtime>(app: &AppHandle<R>, id: Option<String>) -> Result<AppState, CommandError> {
    let state: AppState = answer(Core::of(app).request(Request::SelectEngine { id })?, "state")?;
    Core::of(app).set_state(state.clone());
    Ok(state)
}

/// Adds an engine through the tray; for TLS, reads the three PEM files from the folder the user
/// picks in a native dialog (`None`: cancelled).
pub async fn add_engine<R: Runtime>(
    app: &AppHandle<R>,
    name: String,
    host: String,
    tls: bool,
) -> Result<Option<EngineChoice>, CommandError> {
    let tls = if tls {
        let Some(dir) = pick_tls_dir(app).await? else { return Ok(None) };
        Some(read_tls_dir(&dir)?)
    } else {
        None
    };
    let engine = NewEngine { name, host, tls };
    answer(Core::of(app).request(Request::AddEngine { engine })?, "engine").map(Some)
}

/// Asks the tray to remove an added engine.
pub fn remove_engine<R: Runtime>(app: &AppHandle<R>, id: String) -> Result<EngineList, CommandError> {
    answer(Core::of(app).request(Request::RemoveEngine { id })?, "engine list")
}

/// The folder dialog for an engine's TLS files (`DOCKER_CERT_PATH` layout).
async fn pick_tls_dir<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file().set_title("Folder with ca.pem, cert.pem and key.pem");
    // The blocking variant must not run on the main thread (it would wait for itself).
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder())
        .await
        .map_err(|e| CommandError::internal(format!("The folder dialog failed: {e}")))?;
    picked
        .map(|p| {
            p.into_path().map_err(|e| CommandError::invalid_argument(format!("Cannot use that folder: {e}")))
        })
        .transpose()
}

/// Reads `ca.pem`, `cert.pem` and `key.pem` from `dir`; the key goes to the tray (and from there
/// to the keyring), never back to the webview.
pub fn read_tls_dir(dir: &Path) -> Result<TlsMaterial, CommandError> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map(Pem).map_err(|e| {
            CommandError::invalid_argument(format!("{} cannot be read: {e}", dir.join(name).display()))
        })
    };
    Ok(TlsMaterial { ca: read("ca.pem")?, cert: read("cert.pem")?, key: read("key.pem")? })
}
