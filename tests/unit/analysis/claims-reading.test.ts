/**
 * Rules 5 and 11 of the claims judge: how the article's wording is read (one tolerance for every
 * approximate figure, "as small as" on the smallest configuration, bounds exact), and "at scale"
 * only near a measured capacity. Exact numbers on tiny documents.
 */
import { describe, expect, it } from 'vitest';
import { effectiveRule, evaluateClaim, evaluateClaims, SUMMARY_MAX_CHARS } from '../../../src/analysis/claims.ts';
import { AT_SCALE_MIN_FRACTION, capacityReference } from '../../../src/analysis/step-rules.ts';
import { ClaimSchema, type Claim } from '../../../src/schema/claims.ts';
import { makeDoc, makeStep, makeTarget, percentiles, sampleRun } from '../../helpers/sample-run.ts';

const claim = (c: object): Claim => ClaimSchema.parse({ id: 'c', quote: 'q', articleFigure: 'f', ...c });
const APPROX = { wording: 'approximate', tolerance: 0.25 } as const;

describe('reading the article’s wording', () => {
  it('widens every figure of an approximate rule by the one tolerance, and reads bounds exactly', () => {
    expect(effectiveRule(claim({ metric: { kind: 'coldStartMs', target: 'g' }, rule: { op: 'approx', value: 200 }, reading: APPROX }))).toEqual({ op: 'between', min: 150, max: 250 });
    expect(effectiveRule(claim({ metric: { kind: 'coldStartMs', target: 'g' }, rule: { op: 'between', min: 5, max: 15 }, reading: APPROX }))).toEqual({ op: 'between', min: 3.75, max: 18.75 });
    expect(effectiveRule(claim({ metric: { kind: 'coldStartMs', target: 'g' }, rule: { op: 'lt', value: 50 }, reading: { wording: 'bound' } }))).toEqual({ op: 'lt', value: 50 });
    expect(effectiveRule(claim({ metric: { kind: 'coldStartMs', target: 'g' }, rule: { op: 'lt', value: 10 }, reading: { wording: 'as-small-as', tolerance: 0.25 } }))).toEqual({ op: 'lt', value: 12.5 });
    // run.json written before readings existed: the rule as written, its own tolerance included.
    expect(effectiveRule(claim({ metric: { kind: 'coldStartMs', target: 'g' }, rule: { op: 'approx', value: 8, tolerance: 0.25 } }))).toEqual({ op: 'approx', value: 8, tolerance: 0.25 });
  });

  it('judges "as small as" on the smallest configuration, and shows the rule and reading beside the verdict', () => {
    const image = claim({ metric: { kind: 'imageSizeMB', target: 'go-chi' }, rule: { op: 'lt', value: 10 }, reading: { wording: 'as-small-as', tolerance: 0.25 } });
    const t = (configuration: string, mb: number) => makeTarget({ name: 'go-chi', configuration, imageSizeBytes: mb * 1_000_000 });
    // 10.3 MB: within 10 MB + 25 % — the old literal "< 10 MB" refuted it.
    const v = evaluateClaim(image, makeDoc([t('gomaxprocs-1', 10.3)], { claims: [] }));
    expect(v.verdict).toBe('confirmed');
    expect(v.ruleText).toBe('< 12.5 MB (smallest; 10 MB + 25 %)');
    expect(v.reading).toBe('as small as: the smallest configuration, top of the range + 25 %');
    expect(v.band).toEqual({ unit: 'MB', article: { min: null, max: 10 }, accepted: { min: null, max: 12.5 } });
    // A larger image in another configuration does not refute what the smallest shows.
    const two = evaluateClaim(image, makeDoc([t('small', 8), t('big', 40)], { claims: [] }));
    expect(two.verdict).toBe('confirmed');
    expect(two.summary).toBe('smallest: small 8.0 MB meets < 12.5 MB');
    expect(two.byConfiguration.find((c) => c.label === 'big')!.verdict).toBe('refuted');
    expect(evaluateClaim(image, makeDoc([t('a', 13)], { claims: [] })).verdict).toBe('refuted');
  });

  it('reads a range claim with the same tolerance as a single figure', () => {
    const p99 = claim({ metric: { kind: 'latencyAtRateMs', target: 'fastapi', percentile: 'p99', rateRps: 1000 }, rule: { op: 'between', min: 5, max: 15 }, reading: APPROX });
    const at = (p99Us: number) =>
      evaluateClaim(p99, makeDoc([makeTarget({ name: 'fastapi', configuration: 'w', steps: [makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: { ...percentiles(1000, 2000, p99Us), p99: p99Us } })] })], { claims: [] }));
    expect(at(18_000).verdict).toBe('confirmed');
    expect(at(19_000).verdict).toBe('refuted');
    expect(at(18_000).ruleText).toBe('3.75 ms – 18.75 ms (5 ms – 15 ms ± 25 %)');
  });
});

