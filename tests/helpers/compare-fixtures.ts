/**
 * Synthetic, schema-valid run documents for compare tests: dialable throughput and latency, N
 * repetitions with multiplicative Gaussian noise from a seeded PRNG, so a test is repeatable and
 * independent of how real runs are produced.
 */
import { RunDocumentSchema, type Environment, type RunDocument, type Step, type TargetResult } from '../../src/schema/run.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { seededRandom } from '../../src/load/ids.ts';
import { histogramFor } from './sample-run.ts';

/** Seeded PRNG shared with the load engine (mulberry32), so fixtures are the same on every run. */
export const mulberry32 = seededRandom;

/** Standard normal deviates by Box–Muller. */
function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export interface FixtureTarget {
  name: string;
  configuration: string;
  /** Closed-loop max throughput, requests/s (before factors and noise). */
  maxThroughputRps: number;
  /** Median latency at the open-loop steps, µs; p95 = 1.6×, p99 = 2.5×. */
  p50Us: number;
  memoryPeakBytes: number;
  coldStartMs: number;
  imageSizeBytes: number;
}

export const DEFAULT_FIXTURE_TARGETS: FixtureTarget[] = [
  { name: 'fastapi', configuration: '1-worker', maxThroughputRps: 2_400, p50Us: 1_800, memoryPeakBytes: 90e6, coldStartMs: 900, imageSizeBytes: 180e6 },
  { name: 'go-chi', configuration: 'default', maxThroughputRps: 14_000, p50Us: 350, memoryPeakBytes: 12e6, coldStartMs: 120, imageSizeBytes: 15e6 },
];

/**
 * Thresholds for the fixtures' synthetic machine, whose run-to-run noise is a few percent (`noise`,
 * 2 % by default): the decision logic is tested against figures of that scale. The real defaults
 * (src/compare/thresholds.ts) are measured on a VM whose latency drifts ~90 % between runs, which
 * would hide every latency case these tests build. Every fixture's scenario carries them in its
 * `compare:` section, so the CLI applies them as it would a real scenario's.
 */
export const FIXTURE_THRESHOLDS_PERCENT = Object.freeze({ throughput: 5, achievedRps: 5, p50: 10, p95: 10, p99: 15, memory: 10, coldStart: 25, imageSize: 5 });

export interface FixtureOptions {
  seed: number;
  repetitions: number;
  /** Relative standard deviation of run-to-run noise (p99 and cold start get twice this). */
  noise?: number;
  scenarioName?: string;
  rates?: number[];
  targets?: FixtureTarget[];
  /** Multiplies max throughput (0.7 = 30 % slower). */
  throughputFactor?: number;
  /** Multiplies every latency percentile (1.3 = 30 % slower). */
  latencyFactor?: number;
  /** Offered rates whose steps are generator-bound in every repetition. */
  generatorBoundRates?: number[];
  environment?: Partial<Environment>;
}

