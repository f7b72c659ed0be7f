// End-to-end tests of the BUILT UI in headless Debian chromium (playwright-core), served with the
// app's real CSP, with Tauri's IPC mocked (test-entry/main.ts) and fed REAL engine reports
// (tests/fixtures.mjs). Every test fails on a CSP violation, a console or page error, or a request
// that leaves localhost. Screenshots go to target/shots/; the README's copies in docs/screenshots/ are
// rewritten only by `cargo xtask bless` (ZERODOCK_BLESS=1), so a test run changes no tracked file.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureReport, appState, ROOT } from '../fixtures.mjs';
import { useApp } from './harness.mjs';

const DOCS = join(ROOT, 'docs', 'screenshots');
const SHOTS = join(ROOT, 'target', 'shots');
mkdirSync(SHOTS, { recursive: true });

/** Takes a screenshot the README shows: into target/shots/, and into docs/screenshots/ when blessing. */
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

const withApp = useApp();

const rows = (page) => page.locator('[data-testid=check-row]');
const attrs = (page, name) => rows(page).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

describe('overview', () => {
  test('renders the real score, grade, counts and identity', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      assert.equal(await page.textContent('[data-testid=score]'), String(weak.score));
      assert.equal(await page.textContent('[data-testid=grade]'), weak.grade);
      assert.equal((await page.textContent('[data-testid=score-pill]')).replace(/\s+/g, ''), `${weak.score}/100${weak.grade}`);
      if (weak.grade_cap) assert.ok((await page.textContent('[data-testid=grade-cap]')).length > 10);
      for (const sev of ['critical', 'high', 'medium', 'low']) {
        const n = weak.counts.failing_by_severity[sev] ?? 0;
        assert.equal((await page.textContent(`[data-testid=severity-counts] [data-severity=${sev}] .n`)).trim(), String(n), sev);
      }
      assert.match(await page.textContent('.identity'), new RegExp(weak.subject.engine.version.replace(/[.+]/g, '\\$&')));
      const risks = await page.locator('[data-testid=risk]').evaluateAll((els) => els.map((e) => e.dataset.code));
      const worst = weak.checks.filter((c) => c.status === 'fail' && c.severity === 'critical').map((c) => c.id);
      assert.ok(worst.every((c) => risks.includes(c)), `critical failures ${worst} listed among top risks ${risks}`);
      assert.equal(await page.getAttribute('[data-testid=engine-status]', 'data-state'), 'connected');
      assert.match(await page.getAttribute('[data-testid=last-scan]', 'title'), /\d/);
      await readmeShot(page, 'overview.png');
    });
  });

  test('follows the OS dark theme', async () => {
    await withApp({ state: appState(weak) }, { colorScheme: 'dark' }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g).map(Number);
      assert.ok(r + g + b < 120, `dark background, got ${bg}`);
      const fg = await page.evaluate(() => getComputedStyle(document.body).color);
      assert.ok(fg.match(/\d+/g).map(Number).slice(0, 3).reduce((a, x) => a + x, 0) > 600, `light text, got ${fg}`);
      await readmeShot(page, 'overview-dark.png');
      await page.click('[data-testid=nav-checklist]');
      await page.click('[data-testid=check-row][data-code=DMN001]');
      await page.screenshot({ path: join(SHOTS, 'check-detail-dark.png') });
    });
  });

  test('a newer state-changed replaces the report (no polling)', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      await page.evaluate((s) => window.__zdTest.setState(s), appState(hardened, { tray: 'attention' }));
      await page.waitForFunction((want) => document.querySelector('[data-testid=score]')?.textContent === want, String(hardened.score));
      assert.equal(await page.textContent('[data-testid=grade]'), hardened.grade);
      const calls = await page.evaluate(() => window.__zdTest.calls.map((c) => c.cmd));
      assert.deepEqual(calls.filter((c) => c === 'get_state'), ['get_state'], 'state is read once, then only pushed');
    });
  });
});

