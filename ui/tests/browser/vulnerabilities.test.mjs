// End-to-end tests of the Vulnerabilities view in the BUILT UI (headless Debian chromium, the app's
// real CSP, mocked IPC), fed a REAL engine report with a vulnerability part built from real Trivy
// and Grype outputs by the import code (tests/vuln-scan.json, see crates/vuln/tests/import.rs).
// Screenshots go to target/shots/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureReport, appState, ROOT } from '../fixtures.mjs';
import { launch, openApp, serve } from './harness.mjs';

const SHOTS = join(ROOT, 'target', 'shots');
mkdirSync(SHOTS, { recursive: true });

const weak = ensureReport('default');
const scan = JSON.parse(readFileSync(join(ROOT, 'ui', 'tests', 'vuln-scan.json'), 'utf8'));
const scanned = { ...weak, vulnerabilities: scan };

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

/** Opens the app on the Vulnerabilities page, runs `body`, then asserts nothing broke the CSP or logged an error. */
async function onVulns(report, opts, body) {
  const app = await openApp(browser, server.url, { state: appState(report) }, opts);
  try {
    await app.page.click('[data-testid=nav-vulnerabilities]');
    await body(app.page);
    assert.deepEqual(await app.problems(), [], 'no CSP violation, console error or non-local request');
  } finally {
    await app.context.close();
  }
}

const imageNames = (page) => page.locator('[data-testid=vuln-image]').evaluateAll((els) => els.map((e) => e.dataset.image));
const rowIds = (card) => card.locator('[data-testid=vuln-row]').evaluateAll((els) => els.map((e) => e.dataset.id));

