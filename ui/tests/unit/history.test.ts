// The History view's and the Overview trend's logic over saved scans built from REAL engine
// reports (the weak and the hardened fixture): the trend, the "since" choices, the chart series.

import { describe, expect, test } from 'vitest';
import { ensureReport } from '../fixtures.mjs';
import type { Report, ScanSummary } from '../../src/lib/model';
import { scanBefore, series, signed, sinceChoices, trend } from '../../src/lib/history';

const weak = ensureReport('default') as Report;
const hardened = ensureReport('hardened') as Report;
const NOW = new Date('2026-12-07T12:00:00Z');
const DAY = 86_400_000;

function saved(id: number, r: Report, daysAgo: number, reached = true): ScanSummary {
  return {
    id,
    scanned_at: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
    engine: r.subject.endpoint.host,
    reached_engine: reached,
    score: r.score,
    grade: r.grade,
    counts: r.counts,
    categories: r.categories.map((c) => ({ category: c.category, score: c.score, grade: c.grade })),
  };
}

const now = { score: hardened.score, generated_at: NOW.toISOString() };

describe('trend', () => {
  test('against the last scan a day old: "since yesterday" within two days', () => {
    const scans = [saved(3, hardened, 0), saved(2, weak, 1.5), saved(1, weak, 10)];
    const t = trend(scans, now);
    expect(t).toMatchObject({ delta: hardened.score! - weak.score!, before: weak.score, label: 'since yesterday' });
    expect(signed(t!.delta)).toBe(`+${hardened.score! - weak.score!}`);
  });

  test('older baselines are named by date; unreachable scans are no baseline', () => {
    const scans = [saved(3, hardened, 0), saved(2, hardened, 0.5, false), saved(1, weak, 5)];
    const t = trend(scans, now);
    expect(t?.label).toMatch(/^since /);
    expect(t?.label).not.toBe('since yesterday');
    expect(t?.before).toBe(weak.score);
    expect(scanBefore([saved(2, weak, 2, false)], NOW, 24)).toBeNull();
  });

  test('no older scan: the oldest saved one; nothing saved: no trend', () => {
    expect(trend([saved(2, hardened, 0), saved(1, weak, 0.2)], now)?.before).toBe(weak.score);
    expect(trend([], now)).toBeNull();
    expect(trend([saved(1, weak, 3)], { score: null, generated_at: NOW.toISOString() })).toBeNull();
    expect([signed(-3), signed(0)]).toEqual(['−3', '±0']);
  });
});

describe('since choices', () => {
  test('the previous scan, yesterday and a week ago, each once, then every older scan', () => {
    const scans = [saved(5, hardened, 0), saved(4, hardened, 0.2), saved(3, weak, 2), saved(2, weak, 8, false), saved(1, weak, 9)];
    const choices = sinceChoices(scans);
    expect(choices.map((c) => [c.id, c.label])).toEqual([
      [4, 'the previous scan'],
      [3, 'yesterday'],
      [1, 'a week ago'],
    ]);
    expect(sinceChoices([saved(1, weak, 0)])).toEqual([]);
  });
});

describe('series', () => {
  test('oldest first in unix seconds; gaps, not zeros, where a scan has no score', () => {
    const scans = [saved(3, hardened, 0), saved(2, weak, 1, false), { ...saved(1, weak, 2), categories: undefined }];
    const [xs, overall, host] = series(scans, ['host']);
    expect(xs).toEqual([...xs].sort((a, b) => a! - b!));
    expect(xs[2]).toBe(Math.floor(NOW.getTime() / 1000));
    expect(overall).toEqual([weak.score, null, hardened.score]);
    expect(host).toEqual([null, weak.categories.find((c) => c.category === 'host')!.score, hardened.categories.find((c) => c.category === 'host')!.score]);
  });
});
