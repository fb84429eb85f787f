/**
 * Reads who else used the CPUs around each step (the arithmetic is cpu-accounting.ts's): /proc/stat,
 * this process's CPU time and the run's containers' cgroup CPU time just before the step and just
 * after it. The readings are synchronous (a /proc or cgroup read is tens of µs) so that each end of
 * the window is one instant, not an await apart; only finding the containers (a Docker API call)
 * comes before the first reading. Every process's CPU time (/proc/<pid>/stat) is listed just before
 * the first instant and just after the second (a listing takes ~10 ms with 80 processes, measured):
 * it bounds "other" and names the busiest (process-accounting.ts).
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
  containerTimes,
  contentionFigures,
  parseCpuStatUsageNs,
  parseProcStat,
  parseUsagePercpu,
  type CgroupCpu,
  type ContainerRole,
  type CpuReading,
  type Placement,
} from './cpu-accounting.ts';
import { busiestProcesses, descendantsOf, othersTicks, parsePidStat, seesEveryProcess, type ProcessTicks } from './process-accounting.ts';

/** A window opened before a step; closing it right after the step takes the second reading. */
export interface CpuWindow {
  /** Takes the closing reading now; the figures follow once the containers' CPU is known. */
  close(): ClosedCpuWindow;
}

export interface ClosedCpuWindow {
  /**
   * The figures given the Docker stats sampler's mean CPU of the containers over the window, per
   * role (percent of one core on the targets' CPUs; null or absent when unknown), which stand in
   * for a role whose cgroups could not be read. Null when /proc/stat did not have the CPUs.
   */
  figures(estimatesPercent: Partial<Record<ContainerRole, number | null>>): Contention | null;
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
  containerCpu(id: string): CgroupCpu | null;
  /** The processes in a container's cgroup (left out of the busiest); empty when unknown. */
  containerPids(id: string): number[];
  /** Every process's CPU time (for naming the busiest); empty when unreadable. */
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

function systemContainerCpu(id: string): CgroupCpu | null {
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

function systemContainerPids(id: string): number[] {
  if (!/^[0-9a-f]{12,64}$/.test(id)) return [];
  for (const dir of [...V1_DIRS(id), ...V2_DIRS(id)]) {
    const text = readOrNull(`${dir}/cgroup.procs`);
    if (text !== null) return text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  }
  return [];
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
  containerPids: systemContainerPids,
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

function reading(sources: ProbeSources): CpuReading {
  return { cpus: parseProcStat(sources.procStat()), selfNs: sources.selfNs(), atNs: sources.nowNs() };
}

function cgroups(sources: ProbeSources, listed: ReadonlyArray<{ id: string }>): Map<string, CgroupCpu | null> {
  return new Map(listed.map((c) => [c.id, sources.containerCpu(c.id)]));
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

/** One of the run's containers on this machine. */
export interface RunContainer {
  id: string;
  role: ContainerRole;
}

/**
 * A probe over `placement`; null when the sources cannot be read (no /proc/stat). `runContainers`
 * lists the run's containers running on this machine (the target, its database), whose cgroups are
 * read at both ends; a container whose cgroup cannot be read falls back, alone, to the Docker stats
 * sampler's figure (ClosedCpuWindow.figures). The processes are listed just outside the two
 * instants (a listing takes milliseconds), to name the busiest others.
 */
export function contentionProbe(
  placement: Placement,
  sources: ProbeSources = SYSTEM_SOURCES,
  runContainers: (() => Promise<RunContainer[]>) | null = null,
): ContentionProbe | null {
  try {
    if (parseProcStat(sources.procStat()).size === 0) return null;
  } catch {
    // Not Linux (or /proc not mounted): the run goes on without contention figures.
    return null;
  }
  return {
    async open() {
      // A failed listing only costs the exact figures: the sampler's estimates stand in.
      const listed = runContainers ? await runContainers().catch(() => []) : [];
      const processesBefore = sources.processes();
      const before = reading(sources);
      const cgroupsBefore = cgroups(sources, listed);
      return {
        close() {
          const after = reading(sources);
          const cgroupsAfter = cgroups(sources, listed);
          const processesAfter = sources.processes();
          const intervalNs = Math.max(0, after.atNs - before.atNs);
          // This process and the containers' processes are the run's; a child of this process is
          // named as one (its time is not ours in /proc/stat or getrusage).
          const containerPids = new Set(listed.flatMap((c) => sources.containerPids(c.id)));
          const children = descendantsOf(processesAfter, process.pid);
          const busiest = busiestProcesses(processesBefore, processesAfter, intervalNs, new Set([process.pid, ...containerPids]), 3, 1, children);
          // Only a listing of the whole machine can bound what the whole machine's counters say.
          const others = seesEveryProcess(processesAfter) ? othersTicks(processesBefore, processesAfter, process.pid, containerPids) : null;
          return {
            figures: (estimates) => {
              const times = containerTimes(listed, cgroupsBefore, cgroupsAfter, estimates, intervalNs);
              const figures = contentionFigures(before, after, placement, times, others);
              return figures && busiest.length > 0 ? { ...figures, busiest } : figures;
            },
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
  const window = await probe.open();
  await sleep(sampleMs);
  // No container of this run is up yet: every process on these CPUs but this one is someone else's.
  const figures = window.close().figures({});
  const load = await sources.loadAverage();
  const reason = figures ? contentionReason({ ...figures, busiest: [] }) : null;
  const cpus = new Set([...placement.generatorCpus, ...(placement.targetCpus ?? [])]).size;
  // More runnable tasks than CPUs on average over the last minute: someone was busy even if the
  // second sampled happened to be calm.
  const loaded = Number.isFinite(load) && load > sources.cpuCount;
  if (!reason && !loaded) return null;
  const loadText = Number.isFinite(load) ? `load average ${formatNumber(load, 2)} on ${sources.cpuCount} CPUs` : 'load average unknown';
  const busiest = figures?.busiest ?? [];
  const busiestText = busiest.length > 0 ? `; busiest: ${busiest.map((p) => `${p.command} ${formatNumber(p.cpuPercent, 0)} %`).join(', ')}` : '';
  return (
    `warning: the machine is not quiet before the first step (${reason ? `over ${formatNumber(sampleMs / 1000, 1)} s ${reason}; ` : ''}${loadText}${busiestText}): ` +
    `other work on the ${cpus} CPU(s) of this run will show in its figures; steps it reaches are marked "contended"`
  );
}
