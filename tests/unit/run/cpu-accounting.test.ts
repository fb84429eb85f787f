/**
 * The contention arithmetic on tiny /proc/stat snapshots with exact numbers: which columns count as
 * task time, ours and the containers' time taken out, steal apart, shared CPUs, clamping.
 */
import { describe, expect, it } from 'vitest';
import {
  containerTimes,
  contentionFigures,
  parseCpuStatUsageNs,
  parseProcStat,
  parseUsagePercpu,
  type ContainerRole,
  type ContainerTime,
  type CpuReading,
} from '../../../src/run/cpu-accounting.ts';

// Columns: user nice system idle iowait irq softirq steal guest guest_nice (ticks of 10 ms).
const BEFORE = ['cpu  300 0 200 1000 0 0 0 0 0 0', 'cpu0 100 0 100 500 0 0 0 0 0 0', 'cpu1 200 0 100 500 0 0 0 0 0 0', 'intr 1 2 3', 'ctxt 5'].join('\n');

/** A reading whose CPU lines are BEFORE's plus the given per-CPU increments. */
function after(deltas: Record<number, Partial<Record<'user' | 'nice' | 'system' | 'idle' | 'iowait' | 'irq' | 'softirq' | 'steal' | 'guest', number>>>): string {
  const base: Record<number, number[]> = { 0: [100, 0, 100, 500, 0, 0, 0, 0, 0, 0], 1: [200, 0, 100, 500, 0, 0, 0, 0, 0, 0] };
  const cols = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest'] as const;
  return [0, 1]
    .map((cpu) => `cpu${cpu} ${base[cpu]!.map((v, i) => v + ((i < cols.length ? deltas[cpu]?.[cols[i]!] : 0) ?? 0)).join(' ')}`)
    .join('\n');
}

const read = (text: string, selfNs: number, atNs: number): CpuReading => ({ cpus: parseProcStat(text), selfNs, atNs });
const placed = { generatorCpus: [0], targetCpus: [1] };

/** A role's time from its cgroups: ns per CPU, plus an unplaced (cgroup v2) part. */
const cgroup = (role: ContainerRole, perCpuNs: Record<number, number>, unplacedNs = 0): ContainerTime => ({
  role,
  source: 'cgroup',
  perCpuNs: new Map(Object.entries(perCpuNs).map(([cpu, ns]) => [Number(cpu), ns])),
  unplacedNs,
});
/** The stats sampler's estimate of the target, ns over the window; null: unknown. */
const estimate = (ns: number | null): ContainerTime[] =>
  ns === null ? [{ role: 'target', source: 'unknown', perCpuNs: new Map(), unplacedNs: 0 }] : [{ role: 'target', source: 'stats', perCpuNs: new Map(), unplacedNs: ns }];

describe('parseProcStat', () => {
  it('reads the per-CPU lines and ignores the aggregate and the rest', () => {
    const cpus = parseProcStat(BEFORE);
    expect([...cpus.keys()]).toEqual([0, 1]);
    expect(cpus.get(1)).toEqual({ user: 200, nice: 0, system: 100, idle: 500, iowait: 0, irq: 0, softirq: 0, steal: 0 });
  });

  it('counts missing columns of an old kernel as 0', () => {
    expect(parseProcStat('cpu3 1 2 3 4').get(3)).toEqual({ user: 1, nice: 2, system: 3, idle: 4, iowait: 0, irq: 0, softirq: 0, steal: 0 });
  });

  it('reads nothing from text that is not /proc/stat', () => {
    expect(parseProcStat('').size).toBe(0);
    expect(parseProcStat('cpu  1 2 3').size).toBe(0);
  });
});

describe('cgroup files', () => {
  it('reads cgroup v1 usage_percpu and v2 usage_usec', () => {
    expect(parseUsagePercpu('123 0 456 \n')).toEqual([123, 0, 456]);
    expect(parseUsagePercpu('')).toBeNull();
    expect(parseUsagePercpu('12 x')).toBeNull();
    expect(parseCpuStatUsageNs('usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n')).toBe(1_500_000);
    expect(parseCpuStatUsageNs('user_usec 1000')).toBeNull();
  });
});

