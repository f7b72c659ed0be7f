// Generates the real engine reports the tests read (see fixtures.mjs) once, before the test
// workers start, so parallel workers never race to write them. ZERODOCK_UI_REGEN=1 forces it.
import { ensureReport, reportPath } from './fixtures.mjs';

for (const name of ['default', 'hardened']) {
  const r = ensureReport(name, process.env.ZERODOCK_UI_REGEN === '1');
  console.log(`${reportPath(name)}: score ${r.score} grade ${r.grade}, ${r.checks.length} checks`);
}