describe('checklist', () => {
  test('status, severity and object filters and search', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-checklist]');
      assert.equal(await rows(page).count(), weak.checks.length, 'every check listed');

      await page.selectOption('[data-testid=filter-status]', 'fail');
      const failing = weak.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
      assert.deepEqual((await attrs(page, 'data-code')).sort(), failing);
      assert.ok((await attrs(page, 'data-status')).every((s) => s === 'fail'));

      await page.selectOption('[data-testid=filter-severity]', 'critical');
      const crit = weak.checks.filter((c) => c.status === 'fail' && c.severity === 'critical').map((c) => c.id).sort();
      assert.deepEqual((await attrs(page, 'data-code')).sort(), crit);

      await page.click('[data-testid=clear-filters]');
      assert.equal(await rows(page).count(), weak.checks.length);

      await page.selectOption('[data-testid=filter-kind]', 'container');
      await page.selectOption('[data-testid=filter-object]', 'zd-privileged');
      await page.selectOption('[data-testid=filter-status]', 'fail');
      const about = weak.checks
        .filter((c) => c.findings.some((f) => f.target.kind === 'container' && f.target.name === 'zd-privileged' && f.status === 'fail' && !f.waived))
        .map((c) => c.id)
        .sort();
      assert.ok(about.includes('CTR001'));
      assert.deepEqual((await attrs(page, 'data-code')).sort(), about, 'checks failing on zd-privileged');

      await page.click('[data-testid=clear-filters]');
      await page.fill('[data-testid=search]', 'socket');
      const codes = await attrs(page, 'data-code');
      assert.ok(codes.includes('CTR003'), `socket search finds CTR003: ${codes}`);
      for (const code of codes) {
        const c = weak.checks.find((x) => x.id === code);
        const hay = `${c.id} ${c.slug} ${c.title} ${c.findings.map((f) => f.target.name).join(' ')}`.toLowerCase();
        assert.ok(hay.includes('socket'), `${code} matches`);
      }
      await page.fill('[data-testid=search]', 'zz-no-such-thing');
      assert.equal(await rows(page).count(), 0);
      assert.match(await page.textContent('[data-testid=check-list]'), /No check matches/);
    });
  });

  test('keyboard: / searches, arrows move, Enter opens, Esc closes', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      await page.keyboard.press('/');
      await page.waitForSelector('[data-testid=search]:focus');
      await page.keyboard.type('CTR0');
      await page.keyboard.press('ArrowDown');
      const first = await page.evaluate(() => document.activeElement?.getAttribute('data-code'));
      const order = await attrs(page, 'data-code');
      assert.equal(first, order[0]);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-code')), order[2]);
      await page.keyboard.press('ArrowUp');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-code')), order[1]);
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, 'none', 'visible focus ring');
      await page.keyboard.press('Enter');
      await page.waitForSelector(`[data-testid=check-detail][data-code=${order[1]}]`);
      assert.equal(await page.getAttribute(`[data-testid=check-row][data-code=${order[1]}]`, 'aria-selected'), 'true');
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid=check-detail]', { state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-code')), order[1], 'focus returns to the row');
      assert.equal(await page.getAttribute('[data-testid=check-list]', 'role'), 'listbox');
      assert.equal(await rows(page).first().getAttribute('role'), 'option');
    });
  });

  test('detail: evidence, tailored remediation, exact copy, score if fixed, links', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-checklist]');
      await page.click('[data-testid=check-row][data-code=CTR001]');
      const detail = page.locator('[data-testid=check-detail]');
      const check = weak.checks.find((c) => c.id === 'CTR001');
      const bad = check.findings.find((f) => f.status === 'fail');
      const card = detail.locator(`[data-testid=finding][data-target="${bad.target.name}"]`);
      assert.equal(await card.getAttribute('data-status'), 'fail');
      const ev = await card.locator('[data-testid=evidence] tbody tr').first().textContent();
      assert.ok(ev.includes(bad.evidence[0].field) && ev.includes(bad.evidence[0].observed), ev);
      if (check.rationale) assert.ok((await detail.textContent()).includes('Why it matters'));
      assert.match(await detail.locator('[data-testid=score-if-fixed]').textContent(), new RegExp(`Score if fixed: ${check.score_if_fixed}.*now ${weak.score}`));

      const snippet = bad.remediation[0];
      const block = card.locator('[data-testid=snippet]').first();
      assert.equal(await block.locator('pre').textContent(), snippet.code, 'shown exactly');
      await block.locator('[data-testid=copy]').click();
      await page.waitForFunction(() => window.__zdTest.clipboard !== null);
      assert.equal(await page.evaluate(() => window.__zdTest.clipboard), snippet.code, 'clipboard holds the exact snippet');
      assert.equal((await block.locator('[data-testid=copy]').textContent()).trim(), 'Copied');
      await readmeShot(page, 'check-detail.png');

      const link = detail.locator('[data-testid=external-link]').first();
      const href = await link.getAttribute('href');
      await link.click();
      await page.waitForFunction(() => window.__zdTest.opened.length > 0);
      assert.deepEqual(await page.evaluate(() => window.__zdTest.opened), [href]);
      assert.ok(href.startsWith('https://'));
      assert.equal(new URL(page.url()).hostname, '127.0.0.1', 'the webview did not navigate');
    });
  });

  test('daemon.json plan: line diff and one copy of the proposed file', async () => {
    const plan = weak.daemon_json_plan;
    assert.ok(plan?.changes.length, 'the weak scenario has daemon.json changes to propose');
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-checklist]');
      const code = plan.changes[0].check;
      await page.click(`[data-testid=check-row][data-code=${code}]`);
      const p = page.locator('[data-testid=check-detail] [data-testid=daemon-plan]');
      const changes = await p.locator('[data-testid=daemon-changes] tbody tr').count();
      assert.equal(changes, plan.changes.length);
      const added = await p.locator('[data-testid=daemon-diff] [data-op="+"]').allTextContents();
      assert.ok(added.length > 0, 'added lines');
      for (const c of plan.changes) {
        const leaf = c.key.split('.').pop();
        assert.ok(added.some((l) => l.includes(`"${leaf}"`)), `diff adds ${c.key}: ${added.join(' | ')}`);
      }
      const kept = await p.locator('[data-testid=daemon-diff] .line').evaluateAll((els) => els.filter((e) => e.dataset.op !== '-').map((e) => e.querySelector('.txt').textContent));
      assert.equal(kept.join('\n'), plan.proposed.replace(/\n$/, ''), 'kept + added lines are the proposed file');
      await p.locator('[data-testid=copy-proposed]').click();
      await page.waitForFunction(() => window.__zdTest.clipboard !== null);
      assert.equal(await page.evaluate(() => window.__zdTest.clipboard), plan.proposed);
      await p.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'daemon-plan.png') });

      // Placeholders (the syslog server's address): named above the table, the change row says
      // "fill in", and the proposed file marks the value — yet the copy is the file as proposed.
      assert.ok(plan.placeholders?.length, 'the weak plan proposes a syslog address to fill in');
      const told = await p.locator('[data-testid=daemon-placeholders] li').allTextContents();
      assert.deepEqual(told.map((t) => t.split(' — ')[0]), plan.placeholders.map((x) => x.key));
      const rows = await p.locator('[data-testid=daemon-changes] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({ key: tr.querySelector('td code').textContent, fill: !!tr.querySelector('[data-testid=needs-fill]') })));
      for (const r of rows) {
        const expected = plan.placeholders.some((x) => x.key === r.key || x.key.startsWith(`${r.key}.`));
        assert.equal(r.fill, expected, `row ${r.key}`);
      }
      await p.locator('[data-testid=daemon-placeholders]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'daemon-plan-fill-in.png') });
      await p.locator('[role=tab]', { hasText: 'Proposed file' }).click();
      const marked = await p.locator('[data-testid=daemon-proposed] [data-testid=placeholder]').allTextContents();
      assert.deepEqual(marked, plan.placeholders.map((x) => x.value));
      assert.equal(await p.locator('[data-testid=daemon-proposed] pre').textContent(), plan.proposed, 'marks add no text');
      await p.locator('[data-testid=daemon-proposed]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'daemon-plan-placeholders.png') });
    });
  });
});

