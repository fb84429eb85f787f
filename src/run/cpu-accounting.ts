/**
 * Who else used the CPUs over a window: per-CPU times from /proc/stat at both ends, minus this
 * process's CPU time and the targets' containers'. Pure arithmetic on text and numbers, so it is
 * tested with exact figures on tiny snapshots; the readings are taken by contention-probe.ts.
 *
 * Which /proc/stat columns (proc(5): user nice system idle iowait irq softirq steal guest guest_nice,
 * in USER_HZ ticks):
 * - task time = user + nice + system: what processes ran. guest and guest_nice are already inside
 *   user and nice, so they are not added again.
 * - irq and softirq are left out of task time: the kernel charges interrupt work to no process, and
 *   on loopback most of it is the benchmark's own packets (the generator's sends and the target's
 *   replies are processed in softirq on their CPUs), which would read as a stranger's work.
 * - steal is kept apart: the hypervisor ran another machine on this virtual CPU. It is not a process
 *   here, but it takes the CPU from the generator or the target all the same.
 * - the whole time of a CPU set is the sum of every column but guest: the window as the kernel
 *   counted it, so shares need no clock of ours and no knowledge of tick lengths.
 * The run's containers' CPU comes from their cgroups when this machine runs them (cgroup v1
 * `cpuacct.usage_percpu`: ns per CPU, so a database on another CPU set is placed exactly; v2
 * `cpu.stat` usage_usec: a total, placed on the targets' CPUs where the containers are pinned), read
 * at the same two instants; else from the Docker stats sampler's mean over the step.
 * This process's and the containers' CPU come in ns; ticks are USER_HZ = 100 per second, the value
 * the Linux ABI fixes for /proc on every architecture Node runs on (sysconf(_SC_CLK_TCK)).
 */
import { formatCpuset } from '../util/cpuset.ts';
import type { Contention } from '../schema/run.ts';

/** /proc/stat's unit: USER_HZ ticks per second. */
export const TICKS_PER_S = 100;
const NS_PER_TICK = 1e9 / TICKS_PER_S;

/** One CPU's cumulative times, ticks. */
export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** Per-CPU lines ("cpuN …") of /proc/stat, by CPU number; the aggregate "cpu" line is ignored. */
export function parseProcStat(text: string): Map<number, CpuTicks> {
  const out = new Map<number, CpuTicks>();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    // Older kernels have fewer columns (steal since 2.6.11): a missing one counts as 0.
    const at = (i: number) => (Number.isFinite(v[i]) ? v[i]! : 0);
    out.set(Number(m[1]), { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) });
  }
  return out;
}

/** CPU time of the run's containers from their cgroups, summed over the containers, ns. */
export interface ContainersCpu {
  /** By CPU (cgroup v1 cpuacct.usage_percpu). */
  perCpuNs: Map<number, number>;
  /** Without a CPU (cgroup v2 cpu.stat): counted on the targets' CPUs, where the containers are pinned. */
  unplacedNs: number;
}

/** cgroup v1 `cpuacct.usage_percpu`: ns per CPU, in CPU order. Null when the text is not that. */
export function parseUsagePercpu(text: string): number[] | null {
  const values = text.trim().split(/\s+/).map(Number);
  return values.length > 0 && text.trim() !== '' && values.every((v) => Number.isFinite(v) && v >= 0) ? values : null;
}

/** cgroup v2 `cpu.stat`: `usage_usec` in ns; null when absent. */
export function parseCpuStatUsageNs(text: string): number | null {
  const m = /^usage_usec\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) * 1000 : null;
}

/** The readings at one end of a window. */
export interface CpuReading {
  /** Per-CPU times from /proc/stat. */
  cpus: Map<number, CpuTicks>;
  /** The run's containers' CPU from their cgroups; absent (or null) when not readable here. */
  containers?: ContainersCpu | null;
  /** This process's CPU time (every thread, including ended ones), ns. */
  selfNs: number;
  /** Monotonic clock, ns. */
  atNs: number;
}

/** What is known about where the CPU time of the window's processes went. */
export interface Placement {
  /** CPUs this process may run on (its affinity); every CPU when unpinned. */
  generatorCpus: readonly number[];
  /** CPUs of the targets' containers on this machine; null when they run elsewhere or are unknown. */
  targetCpus: readonly number[] | null;
}

interface SetTimes {
  task: number;
  steal: number;
  total: number;
}

function setTimes(before: CpuReading, after: CpuReading, cpus: readonly number[]): SetTimes | null {
  const sum: SetTimes = { task: 0, steal: 0, total: 0 };
  for (const cpu of cpus) {
    const a = before.cpus.get(cpu);
    const b = after.cpus.get(cpu);
    if (!a || !b) return null;
    const d = (k: keyof CpuTicks) => Math.max(0, b[k] - a[k]);
    sum.task += d('user') + d('nice') + d('system');
    sum.steal += d('steal');
    sum.total += d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
  }
  return sum;
}

/** Share of `part` in `total`, percent, within [0, 100] (readings at tick resolution can overshoot by a tick). */
function percent(part: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (part / total) * 100));
}

