// Benchmark, not a test: the built UI in headless Debian chromium over a real report of a host with
// N containers (default 10 000; tests/fixtures.mjs ensureGiantReport), timing what a user does —
// load, open the containers view, scroll, filter, sort, open a check with N findings and scroll
// it — each up to the frame after the change (two animation frames). Prints a table; asserts
// nothing about time.
//
//   npm run bench:giant                      # builds dist-test, 10 000 containers
//   node tests/bench-giant.mjs 1000          # another size
//   node tests/bench-giant.mjs 10000 --dist /path/to/other/ui/dist-test   # compare a build

import { join } from 'node:path';
import { statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { ensureGiantReport, ROOT } from './fixtures.mjs';
import { serve } from './browser/harness.mjs';
import { FRAME_HELPER, scenarioScript } from './browser/giant.mjs';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 10000);
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? args[distAt + 1] : join(ROOT, 'ui', 'dist-test');

const reportFile = ensureGiantReport(N);
const script = scenarioScript(reportFile);
const server = await serve(dist, { '/giant-scenario.js': script });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info'],
});

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s.at(-1) };
};
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const rows = [];
const row = (what, figure, note = '') => {
  rows.push([what, figure, note]);
  console.error(`  ${what}: ${figure} ${note}`);
};

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.route(server.url, async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('<head>', '<head><script src="/giant-scenario.js"></script>');
    await route.fulfill({ response: res, body });
  });
  await page.addInitScript(FRAME_HELPER);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN;

  const t0 = Date.now();
  await page.goto(server.url, { timeout: 600_000 });
  await page.waitForSelector('[data-testid=score]', { timeout: 600_000 });
  const loaded = Date.now() - t0;
  const parse = await page.evaluate(() => window.__zdParseEnd - window.__zdParseStart);
  row('report size', `${(statSync(reportFile).size / 1e6).toFixed(0)} MB JSON`, `${N} containers`);
  row('load → overview score painted', fmt(loaded), `of which parsing the report: ${fmt(parse)}`);
  row('JS heap after load', `${((await metric('JSHeapUsedSize')) / 1e6).toFixed(0)} MB`);

  const click = (sel) =>
    page.evaluate(async (s) => {
      const t = performance.now();
      document.querySelector(s).click();
      await window.__zdFrame();
      return performance.now() - t;
    }, sel);

  row('open Containers view', fmt(await click('[data-testid=nav-containers]')));
  row('DOM: container rows / all nodes', `${await page.locator('[data-testid=container-row]').count()} / ${await metric('Nodes')}`);

  const jumps = await page.evaluate(async () => {
    const s = window.__zdScroller('[data-testid=containers]');
    const out = [];
    for (let i = 1; i <= 20; i++) {
      const t = performance.now();
      s.scrollTop = ((i * 7919) % 20) / 20 * s.scrollHeight;
      await window.__zdFrame();
      out.push(performance.now() - t);
    }
    return out;
  });
  const j = stats(jumps);
  row('scroll: jump to a random position (20×)', `median ${fmt(j.median)}, max ${fmt(j.max)}`);
  const steps = await page.evaluate(async () => {
    const s = window.__zdScroller('[data-testid=containers]');
    s.scrollTop = 0;
    await window.__zdFrame();
    const out = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      s.scrollTop += 300;
      await window.__zdFrame();
      out.push(performance.now() - t);
    }
    return out;
  });
  const st = stats(steps);
  row('scroll: 60 steps of 300 px', `median ${fmt(st.median)}, p95 ${fmt(st.p95)}, max ${fmt(st.max)}`, '(a frame is 2 animation frames ≈ 33 ms at 60 Hz)');

  const typed = await page.evaluate(async (n) => {
    const input = document.querySelector('[data-testid=container-filter]');
    const t = performance.now();
    input.value = `-${String(Math.floor(n * 0.77)).padStart(5, '0')}`;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await window.__zdFrame();
    const typedMs = performance.now() - t;
    const shown = document.querySelectorAll('[data-testid=container-row]').length;
    const t2 = performance.now();
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await window.__zdFrame();
    return { typedMs, shown, clearedMs: performance.now() - t2 };
  }, N);
  row('filter: type a container number', fmt(typed.typedMs), `(${typed.shown} row shown)`);
  row('filter: clear (all rows back)', fmt(typed.clearedMs));
  row('sort by name', fmt(await click('th.c-name button')));
  row('sort by failing checks', fmt(await click('th.c-failing button')));

  row('open Checklist view', fmt(await click('[data-testid=nav-checklist]')));
  row('open CTR011 (a finding per container)', fmt(await click('[data-testid=check-row][data-code=CTR011]')));
  row('DOM: findings shown', `${await page.locator('[data-testid=check-detail] [data-testid=finding]').count()}`);
  const pane = await page.evaluate(async () => {
    const s = window.__zdScroller('[data-testid=check-detail] [data-testid=finding]');
    const out = [];
    for (let i = 1; i <= 20; i++) {
      const t = performance.now();
      s.scrollTop = ((i * 7919) % 20) / 20 * s.scrollHeight;
      await window.__zdFrame();
      out.push(performance.now() - t);
    }
    return out;
  });
  const p = stats(pane);
  row('findings: jump to a random position (20×)', `median ${fmt(p.median)}, max ${fmt(p.max)}`);
  const objectFilter = await page.evaluate(async (n) => {
    const sel = document.querySelector('[data-testid=filter-object]');
    const t = performance.now();
    sel.value = [...sel.options][Math.floor(n / 2)].value;
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    await window.__zdFrame();
    return { ms: performance.now() - t, options: sel.options.length };
  }, N);
  row('object filter: pick one of the select\'s options', fmt(objectFilter.ms), `(${objectFilter.options} options)`);
  row('open Network view', fmt(await click('[data-testid=nav-network]')));
  row('DOM: network members / port rows / all nodes', `${await page.locator('.members li').count()} / ${await page.locator('[data-testid=port-row]').count()} / ${await metric('Nodes')}`);
  row('JS heap at the end', `${((await metric('JSHeapUsedSize')) / 1e6).toFixed(0)} MB`);
  row('page errors', String(errors.length), errors.slice(0, 3).join(' | '));

  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`\nUI over a host of ${N} containers (${dist}); chromium headless, 1280×800; load ${load}\n`);
  console.log('| what | figure | note |\n|---|---|---|');
  for (const [w, f, n] of rows) console.log(`| ${w} | ${f} | ${n} |`);
} finally {
  await browser.close();
  await server.close();
}
