import { describe, expect, it } from 'vitest';
import { classifyStep, findKnee, loadSideLimit } from '../../../src/analysis/saturation.ts';
import type { Step } from '../../../src/schema/run.ts';

const slo = { p99Ms: 10, errorRate: 0.01 };
const pct = (p99Us: number) => ({ p50: 100, p90: 200, p95: 300, p99: p99Us, p999: p99Us, max: p99Us, mean: 150, count: 1000 });

function step(offeredRps: number, achievedRps: number, p99Us = 1000, opts: { errors?: number; bound?: boolean } = {}): Step {
  const sent = Math.round(achievedRps * 5);
  return {
    kind: 'rate', engine: 'openloop', offeredRps, achievedRps, durationS: 5, connections: 8,
    counts: { sent, completed: sent, errors: opts.errors ?? 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
    latencyUs: { uncorrected: pct(p99Us), corrected: pct(p99Us) },
    generator: { cpuPercent: 50, workers: 1, cpuset: '0', bound: opts.bound ?? false, boundReasons: [], latenessUs: null, eventLoopDelayP99Us: null },
    resources: null, cpuPercent: null, saturated: false, saturationReasons: [], notes: [],
    histograms: { uncorrected: '', corrected: null, lateness: null, intervalLog: null },
  };
}

describe('classifyStep', () => {
  it('passes a step that achieves its rate within the SLO', () => {
    expect(classifyStep(step(1000, 990), slo)).toEqual({ saturated: false, reasons: [] });
  });
  it('names every reason a step is saturated', () => {
    const r = classifyStep(step(1000, 900, 20_000, { errors: 100 }), slo);
    expect(r.saturated).toBe(true);
    expect(r.reasons).toEqual([
      'achieved 900 rps < 95% of offered 1000 rps',
      'failed requests 2.22% > budget 1.00%',
      'p99 20.00 ms > SLO 10 ms',
    ]);
  });
});

describe('findKnee', () => {
  it('bisects between the last good and the first bad step', () => {
    const k = findKnee([step(1000, 1000), step(2000, 1990), step(4000, 3000)], slo, 2);
    expect(k).toEqual({ sustainableRps: 2000, lowerBound: false, nextRateRps: 3000 });
  });
  it('stops refining when none are left or the interval is within 5 %', () => {
    expect(findKnee([step(1000, 1000), step(4000, 3000)], slo, 0).nextRateRps).toBeNull();
    expect(findKnee([step(1000, 1000), step(1040, 900)], slo, 3).nextRateRps).toBeNull();
  });
  it('is a lower bound when no step failed or the failing step was generator-bound', () => {
    expect(findKnee([step(1000, 1000), step(2000, 2000)], slo, 2)).toEqual({ sustainableRps: 2000, lowerBound: true, nextRateRps: null });
    expect(findKnee([step(1000, 1000), step(2000, 1500, 1000, { bound: true })], slo, 2)).toEqual({ sustainableRps: 1000, lowerBound: true, nextRateRps: null });
  });
  it('has no sustainable rate when the first step already fails', () => {
    expect(findKnee([step(1000, 500)], slo, 2)).toEqual({ sustainableRps: null, lowerBound: false, nextRateRps: null });
  });
});

describe('loadSideLimit', () => {
  // 32 connections; mean latency is 150 µs in step() (pct().mean).
  const withMean = (s: Step, meanUs: number): Step => ({ ...s, connections: 32, latencyUs: { ...s.latencyUs, uncorrected: { ...s.latencyUs.uncorrected, mean: meanUs } } });

  it('blames the connection pool when the step fell short, the pool was busy and the target had CPU to spare', () => {
    // 36,800 req/s × 700 µs = 25.8 busy connections of 32 (≥ 70 %); target at 60 % of a 100 % budget.
    const s = withMean(step(40_000, 36_800), 700);
    expect(loadSideLimit(s, 60, 1)).toBe('the target used 60 % of its 100 % CPU budget while 25.8 of 32 connections were busy: more connections may go higher, so this is a lower bound');
  });
  it('accepts the shortfall as the target’s when its CPU was busy, or the pool was not', () => {
    expect(loadSideLimit(withMean(step(40_000, 36_800), 700), 95, 1)).toBeNull();
    expect(loadSideLimit(withMean(step(40_000, 36_800), 100), 60, 1)).toBeNull(); // 3.7 of 32 busy
    expect(loadSideLimit(withMean(step(1000, 1000), 700), 10, 1)).toBeNull(); // no shortfall
  });
  it('treats a closed-loop maximum with an idle target as a lower bound, and knows nothing without CPU figures', () => {
    const max = { ...step(1000, 34_630), offeredRps: null };
    expect(loadSideLimit(max, 51, 1)).toBe('the target used 51 % of its 100 % CPU budget while every connection was busy: more connections may go higher, so this is a lower bound');
    expect(loadSideLimit(max, 180, 2)).toBeNull(); // 90 % of a 2-CPU budget
    expect(loadSideLimit(max, null, 1)).toBeNull();
  });
});