/**
 * The contention figures of a window. `containersNs`: CPU time of the target's (and a database's
 * on the same CPUs) containers over the window, ns; null when unknown (url: targets). Null when a
 * CPU of the placement is missing from /proc/stat (not Linux, or a CPU went offline), and when the
 * generator shares the targets' CPUs and the containers' time is unknown.
 */
export function contentionFigures(before: CpuReading, after: CpuReading, placement: Placement, containersNs: number | null): Contention | null {
  const selfTicks = Math.max(0, after.selfNs - before.selfNs) / NS_PER_TICK;
  // The cgroups' exact figures when both ends have them, else the sampler's estimate on the targets' CPUs.
  const cgroups = before.containers && after.containers ? { a: before.containers, b: after.containers } : null;
  const onCpusNs = (cpus: readonly number[], withUnplaced: boolean) =>
    cgroups === null
      ? 0
      : cpus.reduce((sum, c) => sum + Math.max(0, (cgroups.b.perCpuNs.get(c) ?? 0) - (cgroups.a.perCpuNs.get(c) ?? 0)), 0) +
        (withUnplaced ? Math.max(0, cgroups.b.unplacedNs - cgroups.a.unplacedNs) : 0);
  const containerTicksOn = (cpus: readonly number[], withUnplaced: boolean): number | null =>
    cgroups !== null ? onCpusNs(cpus, withUnplaced) / NS_PER_TICK : withUnplaced && containersNs !== null ? Math.max(0, containersNs) / NS_PER_TICK : null;
  const intervalMs = Math.max(0, after.atNs - before.atNs) / 1e6;
  const gen = [...placement.generatorCpus];
  const tgt = placement.targetCpus === null ? null : [...placement.targetCpus];
  const apart = tgt !== null && tgt.length > 0 && !tgt.some((c) => gen.includes(c));
  if (apart) {
    const g = setTimes(before, after, gen);
    const t = setTimes(before, after, tgt);
    if (!g || !t) return null;
    const containerTicks = containerTicksOn(tgt, true);
    return {
      intervalMs,
      generatorCpus: formatCpuset(gen),
      // A container of the run on the generator's CPUs (a database placed there) is the run's too.
      generatorCpusOtherPercent: percent(g.task - selfTicks - (containerTicksOn(gen, false) ?? 0), g.total),
      generatorCpusStealPercent: percent(g.steal, g.total),
      targetCpus: formatCpuset(tgt),
      targetCpusOtherPercent: containerTicks === null ? null : percent(t.task - containerTicks, t.total),
      targetCpusStealPercent: percent(t.steal, t.total),
    };
  }
  // Shared CPUs: one figure over all of them, with both ours and the containers' time taken out;
  // without the containers' time the target's own work could not be told from a stranger's.
  const shared = tgt !== null && tgt.length > 0;
  const all = [...new Set([...gen, ...(tgt ?? [])])];
  const containerTicks = containerTicksOn(all, true);
  if (shared && containerTicks === null) return null;
  const s = setTimes(before, after, all);
  if (!s) return null;
  return {
    intervalMs,
    generatorCpus: formatCpuset(all),
    generatorCpusOtherPercent: percent(s.task - selfTicks - (containerTicks ?? 0), s.total),
    generatorCpusStealPercent: percent(s.steal, s.total),
    targetCpus: null,
    targetCpusOtherPercent: null,
    targetCpusStealPercent: null,
  };
}

/** One process's cumulative CPU time from /proc/<pid>/stat. */
export interface ProcessTicks {
  pid: number;
  /** The command name (`comm`, at most 15 bytes, chosen by the process: untrusted text). */
  command: string;
  /** utime + stime, ticks. */
  ticks: number;
}

/**
 * Parses /proc/<pid>/stat. `comm` sits in parentheses and may itself hold spaces and ')', so the
 * fields are counted from the last ')'. Null when the text is not that.
 */
export function parsePidStat(text: string): ProcessTicks | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ')': state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15).
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isInteger(pid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid, command: text.slice(open + 1, close), ticks: utime + stime };
}

/**
 * The processes that used the most CPU between two listings, percent of one CPU over `intervalNs`,
 * busiest first, leaving out `exclude` (this process, the run's containers). A process that started
 * in between counts from 0; one that ended is not seen. At most `limit`, each at least `minPercent`.
 */
export function busiestProcesses(
  before: readonly ProcessTicks[],
  after: readonly ProcessTicks[],
  intervalNs: number,
  exclude: ReadonlySet<number>,
  limit = 3,
  minPercent = 1,
): Array<{ command: string; cpuPercent: number }> {
  if (intervalNs <= 0) return [];
  const earlier = new Map(before.map((p) => [p.pid, p.ticks]));
  return after
    .filter((p) => !exclude.has(p.pid))
    .map((p) => ({ command: p.command, cpuPercent: ((p.ticks - (earlier.get(p.pid) ?? 0)) * NS_PER_TICK * 100) / intervalNs }))
    .filter((p) => p.cpuPercent >= minPercent)
    .sort((a, b) => b.cpuPercent - a.cpuPercent || a.command.localeCompare(b.command, 'en'))
    .slice(0, limit);
}
