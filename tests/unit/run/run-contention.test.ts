/**
 * The orchestrator's contention hook with a scripted machine: the window opens before each step's
 * engine call and closes right after it, before the Docker stats sampler stops; the containers' CPU
 * comes from that sampler; a step during which a hog ran on the generator's CPU is stored with its
 * figure and logged as contended, the others are not; calibration steps are covered too.
 */
import { describe, expect, it } from 'vitest';
import { stepContention } from '../../../src/analysis/contention.ts';
import type { EngineStep, LoadEngine } from '../../../src/load/types.ts';
import { contentionProbe, placementOf, type ProbeSources } from '../../../src/run/contention-probe.ts';
import { runBenchmark, type RunDeps, type RunInput } from '../../../src/run/run.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { resolveScenario } from '../../../src/scenario/resolve.ts';
import { RunDocumentSchema, type RunDocument } from '../../../src/schema/run.ts';
import { createHistogram, encodeHistogram, percentilesUs, recordUs } from '../../../src/samples/histogram.ts';
import type { RunningTarget } from '../../../src/targets/types.ts';

const yaml = `
name: t
targets:
  - { name: a, url: "http://127.0.0.1:1001" }
load:
  warmupS: 0
  max: { durationS: 1 }
  steps: { rates: [100, 200, 400], durationS: 1, stopAtSaturation: false }
  knee: { refineSteps: 0 }
  calibration: { durationS: 1 }
slo: { p99Ms: 50, errorRate: 0.01 }
`;

/** A 2-CPU machine in ticks: CPU 0 is the generator's (busy-polled), CPU 1 the target's. */
class Machine {
  cpu = [{ user: 0, idle: 0 }, { user: 0, idle: 0 }];
  selfNs = 0;
  nowNs = 0;
  events: string[] = [];

  /** One second: the generator spins on CPU 0 (a hog takes `hogShare` of it); the target uses `targetShare` of CPU 1. */
  second(hogShare: number, targetShare: number): void {
    this.nowNs += 1e9;
    this.selfNs += (1 - hogShare) * 1e9;
    this.cpu[0]!.user += 100;
    this.cpu[1]!.user += targetShare * 100;
    this.cpu[1]!.idle += (1 - targetShare) * 100;
  }

  sources(): ProbeSources {
    return {
      procStat: () => {
        this.events.push('read');
        return this.cpu.map((c, i) => `cpu${i} ${c.user} 0 0 ${c.idle} 0 0 0 0`).join('\n');
      },
      selfNs: () => this.selfNs,
      nowNs: () => this.nowNs,
      loadAverage: async () => 0,
      cpuCount: 2,
      // No cgroups here: the stats sampler's figure stands in.
      containerCpu: () => null,
      containerPids: () => [],
      processes: () => [],
    };
  }
}

