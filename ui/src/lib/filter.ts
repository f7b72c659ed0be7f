// Checklist filtering, search and grouping. Pure functions over the report so they are unit-tested
// without a DOM; the statuses and severities themselves come from the engine.

import type { CategoryScore, CheckResult, Finding, Report, Status, Severity, TargetKind } from './model';
import { CATEGORY_ORDER, KIND_ORDER, severityRank, statusRank } from './format';

/** `failing` means fail or warn (what a user has to act on). */
export type StatusFilter = Status | 'all' | 'failing';

/** What the checklist shows. */
export type Filters = {
  status: StatusFilter;
  severity: Severity | 'all';
  kind: TargetKind | 'all';
  /** An object's name (container, image, network…), exact; '' for all. */
  object: string;
  /** Free text over code, slug, title and target names. */
  query: string;
};

/** Nothing filtered. */
export const NO_FILTERS: Filters = { status: 'all', severity: 'all', kind: 'all', object: '', query: '' };

/** Whether any filter is set. */
export const isFiltered = (f: Filters): boolean =>
  f.status !== 'all' || f.severity !== 'all' || f.kind !== 'all' || f.object !== '' || f.query.trim() !== '';

/** Per check, its findings by object name and by kind, built on first use: a giant host's check
 * has a finding per container, and the checklist asks for the object in scope of every check on
 * every render and in every sort comparison — filtering each time took seconds at 10 000
 * containers. Reports are immutable (a new scan is a new object), so the index never goes stale. */
const scopeIndex = new WeakMap<CheckResult, { byName?: Map<string, Finding[]>; byKind: Map<string, Finding[]> }>();

function indexOf(check: CheckResult) {
  let idx = scopeIndex.get(check);
  if (!idx) scopeIndex.set(check, (idx = { byKind: new Map() }));
  return idx;
}

/** Findings of `check` about the object the filters name (all findings when none is named). */
export function findingsInScope(check: CheckResult, f: Pick<Filters, 'kind' | 'object'>): Finding[] {
  if (f.kind === 'all' && f.object === '') return check.findings;
  const idx = indexOf(check);
  if (f.object !== '') {
    if (!idx.byName) {
      idx.byName = new Map();
      for (const x of check.findings) {
        const list = idx.byName.get(x.target.name);
        if (list) list.push(x);
        else idx.byName.set(x.target.name, [x]);
      }
    }
    const named = idx.byName.get(f.object) ?? [];
    return f.kind === 'all' ? named : named.filter((x) => x.target.kind === f.kind);
  }
  let ofKind = idx.byKind.get(f.kind);
  if (!ofKind) idx.byKind.set(f.kind, (ofKind = check.findings.filter((x) => x.target.kind === f.kind)));
  return ofKind;
}

const RANK: Record<Status, number> = { not_applicable: 0, info: 1, pass: 2, manual: 3, unknown: 4, warn: 5, fail: 6 };

/** The worst status among findings — the engine's aggregation rule, applied to the object in
 * scope (a waived failure counts as a pass, as in the engine). */
export function worstStatus(findings: Finding[]): Status {
  let worst: Status = 'not_applicable';
  for (const f of findings) {
    const s: Status = f.waived && (f.status === 'fail' || f.status === 'warn') ? 'pass' : f.status;
    if (RANK[s] > RANK[worst]) worst = s;
  }
  return worst;
}

/** The status a row shows: the check's, or the named object's when an object filter is set. */
export function scopedStatus(check: CheckResult, f: Pick<Filters, 'kind' | 'object'>): Status {
  if (f.kind === 'all' && f.object === '') return check.status;
  return worstStatus(findingsInScope(check, f));
}

function matchesStatus(s: Status, want: StatusFilter): boolean {
  if (want === 'all') return true;
  if (want === 'failing') return s === 'fail' || s === 'warn';
  return s === want;
}

/** Lower-cased words of a query; every word must match somewhere. */
function words(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

const haystacks = new WeakMap<CheckResult, string>();

/** What the free-text search looks in, once per check (ten thousand target names on a giant host). */
function haystack(check: CheckResult): string {
  let h = haystacks.get(check);
  if (h === undefined) {
    const targets = check.findings.map((x) => `${x.target.name} ${x.target.id ?? ''}`).join(' ');
    h = `${check.id} ${check.slug} ${check.title} ${targets}`.toLowerCase();
    haystacks.set(check, h);
  }
  return h;
}

/** Whether `check` passes the filters. */
export function matches(check: CheckResult, f: Filters): boolean {
  if (f.severity !== 'all' && check.severity !== f.severity) return false;
  const scoped = f.kind !== 'all' || f.object !== '';
  if (scoped && findingsInScope(check, f).length === 0) return false;
  if (!matchesStatus(scopedStatus(check, f), f.status)) return false;
  const q = words(f.query);
  if (q.length) {
    const h = haystack(check);
    if (!q.every((w) => h.includes(w))) return false;
  }
  return true;
}

/** Sort within a category: failures first, then by severity, then by code. */
export function compareChecks(a: CheckResult, b: CheckResult, f: Filters = NO_FILTERS): number {
  return (
    statusRank(scopedStatus(a, f)) - statusRank(scopedStatus(b, f)) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    a.id.localeCompare(b.id)
  );
}

/** A category heading with its checks. */
export type Group = { category: CategoryScore['category']; title: string; score: CategoryScore | null; checks: CheckResult[] };

/** The filtered checks grouped by category in checklist order; empty groups are left out. */
export function groupChecks(report: Report, f: Filters): Group[] {
  const byCat = new Map<string, CheckResult[]>();
  for (const c of report.checks) {
    if (!matches(c, f)) continue;
    const list = byCat.get(c.category) ?? [];
    list.push(c);
    byCat.set(c.category, list);
  }
  const order = [...CATEGORY_ORDER, ...report.categories.map((c) => c.category)];
  const seen = new Set<string>();
  const groups: Group[] = [];
  for (const cat of order) {
    if (seen.has(cat)) continue;
    seen.add(cat);
    const checks = byCat.get(cat);
    if (!checks?.length) continue;
    const score = report.categories.find((c) => c.category === cat) ?? null;
    groups.push({ category: cat, title: score?.title ?? cat, score, checks: checks.sort((a, b) => compareChecks(a, b, f)) });
  }
  return groups;
}

/** One collator for sorting names: `localeCompare` sets one up per call, which dominated sorting
 * the ten thousand objects of a giant host. Same order as `localeCompare`. */
export const byName = new Intl.Collator().compare;

/** The objects named by findings, by kind then name, for the object filter. */
export function objectsOf(report: Report, kind: TargetKind | 'all' = 'all'): { kind: TargetKind; name: string }[] {
  // Names per kind: a giant host's report has a million findings about ten thousand objects.
  const byKind = new Map<TargetKind, Set<string>>();
  for (const c of report.checks) {
    for (const x of c.findings) {
      if (kind !== 'all' && x.target.kind !== kind) continue;
      let names = byKind.get(x.target.kind);
      if (!names) byKind.set(x.target.kind, (names = new Set()));
      names.add(x.target.name);
    }
  }
  const kinds = [...byKind.keys()].sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
  return kinds.flatMap((k) => [...(byKind.get(k) ?? [])].sort(byName).map((name) => ({ kind: k, name })));
}

/** Object kinds present in the report. */
export function kindsOf(report: Report): TargetKind[] {
  const present = new Set<TargetKind>();
  for (const c of report.checks) for (const x of c.findings) present.add(x.target.kind);
  return KIND_ORDER.filter((k) => present.has(k));
}