export function buildRunDocument(options: FixtureOptions): RunDocument {
  const noise = options.noise ?? 0.02;
  const rates = options.rates ?? [200, 500];
  const targets = options.targets ?? DEFAULT_FIXTURE_TARGETS;
  const tf = options.throughputFactor ?? 1;
  const lf = options.latencyFactor ?? 1;
  const z = gaussian(mulberry32(options.seed));
  const jitter = (sd: number) => Math.max(0.5, 1 + sd * z());

  const scenario = ScenarioSchema.parse({
    name: options.scenarioName ?? 'ci',
    targets: targets.map((t) => ({
      name: t.name,
      context: `targets/${t.name}`,
      dockerfile: `docker/${t.name}.Dockerfile`,
      configurations: [{ id: t.configuration }],
    })),
    load: { warmupS: 2, max: { durationS: 3 }, steps: { rates, durationS: 3 } },
    repeat: options.repetitions,
    compare: { thresholdsPercent: FIXTURE_THRESHOLDS_PERCENT },
  });

  const results: TargetResult[] = [];
  for (let rep = 0; rep < options.repetitions; rep++) {
    for (const t of targets) {
      const maxRps = t.maxThroughputRps * tf * jitter(noise);
      const steps: Step[] = [step('max', null, maxRps, t.p50Us * 3 * lf * jitter(noise), false, noise, jitter)];
      for (const rate of rates) {
        const bound = options.generatorBoundRates?.includes(rate) ?? false;
        steps.push(step('rate', rate, rate * Math.min(1, 1 + 0.002 * z()), t.p50Us * lf * jitter(noise), bound, noise, jitter));
      }
      results.push({
        name: t.name,
        configuration: t.configuration,
        cpus: 1,
        repetition: rep,
        status: 'completed',
        reason: null,
        image: { id: `sha256:${t.name}`, sizeBytes: t.imageSizeBytes },
        coldStartMs: t.coldStartMs * jitter(2 * noise),
        memory: { idleBytes: Math.round(t.memoryPeakBytes * 0.6), peakBytes: Math.round(t.memoryPeakBytes * jitter(noise)) },
        maxThroughputRps: maxRps,
        sustainableRps: null,
        sustainableIsLowerBound: false,
        limits: null,
        steps,
      });
    }
  }

  const doc = {
    schemaVersion: 1,
    tool: { name: 'httpbench', version: '0.1.0' },
    status: 'completed',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:05:00.000Z',
    scenario,
    claims: null,
    environment: {
      cpuModel: 'Fixture CPU @ 3.0GHz',
      cpuCount: 4,
      memoryBytes: 8 * 2 ** 30,
      os: 'linux',
      kernel: '6.1.0',
      arch: 'x64',
      nodeVersion: 'v20.19.0',
      dockerVersion: '27.0.0',
      gitCommit: null,
      cpusets: { target: '3', generator: '0-2' },
      ...options.environment,
    },
    source: null,
    targets: results,
  };
  return RunDocumentSchema.parse(doc);
}

function step(
  kind: 'max' | 'rate',
  offeredRps: number | null,
  achievedRps: number,
  p50Us: number,
  bound: boolean,
  noise: number,
  jitter: (sd: number) => number,
): Step {
  const p95 = p50Us * 1.6 * jitter(noise);
  const p99 = p95 * 1.56 * jitter(noise);
  // p90 between p50 and p95 whatever the jitter: percentiles never fall (run.json's checks).
  const percentiles = { p50: p50Us, p90: (p50Us + p95) / 2, p95, p99, p999: p99 * 1.5, max: p99 * 2, mean: p50Us * 1.1, count: Math.round(achievedRps * 3) };
  const n = Math.round(achievedRps * 3);
  return {
    kind,
    engine: 'openloop',
    offeredRps,
    achievedRps,
    durationS: 3,
    connections: 32,
    counts: { sent: n, completed: n, errors: 0, timeouts: 0, non2xx: 0, errorsByKind: {}, late: 0, dropped: 0 },
    latencyUs: { uncorrected: percentiles, corrected: kind === 'max' ? null : { ...percentiles } },
    generator: {
      cpuPercent: bound ? 99 : 30,
      workers: 1,
      cpuset: '0-2',
      bound,
      boundReasons: bound ? ['generator CPU ≥ 95 %'] : [],
      latenessUs: null,
      eventLoopDelayP99Us: null,
    },
    resources: { cpuPercent: 50, memoryPeakBytes: 1e6, samples: 3 },
    cpuPercent: 50,
    saturated: false,
    saturationReasons: [],
    notes: [],
    // Consistent with the counts, as readRunDocument's cross-field checks require.
    histograms: { uncorrected: histogramFor(percentiles), corrected: kind === 'max' ? null : histogramFor(percentiles), lateness: null, intervalLog: null },
  };
}

/** An element of the tiny XML tree built by parseXmlStrict. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY_OK = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/**
 * A strict, minimal XML well-formedness check (enough for JUnit output): optional XML declaration,
 * one root, balanced and properly nested tags, double-quoted attributes, no raw "<" or bare "&" in
 * text or attribute values, no duplicate attributes, no control characters. Throws on violation.
 */
export function parseXmlStrict(xml: string): XmlElement {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) throw new Error('control character in XML');
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const token = /^(?:<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"]*")*)\s*(\/?)>|([^<]+))/;
  while (rest.length > 0) {
    const m = token.exec(rest);
    if (!m) throw new Error(`malformed XML near: ${rest.slice(0, 60)}`);
    rest = rest.slice(m[0].length);
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      if (ENTITY_OK.test(text)) throw new Error(`bare & in text: ${text.slice(0, 60)}`);
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error('text outside the root element');
      } else stack.at(-1)!.text += text;
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(/([A-Za-z_][\w:.-]*)="([^"]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      if (a[2]!.includes('<') || ENTITY_OK.test(a[2]!)) throw new Error(`unescaped attribute value ${a[1]}="${a[2]}"`);
      attrs[a[1]!] = a[2]!;
    }
    const el: XmlElement = { name: name!, attrs, children: [], text: '' };
    if (stack.length > 0) stack.at(-1)!.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/**
 * JUnit structure as CI tools read it: <testsuites> of <testsuite name tests failures>, each of
 * <testcase classname name> holding at most one <failure message>/<skipped>; counts must add up.
 * Returns the failures as "suite :: testcase".
 */
