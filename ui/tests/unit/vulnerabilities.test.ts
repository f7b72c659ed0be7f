// Unit tests of the Vulnerabilities view's logic: ranking, the fixable/unfixed filter, the
// Dockerfile upgrade line (Debian versions ordered as dpkg orders them: checked against the real
// `dpkg --compare-versions`), end of life and the database's age; and the view mounted on the
// report's vulnerability part built from real Trivy/Grype outputs (tests/vuln-scan.json, generated
// by crates/vuln/tests/import.rs).

import { describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { ImageVulns, Report, Vulnerability } from '../../src/lib/model';
import {
  asOf,
  compareDebVersions,
  counts,
  endOfLife,
  rankImages,
  upgradeLine,
  visibleVulns,
} from '../../src/lib/vulnerabilities';
import Vulnerabilities from '../../src/lib/views/Vulnerabilities.svelte';
import { STORE_KEY } from '../../src/lib/context';
import { Store } from '../../src/lib/store.svelte';
import { ensureReport } from '../fixtures.mjs';
import { dpkgCompare, vulnScan as scan } from '../dpkg.mjs';


const vuln = (over: Partial<Vulnerability>): Vulnerability => ({
  id: 'CVE-2024-0001',
  aliases: [],
  package: 'libfoo',
  source_package: 'foo',
  installed: '1.0-1',
  fixed: null,
  severity: 'medium',
  severity_source: 'test',
  summary: null,
  purl: '',
  scanner: 'zerodock',
  ...over,
});

const image = (name: string, vulnerabilities: Vulnerability[], over: Partial<ImageVulns> = {}): ImageVulns => ({
  image_id: `sha256:${name}`,
  image: name,
  os: null,
  unreadable: null,
  packages: [],
  vulnerabilities,
  scanners: ['zerodock'],
  unmatched_ecosystems: [],
  ...over,
});

const debian = { id: 'debian', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)', ecosystem: 'Debian:12', end_of_life: '2028-06-30', end_of_life_source: null };

describe('ranking', () => {
  test('criticals, then fixable criticals, then highs; unreadable after those with findings; then name', () => {
    const imgs = [
      image('b-two-high', [vuln({ severity: 'high' }), vuln({ severity: 'high', id: 'X' })]),
      image('c-one-critical-unfixed', [vuln({ severity: 'critical' })]),
      image('d-one-critical-fixable', [vuln({ severity: 'critical', fixed: '2' })]),
      image('a-unreadable', [], { unreadable: 'export failed' }),
      image('a-clean', []),
      image('e-high-fixable', [vuln({ severity: 'high', fixed: '2' }), vuln({ severity: 'high', id: 'X' })]),
    ];
    expect(rankImages(imgs).map((i) => i.image)).toEqual([
      'd-one-critical-fixable',
      'c-one-critical-unfixed',
      'e-high-fixable',
      'b-two-high',
      'a-clean',
      'a-unreadable',
    ]);
  });

  test('counts per severity and fixable', () => {
    const c = counts(image('x', [vuln({ severity: 'critical', fixed: '2' }), vuln({ severity: 'critical' }), vuln({ severity: 'unknown' })]));
    expect([c.critical, c.fixable.critical, c.unknown, c.total]).toEqual([2, 1, 1, 3]);
  });

  test('the real samples: the critical Debian image first, the Low-only RHEL one last', () => {
    expect(rankImages(scan.images).map((i) => i.image)).toEqual([
      'ghcr.io/aquasecurity/trivy-test-images:debian-buster',
      'cgr.dev/chainguard/ruby:latest-3.0',
      'ghcr.io/aquasecurity/trivy-test-images:alpine-310',
      'keycloak/keycloak:21.0.2',
    ]);
  });
});

describe('filter', () => {
  const list = [
    vuln({ id: 'A', severity: 'low', fixed: '2' }),
    vuln({ id: 'B', severity: 'critical' }),
    vuln({ id: 'C', severity: 'critical', fixed: '2' }),
    vuln({ id: 'D', severity: 'unknown', fixed: '  ' }),
  ];
  test('fixable, unfixed (a blank fix is no fix), all; worst first, fixable first', () => {
    expect(visibleVulns(list, 'fixable').map((v) => v.id)).toEqual(['C', 'A']);
    expect(visibleVulns(list, 'unfixed').map((v) => v.id)).toEqual(['B', 'D']);
    expect(visibleVulns(list, 'all').map((v) => v.id)).toEqual(['C', 'B', 'A', 'D']);
  });
});

describe('upgrade line', () => {
  test('Debian: each binary package pinned to its highest fix (dpkg order), a comment on source versions', () => {
    const line = upgradeLine(
      image('d', [
        vuln({ package: 'libssl3', fixed: '3.0.11-1~deb12u2' }),
        vuln({ package: 'libssl3', fixed: '3.0.11-1~deb12u1', id: 'B' }),
        vuln({ package: 'libssl3', fixed: '3.0.9-1', id: 'C' }),
        vuln({ package: 'bash', fixed: '5.2.15-2+b2' }),
        vuln({ package: 'zlib1g', fixed: null }),
        vuln({ package: 'requests', fixed: '2.32.0', purl: 'pkg:pypi/requests@2.31.0' }),
      ], { os: debian }),
    );
    expect(line).toBe(
      "# Fixed versions are the advisories' (Debian: SOURCE package versions); the binary package\n" +
        '# usually has the same version. If apt cannot find one, drop its "=version".\n' +
        'RUN apt-get update && apt-get install -y --only-upgrade bash=5.2.15-2+b2 libssl3=3.0.11-1~deb12u2 && rm -rf /var/lib/apt/lists/*',
    );
  });

  test('Alpine: apk names the packages; other or unknown OS and nothing fixable give no line', () => {
    const alpine = scan.images.find((i) => i.os?.id === 'alpine');
    expect(alpine && upgradeLine(alpine)).toBe('RUN apk add --no-cache --upgrade libcrypto1.1 libssl1.1');
    const rhel = scan.images.find((i) => i.os?.id === 'rhel');
    expect(rhel && upgradeLine(rhel)).toBeNull();
    expect(upgradeLine(image('n', [vuln({ fixed: '2' })]))).toBeNull();
    expect(upgradeLine(image('n', [vuln({ fixed: null })], { os: debian }))).toBeNull();
  });

  test('the real Debian sample: only the fixed package', () => {
    const buster = scan.images.find((i) => i.os?.id === 'debian');
    expect(buster && upgradeLine(buster)?.split('\n').at(-1)).toBe(
      'RUN apt-get update && apt-get install -y --only-upgrade libidn2-0=2.0.5-1+deb10u1 && rm -rf /var/lib/apt/lists/*',
    );
  });

  test('Debian version order agrees with dpkg --compare-versions', () => {
    const versions = ['1.0', '1.0-1', '1.0~rc1', '1.0~rc1-1', '1:0.9', '1.0+b1', '1.0a', '1.00', '1.0-1~deb12u1', '1.0-1+deb12u1', '1.0-10', '1.0-9', '2.0.5-1+deb10u1', '2.0.5-1', '1.0.0', '1.0~~', '0:1.0', '1.0-1.1', '10.0', '1.0-1a'];
    for (const a of versions) {
      for (const b of versions) {
        const ours = Math.sign(compareDebVersions(a, b));
        const theirs = dpkgCompare(a, b);
        expect(ours, `${a} vs ${b}`).toBe(theirs);
      }
    }
    // 400 real dpkg processes: seconds on a loaded 2-core CI machine, so Vitest's 5 s default is no bound here.
  }, 120_000);
});

describe('dates', () => {
  test('end of life: unknown when null, ended or until', () => {
    const now = new Date('2026-12-07T00:00:00Z');
    expect(endOfLife(null, now).text).toBe('end of life unknown');
    expect(endOfLife({ ...debian, end_of_life: null }, now)).toEqual({ text: 'end of life unknown', ended: null });
    expect(endOfLife({ ...debian, end_of_life: '2024-06-30' }, now)).toEqual({ text: 'security support ended 2024-06-30', ended: true });
    expect(endOfLife(debian, now)).toEqual({ text: 'security support until 2028-06-30', ended: false });
  });

  test('as of: the newest record, else the update', () => {
    expect(asOf(scan.database)).toBe('as of 2026-12-05');
    expect(asOf(scan.database && { ...scan.database, newest_record: null })).toBe('as of 2026-12-06');
    expect(asOf(null)).toBeNull();
  });
});

describe('view', () => {
  const weak = ensureReport('default') as Report;
  const render = (report: Report) => {
    const target = document.createElement('div');
    document.body.append(target);
    const app = mount(Vulnerabilities, { target, props: { report }, context: new Map([[STORE_KEY, new Store()]]) });
    flushSync();
    return { target, done: () => unmount(app) };
  };

  test('no vulnerability part: says how to scan', () => {
    const { target, done } = render({ ...weak, vulnerabilities: null });
    expect(target.textContent).toContain('zerodock vulndb import FILE.zip');
    expect(target.textContent).toContain('zerodock scan --vulns');
    expect(target.textContent).toContain('Scan images');
    done();
  });

  test('images ranked, the first open, the filter narrows its table', () => {
    const { target, done } = render({ ...weak, vulnerabilities: scan });
    const names = [...target.querySelectorAll('[data-testid=vuln-image]')].map((e) => e.getAttribute('data-image'));
    expect(names[0]).toBe('ghcr.io/aquasecurity/trivy-test-images:debian-buster');
    expect(target.querySelector('[data-testid=vuln-asof]')?.textContent).toContain('as of 2026-12-05');
    const ids = () => [...target.querySelectorAll('[data-testid=vuln-row]')].map((e) => e.getAttribute('data-id'));
    expect(ids()).toEqual(['CVE-2019-18224', 'CVE-2019-18276']);
    target.querySelector<HTMLInputElement>('[data-testid=vuln-filter-unfixed] input')?.click();
    flushSync();
    expect(ids()).toEqual(['CVE-2019-18276']);
    expect(target.querySelector('[data-testid=vuln-row]')?.textContent).toContain('no fix yet');
    // No link anywhere: the app loads no remote content.
    expect(target.querySelectorAll('a').length).toBe(0);
    done();
  });
});
