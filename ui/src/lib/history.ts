// The History view's and the Overview trend's pure logic over the tray's saved scans (newest
// first, as `list_history` returns them): the chart's series, the "since" choices and the trend.

import type { Category, CategoryScore, ScanSummary } from './model';

/** A choice of the "Changes since" menu: a saved scan to compare the newest with. */
export type SinceChoice = { id: number; label: string; at: string };

/** The overall and per-category score of the newest scan against an older one. */
export type Trend = { delta: number; since: string; before: number; after: number; label: string };

const HOUR = 3600_000;

/** Saved scans that reached their engine (one that did not knows no containers: its engine checks
 * are unknown, so it is no baseline — the engine's and `zerodock diff`'s rule). */
export function reached(scans: ScanSummary[]): ScanSummary[] {
  return scans.filter((s) => s.reached_engine);
}

/** The newest scan at least `hours` older than `now` that reached its engine, if any. */
export function scanBefore(scans: ScanSummary[], now: Date, hours: number): ScanSummary | null {
  const cutoff = now.getTime() - hours * HOUR;
  return reached(scans).find((s) => new Date(s.scanned_at).getTime() <= cutoff) ?? null;
}

/** The score change of `current` against the last scan a day old ("+4 since yesterday"), else
 * against the oldest saved scan ("+4 since 3 Dec"); `null` without a score on both sides. */
export function trend(scans: ScanSummary[], current: { score: number | null; generated_at: string }): Trend | null {
  if (current.score == null) return null;
  const now = new Date(current.generated_at);
  const day = scanBefore(scans, now, 24);
  const base = day ?? reached(scans).filter((s) => s.scanned_at < current.generated_at).at(-1) ?? null;
  if (!base || base.score == null) return null;
  const label = day && now.getTime() - new Date(day.scanned_at).getTime() < 48 * HOUR ? 'since yesterday' : `since ${shortDate(base.scanned_at)}`;
  return { delta: current.score - base.score, since: base.scanned_at, before: base.score, after: current.score, label };
}

/** "3 Dec" (or "3 Dec 2025" in another year), in the user's locale. */
export function shortDate(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const year = d.getFullYear() !== now.getFullYear() ? 'numeric' : undefined;
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year });
}

/** "+4", "−3", "±0". */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0';
}

/** The choices of "Changes since": the previous scan, yesterday, a week ago (when saved scans
 * that old exist), then every older scan by date. The newest scan is what is compared. */
export function sinceChoices(scans: ScanSummary[]): SinceChoice[] {
  const usable = reached(scans);
  if (usable.length < 2) return [];
  const newest = usable[0];
  const now = new Date(newest.scanned_at);
  const out: SinceChoice[] = [{ id: usable[1].id, label: 'the previous scan', at: usable[1].scanned_at }];
  for (const [hours, label] of [[24, 'yesterday'], [24 * 7, 'a week ago']] as const) {
    const s = scanBefore(usable, now, hours);
    if (s && !out.some((c) => c.id === s.id)) out.push({ id: s.id, label, at: s.scanned_at });
  }
  for (const s of usable.slice(1)) {
    if (!out.some((c) => c.id === s.id)) out.push({ id: s.id, label: new Date(s.scanned_at).toLocaleString(), at: s.scanned_at });
  }
  return out;
}

/** uPlot's aligned data: x (unix seconds, oldest first), the overall score, then each of
 * `categories`' scores (`null` where a scan had none: a gap, not a zero). */
export function series(scans: ScanSummary[], categories: Category[]): (number | null)[][] {
  const ordered = [...scans].reverse();
  const xs = ordered.map((s) => Math.floor(new Date(s.scanned_at).getTime() / 1000));
  const overall = ordered.map((s) => (s.reached_engine ? s.score : null));
  const per = categories.map((c) => ordered.map((s) => (s.categories ?? []).find((p) => p.category === c)?.score ?? null));
  return [xs, overall, ...per];
}

/** The categories to draw, in checklist order, with their titles (from the current report). */
export function chartCategories(categories: CategoryScore[]): { category: Category; title: string }[] {
  return categories.map((c) => ({ category: c.category, title: c.title }));
}
