import { describe, expect, it } from 'vitest';
import { judgeAb, ratioVerdict, signTestP } from '../../../src/ab/judge.ts';
import { trialOrder } from '../../../src/ab/order.ts';
import type { AbSettings, Trial } from '../../../src/ab/schema.ts';
import type { Step } from '../../../src/schema/run.ts';
import { buildRunDocument } from '../../helpers/compare-fixtures.ts';

const template = buildRunDocument({ seed: 1, repetitions: 1, noise: 0 }).targets[0]!.steps;

/** A step like the fixture's, with latency ×latency, 2xx throughput ×throughput and `non2xx` failures. */
function step(rate: number | null, f: { latency?: number; throughput?: number; non2xx?: number; bound?: boolean; saturated?: boolean } = {}): Step {
  const t = structuredClone(rate === null ? template.find((s) => s.kind === 'max')! : template.find((s) => s.offeredRps === 200)!);
  // 2,000 responses per rate step (10 s at 200 req/s): every percentile rests on enough of them.
  const scale = (p: Step['latencyUs']['corrected']) => p && Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === 'count' ? 2000 : v * (f.latency ?? 1)]));
  const completed = Math.round((rate ?? 1000) * t.durationS * (f.throughput ?? 1));
  return {
    ...t,
    offeredRps: rate,
    achievedRps: completed / t.durationS,
    counts: { ...t.counts, sent: completed, completed, non2xx: f.non2xx ?? 0 },
    latencyUs: { corrected: scale(t.latencyUs.corrected) as never, uncorrected: scale(t.latencyUs.uncorrected) as never },
    generator: { ...t.generator, bound: f.bound ?? false, boundReasons: f.bound ? ['test'] : [] },
    saturated: f.saturated ?? false,
    saturationReasons: f.saturated ? ['test'] : [],
  };
}

const settings: AbSettings = {
  design: 'duet',
  pairs: 8,
  ratesRps: [200],
  stepS: 2,
  maxStepS: 1,
  warmupS: 0,
  confidence: 0.95,
  thresholdsPercent: { p50: 5, p95: 5, p99: 5, maxThroughput: 3, throughput2xx: 2 },
  errorRate: 0.01,
  p99Ms: 200,
};

/** Pairs whose baseline drifts (×1…×1.7 across the job) and whose candidate is `cand` of it, ±1 % alternating. */
function trials(cand: { latency?: number; throughput?: number; non2xx?: number; saturated?: boolean; bound?: boolean }, pairs = 8): Trial[] {
  return trialOrder(pairs).map((order, i) => {
    const drift = 1 + 0.1 * i;
    const wobble = i % 2 === 0 ? 1.01 : 0.99;
    return {
      target: 'go-chi',
      configuration: 'c',
      pair: i,
      order: [...order] as Trial['order'],
      baseline: { steps: [step(null, { latency: drift, bound: cand.bound }), step(200, { latency: drift, bound: cand.bound })], error: null },
      candidate: {
        steps: [
          step(null, { latency: drift * (cand.latency ?? 1) * wobble, throughput: (cand.throughput ?? 1) * wobble, bound: cand.bound }),
          step(200, { latency: drift * (cand.latency ?? 1) * wobble, non2xx: cand.non2xx, saturated: cand.saturated, bound: cand.bound }),
        ],
        error: null,
      },
    };
  });
}

const verdictOf = (r: ReturnType<typeof judgeAb>, id: string) => r.groups[0]!.metrics.find((m) => m.id === id)!.verdict;

describe('ratio verdicts', () => {
  it('needs the interval off 1 and the estimate beyond the threshold for a regression', () => {
    expect(ratioVerdict({ ratio: 1.1, ratioLow: 1.06, ratioHigh: 1.14 }, 'higher', 5)).toBe('regression');
    // Significant but smaller than the threshold, and the interval reaches past it: cannot say.
    expect(ratioVerdict({ ratio: 1.03, ratioLow: 1.01, ratioHigh: 1.08 }, 'higher', 5)).toBe('inconclusive');
    // Significant, small, and the interval inside ±5 %: a change of 5 % is ruled out.
    expect(ratioVerdict({ ratio: 1.03, ratioLow: 1.01, ratioHigh: 1.04 }, 'higher', 5)).toBe('unchanged');
    expect(ratioVerdict({ ratio: 0.9, ratioLow: 0.85, ratioHigh: 0.93 }, 'higher', 5)).toBe('improvement');
    expect(ratioVerdict({ ratio: 0.9, ratioLow: 0.85, ratioHigh: 0.93 }, 'lower', 5)).toBe('regression');
    expect(ratioVerdict({ ratio: 1.0, ratioLow: null, ratioHigh: null }, 'higher', 5)).toBe('inconclusive');
  });
});