describe('"at scale" near capacity', () => {
  const p99 = claim({ metric: { kind: 'latencyAtCapacityMs', target: 'fastapi', percentile: 'p99' }, rule: { op: 'between', min: 5, max: 15 }, reading: APPROX });
  const step = (offeredRps: number, p99Us: number, extra: { saturated?: boolean; generatorBound?: boolean } = {}) =>
    makeStep({ offeredRps, achievedRps: offeredRps, corrected: { ...percentiles(500, 1000, p99Us), p99: p99Us }, ...extra });
  const run = (steps: ReturnType<typeof makeStep>[], t: { sustainableRps: number | null; lowerBound?: boolean; maxRps?: number; maxBound?: boolean }) => {
    const target = makeTarget({
      name: 'fastapi',
      configuration: '1-worker',
      sustainableRps: t.sustainableRps,
      steps: [makeStep({ kind: 'max', achievedRps: t.maxRps ?? 17_000, generatorBound: t.maxBound }), ...steps],
    });
    target.sustainableIsLowerBound = t.lowerBound ?? false;
    return evaluateClaim(p99, makeDoc([target], { claims: [] }));
  };

  it('decides nothing from a quick run far below capacity, and names the fraction reached', () => {
    // The quick scenario: steps 200 and 500 req/s, no step failed; the closed loop measured 17,000 req/s.
    const v = run([step(200, 1500), step(500, 2000)], { sustainableRps: 500, lowerBound: true, maxRps: 17_000 });
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('500 req/s, is 3 % of the measured closed-loop maximum (17,000 req/s)');
    expect(v.reason).toContain(`at ≥ ${AT_SCALE_MIN_FRACTION * 100} %`);
    expect(v.summary).toContain('is 3 % of capacity');
    // 50, 75 and 100 % of the measured capacity, merged into the scenario's own rates.
    expect(v.settle).toContain('load.steps.rates: [500, 1000, 2500, 5000, 7500, 8500, 10000, 12800, 15000, 17000, 20000]');
  });

  it('judges a step at or above the stated fraction of the measured sustainable rate', () => {
    const v = run([step(5000, 2000), step(9000, 30_000), step(10000, 90_000, { saturated: true })], { sustainableRps: 9000 });
    expect(v.verdict).toBe('refuted');
    expect(v.byConfiguration[0]!.measured!.atOfferedRps).toEqual([9000]);
    // A knee at 9,000 req/s with the judged step at 4,000 (44 %): not at scale.
    const low = run([step(2000, 2000), step(4000, 8000), step(5000, 90_000, { saturated: true })], { sustainableRps: 9000 });
    expect(low.verdict).toBe('inconclusive');
    expect(low.reason).toContain('4,000 req/s, is 44 % of the measured sustainable rate (9,000 req/s)');
  });

  it('is inconclusive when the capacity itself was never reached (generator-bound closed loop, no failing step)', () => {
    const v = run([step(20000, 2000), step(40000, 3000)], { sustainableRps: 40000, lowerBound: true, maxRps: 33_000, maxBound: true });
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('only known to be ≥ 40,000 req/s (the generator was the limit), so the highest sustained step, 40,000 req/s, is at most 100 % of it');
    expect(v.settle).toContain('give the generator more CPUs: resources.generatorCpuset with ≥ ');
  });

  it('takes the sustainable rate when the knee was found, else the larger figure, flagged when a lower bound', () => {
    const max = (achievedRps: number, bound = false) => [makeStep({ kind: 'max', achievedRps, generatorBound: bound })];
    expect(capacityReference({ sustainableRps: 9000, sustainableIsLowerBound: false, maxThroughputRps: 12000, steps: max(12000) })).toEqual({ rps: 9000, lowerBound: false, source: 'sustainable' });
    expect(capacityReference({ sustainableRps: 500, sustainableIsLowerBound: true, maxThroughputRps: 17000, steps: max(17000) })).toEqual({ rps: 17000, lowerBound: false, source: 'closed-loop' });
    expect(capacityReference({ sustainableRps: 500, sustainableIsLowerBound: true, maxThroughputRps: 17000, steps: max(17000, true) })).toEqual({ rps: 17000, lowerBound: true, source: 'closed-loop' });
    expect(capacityReference({ sustainableRps: null, sustainableIsLowerBound: false, maxThroughputRps: null, steps: [] })).toBeNull();
  });
});

describe('what settles an open claim', () => {
  it('estimates target and generator CPUs for an absolute throughput figure from this run’s per-core figures', () => {
    const c = claim({ metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'approx', value: 200000 }, reading: APPROX, hardwareDependent: true, minTargetCpus: 8 });
    const max = makeStep({ kind: 'max', achievedRps: 40_000, generatorBound: true });
    max.generator.cpuPercent = 100;
    const doc = makeDoc([makeTarget({ name: 'go-chi', configuration: 'gomaxprocs-1', cpus: 1, steps: [max] })], { claims: [] });
    const v = evaluateClaim(c, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.summary).toBe("≥ 40,000 req/s: on 1 CPU, the article's figure needs ≥ 8 target CPUs (and the generator was the limit)");
    // 200,000 ÷ 40,000 per CPU (a lower bound) → at most 5 target CPUs; 40,000 per generator CPU → about 5 generator CPUs.
    expect(v.settle).toBe(
      'resources.cpus: 8, the generator on a machine of its own (npx httpbench run --target-host ssh://USER@HOST --target-address IP). ' +
        'Estimate from this run (throughput assumed to grow with CPUs): 200,000 req/s needs ≤ 5 target CPUs (≥ 40,000 req/s per CPU on go-chi/gomaxprocs-1) and ≈ 5 generator CPUs (40,000 req/s each)',
    );
  });

  it('keeps every summary within the limit and gives every open claim a concrete settle', () => {
    for (const v of evaluateClaims(sampleRun())) {
      expect(v.summary.length, v.id).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
      if (v.verdict === 'inconclusive') expect(v.settle, v.id).toMatch(/[a-zA-Z.]+: \S|httpbench|docker pull/);
    }
  });
});
