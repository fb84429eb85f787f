import { describe, expect, it } from 'vitest';
import { evaluateThreshold, evaluateThresholds, judge, thresholdText } from '../../../src/analysis/thresholds.ts';
import { buildVerdicts, gateProblems } from '../../../src/analysis/verdicts.ts';
import { ThresholdSchema, type Threshold } from '../../../src/scenario/schema.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';
import type { TargetResult } from '../../../src/schema/run.ts';

const th = (t: object): Threshold => ThresholdSchema.parse(t);

function go(configuration: string, o: { repetition?: number; maxRps?: number; bound?: boolean; p99Us?: number; at?: number; stepBound?: boolean; failed?: number; corrected?: boolean; status?: TargetResult['status']; reason?: string } = {}) {
  const at = o.at ?? 1000;
  return makeTarget({
    name: 'go-chi',
    configuration,
    repetition: o.repetition ?? 0,
    status: o.status,
    reason: o.reason,
    memoryPeakBytes: 10 * 1048576,
    imageSizeBytes: 6_000_000,
    steps:
      o.status === 'skipped'
        ? []
        : [
            makeStep({ kind: 'max', achievedRps: o.maxRps ?? 20000, generatorBound: o.bound }),
            makeStep({
              offeredRps: at,
              achievedRps: at,
              generatorBound: o.stepBound,
              failed: o.failed,
              corrected: o.corrected === false ? null : percentiles(500, 1000, o.p99Us ?? 1500),
              uncorrected: percentiles(400, 800, o.p99Us ?? 1200),
            }),
          ],
  });
}

const p99 = th({ target: 'go-chi', metric: 'p99Ms', atRps: 1000, op: '<', value: 2 });

describe('judge', () => {
  it('decides exact and bounded intervals for every operator', () => {
    expect(judge('<', 2, { lo: 1.999, hi: 1.999 })).toBe('pass');
    expect(judge('<', 2, { lo: 2, hi: 2 })).toBe('fail');
    expect(judge('<=', 2, { lo: 2, hi: 2 })).toBe('pass');
    expect(judge('>', 100, { lo: 120, hi: Infinity })).toBe('pass');
    expect(judge('>', 100, { lo: 90, hi: Infinity })).toBe('undecided');
    expect(judge('<', 100, { lo: 90, hi: Infinity })).toBe('undecided');
    expect(judge('<', 100, { lo: 100, hi: Infinity })).toBe('fail');
    expect(judge('>=', 100, { lo: 0, hi: 99 })).toBe('fail');
  });
});

