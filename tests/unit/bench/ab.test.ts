/** The A/A noise analysis of `npm run bench:ab` (bench/ab-lib.ts), on tiny hand-computed inputs. */
import { describe, expect, it } from 'vitest';
import { noiseComponents, pairsForPower } from '../../../bench/ab-lib.ts';

describe('noiseComponents', () => {
  it('runs that differ by less than sampling explains: F < 1, no per-run component', () => {
    // Means 0.2 and 0.3; within SS 4 × 0.01 on 2 df → 0.02; between SS 0.01 on 1 df → F 0.5.
    const c = noiseComponents([
      [0.1, 0.3],
      [0.2, 0.4],
    ]);
    expect(c).not.toBeNull();
    expect(c!.runs).toBe(2);
    expect(c!.pairs).toBe(4);
    expect(c!.withinSdPercent).toBeCloseTo(100 * Math.sqrt(0.02), 10);
    expect(c!.f).toBeCloseTo(0.5, 10);
    expect(c!.betweenSdPercent).toBe(0);
  });
  it('runs far apart: the per-run component is (MSB − MSW) ÷ n0', () => {
    // Means 0.1 and 1.1: between SS 1 on 1 df, within 0.02 → F 50, between variance (1 − 0.02) ÷ 2 = 0.49.
    const c = noiseComponents([
      [0, 0.2],
      [1, 1.2],
    ])!;
    expect(c.f).toBeCloseTo(50, 8);
    expect(c.betweenSdPercent).toBeCloseTo(70, 8);
    expect(c.withinSdPercent).toBeCloseTo(100 * Math.sqrt(0.02), 10);
  });
  it('one run: the within sd, no F', () => {
    const c = noiseComponents([[0.1, 0.3, 0.2]])!;
    expect(c.withinSdPercent).toBeCloseTo(10, 10);
    expect(c.f).toBeNull();
    expect(c.betweenSdPercent).toBe(0);
  });
  it('no within-run degree of freedom (one pair a run) and empty runs: null', () => {
    expect(noiseComponents([[0.1], [0.2], []])).toBeNull();
    expect(noiseComponents([])).toBeNull();
  });
  it('unequal runs weigh by their pairs: a run of 1 pair adds between-run information only', () => {
    const c = noiseComponents([[0.1, 0.3], [0.2]])!;
    // Within: only the first run's SS 0.02 on 1 df; grand mean 0.2 → between SS 2 × 0 + 1 × 0 = 0.
    expect(c.withinSdPercent).toBeCloseTo(100 * Math.sqrt(0.02), 10);
    expect(c.f).toBeCloseTo(0, 12);
  });
});

describe('pairsForPower', () => {
  it('sampling noise only: (within × (z95 + z90) ÷ ln(1 + change))², rounded up', () => {
    // 0.1 × 3.241516 ÷ ln 1.1 = 3.40102 → 11.567 → 12 pairs for +10 %; +5 % needs ~3.8× as many.
    expect(pairsForPower({ withinSdPercent: 10, betweenSdPercent: 0 }, 10)).toBe(12);
    expect(pairsForPower({ withinSdPercent: 10, betweenSdPercent: 0 }, 5)).toBe(45);
    expect(pairsForPower({ withinSdPercent: 22.6, betweenSdPercent: 0 }, 10)).toBe(60);
  });
  it('a per-run component costs pairs, and past se it makes the change undecidable in one run', () => {
    expect(pairsForPower({ withinSdPercent: 10, betweenSdPercent: 1 }, 10)).toBe(14);
    expect(pairsForPower({ withinSdPercent: 10, betweenSdPercent: 3 }, 10)).toBeNull();
  });
  it('a tiny within sd still needs one pair', () => {
    expect(pairsForPower({ withinSdPercent: 0.01, betweenSdPercent: 0 }, 10)).toBe(1);
  });
  it('a drop is sized by |ln(1 + change)|: −5 % is a slightly larger log step than +5 %', () => {
    // ln 0.95 = −0.051293 vs ln 1.05 = 0.048790: (0.1 × 3.241516 ÷ 0.051293)² = 39.94 → 40, not 45.
    expect(pairsForPower({ withinSdPercent: 10, betweenSdPercent: 0 }, -5)).toBe(40);
  });
  it('a change that is not a change is refused', () => {
    expect(() => pairsForPower({ withinSdPercent: 10, betweenSdPercent: 0 }, 0)).toThrow(RangeError);
    expect(() => pairsForPower({ withinSdPercent: 10, betweenSdPercent: 0 }, -100)).toThrow(RangeError);
  });
});
