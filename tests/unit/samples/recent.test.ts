import { describe, expect, it } from 'vitest';
import { RecentLatencies } from '../../../src/samples/recent.ts';

describe('RecentLatencies', () => {
  it('nearest-rank percentiles of what it holds', () => {
    const r = new RecentLatencies(100);
    expect(r.percentile(99)).toBeNull();
    for (let v = 1; v <= 100; v++) r.record(v);
    expect(r.percentile(99)).toBe(99);
    expect(r.percentile(50)).toBe(50);
    expect(r.percentile(100)).toBe(100);
  });

  it('keeps only the most recent values once full', () => {
    const r = new RecentLatencies(4);
    for (const v of [1000, 1000, 1000, 1000, 1, 2, 3]) r.record(v);
    // Ring holds 1, 2, 3 and one remaining 1000.
    expect(r.percentile(50)).toBe(2);
    expect(r.percentile(99)).toBe(1000);
    r.record(4);
    expect(r.percentile(99)).toBe(4);
  });

  it('agrees with a full sort on 5,000 pseudo-random values (ring of 2,048)', () => {
    const r = new RecentLatencies(2048);
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = x % 100_000;
      r.record(v);
      values.push(v);
    }
    const sorted = values.slice(-2048).sort((a, b) => a - b);
    for (const p of [1, 50, 90, 99, 99.9, 100]) expect(r.percentile(p), `p${p}`).toBe(sorted[Math.ceil((p / 100) * 2048) - 1]);
  });
});
