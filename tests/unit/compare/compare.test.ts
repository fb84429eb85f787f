import { describe, expect, it } from 'vitest';
import { compareRuns, gateOutcome, judge, median, GENERATOR_BOUND_NOTE, type MetricComparison } from '../../../src/compare/compare.ts';
import { resolveThresholds } from '../../../src/compare/thresholds.ts';
import { ConfigError } from '../../../src/errors.ts';
import { buildRunDocument, FIXTURE_THRESHOLDS_PERCENT } from '../../helpers/compare-fixtures.ts';

const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);
const ctx = { thresholds: thresholdsPercent, alpha: 0.05 };
const latency = (baseline: number[], candidate: number[]) =>
  judge(ctx, {
    id: 'x/p99Us', label: 'p99', family: 'p99', unit: 'us', direction: 'lower-is-better', offeredRps: 200, latency: 'corrected',
    baseline, candidate, notComparable: null,
  });
const throughput = (baseline: number[], candidate: number[]) =>
  judge(ctx, {
    id: 'maxThroughputRps', label: 'max', family: 'throughput', unit: 'rps', direction: 'higher-is-better', offeredRps: null, latency: null,
    baseline, candidate, notComparable: null,
  });

describe('judge: the decision rule', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('5 vs 5, separated and +20 %: Mann–Whitney regression with exact p = 2/252', () => {
    const m = latency([100, 101, 102, 103, 104], [120, 121, 122, 123, 124]);
    expect(m).toMatchObject({ method: 'mann-whitney', verdict: 'regressed' });
    expect(m.changePercent).toBeCloseTo(((122 - 102) / 102) * 100, 10);
    expect(m.pValue).toBeCloseTo(2 / 252, 12);
  });

  it('significant but inside the threshold is unchanged', () => {
    const m = latency([100, 101, 102, 103, 104], [105, 106, 107, 108, 109]);
    expect(m).toMatchObject({ method: 'mann-whitney', verdict: 'unchanged' });
    expect(m.pValue!).toBeLessThan(0.05);
  });

  it('beyond threshold and spread but not significant is unchanged, with a note', () => {
    // spreads 13/102 and 10/118 → noise 12.7 %; change +15.7 % clears 15 % and 12.7 %; U = 4 → p = 24/252
    const m = latency([100, 101, 102, 112, 113], [110, 111, 118, 119, 120]);
    expect(m.changePercent).toBeCloseTo((16 / 102) * 100, 10);
    expect(m.noisePercent).toBeCloseTo((13 / 102) * 100, 10);
    expect(m.pValue).toBeCloseTo(24 / 252, 12);
    expect(m).toMatchObject({ method: 'mann-whitney', verdict: 'unchanged' });
    expect(m.notes.join()).toMatch(/p = 0\.0\d+ ≥ α = 0\.05: within the noise/);
  });

  it('a change smaller than the spread of the repetitions is never a regression, however significant', () => {
    // baseline 100..130 (spread 30/115 = 26.1 %), candidate 140..170: +26.1 % = the spread exactly, p = 2/252
    const m = latency([100, 105, 115, 120, 130], [140, 141, 145, 150, 170]);
    expect(m.changePercent).toBeCloseTo(((145 - 115) / 115) * 100, 10);
    expect(m.noisePercent).toBeCloseTo((30 / 115) * 100, 10);
    expect(m.pValue).toBeCloseTo(2 / 252, 12);
    expect(m.verdict).not.toBe('regressed');
    expect(m.notes.join()).toMatch(/less than the repetitions' spread \(26\.1 %\): within the noise/);
  });

  it('noise wider than the threshold: too noisy, with the smallest detectable change', () => {
    // p99 threshold 15 %; baseline 100..140 (median 120, spread 33.3 %), candidate +10 %
    const m = latency([100, 110, 120, 130, 140], [110, 121, 132, 143, 154]);
    expect(m.noisePercent).toBeCloseTo((44 / 132) * 100, 10);
    expect(m).toMatchObject({ verdict: 'too-noisy', method: 'mann-whitney', thresholdPercent: 15, detectablePercent: 34 });
    expect(m.notes).toContain('too noisy for the 15 % threshold: smallest detectable change ±34 %');
    // the same noise with a change that clears it is still judged
    const big = latency([100, 110, 120, 130, 140], [200, 210, 220, 230, 240]);
    expect(big).toMatchObject({ verdict: 'regressed', detectablePercent: 34 });
    expect(big.notes.join()).toMatch(/above the threshold, but the change clears it/);
  });

  it('3 vs 3 with overlapping ranges: unchanged even beyond threshold and spread', () => {
    // medians 101 → 125 (+23.8 % > 15 %), candidate spread 1.6 %, but the baseline's 125 lies inside the candidate's range
    const overlap = latency([100, 101, 125], [124, 125, 126]);
    expect(overlap.changePercent).toBeCloseTo(((125 - 101) / 101) * 100, 10);
    expect(overlap).toMatchObject({ method: 'threshold-low-confidence', verdict: 'too-noisy', rangesOverlap: true });
    const tight = latency([100, 101, 102], [120, 121, 122]);
    expect(tight).toMatchObject({ method: 'threshold-low-confidence', verdict: 'regressed', rangesOverlap: false });
    // threshold crossed, spread small, but one value each side overlaps: unchanged
    const touching = latency([100, 101, 118], [118, 119, 120]);
    expect(touching.changePercent).toBeCloseTo(((119 - 101) / 101) * 100, 10);
    expect(touching.noisePercent).toBeCloseTo((18 / 101) * 100, 10);
    expect(touching).toMatchObject({ rangesOverlap: true, verdict: 'too-noisy' });
  });

  it('direction: throughput up is an improvement, down a regression', () => {
    expect(throughput([100, 101, 102, 103, 104], [130, 131, 132, 133, 134]).verdict).toBe('improved');
    expect(throughput([100, 101, 102, 103, 104], [70, 71, 72, 73, 74]).verdict).toBe('regressed');
  });

  it('3 vs 3: the U test cannot reach 0.05, so threshold and ranges, flagged low-confidence', () => {
    const m = latency([100, 101, 102], [130, 131, 132]);
    expect(m).toMatchObject({ method: 'threshold-low-confidence', verdict: 'regressed', rangesOverlap: false });
    expect(m.pValue).toBeCloseTo(0.1, 12);
  });

  it('1 vs 1: threshold only, no p-value', () => {
    const m = latency([100], [116]);
    expect(m).toMatchObject({ method: 'threshold-only', verdict: 'regressed', pValue: null });
    expect(latency([100], [114]).verdict).toBe('unchanged');
  });

  it('not comparable is always unchanged', () => {
    const m = judge(ctx, {
      id: 'x', label: 'x', family: 'p99', unit: 'us', direction: 'lower-is-better', offeredRps: 200, latency: 'corrected',
      baseline: [1, 1, 1, 1], candidate: [9, 9, 9, 9], notComparable: GENERATOR_BOUND_NOTE,
    });
    expect(m).toMatchObject({ method: 'not-comparable', verdict: 'unchanged' });
    expect(m.notes[0]).toBe(GENERATOR_BOUND_NOTE);
  });

  it('identical image sizes on both sides (all ties) are unchanged with p = 1', () => {
    const m = judge(ctx, {
      id: 'imageSizeBytes', label: 'image', family: 'imageSize', unit: 'bytes', direction: 'lower-is-better', offeredRps: null, latency: null,
      baseline: [5, 5, 5, 5], candidate: [5, 5, 5, 5], notComparable: null,
    });
    expect(m).toMatchObject({ verdict: 'unchanged', pValue: 1, changePercent: 0 });
  });
});