/** The trials with every rate step's latency resting on `count` responses. */
function withCount(ts: Trial[], count: number): Trial[] {
  const set = (st: Step): Step =>
    st.kind !== 'rate'
      ? st
      : {
          ...st,
          latencyUs: {
            corrected: st.latencyUs.corrected && { ...st.latencyUs.corrected, count },
            uncorrected: st.latencyUs.uncorrected && { ...st.latencyUs.uncorrected, count },
          },
        };
  return ts.map((t) => ({ ...t, baseline: { ...t.baseline, steps: t.baseline.steps.map(set) }, candidate: { ...t.candidate, steps: t.candidate.steps.map(set) } }));
}

describe('percentiles resting on too few responses', () => {
  it('a p99 of 400 responses (4 beyond it) is not compared, with the reason; p50 and p95 of the same steps are; 800 responses (8 beyond) are enough', () => {
    const few = judgeAb(withCount(trials({ latency: 1.2 }), 400), settings).groups[0]!.metrics;
    const p99 = few.find((m) => m.id === 'rate-200/p99')!;
    expect(p99.verdict).toBe('inconclusive');
    expect(p99.pairs).toBe(0);
    expect(p99.reason).toContain('8 pair(s) not comparable (baseline p99 resting on 4 response(s) beyond it (400 in the step; ≥ 8 needed: a longer --step-s))');
    expect(few.find((m) => m.id === 'rate-200/p95')!.verdict).toBe('regression');
    expect(few.find((m) => m.id === 'rate-200/p50')!.verdict).toBe('regression');
    const enough = judgeAb(withCount(trials({ latency: 1.2 }), 800), settings).groups[0]!.metrics;
    expect(enough.find((m) => m.id === 'rate-200/p99')).toMatchObject({ verdict: 'regression', pairs: 8 });
  });
});

describe('an inconclusive metric says what would decide it', () => {
  it('a wide interval names the pairs that would narrow it to the threshold; no interval, no count', () => {
    // Candidate ÷ baseline at 200 req/s exactly these ratios: HL +3.5 %, 95 % interval [W(4), W(33)] of
    // the logs' Walsh averages = [0.85, 1.2490]; half-width 0.1906 vs ln 1.05: 8 × 3.944 = 124.4 → 125.
    const ratios = [1.3, 0.8, 1.25, 0.85, 1.2, 0.9, 1.15, 0.95];
    const ts = trials({}).map((t, i) => ({ ...t, candidate: { ...t.candidate, steps: [t.candidate.steps[0]!, step(200, { latency: (1 + 0.1 * i) * ratios[i]! })] } }));
    const p50 = judgeAb(ts, settings).groups[0]!.metrics.find((m) => m.id === 'rate-200/p50')!;
    expect(p50).toMatchObject({ verdict: 'inconclusive', pairs: 8 });
    expect(p50.reason).toContain('+3.5 % (-15.0 % … +24.9 %): cannot rule a 5 % change in or out; ≈ 125 pairs (--trials 125) would narrow it to ±5 % if its spread is sampling alone');
    // Wider still: [0.55, 1.789], 8 × (0.5898 / ln 1.05)² = 1168.1 → 1169 pairs, beyond what one run takes.
    const wide = [2, 0.5, 1.8, 0.55, 1.6, 0.6, 1.5, 0.65];
    const wts = trials({}).map((t, i) => ({ ...t, candidate: { ...t.candidate, steps: [t.candidate.steps[0]!, step(200, { latency: (1 + 0.1 * i) * wide[i]! })] } }));
    const w50 = judgeAb(wts, settings).groups[0]!.metrics.find((m) => m.id === 'rate-200/p50')!;
    expect(w50.reason).toContain('; ≈ 1169 pairs (more than one run takes: --trials ≤ 200) would narrow it to ±5 %');
    const five = judgeAb(ts.slice(0, 5), { ...settings, pairs: 5 }).groups[0]!.metrics.find((m) => m.id === 'rate-200/p50')!;
    expect(five.verdict).toBe('inconclusive');
    expect(five.reason).not.toContain('--trials');
  });
});