describe('contentionFigures', () => {
  it('takes the containers\' cgroup time per CPU: a database on the generator\'s CPU is the run\'s there', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 90, idle: 10 } });
    // A database on CPU 0 ran 0.2 s there; the target 0.5 s on CPU 1 plus 0.1 s from a v2 cgroup (unplaced).
    const containers = [cgroup('database', { 0: 0.2e9 }), cgroup('target', { 1: 0.5e9 }, 0.1e9)];
    expect(contentionFigures(read(BEFORE, 0, 0), read(end, 0.5e9, 1e9), placed, containers)).toMatchObject({
      generatorCpusOtherPercent: 30,
      targetCpusOtherPercent: 30,
      containers: [
        { role: 'database', source: 'cgroup', cpuPercent: 20 },
        { role: 'target', source: 'cgroup', cpuPercent: 60 },
      ],
    });
    // An estimate has no CPU: on the generator's CPU nothing of the run is known but this process.
    expect(contentionFigures(read(BEFORE, 0, 0), read(end, 0.5e9, 1e9), placed, estimate(0.6e9))).toMatchObject({
      generatorCpusOtherPercent: 50,
      targetCpusOtherPercent: 30,
      containers: [{ role: 'target', source: 'stats', cpuPercent: 60 }],
    });
  });

  it('counts busy time as wall time less idle, not the tick-sampled user and system columns', () => {
    // As measured on a tickless VM: over 1 s, CPU 1's user + system say 70 ticks and its columns sum
    // to 130 (ticks charged to short bursts), while its precise idle says 60 ticks of the 100 were
    // idle. The container ran 0.4 s: nobody else did. Task ticks would have read (70 − 40) / 130 = 23 %.
    const end = after({ 0: { user: 100 }, 1: { user: 50, system: 20, idle: 60 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, [cgroup('target', { 1: 0.4e9 })])!;
    expect(c.targetCpusOtherPercent).toBe(0);
    // The other way round: the columns undercount a busy CPU (user 20 of 100 ticks, idle 40): 60
    // ticks were busy, 40 of them the container's, so 20 % was someone else's.
    const under = after({ 0: { user: 100 }, 1: { user: 20, idle: 40 } });
    expect(contentionFigures(read(BEFORE, 0, 0), read(under, 1e9, 1e9), placed, [cgroup('target', { 1: 0.4e9 })])!.targetCpusOtherPercent).toBe(20);
  });

  it('on the generator CPU: busy time minus our own; on the targets: minus the containers', () => {
    // 1 s on two CPUs = 100 ticks each. CPU 0: we ran 60 ticks (0.6 s), someone else 30; CPU 1: the
    // container ran 50 ticks, 20 more were another process's.
    const end = after({ 0: { user: 70, system: 20, idle: 10 }, 1: { user: 60, system: 10, idle: 30 } });
    const c = contentionFigures(read(BEFORE, 1e9, 0), read(end, 1.6e9, 1e9), placed, estimate(0.5e9));
    expect(c).toEqual({
      intervalMs: 1000,
      generatorCpus: '0',
      generatorCpusOtherPercent: 30,
      generatorCpusStealPercent: 0,
      targetCpus: '1',
      targetCpusOtherPercent: 20,
      targetCpusStealPercent: 0,
      containers: [{ role: 'target', source: 'stats', cpuPercent: 50 }],
    });
  });

  it('keeps steal apart and leaves interrupt time out of "other"', () => {
    // CPU 0: 100 ticks = 50 ours + 10 softirq + 5 irq + 20 steal + 15 idle; nobody else ran.
    const end = after({ 0: { user: 40, system: 10, softirq: 10, irq: 5, steal: 20, idle: 15 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.5e9, 1e9), placed, estimate(0))!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.generatorCpusStealPercent).toBe(20);
    expect(c.targetCpusOtherPercent).toBe(0);
  });

  it('does not count guest time twice (it is already inside user)', () => {
    const end = after({ 0: { user: 50, guest: 50, idle: 50 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0, 1e9), placed, estimate(0))!;
    // 50 of the 100 ticks ran someone's task (a VM's vCPU thread counts in user): 50 %, not 100/150.
    expect(c.generatorCpusOtherPercent).toBe(50);
  });

  it('leaves the targets\' "other" unknown when the containers\' CPU is (url: targets)', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 40, idle: 60, steal: 0 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, estimate(null))!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.targetCpusOtherPercent).toBeNull();
    expect(c.targetCpusStealPercent).toBe(0);
  });

  it('clamps to [0, 100] when our precise CPU time exceeds the busy time at tick resolution', () => {
    const end = after({ 0: { user: 95, idle: 5 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, estimate(2e9))!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.targetCpusOtherPercent).toBe(0);
  });

  it('with shared CPUs gives one figure over all of them, ours and the containers\' taken out', () => {
    // Both CPUs: 200 ticks; we ran 80, the container 60, someone else 40.
    const end = after({ 0: { user: 90, idle: 10 }, 1: { user: 90, idle: 10 } });
    const shared = { generatorCpus: [0, 1], targetCpus: [1] };
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.8e9, 1e9), shared, estimate(0.6e9))!;
    expect(c).toMatchObject({ generatorCpus: '0-1', generatorCpusOtherPercent: 20, targetCpus: null, targetCpusOtherPercent: null, targetCpusStealPercent: null });
    // Without the containers' time the target's work cannot be told from a stranger's: no figures.
    expect(contentionFigures(read(BEFORE, 0, 0), read(end, 0.8e9, 1e9), shared, estimate(null))).toBeNull();
  });

  it('covers only the generator when the targets run elsewhere (two hosts)', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.75e9, 1e9), { generatorCpus: [0], targetCpus: null }, estimate(null))!;
    expect(c).toMatchObject({ generatorCpus: '0', generatorCpusOtherPercent: 25, targetCpus: null });
  });

  it('is null when a CPU of the placement is missing from /proc/stat', () => {
    expect(contentionFigures(read(BEFORE, 0, 0), read(BEFORE, 0, 1e9), { generatorCpus: [0], targetCpus: [7] }, estimate(0))).toBeNull();
  });
});

