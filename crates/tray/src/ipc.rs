//! The tray ↔ dashboard channel: JSON lines over a unix socket only the user can open.
//!
//! Where: `$XDG_RUNTIME_DIR/zerodock/tray.sock` (else `/tmp/zerodock-<uid>/tray.sock`). The
//! directory is created 0700 and refused when it is not ours or is open to others; the socket is
//! chmod 0600 right after `bind` (inside the 0700 directory, so nobody else can reach it even in
//! between). Why a unix socket: the kernel checks the file mode on `connect`, it needs no port, no
//! token and no D-Bus policy, it disappears with the runtime dir at logout, and both ends are
//! plain std/tokio code (a D-Bus interface would tie the dashboard to zbus and make any process on
//! the session bus a client). The same directory holds `tray.lock`, whose `flock` makes the tray a
//! single instance; a second launch connects and asks the running tray to open the dashboard.
//!
//! On connect the tray sends the current [`AppState`] at once (the dashboard shows it without a
//! scan of its own), then one `state` line per change. The dashboard sends [`Request`]s, each with
//! an id its [`ToDashboard::Reply`] carries back.

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::model::{AppState, Settings, WaiverInput};

/// Overrides the socket's path (tests and the benchmark use a private one).
pub const SOCKET_ENV: &str = "ZERODOCK_TRAY_SOCKET";
/// The socket's file name in the runtime directory.
pub const SOCKET_NAME: &str = "tray.sock";
/// The single-instance lock's file name, beside the socket.
pub const LOCK_NAME: &str = "tray.lock";

/// A finding a notification names, so a click opens the dashboard on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRef {
    /// The check's code (`CTR003`).
    pub check: String,
    /// The object's name (`web`).
    pub target: String,
}

/// What the tray sends a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToDashboard {
    /// The current state: first on connect, then after every change.
    State {
        /// The state.
        state: Box<AppState>,
    },
    /// Scan progress, for the dashboard's progress bar (the engine's own step).
    Progress {
        /// The step.
        progress: zerodock_engine::Progress,
    },
    /// The answer to a [`Request`].
    Reply {
        /// The request's id.
        id: u64,
        /// Its result: a JSON value or the command error the webview gets.
        result: Result<serde_json::Value, CommandError>,
    },
    /// Come to the front (a second "Open dashboard"), optionally on a finding.
    Focus {
        /// The finding to show, from a notification click.
        finding: Option<FindingRef>,
    },
    /// The tray quits: close.
    Quit,
}

/// What a dashboard (or a second tray launch) asks the tray.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// A dashboard: send me the state now ([`ToDashboard::State`], before the reply) and after
    /// every change. Replies `null`.
    Subscribe,
    /// A full rescan. Replies `null`.
    ScanNow,
    /// Pause or resume monitoring. Replies the new [`AppState`].
    SetPaused {
        /// Paused or not.
        paused: bool,
    },
    /// Validate, persist and apply settings (the autostart entry included). Replies [`Settings`].
    UpdateSettings {
        /// The new settings.
        settings: Settings,
    },
    /// Read every image in use and match it against the local vulnerability database
    /// (`crate::vulns`). Replies `null` once the report with the vulnerability part is published
    /// (as a `state`, before the reply); may take minutes the first time an image is read.
    ScanImages,
    /// Accept a risk: add (or update) a waiver in the policy file and judge again with it
    /// (`crate::policy`). Replies [`crate::model::WaiverChange`]; the state with the new policy follows at once,
    /// the re-evaluated report (the finding waived) shortly after.
    Waive {
        /// The waiver.
        waiver: WaiverInput,
    },
    /// Take an accepted risk back: remove the waiver for `check` and `target` (`None`: the one
    /// for every object). Replies [`crate::model::WaiverChange`], as [`Request::Waive`].
    Unwaive {
        /// Check code or slug.
        check: String,
        /// The target the waiver names; `None` for `*`.
        target: Option<String>,
    },
    /// The saved scans of one engine (its endpoint; `None`: every engine), newest first, at most
    /// `limit` (`crate::history`). Replies [`crate::model::HistoryList`].
    History {
        /// The engine's endpoint.
        engine: Option<String>,
        /// The most scans to return.
        limit: Option<u32>,
    },
    /// What changed from saved scan `from` to `to` (`None`: the newest saved scan of `from`'s
    /// engine): the store's diff, as `zerodock diff`. Replies `zerodock_store::history::ScanDiff`.
    HistoryDiff {
        /// The older scan.
        from: zerodock_store::history::ScanId,
        /// The newer scan.
        to: Option<zerodock_store::history::ScanId>,
    },
    /// The engines the switcher offers (`crate::engines`). Replies
    /// [`crate::engines::EngineList`].
    Engines,
    /// Watch another engine (an id from [`Request::Engines`]; `None`: the `docker` CLI's choice):
    /// persisted in the settings, the watcher restarted on it. Replies the new [`AppState`].
    SelectEngine {
        /// The engine's id.
        id: Option<String>,
    },
    /// Add an engine (unix socket, TCP, TCP with TLS: the key goes to the OS keyring). Replies
    /// its [`crate::engines::EngineChoice`].
    AddEngine {
        /// The engine.
        engine: crate::engines::NewEngine,
    },
    /// Remove an added engine (its certificates and keyring entry too). Replies the new
    /// [`crate::engines::EngineList`].
    RemoveEngine {
        /// The engine's id.
        id: String,
    },
    /// Open (or focus) the dashboard: what a second launch asks. Replies `null`.
    OpenDashboard,
    /// Quit the tray and its dashboard. Replies `null`.
    Quit,
}