describe('judging an A/B run', () => {
  it('identical variants under a 70 % drift: every ratio metric unchanged, outcome pass', () => {
    const r = judgeAb(trials({}), settings);
    expect(r.outcome).toBe('pass');
    expect(r.groups[0]!.metrics.filter((m) => m.verdict !== 'unchanged')).toEqual([]);
  });
  it('a +10 % latency candidate is a regression on p50/p95/p99, with the interval around +10 %', () => {
    const r = judgeAb(trials({ latency: 1.1 }), settings);
    expect(r.outcome).toBe('regression');
    for (const p of ['p50', 'p95', 'p99']) expect(verdictOf(r, `rate-200/${p}`)).toBe('regression');
    const p50 = r.groups[0]!.metrics.find((m) => m.id === 'rate-200/p50')!;
    expect(p50.changeLowPercent!).toBeLessThan(10.01);
    expect(p50.changeHighPercent!).toBeGreaterThan(9.99);
    expect(p50.pairs).toBe(8);
  });
  it('a −5 % max-throughput candidate is a regression on max throughput only', () => {
    const r = judgeAb(trials({ throughput: 0.95 }), settings);
    expect(verdictOf(r, 'max/throughput2xx')).toBe('regression');
    expect(verdictOf(r, 'rate-200/p50')).toBe('unchanged');
  });
  it('a candidate answering 500 is a regression even with the same latency (2xx throughput and the failure gate)', () => {
    const r = judgeAb(trials({ non2xx: 400 }), settings);
    expect(r.outcome).toBe('regression');
    expect(verdictOf(r, 'rate-200/failures')).toBe('regression');
    expect(verdictOf(r, 'rate-200/throughput2xx')).toBe('regression');
    expect(verdictOf(r, 'rate-200/p50')).toBe('unchanged');
  });
  it('a candidate that saturates where the baseline did not is a regression', () => {
    expect(verdictOf(judgeAb(trials({ saturated: true }), settings), 'rate-200/saturation')).toBe('regression');
  });
  it('saturation split 4 vs 3 on a busy machine is chance, not a regression (sign test on discordant pairs)', () => {
    const t = trials({});
    const sat = (side: 'baseline' | 'candidate', i: number) => {
      const step = t[i]![side].steps.find((s) => s.offeredRps === 200)!;
      step.saturated = true;
    };
    [0, 1, 2, 3].forEach((i) => sat('candidate', i));
    [3, 4, 5].forEach((i) => sat('baseline', i));
    expect(verdictOf(judgeAb(t, settings), 'rate-200/saturation')).toBe('unchanged');
  });
  it('sign test: exact tails', () => {
    expect(signTestP(5, 5)).toBe(1 / 32);
    expect(signTestP(4, 5)).toBe(6 / 32);
    expect(signTestP(0, 0)).toBe(1);
  });
  it('all steps generator-bound: nothing comparable, incomplete (exit 4), never pass', () => {
    const r = judgeAb(trials({ bound: true }), settings);
    expect(r.outcome).toBe('incomplete');
    expect(r.reasons[0]).toMatch(/no latency or throughput metric of go-chi\/c could be judged/);
  });
  it('too few pairs for an interval: inconclusive metrics, incomplete', () => {
    expect(judgeAb(trials({ latency: 1.5 }, 4), settings).outcome).toBe('incomplete');
  });
  it('a candidate that crashed in a trial the baseline completed is a regression', () => {
    const t = trials({});
    t[3]!.candidate = { steps: [], error: 'target exited with code 2 during the step' };
    const r = judgeAb(t, settings);
    expect(r.outcome).toBe('regression');
    expect(verdictOf(r, 'trials/errors')).toBe('regression');
  });
  it('no trials: incomplete', () => {
    expect(judgeAb([], settings)).toMatchObject({ outcome: 'incomplete', reasons: ['no trial was measured'] });
  });
});
