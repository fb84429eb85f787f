import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgressLine, runRemainingS, type ProgressView } from '../../../src/progress/format.ts';
import { plannedRunS } from '../../../src/run/executor.ts';

function view(overrides: Partial<ProgressView> = {}): ProgressView {
  return {
    runsTotal: 8,
    runsStarted: 3,
    perRunS: 60,
    doneInRunS: 20,
    step: { label: 'go-chi/gomaxprocs-1#1', kind: 'rate', rateRps: 10_000, durationS: 5, startedMs: 1_000 },
    snapshot: { elapsedMs: 2_500, sent: 24_990, completed: 24_980, errors: 3, p99Us: 1_234 },
    ...overrides,
  };
}

describe('formatProgressLine', () => {
  it('shows the step, elapsed/duration, achieved rate, errors, p99 so far and the run estimate', () => {
    // Run left: 60 − 20 − 2.5 = 37.5 s in this run + 5 runs × 60 s = 337.5 s → 5m38s.
    expect(formatProgressLine(view(), 3_500)).toBe(
      '[go-chi/gomaxprocs-1#1] rate 10,000 rps · 2.5/5.0 s · achieved 9,992 rps · errors 3 · p99 1.234 ms · run 3/8, ≤ 5m38s of measuring left',
    );
  });

  it('names the closed-loop, warm-up and knee steps', () => {
    const closed = view({ step: { label: 'fastapi/1-worker#2', kind: 'max', rateRps: null, durationS: 10, startedMs: 0 }, snapshot: { elapsedMs: 4_000, sent: 60_000, completed: 60_000, errors: 0, p99Us: 15_300 } });
    expect(formatProgressLine(closed, 4_000)).toBe(
      '[fastapi/1-worker#2] max (closed loop) · 4.0/10.0 s · achieved 15,000 rps · errors 0 · p99 15.30 ms · run 3/8, ≤ 5m36s of measuring left',
    );
    const knee = view({ step: { label: 'a/one#1', kind: 'knee', rateRps: 7.5, durationS: 1, startedMs: 0 }, snapshot: null, runsStarted: 8, doneInRunS: 0, perRunS: 3 });
    expect(formatProgressLine(knee, 400)).toBe('[a/one#1] knee 7.5 rps · 0.4/1.0 s · run 8/8, ≤ 3s of measuring left');
    const warm = view({ step: { label: 'a/one#1', kind: 'warmup', rateRps: null, durationS: 3, startedMs: 0 }, snapshot: { elapsedMs: 1_000, sent: 5, completed: 0, errors: 5, p99Us: null } });
    expect(formatProgressLine(warm, 1_000)).toBe('[a/one#1] warm-up · 1.0/3.0 s · achieved 0.0 rps · errors 5 · p99 — · run 3/8, ≤ 5m39s of measuring left');
  });

  it('without a snapshot (an engine without the hook) shows the clock, capped at the duration', () => {
    expect(formatProgressLine(view({ snapshot: null }), 9_000)).toBe('[go-chi/gomaxprocs-1#1] rate 10,000 rps · 5.0/5.0 s · run 3/8, ≤ 5m35s of measuring left');
  });

  it('is null between steps', () => {
    expect(formatProgressLine(view({ step: null }), 0)).toBeNull();
  });
});

describe('run estimate', () => {
  it('an upper bound: warm-up + max + every rate and knee step of each run still to come', () => {
    expect(plannedRunS({ load: { warmupS: 3, max: { durationS: 5 }, steps: { rates: [1, 2, 3, 4], durationS: 5 }, knee: { refineSteps: 2 } } } as never)).toBe(38);
    // rates: auto — the ladder (6) plus the required rates (2) plus at most 3 extensions: 3 + 5 + (11 + 2) × 5
    expect(plannedRunS({ load: { warmupS: 3, max: { durationS: 5 }, steps: { rates: 'auto', durationS: 5 }, knee: { refineSteps: 2 } } } as never, [5000, 10_000])).toBe(73);
    expect(runRemainingS(view(), 2.5)).toBe(337.5);
    // A run that stopped early (saturation) never counts below zero.
    expect(runRemainingS(view({ doneInRunS: 70 }), 1)).toBe(300);
  });

  it('formats durations as seconds or minutes and seconds, rounding up', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.2)).toBe('1m00s');
    expect(formatDuration(58.2)).toBe('59s');
    expect(formatDuration(337.5)).toBe('5m38s');
  });
});