function byId(metrics: MetricComparison[], id: string): MetricComparison {
  const m = metrics.find((x) => x.id === id);
  if (!m) throw new Error(`no metric ${id}`);
  return m;
}

describe('compareRuns', () => {
  it('a 30 % slower candidate regresses throughput and latency at every step', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 5 });
    const b = buildRunDocument({ seed: 2, repetitions: 5, throughputFactor: 0.7, latencyFactor: 1.3 });
    const c = compareRuns(a, b, { thresholdsPercent });
    expect(c.hasRegression).toBe(true);
    expect(c.groups.map((g) => `${g.target}/${g.configuration}`)).toEqual(['fastapi/1-worker', 'go-chi/default']);
    for (const g of c.groups) {
      expect(byId(g.metrics, 'maxThroughputRps')).toMatchObject({ verdict: 'regressed', method: 'mann-whitney' });
      for (const rate of [200, 500]) {
        for (const p of ['p50', 'p95', 'p99']) expect(byId(g.metrics, `rate-${rate}rps/${p}Us`).verdict).toBe('regressed');
        expect(byId(g.metrics, `rate-${rate}rps/achievedRps`).verdict).toBe('unchanged');
      }
      expect(byId(g.metrics, 'imageSizeBytes').verdict).toBe('unchanged');
    }
  });

  it('five runs of the same distribution never regress against each other (all 10 pairs)', () => {
    const runs = [11, 12, 13, 14, 15].map((seed) => buildRunDocument({ seed, repetitions: 5 }));
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const c = compareRuns(runs[i]!, runs[j]!, { thresholdsPercent });
        // too-noisy is allowed (a warning, never a regression); regressed and improved are not.
        const bad = c.groups.flatMap((g) =>
          g.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'improved').map((m) => `${g.target} ${m.id} ${m.changePercent}`),
        );
        expect(bad, `pair ${i},${j}`).toEqual([]);
        expect(c.hasRegression).toBe(false);
      }
    }
  });

  it('generator-bound steps are unchanged and say why, even when latency tripled', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 5 });
    const b = buildRunDocument({ seed: 2, repetitions: 5, latencyFactor: 3, generatorBoundRates: [500] });
    const c = compareRuns(a, b, { thresholdsPercent });
    const g = c.groups[0]!;
    const p99 = byId(g.metrics, 'rate-500rps/p99Us');
    expect(p99).toMatchObject({ verdict: 'unchanged', method: 'not-comparable' });
    expect(p99.notes).toContain(GENERATOR_BOUND_NOTE);
    expect(byId(g.metrics, 'rate-200rps/p99Us').verdict).toBe('regressed');
  });

  it('single runs fall back to thresholds and warn', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 1 });
    const b = buildRunDocument({ seed: 2, repetitions: 1, latencyFactor: 1.3 });
    const c = compareRuns(a, b, { thresholdsPercent });
    // Failures and saturation are judged against the error budget, whatever the number of runs.
    expect(c.groups[0]!.metrics.every((m) => m.method === 'threshold-only' || m.method === 'failure-gate')).toBe(true);
    expect(c.warnings.join()).toMatch(/threshold and non-overlapping ranges \(low confidence\)/);
    expect(c.hasRegression).toBe(true);
  });

  it('refuses different scenarios unless allowed', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = buildRunDocument({ seed: 2, repetitions: 2, scenarioName: 'other' });
    expect(() => compareRuns(a, b, { thresholdsPercent })).toThrow(ConfigError);
    expect(() => compareRuns(a, b, { thresholdsPercent })).toThrow(/different scenarios/);
    const c = compareRuns(a, b, { thresholdsPercent, allowDifferentScenarios: true });
    expect(c.scenarioMismatch).toMatchObject({ baseline: 'ci', candidate: 'other', differences: [] });
    expect(c.scenarioMismatch!.baselineFingerprint).toBe(c.scenarioMismatch!.candidateFingerprint);
    expect(c.warnings.join()).toMatch(/different scenarios/);
  });

  it('refuses different environments unless allowed, then flags them', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = buildRunDocument({ seed: 2, repetitions: 2, environment: { cpuCount: 16, cpuModel: 'Other CPU' } });
    let error: unknown;
    try {
      compareRuns(a, b, { thresholdsPercent });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['cpuModel: "Fixture CPU @ 3.0GHz" vs "Other CPU"', 'cpuCount: 4 vs 16']);
    const c = compareRuns(a, b, { thresholdsPercent, allowEnvMismatch: true });
    expect(c.environmentDifferences).toHaveLength(2);
  });

  it('url: targets (no image, memory or cold start) compare throughput and latency only', () => {
    const strip = (seed: number) => {
      const d = buildRunDocument({ seed, repetitions: 4 });
      return { ...d, targets: d.targets.map((t) => ({ ...t, image: null, memory: null, coldStartMs: null })) };
    };
    const c = compareRuns(strip(1), strip(2), { thresholdsPercent });
    expect(c.groups[0]!.metrics.map((m) => m.id)).toEqual([
      'maxThroughputRps', 'max/non2xxRate',
      'rate-200rps/achievedRps', 'rate-200rps/served2xxRps', 'rate-200rps/failureRate', 'rate-200rps/saturated', 'rate-200rps/p50Us', 'rate-200rps/p95Us', 'rate-200rps/p99Us',
      'rate-500rps/achievedRps', 'rate-500rps/served2xxRps', 'rate-500rps/failureRate', 'rate-500rps/saturated', 'rate-500rps/p50Us', 'rate-500rps/p95Us', 'rate-500rps/p99Us',
    ]);
  });

  it('a target that failed in the candidate is reported, not silently dropped', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = buildRunDocument({ seed: 2, repetitions: 2 });
    const failed = { ...b, targets: b.targets.map((t) => (t.name === 'go-chi' ? { ...t, status: 'failed' as const, reason: 'never healthy' } : t)) };
    const c = compareRuns(a, failed, { thresholdsPercent });
    const g = c.groups.find((x) => x.target === 'go-chi')!;
    expect(g.metrics).toEqual([]);
    expect(g.notes).toContain('no completed runs in the candidate');
    expect(c.incomplete.join()).toMatch(/go-chi\/default: no completed runs in the candidate/);
    expect(gateOutcome(c)).toBe('incomplete');
  });

  it('uses the given thresholds', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 5 });
    const b = buildRunDocument({ seed: 2, repetitions: 5, latencyFactor: 1.3 });
    const c = compareRuns(a, b, { thresholdsPercent: { ...FIXTURE_THRESHOLDS_PERCENT, p50: 50, p95: 50, p99: 50 } });
    expect(c.hasRegression).toBe(false);
  });
});

