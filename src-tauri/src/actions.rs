//! What commands and the tray's messages do, in one place: a state from the tray ends in
//! [`on_state`] (mirror + `state-changed` event); what the user changes (scan, pause, settings) is
//! asked of the tray, which owns the watcher and the settings, and comes back as a state.

use tauri::{AppHandle, Emitter, Runtime};
use zerodock_engine::Progress;
use zerodock_tray::ipc::{FindingRef, Request};

use crate::core::Core;
use crate::error::CommandError;
use crate::state::{AppState, Settings};
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
