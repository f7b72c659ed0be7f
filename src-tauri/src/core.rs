//! The dashboard's state: a mirror of the tray's [`AppState`] (the tray runs the watcher; the
//! dashboard scans nothing itself), the connection to the tray's socket that requests go through,
//! and the files exported in this session.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use zerodock_engine::Report;
use zerodock_tray::ipc::{self, Request, ToTray};

use crate::error::CommandError;
use crate::state::AppState;

/// How long a request to the tray may take (a settings write, a pause): it answers at once unless
/// it is gone.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an image scan may take: the first read of an image exports it from the engine
/// (hundreds of MB for a large image); later scans only match again.
pub const IMAGE_SCAN_TIMEOUT: Duration = Duration::from_secs(30 * 60);

type Pending = Mutex<HashMap<u64, Sender<Result<serde_json::Value, CommandError>>>>;

/// State shared by commands and the tray link's reader thread.
pub struct Core {
    state: Mutex<AppState>,
    writer: Mutex<UnixStream>,
    next_id: AtomicU64,
    pending: Arc<Pending>,
    /// Files exported in this session: the only paths `reveal_path` shows.
    exported: Mutex<HashSet<PathBuf>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Core {
    /// The core the app manages (see `setup` in `lib.rs`).
    pub fn of<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Core> {
        app.state::<Core>()
    }

    /// A core over the tray connection `writer`, starting from the tray's first `state`.
    pub fn new(state: AppState, writer: UnixStream) -> Self {
        Core {
            state: Mutex::new(state),
            writer: Mutex::new(writer),
            next_id: AtomicU64::new(1),
            pending: Arc::new(Mutex::new(HashMap::new())),
            exported: Mutex::new(HashSet::new()),
        }
    }

    /// The replies still awaited, for the reader thread.
    pub fn pending(&self) -> Arc<Pending> {
        self.pending.clone()
    }

    /// The state as the UI sees it.
    pub fn snapshot(&self) -> AppState {
        lock(&self.state).clone()
    }

    /// Takes a state the tray sent.
    pub fn set_state(&self, state: AppState) {
        *lock(&self.state) = state;
    }

    /// The latest report, if any.
    pub fn report(&self) -> Option<Arc<Report>> {
        lock(&self.state).report.clone()
    }

    /// Sends `request` to the tray and waits for its answer.
    pub fn request(&self, request: Request) -> Result<serde_json::Value, CommandError> {
        self.request_within(request, REQUEST_TIMEOUT)
    }

    /// Sends `request` to the tray and waits up to `timeout` for its answer.
    pub fn request_within(
        &self,
        request: Request,
        timeout: Duration,
    ) -> Result<serde_json::Value, CommandError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel();
        lock(&self.pending).insert(id, tx);
        let sent = lock(&self.writer).write_all(ipc::line(&ToTray { id, request }).as_bytes());
        if let Err(e) = sent {
            lock(&self.pending).remove(&id);
            return Err(tray_gone(e));
        }
        match rx.recv_timeout(timeout) {
            Ok(result) => result,
            Err(e) => {
                lock(&self.pending).remove(&id);
                Err(tray_gone(e))
            }
        }
    }

    /// Remembers a file exported in this session.
    pub fn remember_export(&self, path: PathBuf) {
        lock(&self.exported).insert(path);
    }

    /// Whether `path` was exported in this session.
    pub fn was_exported(&self, path: &Path) -> bool {
        lock(&self.exported).contains(path)
    }
}

fn tray_gone(e: impl std::fmt::Display) -> CommandError {
    CommandError::internal(format!("The ZeroDock tray did not answer ({e}); restart ZeroDock."))
}
