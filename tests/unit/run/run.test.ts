/**
 * The orchestrator against scripted collaborators: a target with a known capacity, a target that dies
 * mid-run, a contract failure, an interrupt. Exact step sequences, statuses and saved documents.
 */
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.ts';
import type { EngineStep, LoadEngine, StepSpec } from '../../../src/load/types.ts';
import { runBenchmark, type RunDeps, type RunInput } from '../../../src/run/run.ts';
import { parseScenario } from '../../../src/scenario/load.ts';
import { resolveScenario } from '../../../src/scenario/resolve.ts';
import { RunDocumentSchema, type RunDocument } from '../../../src/schema/run.ts';
import type { RunningTarget, TargetState } from '../../../src/targets/types.ts';
import { createHistogram, encodeHistogram, percentilesUs, recordUs } from '../../../src/samples/histogram.ts';

const yaml = `
name: t
targets:
  - name: a
    url: http://127.0.0.1:1001
    configurations:
      - { id: one, env: { W: "1" } }
      - { id: all, env: { W: "\${cpus}" } }
  - { name: b, url: "http://127.0.0.1:1002" }
load:
  warmupS: 0
  steps: { rates: [100, 200, 400, 800], durationS: 1 }
  knee: { refineSteps: 2 }
slo: { p99Ms: 50, errorRate: 0.01 }
`;

