// The app's reactive state: the latest AppState from src-tauri (updated only by `state-changed`),
// scan progress, which view is open, the checklist filters and transient notices. One instance,
// created by App.svelte.

import type { AppState, CommandError, Progress, Settings } from './model';
import { NO_FILTERS, type Filters } from './filter';
import * as ipc from './ipc';

/** The pages of the sidebar. */
export type View = 'overview' | 'checklist' | 'containers' | 'vulnerabilities' | 'network' | 'host' | 'history' | 'settings';

/** A transient message (copy failed, scan refused…). */
export type Notice = { id: number; kind: 'error' | 'info'; text: string };

/** The UI state. */
export class Store {
  /** The latest state from src-tauri; `null` until `get_state` answered. Raw, not deeply
   * reactive: it is only ever replaced whole, and a deep proxy over a giant host's report (a
   * million findings) made every read allocate proxies — seconds and a gigabyte of heap to open
   * the checklist at 10 000 containers. */
  app = $state.raw<AppState | null>(null);
  /** The running scan's progress (events arrive faster than state changes). */
  progress = $state<Progress | null>(null);
  /** Set while a `scan_now` request waits for the watcher to report `scanning`. */
  scanRequested = $state(false);
  /** Why the first `get_state` failed, if it did. */
  loadError = $state<CommandError | null>(null);
  /** The open page. */
  view = $state<View>('overview');
  /** The check open in the detail pane. */
  selected = $state<string | null>(null);
  /** Checklist filters. */
  filters = $state<Filters>({ ...NO_FILTERS });
  /** The finding a notification click asked for (the checklist scrolls to it), if any. */
  focused = $state<ipc.FindingRef | null>(null);
  /** Set while a settings change waits for the tray's answer. */
  savingSettings = $state(false);
  /** Set while `scan_images` runs. */
  scanningImages = $state(false);
  /** Transient notices. */
  notices = $state<Notice[]>([]);
  /** "Now" for relative times; ticks once a minute (a clock, not a data poll). */
  now = $state(new Date());

  #unlisten: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #noticeId = 0;
  /** The history recovery already told (once per recovery, not per state). */
  #toldRecovery: string | null = null;

  /** The latest report, if any. */
  get report() {
    return this.app?.report ?? null;
  }
  /** Whether a scan runs (or was just asked for). */
  get scanning() {
    return this.scanRequested || (this.app?.scanning ?? false);
  }

  /** A store that starts from `initial` (the state handed to the page with its first load), if
   * any, so the first render already shows it. */
  constructor(initial: AppState | null = null) {
    if (initial) this.apply(initial);
  }

  /** Subscribes to the events, then reads the current state (again, if the page had one: it may
   * have changed before the subscription). */
  async start(): Promise<void> {
    // The three subscriptions at once: each is an IPC round trip, and the state waits for all.
    this.#unlisten.push(
      ...(await Promise.all([
        ipc.onStateChanged((s) => this.apply(s)),
        ipc.onScanProgress((p) => {
          this.progress = p;
        }),
        ipc.onFocusFinding((f) => this.focusFinding(f)),
      ])),
    );
    this.#timer = setInterval(() => (this.now = new Date()), 30_000);
    try {
      this.apply(await ipc.getState());
    } catch (e) {
      this.loadError = ipc.toCommandError(e);
    }
  }

  /** Unsubscribes (tests, hot reload). */
  stop(): void {
    for (const u of this.#unlisten) u();
    this.#unlisten = [];
    clearInterval(this.#timer);
  }

  /** Takes a new AppState. */
  apply(s: AppState): void {
    // The first state's arrival, for the benchmark's itemised "Open dashboard" (a few µs).
    if (!this.app) performance.mark?.('zd-state');
    this.app = s;
    this.loadError = null;
    const recovered = s.history?.recovered ?? null;
    if (recovered && recovered !== this.#toldRecovery) {
      this.#toldRecovery = recovered;
      this.notify('error', `The scan history was damaged and a new one started: ${recovered}. Details in History.`);
    }
    this.now = new Date();
    if (s.scanning) this.scanRequested = false;
    this.progress = s.scanning ? (s.progress ?? this.progress) : null;
  }

  /** Asks for a rescan. */
  async scanNow(): Promise<void> {
    this.scanRequested = true;
    try {
      await ipc.scanNow();
    } catch (e) {
      this.scanRequested = false;
      this.notify('error', `Scan not started: ${ipc.toCommandError(e).message}`);
    }
  }

  /** Pauses or resumes monitoring. */
  async setPaused(paused: boolean): Promise<void> {
    try {
      this.apply(await ipc.setMonitoring(paused));
    } catch (e) {
      this.notify('error', `Could not ${paused ? 'pause' : 'resume'} monitoring: ${ipc.toCommandError(e).message}`);
    }
  }

  /** Saves settings through the tray; the view shows the tray's answer, never an unsaved value. */
  async saveSettings(settings: Settings): Promise<boolean> {
    this.savingSettings = true;
    try {
      const saved = await ipc.updateSettings(settings);
      if (this.app) this.app = { ...this.app, settings: saved };
      return true;
    } catch (e) {
      this.notify('error', `Settings not saved: ${ipc.toCommandError(e).message}`);
      return false;
    } finally {
      this.savingSettings = false;
    }
  }

  /** Asks for a vulnerability scan of the images in use (explicit only: it exports images). */
  async scanImages(): Promise<void> {
    this.scanningImages = true;
    try {
      await ipc.scanImages();
    } catch (e) {
      this.notify('error', `Images not scanned: ${ipc.toCommandError(e).message}`);
    } finally {
      this.scanningImages = false;
    }
  }

  /** Shows the finding a notification named: the checklist filtered to its object, its check open. */
  focusFinding(f: ipc.FindingRef): void {
    const check = this.report?.checks.find((c) => c.id === f.check);
    const finding = check?.findings.find((x) => x.target.name === f.target);
    this.focused = f;
    if (finding) this.showObject(finding.target.kind, f.target, f.check);
    else this.openCheck(f.check);
  }

  /** Opens a check in the checklist. */
  openCheck(code: string): void {
    this.view = 'checklist';
    this.selected = code;
  }

  /** Opens the checklist filtered to one object. */
  showObject(kind: Filters['kind'], name: string, code: string | null = null): void {
    this.filters = { ...NO_FILTERS, kind, object: name, status: code ? 'all' : 'failing' };
    this.view = 'checklist';
    this.selected = code;
  }

  /** Shows a transient notice. */
  notify(kind: Notice['kind'], text: string): void {
    const id = ++this.#noticeId;
    this.notices = [...this.notices, { id, kind, text }];
    setTimeout(() => this.dismiss(id), 6000);
  }

  /** Removes a notice. */
  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}
