// The History view, the Overview's trend and the header's engine switcher in headless chromium,
// with the real CSP and the mocked IPC (test-entry/main.ts). The saved scans are built from REAL
// engine reports (tests/fixtures.mjs), and the change list is what the real `zerodock diff` says
// about those reports saved in a real history file: the app shows the store's diff, one rule.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureReport, appState, ROOT } from '../fixtures.mjs';
import { useApp } from './harness.mjs';

const DOCS = join(ROOT, 'docs', 'screenshots');
const SHOTS = join(ROOT, 'target', 'shots');
mkdirSync(SHOTS, { recursive: true });

async function readmeShot(page, name) {
  const path = join(SHOTS, name);
  await page.screenshot({ path });
  if (process.env.ZERODOCK_BLESS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, name));
  }
}

const weak = ensureReport('default');
const hardened = ensureReport('hardened');
const ENGINE = weak.subject.endpoint.host;
const DAY = 86_400_000;

/** The CLI (the built binary when ZERODOCK_BIN names it, else cargo run). */
function zerodock(args, env) {
  const bin = process.env.ZERODOCK_BIN;
  const [cmd, pre] = bin ? [bin, []] : ['cargo', ['run', '-q', '--']];
  return execFileSync(cmd, [...pre, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
}

/** The real diff of the weak engine's report against the hardened one's, from a real history. */
function realDiff() {
  const dir = mkdtempSync(join(tmpdir(), 'zd-ui-history-'));
  try {
    const env = { ZERODOCK_HISTORY: join(dir, 'history.sqlite') };
    for (const name of ['default', 'hardened']) {
      zerodock(['scan', '--from', join('crates', 'engine', 'tests', 'fixtures', `${name}.json`), '--save', '--format', 'json'], env);
    }
    // The CLI wraps the store's diff with the two scans' summaries.
    const { diff } = JSON.parse(zerodock(['diff', '1', '2', '--format', 'json'], env));
    // The two fixtures were captured on two daemons; the scenario shows them as one engine's past.
    diff.notes = (diff.notes ?? []).filter((n) => !n.includes('two engines'));
    return diff;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A saved scan as the tray's history lists it, `daysAgo` before now. */
function summary(id, report, daysAgo, reached = true) {
  return {
    id,
    scanned_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
    engine: ENGINE,
    reached_engine: reached,
    score: report.score,
    grade: report.grade,
    counts: report.counts,
    categories: report.categories.map((c) => ({ category: c.category, score: c.score, grade: c.grade })),
  };
}

const diff = realDiff();
// Newest first: the weak host hardened over a month, with one scan that did not reach the engine.
const scans = [
  summary(6, hardened, 0),
  summary(5, hardened, 3),
  summary(4, weak, 7, false),
  summary(3, weak, 9),
  summary(2, weak, 20),
  summary(1, weak, 30),
];
const current = { ...hardened, generated_at: scans[0].scanned_at, subject: { ...hardened.subject, endpoint: weak.subject.endpoint } };
const history = { engine: ENGINE, scans, engines: [ENGINE], retention_days: 90 };
const diffs = Object.fromEntries(scans.map((s) => [s.id, diff]));
const engines = {
  engines: [
    { id: 'context:default', name: 'default', host: 'unix:///var/run/docker.sock', origin: 'context', tls: false, current: true, problem: null },
    { id: 'context:build-01', name: 'build-01', host: 'tcp://10.20.0.5:2376', origin: 'context', tls: false, current: false, problem: null },
    { id: 'context:over-ssh', name: 'over-ssh', host: 'ssh://admin@build-02', origin: 'context', tls: false, current: false, problem: null },
    { id: 'added:1', name: 'lab', host: 'tcp://lab.internal:2376', origin: 'added', tls: true, current: false, problem: null },
  ],
  selected: null,
};

const withApp = useApp();

describe('history', () => {
  test('the sparkline is drawn when the webview reports the C locale as its language', async () => {
    // WebKitGTK under LANG=C.UTF-8 reports navigator.language "C", which Intl refuses: uPlot's
    // module threw on import and the trend showed "The chart could not be drawn" instead.
    const scenario = { state: appState(current), history, diffs, engines };
    await withApp(scenario, { initScript: () => Object.defineProperty(navigator, 'language', { value: 'C', configurable: true }) }, async (page) => {
      await page.waitForSelector('[data-testid=sparkline][data-ready=true]');
      assert.equal(await page.locator('[data-testid=sparkline] canvas').count(), 1);
      assert.equal(await page.locator('[data-testid=sparkline] .subtle').count(), 0);
    });
  });

  test('the Overview shows the trend and opens the History view with the chart and the real diff', async () => {
    const scenario = { state: appState(current), history, diffs, engines };
    await withApp(scenario, {}, async (page) => {
      await page.waitForSelector('[data-testid=overview-trend]');
      const delta = hardened.score - weak.score;
      // The last scan a day old is 3 days back (hardened too): the same score, "±0 since <date>"…
      assert.match(await page.textContent('[data-testid=overview-trend]'), /±0 since /);
      await page.waitForSelector('[data-testid=sparkline][data-ready=true]');

      await page.click('[data-testid=nav-history]');
      await page.waitForSelector('[data-testid=score-chart][data-ready=true]');
      assert.equal(await page.getAttribute('[data-testid=score-chart]', 'data-points'), String(scans.length));
      // uPlot drew on its canvas, lazily loaded under the CSP (no inline style or script).
      assert.ok(await page.locator('[data-testid=score-chart] canvas').count() >= 1);
      const legend = await page.locator('[data-testid=score-chart] .u-legend .u-series').allTextContents();
      assert.ok(legend.some((l) => l.includes('Overall')), legend.join('|'));
      assert.ok(legend.length >= 3, 'a line per category');

      // "Since the previous scan" first; the real diff's counts are listed.
      await page.waitForSelector('[data-testid=changes]');
      assert.equal(await page.inputValue('[data-testid=since]'), '5');
      const fixed = await page.textContent('[data-testid=changes-fixed] .count');
      assert.equal(fixed.trim(), String(diff.fixed.length));
      assert.ok(diff.fixed.length > 0);
      assert.equal((await page.textContent('[data-testid=changes-new] .count')).trim(), String(diff.new_failures.length));
      assert.equal((await page.textContent('[data-testid=score-delta]')).trim(), delta > 0 ? `+${delta}` : String(delta));
      // …and "a week ago" names the scan 9 days back (the one 7 days back did not reach the engine).
      const labels = await page.locator('[data-testid=since] option').allTextContents();
      // (the previous scan, 3 days back, is also the newest a day old: offered once)
      assert.deepEqual(labels.slice(0, 2), ['the previous scan', 'a week ago']);
      await page.selectOption('[data-testid=since]', { label: 'a week ago' });
      await page.waitForFunction(() => window.__zdTest.calls.some((c) => c.cmd === 'history_diff' && c.args.from === 3));
      assert.equal(await page.locator('[data-testid=history-table] tbody tr').count(), scans.length);
      assert.match(await page.textContent('[data-testid=history-table] tbody tr.off'), /engine unreachable/);
      await readmeShot(page, 'history.png');
    });
  });

  test('a damaged history that was moved aside is told, in a notice and in the view', async () => {
    const recovered = 'the history database was damaged (file is not a database): it was moved to /home/user/.local/share/zerodock/history.sqlite.corrupt-20261207T101500.000Z and a new one started';
    const state = appState(current, { history: { path: '/home/user/.local/share/zerodock/history.sqlite', available: true, recovered, error: null, revision: 0, last_saved: null } });
    await withApp({ state, history: { ...history, scans: [] }, engines }, {}, async (page) => {
      await page.waitForSelector('[data-testid=notice]');
      assert.match(await page.textContent('[data-testid=notice]'), /history was damaged.*corrupt-/);
      await page.click('[data-testid=nav-history]');
      assert.match(await page.textContent('[data-testid=history-recovered]'), /moved to .*corrupt-/);
      assert.match(await page.textContent('[data-testid=empty]'), /No saved scan/);
    });
  });
});

describe('engine switcher', () => {
  test('lists contexts and added engines (ssh ones selectable), switches, adds an ssh engine and removes', async () => {
    await withApp({ state: appState(current), history, diffs, engines }, {}, async (page) => {
      await page.waitForSelector('[data-testid=engine-name]');
      assert.equal(await page.textContent('[data-testid=engine-name]'), 'default');
      await page.click('[data-testid=engine-status]');
      await page.waitForSelector('[data-testid=engine-menu]');
      assert.ok(!(await page.isDisabled('[data-testid="engine-context:over-ssh"]')), 'an ssh context can be chosen');
      assert.match(await page.textContent('[data-testid="engine-context:over-ssh"]'), /SSH/);
      assert.match(await page.textContent('[data-testid="engine-added:1"]'), /TLS/);
      await readmeShot(page, 'engine-switcher.png');

      await page.click('[data-testid="engine-context:build-01"]');
      await page.waitForFunction(() => window.__zdTest.calls.some((c) => c.cmd === 'select_engine' && c.args.id === 'context:build-01'));
      await page.waitForSelector('[data-testid=engine-menu]', { state: 'detached' });
      assert.equal(await page.getAttribute('[data-testid=engine-status]', 'data-state'), 'connecting');
      assert.equal(await page.textContent('[data-testid=engine-name]'), 'build-01');
      await page.waitForSelector('[data-testid=first-scan]');

      await page.click('[data-testid=engine-status]');
      await page.click('[data-testid=add-engine]');
      await page.fill('[data-testid=add-engine-form] input >> nth=0', 'staging');
      await page.fill('[data-testid=add-engine-form] input >> nth=1', 'ssh://me@staging');
      // SSH: the user's own ssh setup, no TLS choice, and the host key rule said before adding.
      await page.waitForSelector('[data-testid=ssh-hint]');
      assert.match(await page.textContent('[data-testid=ssh-hint]'), /known_hosts.*never accepted/s);
      assert.equal(await page.locator('[data-testid=add-engine-form] input[type=checkbox]').count(), 0);
      await page.locator('[data-testid=add-engine-form]').screenshot({ path: join(SHOTS, 'add-ssh-engine.png') });
      await page.click('[data-testid=add-engine-form] button[type=submit]');
      await page.waitForSelector('[data-testid=add-engine-form]', { state: 'detached' });
      const add = await page.evaluate(() => window.__zdTest.calls.filter((c) => c.cmd === 'add_engine').at(-1).args);
      assert.deepEqual(add, { name: 'staging', host: 'ssh://me@staging', tls: false });
    });
  });
});
