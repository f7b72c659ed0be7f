// The one typed wrapper over the Tauri IPC (docs/desktop-ipc.md): every command, every event, the
// clipboard and link opening. Nothing else in ui/ calls `invoke` or `listen`, so the contract lives
// in one file and a renamed command breaks one place.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { openUrl } from '@tauri-apps/plugin-opener';
import type {
  AppState,
  CommandError,
  EngineChoice,
  EngineList,
  ErrorCode,
  ExportFormat,
  ExportResult,
  HistoryList,
  Progress,
  ScanDiff,
  Settings,
} from './model';
import type { KeyringStatus, WaiverChange, WaiverInput } from './model';

/** Event names, as emitted by src-tauri. */
export const EVENTS = { stateChanged: 'state-changed', scanProgress: 'scan-progress', focusFinding: 'focus-finding' } as const;

/** A finding a notification named: `focus-finding`'s payload. */
export type FindingRef = { check: string; target: string };

const CODES: readonly ErrorCode[] = [
  'engine_unreachable',
  'scan_failed',
  'export_failed',
  'invalid_argument',
  'cancelled',
  'internal',
];

/** Turns whatever a rejected `invoke` gave into a `CommandError` (plugins reject with strings). */
export function toCommandError(e: unknown): CommandError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') {
      return { code: (CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal', message };
    }
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: typeof e === 'string' ? e : 'Unexpected error' };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

/** The state the dashboard handed the page with its first load (`window::first_state_script` in
 * src-tauri: the tray's state, taken just before the window was built), once; `null` when there
 * was none (no tray was running yet, a reload) — then `getState` is the first. It lets the first
 * render show the score without waiting for an IPC round trip; `getState` still follows. */
export function initialState(): AppState | null {
  const w = window as unknown as Record<string, unknown>;
  const state = (w.__ZERODOCK_FIRST_STATE__ ?? null) as AppState | null;
  delete w.__ZERODOCK_FIRST_STATE__;
  return state;
}

/** The latest state: report, engine status, scanning, paused, settings. */
export const getState = (): Promise<AppState> => call<AppState>('get_state');
/** Asks for a full rescan; the result arrives as `state-changed`. */
export const scanNow = (): Promise<null> => call<null>('scan_now');
/** Asks the tray to read the images in use and match them against the vulnerability database;
 * resolves once the report with the vulnerability part has arrived as `state-changed`. */
export const scanImages = (): Promise<null> => call<null>('scan_images');
/** Pauses or resumes monitoring. */
export const setMonitoring = (paused: boolean): Promise<AppState> => call<AppState>('set_monitoring', { paused });
/** Saves the settings. */
export const updateSettings = (settings: Settings): Promise<Settings> =>
  call<Settings>('update_settings', { settings });
/** Exports the current report; Rust shows the save dialog. `null` when the user cancelled. With
 * `sign`, the JSON (the export or its `.json` twin) is signed and the PDF/HTML carries the seal. */
export const exportReport = (format: ExportFormat, sign = false): Promise<ExportResult | null> =>
  call<ExportResult | null>('export_report', { format, sign });
/** Accepts a risk: the tray adds (or updates) the waiver in the policy file and judges again. */
export const waive = (waiver: WaiverInput): Promise<WaiverChange> => call<WaiverChange>('waive', { waiver });
/** Takes an accepted risk back (`target` `null`: the waiver for every object of the check). */
export const unwaive = (check: string, target: string | null): Promise<WaiverChange> =>
  call<WaiverChange>('unwaive', { check, target });
/** The OS keyring store in use and why (the Host view). */
export const keyringStatus = (): Promise<KeyringStatus> => call<KeyringStatus>('keyring_status');
/** Shows a file this session exported in the file manager. */
export const revealPath = (path: string): Promise<null> => call<null>('reveal_path', { path });
/** The saved scans of one engine (its endpoint; `null`: every engine), newest first. */
export const listHistory = (engine: string | null, limit: number | null = null): Promise<HistoryList> =>
  call<HistoryList>('list_history', { engine, limit });
/** What changed from saved scan `from` to `to` (`null`: the newest saved scan of that engine). */
export const historyDiff = (from: number, to: number | null = null): Promise<ScanDiff> =>
  call<ScanDiff>('history_diff', { from, to });
/** The engines the header's switcher offers, and the selected one. */
export const listEngines = (): Promise<EngineList> => call<EngineList>('list_engines');
/** Watches another engine (`null`: the one the docker CLI would use); answers the new state. */
export const selectEngine = (id: string | null): Promise<AppState> => call<AppState>('select_engine', { id });
/** Adds an engine; with `tls`, Rust asks for the certificates' folder (`null`: cancelled). */
export const addEngine = (name: string, host: string, tls: boolean): Promise<EngineChoice | null> =>
  call<EngineChoice | null>('add_engine', { name, host, tls });
/** Removes an engine added in the app. */
export const removeEngine = (id: string): Promise<EngineList> => call<EngineList>('remove_engine', { id });

/** Subscribes to `state-changed`, the only source of updates (no polling). */
export function onStateChanged(handler: (state: AppState) => void): Promise<UnlistenFn> {
  return listen<AppState>(EVENTS.stateChanged, (e) => handler(e.payload));
}
/** Subscribes to `scan-progress`. */
export function onScanProgress(handler: (progress: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>(EVENTS.scanProgress, (e) => handler(e.payload));
}

/** Subscribes to `focus-finding`: a notification about that finding was clicked. */
export function onFocusFinding(handler: (finding: FindingRef) => void): Promise<UnlistenFn> {
  return listen<FindingRef>(EVENTS.focusFinding, (e) => handler(e.payload));
}

/** Copies `text` exactly, through the clipboard-manager plugin (the webview has no other clipboard access). */
export async function copyText(text: string): Promise<void> {
  try {
    await writeText(text);
  } catch (e) {
    throw toCommandError(e);
  }
}

/** Whether `url` may be opened: https only, as the opener capability allows. */
export function isOpenableUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Opens an https documentation link in the user's browser; anything else is refused. */
export async function openExternal(url: string): Promise<void> {
  if (!isOpenableUrl(url)) throw { code: 'invalid_argument', message: `Not an https link: ${url}` } satisfies CommandError;
  try {
    await openUrl(url);
  } catch (e) {
    throw toCommandError(e);
  }
}
