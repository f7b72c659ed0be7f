//! The desktop's own types, shared by the tray and the dashboard: they cross the tray's socket
//! (`ipc`) and the dashboard's webview IPC (`docs/desktop-ipc.md`; TypeScript generated from them
//! into `ui/src/lib/bindings/app.ts` by `src-tauri`'s `bindings` test), and the pure mappings from
//! engine facts to what the window and the tray show.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zerodock_engine::{Posture, Progress, Report, Severity};

use crate::error::CommandError;

/// Everything the dashboard shows: `get_state` returns it and `state-changed` carries it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AppState {
    /// The latest report, `null` until the first scan finished.
    #[ts(as = "Option<Report>")]
    pub report: Option<Arc<Report>>,
    /// The connection to the Docker engine.
    pub engine: EngineStatus,
    /// Whether a scan is running now.
    pub scanning: bool,
    /// Progress of the running scan, if any: the engine's own progress step.
    pub progress: Option<Progress>,
    /// Whether monitoring (events and the interval rescan) is paused.
    pub paused: bool,
    /// The user's settings.
    pub settings: Settings,
    /// What the tray icon shows.
    pub tray: TrayState,
    /// The policy file the scans apply and *Accept risk…* edits, with its waivers.
    #[serde(default)]
    pub policy: PolicyState,
    /// The scan history the tray saves into (`crate::history`).
    #[serde(default)]
    pub history: HistoryStatus,
}

/// The policy file (`docs/waivers.md`) as the tray read it: where it is and its waivers, in file
/// order. What became of each waiver (matched, expired) is in the report's `waivers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PolicyState {
    /// The file (`ZERODOCK_POLICY`, else `$XDG_CONFIG_HOME/zerodock/policy.toml`); `null` when
    /// there is no home directory to keep it in.
    pub path: Option<String>,
    /// Whether the file exists yet (the first accepted risk creates it).
    pub exists: bool,
    /// Its waivers.
    pub waivers: Vec<PolicyWaiver>,
    /// Why it cannot be applied (unreadable, refused by the parser): the scans then run without
    /// it, and edits are refused until it is fixed.
    pub error: Option<String>,
    /// Who accepts a risk when the user does not say: the OS user (`$USER`, else `$LOGNAME`).
    pub default_by: Option<String>,
}

/// One `[[waiver]]` of the policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PolicyWaiver {
    /// The check's code (`CTR003`), whichever name the file uses.
    pub check: String,
    /// The object's name or id prefix, or `*` for every object of the check.
    pub target: String,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepted it.
    pub by: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: Option<String>,
}

/// What *Accept risk…* asks: a waiver to add, or to update when the check and target have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WaiverInput {
    /// Check code or slug.
    pub check: String,
    /// One object (its name); `null` for every object of the check.
    pub target: Option<String>,
    /// Why the risk is accepted (required).
    pub reason: String,
    /// Who accepted it (the dashboard proposes the OS user).
    pub by: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`, not in the past); `null` for no expiry.
    pub expires: Option<String>,
}

/// What a waiver edit did, and the policy after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WaiverChange {
    /// For the user: what was added, updated (and what it was) or removed, and in which file.
    pub message: String,
    /// The policy file after the edit.
    pub policy: PolicyState,
}

/// Whether ZeroDock can talk to the Docker engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EngineState {
    /// The last scan reached the engine.
    Connected,
    /// Not known yet: the first scan is connecting.
    Connecting,
    /// The engine could not be reached; the watcher retries by itself.
    Unreachable,
}

/// The engine connection as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EngineStatus {
    /// Connected, connecting or unreachable.
    pub state: EngineState,
    /// The endpoint in use (`unix:///var/run/docker.sock`…).
    pub endpoint: String,
    /// What went wrong, in the engine's words (unreachable only).
    pub message: Option<String>,
    /// What the user can do about it (unreachable only).
    pub hint: Option<String>,
    /// Seconds until the next connection attempt (unreachable only).
    pub next_retry_secs: Option<u32>,
}

