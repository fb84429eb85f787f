/**
 * The probe around a step and the check before the first step, on scripted sources: which readings
 * it takes when, how the containers' mean CPU becomes time over the window, and the one-line warning.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessTicks } from '../../../src/run/process-accounting.ts';
import { contentionProbe, placementOf, quietCheck, type ProbeSources } from '../../../src/run/contention-probe.ts';

/** Sources that hand out the given /proc/stat texts, CPU times and clock readings in order. */
function scripted(
  stats: string[],
  selfNs: number[],
  nowNs: number[],
  load = 0.1,
  cpuCount = 2,
  containers: Record<string, Array<{ perCpuNs: number[] } | { totalNs: number } | null>> = {},
  processes: ProcessTicks[][] = [],
  containerPids: Record<string, number[]> = {},
): ProbeSources & { reads: () => number } {
  let s = 0;
  let c = 0;
  let t = 0;
  return {
    procStat: () => stats[Math.min(s++, stats.length - 1)]!,
    selfNs: () => selfNs[Math.min(c++, selfNs.length - 1)]!,
    nowNs: () => nowNs[Math.min(t++, nowNs.length - 1)]!,
    loadAverage: async () => load,
    cpuCount,
    containerCpu: (id) => containers[id]?.shift() ?? null,
    containerPids: (id) => containerPids[id] ?? [],
    processes: () => processes.shift() ?? [],
    reads: () => s,
  };
}

const T0 = 'cpu0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0';
// 2 s later: CPU 0 fully busy (200 ticks), CPU 1 busy 120 of 200 ticks.
const T1 = 'cpu0 150 0 50 0 0 0 0 0\ncpu1 100 0 20 80 0 0 0 0';

