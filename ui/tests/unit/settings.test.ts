// The Settings view and the theme in jsdom: every control sends the whole settings through
// `update_settings` (the tray's), shows what the tray answered, keeps the saved value when the tray
// refuses; the theme resolves system/light/dark onto <html data-theme>. Also the store's handling of
// a notification click (`focus-finding`) on a REAL engine report.

import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import SettingsView from '../../src/lib/views/Settings.svelte';
import { Store } from '../../src/lib/store.svelte';
import { STORE_KEY } from '../../src/lib/context';
import { applyTheme, resolveTheme } from '../../src/lib/theme';
import { appState, ensureReport } from '../fixtures.mjs';
import type { AppState, Report, Settings } from '../../src/lib/model';

const report = ensureReport('default') as Report;

afterEach(() => {
  clearMocks();
  document.body.innerHTML = '';
});

const settle = () => new Promise((r) => setTimeout(r, 0));

function mountSettings(answer: (s: Settings) => Settings) {
  const sent: Settings[] = [];
  mockIPC((cmd, args) => {
    if (cmd !== 'update_settings') throw new Error(`unexpected ${cmd}`);
    const s = (args as { settings: Settings }).settings;
    sent.push(s);
    return answer(s);
  });
  const store = new Store();
  store.app = appState(report) as AppState;
  const c = mount(SettingsView, { target: document.body, context: new Map([[STORE_KEY, store]]) });
  return { c, store, sent, el: <T extends Element>(id: string) => document.querySelector<T>(`[data-testid=${id}]`)! };
}

describe('Settings view', () => {
  test('each control sends the whole settings and shows what the tray saved', async () => {
    const { c, store, sent, el } = mountSettings((s) => s);
    expect(el<HTMLSelectElement>('rescan-interval').value).toBe('300');
    expect(el('engine-endpoint').textContent).toBe(store.app!.engine.endpoint);
    expect(el('engine-note').textContent).toMatch(/engine menu in the header/);

    const interval = el<HTMLSelectElement>('rescan-interval');
    interval.value = '3600';
    interval.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    flushSync();
    expect(sent.at(-1)).toEqual({ ...(appState(report) as AppState).settings, rescan_interval_secs: 3600 });
    expect(store.app!.settings.rescan_interval_secs).toBe(3600);
    expect(el('settings-status').textContent).toMatch(/Saved/);

    el<HTMLInputElement>('severity-critical').click();
    await settle();
    expect(sent.at(-1)?.notify_min_severity).toBe('critical');
    expect(sent.at(-1)?.rescan_interval_secs).toBe(3600);

    el<HTMLInputElement>('notifications').click();
    await settle();
    flushSync();
    expect(sent.at(-1)?.notifications).toBe(false);
    // Without notifications the severity has no meaning: disabled, not hidden.
    expect(el<HTMLInputElement>('severity-high').closest('fieldset')!.disabled).toBe(true);

    el<HTMLInputElement>('start-at-login').click();
    await settle();
    expect(sent.at(-1)?.start_at_login).toBe(true);
    el<HTMLInputElement>('theme-dark').click();
    await settle();
    expect(sent.at(-1)).toEqual({ rescan_interval_secs: 3600, notifications: false, notify_min_severity: 'critical', start_at_login: true, theme: 'dark', engine: null });
    unmount(c);
  });

  test('a refused change is reported and the saved value stays', async () => {
    const { c, store, el } = mountSettings(() => {
      throw { code: 'internal', message: 'Could not change start at login: read-only file system' };
    });
    el<HTMLInputElement>('start-at-login').click();
    await settle();
    flushSync();
    expect(store.app!.settings.start_at_login).toBe(false);
    expect(el<HTMLInputElement>('start-at-login').checked).toBe(false);
    expect(store.notices.map((n) => n.text)).toEqual(['Settings not saved: Could not change start at login: read-only file system']);
    unmount(c);
  });
});

describe('theme', () => {
  test('system follows the desktop, light and dark are forced', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    applyTheme('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

describe('focus-finding', () => {
  test('opens the checklist on the named check, filtered to the named object', () => {
    const store = new Store();
    store.app = appState(report) as AppState;
    const check = report.checks.find((c) => c.status === 'fail' && c.findings.some((f) => f.target.kind === 'container'))!;
    const finding = check.findings.find((f) => f.target.kind === 'container' && f.status === 'fail')!;
    store.focusFinding({ check: check.id, target: finding.target.name });
    expect(store.view).toBe('checklist');
    expect(store.selected).toBe(check.id);
    expect(store.filters).toMatchObject({ kind: 'container', object: finding.target.name, status: 'all' });
    // A finding the report no longer has (fixed meanwhile) still opens its check, unfiltered.
    const other = new Store();
    other.app = appState(report) as AppState;
    other.focusFinding({ check: check.id, target: 'gone-since' });
    expect(other.selected).toBe(check.id);
    expect(other.filters.object).toBe('');
  });
});
