// Browser-test harness: serves the BUILT test bundle (dist-test/, the real app with mocked IPC)
// from a tiny local HTTP server that sends the app's real CSP header (read from
// src-tauri/tauri.conf.json), drives Debian's chromium through playwright-core, and records every
// CSP violation, console error, page error and any request that leaves localhost.

import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { ROOT } from '../fixtures.mjs';

/** The CSP the Tauri shell serves, or the contract's string when src-tauri is absent. */
export function csp() {
  const conf = join(ROOT, 'src-tauri', 'tauri.conf.json');
  if (existsSync(conf)) {
    const c = JSON.parse(readFileSync(conf, 'utf8'))?.app?.security?.csp;
    if (typeof c === 'string' && c) return c;
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ipc: http://ipc.localhost; object-src 'none'; base-uri 'none'";
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

/** Serves `dir` on 127.0.0.1 with the CSP header; `/` is `test.html`. `extra` maps more URL paths
 * to files outside `dir` (the giant-host benchmark serves its scenario script so). */
export async function serve(dir, extra = {}) {
  const root = resolve(dir);
  const policy = csp();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = url.pathname === '/' ? 'test.html' : decodeURIComponent(url.pathname.slice(1));
    const file = extra[url.pathname] ?? normalize(join(root, rel));
    if (!extra[url.pathname] && !(file + sep).startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': policy, 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)), policy };
}

/** Launches headless Debian chromium. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Opens the app with `scenario` (see test-entry/main.ts) and returns the page plus the list of
 * problems seen so far (CSP violations, console errors, page errors, non-local requests). */
export async function openApp(browser, baseUrl, scenario, { width = 1280, height = 800, colorScheme = 'light', initScript = null } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:') return;
    if (!['127.0.0.1', 'localhost'].includes(u.hostname)) problems.push(`request left localhost: ${r.url()}`);
  });
  await page.addInitScript((s) => {
    window.__ZD_SCENARIO__ = s;
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  }, scenario);
  // A test's own script, before the app's (e.g. a webview's navigator as WebKitGTK reports it).
  if (initScript) await page.addInitScript(initScript);
  await page.goto(baseUrl);
  const check = async () => {
    const csp = await page.evaluate(() => window.__cspViolations ?? []);
    return [...problems, ...csp.map((v) => `CSP violation: ${v}`)];
  };
  return { page, context, problems: check };
}

/** One browser and one server of the test build for a spec file, and `withApp(scenario, opts,
 *  body)`: opens the app, runs `body(page)`, then asserts nothing broke the CSP or logged an error. */
export function useApp() {
  let server;
  let browser;
  before(async () => {
    server = await serve(join(ROOT, 'ui', 'dist-test'));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return async function withApp(scenario, opts, body) {
    const app = await openApp(browser, server.url, scenario, opts);
    try {
      await body(app.page);
      assert.deepEqual(await app.problems(), [], 'no CSP violation, console error or non-local request');
    } finally {
      await app.context.close();
    }
  };
}
