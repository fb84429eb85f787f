/**
 * The metric registry: each metric read once, by the shared rules (usable repetitions, ±1 % rates,
 * generator-bound caveats), and 2xx throughput never counting a non-2xx response as served.
 */
import { describe, expect, it } from 'vitest';
import { ABSOLUTE_METRICS, LATENCY_METRICS, METRICS, RUN_METRICS, STEP_METRICS, metricById, readGroup, scheduledRates, served2xxRps, unservedRate } from '../../../src/analysis/metrics.ts';
import { THRESHOLD_METRICS, type Threshold } from '../../../src/scenario/schema.ts';
import { thresholdText } from '../../../src/analysis/thresholds.ts';
import { PERCENTILES } from '../../../src/schema/percentiles.ts';
import { AT_RATE_METRICS } from '../../../src/scenario/thresholds.ts';
import { compareRuns } from '../../../src/compare/compare.ts';
import { resolveThresholds } from '../../../src/compare/thresholds.ts';
import { buildRunDocument, FIXTURE_THRESHOLDS_PERCENT } from '../../helpers/compare-fixtures.ts';
import { makeStep, makeTarget, sampleRun } from '../../helpers/sample-run.ts';

describe('the metric registry', () => {
  it('declares every metric once, with a unit, a direction and a printer', () => {
    const ids = METRICS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(metricById('served2xxRps')).toMatchObject({ scope: 'step', unit: 'rps', direction: 'higher-is-better' });
    expect(metricById('failureRate')).toMatchObject({ scope: 'step', unit: 'fraction', direction: 'lower-is-better' });
    expect(metricById('p99Us')!.format(1234)).toBe('1.234 ms');
    expect(metricById('maxThroughputRps')!.format(12345.6)).toBe('12,346 req/s');
  });

  it('2xx throughput leaves non-2xx responses out; the failure rate counts them with unsent requests', () => {
    const step = makeStep({ offeredRps: 1000, achievedRps: 1000 });
    step.counts = { ...step.counts, completed: 5000, non2xx: 1000, sent: 5000, dropped: 0 };
    expect(served2xxRps(step)).toBe(4000 / step.durationS);
    expect(unservedRate(step)).toBeCloseTo(1000 / 5000, 10);
  });

  it('reads only usable repetitions (completed or interrupted), and steps within 1 % of the rate', () => {
    const rep = (repetition: number, status: 'completed' | 'interrupted' | 'failed', offeredRps: number) =>
      makeTarget({ name: 'go-chi', configuration: 'c', repetition, status, steps: [makeStep({ kind: 'max', achievedRps: 20000 }), makeStep({ offeredRps, achievedRps: offeredRps })] });
    const results = [rep(0, 'completed', 1000), rep(1, 'interrupted', 1005), rep(2, 'failed', 1000)];
    expect(scheduledRates(results)).toEqual([1000]);
    const achieved = readGroup(metricById('achievedRps')!, results, 1000);
    expect(achieved.values).toEqual([1000, 1005]);
    expect(achieved.caveats).toEqual([]);
    expect(readGroup(metricById('maxThroughputRps')!, results).values).toHaveLength(2);
  });

  it('names a generator-bound step as a caveat, never as a value to judge', () => {
    const bound = makeTarget({ name: 'go-chi', configuration: 'c', steps: [makeStep({ offeredRps: 1000, achievedRps: 800, generatorBound: true })] });
    expect(readGroup(metricById('p99Us')!, [bound], 1000).caveats).toEqual(['generator-bound, not comparable']);
  });

  it('latency read where more requests failed than its tail, or on a contended step, is a caveat, not a value to compare', () => {
    const failing = makeStep({ offeredRps: 1000, achievedRps: 1000, failed: 100 });
    const t = makeTarget({ name: 'go-chi', configuration: 'c', steps: [failing] });
    // 100 of 5,000 intended = 2 %: beyond the p99 tail (1 %), within the p95 tail (5 %).
    expect(readGroup(metricById('p99Us')!, [t], 1000).caveats).toEqual(['more than the p99 tail failed or went unsent (2.0 %): a lower bound, not comparable']);
    expect(readGroup(metricById('p95Us')!, [t], 1000).caveats).toEqual([]);
    const contention = { intervalMs: 10_000, generatorCpus: '0', generatorCpusOtherPercent: 40, generatorCpusStealPercent: 0, targetCpus: '1', targetCpusOtherPercent: 0, targetCpusStealPercent: 0 };
    const busy = makeTarget({ name: 'go-chi', configuration: 'c', steps: [{ ...makeStep({ kind: 'max', achievedRps: 20000 }), contention }, { ...makeStep({ offeredRps: 1000, achievedRps: 1000 }), contention }] });
    expect(readGroup(metricById('p50Us')!, [busy], 1000).caveats[0]).toMatch(/^contended \(.+\), not comparable$/);
    expect(readGroup(metricById('maxThroughputRps')!, [busy]).caveats[0]).toMatch(/^the machine was busy during the closed-loop step .+, not comparable$/);
  });
});

