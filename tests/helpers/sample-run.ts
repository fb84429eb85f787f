/**
 * Synthetic run documents for analysis and renderer tests: a realistic sample run (two targets × two
 * configurations × two repetitions, with real encoded HDR histograms) and small builders for
 * hand-made documents with exact numbers. Deterministic: a seeded PRNG, no clock.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RunDocumentSchema, SCHEMA_VERSION, type RunDocument, type Step, type TargetResult, type PercentilesUs } from '../../src/schema/run.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { seededRandom } from '../../src/load/ids.ts';
import { parseClaimsFile } from '../../src/analysis/claims-file.ts';
import type { Claim } from '../../src/schema/claims.ts';
import { createHistogram, recordUs, encodeHistogram, encodeIntervalLog, percentilesUs } from '../../src/samples/histogram.ts';

const ARTICLE_CLAIMS = fileURLToPath(new URL('../../scenarios/claims/article.yaml', import.meta.url));

export function articleClaims(): Claim[] {
  return parseClaimsFile(readFileSync(ARTICLE_CLAIMS, 'utf8'), ARTICLE_CLAIMS).claims;
}

/** Seeded PRNG shared with the load engine (mulberry32), so fixtures are the same on every run. */
export const prng = seededRandom;

const EMPTY = encodeHistogram(createHistogram());

export function percentiles(p50Us: number, p95Us = p50Us * 2, p99Us = p95Us * 1.5, count = 1000): PercentilesUs {
  return { p50: p50Us, p90: Math.round((p50Us + p95Us) / 2), p95: p95Us, p99: p99Us, p999: p99Us * 1.2, max: p99Us * 1.5, mean: p50Us * 1.1, count };
}

/**
 * An encoded histogram consistent with `p` as run.json's checks see it: `p.count` values from p50
 * (all but one) to max (one), so every percentile lies within the histogram's values.
 */
export function histogramFor(p: PercentilesUs): string {
  const h = createHistogram();
  if (p.count > 0) {
    if (p.count > 1) h.recordValueWithCount(Math.max(1, Math.round(p.p50)), p.count - 1);
    h.recordValue(Math.max(1, Math.round(p.max)));
  }
  return encodeHistogram(h);
}

export interface StepInput {
  kind?: Step['kind'];
  offeredRps?: number | null;
  achievedRps: number;
  /** Corrected percentiles (null: only uncorrected, as for the closed-loop step). */
  corrected?: PercentilesUs | null;
  uncorrected?: PercentilesUs;
  generatorBound?: boolean;
  saturated?: boolean;
  cpuPercent?: number | null;
  memoryPeakBytes?: number;
  failed?: number;
  sent?: number;
  notes?: string[];
  histograms?: Step['histograms'];
  engine?: Step['engine'];
}

