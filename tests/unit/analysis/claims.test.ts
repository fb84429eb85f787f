import { describe, expect, it } from 'vitest';
import { evaluateClaim, evaluateClaims, judgeInterval } from '../../../src/analysis/claims.ts';
import type { Claim } from '../../../src/schema/claims.ts';
import { ClaimSchema } from '../../../src/schema/claims.ts';
import { makeDoc, makeStep, makeTarget, percentiles, sampleRun } from '../../helpers/sample-run.ts';

const claim = (c: object): Claim => ClaimSchema.parse({ id: 'c', quote: 'q', articleFigure: 'f', ...c });

const goMax = claim({ metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'gt', value: 10000 } });
const goP95At10k = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p95', rateRps: 10000 }, rule: { op: 'lt', value: 50 } });
const pyP95Beyond5k = claim({ metric: { kind: 'latencyAtRateMs', target: 'fastapi', percentile: 'p95', rateRps: 5000, orAbove: true }, rule: { op: 'gt', value: 200 } });

function go(configuration: string, maxRps: number, extra: { repetition?: number; bound?: boolean; steps?: ReturnType<typeof makeStep>[] } = {}) {
  return makeTarget({
    name: 'go-chi',
    configuration,
    repetition: extra.repetition ?? 0,
    steps: [makeStep({ kind: 'max', achievedRps: maxRps, generatorBound: extra.bound }), ...(extra.steps ?? [])],
  });
}

describe('judgeInterval', () => {
  it('decides exact and bounded intervals', () => {
    expect(judgeInterval({ op: 'lt', value: 50 }, { lo: 49.9, hi: 49.9 })).toBe('confirmed');
    expect(judgeInterval({ op: 'lt', value: 50 }, { lo: 50, hi: 50 })).toBe('refuted');
    expect(judgeInterval({ op: 'gt', value: 100 }, { lo: 120, hi: Infinity })).toBe('confirmed');
    expect(judgeInterval({ op: 'approx', value: 200, tolerance: 0.25 }, { lo: 160, hi: Infinity })).toBe('straddles');
    expect(judgeInterval({ op: 'approx', value: 200, tolerance: 0.25 }, { lo: 251, hi: Infinity })).toBe('refuted');
    expect(judgeInterval({ op: 'between', min: 0.5, max: 2 }, { lo: 2.1, hi: 2.1 })).toBe('refuted');
  });
});

