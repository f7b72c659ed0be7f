// Unit tests of the UI's pure logic (filters, search, diff, Markdown, formatting, insights) over
// REAL engine reports generated from the captured snapshot fixtures.

import { describe, expect, test } from 'vitest';
import { ensureReport } from '../fixtures.mjs';
import type { Report } from '../../src/lib/model';
import { groupChecks, matches, NO_FILTERS, objectsOf, scopedStatus, worstStatus, kindsOf } from '../../src/lib/filter';
import { diffStats, lineDiff } from '../../src/lib/diff';
import { blocks, inlines } from '../../src/lib/markdown';
import { inlineCode, progressFraction, relativeTime } from '../../src/lib/format';
import { identity, topRisks } from '../../src/lib/insights';

const weak = ensureReport('default') as Report;
const hardened = ensureReport('hardened') as Report;

describe('filters', () => {
  test('no filter keeps every check, grouped in checklist order', () => {
    const groups = groupChecks(weak, NO_FILTERS);
    expect(groups.flatMap((g) => g.checks).length).toBe(weak.checks.length);
    const cats = groups.map((g) => g.category);
    expect(cats.indexOf('host')).toBeLessThan(cats.indexOf('containers'));
    // Failures come first inside a group.
    for (const g of groups) {
      const firstPass = g.checks.findIndex((c) => c.status === 'pass');
      const lastFail = g.checks.map((c) => c.status).lastIndexOf('fail');
      if (firstPass >= 0 && lastFail >= 0) expect(lastFail).toBeLessThan(firstPass);
    }
  });

  test('status "failing" is fail + warn, severity narrows', () => {
    const f = { ...NO_FILTERS, status: 'failing' as const };
    const got = weak.checks.filter((c) => matches(c, f)).map((c) => c.id);
    expect(got).toEqual(weak.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.id));
    const crit = weak.checks.filter((c) => matches(c, { ...f, severity: 'critical' }));
    expect(crit.length).toBeGreaterThan(0);
    expect(crit.every((c) => c.severity === 'critical')).toBe(true);
  });

  test('object filter scopes the status to that object', () => {
    const f = { ...NO_FILTERS, kind: 'container' as const, object: 'zd-privileged' };
    const ctr001 = weak.checks.find((c) => c.id === 'CTR001')!;
    expect(scopedStatus(ctr001, f)).toBe('fail');
    // A check failing elsewhere but passing on this container reads "pass" in scope.
    const other = weak.checks.find((c) => c.status === 'fail' && c.findings.some((x) => x.target.name === 'zd-privileged' && x.status === 'pass'));
    if (other) expect(scopedStatus(other, f)).toBe('pass');
    const failingHere = weak.checks.filter((c) => matches(c, { ...f, status: 'fail' }));
    expect(failingHere.map((c) => c.id)).toContain('CTR001');
    expect(failingHere.every((c) => c.findings.some((x) => x.target.name === 'zd-privileged' && x.status === 'fail'))).toBe(true);
  });

  test('a waived failure counts as a pass, as in the engine', () => {
    expect(
      worstStatus([
        { target: { kind: 'container', name: 'a' }, status: 'fail', message: '', waived: { reason: 'ok' } },
        { target: { kind: 'container', name: 'b' }, status: 'pass', message: '' },
      ]),
    ).toBe('pass');
  });

  test('search needs every word somewhere in code, slug, title or target names', () => {
    const hit = (q: string) => weak.checks.filter((c) => matches(c, { ...NO_FILTERS, query: q })).map((c) => c.id);
    expect(hit('ctr001')).toEqual(['CTR001']);
    expect(hit('privileged-container')).toContain('CTR001');
    expect(hit('socket')).toContain('CTR003');
    expect(hit('zd-privileged privileged')).toContain('CTR001');
    expect(hit('nothing-matches-this')).toEqual([]);
  });

  test('objects and kinds come from the findings', () => {
    expect(kindsOf(weak)).toContain('container');
    const containers = objectsOf(weak, 'container').map((o) => o.name);
    expect(containers).toContain('zd-privileged');
    expect(new Set(containers).size).toBe(containers.length);
  });
});

describe('line diff', () => {
  test('keeps common lines and marks changes', () => {
    const d = lineDiff('{\n  "icc": true,\n  "debug": false\n}\n', '{\n  "icc": false,\n  "debug": false,\n  "live-restore": true\n}\n');
    expect(d.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(['{', '  "icc": true,', '  "debug": false', '}']);
    expect(d.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(['{', '  "icc": false,', '  "debug": false,', '  "live-restore": true', '}']);
    expect(diffStats(d)).toEqual({ added: 3, removed: 2 });
  });
  test('from nothing everything is added', () => {
    expect(lineDiff('', 'a\nb')).toEqual([
      { op: '+', text: 'a' },
      { op: '+', text: 'b' },
    ]);
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === ' ')).toBe(true);
  });
  test('the real plan, when present, diffs back to its proposed file', () => {
    const plan = weak.daemon_json_plan;
    if (!plan) throw new Error('the weak scenario proposes daemon.json changes');
    const d = lineDiff(plan.current ?? '', plan.proposed);
    expect(d.filter((l) => l.op !== '-').map((l) => l.text).join('\n')).toBe(plan.proposed.replace(/\n$/, ''));
  });
});