describe('contentionProbe', () => {
  it('reads at open and at close; the containers\' mean CPU counts over the window', async () => {
    // The first /proc/stat read checks it is there; then one at open and one at close.
    const sources = scripted([T0, T0, T1], [0, 1.5e9], [0, 2e9]);
    const probe = contentionProbe(placementOf('0', '1', 2), sources)!;
    const window = await probe.open();
    expect(sources.reads()).toBe(2);
    const closed = window.close();
    expect(sources.reads()).toBe(3);
    // We ran 1.5 s of CPU 0's 2 s: others 25 %. The container used 50 % of one core over 2 s = 100
    // ticks of CPU 1's 120 busy: others 20 of 200 ticks = 10 %.
    expect(closed.figures({ target: 50 })).toMatchObject({ intervalMs: 2000, generatorCpusOtherPercent: 25, targetCpusOtherPercent: 10 });
    expect(closed.figures({ target: null })).toMatchObject({ generatorCpusOtherPercent: 25, targetCpusOtherPercent: null });
  });

  it('takes the containers\' CPU from their cgroups at the same two instants when it can', async () => {
    // Target container on CPU 1: 1.0 s of CPU (100 ticks of the 120 busy); a database on the
    // generator's CPU 0: 0.2 s there (v1 reports per CPU), so only 0.3 s of CPU 0 is someone else's.
    const containers = {
      aaaaaaaaaaaa: [{ perCpuNs: [0, 5e9] }, { perCpuNs: [0, 6e9] }],
      bbbbbbbbbbbb: [{ perCpuNs: [1e9, 0] }, { perCpuNs: [1.2e9, 0] }],
    };
    const sources = scripted([T0, T0, T1], [0, 1.5e9], [0, 2e9], 0.1, 2, containers);
    const probe = contentionProbe(placementOf('0', '1', 2), sources, async () => [
      { id: 'aaaaaaaaaaaa', role: 'target' },
      { id: 'bbbbbbbbbbbb', role: 'database' },
    ])!;
    const closed = (await probe.open()).close();
    // The sampler's figures (here a wrong 0 %) are not used when the cgroups were read.
    expect(closed.figures({ target: 0, database: 0 })).toMatchObject({
      generatorCpusOtherPercent: 15,
      targetCpusOtherPercent: 10,
      containers: [
        { role: 'target', source: 'cgroup', cpuPercent: 50 },
        { role: 'database', source: 'cgroup', cpuPercent: 10 },
      ],
    });
  });

  it('falls back per container: an unreadable database takes its sampler figure, the target stays exact', async () => {
    // Target on CPU 1: 1.0 s from its cgroup (its sampler says a wrong 0 %). The database, also on
    // CPU 1, cannot be read at the end: its sampler's 10 % of one core over 2 s = 20 ticks. CPU 1 was
    // busy 120 ticks: 100 the target's, 20 the database's, none anyone else's.
    const containers = { aaaaaaaaaaaa: [{ perCpuNs: [0, 5e9] }, { perCpuNs: [0, 6e9] }], bbbbbbbbbbbb: [{ perCpuNs: [0, 1e9] }, null] };
    const sources = scripted([T0, T0, T1], [0, 2e9], [0, 2e9], 0.1, 2, containers);
    const probe = contentionProbe(placementOf('0', '1', 2), sources, async () => [
      { id: 'aaaaaaaaaaaa', role: 'target' },
      { id: 'bbbbbbbbbbbb', role: 'database' },
    ])!;
    expect((await probe.open()).close().figures({ target: 0, database: 10 })).toMatchObject({
      targetCpusOtherPercent: 0,
      containers: [
        { role: 'target', source: 'cgroup', cpuPercent: 50 },
        { role: 'database', source: 'stats', cpuPercent: 10 },
      ],
    });
  });

  it('bounds "other" by the other processes\' own time only when the listing holds the whole machine', async () => {
    // CPU 1 busy 120 ticks, the container's cgroup 100: 20 ticks (10 %) beyond it. Every other
    // process together ran 4 ticks (2 %): the rest was nobody's (waking the CPU).
    const list = (withKernel: boolean, ticks: number) => [
      ...(withKernel ? [{ pid: 2, ppid: 0, command: 'kthreadd', ticks: 0 }] : []),
      { pid: 60, command: 'cron', ticks },
    ];
    const run = async (withKernel: boolean) => {
      const containers = { aaaaaaaaaaaa: [{ perCpuNs: [0, 5e9] }, { perCpuNs: [0, 6e9] }] };
      const sources = scripted([T0, T0, T1], [0, 2e9], [0, 2e9], 0.1, 2, containers, [list(withKernel, 0), list(withKernel, 4)]);
      const probe = contentionProbe(placementOf('0', '1', 2), sources, async () => [{ id: 'aaaaaaaaaaaa', role: 'target' }])!;
      return (await probe.open()).close().figures({ target: null });
    };
    expect(await run(true)).toMatchObject({ targetCpusOtherPercent: 2, otherProcessesPercent: 2 });
    // In a container's PID namespace (no kernel threads listed) a neighbour would be invisible: no bound.
    const unbounded = await run(false);
    expect(unbounded?.targetCpusOtherPercent).toBe(10);
    expect(unbounded?.otherProcessesPercent).toBeUndefined();
  });

  it('records the busiest other processes of the window: not this process, not the containers\' own; children marked', async () => {
    const procs = [
      [{ pid: 50, command: 'server', ticks: 0 }, { pid: process.pid, command: 'node', ticks: 0 }, { pid: 60, command: 'cc1', ticks: 0 }, { pid: 61, ppid: process.pid, command: 'esbuild', ticks: 0 }],
      [{ pid: 50, command: 'server', ticks: 100 }, { pid: process.pid, command: 'node', ticks: 150 }, { pid: 60, command: 'cc1', ticks: 30 }, { pid: 61, ppid: process.pid, command: 'esbuild', ticks: 10 }],
    ];
    const containers = { aaaaaaaaaaaa: [{ perCpuNs: [0, 0] }, { perCpuNs: [0, 1e9] }] };
    const sources = scripted([T0, T0, T1], [0, 1.5e9], [0, 2e9], 0.1, 2, containers, procs, { aaaaaaaaaaaa: [50] });
    const probe = contentionProbe(placementOf('0', '1', 2), sources, async () => [{ id: 'aaaaaaaaaaaa', role: 'target' }])!;
    const figures = (await probe.open()).close().figures({ target: null });
    // Over the 2-s window: cc1 30 ticks = 15 % of a CPU, esbuild (a child of this process) 5 %.
    expect(figures?.busiest).toEqual([
      { pid: 60, command: 'cc1', cpuPercent: 15 },
      { pid: 61, command: 'esbuild', cpuPercent: 5, child: true },
    ]);
  });

  it('counts a cgroup v2 total on the targets\' CPUs, and falls back to the sampler when a cgroup is unreadable', async () => {
    const v2 = { cccccccccccc: [{ totalNs: 3e9 }, { totalNs: 4.1e9 }] };
    const probe = contentionProbe(placementOf('0', '1', 2), scripted([T0, T0, T1], [0, 2e9], [0, 2e9], 0.1, 2, v2), async () => [{ id: 'cccccccccccc', role: 'target' }])!;
    // 1.1 s of the container: 110 of CPU 1's 120 busy ticks → 5 %.
    expect((await probe.open()).close().figures({ target: null })).toMatchObject({ generatorCpusOtherPercent: 0, targetCpusOtherPercent: 5 });
    const gone = { dddddddddddd: [{ totalNs: 1e9 }, null] };
    const fallback = contentionProbe(placementOf('0', '1', 2), scripted([T0, T0, T1], [0, 2e9], [0, 2e9], 0.1, 2, gone), async () => [{ id: 'dddddddddddd', role: 'target' }])!;
    // Unreadable at the end: the sampler's 50 % of one core over 2 s (100 ticks) → 10 %.
    expect((await fallback.open()).close().figures({ target: 50 })).toMatchObject({ targetCpusOtherPercent: 10, containers: [{ role: 'target', source: 'stats', cpuPercent: 50 }] });
    const failing = contentionProbe(placementOf('0', '1', 2), scripted([T0, T0, T1], [0, 2e9], [0, 2e9]), async () => {
      throw new Error('docker is gone');
    })!;
    expect((await failing.open()).close().figures({ target: 50 })).toMatchObject({ targetCpusOtherPercent: 10 });
  });

  it('is absent where there is no /proc/stat', () => {
    const missing: ProbeSources = { ...scripted([''], [0], [0]), procStat: () => { throw new Error('ENOENT'); } };
    expect(contentionProbe(placementOf('0', '1', 2), missing)).toBeNull();
    expect(contentionProbe(placementOf('0', '1', 2), scripted(['no cpu lines'], [0], [0]))).toBeNull();
  });

  it('places an unpinned generator on every CPU, and the targets nowhere when they run elsewhere', () => {
    expect(placementOf(null, '1', 4)).toEqual({ generatorCpus: [0, 1, 2, 3], targetCpus: [1] });
    expect(placementOf('0-1', null, 4)).toEqual({ generatorCpus: [0, 1], targetCpus: null });
  });
});

