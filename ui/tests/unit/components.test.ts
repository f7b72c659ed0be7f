// Component tests in jsdom: the copy button puts the exact snippet on the (mocked) clipboard and
// says so; the checklist renders real rows with the stable test hooks.

import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import CodeBlock from '../../src/lib/components/CodeBlock.svelte';
import Checklist from '../../src/lib/views/Checklist.svelte';
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
