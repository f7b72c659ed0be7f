// Accept risk…, the Accepted-risks list, Sign in the export dialog and the Host view's keyring line
// in the BUILT UI (headless Debian chromium, the app's real CSP, mocked IPC). The states the mocked
// tray publishes after a waiver are REAL engine reports: the default snapshot judged with the policy
// file the test writes (`zerodock scan --from … --policy …`), so "waived", "expired" and "unused"
// are the engine's verdicts, not the test's. Screenshots go to target/shots/ (accept-risk.png and
// waivers.png are the README's, copied by `cargo xtask bless`).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appState, ensureReport, ensureWaivedReport, ROOT } from '../fixtures.mjs';
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

const POLICY = '/home/user/.config/zerodock/policy.toml';
const REASON = 'Portainer-style manager: it needs the socket; access is behind SSO';
const weak = ensureReport('default');
const accepted = { check: 'CTR003', target: 'zd-docker-sock', reason: REASON, by: 'user', expires: '2099-03-31' };
const toml = (ws) =>
  '# Accepted risks, reviewed monthly.\n' +
  ws.map((w) => `\n[[waiver]]\ncheck = "${w.check}"\ntarget = "${w.target}"\nreason = "${w.reason}"\n${w.by ? `by = "${w.by}"\n` : ''}${w.expires ? `expires = "${w.expires}"\n` : ''}`).join('');
const waivedReport = ensureWaivedReport('default', 'accept', toml([accepted]));
const three = [
  accepted,
  { check: 'CTR019', target: '*', reason: 'Health is monitored outside Docker', by: 'ops', expires: '2025-01-31' },
  { check: 'CTR001', target: 'zd-retired', reason: 'Vendor appliance, retired in Q1', by: null, expires: null },
];
const threeReport = ensureWaivedReport('default', 'three', toml(three));
const policy = (waivers) => ({ path: POLICY, exists: waivers.length > 0, waivers, error: null, default_by: 'user' });

const withApp = useApp();

describe('accept risk', () => {
  test('from a failing finding: reason required, the waiver sent, the finding then shows waived', async () => {
    const card0 = waivedReport.checks.find((c) => c.id === 'CTR003').findings.find((f) => f.target.name === 'zd-docker-sock');
    assert.ok(card0.waived, 'the engine waived it with that policy (the fixture is real)');
    const after = appState(waivedReport, { policy: policy([accepted]) });
    await withApp({ state: appState(weak), waiveAnswer: after }, {}, async (page) => {
      await page.click('[data-testid=nav-checklist]');
      await page.click('[data-testid=check-row][data-code=CTR003]');
      const card = page.locator('[data-testid=finding][data-target="zd-docker-sock"]');
      assert.equal(await card.getAttribute('data-status'), 'fail');
      await card.locator('[data-testid=accept-risk]').click();
      const dialog = page.locator('[data-testid=accept-risk-dialog]');
      await dialog.waitFor({ state: 'visible' });
      assert.ok(await page.isChecked('[data-testid=scope-object]'), 'this object by default');
      assert.equal(await page.inputValue('[data-testid=waiver-by]'), 'user', 'the OS user');
      assert.equal(await page.textContent('[data-testid=waiver-file]'), POLICY);

      await page.click('[data-testid=waiver-save]');
      assert.match(await page.textContent('[data-testid=waiver-error]'), /reason is required/);
      assert.ok(!(await page.evaluate(() => window.__zdTest.calls)).some((c) => c.cmd === 'waive'), 'nothing sent');

      await page.fill('[data-testid=waiver-reason]', REASON);
      await page.fill('[data-testid=waiver-expires]', '2099-03-31');
      await readmeShot(page, 'accept-risk.png');
      await page.click('[data-testid=waiver-save]');
      await dialog.waitFor({ state: 'hidden' });
      const calls = await page.evaluate(() => window.__zdTest.calls);
      assert.deepEqual(calls.find((c) => c.cmd === 'waive').args, { waiver: accepted });
      // The report the tray published: the same finding, waived, its reason shown.
      await card.locator('[data-testid=waived]').waitFor();
      assert.ok((await card.textContent()).includes(REASON));
      assert.ok(await card.locator('[data-testid=edit-waiver]').isVisible(), 'a waived finding offers Edit');
      await page.screenshot({ path: join(SHOTS, 'accept-risk-done.png') });
    });
  });

  test('for every object of the check, in dark mode', async () => {
    await withApp({ state: appState(weak), waiveAnswer: { code: 'invalid_argument', message: 'expiry 2020-01-01 is in the past (policy file /p)' } }, { colorScheme: 'dark' }, async (page) => {
      await page.click('[data-testid=nav-checklist]');
      await page.click('[data-testid=check-row][data-code=CTR019]');
      await page.click('[data-testid=accept-risk-all]');
      assert.equal(await page.locator('[data-testid=scope-object]').count(), 0, 'no single object to name');
      assert.ok(await page.isChecked('[data-testid=scope-all]'));
      await page.fill('[data-testid=waiver-reason]', 'Health is monitored outside Docker');
      await page.click('[data-testid=waiver-save]');
      assert.match(await page.textContent('[data-testid=waiver-error]'), /in the past/, "the tray's refusal is shown");
      const sent = (await page.evaluate(() => window.__zdTest.calls)).find((c) => c.cmd === 'waive').args.waiver;
      assert.equal(sent.target, null);
      await page.screenshot({ path: join(SHOTS, 'accept-risk-all-dark.png') });
    });
  });
});

