//! The dashboard's end of the tray's socket (`zerodock_tray::ipc`): find the tray (start it when
//! none runs — the dashboard never watches the engine itself), subscribe, take the first state
//! before the window opens (so the report shows at once, without a scan), then follow the tray on
//! a reader thread: states and progress become webview events, replies go to the waiting command,
//! `focus` brings the window up on a finding, `quit` (or the tray going away) closes the dashboard.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Runtime};
use zerodock_tray::ipc::{self, Request, ToDashboard, ToTray};

use crate::actions;
use crate::core::Core;
use crate::state::AppState;

/// The tray binary's name, beside the dashboard's own executable.
pub const TRAY_BIN: &str = "zerodock-tray";

/// A subscribed connection and the state the tray sent first.
pub struct Link {
    /// Lines from the tray.
    pub reader: BufReader<UnixStream>,
    /// Requests to the tray.
    pub writer: UnixStream,
    /// The tray's state when we subscribed.
    pub state: AppState,
}

/// Connects to the tray at `socket` (default: `zerodock_tray::ipc::socket_path`), starting
/// `zerodock-tray` when nothing answers, and subscribes.
pub fn connect(socket: Option<&Path>) -> Result<Link, String> {
    let socket = socket_or_default(socket)?;
    let stream = match UnixStream::connect(&socket) {
        Ok(stream) => stream,
        Err(_) => {
            start_tray(&socket)?;
            wait_for(&socket, Duration::from_secs(10))?
        }
    };
    subscribe(&socket, stream)
}

/// Connects and subscribes only if a tray already listens at `socket` (the usual case: the tray
/// started us); `Ok(None)` when none does, without starting one. Takes milliseconds, so the
/// dashboard can wait for the state before it creates its window.
pub fn connect_running(socket: Option<&Path>) -> Result<Option<Link>, String> {
    let socket = socket_or_default(socket)?;
    match UnixStream::connect(&socket) {
        Ok(stream) => subscribe(&socket, stream).map(Some),
        Err(_) => Ok(None),
    }
}

fn socket_or_default(socket: Option<&Path>) -> Result<PathBuf, String> {
    match socket {
        Some(path) => Ok(path.to_path_buf()),
        None => ipc::socket_path().map_err(|e| format!("no runtime directory for the tray socket: {e}")),
    }
}

fn subscribe(socket: &Path, stream: UnixStream) -> Result<Link, String> {
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    writer
        .write_all(ipc::line(&ToTray { id: 0, request: Request::Subscribe }).as_bytes())
        .map_err(|e| format!("{}: {e}", socket.display()))?;
    let mut reader = BufReader::new(stream);
    // The tray answers a subscription with the state first.
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Err("the tray closed the connection".to_owned()),
            Ok(_) => {
                if let Ok(ToDashboard::State { state }) = serde_json::from_str(&line) {
                    return Ok(Link { reader, writer, state: *state });
                }
            }
            Err(e) => return Err(format!("{}: {e}", socket.display())),
        }
    }
}

fn start_tray(socket: &Path) -> Result<(), String> {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(TRAY_BIN)))
        .unwrap_or_else(|| PathBuf::from(TRAY_BIN));
    tracing::info!(tray = %exe.display(), "no tray answers on {}: starting it", socket.display());
    // Detached from us: the tray outlives the dashboard (it is the process that stays).
    std::process::Command::new(&exe)
        .env(ipc::SOCKET_ENV, socket)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))
}

fn wait_for(socket: &Path, within: Duration) -> Result<UnixStream, String> {
    let deadline = Instant::now() + within;
    loop {
        match UnixStream::connect(socket) {
            Ok(stream) => return Ok(stream),
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("the tray did not open {}: {e}", socket.display()));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Follows the tray until it says quit or goes away; then the dashboard exits.
pub fn follow<R: Runtime>(app: AppHandle<R>, reader: BufReader<UnixStream>) {
    let pending = Core::of(&app).pending();
    std::thread::Builder::new()
        .name("tray-link".into())
        .spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<ToDashboard>(&line) {
                    Ok(ToDashboard::State { state }) => actions::on_state(&app, *state),
                    Ok(ToDashboard::Progress { progress }) => actions::on_progress(&app, &progress),
                    Ok(ToDashboard::Reply { id, result }) => {
                        let waiting = pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                        if let Some(tx) = waiting {
                            let _ = tx.send(result);
                        }
                    }
                    Ok(ToDashboard::Focus { finding }) => actions::focus(&app, finding),
                    Ok(ToDashboard::Quit) => break,
                    Err(e) => tracing::warn!("unreadable line from the tray: {e}"),
                }
            }
            tracing::info!("the tray quit or went away: closing the dashboard");
            app.exit(0);
        })
        .map(|_| ())
        .unwrap_or_else(|e| tracing::error!("cannot follow the tray: {e}"));
}
