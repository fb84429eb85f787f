/**
 * Reads who else used the CPUs around each step (the arithmetic is cpu-accounting.ts's): /proc/stat,
 * this process's CPU time and the run's containers' cgroup CPU time just before the step and just
 * after it. The readings are synchronous (a /proc or cgroup read is tens of µs) so that each end of
 * the window is one instant, not an await apart; only finding the containers (a Docker API call)
 * comes before the first reading.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentionReason } from '../analysis/contention.ts';
import type { Contention } from '../schema/run.ts';
import { parseCpuset } from '../util/cpuset.ts';
import { formatNumber } from '../util/format.ts';
import {
  busiestProcesses,
  contentionFigures,
  parseCpuStatUsageNs,
  parsePidStat,
  parseProcStat,
  parseUsagePercpu,
  type ContainersCpu,
  type CpuReading,
  type Placement,
  type ProcessTicks,
} from './cpu-accounting.ts';

/** A window opened before a step; closing it right after the step takes the second reading. */
export interface CpuWindow {
  /** Takes the closing reading now; the figures follow once the containers' CPU is known. */
  close(): ClosedCpuWindow;
}

export interface ClosedCpuWindow {
  /**
   * The figures given the containers' CPU over the window (mean percent of one core, as the Docker
   * stats sampler reports it; null when unknown). Null when /proc/stat did not have the CPUs.
   */
  figures(containersCpuPercent: number | null): Contention | null;
}

/** Opens CPU windows around steps; absent where /proc/stat is not readable (not Linux). */
export interface ContentionProbe {
  open(): Promise<CpuWindow>;
}

/** Where the readings come from; the defaults are this machine's, tests pass their own. */
export interface ProbeSources {
  procStat(): string;
  /** This process's CPU time, ns (user + system of every thread). */
  selfNs(): number;
  /** Monotonic clock, ns. */
  nowNs(): number;
  /** The 1-minute load average (NaN when unknown). */
  loadAverage(): Promise<number>;
  /** Logical CPUs of the machine. */
  cpuCount: number;
  /**
   * A container's cgroup CPU time: ns per CPU (cgroup v1) or a total (v2); null when this machine
   * has no cgroup for it (a targets host elsewhere, an unknown layout).
   */
  containerCpu(id: string): { perCpuNs: number[] } | { totalNs: number } | null;
  /** Every process's CPU time (for naming the busiest in a warning); empty when unreadable. */
  processes(): ProcessTicks[];
}

