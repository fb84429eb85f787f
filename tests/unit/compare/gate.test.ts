import { describe, expect, it } from 'vitest';
import { compareRuns, gateOutcome } from '../../../src/compare/compare.ts';
import { resolveThresholds } from '../../../src/compare/thresholds.ts';
import { buildRunDocument, FIXTURE_THRESHOLDS_PERCENT, hostileCandidate } from '../../helpers/compare-fixtures.ts';

const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);
const base = buildRunDocument({ seed: 11, repetitions: 3 });
const healthy = buildRunDocument({ seed: 12, repetitions: 3 });

describe('the gate judges failures and capacity (issue 22)', () => {
  it('passes a healthy candidate: failure and saturation rows unchanged, 2xx throughput judged', () => {
    const c = compareRuns(base, healthy, { thresholdsPercent });
    expect(gateOutcome(c)).toBe('pass');
    const rows = c.groups[0]!.metrics;
    expect(rows.find((m) => m.id === 'rate-200rps/failureRate')).toMatchObject({ method: 'failure-gate', verdict: 'unchanged' });
    expect(rows.find((m) => m.id === 'rate-200rps/saturated')).toMatchObject({ method: 'failure-gate', verdict: 'unchanged' });
    expect(rows.find((m) => m.id === 'rate-200rps/served2xxRps')!.method).not.toBe('not-comparable');
  });

  it('every response an HTTP 500: a regression (failures, saturation and 2xx throughput), whatever latency says', () => {
    const c = compareRuns(base, hostileCandidate(healthy, 'all-500'), { thresholdsPercent });
    expect(gateOutcome(c)).toBe('regression');
    const rows = c.groups.flatMap((g) => g.metrics);
    const regressed = (id: string) => rows.filter((m) => m.id.endsWith(id) && m.verdict === 'regressed').length;
    // Two targets × two rates.
    expect(regressed('/failureRate')).toBe(4);
    expect(regressed('/saturated')).toBe(4);
    expect(regressed('/served2xxRps')).toBe(4);
    // The closed loop answered 500s just as fast: its throughput hides it, its non-2xx share does not.
    expect(regressed('max/non2xxRate')).toBe(2);
    // Latency of the 500s is not the service's: every latency row is left unjudged, never "unchanged".
    expect(rows.filter((m) => /\/p\d+Us$/.test(m.id)).every((m) => m.method === 'not-comparable' && m.notes[0]!.includes('tail failed or went unsent'))).toBe(true);
    // achievedRps still counts the 500s as completed: unchanged, which is why 2xx throughput exists.
    expect(rows.filter((m) => m.id.endsWith('/achievedRps')).every((m) => m.verdict !== 'regressed')).toBe(true);
    const note = rows.find((m) => m.id === 'rate-200rps/failureRate' && m.verdict === 'regressed')!.notes[0]!;
    expect(note).toMatch(/^the candidate failed more than the error budget \(1\.00 %\) in 3 of 3 runs, up to 100\.0 % of requests; no baseline run did$/);
  });

  it('the mirror image: a candidate that stops failing improved, never regressed', () => {
    const c = compareRuns(hostileCandidate(base, 'all-500'), healthy, { thresholdsPercent });
    const rows = c.groups.flatMap((g) => g.metrics.filter((m) => m.method === 'failure-gate'));
    expect(rows.every((m) => m.verdict === 'improved')).toBe(true);
  });

  it('a candidate with no open-loop steps is incomplete (exit 4) with a one-line reason', () => {
    const c = compareRuns(base, hostileCandidate(healthy, 'no-open-loop'), { thresholdsPercent });
    expect(gateOutcome(c)).toBe('incomplete');
    expect(c.incomplete).toEqual(['nothing comparable: the candidate has no open-loop steps, so its failures and capacity were never measured at a rate']);
  });

  it('a candidate whose every step was generator-bound is incomplete (exit 4), though memory and image size were judged', () => {
    const c = compareRuns(base, hostileCandidate(healthy, 'all-generator-bound'), { thresholdsPercent });
    expect(c.counts.notComparable).toBeGreaterThan(0);
    expect(c.groups[0]!.metrics.some((m) => m.id === 'memoryPeakBytes' && m.method !== 'not-comparable')).toBe(true);
    expect(gateOutcome(c)).toBe('incomplete');
    expect(c.incomplete).toHaveLength(1);
    expect(c.incomplete[0]).toBe("nothing comparable: every load step measured on both sides was generator-bound (the closed loop and 2 open-loop rates), so the figures are the generator's, not the target's");
    expect(c.incomplete[0]).not.toContain('\n');
  });

  it('a generator-bound step still answers for its non-2xx responses: 500s cannot hide behind the generator', () => {
    const bound = (doc: typeof base) => hostileCandidate(doc, 'all-generator-bound');
    const c = compareRuns(bound(base), bound(hostileCandidate(healthy, 'all-500')), { thresholdsPercent });
    const failures = c.groups.flatMap((g) => g.metrics.filter((m) => m.id.endsWith('/failureRate')));
    expect(failures.every((m) => m.method === 'failure-gate' && m.verdict === 'regressed')).toBe(true);
    expect(failures[0]!.notes[0]).toMatch(/^generator-bound: only non-2xx responses judged/);
    expect(gateOutcome(c)).toBe('incomplete');
    expect(c.hasRegression).toBe(true);
  });

  it('a candidate measured on a busy machine (every step contended) is incomplete, naming why', () => {
    const contention = { intervalMs: 3000, generatorCpus: '0', generatorCpusOtherPercent: 45, generatorCpusStealPercent: 0, targetCpus: '3', targetCpusOtherPercent: 0, targetCpusStealPercent: 0 };
    const busy = { ...healthy, targets: healthy.targets.map((t) => ({ ...t, steps: t.steps.map((s) => ({ ...s, contention })) })) };
    const c = compareRuns(base, busy, { thresholdsPercent });
    expect(gateOutcome(c)).toBe('incomplete');
    expect(c.incomplete).toHaveLength(1);
    expect(c.incomplete[0]).toMatch(/^nothing comparable: no load figure could be judged on both sides \(the machine was busy during the closed-loop step \(other processes took 45 % of the generator's CPU 0\), not comparable; contended/);
  });

  it('failures a baseline already had are not the candidate\'s regression', () => {
    const c = compareRuns(hostileCandidate(base, 'all-500'), hostileCandidate(healthy, 'all-500'), { thresholdsPercent });
    expect(c.groups.flatMap((g) => g.metrics.filter((m) => m.method === 'failure-gate')).every((m) => m.verdict === 'unchanged')).toBe(true);
  });
});
