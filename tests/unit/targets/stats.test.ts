import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { cpuDelta, memoryWithoutCacheBytes, ResourceAccumulator, intervalNs } from '../../../src/targets/stats.ts';

function sample(opts: { cpu: number; precpu: number; system: number; presystem: number; online?: number; usage?: number; detail?: Record<string, number> }) {
  return {
    cpu_stats: { cpu_usage: { total_usage: opts.cpu }, system_cpu_usage: opts.system, online_cpus: opts.online ?? 2 },
    precpu_stats: { cpu_usage: { total_usage: opts.precpu }, system_cpu_usage: opts.presystem, online_cpus: opts.online ?? 2 },
    memory_stats: { usage: opts.usage ?? 0, stats: opts.detail ?? {} },
  } as unknown as Docker.ContainerStats;
}

describe('stats arithmetic', () => {
  it('computes percent of one core like docker stats', () => {
    // 0.5 s of container CPU over 1 s wall on 2 CPUs (2 s host CPU) = 50 % of one core.
    const s = sample({ cpu: 1.5e9, precpu: 1e9, system: 12e9, presystem: 10e9, online: 2 });
    expect(cpuDelta(s)).toEqual({ containerNs: 0.5e9, systemNs: 2e9, onlineCpus: 2, wallNs: null });
    const acc = new ResourceAccumulator();
    acc.add(s);
    expect(acc.result()?.cpuPercent).toBe(50);
  });

  it('has no delta on the first sample (precpu empty)', () => {
    expect(cpuDelta(sample({ cpu: 5, precpu: 0, system: 100, presystem: 0 }))).toBeNull();
  });

  it('subtracts cache on cgroup v1 and inactive_file on v2', () => {
    expect(memoryWithoutCacheBytes(sample({ cpu: 0, precpu: 0, system: 0, presystem: 0, usage: 1000, detail: { cache: 300 } }))).toBe(700);
    expect(memoryWithoutCacheBytes(sample({ cpu: 0, precpu: 0, system: 0, presystem: 0, usage: 1000, detail: { inactive_file: 100 } }))).toBe(900);
  });

  it('weights CPU by interval and keeps the memory peak', () => {
    const acc = new ResourceAccumulator();
    acc.add(sample({ cpu: 1e9, precpu: 0, system: 2e9, presystem: 0, usage: 10 })); // first: no delta
    acc.add(sample({ cpu: 2e9, precpu: 1e9, system: 4e9, presystem: 2e9, usage: 30 })); // 100 %
    acc.add(sample({ cpu: 2e9, precpu: 2e9, system: 6e9, presystem: 4e9, usage: 20 })); // 0 %
    expect(acc.result()).toEqual({ cpuPercent: 50, memoryPeakBytes: 30, samples: 3 });
  });

  it('divides by the wall time between readings when the daemon sends timestamps', () => {
    // Host CPU time says 1.9 s over 2 CPUs (steal time left out); the wall clock says 1 s.
    const s = { ...sample({ cpu: 1.95e9, precpu: 1e9, system: 11.9e9, presystem: 10e9 }), read: '2026-01-01T00:00:01.000000500Z', preread: '2026-01-01T00:00:00.000000500Z' };
    expect(cpuDelta(s)?.wallNs).toBe(1e9);
    const acc = new ResourceAccumulator();
    acc.add(s);
    expect(acc.result()?.cpuPercent).toBe(95); // not 0.95 / 0.95 = 100 %
    expect(intervalNs('2026-01-01T00:00:01.000000001Z', '2026-01-01T00:00:00.999999999Z')).toBe(2);
    expect(intervalNs('2026-01-01T00:00:01.5Z', '2026-01-01T00:00:00Z')).toBe(1.5e9);
    expect(intervalNs('2026-01-01T00:00:01Z', '0001-01-01T00:00:00Z')).toBeNull(); // preread of the first sample
  });

  it('returns null without samples', () => {
    expect(new ResourceAccumulator().result()).toBeNull();
  });
});
