/** The pair and rate logic of `npm run bench:aa` (bench/aa-lib.ts), on synthetic runs. */
import { describe, expect, it } from 'vitest';
import { aaPairs, disjointPairs, parseInjectList, scaleThresholds, renderAaMarkdown, summarizeAa, summarizeInjection } from '../../../bench/aa-lib.ts';
import { compareRuns } from '../../../src/compare/compare.ts';
import { resolveThresholds } from '../../../src/compare/thresholds.ts';
import { buildRunDocument, DEFAULT_FIXTURE_TARGETS, FIXTURE_THRESHOLDS_PERCENT } from '../../helpers/compare-fixtures.ts';

const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);

describe('aaPairs', () => {
  it('every pair once, baseline first: n(n − 1)/2', () => {
    expect(aaPairs(2)).toEqual([[0, 1]]);
    expect(aaPairs(4)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(aaPairs(7)).toHaveLength(21);
    expect(aaPairs(1)).toEqual([]);
  });
});

describe('disjointPairs', () => {
  it('the pairs of the other runs only: 5 runs, hold out (1, 3) → the 3 pairs of runs 0, 2, 4', () => {
    expect(disjointPairs(5, 1, 3)).toEqual([
      [0, 2],
      [0, 4],
      [2, 4],
    ]);
  });
  it('7 runs → 10 pairs to fit on for every held-out pair, none touching it', () => {
    for (const [i, j] of aaPairs(7)) {
      const fit = disjointPairs(7, i, j);
      expect(fit).toHaveLength(10);
      expect(fit.flat()).not.toContain(i);
      expect(fit.flat()).not.toContain(j);
    }
  });
  it('3 runs leave nothing to fit on', () => {
    expect(disjointPairs(3, 0, 1)).toEqual([]);
  });
});

describe('scaleThresholds', () => {
  it('times the margin, rounded up; 0 stays 0', () => {
    expect(scaleThresholds({ p50: 90, p99: 79, imageSize: 0, throughput: 2 }, 1.25)).toEqual({ p50: 113, p99: 99, imageSize: 0, throughput: 3 });
    expect(scaleThresholds({ p50: 90 }, 1)).toEqual({ p50: 90 });
  });
});

describe('summarizeAa', () => {
  const runs = [1, 2, 3, 4].map((seed) => buildRunDocument({ seed, repetitions: 5 }));
  const comparisons = aaPairs(runs.length).map(([i, j]) => compareRuns(runs[i]!, runs[j]!, { thresholdsPercent }));

  it('same distribution: 0 false alarms in 6 comparisons, every metric tallied in each', () => {
    const s = summarizeAa(comparisons);
    expect(s).toMatchObject({ comparisons: 6, falseAlarms: 0, incomplete: 0, falseAlarmRate: 0 });
    // 2 targets × 19 metrics (max and its non-2xx share, 2 rates × 7: achieved, 2xx, failure rate, saturated, p50, p95, p99; memory, cold start, image)
    expect(s.metrics).toHaveLength(38);
    expect(s.metrics.every((t) => t.judged === 6)).toBe(true);
    const p99 = s.metrics.find((t) => t.key === 'fastapi/1-worker p99 @ 200 rps')!;
    const seen = comparisons.map((c) => Math.abs(c.groups[0]!.metrics.find((m) => m.id === 'rate-200rps/p99Us')!.changePercent!));
    expect(p99.maxAbsChangePercent).toBe(Math.max(...seen));
  });

  it('suggests per kind the largest A/A change, rounded up; image size (identical) 0 %', () => {
    const s = summarizeAa(comparisons);
    const p50s = s.metrics.filter((t) => t.family === 'p50').map((t) => t.maxAbsChangePercent!);
    expect(s.suggestedThresholdsPercent.p50).toBe(Math.ceil(Math.max(...p50s)));
    expect(s.suggestedThresholdsPercent.imageSize).toBe(0);
  });

  it('a regressing pair counts once per comparison; incomplete ones are left out of the rate', () => {
    const slow = buildRunDocument({ seed: 9, repetitions: 5, latencyFactor: 1.5 });
    const bad = compareRuns(runs[0]!, slow, { thresholdsPercent });
    const interrupted = compareRuns(runs[0]!, { ...runs[1]!, status: 'interrupted' }, { thresholdsPercent });
    const s = summarizeAa([...comparisons, bad, interrupted]);
    expect(s).toMatchObject({ comparisons: 8, falseAlarms: 1, incomplete: 1 });
    expect(s.falseAlarmRate).toBeCloseTo(1 / 7, 12);
    expect(s.metrics.find((t) => t.key === 'go-chi/default p50 @ 200 rps')!.regressed).toBe(1);
  });
});

describe('summarizeInjection', () => {
  it('counts a comparison as caught only when the injected target regressed', () => {
    const bases = [1, 2, 3].map((seed) => buildRunDocument({ seed, repetitions: 5 }));
    // +30 % latency in go-chi only
    const targets = DEFAULT_FIXTURE_TARGETS.map((t) => (t.name === 'go-chi' ? { ...t, p50Us: t.p50Us * 1.3 } : t));
    const cand = buildRunDocument({ seed: 20, repetitions: 5, targets });
    const cs = bases.map((b) => compareRuns(b, cand, { thresholdsPercent }));
    const inj = summarizeInjection(40, 'go-chi', cs);
    expect(inj).toMatchObject({ extraWorkUs: 40, target: 'go-chi', comparisons: 3, caught: 3, incomplete: 0 });
    expect(inj.regressedByMetric['go-chi/default p50 @ 200 rps']).toBe(3);
    expect(inj.medianChangePercent['go-chi/default p50 @ 200 rps']).toBeGreaterThan(20);
    // the same comparisons seen from the other target: nothing caught
    expect(summarizeInjection(40, 'fastapi', cs).caught).toBe(0);
    const md = renderAaMarkdown(summarizeAa([]), [inj], { scenario: 'scenarios/ci.yaml', runs: 3, machine: 'Fixture' });
    expect(md).toContain('### Injected: EXTRA_WORK_US=40 in go-chi');
    expect(md).toContain('Caught in **3 of 3** comparisons.');
  });
});

describe('parseInjectList', () => {
  it('whole microseconds, order kept, duplicates dropped', () => {
    expect(parseInjectList('25, 50,100,50')).toEqual([25, 50, 100]);
    expect(parseInjectList('')).toEqual([]);
    expect(() => parseInjectList('10,-1')).toThrow(/"-1"/);
    expect(() => parseInjectList('2.5')).toThrow(/whole number/);
    expect(parseInjectList('1000000')).toEqual([1_000_000]);
    expect(() => parseInjectList('1000001')).toThrow(/from 0 to 1000000/);
  });
});

describe('summarizeInjection: only load metrics count as caught', () => {
  it('a cold-start regression alone is not the injection caught', () => {
    const base = buildRunDocument({ seed: 1, repetitions: 5 });
    const targets = DEFAULT_FIXTURE_TARGETS.map((t) => (t.name === 'go-chi' ? { ...t, coldStartMs: t.coldStartMs * 2 } : t));
    const c = compareRuns(base, buildRunDocument({ seed: 2, repetitions: 5, targets }), { thresholdsPercent });
    expect(c.groups[1]!.metrics.find((m) => m.id === 'coldStartMs')!.verdict).toBe('regressed');
    const inj = summarizeInjection(10, 'go-chi', [c]);
    expect(inj.caught).toBe(0);
    expect(inj.regressedByMetric['go-chi/default cold start']).toBe(1);
  });
});