describe('inventory', () => {
  test('containers: every container, sortable, opens its checks', async () => {
    assert.ok(weak.inventory?.containers.length, 'inventory present');
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-containers]');
      const names = () => page.locator('[data-testid=container-row]').evaluateAll((els) => els.map((e) => e.dataset.name));
      assert.deepEqual((await names()).sort(), weak.inventory.containers.map((c) => c.name).sort());
      await page.click('th.c-name button');
      const sorted = await names();
      assert.deepEqual(sorted, [...sorted].sort((a, b) => a.localeCompare(b)));
      await page.screenshot({ path: join(SHOTS, 'containers.png') });
      const priv = weak.inventory.containers.find((c) => c.failing.some((f) => f.code === 'CTR001'));
      await page.click(`[data-testid=container-row][data-name="${priv.name}"] button[data-code=CTR001]`);
      await page.waitForSelector('[data-testid=check-detail][data-code=CTR001]');
      assert.equal(await page.inputValue('[data-testid=filter-object]'), priv.name);
      assert.equal(await page.locator('[data-testid=check-detail] [data-testid=finding]').count(), 1, 'only that container');
    });
  });

  test('hidden characters from the engine are shown, never obeyed (Trojan Source)', async () => {
    // A container renamed with a right-to-left override and a bell, everywhere the report names it.
    const priv = weak.inventory.containers.find((c) => c.failing.some((f) => f.code === 'CTR001'));
    const odd = `${priv.name}\u202Etxt.exe\u0007`;
    const report = JSON.parse(JSON.stringify(weak).replaceAll(JSON.stringify(priv.name).slice(1, -1), JSON.stringify(odd).slice(1, -1)));
    const hiddenIn = (page) => page.evaluate(() => (document.body.innerText.match(/[\u202A-\u202E\u2066-\u2069\u0007]/g) ?? []).length);
    await withApp({ state: appState(report) }, {}, async (page) => {
      await page.click('[data-testid=nav-containers]');
      const row = page.locator('[data-testid=container-row]').filter({ hasText: '⟨U+202E⟩' });
      assert.equal(await row.count(), 1, 'the container row shows the override');
      assert.ok((await row.innerText()).includes(`${priv.name}⟨U+202E⟩txt.exe⟨U+0007⟩`));
      assert.equal(await hiddenIn(page), 0, 'no hidden character is painted');
      // Rendered later (a click, an expanded finding): revealed too; the data stays exact.
      await row.locator('button[data-code=CTR001]').click();
      await page.waitForSelector('[data-testid=check-detail][data-code=CTR001]');
      assert.equal(await page.inputValue('[data-testid=filter-object]'), odd, 'the filter holds the exact name');
      assert.ok((await page.locator('[data-testid=check-detail]').innerText()).includes('⟨U+202E⟩txt.exe'));
      assert.equal(await hiddenIn(page), 0, 'no hidden character is painted');
    });
  });

  test('network: default bridge highlighted, internal marked, all-interface ports flagged', async () => {
    assert.ok(weak.inventory?.networks.length, 'inventory present');
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-network]');
      const nets = page.locator('[data-testid=network]');
      assert.equal(await nets.count(), weak.inventory.networks.length);
      const bridge = weak.inventory.networks.find((n) => n.default_bridge);
      assert.equal(await page.getAttribute(`[data-testid=network][data-name="${bridge.name}"]`, 'data-default-bridge'), 'true');
      assert.match(await page.textContent('[data-testid=bridge-callout]'), new RegExp(`${bridge.containers.length} container`));
      for (const n of weak.inventory.networks.filter((x) => x.internal)) {
        assert.equal(await page.locator(`[data-testid=network][data-name="${n.name}"] [data-testid=internal]`).count(), 1);
      }
      const ports = weak.inventory.containers.flatMap((c) => c.ports);
      assert.equal(await page.locator('[data-testid=port-row]').count(), ports.length);
      assert.equal(await page.locator('[data-testid=port-row][data-all-interfaces=true]').count(), ports.filter((p) => p.all_interfaces).length);
      await page.setViewportSize({ width: 1280, height: 1300 });
      await page.screenshot({ path: join(SHOTS, 'network.png') });
    });
  });

  test('host page shows encryption, privileges and unknowns with reasons', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=nav-host]');
      for (const code of ['HST001', 'HST002', 'HST003', 'VER001']) {
        const c = weak.checks.find((x) => x.id === code);
        assert.equal(await page.getAttribute(`[data-testid=host-check][data-code=${code}]`, 'data-status'), c.status);
      }
      await page.screenshot({ path: join(SHOTS, 'host.png') });
    });
  });
});

