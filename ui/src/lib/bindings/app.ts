// Generated from src-tauri (crate zerodock-desktop) by its `bindings` test: do not edit.
// Regenerate with `ZERODOCK_BLESS=1 cargo test -p zerodock-desktop --test bindings`.
import type { Progress, Report } from "./report";

/**
 * Everything the dashboard shows: `get_state` returns it and `state-changed` carries it.
 */
export type AppState = { 
/**
 * The latest report, `null` until the first scan finished.
 */
report: Report | null, 
/**
 * The connection to the Docker engine.
 */
engine: EngineStatus, 
/**
 * Whether a scan is running now.
 */
scanning: boolean, 
/**
 * Progress of the running scan, if any: the engine's own progress step.
 */
progress: Progress | null, 
/**
 * Whether monitoring (events and the interval rescan) is paused.
 */
paused: boolean, 
/**
 * The user's settings.
 */
settings: Settings, 
/**
 * What the tray icon shows.
 */
tray: TrayState, };

/**
 * Whether ZeroDock can talk to the Docker engine.
 */
export type EngineState = "connected" | "connecting" | "unreachable";

/**
 * The engine connection as the user sees it.
 */
export type EngineStatus = { 
/**
 * Connected, connecting or unreachable.
 */
state: EngineState, 
/**
 * The endpoint in use (`unix:///var/run/docker.sock`…).
 */
endpoint: string, 
/**
 * What went wrong, in the engine's words (unreachable only).
 */
message: string | null, 
/**
 * What the user can do about it (unreachable only).
 */
hint: string | null, 
/**
 * Seconds until the next connection attempt (unreachable only).
 */
next_retry_secs: number | null, };

/**
 * The user's settings, persisted as JSON in the app's config directory. The tray owns them (it
 * runs the watcher and the notifications); the dashboard's Settings view changes them through it.
 */
export type Settings = { 
/**
 * How often everything (host and engine) is rescanned, in seconds. Docker events trigger a
 * re-evaluation of the engine part in between.
 */
rescan_interval_secs: number, 
/**
 * Whether new failures raise a desktop notification.
 */
notifications: boolean, 
/**
 * The least severe new failure that notifies: `high` (high and critical) or `critical`. The
 * engine reports new failures of high severity and above only, so nothing lower is offered.
 */
notify_min_severity: NotifySeverity, 
/**
 * Whether ZeroDock starts (in the tray) at login.
 */
start_at_login: boolean, 
/**
 * The dashboard's colours: follow the desktop's light/dark preference, or force one.
 */
theme: Theme, };

/**
 * The least severe new failure that raises a notification.
 */
export type NotifySeverity = "high" | "critical";

/**
 * The dashboard's colour scheme.
 */
export type Theme = "system" | "light" | "dark";

/**
 * What the tray icon shows (`icons/tray-*.png`).
 */
export type TrayState = "good" | "attention" | "critical" | "unknown" | "scanning";

/**
 * A file format a report can be exported to. The desktop app's `export_report` takes it as is (its
 * TypeScript comes from this type).
 */
export type ExportFormat = "json" | "sarif" | "html" | "markdown" | "pdf";

/**
 * A file `export_report` wrote.
 */
export type ExportResult = { 
/**
 * Where it was written (absolute).
 */
path: string, 
/**
 * In which format.
 */
format: ExportFormat, 
/**
 * Its size in bytes.
 */
bytes: number, };

/**
 * Stable error codes.
 */
export type ErrorCode = "engine_unreachable" | "scan_failed" | "export_failed" | "invalid_argument" | "cancelled" | "internal";

/**
 * A command's error: `{ "code": "export_failed", "message": "…" }`.
 */
export type CommandError = { 
/**
 * What kind of error, stable.
 */
code: ErrorCode, 
/**
 * What happened and what to do, for humans.
 */
message: string, };
