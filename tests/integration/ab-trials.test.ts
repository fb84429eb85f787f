/**
 * The A/B executor and judge against two in-process fake targets on port 0 (real sockets, the real
 * open-loop engine): a candidate slower by a fixed delay is a regression on latency; two identical
 * servers are not; a candidate that answers 500 is a regression whatever its latency.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { judgeAb } from '../../src/ab/judge.ts';
import { AbDocumentSchema, type AbDocument, type AbSettings } from '../../src/ab/schema.ts';
import { engineFor, runSideBySide } from '../../src/load/index.ts';
import { runAbTrials } from '../../src/run/ab.ts';
import { PATH_TEMPLATE } from '../../src/run/deps.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { resolveScenario } from '../../src/scenario/resolve.ts';
import type { RunningTarget } from '../../src/targets/types.ts';
import { verifyContract } from '../../src/targets/contract.ts';
import { startFakeUsers, type FakeUsers, type FakeUsersOptions } from '../helpers/fake-users.ts';
import type { UrlTargetSpec } from '../../src/scenario/schema.ts';
import { startUrlTarget } from '../../src/targets/url-target.ts';

const scenario = resolveScenario(
  parseScenario(
    `name: ab-fake
targets:
  - { name: fake, url: "http://127.0.0.1:1" }
resources: { cpus: 1 }
load:
  warmupS: 0
  connections: 4
  timeoutMs: 1000
  max: { durationS: 0.3, connections: 4 }
  steps: { rates: [100], durationS: 0.5 }
slo: { p99Ms: 1000, errorRate: 0.01 }
`,
    'ab-fake.yaml',
    { cpuCount: 2 },
  ),
  { targetHostCpuCount: 2, generatorCpuCount: 1 },
);

const settings: AbSettings = {
  pairs: 8,
  design: 'alternating',
  ratesRps: [100],
  stepS: 0.5,
  maxStepS: 0.3,
  warmupS: 0.2,
  confidence: 0.95,
  thresholdsPercent: { p50: 5, p95: 5, p99: 5, maxThroughput: 3, throughput2xx: 2 },
  errorRate: 0.01,
  p99Ms: 1000,
};

const servers: FakeUsers[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A fake server as a running target: what a `url:` target is (nothing to start, stop or sample). */
function asTarget(fake: FakeUsers): RunningTarget {
  return startUrlTarget({ name: 'fake', url: fake.url } as UrlTargetSpec);
}

/** What the duet executor asked of the engine: the phases of every side-by-side step. */
const duetCalls: number[][] = [];
/** And which side each of its specs pointed at, in the engine's order. */
const duetSides: string[][] = [];

/** Which side each plain engine step (not side by side) pointed at: in a duet, only the warm-ups. */
const engineSides: string[] = [];

async function abAgainst(a: FakeUsersOptions, b: FakeUsersOptions, design: AbSettings['design'] = 'alternating', coin = 0.25): Promise<AbDocument> {
  const runSettings = { ...settings, design };
  const fakes = { baseline: await startFakeUsers(a), candidate: await startFakeUsers(b) };
  servers.push(fakes.baseline, fakes.candidate);
  const doc: AbDocument = {
    schemaVersion: 1,
    tool: { name: 'httpbench', version: 'test' },
    status: 'running',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    scenarioName: 'ab-fake',
    scenarioFile: 'ab-fake.yaml',
    settings: runSettings,
    environment: null,
    baseline: { given: 'fake-a', commit: null, images: {}, env: {} },
    candidate: { given: 'fake-b', commit: null, images: {}, env: {} },
    trials: [],
    result: null,
    durationS: null,
  };
  const started: string[] = [];
  engineSides.length = 0;
  const sideOf = (url: string) => (new URL(url).port === new URL(fakes.baseline.url).port ? 'baseline' : new URL(url).port === new URL(fakes.candidate.url).port ? 'candidate' : url);
  await runAbTrials(
    doc,
    {
      scenario,
      settings: runSettings,
      runs: [{ spec: scenario.targets[0]!, configuration: scenario.targets[0]!.configurations[0]! }],
      stepBase: { pathTemplate: PATH_TEMPLATE, ids: scenario.load.ids, workers: 1, timeoutMs: 1000, generatorCpuset: null, pacing: 'sleep' },
      targetCpuCount: 1,
      signal: new AbortController().signal,
    },
    {
      start: async (side) => {
        started.push(side);
        // Each side's "container" reports its own memory, so a step given the other's shows.
        const memoryPeakBytes = side === 'baseline' ? 1000 : 2000;
        return { ...asTarget(fakes[side]), sampleResources: () => ({ stop: async () => ({ cpuPercent: 5, memoryPeakBytes, samples: 1 }) }) };
      },
      verifyContract: (url) => verifyContract(url),
      engine: (name) => {
        const engine = engineFor(name);
        return { name: engine.name, runStep: (spec, signal) => (engineSides.push(sideOf(spec.baseUrl)), engine.runStep(spec, signal)) };
      },
      sideBySide: (specs, phasesUs, signal) => {
        duetCalls.push([...phasesUs]);
        duetSides.push(specs.map((spec) => sideOf(spec.baseUrl)));
        return runSideBySide(specs, phasesUs, signal);
      },
      save: async (d) => void AbDocumentSchema.parse(d),
      log: () => {},
      random: () => coin,
    },
  );
  // Both containers up before the first trial, once each, in the coin's order (below ½: the baseline first).
  expect(started).toEqual(coin < 0.5 ? ['baseline', 'candidate'] : ['candidate', 'baseline']);
  doc.result = judgeAb(doc.trials, runSettings);
  return AbDocumentSchema.parse(doc);
}

