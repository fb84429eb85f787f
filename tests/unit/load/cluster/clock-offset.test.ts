import { describe, expect, it } from 'vitest';
import { estimateOffset, measureOffset } from '../../../../src/load/cluster/clock-offset.ts';

describe('clock offset by round trips', () => {
  it('takes the shortest round trip: offset t1 − (t0+t2)/2, error half that round trip', () => {
    const est = estimateOffset([
      { t0Us: 0, t1Us: 5_000, t2Us: 1_000 }, // rtt 1000 → offset 4500 ± 500
      { t0Us: 2_000, t1Us: 6_150, t2Us: 2_300 }, // rtt 300 → offset 4000 ± 150 (best)
      { t0Us: 3_000, t1Us: 9_000, t2Us: 5_000 }, // rtt 2000
    ]);
    expect(est).toEqual({ offsetUs: 4000, errorUs: 150, rounds: 3 });
  });

  it('measures against a remote clock with a known offset and a fake local clock (exact)', async () => {
    // Local clock advances 100 µs per read; the remote reads local + 7,000 µs at the midpoint.
    let local = 1_000_000;
    const now = () => (local += 100);
    const remote = async () => local + 50 + 7_000;
    const est = await measureOffset(remote, 4, now);
    expect(est.offsetUs).toBe(7_000);
    expect(est.errorUs).toBe(50);
    expect(est.rounds).toBe(4);
  });

  it('refuses no samples', () => {
    expect(() => estimateOffset([])).toThrow(RangeError);
  });
});
