/**
 * The contention arithmetic on tiny /proc/stat snapshots with exact numbers: which columns count as
 * task time, ours and the containers' time taken out, steal apart, shared CPUs, clamping.
 */
import { describe, expect, it } from 'vitest';
import { busiestProcesses, contentionFigures, parseCpuStatUsageNs, parsePidStat, parseProcStat, parseUsagePercpu, type CpuReading } from '../../../src/run/cpu-accounting.ts';

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
  it('takes the containers\' cgroup time per CPU when both readings have it, ignoring the estimate', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 90, idle: 10 } });
    const before: CpuReading = { ...read(BEFORE, 0, 0), containers: { perCpuNs: new Map([[0, 0], [1, 0]]), unplacedNs: 0 } };
    // A database on CPU 0 ran 0.2 s there; the target 0.5 s on CPU 1 plus 0.1 s from a v2 cgroup (unplaced).
    const afterR: CpuReading = { ...read(end, 0.5e9, 1e9), containers: { perCpuNs: new Map([[0, 0.2e9], [1, 0.5e9]]), unplacedNs: 0.1e9 } };
    expect(contentionFigures(before, afterR, placed, 9e9)).toMatchObject({ generatorCpusOtherPercent: 30, targetCpusOtherPercent: 30 });
    // One end without cgroups: the estimate on the targets' CPUs, nothing of the run on the generator's.
    expect(contentionFigures(read(BEFORE, 0, 0), afterR, placed, 0.6e9)).toMatchObject({ generatorCpusOtherPercent: 50, targetCpusOtherPercent: 30 });
  });

  it('on the generator CPU: task time minus our own; on the targets: minus the containers', () => {
    // 1 s on two CPUs = 100 ticks each. CPU 0: we ran 60 ticks (0.6 s), someone else 30; CPU 1: the
    // container ran 50 ticks, 20 more were another process's.
    const end = after({ 0: { user: 70, system: 20, idle: 10 }, 1: { user: 60, system: 10, idle: 30 } });
    const c = contentionFigures(read(BEFORE, 1e9, 0), read(end, 1.6e9, 1e9), placed, 0.5e9);
    expect(c).toEqual({
      intervalMs: 1000,
      generatorCpus: '0',
      generatorCpusOtherPercent: 30,
      generatorCpusStealPercent: 0,
      targetCpus: '1',
      targetCpusOtherPercent: 20,
      targetCpusStealPercent: 0,
    });
  });

  it('keeps steal apart and leaves interrupt time out of "other"', () => {
    // CPU 0: 100 ticks = 50 ours + 10 softirq + 5 irq + 20 steal + 15 idle; nobody else ran.
    const end = after({ 0: { user: 40, system: 10, softirq: 10, irq: 5, steal: 20, idle: 15 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.5e9, 1e9), placed, 0)!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.generatorCpusStealPercent).toBe(20);
    expect(c.targetCpusOtherPercent).toBe(0);
  });

  it('does not count guest time twice (it is already inside user)', () => {
    const end = after({ 0: { user: 50, guest: 50, idle: 50 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0, 1e9), placed, 0)!;
    // 50 of the 100 ticks ran someone's task (a VM's vCPU thread counts in user): 50 %, not 100/150.
    expect(c.generatorCpusOtherPercent).toBe(50);
  });

  it('leaves the targets\' "other" unknown when the containers\' CPU is (url: targets)', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 40, idle: 60, steal: 0 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, null)!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.targetCpusOtherPercent).toBeNull();
    expect(c.targetCpusStealPercent).toBe(0);
  });

  it('clamps to [0, 100] when our precise CPU time exceeds the tick-sampled task time', () => {
    const end = after({ 0: { user: 95, idle: 5 }, 1: { idle: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 1e9, 1e9), placed, 2e9)!;
    expect(c.generatorCpusOtherPercent).toBe(0);
    expect(c.targetCpusOtherPercent).toBe(0);
  });

  it('with shared CPUs gives one figure over all of them, ours and the containers\' taken out', () => {
    // Both CPUs: 200 ticks; we ran 80, the container 60, someone else 40.
    const end = after({ 0: { user: 90, idle: 10 }, 1: { user: 90, idle: 10 } });
    const shared = { generatorCpus: [0, 1], targetCpus: [1] };
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.8e9, 1e9), shared, 0.6e9)!;
    expect(c).toMatchObject({ generatorCpus: '0-1', generatorCpusOtherPercent: 20, targetCpus: null, targetCpusOtherPercent: null, targetCpusStealPercent: null });
    // Without the containers' time the target's work cannot be told from a stranger's: no figures.
    expect(contentionFigures(read(BEFORE, 0, 0), read(end, 0.8e9, 1e9), shared, null)).toBeNull();
  });

  it('covers only the generator when the targets run elsewhere (two hosts)', () => {
    const end = after({ 0: { user: 100 }, 1: { user: 100 } });
    const c = contentionFigures(read(BEFORE, 0, 0), read(end, 0.75e9, 1e9), { generatorCpus: [0], targetCpus: null }, null)!;
    expect(c).toMatchObject({ generatorCpus: '0', generatorCpusOtherPercent: 25, targetCpus: null });
  });

  it('is null when a CPU of the placement is missing from /proc/stat', () => {
    expect(contentionFigures(read(BEFORE, 0, 0), read(BEFORE, 0, 1e9), { generatorCpus: [0], targetCpus: [7] }, 0)).toBeNull();
  });
});

describe('processes', () => {
  it('reads /proc/<pid>/stat, with a command name holding spaces and parentheses', () => {
    const stat = '4242 (my (odd) cmd) R 1 4242 4242 0 -1 4194304 100 0 0 0 170 30 0 0 20 0 1 0 5000 1000 100';
    expect(parsePidStat(stat)).toEqual({ pid: 4242, command: 'my (odd) cmd', ticks: 200 });
    expect(parsePidStat('garbage')).toBeNull();
  });

  it('names the busiest processes over a window, without the excluded ones and the idle', () => {
    const before = [{ pid: 1, command: 'a', ticks: 10 }, { pid: 2, command: 'b', ticks: 0 }, { pid: 3, command: 'me', ticks: 0 }];
    const after = [{ pid: 1, command: 'a', ticks: 60 }, { pid: 2, command: 'b', ticks: 120 }, { pid: 3, command: 'me', ticks: 500 }, { pid: 4, command: 'new', ticks: 20 }, { pid: 5, command: 'idle', ticks: 0 }];
    // 1 s window: b 120 ticks = 120 % (two threads), a 50 %, new 20 % (started within the window).
    expect(busiestProcesses(before, after, 1e9, new Set([3]))).toEqual([
      { command: 'b', cpuPercent: 120 },
      { command: 'a', cpuPercent: 50 },
      { command: 'new', cpuPercent: 20 },
    ]);
    expect(busiestProcesses(before, after, 1e9, new Set([3]), 1)).toEqual([{ command: 'b', cpuPercent: 120 }]);
    expect(busiestProcesses(before, after, 0, new Set())).toEqual([]);
  });
});
