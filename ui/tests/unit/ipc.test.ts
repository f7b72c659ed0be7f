// The typed IPC wrapper against Tauri's own IPC mock: command names and argument shapes are the
// contract of docs/desktop-ipc.md, and errors come back as CommandError.

import { afterEach, describe, expect, test } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import * as ipc from '../../src/lib/ipc';
import { ensureReport } from '../fixtures.mjs';
import type { AppState, Report } from '../../src/lib/model';

const report = ensureReport('default') as Report;
const state: AppState = {
  report,
  engine: { state: 'connected', endpoint: 'unix:///var/run/docker.sock', message: null, hint: null, next_retry_secs: null },
  scanning: false,
  progress: null,
  paused: false,
  settings: { rescan_interval_secs: 300, notifications: true, notify_min_severity: 'high', start_at_login: false, theme: 'system', engine: null },
  tray: 'critical',
  history: { path: null, available: false, recovered: null, error: null, revision: 0, last_saved: null },
  policy: { path: '/home/u/.config/zerodock/policy.toml', exists: false, waivers: [], error: null, default_by: 'u' },
};

afterEach(() => clearMocks());

describe('commands', () => {
  test('names and arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'get_state' || cmd === 'set_monitoring') return state;
      if (cmd === 'export_report') return { path: '/tmp/r.pdf', format: 'pdf', bytes: 10 };
      if (cmd === 'update_settings') return (args as { settings: unknown }).settings;
      return null;
    });
    expect((await ipc.getState()).report?.score).toBe(report.score);
    await ipc.scanNow();
    await ipc.setMonitoring(true);
    await ipc.updateSettings(state.settings);
    expect(await ipc.exportReport('pdf')).toEqual({ path: '/tmp/r.pdf', format: 'pdf', bytes: 10 });
    await ipc.revealPath('/tmp/r.pdf');
    await ipc.copyText('docker run --rm x');
    await ipc.openExternal('https://docs.docker.com/');
    expect(calls.map(([c]) => c)).toEqual([
      'get_state',
      'scan_now',
      'set_monitoring',
      'update_settings',
      'export_report',
      'reveal_path',
      'plugin:clipboard-manager|write_text',
      'plugin:opener|open_url',
    ]);
    expect(calls[2][1]).toEqual({ paused: true });
    expect(calls[4][1]).toEqual({ format: 'pdf', sign: false });
    expect(calls[5][1]).toEqual({ path: '/tmp/r.pdf' });
    expect((calls[6][1] as { text: string }).text).toBe('docker run --rm x');
    expect((calls[7][1] as { url: string }).url).toBe('https://docs.docker.com/');
  });

  test('waivers, signed export and the keyring: names and arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'waive' || cmd === 'unwaive') return { message: 'done', policy: state.policy };
      if (cmd === 'keyring_status') return { store: 'keyutils', persistent: false, reason: 'no Secret Service' };
      return null;
    });
    const waiver = { check: 'CTR003', target: 'web', reason: 'CI runner', by: 'u', expires: null };
    expect((await ipc.waive(waiver)).message).toBe('done');
    await ipc.unwaive('CTR019', null);
    expect((await ipc.keyringStatus()).store).toBe('keyutils');
    await ipc.exportReport('html', true);
    expect(calls).toEqual([
      ['waive', { waiver }],
      ['unwaive', { check: 'CTR019', target: null }],
      ['keyring_status', {}],
      ['export_report', { format: 'html', sign: true }],
    ]);
  });

  test('errors become CommandError', async () => {
    mockIPC((cmd) => {
      if (cmd === 'export_report') throw { code: 'export_failed', message: 'disk full' };
      throw 'plain string from a plugin';
    });
    await expect(ipc.exportReport('json')).rejects.toEqual({ code: 'export_failed', message: 'disk full' });
    await expect(ipc.scanNow()).rejects.toEqual({ code: 'internal', message: 'plain string from a plugin' });
  });

  test('only https links are opened', async () => {
    const opened: unknown[] = [];
    mockIPC((_cmd, args) => opened.push(args));
    await expect(ipc.openExternal('http://example.com')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(ipc.openExternal('file:///etc/passwd')).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(ipc.openExternal('javascript:alert(1)')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(opened).toEqual([]);
  });
});

describe('events', () => {
  test('state-changed and scan-progress reach their handlers', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const states: AppState[] = [];
    const progress: unknown[] = [];
    const u1 = await ipc.onStateChanged((s) => states.push(s));
    const u2 = await ipc.onScanProgress((p) => progress.push(p));
    await emit('state-changed', state);
    await emit('scan-progress', { stage: 'images', done: 1, total: 3 });
    expect(states[0].report?.grade).toBe(report.grade);
    expect(progress).toEqual([{ stage: 'images', done: 1, total: 3 }]);
    u1();
    u2();
    await emit('state-changed', state);
    expect(states.length).toBe(1);
  });
});
