import { describe, expect, it } from 'vitest';
import { binomial, mannWhitneyU, minimumPValue, normalSurvival } from '../../../src/compare/mannwhitney.ts';

// Expected values computed with scipy 1.17 (scipy.stats.mannwhitneyu, alternative='two-sided')
// for untied samples, and by brute-force enumeration of all C(N, n1) splits for tied samples.
describe('mannWhitneyU exact distribution', () => {
  it('3 vs 3, complete separation: p = 2/C(6,3) = 0.1 (cannot reach 0.05)', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r).toMatchObject({ u: 0, n1: 3, n2: 3, method: 'exact', ties: false });
    expect(r.pValue).toBeCloseTo(0.1, 12);
  });

  it('4 vs 4, complete separation: p = 2/70', () => {
    const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]);
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(0.02857142857142857, 12);
    // symmetric in the order of the samples
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]).u).toBe(16);
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]).pValue).toBeCloseTo(0.02857142857142857, 12);
  });

  it('5 vs 5 interleaved (scipy: U=9, p=0.5476190476190477)', () => {
    const r = mannWhitneyU([1.1, 2.5, 3.3, 9.0, 4.2], [5.5, 6.1, 0.7, 8.8, 7.7]);
    expect(r.u).toBe(9);
    expect(r.pValue).toBeCloseTo(0.5476190476190477, 12);
  });

  it('8 vs 8 (scipy: U=9, p=0.014763014763014764)', () => {
    const r = mannWhitneyU([10, 11, 12, 13, 14, 15, 16, 17], [12.5, 13.5, 18, 19, 20, 21, 22, 23]);
    expect(r.u).toBe(9);
    expect(r.pValue).toBeCloseTo(0.014763014763014764, 12);
  });

  it('50 vs 50 is still exact (scipy exact: U=1059, p=0.18995162893958173)', () => {
    const x = Array.from({ length: 50 }, (_, i) => i * 1.1);
    const y = Array.from({ length: 50 }, (_, i) => i * 1.3 + 0.05);
    const r = mannWhitneyU(x, y);
    expect(r).toMatchObject({ u: 1059, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.18995162893958173, 10);
  });

  it('ties: exact distribution conditional on the ties (enumeration: U=2.5, p=0.2)', () => {
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 4]);
    expect(r).toMatchObject({ u: 2.5, ties: true, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.2, 12);
  });

  it('ties: 5 vs 5 (enumeration: U=3, p=0.07936507936507936)', () => {
    const r = mannWhitneyU([100, 100, 101, 101, 102], [101, 102, 102, 103, 103]);
    expect(r.u).toBe(3);
    expect(r.pValue).toBeCloseTo(0.07936507936507936, 12);
  });

  it('all values tied: p = 1', () => {
    const r = mannWhitneyU([5, 5, 5], [5, 5, 5]);
    expect(r.u).toBe(4.5);
    expect(r.pValue).toBe(1);
  });

  it('1 vs 1: p = 1 whatever the values', () => {
    expect(mannWhitneyU([1], [100]).pValue).toBe(1);
  });
});

describe('mannWhitneyU normal approximation', () => {
  it('60 vs 60 with ties (scipy asymptotic: U=756, p=4.1670174003661324e-08)', () => {
    const base = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const x = Array.from({ length: 6 }, () => base).flat();
    const y = x.map((v) => v + 3.5);
    const r = mannWhitneyU(x, y);
    expect(r).toMatchObject({ u: 756, method: 'normal', ties: true });
    expect(r.pValue / 4.1670174003661324e-8).toBeCloseTo(1, 5);
  });

  it('normal survival function matches known quantiles', () => {
    expect(normalSurvival(1.959963984540054)).toBeCloseTo(0.025, 7);
    expect(normalSurvival(0)).toBeCloseTo(0.5, 7);
    expect(normalSurvival(-1)).toBeCloseTo(0.8413447460685429, 7);
  });
});

describe('helpers', () => {
  it('binomial', () => {
    expect(binomial(6, 3)).toBe(20);
    expect(binomial(10, 0)).toBe(1);
    expect(binomial(3, 4)).toBe(0);
  });
  it('minimumPValue: n=3 per side can never reach 0.05, n=4 can', () => {
    expect(minimumPValue(3, 3)).toBeCloseTo(0.1, 12);
    expect(minimumPValue(2, 2)).toBeCloseTo(1 / 3, 12);
    expect(minimumPValue(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(minimumPValue(1, 1)).toBe(1);
  });
  it('rejects empty and non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([Number.NaN], [1])).toThrow(RangeError);
  });
});
