// The app over a giant host's report (tests/fixtures.mjs ensureGiantReport): shared by the
// browser test (giant.test.mjs, a thousand containers) and the benchmark (tests/bench-giant.mjs,
// ten thousand). A report that size cannot travel in an init script (tens to hundreds of MB), so
// it is served as a same-origin script (allowed by the app's CSP, script-src 'self') that sets
// window.__ZD_SCENARIO__ before the app's module runs; test.html is rewritten to load it first.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { appState, ROOT } from '../fixtures.mjs';
import { serve } from './harness.mjs';

/** Writes the scenario script for `reportFile` under target/giant/ and returns its path. */
export function scenarioScript(reportFile) {
  const dir = join(ROOT, 'target', 'giant');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(reportFile).replace(/\.json$/, '.scenario.js'));
  let fresh = false;
  try {
    // Stale when the report or the AppState shape (fixtures.mjs appState) changed.
    const inputs = [reportFile, join(ROOT, 'ui', 'tests', 'fixtures.mjs')];
    fresh = inputs.every((f) => statSync(out).mtimeMs >= statSync(f).mtimeMs);
  } catch {
    fresh = false;
  }
  if (!fresh) {
    // The report's JSON is spliced in as text: parsing it here would cost seconds and gigabytes.
    const state = JSON.stringify(appState(null, { tray: 'critical' }));
    const [head, tail] = state.split('"report":null');
    const report = readFileSync(reportFile, 'utf8');
    writeFileSync(
      out,
      `window.__zdParseStart = performance.now();\nwindow.__ZD_SCENARIO__ = { state: ${head}"report":${report}${tail} };\nwindow.__zdParseEnd = performance.now();\n`,
    );
  }
  return out;
}

/** Serves the test build with the scenario script at /giant-scenario.js. */
export function serveGiant(script) {
  return serve(join(ROOT, 'ui', 'dist-test'), { '/giant-scenario.js': script });
}

/** Opens the app over the served giant scenario; returns the page and its problems so far. */
export async function openGiant(browser, server, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route(server.url, async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace('<head>', '<head><script src="/giant-scenario.js"></script>');
    await route.fulfill({ response: res, body });
  });
  await page.addInitScript(FRAME_HELPER);
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'}`));
  });
  const started = Date.now();
  await page.goto(server.url, { timeout: 300_000 });
  await page.waitForSelector('[data-testid=score]', { timeout: 300_000 });
  const loadMs = Date.now() - started;
  const parseMs = await page.evaluate(() => window.__zdParseEnd - window.__zdParseStart);
  const check = async () => [...problems, ...(await page.evaluate(() => window.__cspViolations ?? [])).map((v) => `CSP violation: ${v}`)];
  return { page, context, loadMs, parseMs, problems: check };
}

/** Installed in the page: resolves once the frame after a DOM change was produced (two animation
 * frames), so `t0; action; await __zdFrame()` times an interaction up to its paint. */
export const FRAME_HELPER = () => {
  window.__zdFrame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.__zdScroller = (sel) => {
    for (let p = document.querySelector(sel)?.parentElement; p; p = p.parentElement) {
      const oy = getComputedStyle(p).overflowY;
      if ((oy === 'auto' || oy === 'scroll') && p.scrollHeight > p.clientHeight + 1) return p;
    }
    return document.scrollingElement;
  };
};
