import { describe, expect, it } from 'vitest';
import { calibrationRates, ladderRates, niceRate, requiredRates } from '../../../src/plan/ladder.ts';

describe('auto ladder', () => {
  it('rounds to two significant digits', () => {
    expect([niceRate(12_345), niceRate(137), niceRate(99_501), niceRate(0)]).toEqual([12_000, 140, 100_000, 0]);
  });

  it('offers fractions of the measured maximum merged with the required rates', () => {
    // 50,000: 5,000 (0.1, same as the required 5,000), 15,000, 30,000, 40,000, 48,000 (47,500 rounded), 55,000;
    // 10,000 required. No ladder rate lies within 20 % of 10,000, so all stay.
    expect(ladderRates(50_000, [5000, 10_000])).toEqual([5000, 10_000, 15_000, 30_000, 40_000, 48_000, 55_000]);
  });

  it('drops ladder rates within 20 % of a required rate, so the required one stands for them', () => {
    // 12,000: 1,200, 3,600, 7,200, 9,600 (≤ 20 % from 10,000: dropped), 11,000 (10 %: dropped), 13,000
    expect(ladderRates(12_000, [5000, 10_000])).toEqual([1200, 3600, 5000, 7200, 10_000, 13_000]);
  });

  it('scales with the maximum: the ladder of a 64-core machine has no fixed top', () => {
    const rates = ladderRates(291_000, [5000, 10_000]);
    expect(rates.at(-1)).toBe(320_000);
    expect(rates).toHaveLength(8);
  });

  it('keeps a floor of 100 req/s and the required rates when nothing completed', () => {
    expect(ladderRates(500, [])).toEqual([100, 150, 300, 400, 480, 550]);
    expect(ladderRates(0, [5000])).toEqual([5000]);
  });

  it('collects required rates from include, latency claims and thresholds', () => {
    const scenario = { load: { steps: { include: [2500] } }, thresholds: [{ atRps: 7500 }, {}] } as never;
    const claims = [{ metric: { kind: 'latencyAtRateMs', rateRps: 10_000 } }, { metric: { kind: 'maxThroughputRps' } }, { metric: { kind: 'latencyAtRateMs', rateRps: 2500 } }] as never;
    expect(requiredRates(scenario, claims)).toEqual([2500, 7500, 10_000]);
  });

  it('calibrates a 1–2.5–5 series up to the ceiling plus the required rates below it', () => {
    expect(calibrationRates(55_000, [5000, 10_000, 70_000])).toEqual([250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000]);
    expect(calibrationRates(null, [7500])).toEqual([250, 500, 1000, 2500, 5000, 7500, 10_000]);
  });
});
