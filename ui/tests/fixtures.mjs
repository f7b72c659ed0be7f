// Real engine reports for the UI tests: `zerodock scan --from <snapshot fixture> --format json`
// over the snapshots captured from a real dockerd (crates/engine/tests/fixtures/). Generated on
// demand (gitignored), so they always match the engine in this tree.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = resolve(here, '..', '..');
const OUT = join(here, 'fixtures');

/** Path of the report generated from snapshot fixture `name` (`default`, `hardened`). */
export function reportPath(name) {
  return join(OUT, `report-${name}.json`);
}

/** Generates the report for snapshot fixture `name` when it is missing or older than its snapshot,
 * or always with `force` (tests/gen-fixtures.mjs passes ZERODOCK_UI_REGEN=1 here). */
export function ensureReport(name, force = false) {
  const out = reportPath(name);
  const snap = join(ROOT, 'crates', 'engine', 'tests', 'fixtures', `${name}.json`);
  const stale = !existsSync(out) || statSync(out).mtimeMs < statSync(snap).mtimeMs || force;
  if (stale) {
    mkdirSync(OUT, { recursive: true });
    const bin = process.env.ZERODOCK_BIN;
    const [cmd, args] = bin
      ? [bin, []]
      : ['cargo', ['run', '-q', '--']];
    execFileSync(cmd, [...args, 'scan', '--from', snap, '--format', 'json', '-o', out], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** The report of snapshot fixture `name` judged with the policy file `toml` (written beside it as
 * `policy-<tag>.toml`), by the real engine: what the tray publishes after *Accept risk…*. Always
 * regenerated (a few hundred ms): the policy is the test's. */
export function ensureWaivedReport(name, tag, toml) {
  const out = join(OUT, `report-${name}-${tag}.json`);
  const policy = join(OUT, `policy-${tag}.toml`);
  const snap = join(ROOT, 'crates', 'engine', 'tests', 'fixtures', `${name}.json`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(policy, toml);
  const bin = process.env.ZERODOCK_BIN;
  const [cmd, args] = bin ? [bin, []] : ['cargo', ['run', '-q', '--']];
  execFileSync(cmd, [...args, 'scan', '--from', snap, '--policy', policy, '--format', 'json', '-o', out], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** An AppState around `report`, as src-tauri sends it. */
export function appState(report, over = {}) {
  return {
    report,
    engine: { state: 'connected', endpoint: report?.subject?.endpoint?.host ?? 'unix:///var/run/docker.sock', message: null, hint: null, next_retry_secs: null },
    scanning: false,
    progress: null,
    paused: false,
    settings: { rescan_interval_secs: 300, notifications: true, notify_min_severity: 'high', start_at_login: false, theme: 'system', engine: null },
    tray: 'critical',
    history: { path: '/home/user/.local/share/zerodock/history.sqlite', available: true, recovered: null, error: null, revision: 0, last_saved: null },
    policy: { path: '/home/user/.config/zerodock/policy.toml', exists: false, waivers: [], error: null, default_by: 'user' },
    ...over,
  };
}

/** Path of the generated report of a host with `n` containers (see {@link ensureGiantReport}). */
export function giantReportPath(n) {
  return join(OUT, `report-giant-${n}.json`);
}

/** A real engine report of a host with `n` containers: the default snapshot fixture's containers
 * cloned (new names, ids unique in their first 12 hex digits, every fourth in a Compose project
 * named in another script) and evaluated by `zerodock scan --from`, as for the other fixtures.
 * Regenerated when missing or older than the fixture. */
export function ensureGiantReport(n, force = false) {
  const out = giantReportPath(n);
  const snapPath = join(ROOT, 'crates', 'engine', 'tests', 'fixtures', 'default.json');
  const stale = !existsSync(out) || statSync(out).mtimeMs < statSync(snapPath).mtimeMs || force;
  if (stale) {
    mkdirSync(OUT, { recursive: true });
    const snap = JSON.parse(readFileSync(snapPath, 'utf8'));
    const list = snap.engine.value.containers.value;
    const originals = list.slice();
    const projects = ['プロジェクト', 'פרויקט', 'café-stack', '🐳-fleet'];
    list.length = 0;
    for (let i = 0; i < n; i++) {
      const c = structuredClone(originals[i % originals.length]);
      c.name = `${c.name}-${String(i).padStart(5, '0')}`;
      c.id = (0xc0ffee000000 + i).toString(16).padStart(12, '0') + c.id.slice(12);
      if (i % 4 === 1) c.labels = { ...c.labels, 'com.docker.compose.project': projects[i % projects.length], 'com.docker.compose.service': `svc-${i % 7}` };
      list.push(c);
    }
    const snapOut = join(OUT, `snapshot-giant-${n}.json`);
    writeFileSync(snapOut, JSON.stringify(snap));
    const bin = process.env.ZERODOCK_BIN;
    const [cmd, args] = bin ? [bin, []] : ['cargo', ['run', '-q', '--']];
    execFileSync(cmd, [...args, 'scan', '--from', snapOut, '--format', 'json', '-o', out], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return out;
}
