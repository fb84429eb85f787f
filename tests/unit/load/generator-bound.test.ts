import { describe, expect, it } from 'vitest';
import { generatorAtCapacity, generatorBound, type GeneratorFigures } from '../../../src/load/generator-bound.ts';

const healthy: GeneratorFigures = { offeredRps: 1000, achievedRps: 1000, sent: 10_000, intended: 10_000, late: 10, droppedByGenerator: 0, latenessP50Us: 300, latenessP99Us: 900, cpuPercent: 40, busyThreads: 1 };

describe('generatorBound', () => {
  it('passes a punctual, idle generator', () => {
    expect(generatorBound(healthy)).toEqual({ bound: false, reasons: [] });
  });
  it('treats timer jitter (p99 of a few ms, a few % late) as noise, not a limit', () => {
    expect(generatorBound({ ...healthy, latenessP99Us: 3000, late: 800 })).toEqual({ bound: false, reasons: [] });
  });
  it('flags a median lateness above 1 ms', () => {
    expect(generatorBound({ ...healthy, latenessP50Us: 1000 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, latenessP50Us: 1001 }).reasons).toEqual(['generator lateness p50 1001 µs > 1000 µs']);
  });
  it('flags lateness p99 above 10 ms', () => {
    const v = generatorBound({ ...healthy, latenessP99Us: 10_001 });
    expect(v.bound).toBe(true);
    expect(v.reasons).toEqual(['generator lateness p99 10001 µs > 10000 µs']);
  });
  it('flags more than 25 % late sends, not 25 % exactly', () => {
    expect(generatorBound({ ...healthy, late: 2500 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, late: 2501 }).reasons).toEqual(['25 % of sends were late (limit 25 %)']);
  });
  it('judges drops made while a connection was free as a fraction of the step, not "any"', () => {
    // 1 of 2,500 (0.04 %) once ended a whole sweep; 0.5 % is the limit, 0.5 % exactly passes.
    expect(generatorBound({ ...healthy, intended: 2500, sent: 2499, droppedByGenerator: 1 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, droppedByGenerator: 50 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, droppedByGenerator: 51 }).reasons).toEqual([
      '51 of 10000 scheduled sends (0.51 %) were dropped while their connection was free (limit 0.50 %)',
    ]);
  });
  it('blames a shortfall on the generator only when its CPU is busy', () => {
    expect(generatorBound({ ...healthy, achievedRps: 900, cpuPercent: 89 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, achievedRps: 900, cpuPercent: 90 }).bound).toBe(true);
    // Two workers: busy means ≥ 180 % of one core.
    expect(generatorBound({ ...healthy, achievedRps: 900, cpuPercent: 150, busyThreads: 2 }).bound).toBe(false);
    expect(generatorBound({ ...healthy, achievedRps: 900, cpuPercent: 185, busyThreads: 2 }).bound).toBe(true);
  });
  it('flags a closed-loop step run with a busy generator; ignores missing lateness', () => {
    expect(generatorBound({ ...healthy, offeredRps: null, latenessP50Us: null, latenessP99Us: null, cpuPercent: 95 }).bound).toBe(true);
    expect(generatorBound({ ...healthy, offeredRps: null, latenessP50Us: null, latenessP99Us: null, cpuPercent: 50 }).bound).toBe(false);
  });
});

describe('generatorBound with a measured ceiling', () => {
  const closed = { ...healthy, offeredRps: null, latenessP50Us: null, latenessP99Us: null };
  const ceiling = { rps: 50_000, limitedBy: 'generator' as const, marginFraction: 0.1 };
  it('decides a closed-loop step by the ceiling, not by CPU: 45,000 of 50,000 is the load side\'s, 44,999 is not', () => {
    expect(generatorBound({ ...closed, achievedRps: 45_000, cpuPercent: 20, ceiling }).reasons).toEqual([
      "closed-loop step: 45000 req/s is within 10 % of the load side's measured ceiling 50000 req/s (closed loop against the calibration server, the generator's own limit): the figure may be the load side's",
    ]);
    // a busy-polling thread at 100 % work CPU, well below the ceiling: the target's figure
    expect(generatorBound({ ...closed, achievedRps: 44_999, cpuPercent: 100, ceiling })).toEqual({ bound: false, reasons: [] });
  });
  it('says the load side\'s limit is unknown for a figure above a ceiling measured low', () => {
    expect(generatorBound({ ...closed, achievedRps: 50_001, cpuPercent: 20, ceiling }).reasons[0]).toContain(
      "50001 req/s is above the load side's ceiling measured in this run, 50000 req/s",
    );
  });
  it('names a ceiling the calibration server limited as a lower bound of the generator', () => {
    const reasons = generatorBound({ ...closed, achievedRps: 60_000, cpuPercent: 20, ceiling: { ...ceiling, limitedBy: 'calibration server' } }).reasons;
    expect(reasons[0]).toContain("limited by the calibration server there, so the generator's own limit is at least that");
  });
  it('marks an open-loop shortfall offered near the ceiling, with CPU to spare', () => {
    const open = { ...healthy, offeredRps: 48_000, achievedRps: 40_000, sent: 40_000, intended: 48_000, cpuPercent: 60, ceiling };
    expect(generatorBound(open).reasons).toEqual([
      "achieved 40000.0 rps < 95 % of offered: offered 48000 req/s is within 10 % of the load side's measured ceiling 50000 req/s (closed loop against the calibration server, the generator's own limit): the figure may be the load side's",
    ]);
    // the same shortfall far below the ceiling is the target's (saturation), not the generator's
    expect(generatorBound({ ...open, offeredRps: 30_000, achievedRps: 20_000 }).bound).toBe(false);
  });
});

describe('generatorAtCapacity', () => {
  const step = (achievedRps: number, work: number, workers = 1) => ({ offeredRps: 1000, achievedRps, generator: { cpuPercent: 100, workCpuPercent: work, workers } });
  it('ends a sweep only when the load side ran out: a shortfall, or work CPU at the busy limit', () => {
    expect(generatorAtCapacity(step(1000, 40))).toBe(false); // late sends with CPU to spare: pacing, not capacity
    expect(generatorAtCapacity(step(949, 40))).toBe(true); // below 95 % of offered
    expect(generatorAtCapacity(step(1000, 90))).toBe(true);
    expect(generatorAtCapacity(step(1000, 150, 2))).toBe(false);
    expect(generatorAtCapacity({ offeredRps: null, achievedRps: 5000, generator: { cpuPercent: 50, workers: 1 } })).toBe(true);
  });
});