/** One step with exact figures; histograms are empty unless given. */
export function makeStep(i: StepInput): Step {
  const kind = i.kind ?? 'rate';
  const offered = kind === 'max' ? null : (i.offeredRps ?? i.achievedRps);
  const uncorrected = i.uncorrected ?? i.corrected ?? percentiles(1000);
  const corrected = kind === 'max' ? null : i.corrected === undefined ? uncorrected : i.corrected;
  const sent = i.sent ?? Math.round(i.achievedRps * 5);
  const cpu = i.cpuPercent === undefined ? 100 : i.cpuPercent;
  return {
    kind,
    engine: i.engine ?? (kind === 'max' ? 'autocannon' : 'openloop'),
    offeredRps: offered,
    achievedRps: i.achievedRps,
    durationS: 5,
    connections: kind === 'max' ? 64 : 32,
    counts: { sent, completed: sent - (i.failed ?? 0), errors: 0, timeouts: i.failed ?? 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
    latencyUs: { uncorrected, corrected },
    generator: {
      cpuPercent: i.generatorBound ? 99 : 40,
      workers: 1,
      cpuset: '0-3',
      bound: i.generatorBound ?? false,
      boundReasons: i.generatorBound ? ['generator CPU 99 % of its one worker'] : [],
      latenessUs: kind === 'max' ? null : { p50: 20, p99: 150, max: 900 },
      eventLoopDelayP99Us: 800,
    },
    resources: cpu === null ? null : { cpuPercent: cpu, memoryPeakBytes: i.memoryPeakBytes ?? 50 * 1048576, samples: 5 },
    cpuPercent: cpu,
    saturated: i.saturated ?? false,
    saturationReasons: i.saturated ? ['p99 above the 100 ms SLO'] : [],
    notes: i.notes ?? [],
    histograms: i.histograms ?? { uncorrected: EMPTY, corrected: kind === 'max' ? null : EMPTY, lateness: null, intervalLog: null },
  };
}

export interface TargetInput {
  name: string;
  configuration: string;
  repetition?: number;
  cpus?: number;
  status?: TargetResult['status'];
  reason?: string | null;
  steps?: Step[];
  maxThroughputRps?: number | null;
  sustainableRps?: number | null;
  imageSizeBytes?: number | null;
  coldStartMs?: number | null;
  memoryIdleBytes?: number;
  memoryPeakBytes?: number | null;
}

export function makeTarget(i: TargetInput): TargetResult {
  const steps = i.steps ?? [];
  const max = steps.find((s) => s.kind === 'max');
  return {
    name: i.name,
    configuration: i.configuration,
    cpus: i.cpus ?? 2,
    repetition: i.repetition ?? 0,
    status: i.status ?? 'completed',
    reason: i.reason ?? null,
    image: i.imageSizeBytes === null ? null : { id: `sha256:${i.name}`, sizeBytes: i.imageSizeBytes ?? 100_000_000 },
    coldStartMs: i.coldStartMs === undefined ? 500 : i.coldStartMs,
    memory: i.memoryPeakBytes === null ? null : { idleBytes: i.memoryIdleBytes ?? 20 * 1048576, peakBytes: i.memoryPeakBytes ?? 60 * 1048576 },
    maxThroughputRps: i.maxThroughputRps === undefined ? (max?.achievedRps ?? null) : i.maxThroughputRps,
    sustainableRps: i.sustainableRps === undefined ? null : i.sustainableRps,
    sustainableIsLowerBound: false,
    limits: { cpuset: '4-5', memoryBytes: 512 * 1048576, pids: 512, readOnlyRootfs: true, user: '65532:65532' },
    steps,
  };
}

export function makeScenario(rates: number[] = [500, 1000, 2500, 5000, 7500, 10000, 15000, 20000], repeat = 1): RunDocument['scenario'] {
  return ScenarioSchema.parse({
    name: 'article',
    targets: [
      {
        name: 'fastapi',
        context: 'targets/fastapi',
        dockerfile: 'docker/fastapi.Dockerfile',
        handler: 'targets/fastapi/app/main.py',
        configurations: [
          { id: '1-worker', env: { WORKERS: '1' } },
          { id: 'n-workers', env: { WORKERS: '${cpus}' } },
        ],
      },
      {
        name: 'go-chi',
        context: 'targets/go-chi',
        dockerfile: 'docker/go-chi.Dockerfile',
        handler: 'targets/go-chi/handler.go',
        configurations: [
          { id: 'gomaxprocs-1', env: { GOMAXPROCS: '1' } },
          { id: 'all-cores', env: { GOMAXPROCS: '${cpus}' } },
        ],
      },
    ],
    resources: { cpus: 4, targetCpuset: '4-7', generatorCpuset: '0-3' },
    load: { steps: { rates } },
    repeat,
    claims: 'claims/article.yaml',
  });
}

export function makeDoc(targets: TargetResult[], options: { claims?: Claim[] | null; rates?: number[]; handlerLines?: Record<string, number> | null } = {}): RunDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'httpbench', version: '0.1.0' },
    status: 'completed',
    startedAt: '2026-05-01T10:00:00.000Z',
    finishedAt: '2026-05-01T10:20:00.000Z',
    scenario: makeScenario(options.rates),
    claims: options.claims === undefined ? articleClaims() : options.claims,
    environment: {
      cpuModel: 'Example CPU 3000 @ 3.0GHz',
      cpuCount: 8,
      memoryBytes: 16 * 1024 ** 3,
      os: 'Linux 6.8 (Debian 12)',
      kernel: '6.8.0',
      arch: 'x64',
      nodeVersion: 'v20.20.2',
      dockerVersion: '27.3.1',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      cpusets: { target: '4-7', generator: '0-3' },
    },
    source: options.handlerLines === null ? null : { handlerLines: options.handlerLines ?? { fastapi: 6, 'go-chi': 10 } },
    targets,
  };
}

