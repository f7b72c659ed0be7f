//! ZeroDock's desktop app: a thin Tauri 2 shell around the engine. This file only composes plugins,
//! state, commands and the window/tray lifecycle; [`run_app`] takes any runtime so unit tests can
//! pass `tauri::test::mock_builder()`.
//!
//! - `commands`: the webview's IPC (`docs/desktop-ipc.md`), one-line delegations to `actions`.
//! - `monitor`: the engine's watcher → `core` (state) → `actions::publish` (event, tray, log)
//!   and `notify` (new high/critical failures only).
//! - `tray`, `window`, `export`, `settings`: the desktop plumbing.
#![deny(missing_docs)]

pub mod actions;
pub mod bindings;
pub mod commands;
pub mod core;
pub mod error;
pub mod export;
pub mod monitor;
pub mod notify;
pub mod settings;
pub mod state;
pub mod testhook;
pub mod tray;
pub mod window;

use std::path::PathBuf;

use tauri::{App, Builder, Manager, RunEvent, Runtime};
use zerodock_engine::CollectOptions;

/// How the app starts.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Open the dashboard window (off with `--tray`: start at login shows only the tray).
    pub window: bool,
    /// Build the tray icon.
    pub tray: bool,
    /// Start the engine watcher.
    pub watch: bool,
    /// Where settings live (default: the app config directory).
    pub config_dir: Option<PathBuf>,
}

/// The argument start-at-login passes, so login shows the tray only.
pub const TRAY_ONLY_ARG: &str = "--tray";

impl Launch {
    /// The real app, from the command line.
    pub fn from_args() -> Self {
        let tray_only = std::env::args().skip(1).any(|a| a == TRAY_ONLY_ARG);
        Launch { window: !tray_only, tray: true, watch: true, config_dir: None }
    }
}

/// Runs the app; returns the process exit code.
pub fn run() -> i32 {
    let app = match run_app(tauri::Builder::default(), Launch::from_args()).build(tauri::generate_context!())
    {
        Ok(app) => app,
        Err(e) => {
            eprintln!("zerodock-desktop: cannot start: {e}");
            return 2;
        }
    };
    app.run_return(on_run_event)
}

/// Composes plugins, state, commands and startup for any runtime.
pub fn run_app<R: Runtime>(builder: Builder<R>, launch: Launch) -> Builder<R> {
    builder
        // First, so a second launch exits early and just shows the running app's window.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| window::open(app)))
        .plugin(tauri_plugin_autostart::Builder::new().args([TRAY_ONLY_ARG]).app_name("ZeroDock").build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            commands::get_state,
            commands::scan_now,
            commands::set_monitoring,
            commands::update_settings,
            commands::export_report,
            commands::reveal_path,
        ])
        .setup(move |app| setup(app, &launch))
}

fn setup<R: Runtime>(app: &mut App<R>, launch: &Launch) -> Result<(), Box<dyn std::error::Error>> {
    let config_dir = match &launch.config_dir {
        Some(dir) => dir.clone(),
        None => app.path().app_config_dir()?,
    };
    let settings_path = settings::path_in(&config_dir);
    let loaded = settings::load(&settings_path);
    let collect = CollectOptions::from_env();
    let endpoint = collect.as_ref().map(|c| c.endpoint.host.clone()).unwrap_or_default();
    let core = core::Core::new(endpoint, loaded, Some(settings_path));
    if let Err(e) = &collect {
        core.set_endpoint_error(e.to_string());
    }
    app.manage(core);
    let handle = app.handle();
    if launch.tray {
        tray::build(handle, &actions::core(handle).snapshot())?;
    }
    if launch.window {
        window::open(handle);
    }
    match collect {
        Ok(collect) if launch.watch => monitor::start(handle, collect),
        Ok(_) => {}
        Err(e) => {
            actions::publish(handle, &format!("no engine endpoint: {e}"));
        }
    }
    Ok(())
}

/// Keeps the app alive in the tray when its last window closes; only Quit (or a signal) ends it.
pub fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    if let RunEvent::ExitRequested { api, code, .. } = event {
        // `code` is None when the last window closed, Some when `exit` was called.
        if code.is_none() && !actions::core(app).is_quitting() {
            api.prevent_exit();
        }
    }
}

#[cfg(test)]
mod tests;
