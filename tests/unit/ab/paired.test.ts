import { describe, expect, it } from 'vitest';
import { hodgesLehmann, pairedRatioInterval, pairsToNarrow, shiftInterval, signedRankCounts, walshAverages, walshBoundIndex } from '../../../src/ab/paired.ts';

describe('signed-rank null distribution', () => {
  it('counts the sign patterns of T+ exactly (n = 3: sums of subsets of {1,2,3})', () => {
    // {} 0, {1} 1, {2} 2, {3} 3, {1,2} 3, {1,3} 4, {2,3} 5, {1,2,3} 6
    expect(signedRankCounts(3)).toEqual([1, 1, 1, 2, 1, 1, 1]);
    expect(signedRankCounts(8).reduce((a, b) => a + b, 0)).toBe(256);
  });
});

describe('interval bound index', () => {
  it('n = 6 at 95 %: c = 1 (P(T+ ≤ 0) = 1/64 ≤ 0.025 < P(T+ ≤ 1) = 2/64), coverage 62/64', () => {
    expect(walshBoundIndex(6, 0.95)).toEqual({ c: 1, achieved: 1 - 2 / 64, method: 'exact' });
  });
  it('n = 8 at 95 %: P(T+ ≤ 3) = 5/256 ≤ 0.025 < P(T+ ≤ 4) = 7/256, so c = 4, coverage 1 − 10/256', () => {
    expect(walshBoundIndex(8, 0.95)).toEqual({ c: 4, achieved: 1 - 10 / 256, method: 'exact' });
  });
  it('has no 95 % interval with 5 pairs or fewer (2/32 > 0.05)', () => {
    expect(walshBoundIndex(5, 0.95)).toBeNull();
    expect(walshBoundIndex(0, 0.95)).toBeNull();
  });
  it('switches to the normal approximation above 50 pairs, close to the exact index at 50', () => {
    const exact = walshBoundIndex(50, 0.95)!;
    const normal = walshBoundIndex(51, 0.95)!;
    expect(normal.method).toBe('normal');
    // Adding a pair moves the bound by about n/2 order statistics; the two agree within that.
    expect(Math.abs(normal.c - exact.c)).toBeLessThan(40);
  });
});

describe('Hodges–Lehmann', () => {
  it('is the median of the Walsh averages: {1,2,4} → 1, 1.5, 2, 2.5, 3, 4 → 2.25', () => {
    expect(walshAverages([1, 2, 4])).toEqual([1, 1.5, 2, 2.5, 3, 4]);
    expect(hodgesLehmann([1, 2, 4])).toBe(2.25);
  });
  it('interval of 1..8 at 95 %: [W(4), W(33)] = [2, 7], estimate 4.5', () => {
    // Walsh averages of 1..8 sorted start 1, 1.5, 2, 2 (…) and end symmetrically 7, 7, 7.5, 8.
    expect(shiftInterval([1, 2, 3, 4, 5, 6, 7, 8], 0.95)).toMatchObject({ n: 8, estimate: 4.5, low: 2, high: 7, method: 'exact' });
  });
  it('interval of 1..6 at 95 % is [min, max] (c = 1)', () => {
    expect(shiftInterval([6, 1, 5, 2, 4, 3], 0.95)).toMatchObject({ estimate: 3.5, low: 1, high: 6 });
  });
  it('too few pairs: an estimate without bounds', () => {
    expect(shiftInterval([1, 2, 4], 0.95)).toMatchObject({ estimate: 2.25, low: null, high: null, method: 'none' });
  });
});

describe('paired ratios', () => {
  it('judges candidate ÷ baseline on logs: a constant ×1.1 gives exactly 1.1 with a zero-width interval', () => {
    const a = [100, 200, 50, 400, 80, 120];
    const r = pairedRatioInterval(a, a.map((x) => x * 1.1), 0.95);
    expect(r.ratio).toBeCloseTo(1.1, 12);
    expect(r.ratioLow).toBeCloseTo(1.1, 12);
    expect(r.ratioHigh).toBeCloseTo(1.1, 12);
  });
  it('a drift that scales both sides alike cancels: pairs with baseline ×2 drift still give the ratio', () => {
    const a = [100, 200, 400, 800, 1600, 3200];
    const b = [110, 220, 440, 880, 1760, 3520];
    expect(pairedRatioInterval(a, b, 0.95).ratio).toBeCloseTo(1.1, 12);
  });
  it('ratios e^1 … e^6 → estimate e^3.5, interval [e^1, e^6]', () => {
    const a = [1, 1, 1, 1, 1, 1];
    const b = [1, 2, 3, 4, 5, 6].map(Math.exp);
    const r = pairedRatioInterval(a, b, 0.95);
    expect(Math.log(r.ratio)).toBeCloseTo(3.5, 12);
    expect(Math.log(r.ratioLow!)).toBeCloseTo(1, 12);
    expect(Math.log(r.ratioHigh!)).toBeCloseTo(6, 12);
  });
  it('refuses a value ≤ 0 (a ratio needs two positive figures)', () => {
    expect(() => pairedRatioInterval([1, 0], [1, 1], 0.95)).toThrow(/≤ 0/);
  });
});

describe('pairs to narrow an interval', () => {
  it('[0.9, 1.1] from 12 pairs to ±5 %: half-width (ln 1.1 − ln 0.9)/2 = 0.10034 vs ln 1.05 = 0.04879, 12 × 2.0564² = 50.7 → 51', () => {
    expect(pairsToNarrow(12, 0.9, 1.1, 5)).toBe(51);
  });
  it('an interval twice as wide in log terms needs four times the pairs', () => {
    const a = pairsToNarrow(10, Math.exp(-0.1), Math.exp(0.1), 5)!;
    const b = pairsToNarrow(10, Math.exp(-0.2), Math.exp(0.2), 5)!;
    // ceil(10 × (0.1/ln 1.05)²) = ceil(42.01) = 43; ceil(10 × (0.2/ln 1.05)²) = ceil(168.03) = 169
    expect([a, b]).toEqual([43, 169]);
  });
  it('nothing to add when the interval is already that narrow, and refuses a reversed interval or no threshold', () => {
    expect(pairsToNarrow(12, 0.98, 1.03, 5)).toBeNull();
    expect(() => pairsToNarrow(12, 1.1, 0.9, 5)).toThrow(/low ≤ high/);
    expect(() => pairsToNarrow(12, 0.9, 1.1, 0)).toThrow(/threshold/);
  });
});
