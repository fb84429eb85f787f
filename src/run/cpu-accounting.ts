/**
 * Who else used the CPUs over a window: per-CPU times from /proc/stat at both ends, minus this
 * process's CPU time and the targets' containers'. Pure arithmetic on text and numbers, so it is
 * tested with exact figures on tiny snapshots; the readings are taken by contention-probe.ts.
 *
 * Which /proc/stat columns (proc(5): user nice system idle iowait irq softirq steal guest guest_nice,
 * in USER_HZ ticks), and which clock:
 * - busy time = the window's wall time − idle − iowait − irq − softirq − steal, per CPU. Not
 *   user + nice + system: on a tickless kernel (NO_HZ, the common case) idle and iowait are measured
 *   in ns from the idle periods themselves, while user/system are sampled once a tick. Measured on
 *   the 2-vCPU CI VM (kernel 6.18, HZ 250, tick-based CPU accounting, 2026-12-03): against the
 *   calibration server pinned to CPU 1, over 2.5-s windows, user + system of CPU 1 were off from
 *   the container's own cgroup time (which every thread's /proc time matched to the tick) by −27 to
 *   +46 ticks of 250 (a false "18 % others" at 5,000 req/s), and the columns summed to 205–304
 *   ticks for 249–256 of wall time; wall − idle − iowait − softirq − steal matched the container's
 *   time plus the few other threads seen on that CPU within 10 ticks in every window.
 * - irq and softirq are left out of busy time: the kernel charges interrupt work to no process, and
 *   on loopback most of it is the benchmark's own packets (the generator's sends and the target's
 *   replies are processed in softirq on their CPUs), which would read as a stranger's work.
 * - steal is kept apart: the hypervisor ran another machine on this virtual CPU. It is not a process
 *   here, but it takes the CPU from the generator or the target all the same.
 * - the whole time of a CPU set is the wall time of the window times its CPUs (monotonic clock, the
 *   clock the kernel measures idle periods with).
 * The run's containers' CPU comes from their cgroups when this machine runs them (cgroup v1
 * `cpuacct.usage_percpu`: ns per CPU, so a database on another CPU set is placed exactly; v2
 * `cpu.stat` usage_usec: a total, placed on the targets' CPUs where the containers are pinned), read
 * at the same two instants; a container whose cgroup cannot be read at both ends falls back, alone,
 * to the Docker stats sampler's mean over the step (containerTimes).
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

/** A container's cgroup CPU time at one instant: ns per CPU (cgroup v1) or a total (v2). */
export type CgroupCpu = { perCpuNs: number[] } | { totalNs: number };

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

/** The run's containers' roles: the estimates (the Docker stats sampler's) are per role. */
export type ContainerRole = 'target' | 'database';

/** One role's CPU time over a window, and where the figure came from. */
export interface ContainerTime {
  role: ContainerRole;
  /** cgroup: read at both ends; stats: the sampler's mean; unknown: neither (the targets' side is then unjudged). */
  source: 'cgroup' | 'stats' | 'unknown';
  /** By CPU (cgroup v1), ns. */
  perCpuNs: Map<number, number>;
  /** Without a CPU (cgroup v2, the sampler's estimate), ns: counted on the targets' CPUs, where the containers are pinned. */
  unplacedNs: number;
}

/**
 * The containers' CPU over a window, one entry per role. A role whose every container's cgroup was
 * read at both ends gets the exact figure; otherwise (a container gone, a cgroup layout not known
 * here) that role alone falls back to `estimatesPercent` (mean percent of one core over the window,
 * the Docker stats sampler's; null or absent: unknown). A role with an estimate but no container
 * listed (the listing failed, url: targets) is the estimate's too.
 */
