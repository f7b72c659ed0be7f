// Component tests in jsdom: the copy button puts the exact snippet on the (mocked) clipboard and
// says so; the checklist renders real rows with the stable test hooks.

import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import CodeBlock from '../../src/lib/components/CodeBlock.svelte';
import Checklist from '../../src/lib/views/Checklist.svelte';
import Overview from '../../src/lib/views/Overview.svelte';
import { Store } from '../../src/lib/store.svelte';
import { STORE_KEY } from '../../src/lib/context';
import { ensureReport } from '../fixtures.mjs';
import type { Report } from '../../src/lib/model';

const report = ensureReport('default') as Report;

afterEach(() => {
  clearMocks();
  document.body.innerHTML = '';
});

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('CodeBlock', () => {
  test('Copy writes the exact code and shows Copied', async () => {
    let clipboard: string | null = null;
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:clipboard-manager|write_text') clipboard = (args as { text: string }).text;
      return null;
    });
    const code = 'docker run -d --name web \\\n  --cap-drop ALL nginx:1.27';
    const c = mount(CodeBlock, { target: document.body, props: { code, lang: 'docker run', label: 'Recreate `web`' } });
    expect(document.querySelector('pre')?.textContent).toBe(code);
    expect(document.querySelector('.label code')?.textContent).toBe('web');
    (document.querySelector('[data-testid=copy]') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(clipboard).toBe(code);
    expect(document.querySelector('[data-testid=copy]')?.textContent?.trim()).toBe('Copied');
    unmount(c);
  });

  test('a clipboard failure is shown, not swallowed', async () => {
    mockIPC(() => {
      throw 'clipboard unavailable';
    });
    const c = mount(CodeBlock, { target: document.body, props: { code: 'x', lang: 'shell' } });
    (document.querySelector('[data-testid=copy]') as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(document.querySelector('[data-testid=copy]')?.textContent?.trim()).toBe('Copy failed');
    unmount(c);
  });
});

describe('Checklist', () => {
  test('rows carry code and status hooks; a filter narrows them', async () => {
    mockIPC(() => null);
    const store = new Store();
    const c = mount(Checklist, { target: document.body, props: { report }, context: new Map([[STORE_KEY, store]]) });
    const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid=check-row]')];
    expect(rows().length).toBe(report.checks.length);
    const ctr001 = rows().find((r) => r.dataset.code === 'CTR001')!;
    expect(ctr001.dataset.status).toBe(report.checks.find((x) => x.id === 'CTR001')!.status);
    store.filters.status = 'pass';
    flushSync();
    expect(rows().every((r) => r.dataset.status === 'pass')).toBe(true);
    expect(rows().length).toBe(report.checks.filter((x) => x.status === 'pass').length);
    ctr001.click();
    store.filters.status = 'all';
    flushSync();
    rows().find((r) => r.dataset.code === 'CTR001')!.click();
    flushSync();
    expect(document.querySelector('[data-testid=check-detail]')?.getAttribute('data-code')).toBe('CTR001');
    unmount(c);
  });
});

describe('Overview top risks', () => {
  const mountOverview = (r: Report) => {
    mockIPC(() => null);
    return mount(Overview, { target: document.body, props: { report: r }, context: new Map([[STORE_KEY, new Store()]]) });
  };
  const note = (code: string) =>
    document.querySelector(`[data-testid=risk][data-code=${code}] [data-testid=risk-together]`)?.textContent ?? null;

  test('a critical that gains +0 alone says what fixing all criticals gives (captured engine, no cap)', () => {
    const c = mountOverview(report);
    const all = report.score_if_fixed_by_severity!.critical!;
    const n = report.risks!.filter((r) => r.severity === 'critical' && (r.status === 'fail' || r.status === 'warn')).length;
    expect(note('CTR001')).toBe(`Fixing all ${n} critical: ${all} (+${all - report.score!}) · alone it moves the score under a point`);
    expect(note('DMN006')).toBeNull();
    unmount(c);
  });

  test('a critical held by the cap says the cap, not "+0" alone', () => {
    // The engine's data for a host whose criticals hold the score at 69 (evaluate's unit test
    // builds this case from the captured engine).
    const cap = { severity: 'critical' as const, score: 69 };
    const capped: Report = {
      ...report,
      score: 69,
      score_if_fixed_by_severity: { critical: 81 },
      risks: report.risks!.map((r) => (r.severity === 'critical' ? { ...r, gain: 0, capped: cap } : r)),
    };
    const c = mountOverview(capped);
    expect(note('CTR001')).toMatch(/^Fixing all \d+ critical: 81 \(\+12\) · capped at 69 while any critical fails$/);
    expect(note('DMN006')).toBe(note('CTR001'));
    unmount(c);
  });
});
