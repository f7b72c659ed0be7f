//! The dashboard window's lifecycle. Closing it destroys it — the webview and its WebKit processes
//! go away, only the tray stays (a few MB instead of a browser engine) — and "Open dashboard" (tray,
//! second launch) builds it again from the `main` entry of `tauri.conf.json`.

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

/// The window's label, as in `tauri.conf.json` and `capabilities/main.json`.
pub const MAIN: &str = "main";

/// Shows the dashboard, creating it if it was closed.
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = try_open(app) {
        tracing::warn!("cannot open the dashboard: {e}");
    }
}

fn try_open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    window.set_focus()
}