export function containerTimes(
  listed: ReadonlyArray<{ id: string; role: ContainerRole }>,
  before: ReadonlyMap<string, CgroupCpu | null>,
  after: ReadonlyMap<string, CgroupCpu | null>,
  estimatesPercent: Partial<Record<ContainerRole, number | null>>,
  intervalNs: number,
): ContainerTime[] {
  const roles = [...new Set<ContainerRole>([...listed.map((c) => c.role), ...(Object.keys(estimatesPercent) as ContainerRole[])])];
  return roles.map((role): ContainerTime => {
    const time: ContainerTime = { role, source: 'cgroup', perCpuNs: new Map(), unplacedNs: 0 };
    const ids = listed.filter((c) => c.role === role).map((c) => c.id);
    for (const id of ids) {
      const a = before.get(id) ?? null;
      const b = after.get(id) ?? null;
      if (a && b && 'perCpuNs' in a && 'perCpuNs' in b) {
        b.perCpuNs.forEach((ns, cpu) => time.perCpuNs.set(cpu, (time.perCpuNs.get(cpu) ?? 0) + Math.max(0, ns - (a.perCpuNs[cpu] ?? 0))));
      } else if (a && b && 'totalNs' in a && 'totalNs' in b) {
        time.unplacedNs += Math.max(0, b.totalNs - a.totalNs);
      } else {
        time.source = 'unknown';
      }
    }
    if (ids.length > 0 && time.source === 'cgroup') return time;
    const estimate = estimatesPercent[role];
    if (estimate === null || estimate === undefined || !Number.isFinite(estimate)) return { role, source: 'unknown', perCpuNs: new Map(), unplacedNs: 0 };
    return { role, source: 'stats', perCpuNs: new Map(), unplacedNs: (Math.max(0, estimate) / 100) * intervalNs };
  });
}

/** The readings at one end of a window. */
export interface CpuReading {
  /** Per-CPU times from /proc/stat. */
  cpus: Map<number, CpuTicks>;
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
  busy: number;
  steal: number;
  total: number;
}

function setTimes(before: CpuReading, after: CpuReading, cpus: readonly number[]): SetTimes | null {
  const wallTicks = Math.max(0, after.atNs - before.atNs) / NS_PER_TICK;
  const sum: SetTimes = { busy: 0, steal: 0, total: 0 };
  for (const cpu of cpus) {
    const a = before.cpus.get(cpu);
    const b = after.cpus.get(cpu);
    if (!a || !b) return null;
    const d = (k: keyof CpuTicks) => Math.max(0, b[k] - a[k]);
    sum.busy += Math.max(0, wallTicks - d('idle') - d('iowait') - d('irq') - d('softirq') - d('steal'));
    sum.steal += d('steal');
    sum.total += wallTicks;
  }
  return sum;
}

/** Share of `part` in `total`, percent, within [0, 100] (readings at tick resolution can overshoot by a tick). */
function percent(part: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, (part / total) * 100));
}

/** The containers' time on `cpus`, ticks (with the unplaced part when `withUnplaced`); null when a role is unknown. */
function containerTicksOn(containers: readonly ContainerTime[], cpus: readonly number[], withUnplaced: boolean): number | null {
  let ns = 0;
  for (const c of containers) {
    if (c.source === 'unknown') return null;
    ns += cpus.reduce((sum, cpu) => sum + (c.perCpuNs.get(cpu) ?? 0), 0) + (withUnplaced ? c.unplacedNs : 0);
  }
  return ns / NS_PER_TICK;
}

/** What run.json keeps of each role: its source and its CPU on the run's CPUs, percent of one core. */
function containersRecord(containers: readonly ContainerTime[], cpus: readonly number[], intervalNs: number): NonNullable<Contention['containers']> {
  return containers.map((c) => ({
    role: c.role,
    source: c.source,
    cpuPercent:
      c.source === 'unknown' || intervalNs <= 0
        ? null
        : Math.round(((cpus.reduce((sum, cpu) => sum + (c.perCpuNs.get(cpu) ?? 0), 0) + c.unplacedNs) / intervalNs) * 1000) / 10,
  }));
}