describe('evaluateClaim', () => {
  it('confirms when every repetition satisfies the rule, and names the configuration', () => {
    const doc = makeDoc([go('all-cores', 12000), go('all-cores', 13000, { repetition: 1 })], { claims: [] });
    const v = evaluateClaim(goMax, doc);
    expect(v.verdict).toBe('confirmed');
    expect(v.byConfiguration).toHaveLength(1);
    expect(v.byConfiguration[0]!.label).toBe('all-cores');
    expect(v.byConfiguration[0]!.measured).toMatchObject({ value: 12500, min: 12000, max: 13000, n: 2, bound: 'exact', unit: 'req/s' });
    expect(v.measured).toBe('12,500 req/s (12,000 req/s – 13,000 req/s, n=2)');
    expect(v.byConfiguration[0]!.measuredText).toBe('12,500 req/s (median of 2, range 12,000 req/s – 13,000 req/s, spread 8.0 %)');
  });

  it('refutes when every repetition fails the rule', () => {
    const doc = makeDoc([go('all-cores', 9000), go('all-cores', 9500, { repetition: 1 })], { claims: [] });
    expect(evaluateClaim(goMax, doc).verdict).toBe('refuted');
  });

  it('is inconclusive when repetitions straddle the threshold', () => {
    const doc = makeDoc([go('all-cores', 9000), go('all-cores', 11000, { repetition: 1 })], { claims: [] });
    const v = evaluateClaim(goMax, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('repetitions straddle the threshold');
    expect(v.reason).toContain('1 of 2 repetitions satisfy it');
  });

  it('treats a generator-bound maximum as a lower bound: inconclusive when the bound does not decide', () => {
    const approx = claim({ metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'approx', value: 200000, tolerance: 0.25 } });
    const doc = makeDoc([go('all-cores', 160000, { bound: true })], { claims: [] });
    const v = evaluateClaim(approx, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.measured).toContain('≥ 160,000 req/s');
    expect(v.reason).toContain('the generator was the limit');
    expect(v.settle).toContain('give the generator more CPUs: resources.generatorCpuset with ≥ 2 CPUs');
    // …but a lower bound above a "greater than" threshold still confirms it.
    expect(evaluateClaim(goMax, doc).verdict).toBe('confirmed');
  });

  it('reports a configuration split ("confirmed for X, refuted for Y") as inconclusive overall', () => {
    const doc = makeDoc([go('gomaxprocs-1', 8000), go('all-cores', 30000)], { claims: [] });
    const v = evaluateClaim(goMax, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('confirmed for all-cores; refuted for gomaxprocs-1');
    expect(v.byConfiguration.map((c) => [c.label, c.verdict])).toEqual([
      ['gomaxprocs-1', 'refuted'],
      ['all-cores', 'confirmed'],
    ]);
  });

  it('judges latency at an offered rate on the corrected histogram, in ms', () => {
    const step = makeStep({ offeredRps: 10000, achievedRps: 9990, corrected: percentiles(1000, 12_345), uncorrected: percentiles(900, 2000) });
    const doc = makeDoc([go('all-cores', 30000, { steps: [step] })], { claims: [] });
    const v = evaluateClaim(goP95At10k, doc);
    expect(v.verdict).toBe('confirmed');
    expect(v.byConfiguration[0]!.measured).toMatchObject({ value: 12.345, unit: 'ms', latencySource: 'corrected', atOfferedRps: [10000] });
    expect(v.measured).toBe('12.35 ms @ 10,000 req/s, corrected');
  });

  it('is inconclusive for a rate never offered because the target saturated earlier', () => {
    const steps = [
      makeStep({ offeredRps: 5000, achievedRps: 5000, corrected: percentiles(1000, 3000) }),
      makeStep({ offeredRps: 7500, achievedRps: 6100, saturated: true, corrected: percentiles(90_000, 400_000) }),
    ];
    const doc = makeDoc([go('gomaxprocs-1', 6200, { steps })], { claims: [] });
    const v = evaluateClaim(goP95At10k, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('10,000 req/s was never offered: the target saturated at 7,500 req/s');
    expect(v.settle).toContain('stopAtSaturation: false');
  });

  it('says which repetitions measured a rate and which never offered it, never one reason for both', () => {
    const reached = [
      makeStep({ offeredRps: 5000, achievedRps: 5000, corrected: percentiles(1000, 3000) }),
      makeStep({ offeredRps: 10000, achievedRps: 10000, corrected: percentiles(2000, 4000) }),
    ];
    const saturatedEarlier = [
      makeStep({ offeredRps: 5000, achievedRps: 5000, corrected: percentiles(1000, 3000) }),
      makeStep({ offeredRps: 7500, achievedRps: 6100, saturated: true, corrected: percentiles(90_000, 400_000) }),
    ];
    const doc = makeDoc([go('gomaxprocs-1', 11000, { steps: reached }), go('gomaxprocs-1', 6200, { repetition: 1, steps: saturatedEarlier })], { claims: [] });
    const v = evaluateClaim(goP95At10k, doc);
    expect(v.verdict).toBe('inconclusive');
    const c = v.byConfiguration[0]!;
    expect(c.reason).toMatch(/^1 of 2 repetitions: 10,000 req\/s was never offered: the target saturated at 7,500 req\/s .*; 1 of 2 measured 4\.000 ms \[at 10,000 req\/s offered, corrected\]$/);
    expect(c.brief).toMatch(/4\.00 ms @ 10,000 req\/s in 1 of 2 repetitions; the others: 10,000 req\/s never offered: saturated at 7,500 req\/s/);
  });

  it('says what beyond-capacity latency means for a "greater than" claim, without confirming it', () => {
    const steps = [
      makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: percentiles(2000, 5000) }),
      makeStep({ offeredRps: 2500, achievedRps: 2300, saturated: true, corrected: percentiles(150_000, 480_000) }),
    ];
    const py = makeTarget({ name: 'fastapi', configuration: '1-worker', steps: [makeStep({ kind: 'max', achievedRps: 2400 }), ...steps] });
    const v = evaluateClaim(pyP95Beyond5k, makeDoc([py], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('≥ 5,000 req/s was never offered');
    expect(v.reason).toContain('queue grows without bound');
    expect(v.reason).toContain('p95 was already 480.00 ms');
  });

  it('is inconclusive for a rate the scenario never asked for', () => {
    const steps = [makeStep({ offeredRps: 5000, achievedRps: 5000, corrected: percentiles(1000, 3000) })];
    const doc = makeDoc([go('all-cores', 30000, { steps })], { claims: [], rates: [1000, 5000] });
    const v = evaluateClaim(goP95At10k, doc);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("the planned rates (1,000, 5,000 req/s) do not include it");
  });

  it('is inconclusive when the step at the rate was generator-bound', () => {
    const steps = [makeStep({ offeredRps: 10000, achievedRps: 8000, generatorBound: true, corrected: percentiles(1000, 3000) })];
    const v = evaluateClaim(goP95At10k, makeDoc([go('all-cores', 30000, { steps })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('generator-bound');
  });

  it('will not judge an upper-bound latency rule when more requests failed than the tail', () => {
    const steps = [makeStep({ offeredRps: 10000, achievedRps: 9000, sent: 50000, failed: 3000, corrected: percentiles(1000, 3000) })];
    const v = evaluateClaim(goP95At10k, makeDoc([go('all-cores', 30000, { steps })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('6.0 % of requests failed, timed out or were never sent');
  });

  it('counts scheduled sends that were never made as part of the tail', () => {
    // 49,000 sent, none failed, 1,000 never sent: 2 % of the schedule, more than the p99 tail.
    const step = makeStep({ offeredRps: 10000, achievedRps: 9800, sent: 49000, corrected: percentiles(1000, 3000) });
    step.counts.dropped = 1000;
    const p99At10k = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p99', rateRps: 10000 }, rule: { op: 'lt', value: 50 } });
    const v = evaluateClaim(p99At10k, makeDoc([go('all-cores', 30000, { steps: [step] })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('2.0 % of requests failed, timed out or were never sent');
  });

  it('lets uncorrected-only latency refute an upper bound but never confirm one', () => {
    const at = (p95Us: number) => {
      const step = makeStep({ offeredRps: 10000, achievedRps: 10000, engine: 'autocannon', uncorrected: percentiles(p95Us / 2, p95Us), corrected: null });
      return evaluateClaim(goP95At10k, makeDoc([go('all-cores', 30000, { steps: [step] })], { claims: [] }));
    };
    const low = at(3000); // 3 ms < 50 ms, but the true (corrected) figure may be higher
    expect(low.verdict).toBe('inconclusive');
    expect(low.reason).toContain('only uncorrected latency was measured');
    expect(at(80_000).verdict).toBe('refuted'); // already above 50 ms without the correction
  });

  it('is inconclusive for hardware-dependent figures on fewer CPUs than the claim needs', () => {
    const c = claim({ metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'approx', value: 200000, tolerance: 0.25 }, hardwareDependent: true, minTargetCpus: 8 });
    const v = evaluateClaim(c, makeDoc([go('all-cores', 50000)], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("measured on 2 CPU(s); the article's figure needs ≥ 8");
    expect(v.hardwareNote).toContain('Example CPU 3000');
  });

  it('shows but does not judge an image built on a stand-in base that ends up in the final image', () => {
    const c = claim({ metric: { kind: 'imageSizeMB', target: 'fastapi' }, rule: { op: 'gt', value: 200 } });
    const base = (source: 'official' | 'stand-in', inFinalImage: boolean) => ({ arg: 'PYTHON_IMAGE', official: 'python:3.13-slim', used: source === 'official' ? 'python:3.13-slim' : 'httpbench-base/python:3.13-slim', source, inFinalImage });
    const target = (bases: ReturnType<typeof base>[]) => {
      const t = makeTarget({ name: 'fastapi', configuration: '1-worker', imageSizeBytes: 207_000_000 });
      t.image!.bases = bases;
      return t;
    };
    const standIn = evaluateClaim(c, makeDoc([target([base('stand-in', true)])], { claims: [] }));
    expect(standIn.verdict).toBe('inconclusive');
    expect(standIn.reason).toContain('built on httpbench-base/python:3.13-slim instead of the official python:3.13-slim');
    expect(standIn.reason).toContain('207');
    // A stand-in used only by a builder stage does not change the final image: judged as usual.
    expect(evaluateClaim(c, makeDoc([target([base('stand-in', false)])], { claims: [] })).verdict).toBe('confirmed');
    expect(evaluateClaim(c, makeDoc([target([base('official', true)])], { claims: [] })).verdict).toBe('confirmed');
  });

  it('leaves a configuration that never ran out of the verdict and says so', () => {
    const skipped = makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'skipped', reason: "identical to configuration 'gomaxprocs-1' on a 1-CPU budget" });
    const v = evaluateClaim(goMax, makeDoc([go('gomaxprocs-1', 20000), skipped], { claims: [] }));
    expect(v.verdict).toBe('confirmed');
    expect(v.measured).toBe('gomaxprocs-1: 20,000 req/s; all-cores: not run');
    expect(v.reason).toContain('holds only for the configurations that ran; all-cores not run');
    // A configuration that ran and failed still blocks the verdict.
    const failed = makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'failed', reason: 'OOMKilled' });
    expect(evaluateClaim(goMax, makeDoc([go('gomaxprocs-1', 20000), failed], { claims: [] })).verdict).toBe('inconclusive');
  });

  it('does not charge the target with a corrected tail the generator’s own pauses could explain', () => {
    const p99 = claim({ metric: { kind: 'latencyAtCapacityMs', target: 'go-chi', percentile: 'p99' }, rule: { op: 'between', min: 0.5, max: 2 } });
    const at = (pauseUs: number) => {
      const step = makeStep({ offeredRps: 20000, achievedRps: 20000, uncorrected: percentiles(300, 500, 700), corrected: percentiles(300, 600, 4000) });
      step.generator.latenessUs = { p50: 50, p99: 1000, max: pauseUs };
      return evaluateClaim(p99, makeDoc([go('gomaxprocs-1', 40000, { steps: [step] })], { claims: [] }));
    };
    // Gap 3.3 ms; a 16 ms pause could cause it → inconclusive. A 1 ms pause could not → the corrected figure stands.
    const paused = at(16_000);
    expect(paused.verdict).toBe('inconclusive');
    expect(paused.reason).toContain('the generator itself paused up to 16.00 ms');
    expect(at(1000).verdict).toBe('refuted');
  });

  it("is inconclusive when the threshold lies within the instrument's floor of the figure (rule 10)", () => {
    const p99Under1 = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p99', rateRps: 10000 }, rule: { op: 'lt', value: 1 } });
    const step = makeStep({ offeredRps: 10000, achievedRps: 10000, corrected: percentiles(200, 500, 1200) });
    const withFloor = (floorP99Us: number) => {
      const doc = makeDoc([go('gomaxprocs-1', 40000, { steps: [step] })], { claims: [] });
      doc.calibration = {
        server: 'calibration',
        cpuset: '1',
        connections: 32,
        workers: 1,
        pacing: 'spin',
        durationS: 2,
        steps: [{ offeredRps: 10000, achievedRps: 10000, latencyUs: { ...percentiles(50, 100, floorP99Us), p99: floorP99Us }, generatorBound: false }],
        error: null,
      };
      return evaluateClaim(p99Under1, doc);
    };
    // p99 1.2 ms against "< 1 ms": with a 0.15 ms floor the target's own p99 is in [1.05, 1.2] → refuted.
    expect(withFloor(150).verdict).toBe('refuted');
    // With a 0.3 ms floor it is in [0.9, 1.2]: either side of 1 ms → inconclusive, floor named.
    const v = withFloor(300);
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("the instrument's own floor at this rate is 0.300 ms");
    // An upper-bound rule the figure already satisfies stays confirmed: the floor only lowers the truth.
    const under2 = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p99', rateRps: 10000 }, rule: { op: 'lt', value: 2 } });
    const doc = makeDoc([go('gomaxprocs-1', 40000, { steps: [step] })], { claims: [] });
    expect(evaluateClaim(under2, doc).verdict).toBe('confirmed');
  });

  it("is inconclusive when generator stalls reached the percentile's tail and could flip the rule", () => {
    const p99Under1 = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p99', rateRps: 10000 }, rule: { op: 'lt', value: 1 } });
    const step = makeStep({ offeredRps: 10000, achievedRps: 10000, corrected: percentiles(200, 500, 1200) });
    step.generator.readDelayUs = { ...percentiles(5, 20, 400), p99: 400 };
    step.generator.latencyCaveats = [{ percentile: 'p99', reason: '2.0 % of responses were read after a generator stall' }];
    const v = evaluateClaim(p99Under1, makeDoc([go('gomaxprocs-1', 40000, { steps: [step] })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("the generator's read delay at p99 is 0.400 ms");
  });

  it('is inconclusive for a failed or missing target', () => {
    const failed = makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'failed', reason: 'never became healthy' });
    expect(evaluateClaim(goMax, makeDoc([failed], { claims: [] })).reason).toContain('repetition 0 failed: never became healthy');
    const none = evaluateClaim(goMax, makeDoc([], { claims: [] }));
    expect(none.verdict).toBe('inconclusive');
    expect(none.reason).toBe("no results for target 'go-chi'");
  });

  it('computes ratios per configuration pair, repetitions paired by index', () => {
    const ratio = claim({
      metric: { kind: 'throughputRatio', numerator: 'go-chi', denominator: 'fastapi', pairs: [{ numerator: 'all-cores', denominator: 'n-workers' }] },
      rule: { op: 'approx', value: 8, tolerance: 0.25 },
    });
    const py = makeTarget({ name: 'fastapi', configuration: 'n-workers', steps: [makeStep({ kind: 'max', achievedRps: 5000 })] });
    const v = evaluateClaim(ratio, makeDoc([go('all-cores', 35000), py], { claims: [] }));
    expect(v.verdict).toBe('confirmed');
    expect(v.byConfiguration[0]!.measured).toMatchObject({ value: 7, unit: 'ratio' });
    expect(v.measured).toBe('7.00×');
    const far = makeTarget({ name: 'fastapi', configuration: 'n-workers', steps: [makeStep({ kind: 'max', achievedRps: 10000 })] });
    expect(evaluateClaim(ratio, makeDoc([go('all-cores', 35000), far], { claims: [] })).verdict).toBe('refuted');
  });

  it('shows a ratio over a generator-bound denominator as an upper bound, and one of two bounds as unknown', () => {
    const ratio = claim({
      metric: { kind: 'throughputRatio', numerator: 'fastapi', denominator: 'go-chi', pairs: [{ numerator: 'n-workers', denominator: 'all-cores' }] },
      rule: { op: 'lt', value: 0.5 },
    });
    const py = (bound: boolean) => makeTarget({ name: 'fastapi', configuration: 'n-workers', steps: [makeStep({ kind: 'max', achievedRps: 15000, generatorBound: bound })] });
    const upper = evaluateClaim(ratio, makeDoc([py(false), go('all-cores', 60000, { bound: true })], { claims: [] }));
    expect(upper.measured).toBe('≤ 0.25×');
    expect(upper.verdict).toBe('confirmed'); // ≤ 0.25 is < 0.5 whatever the true Go figure
    expect(upper.reason).toContain('even as an upper bound');
    const both = evaluateClaim(ratio, makeDoc([py(true), go('all-cores', 60000, { bound: true })], { claims: [] }));
    expect(both.measured).toBe('~ 0.25×');
    expect(both.verdict).toBe('inconclusive');
  });

  it('judges handler lines from doc.source', () => {
    const lines = claim({ metric: { kind: 'handlerLinesReduction', fewer: 'fastapi', more: 'go-chi' }, rule: { op: 'between', min: 0.3, max: 0.4 } });
    expect(evaluateClaim(lines, makeDoc([], { claims: [], handlerLines: { fastapi: 7, 'go-chi': 10 } })).verdict).toBe('confirmed');
    expect(evaluateClaim(lines, makeDoc([], { claims: [], handlerLines: { fastapi: 4, 'go-chi': 10 } })).verdict).toBe('refuted');
    expect(evaluateClaim(lines, makeDoc([], { claims: [], handlerLines: null })).verdict).toBe('inconclusive');
    const uncounted = makeDoc([], { claims: [], handlerLines: { 'go-chi': 10 } });
    uncounted.source!.notCounted = { fastapi: "language 'cobol' (targets/fastapi/target.yaml) has no line counter" };
    expect(evaluateClaim(lines, uncounted).reason).toBe(
      "handler line counts were not recorded for fastapi (fastapi: language 'cobol' (targets/fastapi/target.yaml) has no line counter)",
    );
  });
});

describe('evaluateClaims on the sample run', () => {
  it('gives one verdict per article claim, each kind reachable', () => {
    const verdicts = evaluateClaims(sampleRun());
    expect(verdicts.map((v) => v.id)).toContain('throughput-ratio-8x');
    // Every verdict is reachable per configuration (with the ±25 % reading no whole claim of this
    // synthetic run is refuted: its Python p99 of 18.1 ms straddles 3.75–18.75 ms).
    const kinds = new Set(verdicts.flatMap((v) => v.byConfiguration.map((c) => c.verdict)));
    expect(kinds).toEqual(new Set(['confirmed', 'refuted', 'inconclusive']));
    for (const v of verdicts) expect(v.summary.length, v.id).toBeLessThanOrEqual(200);
    const ratio = verdicts.find((v) => v.id === 'throughput-ratio-8x')!;
    expect(ratio.reason).toContain('confirmed for gomaxprocs-1 vs 1-worker; inconclusive for all-cores vs n-workers');
  });
});
