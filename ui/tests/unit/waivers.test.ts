// Accept risk…, the Waivers list, Sign in the export dialog and the Host view's keyring line, in
// jsdom on a REAL engine report (the default fixture), with the IPC mocked at Tauri's boundary:
// what each control sends, what it refuses to send, and what it shows of the answer.

import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import Checklist from '../../src/lib/views/Checklist.svelte';
import SettingsView from '../../src/lib/views/Settings.svelte';
import ExportDialog from '../../src/lib/components/ExportDialog.svelte';
import KeyringLine from '../../src/lib/components/KeyringLine.svelte';
import { Store } from '../../src/lib/store.svelte';
import { STORE_KEY } from '../../src/lib/context';
import { appState, ensureReport } from '../fixtures.mjs';
import { draftProblem, fate, toInput } from '../../src/lib/waivers';
import type { AppState, PolicyWaiver, Report } from '../../src/lib/model';

const report = ensureReport('default') as Report;

afterEach(() => {
  clearMocks();
  document.body.innerHTML = '';
});

const settle = () => new Promise((r) => setTimeout(r, 0));
const el = <T extends Element = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid=${id}]`);
const click = (id: string) => (el<HTMLElement>(id) ?? fail(id)).click();
function fail(id: string): never {
  throw new Error(`no [data-testid=${id}] in ${document.body.innerHTML.slice(0, 300)}`);
}
function type(id: string, value: string) {
  const input = el<HTMLInputElement | HTMLTextAreaElement>(id) ?? fail(id);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

// jsdom has no <dialog> methods: open/close as the browser does (the Playwright spec uses a real one).
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.open = true;
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.open = false;
  this.dispatchEvent(new Event('close'));
};

/** A check of the real report with a failing container finding, and that finding. */
const failing = report.checks.find((c) => c.findings.some((f) => f.status === 'fail' && f.target.kind === 'container' && !f.waived))!;
const failingFinding = failing.findings.find((f) => f.status === 'fail' && f.target.kind === 'container')!;

function mountChecklist(answer: (cmd: string, args: unknown) => unknown) {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    return answer(cmd, args);
  });
  const store = new Store();
  store.app = appState(report) as AppState;
  store.selected = failing.id;
  const c = mount(Checklist, { target: document.body, props: { report }, context: new Map([[STORE_KEY, store]]) });
  flushSync();
  return { c, store, calls };
}

describe('Accept risk…', () => {
  test('from a finding: the reason is required, then the waiver for that object is sent', async () => {
    const { c, store, calls } = mountChecklist((_cmd, args) => {
      const w = (args as { waiver: { check: string; target: string } }).waiver;
      return { message: `Accepted the risk of ${w.check} / ${w.target}.`, policy: (appState(report) as AppState).policy };
    });
    const row = document.querySelector<HTMLElement>(`[data-testid=finding][data-target="${failingFinding.target.name}"]`)!;
    (row.querySelector('[data-testid=accept-risk]') as HTMLButtonElement).click();
    flushSync();
    expect(el<HTMLDialogElement>('accept-risk-dialog')!.open).toBe(true);
    expect(el('accept-risk-dialog')!.textContent).toContain(failing.title);
    expect(el<HTMLInputElement>('scope-object')!.checked).toBe(true);
    expect(el<HTMLInputElement>('waiver-by')!.value).toBe('user');
    expect(el('waiver-file')!.textContent).toBe('/home/user/.config/zerodock/policy.toml');

    // No reason: refused here, nothing reaches the tray.
    click('waiver-save');
    await settle();
    flushSync();
    expect(el('waiver-error')!.textContent).toContain('reason is required');
    expect(calls).toEqual([]);

    type('waiver-reason', 'A CI runner; access is behind SSO');
    type('waiver-expires', '2099-12-31');
    flushSync();
    click('waiver-save');
    await settle();
    flushSync();
    expect(calls).toEqual([
      ['waive', { waiver: { check: failing.id, target: failingFinding.target.name, reason: 'A CI runner; access is behind SSO', by: 'user', expires: '2099-12-31' } }],
    ]);
    expect(el<HTMLDialogElement>('accept-risk-dialog')!.open).toBe(false);
    expect(store.notices.at(-1)?.text).toBe(`Accepted the risk of ${failing.id} / ${failingFinding.target.name}.`);
    unmount(c);
  });

  test('for every object of the check, and the tray\'s refusal is shown in the dialog', async () => {
    const { c, calls } = mountChecklist(() => {
      throw { code: 'invalid_argument', message: 'expiry 2020-01-01 is in the past' };
    });
    click('accept-risk-all');
    flushSync();
    expect(el('scope-object')).toBeNull();
    expect(el<HTMLInputElement>('scope-all')!.checked).toBe(true);
    type('waiver-reason', 'Accepted for all');
    flushSync();
    click('waiver-save');
    await settle();
    flushSync();
    expect((calls[0][1] as { waiver: { target: unknown } }).waiver.target).toBeNull();
    expect(el('waiver-error')!.textContent).toContain('in the past');
    expect(el<HTMLDialogElement>('accept-risk-dialog')!.open).toBe(true);
    unmount(c);
  });

  test('the draft rules the dialog applies before sending', () => {
    const base = { check: 'CTR003', title: '', target: 'web', scope: 'object' as const, reason: 'x', by: ' ', expires: '', editing: false };
    expect(draftProblem({ ...base, reason: '  ' })).toMatch(/reason is required/);
    expect(draftProblem({ ...base, expires: '2020-01-01' }, '2026-12-07')).toMatch(/in the past/);
    expect(draftProblem({ ...base, expires: '2026-12-07' }, '2026-12-07')).toBeNull();
    expect(toInput({ ...base, scope: 'all' })).toEqual({ check: 'CTR003', target: null, reason: 'x', by: null, expires: null });
  });
});

describe('Waivers list', () => {
  const waivers: PolicyWaiver[] = [
    { check: 'CTR003', target: 'portainer', reason: 'Manages the host', by: 'ops', expires: null },
    { check: 'CTR019', target: '*', reason: 'Monitored elsewhere', by: null, expires: '2025-01-31' },
    { check: 'CTR001', target: 'gone', reason: 'Old container', by: null, expires: null },
  ];
  // What the engine reports of each (the real report's other fields).
  const judged: Report = {
    ...report,
    waivers: [
      { check: 'CTR003', target: 'portainer', reason: 'Manages the host', matched: 1, expired: false },
      { check: 'CTR019', target: '*', reason: 'Monitored elsewhere', expires: '2025-01-31', matched: 0, expired: true },
      { check: 'CTR001', target: 'gone', reason: 'Old container', matched: 0, expired: false },
    ],
  };

  test('each waiver says what became of it; Remove asks once more; Edit keeps check and target', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'unwaive') return { message: 'Removed the waiver for CTR001 / gone.', policy: { path: '/p.toml', exists: true, waivers: [], error: null, default_by: 'user' } };
      if (cmd === 'waive') return { message: 'Updated.', policy: { path: '/p.toml', exists: true, waivers, error: null, default_by: 'user' } };
      throw new Error(`unexpected ${cmd}`);
    });
    const store = new Store();
    store.app = appState(judged, { policy: { path: '/p.toml', exists: true, waivers, error: null, default_by: 'user' } }) as AppState;
    const c = mount(SettingsView, { target: document.body, context: new Map([[STORE_KEY, store]]) });
    flushSync();
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid=waiver]')];
    expect(rows.map((r) => [r.dataset.check, r.dataset.target, r.dataset.fate])).toEqual([
      ['CTR003', 'portainer', 'active'],
      ['CTR019', '*', 'expired'],
      ['CTR001', 'gone', 'unused'],
    ]);
    expect(rows[1].textContent).toContain('Every object');
    expect(rows[1].textContent).toContain('Expired on 2025-01-31');

    const remove = rows[2].querySelector<HTMLButtonElement>('[data-testid=waiver-remove]')!;
    remove.click();
    flushSync();
    expect(calls).toEqual([]);
    expect(remove.textContent).toContain('sure?');
    remove.click();
    await settle();
    flushSync();
    expect(calls).toEqual([['unwaive', { check: 'CTR001', target: 'gone' }]]);
    expect(store.notices.at(-1)?.text).toBe('Removed the waiver for CTR001 / gone.');

    rows[1].querySelector<HTMLButtonElement>('[data-testid=waiver-edit]')!.click();
    flushSync();
    expect(el('waiver-scope-fixed')!.textContent).toContain('every object');
    expect(el<HTMLTextAreaElement>('waiver-reason')!.value).toBe('Monitored elsewhere');
    type('waiver-expires', '2099-01-31');
    flushSync();
    click('waiver-save');
    await settle();
    expect(calls[1]).toEqual(['waive', { waiver: { check: 'CTR019', target: null, reason: 'Monitored elsewhere', by: null, expires: '2099-01-31' } }]);
    unmount(c);
  });

  test('a waiver the report does not know yet is pending; an unreadable file is said', () => {
    expect(fate(waivers[0], { ...report, waivers: [] })).toBe('pending');
    expect(fate(waivers[0], null)).toBe('pending');
    mockIPC(() => null);
    const store = new Store();
    store.app = appState(report, { policy: { path: '/p.toml', exists: true, waivers: [], error: '/p.toml: malformed policy file: missing field `reason`', default_by: null } }) as AppState;
    const c = mount(SettingsView, { target: document.body, context: new Map([[STORE_KEY, store]]) });
    flushSync();
    expect(el('waivers-error')!.textContent).toContain('missing field `reason`');
    expect(el('waivers-empty')).not.toBeNull();
    unmount(c);
  });
});

describe('Sign in the export dialog', () => {
  test('Sign is sent with the format, offered for JSON/PDF/HTML only, and the result names the envelope and key', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return {
        path: '/home/user/Documents/r.pdf',
        format: 'pdf',
        bytes: 52_000,
        signature: {
          json_path: '/home/user/Documents/r.json',
          envelope_path: '/home/user/Documents/r.json.dsse.json',
          key_fingerprint: 'SHA256:abcdef0123456789',
          report_sha256: '00'.repeat(32),
          key_created: true,
          keyring: 'secret-service',
        },
      };
    });
    const store = new Store();
    const c = mount(ExportDialog, { target: document.body, props: { open: true }, context: new Map([[STORE_KEY, store]]) });
    flushSync();
    click('format-markdown');
    flushSync();
    expect(el<HTMLInputElement>('export-sign')!.disabled).toBe(true);
    click('format-pdf');
    flushSync();
    expect(el<HTMLInputElement>('export-sign')!.disabled).toBe(false);
    click('export-sign');
    flushSync();
    click('export-go');
    await settle();
    flushSync();
    expect(calls).toEqual([['export_report', { format: 'pdf', sign: true }]]);
    expect(el('export-envelope')!.textContent).toBe('/home/user/Documents/r.json.dsse.json');
    expect(el('export-fingerprint')!.textContent).toBe('SHA256:abcdef0123456789');
    expect(el('export-signature')!.textContent).toContain('with a new key');
    unmount(c);
  });
});

describe('Host view keyring line', () => {
  test('names the store, warns when it does not survive a reboot, and says why', async () => {
    mockIPC((cmd) => {
      if (cmd !== 'keyring_status') throw new Error(cmd);
      return { store: 'keyutils', persistent: false, reason: 'no Secret Service (Secret Service: no session bus); the kernel keyring keeps secrets in memory until reboot' };
    });
    const c = mount(KeyringLine, { target: document.body });
    await settle();
    flushSync();
    expect(el('keyring')!.dataset.store).toBe('keyutils');
    expect(el('keyring-store')!.textContent).toBe('kernel keyutils');
    expect(el('keyring')!.textContent).toContain('lost at reboot');
    expect(el('keyring-reason')!.textContent).toContain('no Secret Service');
    unmount(c);
  });
});
