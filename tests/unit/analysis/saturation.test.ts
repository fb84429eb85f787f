import { describe, expect, it } from 'vitest';
import { classifyStep, findKnee, isSustainable, loadSideLimit, sloP99Us } from '../../../src/analysis/saturation.ts';
import { failedRequests, failureRate, intendedRequests, latencyOrAbsent, stepLatency } from '../../../src/analysis/step-rules.ts';
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
      // 100 errors of 1000 rps × 5 s = 5000 intended requests (the schedule, not the 4500 sent).
      'failed requests 2.00% > budget 1.00%',
      'p99 20.00 ms > SLO 10 ms',
    ]);
  });
});

describe('failure rate (issue 12: rates never above 100 %)', () => {
  it('charges errors counted per connection attempt to the intended requests, at most once each', () => {
    // A killed target: 3000 intended (1000 rps × 3 s), 500 answered, 10,493 connection errors counted
    // per attempt. The old rate was errors / sent = 10,493 / 3000 = 349.77 %.
    const s = step(1000, 166.7);
    s.durationS = 3;
    s.counts = { ...s.counts, sent: 3000, completed: 500, errors: 10_493, timeouts: 0, non2xx: 0 };
    expect(intendedRequests(s)).toBe(3000);
    expect(failedRequests(s)).toBe(2500);
    expect(failureRate(s)).toBeCloseTo(2500 / 3000, 12);
  });
  it('counts an open-loop schedule that never got a request out as failed, not as 0 of 0', () => {
    // load http://127.0.0.1:1/ --rate 50 --duration 2: sent 0, errors 2934, 6 dropped at the end.
    const s = step(50, 0);
    s.durationS = 2;
    s.counts = { ...s.counts, sent: 0, completed: 0, errors: 2934, dropped: 6 };
    expect(intendedRequests(s)).toBe(100);
    expect(failedRequests(s)).toBe(94);
    expect(failedRequests(s) + s.counts.dropped).toBe(100);
    expect(failureRate(s)).toBe(0.94);
  });
  it('keeps each outcome once: non-2xx and timeouts count, errors only fill what is left', () => {
    const s = step(100, 100);
    s.durationS = 1;
    s.counts = { ...s.counts, sent: 100, completed: 90, non2xx: 5, timeouts: 4, errors: 50, dropped: 0 };
    // 100 intended − 90 completed − 4 timed out = 6 requests without an outcome: errors fill those.
    expect(failedRequests(s)).toBe(5 + 4 + 6);
  });
  it('closed loop: every attempt is intended, a transport error being one', () => {
    const s = { ...step(1, 1), offeredRps: null };
    s.counts = { ...s.counts, sent: 10, completed: 10, errors: 30, timeouts: 0, non2xx: 0 };
    expect(intendedRequests(s)).toBe(40);
    expect(failureRate(s)).toBe(0.75);
  });
});

describe('latency absent when no request completed', () => {
  it('stores empty percentiles as null and classifies the step as saturated, not as a 0 ms step', () => {
    const empty = { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
    expect(latencyOrAbsent({ uncorrected: empty, corrected: empty })).toEqual({ uncorrected: null, corrected: null });
    expect(latencyOrAbsent({ uncorrected: pct(10), corrected: null })).toEqual({ uncorrected: pct(10), corrected: null });
    const s = step(1000, 0);
    s.counts = { ...s.counts, sent: 0, completed: 0 };
    s.latencyUs = { uncorrected: null, corrected: null };
    expect(sloP99Us(s)).toBeNull();
    expect(stepLatency(s)).toBeNull();
    expect(classifyStep(s, slo).reasons).toContain('no request completed: no latency to judge');
    expect(isSustainable(s, slo)).toBe(false);
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
  const withMean = (s: Step, meanUs: number): Step => ({ ...s, connections: 32, latencyUs: { ...s.latencyUs, uncorrected: { ...s.latencyUs.uncorrected!, mean: meanUs } } });

  it('blames the connection pool when the step fell short, the pool was busy and the target had CPU to spare', () => {
    // 36,800 req/s × 700 µs = 25.8 busy connections of 32 (≥ 70 %); target at 60 % of a 100 % budget.
    const s = withMean(step(40_000, 36_800), 700);
    expect(loadSideLimit(s, 60, 1)).toBe('the target\'s CPUs were 60 % busy (budget 100 %, its database included when they share CPUs) while 25.8 of 32 connections were busy: more connections may go higher, so this is a lower bound');
  });
  it('accepts the shortfall as the target’s when its CPU was busy, or the pool was not', () => {
    expect(loadSideLimit(withMean(step(40_000, 36_800), 700), 95, 1)).toBeNull();
    expect(loadSideLimit(withMean(step(40_000, 36_800), 100), 60, 1)).toBeNull(); // 3.7 of 32 busy
    expect(loadSideLimit(withMean(step(1000, 1000), 700), 10, 1)).toBeNull(); // no shortfall
  });
  it('treats a closed-loop maximum with an idle target as a lower bound, and knows nothing without CPU figures', () => {
    const max = { ...step(1000, 34_630), offeredRps: null };
    expect(loadSideLimit(max, 51, 1)).toBe('the target\'s CPUs were 51 % busy (budget 100 %, its database included when they share CPUs) while every connection was busy: more connections may go higher, so this is a lower bound');
    expect(loadSideLimit(max, 180, 2)).toBeNull(); // 90 % of a 2-CPU budget
    expect(loadSideLimit(max, null, 1)).toBeNull();
  });
});
