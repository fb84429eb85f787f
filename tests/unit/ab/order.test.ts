import { describe, expect, it } from 'vitest';
import { trialOrder } from '../../../src/ab/order.ts';

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
