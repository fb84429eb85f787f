/**
 * The one judge (judge.ts) and the readers claims and thresholds share: the same measurement gets
 * the same answer whichever asks. Each case here was judged differently by the two engines before.
 */
import { describe, expect, it } from 'vitest';
import { evaluateClaim } from '../../../src/analysis/claims.ts';
import { judgeInterval } from '../../../src/analysis/judge.ts';
import { evaluateThreshold } from '../../../src/analysis/thresholds.ts';
import { ClaimSchema } from '../../../src/schema/claims.ts';
import { ThresholdSchema } from '../../../src/scenario/schema.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

describe('judgeInterval: one rule over claims\' and thresholds\' operators', () => {
  it('holds, fails or straddles, with open and closed ends', () => {
    expect(judgeInterval({ op: 'lt', value: 2 }, { lo: 2, hi: 2 })).toBe('fails');
    expect(judgeInterval({ op: '<', value: 2 }, { lo: 2, hi: 2 })).toBe('fails');
    expect(judgeInterval({ op: '<=', value: 2 }, { lo: 2, hi: 2 })).toBe('holds');
    expect(judgeInterval({ op: '>=', value: 2 }, { lo: 2, hi: Infinity })).toBe('holds');
    expect(judgeInterval({ op: '>', value: 2 }, { lo: 1, hi: Infinity })).toBe('straddles');
    expect(judgeInterval({ op: 'between', min: 1, max: 2 }, { lo: 0, hi: 3 })).toBe('straddles');
    expect(judgeInterval({ op: 'between', min: 1, max: 2 }, { lo: 2.5, hi: Infinity })).toBe('fails');
    expect(judgeInterval({ op: 'approx', value: 10, tolerance: 0.1 }, { lo: 9, hi: 11 })).toBe('holds');
  });
});

describe('claims and thresholds agree', () => {
  const base = (source: 'official' | 'stand-in' | 'override') => ({ arg: 'PYTHON_IMAGE', official: 'python:3.13-slim', used: 'httpbench-base/python:3.13-slim', source, inFinalImage: true });
  const image = (source: 'official' | 'stand-in' | 'override') => {
    const t = makeTarget({ name: 'fastapi', configuration: '1-worker', imageSizeBytes: 207_000_000 });
    t.image!.bases = [base(source)];
    return makeDoc([t], { claims: [] });
  };
  const sizeClaim = ClaimSchema.parse({ id: 'c', quote: 'q', articleFigure: 'f', metric: { kind: 'imageSizeMB', target: 'fastapi' }, rule: { op: 'gt', value: 200 } });
  const sizeThreshold = ThresholdSchema.parse({ target: 'fastapi', metric: 'imageSizeMB', op: '>', value: 200 });

  it('an image on a stand-in or overridden base decides neither a claim nor a threshold (the threshold used to judge it)', () => {
    for (const source of ['stand-in', 'override'] as const) {
      expect(evaluateClaim(sizeClaim, image(source)).verdict).toBe('inconclusive');
      const t = evaluateThreshold(sizeThreshold, image(source));
      expect(t.status).toBe('not-measured');
      expect(t.byConfiguration[0]!.reason).toContain('instead of the official python:3.13-slim');
      expect(t.byConfiguration[0]!.measuredText).toBe('207.0 MB [built on a stand-in base]');
    }
    expect(evaluateClaim(sizeClaim, image('official')).verdict).toBe('confirmed');
    expect(evaluateThreshold(sizeThreshold, image('official')).status).toBe('pass');
  });

  // A step at 1,000 req/s whose corrected p99 is `p99Us`, uncorrected `uncorrectedP99Us`, `failed` requests failed.
  const latencyDoc = (o: { p99Us: number; uncorrectedP99Us?: number; failed?: number; latenessMaxUs?: number }) => {
    const step = makeStep({ offeredRps: 1000, achievedRps: 1000, failed: o.failed, corrected: percentiles(500, 1000, o.p99Us), uncorrected: percentiles(400, 800, o.uncorrectedP99Us ?? o.p99Us) });
    if (o.latenessMaxUs !== undefined) step.generator.latenessUs = { p50: 20, p99: 150, max: o.latenessMaxUs };
    else step.generator.latenessUs = { p50: 20, p99: 150, max: 0 };
    return makeDoc([makeTarget({ name: 'go-chi', configuration: 'all-cores', steps: [makeStep({ kind: 'max', achievedRps: 20000 }), step] })], { claims: [] });
  };
  const p99Claim = (op: 'lt' | 'gt', value: number) =>
    ClaimSchema.parse({ id: 'c', quote: 'q', articleFigure: 'f', metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p99', rateRps: 1000 }, rule: { op, value } });
  const p99Threshold = (op: '<' | '>', value: number) => ThresholdSchema.parse({ target: 'go-chi', metric: 'p99Ms', atRps: 1000, op, value });

  it('more failures than the tail make the latency a lower bound for both: it can refute "<", never confirm ">"', () => {
    // 100 of 5,000 intended failed = 2 % > the p99 tail (1 %). Completed p99 = 5 ms.
    const doc = latencyDoc({ p99Us: 5000, failed: 100 });
    // "< 2 ms": even the completed requests' p99 is above it → refuted / fail (the claim used to be inconclusive).
    expect(evaluateClaim(p99Claim('lt', 2), doc).verdict).toBe('refuted');
    expect(evaluateThreshold(p99Threshold('<', 2), doc).status).toBe('fail');
    // "> 2 ms": the missing requests could only raise it, so it holds (the claim judged the point before).
    expect(evaluateClaim(p99Claim('gt', 2), doc).verdict).toBe('confirmed');
    expect(evaluateThreshold(p99Threshold('>', 2), doc).status).toBe('pass');
    // "> 8 ms": the bound [5 ms, ∞) straddles it → open for both (the claim used to refute it).
    expect(evaluateClaim(p99Claim('gt', 8), doc).verdict).toBe('inconclusive');
    expect(evaluateThreshold(p99Threshold('>', 8), doc).status).toBe('not-measured');
  });

  it('generator pauses that could explain the corrected figure leave both open (thresholds used to judge it)', () => {
    // Corrected p99 3 ms, uncorrected 1 ms, the generator paused 5 ms: the 2 ms gap may be the generator's.
    const doc = latencyDoc({ p99Us: 3000, uncorrectedP99Us: 1000, latenessMaxUs: 5000 });
    expect(evaluateClaim(p99Claim('lt', 2), doc).verdict).toBe('inconclusive');
    const t = evaluateThreshold(p99Threshold('<', 2), doc);
    expect(t.status).toBe('not-measured');
    expect(t.byConfiguration[0]!.reason).toContain('the generator itself paused up to 5.000 ms');
    // Without the pause both judge it: 3 ms fails "< 2 ms".
    const quiet = latencyDoc({ p99Us: 3000, uncorrectedP99Us: 1000 });
    expect(evaluateClaim(p99Claim('lt', 2), quiet).verdict).toBe('refuted');
    expect(evaluateThreshold(p99Threshold('<', 2), quiet).status).toBe('fail');
  });
});