describe('evaluateThreshold', () => {
  it('passes on the median of the repetitions and shows their range', () => {
    const doc = makeDoc([go('all-cores', { p99Us: 1500 }), go('all-cores', { repetition: 1, p99Us: 1900 }), go('all-cores', { repetition: 2, p99Us: 2500 })], { claims: [] });
    const r = evaluateThreshold(p99, doc);
    expect(r.status).toBe('pass');
    expect(r.text).toBe('go-chi p99 at 1,000 req/s < 2.000 ms');
    expect(r.byConfiguration[0]).toMatchObject({ configuration: 'go-chi/all-cores', status: 'pass', measured: { value: 1.9, min: 1.5, max: 2.5, n: 3, bound: 'exact', unit: 'ms' } });
    expect(r.byConfiguration[0]!.reason).toBe('1.900 ms (median of 3: 1.500 ms – 2.500 ms) satisfies < 2.000 ms');
  });

  it('fails a configuration over the limit and names it', () => {
    const doc = makeDoc([go('gomaxprocs-1', { p99Us: 1000 }), go('all-cores', { p99Us: 3000 })], { claims: [] });
    const r = evaluateThreshold(p99, doc);
    expect(r.status).toBe('fail');
    expect(r.byConfiguration.map((c) => c.status)).toEqual(['pass', 'fail']);
    expect(gateProblems(buildVerdicts({ ...doc, scenario: { ...doc.scenario, thresholds: [p99] } }))).toEqual([
      'threshold FAILED: go-chi p99 at 1,000 req/s < 2.000 ms — go-chi/all-cores: 3.000 ms fails < 2.000 ms',
    ]);
  });

  it('never passes a lower bound that cannot decide: generator-bound maximum, uncorrected-only latency', () => {
    const max = th({ target: 'go-chi', metric: 'maxRps', op: '>', value: 30000 });
    const bounded = evaluateThreshold(max, makeDoc([go('all-cores', { maxRps: 25000, bound: true })], { claims: [] }));
    expect(bounded.status).toBe('not-measured');
    expect(bounded.byConfiguration[0]!.measured).toMatchObject({ value: 25000, bound: 'lower' });
    expect(bounded.byConfiguration[0]!.reason).toBe('only ≥ 25,000 req/s is known (generator-bound: a lower bound), which does not decide > 30,000 req/s');
    // The same bound decides the opposite rule: ≥ 25,000 is surely > 20,000.
    expect(evaluateThreshold(th({ ...max, value: 20000 }), makeDoc([go('all-cores', { maxRps: 25000, bound: true })], { claims: [] })).status).toBe('pass');

    const uncorrected = evaluateThreshold(p99, makeDoc([go('all-cores', { p99Us: 1500, corrected: false })], { claims: [] }));
    expect(uncorrected.status).toBe('not-measured');
    expect(uncorrected.byConfiguration[0]!.measuredText).toBe('≥ 1.500 ms [uncorrected only (no coordinated-omission correction): a lower bound]');
  });

  it('treats latency of the completed requests as a lower bound when more failed than the tail', () => {
    // 100 of the 5,000 intended (1,000 req/s for 5 s) failed = 2 % > the p99 tail (1 %).
    const r = evaluateThreshold(p99, makeDoc([go('all-cores', { p99Us: 1500, failed: 100 })], { claims: [] }));
    expect(r.status).toBe('not-measured');
    expect(r.byConfiguration[0]!.measuredText).toContain('2.0 % of requests failed or were never sent');
    const errors = evaluateThreshold(th({ target: 'go-chi', metric: 'errorRate', atRps: 1000, op: '<=', value: 0.01 }), makeDoc([go('all-cores', { failed: 100 })], { claims: [] }));
    expect(errors.status).toBe('fail');
    expect(errors.byConfiguration[0]!.measured).toMatchObject({ value: 0.02, unit: 'fraction' });
  });

  it('is not measured for a step never offered or generator-bound, with why', () => {
    const missing = evaluateThreshold(th({ ...p99, atRps: 2000 }), makeDoc([go('all-cores')], { claims: [] }));
    expect(missing.status).toBe('not-measured');
    expect(missing.byConfiguration[0]!.reason).toBe('repetition 0: no step at 2,000 req/s');
    const bound = evaluateThreshold(p99, makeDoc([go('all-cores', { stepBound: true })], { claims: [] }));
    expect(bound.status).toBe('not-measured');
    expect(bound.byConfiguration[0]!.reason).toContain('the generator was the limit');
  });

  it('leaves out configurations skipped by design unless named, and fails closed when nothing ran', () => {
    const skipped = go('all-cores', { status: 'skipped', reason: 'identical to gomaxprocs-1 on 1 CPU' });
    const doc = makeDoc([go('gomaxprocs-1'), skipped], { claims: [] });
    const r = evaluateThreshold(p99, doc);
    expect(r.status).toBe('pass');
    expect(r.byConfiguration.map((c) => c.status)).toEqual(['pass', 'not-run']);
    expect(evaluateThreshold(th({ ...p99, configuration: 'all-cores' }), doc).status).toBe('not-measured');
    expect(evaluateThreshold(th({ ...p99, target: 'fastapi' }), doc)).toMatchObject({ status: 'not-measured', byConfiguration: [{ configuration: 'fastapi', status: 'not-measured' }] });
  });

  it('reads memory, image size and sustainable rate in their units', () => {
    const doc = makeDoc([go('all-cores')], { claims: [] });
    doc.targets[0]!.sustainableRps = 15000;
    doc.scenario.thresholds = [
      th({ name: 'small image', target: 'go-chi', metric: 'imageSizeMB', op: '<', value: 10 }),
      th({ target: 'go-chi', metric: 'memoryPeakMiB', op: '<=', value: 9.5 }),
      th({ target: 'go-chi', metric: 'sustainableRps', op: '>=', value: 15000 }),
    ];
    const results = evaluateThresholds(doc);
    expect(results.map((r) => [r.id, r.status, r.byConfiguration[0]!.measured?.value])).toEqual([
      ['small image', 'pass', 6],
      ['go-chi memory peak <= 9.5 MiB', 'fail', 10],
      ['go-chi sustainable throughput >= 15,000 req/s', 'pass', 15000],
    ]);
    expect(thresholdText(th({ target: 'go-chi', configuration: 'all-cores', metric: 'errorRate', atRps: 5000, op: '<', value: 0.001 }))).toBe('go-chi/all-cores error rate at 5,000 req/s < 0.1 %');
  });
});

describe('gateProblems', () => {
  it('fails on claim verdicts only when asked to', () => {
    const doc = makeDoc([go('all-cores')], { claims: undefined });
    // Refutes "Go images are 5–10 MB".
    doc.targets[0]!.image!.sizeBytes = 20_000_000;
    const v = buildVerdicts(doc);
    expect(v.summary.claims.refuted).toBeGreaterThan(0);
    expect(gateProblems(v)).toEqual([]);
    const refuted = gateProblems(v, ['refuted']);
    expect(refuted).toHaveLength(v.summary.claims.refuted);
    expect(refuted[0]).toMatch(/^claim REFUTED: /);
    expect(gateProblems(v, ['refuted', 'inconclusive'])).toHaveLength(v.summary.claims.refuted + v.summary.claims.inconclusive);
  });
});
