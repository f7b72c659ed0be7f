// Opens a ZeroDock HTML report in headless Debian Chromium (playwright-core, no browser download)
// and checks what a user would hit: console errors, any network request at all (the page must be
// self-contained), markup injected through names, dark mode and print. Screenshots go to
// ZERODOCK_SHOTS. Run by `cargo test -p zerodock-report --test html`, which writes the report and
// sets ZERODOCK_HTML; by hand: ZERODOCK_HTML=/abs/report.html node --test
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const htmlPath = process.env.ZERODOCK_HTML;
const shots = process.env.ZERODOCK_SHOTS ?? 'shots';
const executablePath = process.env.ZERODOCK_CHROMIUM ?? '/usr/bin/chromium';
let browser;

before(async () => {
  assert.ok(htmlPath, 'set ZERODOCK_HTML to the absolute path of the report to check');
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => { await browser?.close(); });

/** Opens the report with every console message and request recorded. */
async function open(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(htmlPath).href;
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, problems, requests, url };
}

test('renders with no console error and no request but the file itself', async () => {
  const { context, page, problems, requests, url } = await open();
  assert.deepEqual(problems, [], 'console errors or warnings');
  assert.deepEqual(requests, [url], 'the report loads nothing: no font, image, style or script');
  assert.equal(await page.locator('script').count(), 0, 'no script element, not even an injected one');
  const title = await page.title();
  assert.match(title, /Docker security posture/);
  const grade = await page.locator('.scorecard .grade').textContent();
  assert.match(grade.trim(), /^(A|B|C|D|F|N\/A)$/);
  // Names are text, never markup: the test report has a container called <script>…</script>.
  const body = await page.locator('body').innerText();
  if (process.env.ZERODOCK_EXPECT_TEXT) {
    for (const needle of process.env.ZERODOCK_EXPECT_TEXT.split('\n').filter(Boolean)) {
      assert.ok(body.includes(needle), `the page shows ${JSON.stringify(needle)}`);
    }
  }
  await page.screenshot({ path: join(shots, 'html-report.png'), fullPage: false });
  // The whole page is too tall for one image; the first check shows the detailed layout. A check
  // taller than the viewport never counts as "stable" for an element screenshot (Playwright keeps
  // scrolling it into view), so the viewport is first made tall enough to hold it.
  const first = page.locator('article.check').first();
  const height = await first.evaluate((e) => Math.ceil(e.getBoundingClientRect().height));
  await page.setViewportSize({ width: 1280, height: Math.min(height + 40, 4000) });
  await first.screenshot({ path: join(shots, 'html-report-check.png') });
  await context.close();
});

test('dark mode changes the palette and stays error-free', async () => {
  const light = await open({ colorScheme: 'light' });
  const dark = await open({ colorScheme: 'dark' });
  const bg = (p) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(await bg(light.page), await bg(dark.page), 'prefers-color-scheme: dark is honoured');
  assert.deepEqual(dark.problems, []);
  await dark.page.screenshot({ path: join(shots, 'html-report-dark.png') });
  await light.context.close();
  await dark.context.close();
});

test('prints to several pages with the print stylesheet', async () => {
  const { context, page, requests, url } = await open();
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  assert.ok(pdf.length > 10_000, 'a real PDF came out');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 2, `the report spans several printed pages (got ${pages})`);
  assert.deepEqual(requests, [url], 'printing loads nothing either');
  await context.close();
});
