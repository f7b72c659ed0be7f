// Real engine reports for the UI tests: `zerodock scan --from <snapshot fixture> --format json`
// over the snapshots captured from a real dockerd (crates/engine/tests/fixtures/). Generated on
// demand (gitignored), so they always match the engine in this tree.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
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

/** An AppState around `report`, as src-tauri sends it. */
export function appState(report, over = {}) {
  return {
    report,
    engine: { state: 'connected', endpoint: report?.subject?.endpoint?.host ?? 'unix:///var/run/docker.sock', message: null, hint: null, next_retry_secs: null },
    scanning: false,
    progress: null,
    paused: false,
    settings: { rescan_interval_secs: 300, notifications: true, notify_min_severity: 'high', start_at_login: false, theme: 'system' },
    tray: 'critical',
    ...over,
  };
}