impl EngineStatus {
    /// The state before the first scan answered.
    pub fn connecting(endpoint: impl Into<String>) -> Self {
        EngineStatus {
            state: EngineState::Connecting,
            endpoint: endpoint.into(),
            message: None,
            hint: None,
            next_retry_secs: None,
        }
    }

    /// The engine is unreachable for `reason`; the next attempt is in `retry_in_secs`.
    pub fn unreachable(
        endpoint: impl Into<String>,
        reason: impl Into<String>,
        retry_in_secs: Option<u32>,
    ) -> Self {
        EngineStatus {
            state: EngineState::Unreachable,
            endpoint: endpoint.into(),
            message: Some(reason.into()),
            hint: Some(UNREACHABLE_HINT.to_owned()),
            next_retry_secs: retry_in_secs,
        }
    }
}

/// What to do when the engine is unreachable. The engine's reason already names the socket or
/// permission problem; this adds where the endpoint comes from and that nothing needs restarting.
pub const UNREACHABLE_HINT: &str = "Start Docker, or point ZeroDock at it with DOCKER_HOST or the Docker \
context, and check that your user may use the socket (the docker group). ZeroDock reconnects by itself; \
host checks keep running meanwhile.";

/// The user's settings, persisted as JSON in the app's config directory. The tray owns them (it
/// runs the watcher and the notifications); the dashboard's Settings view changes them through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// How often everything (host and engine) is rescanned, in seconds. Docker events trigger a
    /// re-evaluation of the engine part in between.
    pub rescan_interval_secs: u32,
    /// Whether new failures raise a desktop notification.
    pub notifications: bool,
    /// The least severe new failure that notifies: `high` (high and critical) or `critical`. The
    /// engine reports new failures of high severity and above only, so nothing lower is offered.
    pub notify_min_severity: NotifySeverity,
    /// Whether ZeroDock starts (in the tray) at login.
    pub start_at_login: bool,
    /// The dashboard's colours: follow the desktop's light/dark preference, or force one.
    pub theme: Theme,
    /// The engine the tray watches (an id from the switcher's list, `crate::engines`); `null`:
    /// the one the `docker` CLI would use (`DOCKER_HOST`, the current context, the default socket).
    pub engine: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rescan_interval_secs: 300,
            notifications: true,
            notify_min_severity: NotifySeverity::High,
            start_at_login: false,
            theme: Theme::System,
            engine: None,
        }
    }
}

/// The least severe new failure that raises a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotifySeverity {
    /// High and critical.
    High,
    /// Critical only.
    Critical,
}

impl NotifySeverity {
    /// Whether a new failure of `severity` notifies.
    pub fn admits(self, severity: Severity) -> bool {
        match self {
            NotifySeverity::High => severity >= Severity::High,
            NotifySeverity::Critical => severity >= Severity::Critical,
        }
    }
}

/// The dashboard's colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the desktop (`prefers-color-scheme`).
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Bounds of [`Settings::rescan_interval_secs`]: a full rescan reads the host too, so not more often
/// than every 30 s; and at least once a day.
pub const RESCAN_INTERVAL_RANGE: std::ops::RangeInclusive<u32> = 30..=86_400;

impl Settings {
    /// Checks the values a user can type.
    pub fn validate(&self) -> Result<(), CommandError> {
        if !RESCAN_INTERVAL_RANGE.contains(&self.rescan_interval_secs) {
            return Err(CommandError::invalid_argument(format!(
                "The rescan interval must be between {} and {} seconds (got {}).",
                RESCAN_INTERVAL_RANGE.start(),
                RESCAN_INTERVAL_RANGE.end(),
                self.rescan_interval_secs
            )));
        }
        Ok(())
    }
}

/// What the tray icon shows (`icons/tray-*.png`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TrayState {
    /// No unwaived high/critical failure and a score of 80 or more.
    Good,
    /// A high failure or a score below 80.
    Attention,
    /// A critical failure.
    Critical,
    /// The engine is unreachable: the posture is not known.
    Unknown,
    /// The first scan is running.
    Scanning,
}