// ---------------------------------------------------------------------------------------------
// The realistic sample run

interface Profile {
  name: string;
  configuration: string;
  /** Capacity of the target, req/s. */
  capacityRps: number;
  /** Median service time at light load, µs. */
  baseUs: number;
  imageBytes: number;
  coldStartMs: number;
  idleMiB: number;
  /** Memory per 1,000 req/s of load, MiB. */
  miBPerKrps: number;
  /** CPUs the service can use (1 for one process / GOMAXPROCS=1). */
  cores: number;
  maxGeneratorBound: boolean;
}

const PROFILES: Profile[] = [
  { name: 'fastapi', configuration: '1-worker', capacityRps: 3100, baseUs: 900, imageBytes: 212_400_000, coldStartMs: 1480, idleMiB: 48, miBPerKrps: 6, cores: 1, maxGeneratorBound: false },
  { name: 'fastapi', configuration: 'n-workers', capacityRps: 11200, baseUs: 1100, imageBytes: 212_400_000, coldStartMs: 2210, idleMiB: 171, miBPerKrps: 4, cores: 4, maxGeneratorBound: false },
  { name: 'go-chi', configuration: 'gomaxprocs-1', capacityRps: 24800, baseUs: 180, imageBytes: 7_300_000, coldStartMs: 240, idleMiB: 6, miBPerKrps: 0.4, cores: 1, maxGeneratorBound: false },
  { name: 'go-chi', configuration: 'all-cores', capacityRps: 61000, baseUs: 160, imageBytes: 7_300_000, coldStartMs: 250, idleMiB: 8, miBPerKrps: 0.3, cores: 4, maxGeneratorBound: true },
];

/** Latency samples for a step at `utilisation` of capacity: lognormal body plus queueing tail. */
function stepHistograms(rand: () => number, baseUs: number, utilisation: number, n: number) {
  const corrected = createHistogram();
  const uncorrected = createHistogram();
  // M/M/1-like growth of waiting time; past capacity the queue keeps growing through the step.
  const queueUs = utilisation < 1 ? (baseUs * utilisation) / (1 - utilisation) : baseUs * 400 * (utilisation - 0.9);
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(rand(), 1e-9);
    const u2 = rand();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const service = baseUs * Math.exp(0.35 * normal);
    const wait = -Math.log(Math.max(rand(), 1e-9)) * queueUs * (utilisation < 1 ? 1 : (i / n) * 2);
    recordUs(uncorrected, service + Math.min(wait, baseUs * 20));
    recordUs(corrected, service + wait);
  }
  return { corrected, uncorrected };
}