describe('markdown', () => {
  test('inline code, emphasis, links; soft breaks join', () => {
    const b = blocks('Set `"icc": false` in\n*daemon.json*, see <https://docs.docker.com/x>.\n\n- one\n- two `x`');
    expect(b[0].t).toBe('p');
    if (b[0].t === 'p') {
      expect(b[0].inlines).toEqual([
        { t: 'text', text: 'Set ' },
        { t: 'code', text: '"icc": false' },
        { t: 'text', text: ' in ' },
        { t: 'em', text: 'daemon.json' },
        { t: 'text', text: ', see ' },
        { t: 'link', text: 'https://docs.docker.com/x', href: 'https://docs.docker.com/x' },
        { t: 'text', text: '.' },
      ]);
    }
    expect(b[1]).toEqual({ t: 'ul', items: [[{ t: 'text', text: 'one' }], [{ t: 'text', text: 'two ' }, { t: 'code', text: 'x' }]] });
  });
  test('markup stays text', () => {
    expect(inlines('<img src=x onerror=alert(1)>')).toEqual([{ t: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });
  test('every real rationale parses to at least one paragraph', () => {
    for (const c of weak.checks) if (c.rationale) expect(blocks(c.rationale).length).toBeGreaterThan(0);
  });
});

describe('format and insights', () => {
  test('relative time', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(relativeTime('2026-01-01T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(relativeTime('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2025-12-31T10:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('not a date', now)).toBe('unknown time');
  });
  test('backticks become code, unbalanced ones stay', () => {
    expect(inlineCode('Container `db` runs')).toEqual([
      { code: false, text: 'Container ' },
      { code: true, text: 'db' },
      { code: false, text: ' runs' },
    ]);
    expect(inlineCode('a `b')).toEqual([{ code: false, text: 'a `b' }]);
  });
  test('progress grows through the stages', () => {
    const a = progressFraction('containers', 1, 10);
    const b = progressFraction('containers', 9, 10);
    const c = progressFraction('evaluating', 0, 0);
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(progressFraction('evaluating', 1, 1)).toBe(1);
  });
  test('top risks put critical failures first with what fixing gains', () => {
    const risks = topRisks(weak, 100);
    expect(risks[0].check.severity).toBe('critical');
    for (const r of risks) expect(['fail', 'warn']).toContain(r.check.status);
    const hard = topRisks(hardened, 100);
    expect(hard.length).toBeLessThan(risks.length);
  });
  test("top risks are the engine's risks in the engine's order, not re-sorted", () => {
    const acting = (weak.risks ?? []).filter((r) => r.status === 'fail' || r.status === 'warn');
    expect(acting.length).toBeGreaterThan(8);
    const risks = topRisks(weak, 100);
    expect(risks.map((r) => r.check.id)).toEqual(acting.map((r) => r.check));
    expect(risks.map((r) => [r.failing, r.gain])).toEqual(acting.map((r) => [r.failing, r.gain ?? null]));
    expect(topRisks(weak).map((r) => r.check.id)).toEqual(acting.slice(0, 8).map((r) => r.check));
    expect(topRisks({ ...weak, risks: undefined })).toEqual([]);
  });
  test('a risk that gains nothing alone carries what fixing all of its severity gives', () => {
    const risks = topRisks(weak, 100);
    for (const r of risks) {
      if (r.gain !== 0) expect(r.together).toBeNull();
    }
    const ctr001 = risks.find((r) => r.check.id === 'CTR001')!;
    expect(ctr001.gain).toBe(0);
    expect(ctr001.together).toMatchObject({ severity: 'critical', score: weak.score_if_fixed_by_severity!.critical, cap: null });
    expect(ctr001.together!.gain).toBeGreaterThan(0);
    // Older reports without the field show no line rather than a wrong one.
    expect(topRisks({ ...weak, score_if_fixed_by_severity: undefined }).every((r) => r.together === null)).toBe(true);
  });
  test("identity reads the engine's facts by aspect", () => {
    const facts = identity(weak);
    const fact = (aspect: string) => weak.identity!.find((f) => f.aspect === aspect)!;
    const eng = facts.find((f) => f.label === 'Docker Engine')!;
    expect(eng.value).toContain(weak.subject.engine!.version);
    expect(eng.status).toBe(fact('engine_version').status);
    expect(eng.code).toBe(fact('engine_version').check);
    expect(eng.status).toBe(weak.checks.find((c) => c.id === eng.code)!.findings[0].status);
    for (const [label, aspect] of [['Data-root encryption', 'data_root_encryption'], ['Disk encryption', 'disk_encryption'], ['User privileges', 'user_privileges']]) {
      const f = facts.find((x) => x.label === label)!;
      expect([f.status, f.code, f.detail]).toEqual([fact(aspect).status, fact(aspect).check, fact(aspect).summary]);
    }
    const none = identity({ ...weak, identity: undefined });
    expect(none.find((f) => f.label === 'Disk encryption')).toMatchObject({ value: 'Not checked', status: null, code: null });
  });
});
