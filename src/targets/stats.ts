/**
 * Docker stats API arithmetic, kept pure so it is tested with exact numbers.
 * CPU follows `docker stats`: (container CPU delta / host CPU delta) × online CPUs × 100 = percent of one core.
 */
import type Docker from 'dockerode';

type Stats = Pick<Docker.ContainerStats, 'cpu_stats' | 'precpu_stats' | 'memory_stats'>;

/**
 * Memory in use without reclaimable page cache, bytes. cgroup v1 reports `cache` (the brief's rule;
 * `total_inactive_file` when cache is absent), cgroup v2 `inactive_file`. Null when the daemon sent no usage.
 */
export function memoryWithoutCacheBytes(stats: Stats): number | null {
  const usage = stats.memory_stats?.usage;
  if (typeof usage !== 'number') return null;
  const detail = (stats.memory_stats.stats ?? {}) as unknown as Record<string, number | undefined>;
  const cache = detail.cache ?? detail.total_inactive_file ?? detail.inactive_file ?? 0;
  return Math.max(0, usage - cache);
}

export interface CpuDelta {
  /** Container CPU time over the interval, ns. */
  containerNs: number;
  /** Host CPU time (all CPUs) over the interval, ns. */
  systemNs: number;
  onlineCpus: number;
}

/** The interval between precpu_stats and cpu_stats; null on the first sample (no previous reading). */
export function cpuDelta(stats: Stats): CpuDelta | null {
  const now = stats.cpu_stats;
  const before = stats.precpu_stats;
  const systemNow = now?.system_cpu_usage;
  const systemBefore = before?.system_cpu_usage;
  if (!now || !before || typeof systemNow !== 'number' || typeof systemBefore !== 'number' || systemBefore === 0) return null;
  const systemNs = systemNow - systemBefore;
  const containerNs = now.cpu_usage.total_usage - before.cpu_usage.total_usage;
  if (systemNs <= 0 || containerNs < 0) return null;
  const onlineCpus = now.online_cpus || now.cpu_usage.percpu_usage?.length || 1;
  return { containerNs, systemNs, onlineCpus };
}

/** Running aggregate over a stats stream: mean CPU weighted by interval length, peak memory. */
export class ResourceAccumulator {
  private containerNs = 0;
  private cpuCoreNs = 0;
  private peakBytes = 0;
  samples = 0;

  add(stats: Stats): void {
    this.samples += 1;
    const delta = cpuDelta(stats);
    if (delta) {
      this.containerNs += delta.containerNs;
      // Host CPU time scaled to "one core" time, so the ratio is in cores.
      this.cpuCoreNs += delta.systemNs / delta.onlineCpus;
    }
    const memory = memoryWithoutCacheBytes(stats);
    if (memory !== null) this.peakBytes = Math.max(this.peakBytes, memory);
  }

  /** Null when no sample arrived. cpuPercent is 0 when only the first (delta-less) sample came. */
  result(): { cpuPercent: number; memoryPeakBytes: number; samples: number } | null {
    if (this.samples === 0) return null;
    const cpuPercent = this.cpuCoreNs > 0 ? (this.containerNs / this.cpuCoreNs) * 100 : 0;
    return { cpuPercent, memoryPeakBytes: Math.round(this.peakBytes), samples: this.samples };
  }
}