describe('app states', () => {
  test('engine down: banner with message and hint', async () => {
    const state = appState(hardened, {
      engine: { state: 'unreachable', endpoint: 'unix:///var/run/docker.sock', message: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock: no such file', hint: 'Start Docker, or point ZeroDock at it with DOCKER_HOST.', next_retry_secs: 8 },
      tray: 'unknown',
    });
    await withApp({ state }, {}, async (page) => {
      await page.waitForSelector('[data-testid=engine-banner]');
      assert.equal(await page.getAttribute('[data-testid=engine-status]', 'data-state'), 'unreachable');
      const text = await page.textContent('[data-testid=engine-banner]');
      assert.ok(text.includes(state.engine.message) && text.includes(state.engine.hint) && text.includes('8 s'), text);
      await page.screenshot({ path: join(SHOTS, 'engine-down.png') });
    });
  });

  test('a partly hung engine: the report\'s notes name the call and the limit on the overview', async () => {
    // The note as the engine writes it when `GET /containers/json` times out (crates/engine
    // collect/docker.rs; tests/watch_live.rs proves it on a real engine behind a stalling proxy).
    const note = 'the Docker engine at unix:///var/run/docker.sock did not answer `GET /containers/json` within 15 s: it may be overloaded or hung (a longer --timeout waits more)';
    await withApp({ state: appState({ ...weak, notes: [note] }) }, { width: 1180, height: 900 }, async (page) => {
      const notes = page.locator('[data-testid=collection-notes]');
      await notes.waitFor();
      const text = await notes.textContent();
      assert.ok(text.includes('GET /containers/json') && text.includes('15 s'), text);
      await notes.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'overview-notes.png') });
    });
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.waitForSelector('[data-testid=last-scan]');
      assert.equal(await page.locator('[data-testid=collection-notes]').count(), 0, 'no notes, no box');
    });
  });

  test('scan progress events move the bar; Scan now calls scan_now', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=scan-now]');
      await page.waitForFunction(() => window.__zdTest.calls.some((c) => c.cmd === 'scan_now'));
      await page.evaluate((s) => window.__zdTest.setState(s), appState(weak, { scanning: true }));
      const bar = '[data-testid=scan-progress] [role=progressbar]';
      await page.evaluate(() => window.__zdTest.emit('scan-progress', { stage: 'containers', done: 5, total: 23 }));
      await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('aria-valuenow')) > 0, bar);
      const first = Number(await page.getAttribute(bar, 'aria-valuenow'));
      const w1 = await page.locator(`${bar} .fill`).evaluate((e) => e.getBoundingClientRect().width);
      assert.match(await page.textContent('[data-testid=scan-stage]'), /Inspecting containers · 5\/23/);
      await page.evaluate(() => window.__zdTest.emit('scan-progress', { stage: 'evaluating', done: 0, total: 0 }));
      await page.waitForFunction(([sel, v]) => Number(document.querySelector(sel)?.getAttribute('aria-valuenow')) > v, [bar, first]);
      await page.waitForTimeout(350);
      const w2 = await page.locator(`${bar} .fill`).evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(w2 > w1, `bar grew ${w1} → ${w2}`);
      assert.equal(await page.isDisabled('[data-testid=scan-now]'), true);
      await page.screenshot({ path: join(SHOTS, 'scanning.png') });
      await page.evaluate((s) => window.__zdTest.setState(s), appState(weak));
      await page.waitForSelector('[data-testid=scan-progress]', { state: 'detached' });
    });
  });

  test('monitoring toggle and export with Show in folder', async () => {
    await withApp({ state: appState(weak) }, {}, async (page) => {
      await page.click('[data-testid=monitoring-toggle]');
      await page.waitForFunction(() => document.querySelector('[data-testid=monitoring-state]')?.textContent === 'Paused');
      const calls = await page.evaluate(() => window.__zdTest.calls);
      assert.deepEqual(calls.find((c) => c.cmd === 'set_monitoring').args, { paused: true });

      await page.click('[data-testid=export]');
      await page.check('[data-testid=format-sarif]');
      await page.click('[data-testid=export-go]');
      await page.waitForSelector('[data-testid=export-result]');
      const path = await page.textContent('[data-testid=export-path]');
      assert.equal(path, '/home/user/zerodock-report.sarif');
      await page.click('[data-testid=reveal]');
      await page.waitForFunction(() => window.__zdTest.calls.some((c) => c.cmd === 'reveal_path'));
      const after = await page.evaluate(() => window.__zdTest.calls);
      assert.deepEqual(after.find((c) => c.cmd === 'export_report').args, { format: 'sarif', sign: false });
      assert.deepEqual(after.find((c) => c.cmd === 'reveal_path').args, { path });
      await page.screenshot({ path: join(SHOTS, 'export.png') });
    });
  });

  test('export errors are shown', async () => {
    const scenario = { state: appState(weak), exportAnswer: { code: 'export_failed', message: 'Could not export to /ro/r.pdf: read-only file system' } };
    await withApp(scenario, {}, async (page) => {
      await page.click('[data-testid=export]');
      await page.click('[data-testid=export-go]');
      assert.match(await page.textContent('[data-testid=export-error]'), /read-only file system/);
    });
  });
});

