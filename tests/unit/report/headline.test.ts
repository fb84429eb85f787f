import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../../src/report/model.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

function target(name: string, configuration: string, maxRps: number, o: { bound?: boolean; sustainable?: number; peakMiB?: number; p95Us?: number } = {}) {
  return makeTarget({
    name,
    configuration,
    cpus: 1,
    sustainableRps: o.sustainable ?? null,
    memoryPeakBytes: (o.peakMiB ?? 10) * 1048576,
    imageSizeBytes: 7_000_000,
    steps: [
      makeStep({ kind: 'max', achievedRps: maxRps, generatorBound: o.bound }),
      makeStep({ offeredRps: 5000, achievedRps: 5000, corrected: percentiles(300, o.p95Us ?? 600) }),
      makeStep({ offeredRps: 10000, achievedRps: 10000, corrected: percentiles(400, o.p95Us ?? 800), saturated: true }),
    ],
  });
}

describe('headline', () => {
  const doc = makeDoc([
    target('fastapi', '1-worker', 10000, { sustainable: 5000, peakMiB: 40, p95Us: 900 }),
    target('go-chi', 'gomaxprocs-1', 40000, { bound: true, sustainable: 10000, peakMiB: 8 }),
    makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'skipped', reason: 'identical on 1 CPU' }),
  ]);
  const h = buildReportModel(doc).headline;

  it('has one row per measured configuration with the figures at the claims’ rates', () => {
    expect(h.header).toEqual(['Target/configuration', 'CPUs', 'Max req/s', 'Sustainable req/s', 'p95 ms @ ≥ 5,000', 'p95 ms @ 10,000', 'Memory peak MiB', 'Image MB']);
    expect(h.rows).toEqual([
      ['fastapi/1-worker', '1', '10,000', '5,000', '0.900', '0.900 (saturated)', '40.0', '7.0'],
      ['go-chi/gomaxprocs-1', '1', '≥ 40,000', '10,000', '0.600', '0.800 (saturated)', '8.0', '7.0'],
    ]);
  });

  it('gives the ratios with their bound marks, the machine, and the skipped configuration apart', () => {
    expect(h.ratios).toEqual([
      "max throughput go-chi/fastapi: ≥ 4.00× (go-chi/gomaxprocs-1 vs fastapi/1-worker, each target's best configuration)",
      'sustainable throughput go-chi/fastapi: 2.00×',
      'memory peak fastapi/go-chi: 5.00×',
    ]);
    expect(h.machine).toBe('Example CPU 3000 @ 3.0GHz, 8 logical CPUs, 16.0 GiB, Linux 6.8 (Debian 12); each target 1 CPU(s) on cpuset 4-7, generator on 0-3; Docker 27.3.1');
    expect(h.notRun).toEqual(['go-chi/all-cores: identical on 1 CPU']);
    expect(h.thresholds).toBeNull();
  });
});
