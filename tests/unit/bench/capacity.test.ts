import { describe, expect, it } from 'vitest';
import { capacityTable, spread } from '../../../bench/capacity-lib.ts';

describe('bench:capacity arithmetic', () => {
  it('takes the median of odd and even counts, ignoring missing figures', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spread([NaN, 5])).toEqual({ median: 5, min: 5, max: 5 });
    expect(spread([])).toBeNull();
  });

  it('ratios are per round (each generator against the same round\'s wrk), then summarised', () => {
    const rows = capacityTable(
      [
        { target: 'go-chi', round: 0, figures: { wrk: 100, 'ours-1': 95 } },
        { target: 'go-chi', round: 1, figures: { wrk: 50, 'ours-1': 50 } },
        { target: 'go-chi', round: 2, figures: { wrk: 80, 'ours-1': 72 } },
      ],
      ['wrk', 'ours-1', 'oha'],
    );
    expect(rows.slice(2)).toEqual([
      '| go-chi | wrk | 80 (50–100) | 1 |',
      // per-round ratios 0.95, 1.00, 0.90: median 0.95 (a ratio of medians would be 72/80 = 0.90)
      '| go-chi | ours, 1 thread | 72 (50–95) | 0.95× (0.90–1.00) |',
    ]);
  });
});
