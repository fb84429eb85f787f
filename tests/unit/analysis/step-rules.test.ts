import { describe, expect, it } from 'vitest';
import { atScaleRate, atScaleStep, commonLatencyKind, isUsable, matchesRate, openLoopSteps, unservedRequests } from '../../../src/analysis/step-rules.ts';
import { makeStep, percentiles } from '../../helpers/sample-run.ts';

describe('step rules', () => {
  it('matches a step to a rate within 1 %, or from 1 % below it up with orAbove', () => {
    expect(matchesRate(990, 1000)).toBe(true);
    expect(matchesRate(1010, 1000)).toBe(true);
    expect(matchesRate(989, 1000)).toBe(false);
    expect(matchesRate(1011, 1000)).toBe(false);
    expect(matchesRate(5000, 1000, true)).toBe(true);
    expect(matchesRate(990, 1000, true)).toBe(true);
    expect(matchesRate(989, 1000, true)).toBe(false);
  });

  it('takes "at scale" as the highest open-loop rate neither saturated nor generator-bound', () => {
    const steps = [
      makeStep({ kind: 'max', achievedRps: 9000 }),
      makeStep({ offeredRps: 4000, achievedRps: 3000, saturated: true }),
      makeStep({ offeredRps: 1000, achievedRps: 1000 }),
      makeStep({ offeredRps: 3000, achievedRps: 2500, generatorBound: true }),
      makeStep({ offeredRps: 2000, achievedRps: 2000 }),
    ];
    expect(openLoopSteps(steps).map((s) => s.offeredRps)).toEqual([1000, 2000, 3000, 4000]);
    expect(atScaleStep(steps)?.offeredRps).toBe(2000);
    expect(atScaleStep([steps[0]!, steps[1]!])).toBeUndefined();
    const rates = [
      { offeredRps: 1000, saturated: 0, generatorBound: 0 },
      { offeredRps: 2000, saturated: 0, generatorBound: 0 },
      { offeredRps: 3000, saturated: 1, generatorBound: 0 },
      { offeredRps: 4000, saturated: 0, generatorBound: 2 },
    ];
    expect(atScaleRate(rates)?.offeredRps).toBe(2000);
  });

  it('compares steps in corrected latency only when every one has it', () => {
    const corrected = makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: percentiles(300) });
    const uncorrectedOnly = makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: null });
    expect(commonLatencyKind([corrected, corrected])).toBe('corrected');
    expect(commonLatencyKind([corrected, uncorrectedOnly])).toBe('uncorrected');
  });

  it('counts failed plus never-sent requests as unserved', () => {
    const step = makeStep({ offeredRps: 100, achievedRps: 90, sent: 1000, failed: 7 });
    step.counts.dropped = 3;
    expect(unservedRequests(step)).toBe(10);
  });

  it('counts completed and interrupted repetitions, not failed or skipped ones', () => {
    expect(['completed', 'interrupted', 'failed', 'skipped'].map((status) => isUsable({ status } as never))).toEqual([true, true, false, false]);
  });
});
