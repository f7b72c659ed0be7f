// A host of a thousand containers (a real engine report, tests/fixtures.mjs ensureGiantReport) in
// the built UI: the containers table and a check's findings are virtualised — only a window of
// rows is in the DOM, the scrollbar still spans every row, scrolling reaches the last one, the
// filter finds a container deep in the list, sorting works on all. Timings belong to the benchmark
// (tests/bench-giant.mjs, ten thousand containers), never to this test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureGiantReport, ROOT } from '../fixtures.mjs';
import { launch } from './harness.mjs';
import { openGiant, scenarioScript, serveGiant } from './giant.mjs';

const N = 1000;
const SHOTS = join(ROOT, 'target', 'shots');
mkdirSync(SHOTS, { recursive: true });
const reportFile = ensureGiantReport(N);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));

let server;
let browser;
before(async () => {
  server = await serveGiant(scenarioScript(reportFile));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function withGiant(body) {
  const app = await openGiant(browser, server);
  try {
    await body(app.page);
    assert.deepEqual(await app.problems(), [], 'no CSP violation, console or page error');
  } finally {
    await app.context.close();
  }
}

const rowNames = (page) => page.locator('[data-testid=container-row]').evaluateAll((els) => els.map((e) => e.dataset.name));

describe(`a host of ${N} containers`, () => {
  test('the containers table renders a window of rows and reaches every one', async () => {
    assert.equal(report.inventory.containers.length, N);
    await withGiant(async (page) => {
      await page.click('[data-testid=nav-containers]');
      await page.waitForSelector('[data-testid=container-row]');
      assert.equal(await page.getAttribute('[data-testid=containers]', 'aria-rowcount'), String(N + 1));
      const first = await rowNames(page);
      assert.ok(first.length > 5 && first.length < 150, `a window of rows, not ${N}: ${first.length}`);

      // Sorted by name, the first and last rows are the alphabetical extremes.
      await page.click('th.c-name button');
      const collator = new Intl.Collator();
      const sorted = report.inventory.containers.map((c) => c.name).sort(collator.compare);
      assert.equal((await rowNames(page))[0], sorted[0]);
      await page.evaluate(() => {
        const s = window.__zdScroller('[data-testid=containers]');
        s.scrollTop = s.scrollHeight;
      });
      await page.waitForFunction((last) => [...document.querySelectorAll('[data-testid=container-row]')].some((e) => e.dataset.name === last), sorted.at(-1));
      const atEnd = await rowNames(page);
      assert.ok(atEnd.length < 150, `still a window at the end: ${atEnd.length}`);
      assert.equal(atEnd.at(-1), sorted.at(-1), 'the last row is the last container');
      await page.screenshot({ path: join(SHOTS, 'giant-containers-end.png') });

      // The filter reaches a container far down the list.
      const deep = sorted[Math.floor(N * 0.77)];
      await page.fill('[data-testid=container-filter]', deep);
      await page.waitForFunction((name) => {
        const rows = [...document.querySelectorAll('[data-testid=container-row]')];
        return rows.length >= 1 && rows.some((e) => e.dataset.name === name);
      }, deep);
      assert.ok((await rowNames(page)).every((n) => n.includes(deep)));
    });
  });

  test("a check's findings render a window and reach the last object", async () => {
    // A check failing on most containers: hundreds of findings in the detail pane.
    // Only pass and fail, so the pane's order is simply the failing ones by name.
    const check = report.checks
      .filter((c) => c.findings.length >= N && c.findings.every((f) => (f.status === 'pass' || f.status === 'fail') && !f.waived))
      .sort((a, b) => b.findings.filter((f) => f.status === 'fail').length - a.findings.filter((f) => f.status === 'fail').length)[0];
    const failing = check.findings.filter((f) => f.status === 'fail');
    assert.ok(failing.length > 300, `${check.id} fails on ${failing.length}`);
    await withGiant(async (page) => {
      await page.click('[data-testid=nav-checklist]');
      await page.click(`[data-testid=check-row][data-code=${check.id}]`);
      await page.waitForSelector(`[data-testid=check-detail][data-code=${check.id}] [data-testid=finding]`);
      const shown = () => page.locator('[data-testid=check-detail] [data-testid=finding]').count();
      const before = await shown();
      assert.ok(before > 0 && before < 100, `a window of findings, not ${failing.length}: ${before}`);
      // The last failing finding in the pane's order (by target name).
      const collator = (a, b) => a.localeCompare(b);
      const last = failing.map((f) => f.target.name).sort(collator).at(-1);
      // Scroll to the end of the list (the pane goes on with the passing objects and the fix):
      // rows measured on the way may move the end a little, so follow it until it is stable.
      await page.waitForFunction(async (name) => {
        document.querySelector('[data-testid=check-detail] [data-virtual]').scrollIntoView({ block: 'end' });
        await window.__zdFrame();
        return !!document.querySelector(`[data-testid=check-detail] [data-testid=finding][data-target="${name}"]`);
      }, last);
      assert.ok((await shown()) < 100, 'still a window at the end');
      await page.screenshot({ path: join(SHOTS, 'giant-finding-end.png') });
    });
  });
});
