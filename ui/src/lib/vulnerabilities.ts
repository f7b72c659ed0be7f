// The Vulnerabilities view's logic (views/Vulnerabilities.svelte), kept out of the component so
// it is unit-tested: the order of images by risk, the fixable/unfixed filter, the Dockerfile
// upgrade line, the database's age and the base OS's end of life. Pure functions over the
// report's `vulnerabilities` part.

import type { BaseOs, ImageVulns, VulnDatabase, VulnSeverity, Vulnerability } from './model';

/** Severities from the worst; `unknown` last (it is not "low": the record gave nothing). */
export const SEVERITIES: readonly VulnSeverity[] = ['critical', 'high', 'medium', 'low', 'unknown'];

/** How many vulnerabilities of each severity, and how many of those have a fix. */
export type Counts = Record<VulnSeverity, number> & { fixable: Record<VulnSeverity, number>; total: number };

/** Which vulnerabilities the table shows. */
export type FixFilter = 'fixable' | 'unfixed' | 'all';

/** Whether a fix version is known (`fixed: null` is "no fix yet"). */
export const isFixable = (v: Vulnerability): boolean => v.fixed != null && v.fixed.trim() !== '';

/** Counts per severity for one image. */
export function counts(image: ImageVulns): Counts {
  const zero = (): Record<VulnSeverity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0 });
  const c = { ...zero(), fixable: zero(), total: image.vulnerabilities.length };
  for (const v of image.vulnerabilities) {
    c[v.severity] += 1;
    if (isFixable(v)) c.fixable[v.severity] += 1;
  }
  return c;
}

/** Images by risk: more criticals first, then — at equal criticals — more fixable criticals (a
 * fix to apply beats a risk to accept), then highs and fixable highs, mediums, lows, unknowns;
 * then by name. Images whose contents could not be read come after those with findings. */
export function rankImages(images: readonly ImageVulns[]): ImageVulns[] {
  const key = (i: ImageVulns): number[] => {
    const c = counts(i);
    return [c.critical, c.fixable.critical, c.high, c.fixable.high, c.medium, c.fixable.medium, c.low, c.unknown, i.unreadable ? 0 : 1];
  };
  const keys = new Map(images.map((i) => [i, key(i)]));
  return [...images].sort((a, b) => {
    const ka = keys.get(a) ?? [];
    const kb = keys.get(b) ?? [];
    for (let n = 0; n < ka.length; n++) {
      const d = (kb[n] ?? 0) - (ka[n] ?? 0);
      if (d !== 0) return d;
    }
    return a.image.localeCompare(b.image) || a.image_id.localeCompare(b.image_id);
  });
}

/** The table's rows: the filter applied, worst first, fixable before unfixed, then package and id. */
export function visibleVulns(list: readonly Vulnerability[], filter: FixFilter): Vulnerability[] {
  const rank = (s: VulnSeverity) => SEVERITIES.indexOf(s);
  return list
    .filter((v) => filter === 'all' || (filter === 'fixable') === isFixable(v))
    .sort(
      (a, b) =>
        rank(a.severity) - rank(b.severity) ||
        Number(isFixable(b)) - Number(isFixable(a)) ||
        a.package.localeCompare(b.package) ||
        a.id.localeCompare(b.id),
    );
}

/** The package manager an image's base OS uses, when ZeroDock can write its upgrade line. */
export type PackageManager = 'apt' | 'apk';

/** `apt` for Debian and Ubuntu, `apk` for Alpine (and Wolfi, which uses apk); else null. */
export function packageManager(os: BaseOs | null): PackageManager | null {
  const id = os?.id.toLowerCase() ?? '';
  if (id === 'debian' || id === 'ubuntu') return 'apt';
  if (id === 'alpine' || id === 'wolfi') return 'apk';
  return null;
}

/** A purl of a language package (npm, pypi, maven, gem…) is not upgraded by the OS's package manager. */
function isOsPackage(v: Vulnerability, pm: PackageManager): boolean {
  if (!v.purl) return true;
  const type = v.purl.slice(4, v.purl.indexOf('/')).toLowerCase();
  return v.purl.startsWith('pkg:') && type === (pm === 'apt' ? 'deb' : 'apk');
}