describe('compareRuns: the gate fails closed', () => {
  it('a run compared with itself passes, however noisy', () => {
    const a = buildRunDocument({ seed: 7, repetitions: 5, noise: 0.2 });
    const c = compareRuns(a, a, { thresholdsPercent });
    expect(c.counts.regressed + c.counts.improved).toBe(0);
    expect(c.counts.tooNoisy).toBeGreaterThan(0);
    expect(c.incomplete).toEqual([]);
    expect(gateOutcome(c)).toBe('pass');
  });

  it('a candidate or baseline that is not completed makes the comparison incomplete', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const interrupted = { ...a, status: 'interrupted' as const };
    const c = compareRuns(a, interrupted, { thresholdsPercent });
    expect(c.incomplete).toEqual(['candidate run status is "interrupted", not "completed"']);
    expect(gateOutcome(c)).toBe('incomplete');
    const both = compareRuns({ ...a, status: 'failed' }, { ...a, status: 'running' }, { thresholdsPercent });
    expect(both.incomplete).toEqual(['baseline run status is "failed", not "completed"', 'candidate run status is "running", not "completed"']);
  });

  it('incomplete wins over a regression', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 5 });
    const b = buildRunDocument({ seed: 2, repetitions: 5, latencyFactor: 1.5 });
    const c = compareRuns(a, { ...b, status: 'interrupted' }, { thresholdsPercent });
    expect(c.hasRegression).toBe(true);
    expect(gateOutcome(c)).toBe('incomplete');
  });

  it('a candidate with no targets judges nothing: incomplete', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const c = compareRuns(a, { ...a, targets: [] }, { thresholdsPercent });
    expect(c.groups.flatMap((g) => g.metrics)).toEqual([]);
    expect(c.incomplete).toEqual([
      'fastapi/1-worker: no completed runs in the candidate (failed or skipped?) — nothing judged',
      'go-chi/default: no completed runs in the candidate (failed or skipped?) — nothing judged',
      'nothing comparable was judged (0 metrics measured on both sides and comparable)',
    ]);
  });

  it('both sides empty: 0 comparisons is incomplete too', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 1 });
    const c = compareRuns({ ...a, targets: [] }, { ...a, targets: [] }, { thresholdsPercent });
    expect(c.incomplete).toEqual(['nothing comparable was judged (0 metrics measured on both sides and comparable)']);
  });
});

