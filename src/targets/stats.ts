/**
 * Docker stats API arithmetic, kept pure so it is tested with exact numbers.
 * CPU = container CPU time ÷ wall time between the two readings (`read` − `preread`) × 100 = percent
 * of one core. `docker stats` divides by the host's CPU time instead (× online CPUs), but that sum
 * leaves out steal time, so on a VM it overstates the share (a 1-CPU container showed 105 % here);
 * it is only the fallback when the daemon sends no timestamps.
 */
import type Docker from 'dockerode';

type Stats = Pick<Docker.ContainerStats, 'cpu_stats' | 'precpu_stats' | 'memory_stats'> & Partial<Pick<Docker.ContainerStats, 'read' | 'preread'>>;

/**
 * ns from `earlier` to `later`, two RFC 3339 timestamps with up to 9 fractional digits. Date.parse
 * keeps only ms, and ns since the epoch exceed 2^53, so whole seconds and fractions are subtracted
 * apart. Null for an unparsable or zero ("0001-01-01…", sent before the first reading) timestamp.
 */
export function intervalNs(later: string, earlier: string): number | null {
  const parse = (iso: string): [number, number] | null => {
    const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
    const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
    return m && ms > 0 ? [ms, Number((m[2] ?? '').padEnd(9, '0'))] : null;
  };
  const a = parse(later);
  const b = parse(earlier);
  return a && b ? (a[0] - b[0]) * 1e6 + (a[1] - b[1]) : null;
}

/**
 * Memory in use without reclaimable page cache, bytes, as `docker stats` computes it: usage minus
 * inactive file pages (cgroup v1 `total_inactive_file`, v2 `inactive_file`). Subtracting all of v1's
 * `cache` would also drop active page cache the kernel cannot simply reclaim, understating targets
 * that read many files (Python imports more than Go). `cache` is only the fallback. Null when the
 * daemon sent no usage.
 */
export function memoryWithoutCacheBytes(stats: Stats): number | null {
  const usage = stats.memory_stats?.usage;
  if (typeof usage !== 'number') return null;
  const detail = (stats.memory_stats.stats ?? {}) as unknown as Record<string, number | undefined>;
  const cache = detail.total_inactive_file ?? detail.inactive_file ?? detail.cache ?? 0;
  return Math.max(0, usage - cache);
}

export interface CpuDelta {
  /** Container CPU time over the interval, ns. */
  containerNs: number;
  /** Host CPU time (all CPUs) over the interval, ns. */
  systemNs: number;
  onlineCpus: number;
  /** Wall time between the readings, ns; null when the daemon sent no usable timestamps. */
  wallNs: number | null;
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
  const interval = stats.read && stats.preread ? intervalNs(stats.read, stats.preread) : null;
  const wallNs = interval !== null && interval > 0 ? interval : null;
  return { containerNs, systemNs, onlineCpus, wallNs };
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
      // One core's time over the interval: wall time, else host CPU time ÷ CPUs (see the header).
      this.cpuCoreNs += delta.wallNs ?? delta.systemNs / delta.onlineCpus;
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
