import { describe, expect, it } from 'vitest';
import { floorAt } from '../../../src/analysis/floor.ts';
import type { Calibration, PercentilesUs } from '../../../src/schema/run.ts';

const lat = (p50: number, p99: number): PercentilesUs => ({ p50, p90: p50 + 10, p95: p50 + 20, p99, p999: p99 * 2, max: p99 * 4, mean: p50, count: 1000 });
const calibration: Calibration = {
  server: 'test',
  cpuset: '1',
  connections: 32,
  workers: 1,
  pacing: 'spin',
  durationS: 2,
  steps: [
    { offeredRps: 1000, achievedRps: 1000, latencyUs: lat(40, 90), generatorBound: false },
    { offeredRps: 10_000, achievedRps: 10_000, latencyUs: lat(50, 200), generatorBound: false },
    { offeredRps: 40_000, achievedRps: 39_000, latencyUs: lat(45, 1500), generatorBound: true },
  ],
  error: null,
};

describe('floorAt', () => {
  it('uses the calibration step at the same rate (within 1 %)', () => {
    expect(floorAt(calibration, 10_050)).toEqual({ latencyUs: lat(50, 200), fromRps: [10_000], generatorBound: false });
  });
  it('takes the higher of the two neighbours between calibrated rates, percentile by percentile', () => {
    const f = floorAt(calibration, 25_000)!;
    expect(f.fromRps).toEqual([10_000, 40_000]);
    expect(f.latencyUs.p50).toBe(50); // the lower neighbour's p50 is the higher one
    expect(f.latencyUs.p99).toBe(1500);
    expect(f.generatorBound).toBe(true);
  });
  it("uses the edge step's floor outside the calibrated range, and null without calibration", () => {
    expect(floorAt(calibration, 500)!.fromRps).toEqual([1000]);
    expect(floorAt(calibration, 80_000)!.fromRps).toEqual([40_000]);
    expect(floorAt(null, 1000)).toBeNull();
    expect(floorAt({ ...calibration, steps: [] }, 1000)).toBeNull();
  });
});

describe('floorAt with a network floor (two-host runs)', () => {
  const network = { host: '198.18.0.2', rateRps: 100, durationS: 2, floorUs: lat(120, 150), error: null };
  it('takes the larger of the instrument and the network floor, percentile by percentile', () => {
    const f = floorAt(calibration, 10_000, network)!;
    expect(f.latencyUs.p50).toBe(120);
    expect(f.latencyUs.p99).toBe(200);
    expect(f.network).toBeUndefined(); // the calibration's p99 is the larger
    expect(floorAt(calibration, 1000, network)!.network).toBe(true);
  });
  it('is the network floor alone without a calibration, and ignores a failed one', () => {
    expect(floorAt(null, 500, network)).toEqual({ latencyUs: lat(120, 150), fromRps: [100], generatorBound: false, network: true });
    expect(floorAt(calibration, 10_000, { ...network, floorUs: null, error: 'x' })).toEqual(floorAt(calibration, 10_000));
  });
});