/** Where Docker puts a container's cgroup: cgroupfs and systemd drivers, cgroup v1 and v2. */
const V1_DIRS = (id: string) => ['cpuacct', 'cpu,cpuacct'].flatMap((c) => [`/sys/fs/cgroup/${c}/docker/${id}`, `/sys/fs/cgroup/${c}/system.slice/docker-${id}.scope`]);
const V2_DIRS = (id: string) => [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`];

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Not this layout (or the container is gone): the caller tries the next, then falls back.
    return null;
  }
}

function systemContainerCpu(id: string): { perCpuNs: number[] } | { totalNs: number } | null {
  if (!/^[0-9a-f]{12,64}$/.test(id)) return null;
  for (const dir of V1_DIRS(id)) {
    const text = readOrNull(`${dir}/cpuacct.usage_percpu`);
    const perCpuNs = text === null ? null : parseUsagePercpu(text);
    if (perCpuNs) return { perCpuNs };
  }
  for (const dir of V2_DIRS(id)) {
    const text = readOrNull(`${dir}/cpu.stat`);
    const totalNs = text === null ? null : parseCpuStatUsageNs(text);
    if (totalNs !== null) return { totalNs };
  }
  return null;
}

export const SYSTEM_SOURCES: ProbeSources = {
  procStat: () => readFileSync('/proc/stat', 'utf8'),
  selfNs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
  },
  nowNs: () => Number(process.hrtime.bigint()),
  loadAverage: () => readFile('/proc/loadavg', 'utf8').then((t) => Number(t.split(/\s+/)[0]), () => Number.NaN),
  cpuCount: os.cpus().length,
  containerCpu: systemContainerCpu,
  processes: () => {
    const out: ProcessTicks[] = [];
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      // No /proc: nobody to name.
      return out;
    }
    for (const pid of pids) {
      const text = readOrNull(`/proc/${pid}/stat`);
      const parsed = text === null ? null : parsePidStat(text);
      if (parsed) out.push(parsed);
    }
    return out;
  },
};

/** A process's name as chosen by the process: only printable ASCII reaches a terminal line. */
function printable(command: string): string {
  return command.replace(/[^\x20-\x7e]/g, '?');
}

/** The containers' CPU summed, or null when any of them cannot be read (then none is used). */
function containersCpu(sources: ProbeSources, ids: readonly string[]): ContainersCpu | null {
  if (ids.length === 0) return null;
  const sum: ContainersCpu = { perCpuNs: new Map(), unplacedNs: 0 };
  for (const id of ids) {
    const cpu = sources.containerCpu(id);
    if (cpu === null) return null;
    if ('totalNs' in cpu) sum.unplacedNs += cpu.totalNs;
    else cpu.perCpuNs.forEach((ns, i) => sum.perCpuNs.set(i, (sum.perCpuNs.get(i) ?? 0) + ns));
  }
  return sum;
}

function reading(sources: ProbeSources, containerIds: readonly string[]): CpuReading {
  return { cpus: parseProcStat(sources.procStat()), selfNs: sources.selfNs(), atNs: sources.nowNs(), containers: containersCpu(sources, containerIds) };
}

/**
 * The CPUs the figures are about: the generator's cpuset when it is pinned (else every CPU: it may
 * run anywhere), and the targets' when their containers run on this machine.
 */
export function placementOf(generatorCpuset: string | null, targetCpuset: string | null, cpuCount: number = os.cpus().length): Placement {
  return {
    generatorCpus: generatorCpuset ? parseCpuset(generatorCpuset) : Array.from({ length: cpuCount }, (_, i) => i),
    targetCpus: targetCpuset ? parseCpuset(targetCpuset) : null,
  };
}

/**
 * A probe over `placement`; null when the sources cannot be read (no /proc/stat). `runContainers`
 * lists the ids of the run's containers running on this machine (the target, its database), whose
 * cgroups are read at both ends; without it, or when a cgroup cannot be read, the Docker stats
 * sampler's figure stands in (ClosedCpuWindow.figures).
 */
export function contentionProbe(
  placement: Placement,
  sources: ProbeSources = SYSTEM_SOURCES,
  runContainers: (() => Promise<string[]>) | null = null,
): ContentionProbe | null {
  try {
    if (parseProcStat(sources.procStat()).size === 0) return null;
  } catch {
    // Not Linux (or /proc not mounted): the run goes on without contention figures.
    return null;
  }
  return {
    async open() {
      // A failed listing only costs the exact figure: the sampler's estimate stands in.
      const ids = runContainers ? await runContainers().catch(() => []) : [];
      const before = reading(sources, ids);
      return {
        close() {
          const after = reading(sources, ids);
          const intervalNs = Math.max(0, after.atNs - before.atNs);
          return {
            figures: (containersCpuPercent) =>
              contentionFigures(before, after, placement, containersCpuPercent === null ? null : (containersCpuPercent / 100) * intervalNs),
          };
        },
      };
    },
  };
}

/**
 * Before the first step: one second of the machine as it is (nothing of the run is loading it yet)
 * and the load average. One line for people when it is not quiet, else null.
 */
export async function quietCheck(placement: Placement, sampleMs = 1000, sources: ProbeSources = SYSTEM_SOURCES): Promise<string | null> {
  const probe = contentionProbe(placement, sources);
  if (!probe) return null;
  const processesBefore = sources.processes();
  const window = await probe.open();
  await sleep(sampleMs);
  // No container of this run is up yet: every process on these CPUs but this one is someone else's.
  const figures = window.close().figures(0);
  const busiest = busiestProcesses(processesBefore, sources.processes(), (figures?.intervalMs ?? sampleMs) * 1e6, new Set([process.pid]));
  const load = await sources.loadAverage();
  const reason = figures ? contentionReason(figures) : null;
  const cpus = new Set([...placement.generatorCpus, ...(placement.targetCpus ?? [])]).size;
  // More runnable tasks than CPUs on average over the last minute: someone was busy even if the
  // second sampled happened to be calm.
  const loaded = Number.isFinite(load) && load > sources.cpuCount;
  if (!reason && !loaded) return null;
  const loadText = Number.isFinite(load) ? `load average ${formatNumber(load, 2)} on ${sources.cpuCount} CPUs` : 'load average unknown';
  const busiestText = busiest.length > 0 ? `; busiest: ${busiest.map((p) => `${printable(p.command)} ${formatNumber(p.cpuPercent, 0)} %`).join(', ')}` : '';
  return (
    `warning: the machine is not quiet before the first step (${reason ? `over ${formatNumber(sampleMs / 1000, 1)} s ${reason}; ` : ''}${loadText}${busiestText}): ` +
    `other work on the ${cpus} CPU(s) of this run will show in its figures; steps it reaches are marked "contended"`
  );
}