describe('ab against fake servers', () => {
  it('a candidate slower by a fixed 3 ms is a regression, never read as unchanged on p50, its median at least 2.5 ms above the baseline median', async () => {
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 5 });
    expect(doc.trials).toHaveLength(8);
    expect(doc.trials.map((t) => t.order[0])).toEqual(['baseline', 'candidate', 'baseline', 'candidate', 'baseline', 'candidate', 'baseline', 'candidate']);
    const metrics = doc.result!.groups[0]!.metrics;
    const p50 = metrics.find((m) => m.id === 'rate-100/p50')!;
    // On a busy shared machine some pairs may be generator-bound and left out; with 6 or more left
    // p50 must be a regression, with fewer it is inconclusive — never unchanged or an improvement.
    expect(p50.verdict, p50.reason).toBe(p50.pairs >= 6 ? 'regression' : 'inconclusive');
    // 2 ms → 5 ms on top of the same loopback time: the candidate's p50 is at least 3 ms more.
    expect(p50.candidateMedian! - p50.baselineMedian!).toBeGreaterThan(2500);
    // And the run fails the gate on latency or on the closed loop (4 connections: 2,000 → 800 req/s).
    expect(doc.result!.outcome).toBe('regression');
    expect(metrics.filter((m) => m.verdict === 'regression').map((m) => m.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^(rate-100\/p50|max\/throughput2xx)$/)]));
  }, 60_000);

  it('duet: both sides measured in the same steps, the first side alternating ABBA by half a slot; a fixed 3 ms slower candidate is a regression on p50', async () => {
    duetCalls.length = 0;
    duetSides.length = 0;
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 5 }, 'duet');
    expect(doc.trials).toHaveLength(8);
    // One side-by-side call per rate and one closed loop per pair; at 100 req/s half a slot is 5 ms.
    expect(duetCalls).toHaveLength(16);
    const ratePhases = duetCalls.filter((_, i) => i % 2 === 0);
    expect(ratePhases).toEqual(doc.trials.map(() => [0, 5000]));
    // The pair's first side is the engine's first share in every step, the closed loop included,
    // and every step keeps its own container's resources whichever went first.
    expect(duetSides).toEqual(doc.trials.flatMap((t) => [[...t.order], [...t.order]]));
    for (const t of doc.trials) expect([t.baseline, t.candidate].map((side) => side.steps.map((s) => s.resources?.memoryPeakBytes))).toEqual([[1000, 1000], [2000, 2000]]);
    expect(doc.trials.map((t) => t.order[0])).toEqual(['baseline', 'candidate', 'baseline', 'candidate', 'baseline', 'candidate', 'baseline', 'candidate']);
    for (const t of doc.trials) for (const side of [t.baseline, t.candidate]) expect(side.steps.map((s) => s.notes.some((n) => n.includes('side by side')))).toEqual([true, true]);
    const p50 = doc.result!.groups[0]!.metrics.find((m) => m.id === 'rate-100/p50')!;
    expect(p50.verdict, p50.reason).toBe(p50.pairs >= 6 ? 'regression' : 'inconclusive');
    expect(p50.candidateMedian! - p50.baselineMedian!).toBeGreaterThan(2500);
  }, 60_000);

  it('duet: a coin of 0.75 starts and warms up the candidate first, and every trial records it', async () => {
    const doc = await abAgainst({ delayMs: 1 }, { delayMs: 1 }, 'duet', 0.75);
    expect(engineSides).toEqual(['candidate', 'baseline']);
    expect(doc.trials.map((t) => t.startedFirst)).toEqual(Array(8).fill('candidate'));
    // The pairs' ABBA order does not follow the start order: it always opens with the baseline.
    expect(doc.trials[0]!.order).toEqual(['baseline', 'candidate']);
  }, 60_000);

  it('duet: two identical servers give no regression', async () => {
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 2 }, 'duet');
    expect(doc.result!.groups[0]!.metrics.filter((m) => m.verdict === 'regression')).toEqual([]);
  }, 60_000);

  it('two identical servers: no regression', async () => {
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 2 });
    expect(doc.result!.outcome).not.toBe('regression');
    expect(doc.result!.groups[0]!.metrics.filter((m) => m.verdict === 'regression')).toEqual([]);
  }, 60_000);

  it('a candidate answering 500 to 1 request in 25 (4 %, over the 1 % budget) is a regression (failures), not a pass', async () => {
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 2, errorEvery: 25 });
    expect(doc.result!.outcome).toBe('regression');
    const failures = doc.result!.groups[0]!.metrics.find((m) => m.id === 'rate-100/failures')!;
    expect(failures.verdict, failures.reason).toBe('regression');
    expect(failures.candidateMedian!).toBeGreaterThan(0.03);
  }, 60_000);

  it('a candidate that fails the contract (every other request a 500) is a regression with the reason', async () => {
    const doc = await abAgainst({ delayMs: 2 }, { delayMs: 2, errorEvery: 2 });
    expect(doc.result!.outcome).toBe('regression');
    expect(doc.result!.reasons.join('\n')).toMatch(/the candidate failed in 1 trial\(s\) the baseline completed: pre-flight contract failed/);
  }, 60_000);
});