describe('quietCheck', () => {
  it('says nothing on a quiet machine', async () => {
    const quiet = 'cpu0 1 0 1 198 0 0 0 0\ncpu1 2 0 0 198 0 0 0 0';
    expect(await quietCheck(placementOf('0', '1', 2), 1, scripted([T0, T0, quiet], [0, 0], [0, 2e9]))).toBeNull();
  });

  it('warns in one line naming the busy CPUs, the load average and the busiest processes', async () => {
    const procs = [
      [{ pid: 10, command: 'cc1', ticks: 1000 }, { pid: 11, command: 'node\x1b[2J', ticks: 50 }, { pid: process.pid, command: 'httpbench', ticks: 0 }],
      [{ pid: 10, command: 'cc1', ticks: 1180 }, { pid: 11, command: 'node\x1b[2J', ticks: 110 }, { pid: process.pid, command: 'httpbench', ticks: 200 }, { pid: 12, command: 'sh', ticks: 1 }],
    ];
    const line = await quietCheck(placementOf('0', '1', 2), 1, scripted([T0, T0, T1], [0, 0], [0, 2e9], 1.5, 2, {}, procs));
    expect(line).not.toBeNull();
    expect(line!.split('\n')).toHaveLength(1);
    expect(line).toContain("other processes took 100 % of the generator's CPU 0");
    expect(line).toContain("60 % of the targets' CPU 1");
    expect(line).toContain('load average 1.50 on 2 CPUs');
    // Over the 2-s window: cc1 180 ticks = 90 % of a CPU, node 30 %; this process and a 0.5 % shell are left out;
    // a process's own name cannot drive the terminal.
    expect(line).toContain('busiest: cc1 90 %, node?[2J 30 %)');
  });

  it('warns on a load average above the CPU count even when the sampled second was calm', async () => {
    const quiet = 'cpu0 0 0 0 200 0 0 0 0\ncpu1 0 0 0 200 0 0 0 0';
    const line = await quietCheck(placementOf('0', '1', 2), 1, scripted([T0, T0, quiet], [0, 0], [0, 2e9], 3.25));
    expect(line).toMatch(/^warning: the machine is not quiet before the first step \(load average 3\.25 on 2 CPUs\)/);
  });
});