function sampleTarget(p: Profile, repetition: number, rates: number[], rand: () => number): TargetResult {
  const jitter = 1 + (rand() - 0.5) * 0.04;
  const capacity = p.capacityRps * jitter;
  const steps: Step[] = [];
  // Closed-loop step: uncorrected latency only.
  {
    const h = stepHistograms(rand, p.baseUs, 0.95, 1500);
    steps.push(
      makeStep({
        kind: 'max',
        achievedRps: Math.round(capacity * (p.maxGeneratorBound ? 0.82 : 1)),
        uncorrected: percentilesUs(h.uncorrected),
        corrected: null,
        generatorBound: p.maxGeneratorBound,
        cpuPercent: Math.round(p.cores * 100 * 0.97),
        memoryPeakBytes: Math.round((p.idleMiB + (capacity / 1000) * p.miBPerKrps) * 1048576),
        notes: ['closed loop (autocannon): latency is uncorrected — coordinated omission hides stalls'],
        histograms: { uncorrected: encodeHistogram(h.uncorrected), corrected: null, lateness: null, intervalLog: null },
      }),
    );
  }
  let sustainable: number | null = null;
  let peak = 0;
  for (const rate of rates) {
    const utilisation = rate / capacity;
    const saturated = utilisation >= 0.97;
    const h = stepHistograms(rand, p.baseUs, Math.min(utilisation, 1.6), 1200);
    const achieved = saturated ? Math.round(capacity * 0.98) : Math.round(rate * (0.998 + rand() * 0.002));
    const memory = Math.round((p.idleMiB + (Math.min(rate, capacity) / 1000) * p.miBPerKrps) * 1048576);
    peak = Math.max(peak, memory);
    const step = makeStep({
      kind: 'rate',
      offeredRps: rate,
      achievedRps: achieved,
      corrected: percentilesUs(h.corrected),
      uncorrected: percentilesUs(h.uncorrected),
      saturated,
      cpuPercent: Math.round(Math.min(1, utilisation) * p.cores * 100 * 0.97),
      memoryPeakBytes: memory,
      failed: saturated ? Math.round(rate * 5 * 0.03) : 0,
      sent: rate * 5,
      histograms: {
        uncorrected: encodeHistogram(h.uncorrected),
        corrected: encodeHistogram(h.corrected),
        lateness: null,
        // Five 1-s intervals, the third one slower (a short stall), as the open-loop engine logs them.
        intervalLog: encodeIntervalLog(
          // Its own PRNG, so adding the log does not shift the figures drawn from `rand`.
          [1, 2, 3, 4, 5].map((i) => ({ startS: i - 1, endS: i, histogram: stepHistograms(prng(rate + i), p.baseUs * (i === 3 ? 4 : 1), Math.min(utilisation, 1.6), 200).corrected })),
          1_777_000_000_000,
          'sample interval log',
        ),
      },
    });
    steps.push(step);
    if (saturated) break;
    sustainable = rate;
  }
  return makeTarget({
    name: p.name,
    configuration: p.configuration,
    repetition,
    cpus: 4,
    steps,
    maxThroughputRps: steps[0]!.achievedRps,
    sustainableRps: sustainable,
    imageSizeBytes: p.imageBytes,
    coldStartMs: Math.round(p.coldStartMs * jitter),
    memoryIdleBytes: p.idleMiB * 1048576,
    memoryPeakBytes: Math.max(peak, steps[0]!.resources!.memoryPeakBytes),
  });
}

/** Two targets × two configurations × two repetitions; validated against RunDocumentSchema. */
export function sampleRun(): RunDocument {
  const rand = prng(42);
  const rates = [500, 1000, 2500, 5000, 7500, 10000, 15000, 20000];
  const targets: TargetResult[] = [];
  // A B B A order across repetitions, as the runner alternates.
  for (const repetition of [0, 1]) {
    const order = repetition % 2 === 0 ? PROFILES : [...PROFILES].reverse();
    for (const p of order) targets.push(sampleTarget(p, repetition, rates, rand));
  }
  const doc = makeDoc(targets, { handlerLines: { fastapi: 6, 'go-chi': 10 } });
  doc.scenario = makeScenario(rates, 2);
  return RunDocumentSchema.parse(doc);
}
