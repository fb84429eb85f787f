/**
 * Reads who else used the CPUs around each step (the arithmetic is cpu-accounting.ts's): /proc/stat
 * and this process's CPU time just before the step and just after it. The readings are synchronous
 * (a /proc read is tens of µs) so that each end of the window is one instant, not an await apart.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentionReason } from '../analysis/contention.ts';
import type { Contention } from '../schema/run.ts';
import { parseCpuset } from '../util/cpuset.ts';
import { formatNumber } from '../util/format.ts';
import { contentionFigures, parseProcStat, type CpuReading, type Placement } from './cpu-accounting.ts';

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
  open(): CpuWindow;
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
};

function reading(sources: ProbeSources): CpuReading {
  return { cpus: parseProcStat(sources.procStat()), selfNs: sources.selfNs(), atNs: sources.nowNs() };
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

/** A probe over `placement`; null when the sources cannot be read (no /proc/stat). */
export function contentionProbe(placement: Placement, sources: ProbeSources = SYSTEM_SOURCES): ContentionProbe | null {
  try {
    if (parseProcStat(sources.procStat()).size === 0) return null;
  } catch {
    // Not Linux (or /proc not mounted): the run goes on without contention figures.
    return null;
  }
  return {
    open() {
      const before = reading(sources);
      return {
        close() {
          const after = reading(sources);
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
  const window = probe.open();
  await sleep(sampleMs);
  // No container of this run is up yet: every process on these CPUs but this one is someone else's.
  const figures = window.close().figures(0);
  const load = await sources.loadAverage();
  const reason = figures ? contentionReason(figures) : null;
  const cpus = new Set([...placement.generatorCpus, ...(placement.targetCpus ?? [])]).size;
  // More runnable tasks than CPUs on average over the last minute: someone was busy even if the
  // second sampled happened to be calm.
  const loaded = Number.isFinite(load) && load > sources.cpuCount;
  if (!reason && !loaded) return null;
  const loadText = Number.isFinite(load) ? `load average ${formatNumber(load, 2)} on ${sources.cpuCount} CPUs` : 'load average unknown';
  return (
    `warning: the machine is not quiet before the first step (${reason ? `over ${formatNumber(sampleMs / 1000, 1)} s ${reason}; ` : ''}${loadText}): ` +
    `other work on the ${cpus} CPU(s) of this run will show in its figures; steps it reaches are marked "contended"`
  );
}
