// Generated from src-tauri (crate zerodock-desktop) by its `bindings` test: do not edit.
// Regenerate with `ZERODOCK_BLESS=1 cargo test -p zerodock-desktop --test bindings`.
import type { Category, Counts, Grade, NewFailure, Progress, Report, Severity, Target } from "./report";

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
tray: TrayState, 
/**
 * The policy file the scans apply and *Accept risk…* edits, with its waivers.
 */
policy: PolicyState, 
/**
 * The scan history the tray saves into (`crate::history`).
 */
history: HistoryStatus, };

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
theme: Theme, 
/**
 * The engine the tray watches (an id from the switcher's list, `crate::engines`); `null`:
 * the one the `docker` CLI would use (`DOCKER_HOST`, the current context, the default socket).
 */
engine: string | null, };

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
 * The scan history as the tray keeps it (`crate::history`, docs/history.md): where, whether it
 * works, and a damaged file it moved aside, which the app tells the user about.
 */
export type HistoryStatus = { 
/**
 * The database file (`ZERODOCK_HISTORY`, else `history.sqlite` in the data directory).
 */
path: string | null, 
/**
 * Whether scans are being saved (the file is open).
 */
available: boolean, 
/**
 * A damaged database was moved aside at start and a new one begun: where it went and why.
 */
recovered: string | null, 
/**
 * Why the history is off (the file cannot be opened, no data directory).
 */
error: string | null, 
/**
 * Counts the saves since the tray started: the History view reads the list again when it
 * changes.
 */
revision: number, 
/**
 * When the tray last saved a scan.
 */
last_saved: string | null, };

/**
 * What the History view reads: the saved scans of one engine, newest first.
 */
export type HistoryList = { 
/**
 * The engine listed (its endpoint); `null`: every engine.
 */
engine: string | null, 
/**
 * The scans, newest first.
 */
scans: Array<ScanSummary>, 
/**
 * Every engine with saved scans, most recently scanned first.
 */
engines: Array<string>, 
/**
 * Scans older than this many days are deleted (`0`: kept).
 */
retention_days: number, };

/**
 * One line of the history: what `zerodock history` and the app's list show, read without
 * decoding the report.
 */
export type ScanSummary = { 
/**
 * The scan's id.
 */
id: number, 
/**
 * When it was evaluated (the report's `generated_at`).
 */
scanned_at: string, 
/**
 * The engine's key, see [`engine_key`].
 */
engine: string, 
/**
 * The engine host's name, when the engine answered (for display only: it is not the key).
 */
engine_name?: string | null, 
/**
 * Whether the scan reached the engine; one that did not knows no containers.
 */
reached_engine: boolean, 
/**
 * Overall score.
 */
score: number | null, 
/**
 * Overall grade.
 */
grade: Grade, 
/**
 * The report's counts.
 */
counts: Counts, 
/**
 * Each category's score and grade, in checklist order; empty for scans saved by a ZeroDock
 * older than schema version 2.
 */
categories?: Array<CategoryPoint>, };

/**
 * One category's score in a saved scan: what the app's chart draws per category.
 */
export type CategoryPoint = { 
/**
 * The category.
 */
category: Category, 
/**
 * Its score (`None`: no check of it applied).
 */
score: number | null, 
/**
 * Its grade.
 */
grade: Grade, };

/**
 * What changed from one scan (`before`) to another (`after`).
 */
export type ScanDiff = { 
/**
 * The overall score and grade, before and after.
 */
score: ScoreChange, 
/**
 * The categories whose score changed, in checklist order.
 */
categories: Array<CategoryChange>, 
/**
 * Unwaived failures in `after` that `before` did not have, most severe first.
 */
new_failures: Array<NewFailure>, 
/**
 * Unwaived failures in `before` that `after` does not have (fixed, or the object is gone),
 * most severe first. Failures accepted by a waiver since are under `newly_waived` instead.
 */
fixed: Array<NewFailure>, 
/**
 * Failures that `after` reports as waived and `before` did not, most severe first.
 */
newly_waived: Array<WaivedFinding>, 
/**
 * What makes the comparison less than like for like (another engine, a scan that did not
 * reach its engine, another catalogue version).
 */
notes?: Array<string>, };

/**
 * A score before and after.
 */
export type ScoreChange = { 
/**
 * The score before (`None`: nothing was scorable).
 */
before: number | null, 
/**
 * The score after.
 */
after: number | null, 
/**
 * `after - before`, when both exist.
 */
delta: number | null, 
/**
 * The grade before.
 */
grade_before: Grade, 
/**
 * The grade after.
 */
grade_after: Grade, };

/**
 * One category's score before and after.
 */
export type CategoryChange = { 
/**
 * The category.
 */
category: Category, 
/**
 * Its heading.
 */
title: string, 
/**
 * The score before (`None`: nothing was scorable).
 */
before: number | null, 
/**
 * The score after.
 */
after: number | null, 
/**
 * `after - before`, when both exist.
 */
delta: number | null, 
/**
 * The grade before.
 */
grade_before: Grade, 
/**
 * The grade after.
 */
grade_after: Grade, };

/**
 * A failure newly accepted by a waiver.
 */