describe('800×600', () => {
  test('every page fits without horizontal scrolling', async () => {
    await withApp({ state: appState(weak) }, { width: 800, height: 600 }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      await readmeShot(page, 'small-800x600.png');
      for (const view of ['overview', 'checklist', 'containers', 'network', 'host', 'settings']) {
        await page.click(`[data-testid=nav-${view}]`);
        if (view === 'checklist') await page.click('[data-testid=check-row][data-code=CTR003]');
        const over = await page.evaluate(() => {
          const doc = document.scrollingElement;
          const bad = [doc.scrollWidth > doc.clientWidth ? `document ${doc.scrollWidth}>${doc.clientWidth}` : null];
          const main = document.querySelector('main');
          if (main.scrollWidth > main.clientWidth + 1) bad.push(`main ${main.scrollWidth}>${main.clientWidth}`);
          return bad.filter(Boolean);
        });
        assert.deepEqual(over, [], `${view} has no horizontal overflow`);
        await page.screenshot({ path: join(SHOTS, `small-${view}.png`) });
      }
    });
  });

  test('the collapsed sidebar keeps count badges off the icons and inside their buttons', async () => {
    await withApp({ state: appState(weak) }, { width: 800, height: 600 }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      const boxes = await page.evaluate(() =>
        [...document.querySelectorAll('nav [data-testid^=nav-]')].map((b) => {
          const r = (el) => el && (({ left, right, top, bottom }) => ({ left, right, top, bottom }))(el.getBoundingClientRect());
          return { nav: b.dataset.testid, button: r(b), icon: r(b.querySelector('svg')), count: r(b.querySelector('.count')) };
        }),
      );
      const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const inside = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
      const counted = boxes.filter((b) => b.count);
      assert.ok(counted.length >= 3, `checklist, containers and network show counts: ${JSON.stringify(boxes)}`);
      for (const b of counted) {
        assert.ok(b.icon, `${b.nav} has an icon`);
        assert.ok(!meet(b.icon, b.count), `${b.nav}: badge ${JSON.stringify(b.count)} overlaps icon ${JSON.stringify(b.icon)}`);
        assert.ok(inside(b.count, b.button), `${b.nav}: badge ${JSON.stringify(b.count)} outside its button ${JSON.stringify(b.button)}`);
      }
      // Buttons do not overlap each other either.
      for (let i = 1; i < boxes.length; i++) {
        assert.ok(!meet(boxes[i - 1].button, boxes[i].button), `${boxes[i - 1].nav} and ${boxes[i].nav} overlap`);
      }
    });
  });
});