describe('compare reads through the registry', () => {
  it('pairs steps whose offered rates differ by less than 1 % (it used to need them equal)', () => {
    const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);
    const base = buildRunDocument({ seed: 31, repetitions: 2 });
    const shifted = buildRunDocument({ seed: 32, repetitions: 2 });
    const moved = { ...shifted, targets: shifted.targets.map((t) => ({ ...t, steps: t.steps.map((s) => (s.offeredRps === 200 ? { ...s, offeredRps: 201 } : s)) })) };
    const c = compareRuns(base, moved, { thresholdsPercent });
    expect(c.groups[0]!.notes.filter((n) => n.includes('only in the'))).toEqual([]);
    expect(c.groups[0]!.metrics.some((m) => m.id === 'rate-200rps/p99Us' && m.candidate.values.length === 2)).toBe(true);
  });
});

describe('an entry of the registry is what its front-ends show', () => {
  it('compare has a row for every run metric, and for every step metric at every scheduled rate', () => {
    const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);
    const [base, cand] = [buildRunDocument({ seed: 41, repetitions: 2, rates: [200, 500] }), buildRunDocument({ seed: 42, repetitions: 2, rates: [200, 500] })];
    const g = compareRuns(base, cand, { thresholdsPercent }).groups[0]!;
    const ids = g.metrics.map((m) => m.id);
    // A run metric neither side measured is left out (compare/group.ts); every other one has its row.
    const mine = base.targets.filter((t) => t.name === g.target && t.configuration === g.configuration);
    const measured = RUN_METRICS.filter((m) => readGroup(m, mine).values.length > 0);
    expect(measured.length).toBeGreaterThan(1);
    for (const m of measured) expect(ids).toContain(m.id);
    for (const rate of [200, 500]) for (const m of STEP_METRICS) expect(ids).toContain(`rate-${rate}rps/${m.id}`);
  });

  it("a threshold is written with its registry entry's label and printer", () => {
    for (const name of THRESHOLD_METRICS) {
      const entry = ABSOLUTE_METRICS[name];
      const t: Threshold = { target: 'go-chi', metric: name, op: '<', value: 0.5, ...(entry.atRate ? { atRps: 1000 } : {}) };
      expect(thresholdText(t)).toContain(` ${entry.label}`);
      expect(thresholdText(t).endsWith(`< ${entry.format(0.5)}`)).toBe(true);
    }
  });
});

describe('thresholds read through the registry', () => {
  it('every metric a scenario threshold can name is one absolute entry, at a rate exactly when the scenario check asks for atRps', () => {
    expect(Object.keys(ABSOLUTE_METRICS).sort()).toEqual([...THRESHOLD_METRICS].sort());
    for (const name of THRESHOLD_METRICS) {
      expect(ABSOLUTE_METRICS[name].name).toBe(name);
      expect(ABSOLUTE_METRICS[name].atRate).toBe(AT_RATE_METRICS.has(name));
      expect(METRICS).toContain(ABSOLUTE_METRICS[name].metric);
    }
  });

  it("a run-level figure read for a threshold is the registry entry's figure in the threshold's unit", () => {
    const doc = sampleRun();
    const perUnit = { 'req/s': 1, ms: 1, MB: 1e6, MiB: 1048576 } as const;
    const rule = { op: '<' as const, value: 1 };
    let compared = 0;
    for (const entry of Object.values(ABSOLUTE_METRICS)) {
      if (entry.atRate || entry.metric.scope !== 'run' || entry.name === 'sustainableRps') continue;
      for (const r of doc.targets) {
        const reg = entry.metric.read(r).value;
        const abs = entry.read(r, { rule, doc });
        if (reg === null || !abs.ok) continue;
        expect(abs.iv.lo).toBeCloseTo(reg / perUnit[entry.unit as keyof typeof perUnit], 9);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('every percentile a claim or threshold can name is a registry entry; compare shows only those with a threshold family', () => {
    for (const p of PERCENTILES) {
      expect(METRICS).toContain(LATENCY_METRICS[p]);
      expect(LATENCY_METRICS[p].percentile).toBe(p);
    }
    expect(LATENCY_METRICS.p90.family).toBeNull();
    expect(LATENCY_METRICS.p999.family).toBeNull();
  });
});