export type WaivedFinding = { 
/**
 * The waiver's reason.
 */
reason: string, 
/**
 * Its expiry, if any.
 */
expires?: string | null, 
/**
 * Check code.
 */
check: string, 
/**
 * Check title.
 */
title: string, 
/**
 * Effective severity.
 */
severity: Severity, 
/**
 * The object.
 */
target: Target, 
/**
 * The finding's message ("Container `web` mounts the Docker socket").
 */
message: string, };

/**
 * The switcher's list and what is selected.
 */
export type EngineList = { 
/**
 * Every engine, `DOCKER_HOST` and contexts first, then the added ones.
 */
engines: Array<EngineChoice>, 
/**
 * The selected id (`null`: the `docker` CLI's choice, the engine marked `current`).
 */
selected: string | null, };

/**
 * An engine the switcher offers.
 */
export type EngineChoice = { 
/**
 * Stable id: `docker-host`, `context:<name>`, `added:<n>`.
 */
id: string, 
/**
 * What the user sees: the context's name, `DOCKER_HOST`, or the name given when added.
 */
name: string, 
/**
 * The endpoint (`unix:///var/run/docker.sock`, `tcp://build-01:2376`, `ssh://…`).
 */
host: string, 
/**
 * Where it comes from.
 */
origin: EngineOrigin, 
/**
 * Whether ZeroDock talks TLS to it.
 */
tls: boolean, 
/**
 * Whether the `docker` CLI would use it now (the engine used when nothing is selected).
 */
current: boolean, 
/**
 * Why it cannot be selected (an unreadable context).
 */
problem: string | null, };

/**
 * Where an engine comes from.
 */
export type EngineOrigin = "docker_host" | "context" | "added";

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
bytes: number, 
/**
 * The signature, when the export was signed.
 */
signature: ExportSignature | null, };

/**
 * What **Sign** wrote beside an export (docs/signing.md): the JSON report (the export itself when
 * it is JSON, else its twin, written first) and its DSSE envelope.
 */
export type ExportSignature = { 
/**
 * The signed JSON report (absolute).
 */
json_path: string, 
/**
 * Its envelope, `<json>.dsse.json` (absolute).
 */
envelope_path: string, 
/**
 * The signing key's fingerprint (`zerodock key export` names the same).
 */
key_fingerprint: string, 
/**
 * Hex SHA-256 of the JSON report file.
 */
report_sha256: string, 
/**
 * Whether the key was created by this export (its first use).
 */
key_created: boolean, 
/**
 * The keyring store that holds the key (`secret-service`, `keyutils`, …).
 */
keyring: string, };

/**
 * The OS keyring store in use, for the Host view (`keyring_status`).
 */
export type KeyringStatus = { 
/**
 * `secret-service`, `keyutils`, `keychain`, `credential-manager`; `null`: no store.
 */
store: string | null, 
/**
 * Whether a secret kept there survives a reboot (keyutils: no).
 */
persistent: boolean, 
/**
 * Why this store, or why there is none.
 */
reason: string, };

/**
 * The policy file (`docs/waivers.md`) as the tray read it: where it is and its waivers, in file
 * order. What became of each waiver (matched, expired) is in the report's `waivers`.
 */
export type PolicyState = { 
/**
 * The file (`ZERODOCK_POLICY`, else `$XDG_CONFIG_HOME/zerodock/policy.toml`); `null` when
 * there is no home directory to keep it in.
 */
path: string | null, 
/**
 * Whether the file exists yet (the first accepted risk creates it).
 */
exists: boolean, 
/**
 * Its waivers.
 */
waivers: Array<PolicyWaiver>, 
/**
 * Why it cannot be applied (unreadable, refused by the parser): the scans then run without
 * it, and edits are refused until it is fixed.
 */
error: string | null, 
/**
 * Who accepts a risk when the user does not say: the OS user (`$USER`, else `$LOGNAME`).
 */
default_by: string | null, };

/**
 * One `[[waiver]]` of the policy file.
 */
export type PolicyWaiver = { 
/**
 * The check's code (`CTR003`), whichever name the file uses.
 */
check: string, 
/**
 * The object's name or id prefix, or `*` for every object of the check.
 */
target: string, 
/**
 * Why the risk is accepted.
 */
reason: string, 
/**
 * Who accepted it.
 */
by: string | null, 
/**
 * The last day it applies (`YYYY-MM-DD`).
 */
expires: string | null, };

/**
 * What *Accept risk…* asks: a waiver to add, or to update when the check and target have one.
 */
export type WaiverInput = { 
/**
 * Check code or slug.
 */
check: string, 
/**
 * One object (its name); `null` for every object of the check.
 */
target: string | null, 
/**
 * Why the risk is accepted (required).
 */
reason: string, 
/**
 * Who accepted it (the dashboard proposes the OS user).
 */
by: string | null, 
/**
 * The last day it applies (`YYYY-MM-DD`, not in the past); `null` for no expiry.
 */
expires: string | null, };

/**
 * What a waiver edit did, and the policy after it.
 */
export type WaiverChange = { 
/**
 * For the user: what was added, updated (and what it was) or removed, and in which file.
 */
message: string, 
/**
 * The policy file after the edit.
 */
policy: PolicyState, };

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