function step(rateRps: number | null, durationS: number): EngineStep {
  const h = createHistogram();
  recordUs(h, 1000);
  const p = percentilesUs(h);
  const n = Math.round((rateRps ?? 500) * durationS);
  return {
    engine: 'openloop', offeredRps: rateRps, achievedRps: rateRps ?? 500, durationS, connections: 8,
    counts: { sent: n, completed: n, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
    latencyUs: { uncorrected: p, corrected: rateRps === null ? null : p },
    generator: { cpuPercent: 100, workers: 1, cpuset: '0', bound: false, boundReasons: [], latenessUs: null, eventLoopDelayP99Us: null },
    notes: [], histograms: { uncorrected: encodeHistogram(h), corrected: null, lateness: null, intervalLog: null },
  };
}

function setup(hogAt: (baseUrl: string, rateRps: number | null) => number) {
  const machine = new Machine();
  const logs: string[] = [];
  const saved: RunDocument[] = [];
  const engine: LoadEngine = {
    name: 'openloop',
    async runStep(spec) {
      machine.events.push(`engine ${spec.baseUrl.slice(-4)} ${spec.rateRps ?? 'max'}`);
      // A 40 % target on CPU 1 for the targets' steps; the calibration server is idle-ish (10 %).
      machine.second(hogAt(spec.baseUrl, spec.rateRps), spec.baseUrl.endsWith('1999') ? 0.1 : 0.4);
      return step(spec.rateRps, spec.durationS);
    },
  };
  const target = (baseUrl: string): RunningTarget => ({
    baseUrl, image: null, coldStartMs: null, limits: null, idleMemoryBytes: null,
    // The Docker stats sampler: 40 % of one core over the step.
    sampleResources: () => ({ stop: async () => (machine.events.push('sampler stop'), { cpuPercent: 40, memoryPeakBytes: 1, samples: 2 }) }),
    state: async () => ({ running: true, exitCode: null, oomKilled: false }),
    logsTail: async () => '',
    stop: async () => {},
  });
  const deps: RunDeps = {
    buildImage: async () => { throw new Error('no docker here'); },
    startTarget: async (opts) => target((opts.spec as { url: string }).url),
    startCalibration: async () => ({ target: target('http://127.0.0.1:1999'), server: 'calibration' }),
    verifyContract: async () => ({ ok: true, failures: [] }),
    engine: () => engine,
    save: async (doc) => void saved.push(RunDocumentSchema.parse(structuredClone(doc))),
    log: (line) => void logs.push(line),
    now: () => new Date('2026-01-01T00:00:00Z'),
    contention: contentionProbe(placementOf('0', '1', 2), machine.sources()),
  };
  const scenario = resolveScenario(parseScenario(yaml, 't', { cpuCount: 2 }), { targetHostCpuCount: 2, generatorCpuCount: 1 });
  const input: RunInput = {
    scenario, claims: null,
    environment: { cpuModel: 'test', cpuCount: 2, memoryBytes: 1, os: 'x', kernel: 'x', arch: 'x64', nodeVersion: 'v20', dockerVersion: null, gitCommit: null, cpusets: { target: '1', generator: '0' } },
    toolVersion: '0.0.0', runId: 'r', targetCpuset: '1', generatorCpuset: '0', source: null, signal: new AbortController().signal,
  };
  return { input, deps, machine, logs, saved };
}

describe('contention per step', () => {
  it('marks the steps a hog on the generator CPU reached, and not the quiet ones', async () => {
    const { input, deps, logs, saved } = setup((url, rate) => (url.endsWith('1001') && rate === 200 ? 0.45 : 0));
    const doc = await runBenchmark(input, deps);
    const steps = doc.targets[0]!.steps;
    expect(steps.map((s) => [s.offeredRps, s.contention?.generatorCpusOtherPercent, s.contention?.targetCpusOtherPercent])).toEqual([
      [null, 0, 0],
      [100, 0, 0],
      [200, 45, 0],
      [400, 0, 0],
    ]);
    expect(steps.map((s) => stepContention(s) !== null)).toEqual([false, false, true, false]);
    expect(steps[2]!.contention).toEqual({
      intervalMs: 1000, generatorCpus: '0', generatorCpusOtherPercent: 45, generatorCpusStealPercent: 0,
      targetCpus: '1', targetCpusOtherPercent: 0, targetCpusStealPercent: 0,
      // No cgroup here: the target's CPU is its stats sampler's, and the record says so.
      containers: [{ role: 'target', source: 'stats', cpuPercent: 40 }],
    });
    expect(logs.filter((l) => l.includes('[contended'))).toEqual([
      "[a/default#1] rate 200 rps: achieved 200 rps, p50 1.00 ms, p99 1.00 ms [contended: other processes took 45 % of the generator's CPU 0]",
    ]);
    // The calibration steps carry the generator side only (the server's CPU is not sampled).
    expect(doc.calibration!.steps.map((s) => s.contention?.generatorCpusOtherPercent)).toEqual([0, 0, 0]);
    expect(doc.calibration!.steps.every((s) => s.contention?.targetCpusOtherPercent === null)).toBe(true);
    expect(saved.at(-1)!.targets[0]!.steps[2]!.contention?.generatorCpusOtherPercent).toBe(45);
  });

  it('takes the closing reading right after the engine, before the stats sampler stops', async () => {
    const { input, deps, machine } = setup(() => 0);
    await runBenchmark(input, deps);
    const targetPart = machine.events.slice(machine.events.indexOf('engine 1001 max') - 1);
    expect(targetPart.slice(0, 4)).toEqual(['read', 'engine 1001 max', 'read', 'sampler stop']);
  });

  it('a hog on the targets\' CPU shows on their side: busy time beyond the container\'s own', async () => {
    const { input, deps, machine } = setup(() => 0);
    const engine = deps.engine('openloop');
    deps.engine = () => ({
      name: 'openloop',
      runStep: async (spec, signal) => {
        const r = await engine.runStep(spec, signal);
        // Someone else ran 30 ticks on CPU 1 during the 400 req/s step, out of its idle time.
        if (spec.rateRps === 400 && spec.baseUrl.endsWith('1001')) {
          machine.cpu[1]!.user += 30;
          machine.cpu[1]!.idle -= 30;
        }
        return r;
      },
    });
    const doc = await runBenchmark(input, deps);
    expect(doc.targets[0]!.steps.map((s) => s.contention?.targetCpusOtherPercent)).toEqual([0, 0, 0, 30]);
    expect(stepContention(doc.targets[0]!.steps[3]!)).toBe("other processes took 30 % of the targets' CPU 1");
  });

  it('records nothing without a probe (older behaviour: no field)', async () => {
    const { input, deps } = setup(() => 0.5);
    delete deps.contention;
    const doc = await runBenchmark(input, deps);
    expect(doc.targets[0]!.steps.every((s) => s.contention === undefined)).toBe(true);
  });
});
