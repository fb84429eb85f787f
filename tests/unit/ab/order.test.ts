import { describe, expect, it } from 'vitest';
import { startOrder, trialOrder } from '../../../src/ab/order.ts';

describe('trial order', () => {
  it('alternates AB, BA (ABBA): each variant goes first in half of the pairs', () => {
    const order = trialOrder(4);
    expect(order.map((o) => o.map((s) => (s === 'baseline' ? 'A' : 'B')).join('')).join(' ')).toBe('AB BA AB BA');
    expect(order.filter((o) => o[0] === 'candidate')).toHaveLength(2);
  });
  it('cancels a linear drift: the mean position of each variant is the same over two pairs', () => {
    const positions = { baseline: 0, candidate: 0 };
    trialOrder(2).flat().forEach((side, i) => (positions[side] += i));
    expect(positions.baseline).toBe(positions.candidate);
  });
});

describe('start order', () => {
  it('a coin below ½ starts the baseline first, from ½ the candidate; each side first for half of [0, 1)', () => {
    expect(startOrder(0)).toEqual(['baseline', 'candidate']);
    expect(startOrder(0.4999)).toEqual(['baseline', 'candidate']);
    expect(startOrder(0.5)).toEqual(['candidate', 'baseline']);
    expect(startOrder(0.9999)).toEqual(['candidate', 'baseline']);
  });
  it('refuses a value outside [0, 1) rather than always picking one side', () => {
    for (const bad of [1, -0.1, Number.NaN]) expect(() => startOrder(bad)).toThrow(/must be in \[0, 1\)/);
  });
});