impl TrayState {
    /// All states, for the icon table.
    pub const ALL: [TrayState; 5] =
        [TrayState::Good, TrayState::Attention, TrayState::Critical, TrayState::Unknown, TrayState::Scanning];

    /// The snake_case name (`critical`), as in the icon file names and the test state file.
    pub fn as_str(self) -> &'static str {
        match self {
            TrayState::Good => "good",
            TrayState::Attention => "attention",
            TrayState::Critical => "critical",
            TrayState::Unknown => "unknown",
            TrayState::Scanning => "scanning",
        }
    }

    /// The tray state of an app: the report's posture, unless the engine is unreachable (then the
    /// posture is not known) or there is no report yet (then the first scan is running).
    pub fn of(engine: EngineState, report: Option<&Report>) -> TrayState {
        match (engine, report) {
            (EngineState::Unreachable, _) => TrayState::Unknown,
            (_, None) => TrayState::Scanning,
            (_, Some(r)) => match r.posture() {
                Posture::Good => TrayState::Good,
                Posture::Attention => TrayState::Attention,
                Posture::Critical => TrayState::Critical,
            },
        }
    }
}

/// The one-line status the tray menu shows first (Linux shows no tooltips, so this line and the icon
/// carry everything): "ZeroDock — 72/100 C · 1 critical · 3 high · engine connected".
pub fn status_line(state: &AppState) -> String {
    let engine = match state.engine.state {
        EngineState::Connected => "engine connected",
        EngineState::Connecting => "connecting to the engine",
        EngineState::Unreachable => "engine unreachable",
    };
    let unreachable = state.engine.state == EngineState::Unreachable;
    let mut parts: Vec<String> = Vec::new();
    if unreachable {
        // The score then covers the host checks only; say so before it.
        parts.push(engine.to_owned());
    }
    match &state.report {
        Some(report) => {
            let scope = if unreachable { "host only " } else { "" };
            parts.push(match report.score {
                Some(score) => format!("{scope}{score}/100 {}", report.grade),
                None => "no score".to_owned(),
            });
            for severity in [Severity::Critical, Severity::High] {
                let n = report.counts.failing_by_severity.get(&severity).copied().unwrap_or(0);
                if n > 0 {
                    parts.push(format!("{n} {severity}"));
                }
            }
        }
        None if !unreachable => parts.push("first scan…".to_owned()),
        None => {}
    }
    if !unreachable {
        parts.push(engine.to_owned());
    }
    if state.scanning && state.report.is_some() {
        parts.push("scanning…".to_owned());
    }
    if state.paused {
        parts.push("monitoring paused".to_owned());
    }
    format!("ZeroDock — {}", parts.join(" · "))
}

/// The scan history as the tray keeps it (`crate::history`, docs/history.md): where, whether it
/// works, and a damaged file it moved aside, which the app tells the user about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HistoryStatus {
    /// The database file (`ZERODOCK_HISTORY`, else `history.sqlite` in the data directory).
    pub path: Option<String>,
    /// Whether scans are being saved (the file is open).
    pub available: bool,
    /// A damaged database was moved aside at start and a new one begun: where it went and why.
    pub recovered: Option<String>,
    /// Why the history is off (the file cannot be opened, no data directory).
    pub error: Option<String>,
    /// Counts the saves since the tray started: the History view reads the list again when it
    /// changes.
    pub revision: u32,
    /// When the tray last saved a scan.
    pub last_saved: Option<chrono::DateTime<chrono::Utc>>,
}

/// What the History view reads: the saved scans of one engine, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HistoryList {
    /// The engine listed (its endpoint); `null`: every engine.
    pub engine: Option<String>,
    /// The scans, newest first.
    pub scans: Vec<zerodock_store::history::ScanSummary>,
    /// Every engine with saved scans, most recently scanned first.
    pub engines: Vec<String>,
    /// Scans older than this many days are deleted (`0`: kept).
    pub retention_days: u32,
}