/**
 * The Dockerfile line that upgrades every OS package with a known fix, or null when there is none
 * or the OS is not one ZeroDock writes lines for.
 *
 * Debian/Ubuntu pin each package to the highest fixed version among its vulnerabilities
 * (`apt-get install --only-upgrade libssl3=3.0.11-1~deb12u2`), compared with dpkg's ordering.
 * OSV's fixed versions for Debian are SOURCE package versions; the binary package (the one
 * installed, named here) almost always carries the same version, and the comment says so.
 * Alpine's apk has no "at least" pin that upgrades, so it names the packages.
 */
export function upgradeLine(image: ImageVulns): string | null {
  const pm = packageManager(image.os);
  if (!pm) return null;
  const best = new Map<string, string>();
  for (const v of image.vulnerabilities) {
    if (!isFixable(v) || !isOsPackage(v, pm) || !v.package) continue;
    const fixed = (v.fixed ?? '').trim();
    const known = best.get(v.package);
    if (known === undefined || (pm === 'apt' && compareDebVersions(fixed, known) > 0)) best.set(v.package, fixed);
  }
  if (best.size === 0) return null;
  const names = [...best.keys()].sort();
  if (pm === 'apk') {
    return `RUN apk add --no-cache --upgrade ${names.join(' ')}`;
  }
  const pins = names.map((n) => `${n}=${best.get(n)}`);
  return [
    '# Fixed versions are the advisories\' (Debian: SOURCE package versions); the binary package',
    '# usually has the same version. If apt cannot find one, drop its "=version".',
    `RUN apt-get update && apt-get install -y --only-upgrade ${pins.join(' ')} && rm -rf /var/lib/apt/lists/*`,
  ].join('\n');
}

/** dpkg's version ordering (`epoch:upstream-revision`, `~` before everything), as
 * `dpkg --compare-versions` applies it: negative, zero or positive. */
export function compareDebVersions(a: string, b: string): number {
  const split = (v: string): [number, string, string] => {
    const colon = v.indexOf(':');
    const epoch = colon > 0 ? Number.parseInt(v.slice(0, colon), 10) || 0 : 0;
    const rest = colon > 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
  };
  const [ea, ua, ra] = split(a.trim());
  const [eb, ub, rb] = split(b.trim());
  return ea - eb || comparePart(ua, ub) || comparePart(ra, rb);
}

/** dpkg's order of one character in a non-digit run: `~` lowest, then end of string, letters, others. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run, character by character.
    while ((i < a.length && !/\d/.test(a[i])) || (j < b.length && !/\d/.test(b[j]))) {
      const ca = i < a.length && !/\d/.test(a[i]) ? a[i] : undefined;
      const cb = j < b.length && !/\d/.test(b[j]) ? b[j] : undefined;
      const d = order(ca) - order(cb);
      if (d !== 0) return d;
      if (ca !== undefined) i++;
      if (cb !== undefined) j++;
    }
    // Digit run, numerically (as strings without leading zeros, so long runs do not overflow).
    let na = '';
    let nb = '';
    while (i < a.length && /\d/.test(a[i])) na += a[i++];
    while (j < b.length && /\d/.test(b[j])) nb += b[j++];
    na = na.replace(/^0+/, '');
    nb = nb.replace(/^0+/, '');
    if (na.length !== nb.length) return na.length - nb.length;
    if (na !== nb) return na < nb ? -1 : 1;
  }
  return 0;
}

/** `YYYY-MM-DD` of an ISO date or date-time (the date as written, no time-zone shift). */
export const day = (iso: string): string => iso.slice(0, 10);

/** "as of 2026-12-01": the newest record's date when known, else when the database was updated. */
export function asOf(db: VulnDatabase | null): string | null {
  if (!db) return null;
  return `as of ${day(db.newest_record ?? db.updated_at)}`;
}

/** The base OS's end of security support as a phrase: "unknown" when ZeroDock does not know it. */
export function endOfLife(os: BaseOs | null, now: Date = new Date()): { text: string; ended: boolean | null } {
  if (!os?.end_of_life) return { text: 'end of life unknown', ended: null };
  const ended = Date.parse(`${os.end_of_life}T00:00:00Z`) <= now.getTime();
  return { text: ended ? `security support ended ${os.end_of_life}` : `security support until ${os.end_of_life}`, ended };
}
