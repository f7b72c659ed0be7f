// Test-only entry (vite build --mode test → dist-test/): the real app with Tauri's IPC mocked by
// `@tauri-apps/api/mocks`. The browser tests put a scenario in `window.__ZD_SCENARIO__` (an init
// script) — an AppState built around a REAL engine report — and drive events and read the mocked
// clipboard through `window.__zdTest`. Never part of the shipped dist/.

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { AppState, CommandError, EngineList, ExportFormat, ExportResult, HistoryList, ScanDiff } from '../src/lib/model';
import type { KeyringStatus, WaiverInput } from '../src/lib/model';

/** What a test sets up before the page loads. */
type Scenario = {
  state: AppState;
  /** What `export_report` answers: a result, `null` (cancelled) or an error. */
  exportAnswer?: ExportResult | null | CommandError;
  /** Make `get_state` fail with this error. */
  getStateError?: CommandError;
  /** Make `update_settings` fail with this error (else it saves, as the tray does). */
  settingsError?: CommandError;
  /** What `scan_images` does: publish this state first (as the tray does before replying), or fail. */
  scanImagesAnswer?: AppState | CommandError;
  /** What `waive` does, as the tray does: publish this state (the policy with the waiver, the report
   * judged again), then answer; or fail. Absent: refused. */
  waiveAnswer?: AppState | CommandError;
  /** What `keyring_status` answers (else the Secret Service). */
  keyring?: KeyringStatus;
  /** What `list_history` answers (else an empty history). */
  history?: HistoryList;
  /** What `history_diff` answers, by the `from` scan's id. */
  diffs?: Record<number, ScanDiff>;
  /** What `list_engines` answers (else the default context only). */
  engines?: EngineList;
};

/** What a test can read and do. */
type Controller = {
  calls: { cmd: string; args: unknown }[];
  clipboard: string | null;
  opened: string[];
  emit: (event: string, payload: unknown) => Promise<void>;
  setState: (state: AppState) => Promise<void>;
};

declare global {
  interface Window {
    __ZD_SCENARIO__?: Scenario;
    __zdTest: Controller;
  }
}

const scenario = window.__ZD_SCENARIO__;
if (!scenario) throw new Error('test build: window.__ZD_SCENARIO__ is not set');
let state = scenario.state;

const ctl: Controller = {
  calls: [],
  clipboard: null,
  opened: [],
  emit: (event, payload) => emit(event, payload),
  setState: async (s) => {
    state = s;
    await emit('state-changed', s);
  },
};
window.__zdTest = ctl;

const isError = (x: unknown): x is CommandError => !!x && typeof x === 'object' && 'code' in x && 'message' in x;

mockIPC(
  async (cmd, payload) => {
    const args = payload as Record<string, unknown> | undefined;
    ctl.calls.push({ cmd, args });
    switch (cmd) {
      case 'get_state':
        if (scenario.getStateError) throw scenario.getStateError;
        return state;
      case 'scan_now':
        return null;
      case 'set_monitoring':
        state = { ...state, paused: Boolean(args?.paused) };
        return state;
      case 'update_settings': {
        if (scenario.settingsError) throw scenario.settingsError;
        // The tray persists, publishes the new state to every dashboard, then replies.
        state = { ...state, settings: args?.settings as AppState['settings'] };
        await emit('state-changed', state);
        return args?.settings;
      }
      case 'scan_images': {
        const answer = scenario.scanImagesAnswer;
        if (isError(answer)) throw answer;
        if (answer) {
          state = answer;
          await emit('state-changed', state);
        }
        return null;
      }
      case 'export_report': {
        const answer = scenario.exportAnswer;
        if (isError(answer)) throw answer;
        if (answer === undefined) {
          const format = args?.format as ExportFormat;
          return { path: `/home/user/zerodock-report.${format === 'markdown' ? 'md' : format}`, format, bytes: 48213 };
        }
        return answer;
      }
      case 'reveal_path':
        return null;
      case 'waive': {
        const answer = scenario.waiveAnswer;
        const w = args?.waiver as WaiverInput;
        if (!answer) throw { code: 'internal', message: 'the test scenario sets no waiveAnswer' } satisfies CommandError;
        if ('code' in answer) throw answer;
        await ctl.setState(answer);
        return { message: `Accepted the risk of ${w.check} / ${w.target ?? '*'} in ${answer.policy.path}.`, policy: answer.policy };
      }
      case 'unwaive': {
        const policy = { ...state.policy, waivers: state.policy.waivers.filter((x) => !(x.check === args?.check && x.target === ((args?.target as string | null) ?? '*'))) };
        await ctl.setState({ ...state, policy });
        return { message: `Removed the waiver for ${String(args?.check)} / ${String(args?.target ?? '*')}.`, policy };
      }
      case 'keyring_status':
        return scenario.keyring ?? { store: 'secret-service', persistent: true, reason: 'the Secret Service answers on the session bus' };
      case 'list_history':
        return scenario.history ?? { engine: args?.engine ?? null, scans: [], engines: [], retention_days: 90 };
      case 'history_diff': {
        const d = scenario.diffs?.[Number(args?.from)];
        if (!d) throw { code: 'invalid_argument', message: `no scan ${String(args?.from)} in the history` } satisfies CommandError;
        return d;
      }
      case 'list_engines': {
        // Without a scenario list: what a tray started with DOCKER_HOST lists (the fixtures' case).
        const fallback = {
          engines: [
            { id: 'docker-host', name: 'DOCKER_HOST', host: state.engine.endpoint, origin: 'docker_host' as const, tls: false, current: true, problem: null },
            { id: 'context:default', name: 'default', host: 'unix:///var/run/docker.sock', origin: 'context' as const, tls: false, current: false, problem: null },
          ],
          selected: null,
        };
        return { ...(scenario.engines ?? fallback), selected: state.settings.engine };
      }
      case 'select_engine': {
        // The tray persists the choice, restarts its watcher and answers the new state (no report yet).
        const engine = scenario.engines?.engines.find((e) => e.id === args?.id);
        state = {
          ...state,
          report: null,
          settings: { ...state.settings, engine: (args?.id as string | null) ?? null },
          engine: { state: 'connecting', endpoint: engine?.host ?? state.engine.endpoint, message: null, hint: null, next_retry_secs: null },
          tray: 'scanning',
        };
        return state;
      }
      case 'add_engine': {
        const host = String(args?.host ?? '');
        const n = (scenario.engines?.engines.filter((e) => e.origin === 'added').length ?? 0) + 1;
        const added = { id: `added:${n}`, name: String(args?.name), host, origin: 'added' as const, tls: Boolean(args?.tls), current: false, problem: null };
        if (scenario.engines) scenario.engines = { ...scenario.engines, engines: [...scenario.engines.engines, added] };
        return added;
      }
      case 'remove_engine':
        if (scenario.engines) scenario.engines = { ...scenario.engines, engines: scenario.engines.engines.filter((e) => e.id !== args?.id) };
        return scenario.engines ?? { engines: [], selected: null };
      case 'plugin:clipboard-manager|write_text':
        ctl.clipboard = String(args?.text ?? '');
        return null;
      case 'plugin:opener|open_url':
        ctl.opened.push(String(args?.url ?? ''));
        return null;
      default:
        throw { code: 'internal', message: `test build: unmocked command ${cmd}` } satisfies CommandError;
    }
  },
  { shouldMockEvents: true },
);

await import('../src/main');