export function checkJunitStructure(xml: string): { suites: number; testcases: number; failures: string[]; skipped: number } {
  const root = parseXmlStrict(xml);
  if (root.name !== 'testsuites') throw new Error(`root is <${root.name}>, expected <testsuites>`);
  const failures: string[] = [];
  let testcases = 0;
  let skipped = 0;
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') throw new Error(`<testsuites> child <${suite.name}>`);
    if (!suite.attrs.name) throw new Error('testsuite without name');
    const cases = suite.children.filter((c) => c.name === 'testcase');
    if (suite.children.some((c) => !['testcase', 'properties', 'system-out', 'system-err'].includes(c.name))) throw new Error('unexpected testsuite child');
    if (Number(suite.attrs.tests) !== cases.length) throw new Error(`suite ${suite.attrs.name}: tests="${suite.attrs.tests}" but ${cases.length} testcases`);
    let suiteFailures = 0;
    for (const tc of cases) {
      if (!tc.attrs.name || !tc.attrs.classname) throw new Error('testcase needs name and classname');
      const outcome = tc.children.filter((c) => c.name === 'failure' || c.name === 'skipped' || c.name === 'error');
      if (outcome.length > 1) throw new Error(`testcase ${tc.attrs.name}: more than one outcome`);
      if (outcome[0]?.name === 'failure') {
        if (!outcome[0].attrs.message) throw new Error('failure without message');
        suiteFailures++;
        failures.push(`${suite.attrs.name} :: ${tc.attrs.name}`);
      }
      if (outcome[0]?.name === 'skipped') skipped++;
    }
    if (Number(suite.attrs.failures) !== suiteFailures) throw new Error(`suite ${suite.attrs.name}: failures count mismatch`);
    testcases += cases.length;
  }
  if (Number(root.attrs.tests) !== testcases || Number(root.attrs.failures) !== failures.length) throw new Error('testsuites totals mismatch');
  return { suites: root.children.length, testcases, failures, skipped };
}

/** Bencher Metric Format, as documented at https://bencher.dev/docs/reference/bencher-metric-format (tightened: no extra keys). */
export const BMF_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema',
  type: 'object',
  patternProperties: {
    '.+': {
      type: 'object',
      minProperties: 1,
      patternProperties: {
        '^[a-z0-9]+(?:-[a-z0-9]+)*$': {
          type: 'object',
          properties: { value: { type: 'number' }, lower_value: { type: 'number' }, upper_value: { type: 'number' } },
          required: ['value'],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;


/**
 * The candidates a gate must never pass (issue 22): every response an HTTP 500 (each step then
 * saturated, as the run classifies it, and no sustainable rate), no open-loop steps at all, or every
 * step generator-bound. Built from a healthy run so nothing else differs.
 */
export function hostileCandidate(doc: RunDocument, kind: 'all-500' | 'no-open-loop' | 'all-generator-bound'): RunDocument {
  const targets = doc.targets.map((t) => {
    switch (kind) {
      case 'all-500':
        return {
          ...t,
          sustainableRps: null,
          steps: t.steps.map((s) => ({
            ...s,
            counts: { ...s.counts, non2xx: s.counts.completed },
            saturated: s.kind !== 'max',
            saturationReasons: s.kind !== 'max' ? ['failed requests 100.00% > budget 1.00%'] : [],
          })),
        };
      case 'no-open-loop':
        return { ...t, steps: t.steps.filter((s) => s.kind === 'max') };
      case 'all-generator-bound':
        return { ...t, steps: t.steps.map((s) => ({ ...s, generator: { ...s.generator, bound: true, cpuPercent: 99, boundReasons: ['generator CPU ≥ 95 %'] } })) };
    }
  });
  return RunDocumentSchema.parse({ ...doc, targets });
}