/// A request line: `{"id":1,"request":{"type":"scan_now"}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToTray {
    /// Chosen by the client, echoed in the reply.
    pub id: u64,
    /// What is asked.
    pub request: Request,
}

/// The directory holding the socket and the lock: `$XDG_RUNTIME_DIR/zerodock`, else
/// `/tmp/zerodock-<uid>` (no runtime dir: a bare X session). Created 0700; refused when another
/// user owns it or others may enter it.
pub fn runtime_dir() -> io::Result<PathBuf> {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(base) => PathBuf::from(base).join("zerodock"),
        None => std::env::temp_dir().join(format!("zerodock-{}", rustix::process::getuid().as_raw())),
    };
    private_dir(&dir)?;
    Ok(dir)
}

/// Creates `dir` with mode 0700 if missing and checks that it is ours and closed to others.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    let uid = rustix::process::getuid().as_raw();
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} must be a directory owned by uid {uid} with mode 0700 (found mode {:o}, owner {})",
                dir.display(),
                meta.mode() & 0o7777,
                meta.uid()
            ),
        ));
    }
    Ok(())
}

/// The socket's path: [`SOCKET_ENV`] if set (its directory must exist), else in [`runtime_dir`].
pub fn socket_path() -> io::Result<PathBuf> {
    match std::env::var_os(SOCKET_ENV).filter(|v| !v.is_empty()) {
        Some(path) => Ok(PathBuf::from(path)),
        None => Ok(runtime_dir()?.join(SOCKET_NAME)),
    }
}

/// Makes the freshly bound socket at `path` owner-only (0600).
pub fn restrict(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// One line of JSON (no newline inside: serde_json escapes them).
pub fn line<T: Serialize>(message: &T) -> String {
    let mut text = serde_json::to_string(message).unwrap_or_else(|e| {
        // Our own types always serialise; keep the protocol line-shaped even if one did not.
        serde_json::json!({"type": "error", "message": e.to_string()}).to_string()
    });
    text.push('\n');
    text
}

/// The single-instance lock: an exclusive `flock` on `tray.lock`, held while the process lives.
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

impl InstanceLock {
    /// Takes the lock in `dir`; `Ok(None)` when another tray holds it.
    pub fn acquire(dir: &Path) -> io::Result<Option<InstanceLock>> {
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK_NAME))?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(InstanceLock { _file: file })),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_single_json_lines() {
        let text = line(&ToTray { id: 7, request: Request::SetPaused { paused: true } });
        assert_eq!(text, "{\"id\":7,\"request\":{\"type\":\"set_paused\",\"paused\":true}}\n");
        let reply = line(&ToDashboard::Reply { id: 7, result: Err(CommandError::internal("a\nb")) });
        assert_eq!(reply.matches('\n').count(), 1, "{reply}");
        let back: ToDashboard = serde_json::from_str(reply.trim_end()).unwrap();
        assert!(matches!(back, ToDashboard::Reply { id: 7, result: Err(e) } if e.message == "a\nb"));
    }

    #[test]
    fn the_runtime_dir_is_private_and_a_second_lock_is_refused() {
        let base = std::env::temp_dir().join(format!("zerodock-ipc-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let dir = base.join("zerodock");
        private_dir(&dir).unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
        let first = InstanceLock::acquire(&dir).unwrap();
        assert!(first.is_some());
        assert!(InstanceLock::acquire(&dir).unwrap().is_none(), "a second instance must not lock");
        drop(first);
        assert!(InstanceLock::acquire(&dir).unwrap().is_some(), "the lock goes with its holder");
        // A directory others may enter is refused, not used.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = private_dir(&dir).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{err}");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