describe('settings', () => {
  const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor.match(/\d+/g).slice(0, 3).map(Number).reduce((a, x) => a + x, 0));

  test('every control reaches update_settings, the tray\'s answer shows, the theme applies', async () => {
    // Tall enough that the README's screenshot shows every section.
    await withApp({ state: appState(weak) }, { width: 1280, height: 960 }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      await page.click('[data-testid=nav-settings]');
      await page.waitForSelector('[data-testid=settings]');
      assert.equal(await page.textContent('[data-testid=engine-endpoint]'), appState(weak).engine.endpoint);
      assert.match(await page.textContent('[data-testid=engine-note]'), /engine menu in the header/);
      assert.ok((await bg(page)) > 600, 'light by default in a light desktop');
      await readmeShot(page, 'settings.png');

      const last = () => page.evaluate(() => window.__zdTest.calls.filter((c) => c.cmd === 'update_settings').at(-1)?.args.settings);
      await page.selectOption('[data-testid=rescan-interval]', '900');
      await page.waitForFunction(() => window.__zdTest.calls.some((c) => c.cmd === 'update_settings'));
      assert.deepEqual(await last(), { ...appState(weak).settings, rescan_interval_secs: 900 });
      await page.locator('[data-testid=severity-critical]').locator('..').click(); // the label, as a user clicks it
      await page.waitForFunction(() => window.__zdTest.calls.filter((c) => c.cmd === 'update_settings').at(-1).args.settings.notify_min_severity === 'critical');
      await page.click('[data-testid=start-at-login]');
      await page.waitForFunction(() => window.__zdTest.calls.filter((c) => c.cmd === 'update_settings').at(-1).args.settings.start_at_login === true);
      await page.locator('[data-testid=theme-dark]').locator('..').click(); // the label, as a user clicks it
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      assert.ok((await bg(page)) < 120, 'the dark setting wins over a light desktop');
      assert.deepEqual(await last(), { rescan_interval_secs: 900, notifications: true, notify_min_severity: 'critical', start_at_login: true, theme: 'dark', engine: null });
      assert.match(await page.textContent('[data-testid=settings-status]'), /Saved/);
      // The header's monitoring hint follows the tray's new interval (state-changed, not the form).
      assert.match(await page.getAttribute('[data-testid=monitoring-toggle]', 'title'), /every 15 min/);
      await page.screenshot({ path: join(SHOTS, 'settings-dark.png') });
      await page.click('[data-testid=notifications]');
      await page.waitForFunction(() => window.__zdTest.calls.filter((c) => c.cmd === 'update_settings').at(-1).args.settings.notifications === false);
      assert.equal(await page.isDisabled('[data-testid=severity-high]'), true, 'no severity without notifications');
    });
  });

  test('a light setting wins over a dark desktop; a refused change is shown and undone', async () => {
    const scenario = {
      state: appState(weak, { settings: { ...appState(weak).settings, theme: 'light' } }),
      settingsError: { code: 'internal', message: 'Could not save the settings to /ro/settings.json: read-only file system' },
    };
    await withApp(scenario, { colorScheme: 'dark' }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      assert.ok((await bg(page)) > 600, 'light despite the dark desktop');
      await page.click('[data-testid=nav-settings]');
      await page.click('[data-testid=start-at-login]');
      await page.waitForSelector('[data-testid=notice]');
      assert.match(await page.textContent('[data-testid=notice]'), /Settings not saved: .*read-only file system/);
      assert.equal(await page.isChecked('[data-testid=start-at-login]'), false);
    });
  });
});

