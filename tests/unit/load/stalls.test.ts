import { describe, expect, it } from 'vitest';
import { latencyCaveats } from '../../../src/load/stalls.ts';
import type { PercentilesUs } from '../../../src/schema/run.ts';

const p = (p50: number, p90: number, p95: number, p99: number, p999: number): PercentilesUs => ({ p50, p90, p95, p99, p999, max: p999, mean: p50, count: 10_000 });
const latency = p(100, 150, 200, 400, 2000);

describe('latencyCaveats', () => {
  it('flags nothing when stalled responses stay inside the smallest tail', () => {
    // 10 of 10,000 = 0.1 %: exactly p999's tail, not more.
    expect(latencyCaveats(latency, p(5, 10, 20, 80, 900), 10, 10_000, 250)).toEqual([]);
  });
  it('flags the percentiles whose tail the stalled responses reach, when the read delay there matters', () => {
    // 1.5 % stalled: more than p99's 1 % and p999's 0.1 %, less than p95's 5 %.
    const caveats = latencyCaveats(latency, p(5, 10, 20, 300, 900), 150, 10_000, 250);
    expect(caveats.map((c) => c.percentile)).toEqual(['p99', 'p999']);
    expect(caveats[0]!.reason).toBe(
      "1.5 % of responses were read after a generator stall (> 250 µs), more than the 1.0 % tail of p99; the generator's own read delay at p99 is 300 µs, 75 % of the 400 µs figure",
    );
  });
  it('ignores a read delay below a tenth of the figure (a saturated target dwarfs it)', () => {
    const slow = p(20_000, 40_000, 50_000, 90_000, 120_000);
    expect(latencyCaveats(slow, p(5, 10, 20, 300, 900), 150, 10_000, 250)).toEqual([]);
  });
  it('says nothing without a read-delay histogram (sleep pacing) or without completions', () => {
    expect(latencyCaveats(latency, null, 5000, 10_000, 250)).toEqual([]);
    expect(latencyCaveats(latency, p(5, 10, 20, 300, 900), 0, 0, 250)).toEqual([]);
  });
});