/** An engine whose "target" achieves min(offered, capacity) with 1 ms latency below capacity. */
function scriptedEngine(capacity: Record<string, number>, calls: string[], onStep?: (spec: StepSpec) => void): LoadEngine {
  return {
    name: 'openloop',
    async runStep(spec) {
      onStep?.(spec);
      const cap = capacity[spec.baseUrl]!;
      const achieved = spec.rateRps === null ? cap : Math.min(spec.rateRps, cap);
      calls.push(`${spec.baseUrl.slice(-4)}:${spec.rateRps ?? 'max'}`);
      const h = createHistogram();
      recordUs(h, spec.rateRps !== null && spec.rateRps > cap ? 200_000 : 1000);
      const p = percentilesUs(h);
      const sent = Math.round(achieved * spec.durationS);
      const step: EngineStep = {
        engine: 'openloop', offeredRps: spec.rateRps, achievedRps: achieved, durationS: spec.durationS, connections: spec.connections,
        counts: { sent, completed: sent, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
        latencyUs: { uncorrected: p, corrected: spec.rateRps === null ? null : p },
        generator: { cpuPercent: 10, workers: 1, cpuset: '0', bound: false, boundReasons: [], latenessUs: null, eventLoopDelayP99Us: null },
        notes: [], histograms: { uncorrected: encodeHistogram(h), corrected: null, lateness: null, intervalLog: null },
      };
      return step;
    },
  };
}

function fakeTarget(baseUrl: string, state: () => TargetState, stopped: string[]): RunningTarget {
  return {
    baseUrl, image: null, coldStartMs: null, limits: null, idleMemoryBytes: null,
    sampleResources: () => null,
    state: async () => state(),
    logsTail: async () => 'last line',
    stop: async () => void stopped.push(baseUrl),
  };
}

/**
 * Wraps the set-up's engine so b's 400 req/s step (port 1002) reports a generator-bound result: on
 * its first `times` attempts (every attempt when omitted), with this reason and work CPU.
 */
function boundAt400(deps: RunDeps, flag: { reason: string; workCpuPercent?: number; times?: number }): void {
  const engine = deps.engine('openloop');
  let flagged = 0;
  deps.engine = () => ({
    name: 'openloop',
    runStep: async (spec) => {
      const r = await engine.runStep(spec);
      if (spec.baseUrl.endsWith('1002') && spec.rateRps === 400 && flagged++ < (flag.times ?? Infinity)) {
        r.generator.bound = true;
        if (flag.workCpuPercent !== undefined) r.generator.workCpuPercent = flag.workCpuPercent;
        r.generator.boundReasons = [flag.reason];
      }
      return r;
    },
  });
}

function setup(overrides: Partial<RunDeps> = {}, capacity: Record<string, number> = { 'http://127.0.0.1:1001': 300, 'http://127.0.0.1:1002': 1000 }) {
  const scenario = resolveScenario(parseScenario(yaml, 't', { cpuCount: 2 }), { targetHostCpuCount: 2, generatorCpuCount: 1 });
  const calls: string[] = [];
  const stopped: string[] = [];
  const saved: RunDocument[] = [];
  const controller = new AbortController();
  const engine = scriptedEngine(capacity, calls);
  const deps: RunDeps = {
    buildImage: async () => { throw new Error('no docker here'); },
    startTarget: async (opts) => fakeTarget((opts.spec as { url: string }).url, () => ({ running: true, exitCode: null, oomKilled: false }), stopped),
    verifyContract: async () => ({ ok: true, failures: [] }),
    engine: () => engine,
    save: async (doc) => void saved.push(RunDocumentSchema.parse(structuredClone(doc))),
    log: () => {},
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
  const input: RunInput = {
    scenario, claims: null,
    environment: { cpuModel: 'test', cpuCount: 2, memoryBytes: 1, os: 'x', kernel: 'x', arch: 'x64', nodeVersion: 'v20', dockerVersion: null, gitCommit: null, cpusets: { target: '1', generator: '0' } },
    toolVersion: '0.0.0', runId: 'r', targetCpuset: '1', generatorCpuset: '0', source: null, signal: controller.signal,
  };
  return { input, deps, calls, stopped, saved, controller, engine };
}

describe('runBenchmark', () => {
  it('steps up to saturation, refines the knee, skips the twin configuration and saves after every step', async () => {
    const { input, deps, calls, stopped, saved } = setup();
    const doc = await runBenchmark(input, deps);
    expect(doc.status).toBe('completed');
    // a: capacity 300 → 100, 200 ok, 400 saturates; knee bisects 300 (ok: achieved 300 = 100 %), then 350.
    // b: capacity 1000 → every rate sustainable: capacity not reached, so the figure is a lower bound.
    expect(calls).toEqual([
      '1001:max', '1001:100', '1001:200', '1001:400', '1001:300', '1001:350',
      '1002:max', '1002:100', '1002:200', '1002:400', '1002:800',
    ]);
    const [a, twin, b] = doc.targets;
    expect(a).toMatchObject({ name: 'a', configuration: 'one', status: 'completed', maxThroughputRps: 300, sustainableRps: 300, sustainableIsLowerBound: false });
    expect(a!.steps.map((s) => [s.kind, s.offeredRps, s.saturated])).toEqual([
      ['max', null, false], ['rate', 100, false], ['rate', 200, false], ['rate', 400, true], ['knee', 300, false], ['knee', 350, true],
    ]);
    expect(twin).toMatchObject({ configuration: 'all', status: 'skipped' });
    expect(twin!.reason).toContain("identical to configuration 'one'");
    expect(b).toMatchObject({ name: 'b', sustainableRps: 800, sustainableIsLowerBound: true });
    expect(stopped).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']);
    // Saved once at start, after each of 11 steps, after each of 3 targets, and at the end.
    expect(saved.length).toBe(1 + 11 + 3 + 1);
    expect(saved[0]!.status).toBe('running');
    expect(saved.at(-1)!.status).toBe('completed');
  });

  it('tells the progress display the plan, each run and each step, and hands its observer to the engine', async () => {
    const events: string[] = [];
    const observers: unknown[] = [];
    const { input, deps, engine } = setup();
    deps.engine = () => ({ name: 'openloop', runStep: async (spec, signal, observer) => (observers.push(observer), engine.runStep(spec, signal)) });
    deps.progress = {
      planned: (runs, perRunS) => void events.push(`planned ${runs} × ${perRunS} s`),
      runStarted: (label) => void events.push(`run ${label}`),
      stepStarted: (s) => {
        events.push(`step ${s.label} ${s.kind} ${s.rateRps ?? 'closed'} ${s.durationS} s`);
        return { onProgress: () => {} };
      },
      stepEnded: () => void events.push('end'),
    };
    await runBenchmark(input, deps);
    // 2 runs measure (the twin is skipped); each: max 5 s (default) + (4 rates + 2 knee steps) × 1 s = 11 s.
    expect(events.slice(0, 6)).toEqual(['planned 2 × 11 s', 'run a/one#1', 'step a/one#1 max closed 5 s', 'end', 'step a/one#1 rate 100 1 s', 'end']);
    expect(events.filter((e) => e.startsWith('run '))).toEqual(['run a/one#1', 'run b/default#1']);
    expect(events.filter((e) => e.startsWith('step ')).length).toBe(11);
    expect(events.filter((e) => e === 'end').length).toBe(11);
    expect(observers.every((o) => typeof (o as { onProgress?: unknown })?.onProgress === 'function')).toBe(true);
  });

  it('fails a target that dies mid-run with its cause, and still measures the next one', async () => {
    let alive = true;
    const stopped: string[] = [];
    const { input, deps } = setup({
      startTarget: async (opts) => {
        const url = (opts.spec as { url: string }).url;
        return fakeTarget(url, () => (url.endsWith('1001') ? { running: alive, exitCode: 137, oomKilled: true } : { running: true, exitCode: null, oomKilled: false }), stopped);
      },
    });
    const engine = deps.engine('openloop');
    deps.engine = () => ({ name: 'openloop', runStep: async (spec) => { const r = await engine.runStep(spec); if (spec.rateRps === 200) alive = false; return r; } });
    const doc = await runBenchmark(input, deps);
    expect(doc.status).toBe('failed');
    expect(doc.targets[0]!.status).toBe('failed');
    expect(doc.targets[0]!.reason).toContain('OOMKilled');
    expect(doc.targets[0]!.steps.map((s) => s.offeredRps)).toEqual([null, 100, 200]);
    expect(doc.targets[2]!.status).toBe('completed');
    expect(stopped).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']);
  });

  it('says a container removed from outside was removed, not that the target crashed (issue 12)', async () => {
    let present = true;
    const { input, deps } = setup({
      startTarget: async (opts) => {
        const url = (opts.spec as { url: string }).url;
        // What containerState reports once Docker answers 404 for the container.
        return fakeTarget(url, () => (present || !url.endsWith('1001') ? { running: true, exitCode: null, oomKilled: false } : { running: false, exitCode: null, oomKilled: false, removed: true }), []);
      },
    });
    const engine = deps.engine('openloop');
    deps.engine = () => ({ name: 'openloop', runStep: async (spec) => { const r = await engine.runStep(spec); if (spec.rateRps === 100) present = false; return r; } });
    const doc = await runBenchmark(input, deps);
    expect(doc.targets[0]!.status).toBe('failed');
    expect(doc.targets[0]!.reason).toBe(
      "a/one#1: the container was removed from outside httpbench during the step (docker rm, or 'httpbench clean --force')",
    );
  });

  it('does not load a target that fails the pre-flight contract', async () => {
    const { input, deps, calls } = setup({ verifyContract: async (url) => (url.endsWith('1001') ? { ok: false, failures: ['/users/1: id 2 ≠ 1'] } : { ok: true, failures: [] }) });
    const doc = await runBenchmark(input, deps);
    expect(doc.targets[0]).toMatchObject({ status: 'failed', reason: 'pre-flight contract failed: /users/1: id 2 ≠ 1', steps: [] });
    expect(calls.every((c) => c.startsWith('1002'))).toBe(true);
  });

  it('on interrupt keeps completed steps, marks the run interrupted and stops the target', async () => {
    const { input, deps, stopped, saved, controller } = setup();
    const engine = deps.engine('openloop');
    deps.engine = () => ({
      name: 'openloop',
      runStep: async (spec) => {
        const r = await engine.runStep(spec);
        if (spec.rateRps === 200) controller.abort(new InterruptedError('SIGTERM'));
        return r;
      },
    });
    await expect(runBenchmark(input, deps)).rejects.toMatchObject({ exitCode: 143 });
    const last = saved.at(-1)!;
    expect(last.status).toBe('interrupted');
    expect(last.finishedAt).not.toBeNull();
    expect(last.targets).toHaveLength(1);
    expect(last.targets[0]!.status).toBe('interrupted');
    // The step that was running when the signal came is discarded; the completed ones are kept.
    expect(last.targets[0]!.steps.map((s) => s.offeredRps)).toEqual([null, 100]);
    expect(stopped).toEqual(['http://127.0.0.1:1001']);
  });

  it('retries a step that looks generator-bound once, keeps the first attempt as evidence, and goes on when the retry is clean', async () => {
    const { input, deps, calls } = setup();
    // The first look at b's 400 req/s step sees a pause of the VM; the retry does not.
    boundAt400(deps, { reason: 'generator lateness p99 12000 µs > 10000 µs', times: 1 });
    const doc = await runBenchmark(input, deps);
    expect(calls.filter((c) => c.startsWith('1002'))).toEqual(['1002:max', '1002:100', '1002:200', '1002:400', '1002:400', '1002:800']);
    const b = doc.targets[2]!;
    expect(b.steps.map((s) => s.offeredRps)).toEqual([null, 100, 200, 400, 800]);
    expect(b.steps.every((s) => !s.generator.bound)).toBe(true);
    expect(b.retriedSteps!.map((s) => [s.offeredRps, s.generator.bound])).toEqual([[400, true]]);
    expect(b).toMatchObject({ sustainableRps: 800 });
  });

  it('stops the sweep when the retry is generator-bound too and the generator is out of capacity', async () => {
    const { input, deps, calls } = setup();
    boundAt400(deps, { reason: 'generator lateness p50 1500 µs > 1000 µs', workCpuPercent: 95 });
    const doc = await runBenchmark(input, deps);
    expect(calls.filter((c) => c.startsWith('1002'))).toEqual(['1002:max', '1002:100', '1002:200', '1002:400', '1002:400']);
    expect(doc.targets[2]!.steps.map((s) => s.offeredRps)).toEqual([null, 100, 200, 400]);
    expect(doc.targets[2]!.retriedSteps).toHaveLength(1);
  });

  it('measures the floor on the calibration server at every rate before the targets, and stops it', async () => {
    const calibrationUrl = 'http://127.0.0.1:1999';
    const stopped: string[] = [];
    const { input, deps, calls } = setup({}, { 'http://127.0.0.1:1001': 300, 'http://127.0.0.1:1002': 1000, [calibrationUrl]: 100_000 });
    deps.startCalibration = async ({ cpuset }) => ({ target: fakeTarget(calibrationUrl, () => ({ running: true, exitCode: null, oomKilled: false }), stopped), server: `calibration on ${cpuset}` });
    const doc = await runBenchmark(input, deps);
    // The ceiling first (a 1 s warm-up, then the max step's engine in closed loop), then the floor per rate.
    expect(calls.slice(0, 7)).toEqual(['1999:max', '1999:max', '1999:100', '1999:200', '1999:400', '1999:800', '1001:max']);
    expect(doc.calibration!.ceiling).toMatchObject({ achievedRps: 100_000, engine: 'openloop', connections: 64, workers: 1, limitedBy: 'unknown', marginFraction: 0.1 });
    expect(stopped[0]).toBe(calibrationUrl);
    expect(doc.calibration).toMatchObject({ server: 'calibration on 1', cpuset: '1', connections: 32, workers: 1, pacing: 'spin', durationS: 2, error: null });
    expect(doc.calibration!.steps.map((s) => [s.offeredRps, s.achievedRps, s.latencyUs.p50])).toEqual([[100, 100, 1000], [200, 200, 1000], [400, 400, 1000], [800, 800, 1000]]);
  });

  it('hands the measured ceiling to every target step (the engines\' generator-bound rules read it), never to calibration', async () => {
    const calibrationUrl = 'http://127.0.0.1:1999';
    const specs: StepSpec[] = [];
    const { input, deps } = setup({}, { 'http://127.0.0.1:1001': 300, 'http://127.0.0.1:1002': 1000, [calibrationUrl]: 1100 });
    const engine = deps.engine('openloop');
    deps.engine = () => ({ name: 'openloop', runStep: async (spec) => (specs.push(spec), engine.runStep(spec)) });
    deps.startCalibration = async () => ({ target: fakeTarget(calibrationUrl, () => ({ running: true, exitCode: null, oomKilled: false }), []), server: 'calibration' });
    await runBenchmark(input, deps);
    const ceiling = { rps: 1100, limitedBy: 'unknown', marginFraction: 0.1 };
    expect(specs.filter((sp) => sp.baseUrl === calibrationUrl).every((sp) => sp.ceiling === undefined)).toBe(true);
    const targetSpecs = specs.filter((sp) => sp.baseUrl !== calibrationUrl);
    expect(targetSpecs.length).toBeGreaterThan(5);
    expect(targetSpecs.every((sp) => JSON.stringify(sp.ceiling) === JSON.stringify(ceiling))).toBe(true);
    // the max step: the scenario's max engine and connections, closed loop, every generator thread
    expect(targetSpecs[0]).toMatchObject({ rateRps: null, connections: 64, workers: 1 });
  });

  it('with rates: auto, offers a ladder from each target\'s measured maximum merged with the required rates', async () => {
    const { input, deps, calls } = setup();
    input.scenario = { ...input.scenario, load: { ...input.scenario.load, steps: { ...input.scenario.load.steps, rates: 'auto', include: [250] } } };
    const doc = await runBenchmark(input, deps);
    const a = doc.targets.find((t) => t.name === 'a')!;
    // max 300 → 0.1…1.1 × 300 = 30 → 100 (floor), 90 → 100, 180, 240 and 290 (within 20 % of 250: dropped), 330; plus 250
    expect(a.plannedRatesRps).toEqual([100, 180, 250, 330]);
    // 330 saturates (300 < 95 %); the knee bisects 250…330: 290 (ok), then 310 (saturated)
    expect(calls.filter((c) => c.startsWith('1001'))).toEqual(['1001:max', '1001:100', '1001:180', '1001:250', '1001:330', '1001:290', '1001:310']);
    expect(a.sustainableRps).toBe(290);
    const b = doc.targets.find((t) => t.name === 'b')!;
    expect(b.plannedRatesRps).toEqual([100, 250, 600, 800, 950, 1100]);
  });

  it('with rates: auto, goes past a top step the target still sustained, at most three times', async () => {
    const { input, deps, calls } = setup();
    input.scenario = { ...input.scenario, load: { ...input.scenario.load, knee: { refineSteps: 0 }, steps: { ...input.scenario.load.steps, rates: 'auto', include: [] } } };
    const engine = deps.engine('openloop');
    // The closed loop measures half of a's capacity (300): the ladder tops out at 1.1 × 150 = 170.
    deps.engine = () => ({ name: 'openloop', runStep: async (spec) => {
      const r = await engine.runStep(spec);
      return spec.rateRps === null ? { ...r, achievedRps: r.achievedRps / 2 } : r;
    } });
    const doc = await runBenchmark(input, deps);
    const a = doc.targets.find((t) => t.name === 'a')!;
    // 170 sustained → 210 → 260 → 330 (saturated: 300 < 95 %) — a third extension, then stop
    expect(calls.filter((c) => c.startsWith('1001')).slice(-4)).toEqual(['1001:170', '1001:210', '1001:260', '1001:330']);
    expect(a.plannedRatesRps).toEqual([100, 120, 140, 170, 210, 260, 330]);
    expect(a.sustainableRps).toBe(260);
    // b: capacity 1,000, max 500 → top 550 → 690 → 860 → 1,100 (saturated): bounded at three extensions either way
    expect(doc.targets.find((t) => t.name === 'b')!.plannedRatesRps!.slice(-4)).toEqual([550, 690, 860, 1100]);
  });

  it('records a calibration failure in run.json and still measures the targets', async () => {
    const { input, deps } = setup();
    deps.startCalibration = async () => {
      throw new Error('image build failed: no Go base');
    };
    const doc = await runBenchmark(input, deps);
    expect(doc.status).toBe('completed');
    expect(doc.calibration).toMatchObject({ steps: [], error: 'image build failed: no Go base' });
  });
});

describe('runBenchmark on a target host (two machines)', () => {
  it('measures the network floor first (100 req/s, 2 s, one connection), records both hosts, and stops the server', async () => {
    const calibrationUrl = 'http://198.18.0.2:1999';
    const stopped: string[] = [];
    const specs: StepSpec[] = [];
    const { input, deps, calls } = setup({}, { 'http://127.0.0.1:1001': 300, 'http://127.0.0.1:1002': 1000, [calibrationUrl]: 100_000 });
    const engine = deps.engine('openloop');
    deps.engine = () => ({ name: 'openloop', runStep: async (spec) => (specs.push(spec), engine.runStep(spec)) });
    deps.startCalibration = async () => ({ target: fakeTarget(calibrationUrl, () => ({ running: true, exitCode: null, oomKilled: false }), stopped), server: 'calibration' });
    const host = { engine: null, address: null, cpuModel: 'c', cpuCount: 2, memoryBytes: 1, os: 'x', kernel: 'k', arch: 'x64', dockerVersion: null };
    const hosts = [{ ...host, role: 'load' as const }, { ...host, role: 'targets' as const, engine: 'tcp://198.18.0.2:2375', address: '198.18.0.2' }];
    const doc = await runBenchmark({ ...input, hosts, targetAddress: '198.18.0.2' }, deps);
    expect(calls[0]).toBe('1999:100');
    expect(specs[0]).toMatchObject({ rateRps: 100, durationS: 2, connections: 1, workers: 1 });
    expect(stopped[0]).toBe(calibrationUrl);
    expect(doc.network).toMatchObject({ host: '198.18.0.2', rateRps: 100, durationS: 2, error: null });
    expect(doc.network!.floorUs!.p50).toBe(1000);
    expect(doc.hosts).toEqual(hosts);
  });

  it('goes on past a step that stays generator-bound for pacing alone (rate kept, CPU to spare); the step stays marked', async () => {
    const { input, deps, calls } = setup();
    boundAt400(deps, { reason: 'generator lateness p99 11839 µs > 10000 µs', workCpuPercent: 40 });
    const doc = await runBenchmark(input, deps);
    expect(calls.filter((c) => c.startsWith('1002'))).toEqual(['1002:max', '1002:100', '1002:200', '1002:400', '1002:400', '1002:800']);
    const b = doc.targets[2]!;
    expect(b.steps.map((s) => [s.offeredRps, s.generator.bound])).toEqual([[null, false], [100, false], [200, false], [400, true], [800, false]]);
  });
});