describe('accepted risks list', () => {
  test("each waiver shows the engine's verdict on it; Remove asks twice; Edit prefills", async () => {
    const fates = Object.fromEntries(threeReport.waivers.map((u) => [`${u.check} ${u.target}`, u]));
    assert.equal(fates['CTR003 zd-docker-sock'].matched, 1);
    assert.ok(fates['CTR019 *'].expired);
    assert.equal(fates['CTR001 zd-retired'].matched, 0);
    await withApp({ state: appState(threeReport, { policy: policy(three) }) }, { height: 1100 }, async (page) => {
      await page.click('[data-testid=nav-settings]');
      const list = page.locator('[data-testid=waivers]');
      await list.scrollIntoViewIfNeeded();
      const rows = list.locator('[data-testid=waiver]');
      assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => [e.dataset.check, e.dataset.target, e.dataset.fate])), [
        ['CTR003', 'zd-docker-sock', 'active'],
        ['CTR019', '*', 'expired'],
        ['CTR001', 'zd-retired', 'unused'],
      ]);
      assert.equal(await page.textContent('[data-testid=waivers-file]'), POLICY);
      await list.screenshot({ path: join(SHOTS, 'waivers.png') });
      if (process.env.ZERODOCK_BLESS === '1') copyFileSync(join(SHOTS, 'waivers.png'), join(DOCS, 'waivers.png'));

      const unused = rows.nth(2);
      await unused.locator('[data-testid=waiver-remove]').click();
      assert.match(await unused.locator('[data-testid=waiver-remove]').textContent(), /sure\?/);
      assert.ok(!(await page.evaluate(() => window.__zdTest.calls)).some((c) => c.cmd === 'unwaive'));
      await unused.locator('[data-testid=waiver-remove]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=waiver]').length === 2);
      const calls = await page.evaluate(() => window.__zdTest.calls);
      assert.deepEqual(calls.find((c) => c.cmd === 'unwaive').args, { check: 'CTR001', target: 'zd-retired' });

      await rows.nth(1).locator('[data-testid=waiver-edit]').click();
      assert.match(await page.textContent('[data-testid=waiver-scope-fixed]'), /every object/);
      assert.equal(await page.inputValue('[data-testid=waiver-reason]'), 'Health is monitored outside Docker');
      assert.equal(await page.inputValue('[data-testid=waiver-by]'), 'ops');
    });
  });
});

describe('sign and keyring', () => {
  test('Sign is sent with the export; the result names the envelope and the key; Host names the keyring', async () => {
    const signature = {
      json_path: '/home/user/Documents/zerodock-host.json',
      envelope_path: '/home/user/Documents/zerodock-host.json.dsse.json',
      key_fingerprint: 'SHA256:3q2+7w8Xb1fN0k9yQm5cQ1y1d0dJp4mXn8m2S0pQ9aA',
      report_sha256: 'ab'.repeat(32),
      key_created: false,
      keyring: 'keyutils',
    };
    const keyring = { store: 'keyutils', persistent: false, reason: 'no Secret Service (Secret Service: no session bus); the kernel keyring keeps secrets in memory until reboot' };
    const exportAnswer = { path: '/home/user/Documents/zerodock-host.pdf', format: 'pdf', bytes: 61_234, signature };
    await withApp({ state: appState(weak), exportAnswer, keyring }, {}, async (page) => {
      await page.click('[data-testid=export]');
      await page.check('[data-testid=format-markdown]');
      assert.ok(await page.isDisabled('[data-testid=export-sign]'), 'Markdown cannot carry the seal');
      await page.check('[data-testid=format-pdf]');
      await page.check('[data-testid=export-sign]');
      await page.click('[data-testid=export-go]');
      await page.waitForSelector('[data-testid=export-signature]');
      const calls = await page.evaluate(() => window.__zdTest.calls);
      assert.deepEqual(calls.find((c) => c.cmd === 'export_report').args, { format: 'pdf', sign: true });
      assert.equal(await page.textContent('[data-testid=export-envelope]'), signature.envelope_path);
      assert.equal(await page.textContent('[data-testid=export-fingerprint]'), signature.key_fingerprint);
      await page.screenshot({ path: join(SHOTS, 'export-signed.png') });
      await page.keyboard.press('Escape');

      await page.click('[data-testid=nav-host]');
      await page.waitForSelector('[data-testid=keyring-reason]');
      assert.equal(await page.getAttribute('[data-testid=keyring]', 'data-store'), 'keyutils');
      assert.match(await page.textContent('[data-testid=keyring]'), /kernel keyutils.*lost at reboot/s);
      await page.screenshot({ path: join(SHOTS, 'host-keyring.png') });
    });
  });
});