describe('compareRuns: same scenario means same name and same measurement fingerprint', () => {
  const withLoad = (doc: ReturnType<typeof buildRunDocument>, durationS: number) => ({
    ...doc,
    scenario: { ...doc.scenario, load: { ...doc.scenario.load, steps: { ...doc.scenario.load.steps, durationS } } },
  });

  it('same name, different step length: refused with the differing setting', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = withLoad(buildRunDocument({ seed: 2, repetitions: 2 }), 5);
    let error: unknown;
    try {
      compareRuns(a, b, { thresholdsPercent });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^the runs come from different scenarios: baseline "ci" \(measurement fingerprint [0-9a-f]{12}\), candidate "ci" \(measurement fingerprint [0-9a-f]{12}\)$/);
    expect((error as ConfigError).problems).toEqual(['load.steps.durationS: 3 vs 5']);
  });

  it('what a candidate changes (env, image, repeat, compare thresholds) keeps the fingerprint', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = buildRunDocument({ seed: 2, repetitions: 3 });
    const injected = {
      ...b,
      scenario: {
        ...b.scenario,
        description: 'with EXTRA_WORK_US',
        targets: b.scenario.targets.map((t) => ({ ...t, configurations: t.configurations.map((c) => ({ ...c, env: { EXTRA_WORK_US: '50' } })) })),
        compare: { thresholdsPercent: { p99: 40 } },
      },
    };
    const c = compareRuns(a, injected, { thresholdsPercent });
    expect(c.scenarioMismatch).toBeNull();
    expect(c.baseline.scenarioFingerprint).toBe(c.candidate.scenarioFingerprint);
    expect(c.warnings.join('\n')).toMatch(/compare: sections differ/);
  });
});

describe('compareRuns: machines', () => {
  it('a different kernel is a loud warning, not a refusal', () => {
    const a = buildRunDocument({ seed: 1, repetitions: 2 });
    const b = buildRunDocument({ seed: 2, repetitions: 2, environment: { kernel: '6.8.0' } });
    const c = compareRuns(a, b, { thresholdsPercent });
    expect(c.environmentDifferences).toEqual(['kernel: "6.1.0" vs "6.8.0"']);
    expect(gateOutcome(c)).toBe('pass');
  });
});
