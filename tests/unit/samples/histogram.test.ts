import { describe, expect, it } from 'vitest';
import { createHistogram, decodeIntervalLog, encodeHistogram, encodeIntervalLog, mergeEncoded, percentilesUs, recordUs } from '../../../src/samples/histogram.ts';

describe('histogram helpers', () => {
  it('records µs, clamps to the trackable range and summarises exactly', () => {
    const h = createHistogram();
    for (const v of [100, 200, 300, 400, 0.4]) recordUs(h, v);
    expect(percentilesUs(h)).toEqual({ p50: 200, p90: 400, p95: 400, p99: 400, p999: 400, max: 400, mean: 200.2, count: 5 });
  });

  it('merges encoded histograms exactly (counts add up)', () => {
    const a = createHistogram();
    const b = createHistogram();
    recordUs(a, 1000);
    recordUs(b, 3000);
    recordUs(b, 3000);
    const merged = mergeEncoded([encodeHistogram(a), encodeHistogram(b)]);
    expect(merged.totalCount).toBe(3);
    // HDR reports the highest value equivalent to 3000 µs at 3 significant digits (2 µs buckets above 2048).
    expect(merged.getValueAtPercentile(50)).toBe(3001);
  });

  it('round-trips an interval log: order, times and per-interval counts', () => {
    const intervals = [1, 2, 3].map((i) => {
      const h = createHistogram();
      for (let k = 0; k < i * 10; k++) recordUs(h, i * 1000);
      return { startS: i - 1, endS: i, histogram: h };
    });
    const log = encodeIntervalLog(intervals, 1_700_000_000_000, 'test log');
    expect(log).toContain('#[test log]');
    const back = decodeIntervalLog(log);
    expect(back.map((iv) => [iv.startS, iv.endS, iv.histogram.totalCount, iv.histogram.getValueAtPercentile(99)])).toEqual([
      [0, 1, 10, 1000],
      [1, 2, 20, 2000],
      [2, 3, 30, 3001], // 3000 µs read back as its bucket's highest equivalent value
    ]);
  });
});
