//! What commands, tray items and watcher updates do, in one place so every path behaves the same:
//! every change of state ends in [`publish`] (event to the webview, tray refresh, test hook, one log
//! line). The tray only reports what was chosen ([`on_tray_menu`] is its handler); this module
//! decides what that does.

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;
use zerodock_engine::collect::watch::WatchUpdate;

use crate::core::Core;
use crate::error::CommandError;
use crate::export;
use crate::notify;
use crate::state::{AppState, ExportFormat, Settings};
#[cfg(feature = "test-hooks")]
use crate::testhook;
use crate::tray::{self, MenuAction};
use crate::window;

/// The event carrying [`AppState`].
pub const STATE_CHANGED: &str = "state-changed";
/// The event carrying the engine's scan progress (`zerodock_engine::Progress`).
pub const SCAN_PROGRESS: &str = "scan-progress";

/// Tells the webview and the tray about the current state.
pub fn publish<R: Runtime>(app: &AppHandle<R>, why: &str) -> AppState {
    let state = Core::of(app).snapshot();
    tracing::info!(
        tray = state.tray.as_str(),
        score = state.report.as_ref().and_then(|r| r.score),
        engine = ?state.engine.state,
        scanning = state.scanning,
        paused = state.paused,
        "{why}"
    );
    if let Err(e) = app.emit(STATE_CHANGED, &state) {
        tracing::warn!("cannot emit {STATE_CHANGED}: {e}");
    }
    tray::show(app, &state);
    #[cfg(feature = "test-hooks")]
    testhook::record_tray(&state);
    state
}

/// Does what the user chose in the tray menu (the handler given to [`tray::build`]).
pub fn on_tray_menu<R: Runtime>(app: &AppHandle<R>, action: MenuAction) {
    let _span = tracing::info_span!("tray", ?action).entered();
    match action {
        MenuAction::OpenDashboard => window::open(app),
        MenuAction::ScanNow => {
            if let Err(e) = scan_now(app) {
                tracing::warn!("scan now: {e}");
            }
        }
        MenuAction::SetPaused(paused) => {
            set_paused(app, paused);
        }
        MenuAction::ExportPdf => export::from_tray(app, ExportFormat::Pdf),
        MenuAction::SetStartAtLogin(wanted) => {
            let settings = Settings { start_at_login: wanted, ..Core::of(app).settings() };
            if let Err(e) = update_settings(app, settings) {
                tracing::warn!("start at login: {e}");
                // Put the check mark back to what is true.
                publish(app, "start at login unchanged");
            }
        }
        MenuAction::Quit => quit(app),
    }
}

/// Applies one update of the engine's watcher and publishes what changed: progress to the webview,
/// the new state everywhere, a notification for new high/critical failures.
pub fn on_watch_update<R: Runtime>(app: &AppHandle<R>, update: WatchUpdate) {
    let effects = Core::of(app).apply(update);
    if let Some(progress) = &effects.progress
        && let Err(e) = app.emit(SCAN_PROGRESS, progress)
    {
        tracing::warn!("cannot emit {SCAN_PROGRESS}: {e}");
    }
    if effects.state_changed {
        publish(app, effects.log.as_deref().unwrap_or("state changed"));
    }
    notify::show(app, &effects.notify);
}

/// Asks for a full rescan.
pub fn scan_now<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    Core::of(app).scan_now()
}

/// Pauses or resumes monitoring.
pub fn set_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> AppState {
    Core::of(app).set_paused(paused);
    publish(app, if paused { "monitoring paused" } else { "monitoring resumed" })
}

/// Applies new settings: the autostart entry first (it can fail), then persistence and the watcher.
pub fn update_settings<R: Runtime>(app: &AppHandle<R>, settings: Settings) -> Result<Settings, CommandError> {
    settings.validate()?;
    let before = Core::of(app).settings();
    if settings.start_at_login != before.start_at_login {
        set_autostart(app, settings.start_at_login)?;
    }
    let saved = Core::of(app).set_settings(settings)?;
    publish(app, "settings changed");
    Ok(saved)
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
    Core::of(app).set_quitting();
    app.exit(0);
}