describe('other processes\' time as a bound', () => {
  it('takes no more than every other process used: waking an idle CPU is nobody\'s work', () => {
    // As measured at 2,500 req/s: CPU 1 busy 76 ticks of 214 (wall − idle), the container ran 49,
    // every other thread 3. Without the bound the target's wake-ups read as 27 ticks of others.
    const end = after({ 0: { user: 214 }, 1: { user: 26, system: 58, idle: 138 } });
    const window = [read(BEFORE, 0, 0), read(end, 2.14e9, 2.14e9)] as const;
    const target = [cgroup('target', { 1: 0.49e9 })];
    expect(contentionFigures(...window, placed, target)!.targetCpusOtherPercent).toBeCloseTo((27 / 214) * 100, 10);
    const bounded = contentionFigures(...window, placed, target, 3)!;
    expect(bounded.targetCpusOtherPercent).toBeCloseTo((3 / 214) * 100, 10);
    // Every other process together: 3 ticks over 2.14 s = 1.4 % of one CPU.
    expect(bounded.otherProcessesPercent).toBe(1.4);
  });

  it('leaves a stranger that shows in both at the busy figure', () => {
    // A hog ran 50 of CPU 0's 100 ticks; its threads say 50 too (plus 30 elsewhere on the machine).
    const end = after({ 0: { user: 100 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.5e9, 1e9), placed, estimate(0), 80)!;
    expect(c.generatorCpusOtherPercent).toBe(50);
    expect(c.otherProcessesPercent).toBe(80);
  });
});

describe('containerTimes', () => {
  const listed = [{ id: 't1', role: 'target' as const }, { id: 'db', role: 'database' as const }];
  const at = (entries: Array<[string, { perCpuNs: number[] } | { totalNs: number } | null]>) => new Map(entries);

  it('reads each role from its cgroups, and falls back per role, never all at once', () => {
    const before = at([['t1', { perCpuNs: [0, 1e9] }], ['db', { perCpuNs: [0, 2e9] }]]);
    // The database's cgroup is gone at the end: only it takes the sampler's 30 % over the 1 s window.
    const after = at([['t1', { perCpuNs: [0.1e9, 1.5e9] }], ['db', null]]);
    const times = containerTimes(listed, before, after, { target: 90, database: 30 }, 1e9);
    expect(times).toEqual([
      { role: 'target', source: 'cgroup', perCpuNs: new Map([[0, 0.1e9], [1, 0.5e9]]), unplacedNs: 0 },
      { role: 'database', source: 'stats', perCpuNs: new Map(), unplacedNs: 0.3e9 },
    ]);
    // Without an estimate for it the database is unknown, and the target stays exact.
    expect(containerTimes(listed, before, after, { target: 90 }, 1e9).map((t) => t.source)).toEqual(['cgroup', 'unknown']);
  });

  it('sums a role\'s containers, mixes no v1 with v2 reading, and takes the estimate when nothing was listed', () => {
    const two = [{ id: 'a', role: 'target' as const }, { id: 'b', role: 'target' as const }];
    const before = at([['a', { totalNs: 1e9 }], ['b', { totalNs: 0 }]]);
    expect(containerTimes(two, before, at([['a', { totalNs: 1.2e9 }], ['b', { totalNs: 0.3e9 }]]), {}, 1e9)).toEqual([
      { role: 'target', source: 'cgroup', perCpuNs: new Map(), unplacedNs: 0.5e9 },
    ]);
    expect(containerTimes(two, before, at([['a', { perCpuNs: [1e9] }], ['b', { totalNs: 0.3e9 }]]), { target: 10 }, 2e9)).toEqual([
      { role: 'target', source: 'stats', perCpuNs: new Map(), unplacedNs: 0.2e9 },
    ]);
    expect(containerTimes([], new Map(), new Map(), { target: 50, database: null }, 2e9)).toEqual([
      { role: 'target', source: 'stats', perCpuNs: new Map(), unplacedNs: 1e9 },
      { role: 'database', source: 'unknown', perCpuNs: new Map(), unplacedNs: 0 },
    ]);
  });

  it('leaves the targets\' side unjudged when a role is unknown, and says so per role', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 60, idle: 40 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, [cgroup('target', { 1: 0.4e9 }), { role: 'database', source: 'unknown', perCpuNs: new Map(), unplacedNs: 0 }])!;
    expect(c.targetCpusOtherPercent).toBeNull();
    expect(c.containers).toEqual([
      { role: 'target', source: 'cgroup', cpuPercent: 40 },
      { role: 'database', source: 'unknown', cpuPercent: null },
    ]);
  });
});
