import { describe, expect, it } from 'vitest';
import { createIdSequence, seededRandom, zipfCdf, zipfIndex } from '../../../src/load/ids.ts';
import { ConfigError } from '../../../src/errors.ts';

const spec = (over: Partial<Parameters<typeof createIdSequence>[0]>) => ({ distribution: 'uniform' as const, min: 1, max: 10, zipfS: 1.1, seed: 1, ...over });
const take = (next: () => number, n: number) => Array.from({ length: n }, next);

/** A fake PRNG that replays the given floats. */
const replay = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('seededRandom', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(take(seededRandom(7), 5)).toEqual(take(seededRandom(7), 5));
    expect(take(seededRandom(7), 5)).not.toEqual(take(seededRandom(8), 5));
  });
  it('stays in [0, 1)', () => {
    for (const v of take(seededRandom(123), 10_000)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('sequential', () => {
  it('counts from min to max and wraps', () => {
    expect(take(createIdSequence(spec({ distribution: 'sequential', min: 3, max: 5 })), 7)).toEqual([3, 4, 5, 3, 4, 5, 3]);
  });
  it('starts each stream at its own offset', () => {
    expect(take(createIdSequence(spec({ distribution: 'sequential', min: 3, max: 5 }), 1), 4)).toEqual([4, 5, 3, 4]);
    expect(take(createIdSequence(spec({ distribution: 'sequential', min: 3, max: 5 }), 4), 2)).toEqual([4, 5]);
  });
});

describe('uniform', () => {
  it('maps floats onto min..max exactly', () => {
    const next = createIdSequence(spec({ min: 10, max: 13 }), 0, replay([0, 0.2499, 0.25, 0.5, 0.9999]));
    expect(take(next, 5)).toEqual([10, 10, 11, 12, 13]);
  });
  it('is repeatable for a seed and covers the range', () => {
    const a = take(createIdSequence(spec({ min: 1, max: 4, seed: 42 })), 200);
    expect(a).toEqual(take(createIdSequence(spec({ min: 1, max: 4, seed: 42 })), 200));
    expect(new Set(a)).toEqual(new Set([1, 2, 3, 4]));
  });
  it('gives different streams different sequences', () => {
    expect(take(createIdSequence(spec({ max: 1000 }), 0), 10)).not.toEqual(take(createIdSequence(spec({ max: 1000 }), 1), 10));
  });
  it('handles min = max', () => {
    expect(take(createIdSequence(spec({ min: 5, max: 5 })), 3)).toEqual([5, 5, 5]);
  });
  it('rejects max < min', () => {
    expect(() => createIdSequence(spec({ min: 5, max: 4 }))).toThrow(ConfigError);
  });
});

describe('zipf', () => {
  it('builds the exact CDF for n = 3, s = 1', () => {
    const h = 1 + 1 / 2 + 1 / 3;
    const cdf = zipfCdf(3, 1);
    expect(cdf[0]).toBeCloseTo(1 / h, 12);
    expect(cdf[1]).toBeCloseTo(1.5 / h, 12);
    expect(cdf[2]).toBe(1);
  });
  it('inverts the CDF at its boundaries', () => {
    const cdf = zipfCdf(3, 1); // [0.5454…, 0.8181…, 1]
    expect(zipfIndex(cdf, 0)).toBe(0);
    expect(zipfIndex(cdf, 0.545)).toBe(0);
    expect(zipfIndex(cdf, 0.546)).toBe(1);
    expect(zipfIndex(cdf, 0.818)).toBe(1);
    expect(zipfIndex(cdf, 0.819)).toBe(2);
    expect(zipfIndex(cdf, 0.99999)).toBe(2);
  });
  it('maps ranks onto min..max', () => {
    const next = createIdSequence(spec({ distribution: 'zipf', min: 100, max: 102, zipfS: 1 }), 0, replay([0.1, 0.7, 0.95]));
    expect(take(next, 3)).toEqual([100, 101, 102]);
  });
  it('favours low ids in the right proportion (n = 2, s = 1 → P(min) = 2/3)', () => {
    const ids = take(createIdSequence(spec({ distribution: 'zipf', min: 1, max: 2, zipfS: 1, seed: 9 })), 30_000);
    const share = ids.filter((id) => id === 1).length / ids.length;
    expect(Math.abs(share - 2 / 3)).toBeLessThan(0.01);
  });
});
