// The machine's own dpkg as the oracle for Debian version order (`dpkg --compare-versions`), for
// the unit tests of the UI's upgrade line. Debian's dpkg is on every CI machine.

import { execFileSync } from 'node:child_process';

/** -1, 0 or 1 as dpkg orders `a` and `b`. */
export function dpkgCompare(a, b) {
  const holds = (op) => {
    try {
      execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return holds('lt') ? -1 : holds('gt') ? 1 : 0;
}

/** The vulnerability part of a report built from real scanner outputs (tests/vuln-scan.json). */
export { default as vulnScan } from './vuln-scan.json' with { type: 'json' };