describe('vulnerabilities', () => {
  test('a report without a vulnerability part says how to scan', async () => {
    assert.equal(weak.vulnerabilities ?? null, null, 'the captured report was not scanned for vulnerabilities');
    await onVulns(weak, {}, async (page) => {
      const empty = page.locator('[data-testid=empty]');
      await empty.waitFor();
      const text = await empty.innerText();
      assert.match(text, /zerodock vulndb import FILE\.zip/);
      assert.match(text, /Scan images/);
      assert.match(text, /zerodock scan --vulns/);
      await page.screenshot({ path: join(SHOTS, 'vulnerabilities-empty.png') });
    });
  });

  test('Scan images asks the tray and shows the vulnerability part it publishes', async () => {
    const app = await openApp(browser, server.url, { state: appState(weak), scanImagesAnswer: appState(scanned) }, {});
    try {
      const page = app.page;
      await page.click('[data-testid=nav-vulnerabilities]');
      await page.click('[data-testid=empty] [data-testid=scan-images]');
      await page.waitForSelector('[data-testid=vuln-image]');
      const calls = await page.evaluate(() => window.__zdTest.calls.map((c) => c.cmd));
      assert.deepEqual(calls.filter((c) => c === 'scan_images'), ['scan_images']);
      assert.equal(await page.isEnabled('.phead [data-testid=scan-images]'), true, 'the header button rescans');
      assert.deepEqual(await app.problems(), []);
    } finally {
      await app.context.close();
    }
  });

  test('a failed image scan is shown', async () => {
    const error = { code: 'scan_failed', message: 'The vulnerability database failed: file is not a database' };
    const app = await openApp(browser, server.url, { state: appState(weak), scanImagesAnswer: error }, {});
    try {
      const page = app.page;
      await page.click('[data-testid=nav-vulnerabilities]');
      await page.click('[data-testid=scan-images]');
      await page.waitForSelector('[data-testid=notice]');
      assert.match(await page.textContent('[data-testid=notice]'), /Images not scanned: The vulnerability database failed/);
      assert.equal(await page.isEnabled('[data-testid=scan-images]'), true, 'ready again');
    } finally {
      await app.context.close();
    }
  });

  test('images ranked by risk, the filter, the table and the copied upgrade line', async () => {
    await onVulns(scanned, {}, async (page) => {
      await page.waitForSelector('[data-testid=vuln-image]');
      assert.match(await page.innerText('[data-testid=vuln-asof]'), /as of 2026-12-05/);
      assert.deepEqual(await imageNames(page), [
        'ghcr.io/aquasecurity/trivy-test-images:debian-buster',
        'cgr.dev/chainguard/ruby:latest-3.0',
        'ghcr.io/aquasecurity/trivy-test-images:alpine-310',
        'keycloak/keycloak:21.0.2',
      ]);
      const buster = page.locator('[data-testid=vuln-image]').first();
      assert.match(await buster.locator('[data-testid=vuln-os]').innerText(), /Debian GNU\/Linux 10 \(buster\) · security support ended 2024-06-30/);
      assert.deepEqual(await rowIds(buster), ['CVE-2019-18224', 'CVE-2019-18276']);
      const critical = buster.locator('[data-testid=vuln-row][data-id=CVE-2019-18224]');
      assert.match(await critical.innerText(), /DSA-4613-1/);
      assert.match(await critical.innerText(), /2\.0\.5-1\s*→\s*2\.0\.5-1\+deb10u1/);
      assert.match(await critical.innerText(), /trivy: CRITICAL \(from nvd\)/);
      await page.screenshot({ path: join(SHOTS, 'vulnerabilities.png'), fullPage: true });

      await page.click('[data-testid=vuln-filter-unfixed]');
      assert.deepEqual(await rowIds(buster), ['CVE-2019-18276']);
      assert.match(await buster.locator('[data-testid=vuln-row]').innerText(), /no fix yet/);
      await page.click('[data-testid=vuln-filter-fixable]');
      assert.deepEqual(await rowIds(buster), ['CVE-2019-18224']);

      await buster.locator('[data-testid=copy-proposed]').click();
      await buster.locator('[data-testid=copy-proposed]', { hasText: 'Copied' }).waitFor();
      const copied = await page.evaluate(() => window.__zdTest.clipboard);
      assert.equal(copied, await buster.locator('[data-testid=upgrade-line]').innerText());
      assert.match(copied, /^# .*SOURCE package versions/m);
      assert.match(copied, /^RUN apt-get update && apt-get install -y --only-upgrade libidn2-0=2\.0\.5-1\+deb10u1 /m);

      // The Alpine image opens on a click and gets apk's line; the Wolfi image's EOL is unknown.
      const alpine = page.locator('[data-testid=vuln-image][data-image$=alpine-310]');
      await alpine.locator('button.toggle').click();
      assert.equal(await alpine.locator('[data-testid=upgrade-line]').innerText(), 'RUN apk add --no-cache --upgrade libcrypto1.1 libssl1.1');
      const wolfi = page.locator('[data-testid=vuln-image][data-image^="cgr.dev"]');
      assert.match(await wolfi.locator('[data-testid=vuln-os]').innerText(), /end of life unknown/);
      assert.equal(await page.locator('main a').count(), 0, 'no links: the app loads no remote content');
      await page.screenshot({ path: join(SHOTS, 'vulnerabilities-fixable.png'), fullPage: true });
    });
  });

  test('fits 800×600 without horizontal scrolling, and in the dark theme', async () => {
    await onVulns(scanned, { width: 800, height: 600 }, async (page) => {
      await page.waitForSelector('[data-testid=vuln-image]');
      const over = await page.evaluate(() => {
        const main = document.querySelector('main');
        return main.scrollWidth > main.clientWidth + 1 ? `main ${main.scrollWidth}>${main.clientWidth}` : null;
      });
      assert.equal(over, null);
      await page.screenshot({ path: join(SHOTS, 'small-vulnerabilities.png') });
    });
    await onVulns(scanned, { colorScheme: 'dark' }, async (page) => {
      await page.waitForSelector('[data-testid=vuln-image]');
      await page.screenshot({ path: join(SHOTS, 'vulnerabilities-dark.png') });
    });
  });
});