describe('notification click', () => {
  test('focus-finding opens the checklist on that finding, filtered, scrolled to and expanded', async () => {
    // The last failing container finding in checklist order: far down the list, so it must scroll.
    const failing = weak.checks.filter((c) => c.status === 'fail' && c.findings.some((f) => f.status === 'fail' && f.target.kind === 'container'));
    const check = failing.at(-1);
    const target = check.findings.find((f) => f.status === 'fail' && f.target.kind === 'container').target.name;
    await withApp({ state: appState(weak) }, { width: 1280, height: 600 }, async (page) => {
      await page.waitForSelector('[data-testid=score]');
      // Emitted as the dashboard emits it when the tray relays a notification's click.
      await page.evaluate((f) => window.__zdTest.emit('focus-finding', f), { check: check.id, target });
      await page.waitForSelector(`[data-testid=check-detail][data-code=${check.id}]`);
      assert.equal(await page.getAttribute('main', 'data-view'), 'checklist');
      const row = page.locator(`[data-testid=check-row][data-code=${check.id}]`);
      const inView = await row.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const list = el.closest('main').getBoundingClientRect();
        return r.top >= list.top && r.bottom <= list.bottom;
      });
      assert.ok(inView, 'the row is scrolled into view');
      // Filtered to the object the notification named: every row is about it.
      assert.equal(await page.inputValue('[data-testid=filter-object]'), target);
      assert.equal(await page.inputValue('[data-testid=filter-kind]'), 'container');
      assert.match(await page.textContent('[data-testid=check-detail]'), new RegExp(target));
      await page.screenshot({ path: join(SHOTS, 'focus-finding.png') });
    });
  });
});
