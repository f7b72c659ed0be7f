//! ZeroDock's desktop app: a thin Tauri 2 shell around the engine. This file only composes plugins,
//! state, commands and the window/tray lifecycle; [`run_app`] takes any runtime so unit tests can
//! pass `tauri::test::mock_builder()`. Logging is `tracing` (filter: `RUST_LOG`, default
//! `zerodock_desktop=info,warn`), with a span per command.
//!
//! The modules, in dependency order: each uses only those above it (`use crate::…`), so there is no
//! import cycle; the tray is a view handed its menu handler, and nothing imports `actions` back but
//! its callers.
//!
//! - `error`: the commands' error (stable code + message); uses nothing.
//! - `state`: the IPC types and the pure mappings (tray state, status line); uses `error`.
//! - `settings`: settings persistence; uses `state`.
//! - `bindings`: the TypeScript of the IPC types; uses `error`, `state`.
//! - `core`: the shared state and how a watcher update changes it; uses `error`, `settings`, `state`.
//! - `testhook` (feature `test-hooks` only): the test state file; uses `state`.
//! - `window`: the dashboard window's lifecycle; uses nothing.
//! - `notify`: notification wording and display; uses `testhook`.
//! - `tray`: the tray view (icon, menu, [`tray::MenuAction`]s to a handler); uses `state`.
//! - `export`: save dialog, render, write; uses `core`, `error`, `state`.
//! - `actions`: what commands, tray items and watcher updates do, and `publish`; uses `core`,
//!   `error`, `export`, `notify`, `state`, `testhook`, `tray`, `window`.
//! - `monitor`: the watcher task, feeding `actions`; uses `actions`, `core`.
//! - `commands`: the webview's IPC, delegations; uses `actions`, `core`, `error`, `export`, `state`.
//! - `lib` (this file): composes them all (the tray gets `actions::on_tray_menu` as its handler).
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
#[cfg(feature = "test-hooks")]
pub mod testhook;
pub mod tray;
pub mod window;

use std::path::PathBuf;

use tauri::{App, Builder, Manager, RunEvent, Runtime};
use tracing_subscriber::EnvFilter;
use zerodock_engine::CollectOptions;

use crate::core::Core;

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

/// The log filter when `RUST_LOG` is not set: the app's own lines (one per state change) and
/// everyone's warnings.
pub const DEFAULT_LOG_FILTER: &str = "zerodock_desktop=info,warn";

/// Sends `tracing` output to stderr, filtered by `RUST_LOG` (else [`DEFAULT_LOG_FILTER`]). Only the
/// real app calls it: tests keep their output quiet unless they install a subscriber themselves.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    // Fails only when a subscriber is already set, which then keeps logging.
    // Colours only on a terminal: the benchmark and CI keep stderr in log files.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Runs the app; returns the process exit code.
pub fn run() -> i32 {
    init_logging();
    let app = match run_app(tauri::Builder::default(), Launch::from_args()).build(tauri::generate_context!())
    {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
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
    let core = Core::new(endpoint, loaded, Some(settings_path));
    if let Err(e) = &collect {
        core.set_endpoint_error(e.to_string());
    }
    app.manage(core);
    let handle = app.handle();
    if launch.tray {
        let state = Core::of(handle).snapshot();
        tray::build(handle, &state, actions::on_tray_menu)?;
        #[cfg(feature = "test-hooks")]
        testhook::record_tray(&state);
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
        if code.is_none() && !Core::of(app).is_quitting() {
            api.prevent_exit();
        }
    }
}

#[cfg(test)]
mod tests;