/**
 * The contention figures of a window. `containers`: the target's (and a database's) CPU over the
 * window (containerTimes); a role of source "unknown" leaves the targets' side unjudged (url:
 * targets, the calibration server without a cgroup). `otherProcessesTicks`: every other process's
 * CPU time over the window, machine-wide (process-accounting.ts othersTicks; null when unknown): a
 * CPU set's "other" is never more than that. Busy time beyond the run's own is not all processes'
 * work: waking an idle CPU (interrupt entry, the switch from idle) is charged to no process and
 * shows in no column of a tick-accounting kernel, and it grows with the wake-ups of a moderately
 * loaded target (measured: 27 ticks of 214, 13 %, on the calibration server's CPU at 2,500 req/s,
 * while every other thread together ran 3 ticks). The smaller figure stands: a stranger shows in
 * both (its threads' time, and the busy time it adds), the run's own wake-ups only in the first.
 * Null when a CPU of the placement is missing from /proc/stat (not Linux, or a CPU went offline),
 * and when the generator shares the targets' CPUs and the containers' time is unknown.
 */
export function contentionFigures(
  before: CpuReading,
  after: CpuReading,
  placement: Placement,
  containers: readonly ContainerTime[],
  otherProcessesTicks: number | null = null,
): Contention | null {
  const selfTicks = Math.max(0, after.selfNs - before.selfNs) / NS_PER_TICK;
  const intervalNs = Math.max(0, after.atNs - before.atNs);
  const intervalMs = intervalNs / 1e6;
  const others = (busyOther: number) => (otherProcessesTicks === null ? busyOther : Math.min(busyOther, otherProcessesTicks));
  const gen = [...placement.generatorCpus];
  const tgt = placement.targetCpus === null ? null : [...placement.targetCpus];
  const all = [...new Set([...gen, ...(tgt ?? [])])];
  const record = {
    ...(otherProcessesTicks !== null && intervalNs > 0 ? { otherProcessesPercent: Math.round(((otherProcessesTicks * NS_PER_TICK) / intervalNs) * 1000) / 10 } : {}),
    ...(containers.length > 0 ? { containers: containersRecord(containers, all, intervalNs) } : {}),
  };
  const apart = tgt !== null && tgt.length > 0 && !tgt.some((c) => gen.includes(c));
  if (apart) {
    const g = setTimes(before, after, gen);
    const t = setTimes(before, after, tgt);
    if (!g || !t) return null;
    const containerTicks = containerTicksOn(containers, tgt, true);
    // A container of the run on the generator's CPUs (a database placed there) is the run's too;
    // there only the cgroups' placed time is known (an estimate has no CPU).
    const onGenerator = containers.filter((c) => c.source !== 'unknown').reduce((sum, c) => sum + gen.reduce((s, cpu) => s + (c.perCpuNs.get(cpu) ?? 0), 0), 0) / NS_PER_TICK;
    return {
      intervalMs,
      generatorCpus: formatCpuset(gen),
      generatorCpusOtherPercent: percent(others(g.busy - selfTicks - onGenerator), g.total),
      generatorCpusStealPercent: percent(g.steal, g.total),
      targetCpus: formatCpuset(tgt),
      targetCpusOtherPercent: containerTicks === null ? null : percent(others(t.busy - containerTicks), t.total),
      targetCpusStealPercent: percent(t.steal, t.total),
      ...record,
    };
  }
  // Shared CPUs: one figure over all of them, with both ours and the containers' time taken out;
  // without the containers' time the target's own work could not be told from a stranger's.
  const shared = tgt !== null && tgt.length > 0;
  const containerTicks = containerTicksOn(containers, all, true);
  if (shared && containerTicks === null) return null;
  const s = setTimes(before, after, all);
  if (!s) return null;
  return {
    intervalMs,
    generatorCpus: formatCpuset(all),
    generatorCpusOtherPercent: percent(others(s.busy - selfTicks - (containerTicks ?? 0)), s.total),
    generatorCpusStealPercent: percent(s.steal, s.total),
    targetCpus: null,
    targetCpusOtherPercent: null,
    targetCpusStealPercent: null,
    ...record,
  };
}
