//! What commands and tray items do, in one place so both paths behave the same: every change of
//! state ends in [`publish`] (event to the webview, tray refresh, test hook, one stderr line).

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::core::Core;
use crate::error::CommandError;
use crate::state::{AppState, Settings};

/// The event carrying [`AppState`].
pub const STATE_CHANGED: &str = "state-changed";
/// The event carrying [`crate::state::ScanProgress`].
pub const SCAN_PROGRESS: &str = "scan-progress";

/// The shared core.
pub fn core<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Core> {
    app.state::<Core>()
}

/// Tells the webview and the tray about the current state.
pub fn publish<R: Runtime>(app: &AppHandle<R>, why: &str) -> AppState {
    let state = core(app).snapshot();
    eprintln!(
        "zerodock-desktop: {why} -> tray={} score={} engine={:?}{}{}",
        state.tray.as_str(),
        state.report.as_ref().and_then(|r| r.score).map_or_else(|| "-".to_owned(), |s| s.to_string()),
        state.engine.state,
        if state.scanning { " scanning" } else { "" },
        if state.paused { " paused" } else { "" },
    );
    if let Err(e) = app.emit(STATE_CHANGED, &state) {
        eprintln!("zerodock-desktop: cannot emit {STATE_CHANGED}: {e}");
    }
    crate::tray::show(app, &state);
    state
}

/// Asks for a full rescan.
pub fn scan_now<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    core(app).scan_now()
}

/// [`scan_now`] for the tray, where an error can only be logged.
pub fn scan_now_logged<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = scan_now(app) {
        eprintln!("zerodock-desktop: scan now: {e}");
    }
}

/// Pauses or resumes monitoring.
pub fn set_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> AppState {
    core(app).set_paused(paused);
    publish(app, if paused { "monitoring paused" } else { "monitoring resumed" })
}

/// Applies new settings: the autostart entry first (it can fail), then persistence and the watcher.
pub fn update_settings<R: Runtime>(app: &AppHandle<R>, settings: Settings) -> Result<Settings, CommandError> {
    settings.validate()?;
    let before = core(app).settings();
    if settings.start_at_login != before.start_at_login {
        set_autostart(app, settings.start_at_login)?;
    }
    let saved = core(app).set_settings(settings)?;
    publish(app, "settings changed");
    Ok(saved)
}

/// The tray's "Start at login" checkbox.
pub fn set_start_at_login_from_tray<R: Runtime>(app: &AppHandle<R>, wanted: bool) {
    let settings = Settings { start_at_login: wanted, ..core(app).settings() };
    if let Err(e) = update_settings(app, settings) {
        eprintln!("zerodock-desktop: start at login: {e}");
        // Put the check mark back to what is true.
        publish(app, "start at login unchanged");
    }
}

fn set_autostart<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<(), CommandError> {
    let manager = app
        .try_state::<AutoLaunchManager>()
        .ok_or_else(|| CommandError::internal("Start at login is not available on this system."))?;
    let result = if enabled { manager.enable() } else { manager.disable() };
    result.map_err(|e| CommandError::internal(format!("Could not change start at login: {e}")))
}

/// Quits for real (closing the window only hides the app in the tray).
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    core(app).set_quitting();
    app.exit(0);
}
