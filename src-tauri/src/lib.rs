//! ZeroDock's dashboard: a thin Tauri 2 shell around the report the tray (`zerodock-tray`, crate
//! `zerodock_tray`) keeps. The tray runs the watcher, the icon and the notifications all day without
//! a webview; it starts this process on demand and feeds it over its private socket. This process
//! shows the tray's current report at once, follows its updates, forwards scan/pause/settings to it
//! and exits when its window closes. This file only composes plugins, state, commands and the
//! window lifecycle; [`run_app`] takes any runtime so unit tests can pass
//! `tauri::test::mock_builder()`. Logging is `tracing` (filter: `RUST_LOG`, default
//! `zerodock_desktop=info,warn`), with a span per command.
//!
//! The modules, in dependency order: each uses only those above it (`use crate::…`), so there is no
//! import cycle.
//!
//! - `error`: the commands' error (stable code + message, the tray's); uses nothing.
//! - `state`: the IPC types (the tray's state and settings, the export types); uses nothing.
//! - `bindings`: the TypeScript of the IPC types; uses `error`, `state`.
//! - `core`: the mirrored state, the tray connection's requests, exported files; uses `error`,
//!   `state`.
//! - `window`: the dashboard window's lifecycle; uses `state`.
//! - `export`: save dialog, render, write; uses `core`, `error`, `state`.
//! - `actions`: what commands and the tray's messages do; uses `core`, `error`, `state`, `window`.
//! - `link`: the tray's socket: connect (start the tray if needed), subscribe, follow; uses
//!   `actions`, `core`, `state`.
//! - `commands`: the webview's IPC, delegations; uses `actions`, `core`, `error`, `export`, `state`.
//! - `lib` (this file): composes them all.
#![deny(missing_docs)]

pub mod actions;
pub mod bindings;
pub mod commands;
pub mod core;
pub mod error;
pub mod export;
pub mod link;
pub mod state;
pub mod window;

use std::path::{Path, PathBuf};

use tauri::{App, Builder, Manager, Runtime};
use tracing_subscriber::EnvFilter;

use crate::core::Core;

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

/// Runs the dashboard; returns the process exit code.
pub fn run() -> i32 {
    window::phase("main");
    init_logging();
    // Single instance first, so a second dashboard exits early and just shows the running one's
    // window. Here rather than in `run_app`: it owns a name on the session bus per process, so a
    // second mock app in the unit tests would be taken for a second dashboard and exit the tests.
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| window::open(app)));
    let app = match run_app(builder, None).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            return 2;
        }
    };
    // The default run loop: the process ends when its last window closes (the tray stays).
    app.run_return(|_, _| {})
}

/// Composes plugins, state, commands and startup for any runtime. `tray_socket` is where the tray
/// listens (`None`: its usual place; the unit tests pass a stand-in's).
pub fn run_app<R: Runtime>(builder: Builder<R>, tray_socket: Option<PathBuf>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            commands::get_state,
            commands::scan_now,
            commands::scan_images,
            commands::set_monitoring,
            commands::update_settings,
            commands::export_report,
            commands::reveal_path,
            commands::waive,
            commands::unwaive,
            commands::keyring_status,
            commands::list_history,
            commands::history_diff,
            commands::list_engines,
            commands::select_engine,
            commands::add_engine,
            commands::remove_engine,
        ])
        .setup(move |app| setup(app, tray_socket.as_deref()))
}

fn setup<R: Runtime>(app: &mut App<R>, tray_socket: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    window::phase("setup");
    let handle = app.handle().clone();
    // Usually the tray runs (it started us): its state arrives in milliseconds and goes into the
    // window's first load, so the page draws the score in its first render, with no IPC round
    // trip first. With no tray yet (the dashboard launched on its own), the window comes first:
    // WebKit starts its processes and loads the page while the tray starts. No command can reach
    // us before the core exists: the page's IPC is served by the event loop, which runs once
    // setup returns.
    let link = match link::connect_running(tray_socket)? {
        Some(link) => {
            window::phase("connected");
            window::open_with(&handle, Some(&link.state));
            window::phase("window");
            link
        }
        None => {
            window::open(&handle);
            window::phase("window");
            let link = link::connect(tray_socket)?;
            window::phase("connected");
            link
        }
    };
    tracing::info!(
        score = link.state.report.as_ref().and_then(|r| r.score),
        tray = link.state.tray.as_str(),
        "connected to the tray"
    );
    app.manage(Core::new(link.state, link.writer));
    link::follow(handle, link.reader);
    Ok(())
}

#[cfg(test)]
mod tests;
