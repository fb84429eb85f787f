/**
 * The metric registry: where every figure is READ — id, unit, direction, how it is read from a
 * repetition (with its caveats) and how it prints, declared once. Where a figure is JUDGED against a
 * rule: judge.ts. compare, claims and thresholds all read here (model: k6's metrics/registry.go,
 * which its thresholds and summary both read).
 *
 * A metric is read per repetition (`TargetResult`) and, for a step metric, at one open-loop step.
 * `readGroup` reads it over the repetitions of one (target, configuration) by the shared rules of
 * step-rules.ts: only usable repetitions count (`isUsable`), a scheduled step is "at" a rate within
 * 1 % (`matchesRate`; knee refinements are left out, their rates come from a search), and a figure
 * that is not the target's is a caveat, never a value to judge: a generator-bound or contended step
 * (contention.ts), a latency percentile of a step where more requests failed or went unsent than
 * its tail (read-latency.ts reads the same rule as a lower bound).
 *
 * API:
 *   METRICS                      every metric, run-level first, then per step
 *   RUN_METRICS, STEP_METRICS    what compare judges by relative change (each has a threshold family)
 *   metricById(id)               one entry, or undefined
 *   scheduledRates(results)      the rates to pair, lowest first, each once (±1 %)
 *   readGroup(metric, results, rateRps?, latency?) → { values, caveats, steps }
 *     rateRps required for a step metric; latency = 'corrected' | 'uncorrected' (default: corrected
 *             only when every step read has it — latencyKindOf)
 *     values  one number per usable repetition that measured it, in the metric's unit
 *     caveats why some repetition's figure is not comparable (generator-bound, a lower bound…);
 *             non-empty means "do not judge a change on these values"
 *     steps   the steps read (step metrics), for rules that need more than the value
 *   metric.format(value)         the value with its unit, through util/format.ts
 *   runInterval(id), LATENCY_METRICS[p].interval   the figure as an interval with caveats, for a rule
 *             (claims.ts, claims-readings.ts; judged by judge.ts)
 *   ABSOLUTE_METRICS[name]       a scenario threshold's metric: its registry entry, unit, reader, printer
 *   FAILURE_RATE, served2xxRps(step), unservedRate(step)   failures and 2xx throughput of a step
 *             (compare/gate.ts judges failures against the error budget, not by a percentage)
 *
 * Adding a metric is one entry here plus its test: compare (compare/group.ts) judges every entry of
 * RUN_METRICS/STEP_METRICS; a threshold names it through ABSOLUTE_METRICS (and scenario/schema.ts).
 */
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import type { ThresholdKey } from '../scenario/compare.ts';
import type { ThresholdMetric } from '../scenario/schema.ts';
import { formatMB, formatMs, formatMsFromUs, formatPercent, formatRps, formatWithUnit, type FigureUnit } from '../util/format.ts';
import { TAIL_FRACTION, type Percentile } from '../schema/percentiles.ts';
import { stepContention } from './contention.ts';
import type { Reading, Rule } from './judge.ts';
import { readStepLatency } from './read-latency.ts';
import { readAtRate, readImageSizeMB, readMaxThroughput, readScalar, readSustainable } from './read-run.ts';
import { commonLatencyKind, intendedRequests, isUsable, matchesRate, unservedRequests } from './step-rules.ts';

/** Unit of a metric's values: requests/s, microseconds, bytes, milliseconds, a fraction of 1. */
export type MetricUnit = 'rps' | 'us' | 'bytes' | 'ms' | 'fraction';

export type Direction = 'higher-is-better' | 'lower-is-better';

/** One repetition's figure, or null when it was not measured, with why it may not be judged. */
export interface MetricReading {
  value: number | null;
  /** Non-empty: the figure is the instrument's, or only a bound — not a change of the target. */
  caveats: string[];
}

interface MetricBase {
  /** Stable id, e.g. "maxThroughputRps", or for a step metric the part after the rate: "p99Us". */
  id: string;
  /** For people: "max throughput", "p99". */
  label: string;
  unit: MetricUnit;
  direction: Direction;
  /** compare's threshold family (percent of the baseline median; scenario/compare.ts); null: compare does not show it. */
  family: ThresholdKey | null;
  format: (value: number) => string;
}

/** A figure of the whole repetition (its closed-loop step, its container, its image). */
export interface RunMetric extends MetricBase {
  scope: 'run';
  read: (result: TargetResult) => MetricReading;
  /**
   * The same figure for a rule (claims, thresholds; judged by judge.ts): an interval with its
   * caveats, in `unit` (the unit rules are written in); `what` names the figure in a reason.
   */
  interval: { unit: AbsoluteUnit; read: (result: TargetResult, what?: string) => Reading };
}

/** A figure of one open-loop step, read at the step's offered rate. */
export interface StepMetric extends MetricBase {
  scope: 'step';
  /** For latency metrics: which percentile (the histogram is chosen per comparison: `latencyKindOf`). */
  percentile?: Percentile;
  read: (step: Step, latency: 'corrected' | 'uncorrected') => MetricReading;
}

/** A latency percentile of a step, in µs for compare and as an interval in ms for a rule. */
export interface LatencyMetric extends StepMetric {
  percentile: Percentile;
  /**
   * The same percentile for a rule (claims, thresholds; judged by judge.ts): read-latency.ts, every
   * caveat included; `where` names the step ("1,000 req/s"). Which step is asked about stays with the asker.
   */
  interval: { unit: 'ms'; read: (step: Step, rule: Rule, where: string, doc: RunDocument) => Reading };
}

export type Metric = RunMetric | StepMetric;

/** A metric compare judges by its relative change: it has a threshold family. */
export type Compared<M extends Metric = Metric> = M & { family: ThresholdKey };

/** Generator-bound: the load side was the limit, so the figure is the generator's, not the target's. */
export const GENERATOR_BOUND_NOTE = 'generator-bound, not comparable';

const formatByUnit: Record<MetricUnit, (v: number) => string> = {
  rps: (v) => `${formatRps(v)} req/s`,
  us: (v) => `${formatMsFromUs(v)} ms`,
  bytes: (v) => `${formatMB(v)} MB`,
  ms: (v) => `${formatMs(v)} ms`,
  fraction: (v) => formatPercent(v, 2),
};

const value = (v: number | null | undefined, caveats: string[] = []): MetricReading => ({ value: v ?? null, caveats });

/**
 * Requests answered 2xx per second of the step: what the target served. achievedRps counts every
 * completed response, a 500 included (run.json keeps that meaning); a 500 served nobody.
 */
export function served2xxRps(step: Pick<Step, 'counts' | 'durationS'>): number {
  return Math.max(0, step.counts.completed - step.counts.non2xx) / step.durationS;
}

/** Failed or never-sent share of the intended requests (non-2xx, errors, timeouts, unserved). */
export function unservedRate(step: Pick<Step, 'counts' | 'offeredRps' | 'durationS'>): number {
  const intended = intendedRequests(step);
  return intended === 0 ? 0 : Math.min(1, unservedRequests(step) / intended);
}

/**
 * Why a step's figures are not the target's to compare: the generator was the limit, or the
 * machine's neighbours took the CPUs (analysis/contention.ts, the rule claims and thresholds use).
 */
function stepCaveats(s: Step): string[] {
  const contended = stepContention(s);
  return [...(s.generator.bound ? [GENERATOR_BOUND_NOTE] : []), ...(contended !== null ? [`contended (${contended}), not comparable`] : [])];
}

export const RUN_METRICS: readonly Compared<RunMetric>[] = [
  {
    scope: 'run',
    id: 'maxThroughputRps',
    label: 'max throughput',
    unit: 'rps',
    direction: 'higher-is-better',
    family: 'throughput',
    format: formatByUnit.rps,
    // The reader claims and thresholds use (read-run.ts): a bound when the generator was the limit.
    interval: { unit: 'req/s', read: readMaxThroughput },
    read: (r) => {
      const reading = readMaxThroughput(r);
      const bound = reading.ok && reading.boundReason !== undefined ? [GENERATOR_BOUND_NOTE] : [];
      const contended = reading.ok && reading.caveat !== undefined ? [`${reading.caveat.brief}, not comparable`] : [];
      return value(r.maxThroughputRps, [...bound, ...contended]);
    },
  },
  {
    scope: 'run',
    id: 'sustainableRps',
    label: 'sustainable rate',
    unit: 'rps',
    direction: 'higher-is-better',
    family: 'throughput',
    format: formatByUnit.rps,
    // Found while the generator was the limit, or before any step failed: only a lower bound.
    interval: { unit: 'req/s', read: readSustainable },
    read: (r) => value(r.sustainableRps, r.sustainableIsLowerBound ? ['sustainable rate only a lower bound (capacity not reached or generator-bound), not comparable'] : []),
  },
  {
    scope: 'run',
    id: 'memoryPeakBytes',
    label: 'memory peak',
    unit: 'bytes',
    direction: 'lower-is-better',
    family: 'memory',
    format: formatByUnit.bytes,
    interval: { unit: 'MiB', read: (r, what = 'peak memory') => readScalar(r.memory === null ? null : r.memory.peakBytes / 1048576, what, r) },
    read: (r) => value(r.memory?.peakBytes),
  },
  {
    scope: 'run',
    id: 'coldStartMs',
    label: 'cold start',
    unit: 'ms',
    direction: 'lower-is-better',
    family: 'coldStart',
    format: formatByUnit.ms,
    interval: { unit: 'ms', read: (r, what = 'cold start') => readScalar(r.coldStartMs, what, r) },
    read: (r) => value(r.coldStartMs),
  },
  {
    scope: 'run',
    id: 'imageSizeBytes',
    label: 'image size',
    unit: 'bytes',
    direction: 'lower-is-better',
    family: 'imageSize',
    format: formatByUnit.bytes,
    interval: { unit: 'MB', read: (r, what) => readImageSizeMB(r, what) },
    read: (r) => value(r.image?.sizeBytes),
  },
];

const latencyMetric = <F extends ThresholdKey | null>(p: Percentile, label: string, family: F): LatencyMetric & { family: F } => ({
  scope: 'step',
  id: `${p}Us`,
  label,
  unit: 'us',
  direction: 'lower-is-better',
  family,
  percentile: p,
  format: formatByUnit.us,
  interval: { unit: 'ms', read: (step, rule, where, doc) => readStepLatency(step, p, rule, where, doc) },
  // Percentiles are of the completed requests: when more failed or went unsent than the tail, the
  // figure is only a lower bound of the target's (read-latency.ts), so a change in it means nothing.
  read: (s, kind) => {
    const tail = unservedRate(s) > TAIL_FRACTION[p] ? [`more than the ${p} tail failed or went unsent (${formatPercent(unservedRate(s), 1)}): a lower bound, not comparable`] : [];
    return value(s.latencyUs[kind]?.[p], [...stepCaveats(s), ...tail]);
  },
});

/**
 * Every latency percentile a rule can name. compare shows p50, p95 and p99 (its table's columns and
 * threshold families); p90 and p99.9 are read for claims and thresholds only.
 */
export const LATENCY_METRICS = {
  p50: latencyMetric('p50', 'p50', 'p50'),
  p90: latencyMetric('p90', 'p90', null),
  p95: latencyMetric('p95', 'p95', 'p95'),
  p99: latencyMetric('p99', 'p99', 'p99'),
  p999: latencyMetric('p999', 'p99.9', null),
} as const satisfies Record<Percentile, LatencyMetric>;

/** What compare reads per step, in its table's order. */
export const STEP_METRICS: readonly Compared<StepMetric>[] = [
  {
    scope: 'step',
    id: 'achievedRps',
    label: 'achieved rate',
    unit: 'rps',
    direction: 'higher-is-better',
    family: 'achievedRps',
    format: formatByUnit.rps,
    read: (s) => value(s.achievedRps, stepCaveats(s)),
  },
  {
    scope: 'step',
    id: 'served2xxRps',
    label: '2xx throughput',
    unit: 'rps',
    direction: 'higher-is-better',
    family: 'achievedRps',
    format: formatByUnit.rps,
    read: (s) => value(served2xxRps(s), stepCaveats(s)),
  },
  LATENCY_METRICS.p50,
  LATENCY_METRICS.p95,
  LATENCY_METRICS.p99,
];

/**
 * Judged by compare's gate rather than by a relative change (compare/gate.ts): the failed share of a
 * step's intended requests, and whether the step saturated. A change from 0 has no percentage.
 */
export const FAILURE_RATE: Compared<StepMetric> = {
  scope: 'step',
  id: 'failureRate',
  label: 'failure rate',
  unit: 'fraction',
  direction: 'lower-is-better',
  family: 'achievedRps',
  format: formatByUnit.fraction,
  read: (s) => value(unservedRate(s), stepCaveats(s)),
};

export const METRICS: readonly Metric[] = [...RUN_METRICS, ...STEP_METRICS, FAILURE_RATE, LATENCY_METRICS.p90, LATENCY_METRICS.p999];

export function metricById(id: string): Metric | undefined {
  return METRICS.find((m) => m.id === id);
}

/** The interval reader of a run metric (claims and thresholds read a repetition's figure through it). */
export function runInterval(id: string): RunMetric['interval']['read'] {
  const metric = metricById(id);
  if (metric?.scope !== 'run') throw new Error(`no run metric ${id} in the registry`);
  return metric.interval.read;
}

/** The units an absolute rule is written in (schema/verdicts.ts ThresholdFigure). */
export type AbsoluteUnit = Exclude<FigureUnit, 'ratio'>;

/** What an absolute rule asks of a repetition: its rate (at-rate metrics), its rule (for the floor), the run. */
export interface AbsoluteQuery {
  atRps?: number;
  rule: Rule;
  doc: RunDocument;
}

/**
 * A metric as an absolute rule names it (the scenario's `thresholds:`, judged by judge.ts): its name
 * there, its unit there, the registry entry of the same figure, and how one repetition is read as an
 * interval with caveats (the entry's `interval` reader, with the threshold's own wording).
 */
export interface AbsoluteMetric {
  name: ThresholdMetric;
  label: string;
  unit: AbsoluteUnit;
  metric: Metric;
  /** Measured at one open-loop step, so the rule names its rate (`atRps`). */
  atRate: boolean;
  read: (r: TargetResult, q: AbsoluteQuery) => Reading;
  format: (value: number) => string;
}

const absolute = (name: ThresholdMetric, label: string, unit: AbsoluteUnit, metricId: string, read: AbsoluteMetric['read'], atRate = false): AbsoluteMetric => ({
  name,
  label,
  unit,
  metric: metricById(metricId)!,
  atRate,
  read,
  format: (v) => formatWithUnit(v, unit),
});

const percentileAtRate = (name: ThresholdMetric, p: Percentile): AbsoluteMetric =>
  absolute(name, LATENCY_METRICS[p].label, 'ms', LATENCY_METRICS[p].id, (r, q) => readAtRate(r, q.atRps!, (step, where) => LATENCY_METRICS[p].interval.read(step, q.rule, where, q.doc)), true);

/**
 * Every metric an absolute rule can name, once, each tied to its registry entry: adding one is an
 * entry here (and its name in scenario/schema.ts). The readers are the ones claims use (read-run.ts,
 * read-latency.ts), so a stand-in base or a generator-bound maximum means the same to both.
 */
export const ABSOLUTE_METRICS: Readonly<Record<ThresholdMetric, AbsoluteMetric>> = {
  p50Ms: percentileAtRate('p50Ms', 'p50'),
  p90Ms: percentileAtRate('p90Ms', 'p90'),
  p95Ms: percentileAtRate('p95Ms', 'p95'),
  p99Ms: percentileAtRate('p99Ms', 'p99'),
  p999Ms: percentileAtRate('p999Ms', 'p999'),
  errorRate: absolute('errorRate', 'error rate', 'fraction', 'failureRate', (r, q) => readAtRate(r, q.atRps!, null), true),
  maxRps: absolute('maxRps', 'max throughput', 'req/s', 'maxThroughputRps', (r) => {
    const reading = runInterval('maxThroughputRps')(r);
    return reading.ok && reading.boundReason !== undefined ? { ...reading, note: 'generator-bound: a lower bound' } : reading;
  }),
  sustainableRps: absolute('sustainableRps', 'sustainable throughput', 'req/s', 'sustainableRps', (r) => runInterval('sustainableRps')(r)),
  memoryPeakMiB: absolute('memoryPeakMiB', 'memory peak', 'MiB', 'memoryPeakBytes', (r) =>
    r.memory === null ? { ok: false, reason: `repetition ${r.repetition}: memory was not measured (url: target or no stats)`, brief: 'memory not measured' } : runInterval('memoryPeakBytes')(r),
  ),
  imageSizeMB: absolute('imageSizeMB', 'image size', 'MB', 'imageSizeBytes', (r) => {
    if (r.image === null) return { ok: false, reason: `repetition ${r.repetition}: no image (url: target or build failed)`, brief: 'no image' };
    const reading = runInterval('imageSizeBytes')(r, 'the image the threshold is about');
    return reading.ok && reading.caveat ? { ...reading, note: 'built on a stand-in base' } : reading;
  }),
  coldStartMs: absolute('coldStartMs', 'cold start', 'ms', 'coldStartMs', (r) => runInterval('coldStartMs')(r)),
};

/**
 * The scheduled step at `rateRps` (±1 %) of a repetition. Knee refinement steps are left out: their
 * rates come from a search and differ from run to run, so they pair with nothing.
 */
export function stepAt(result: TargetResult, rateRps: number): Step | undefined {
  return result.steps.find((s) => s.kind === 'rate' && s.offeredRps !== null && matchesRate(s.offeredRps, rateRps));
}

/** The scheduled rates of some repetitions, lowest first, rates within 1 % of one another counted once. */
export function scheduledRates(results: readonly TargetResult[]): number[] {
  const rates: number[] = [];
  const all = results.flatMap((r) => r.steps.filter((s) => s.kind === 'rate' && s.offeredRps !== null).map((s) => s.offeredRps!));
  for (const rate of all.sort((a, b) => a - b)) if (!rates.some((r) => matchesRate(rate, r))) rates.push(rate);
  return rates;
}

/** Usable repetitions only (completed, or interrupted with the steps they finished). */
export function usableResults(results: readonly TargetResult[]): TargetResult[] {
  return results.filter(isUsable);
}

/** The latency histogram steps are compared in: corrected only when every step has it. */
export function latencyKindOf(steps: readonly Step[]): 'corrected' | 'uncorrected' {
  return commonLatencyKind(steps.filter((s) => s.latencyUs.uncorrected !== null));
}

export interface GroupReading {
  /** One value per usable repetition that measured it, in repetition order. */
  values: number[];
  /** Why these values must not be judged (deduplicated); empty when they may. */
  caveats: string[];
  /** Step metrics: the steps read, one per repetition that had the rate. */
  steps: Step[];
}

/**
 * A metric over the usable repetitions of one group; step metrics at `rateRps` (required for them),
 * in `latency`'s histogram (default: the steps' own common kind).
 */
export function readGroup(metric: Metric, results: readonly TargetResult[], rateRps?: number, latency?: 'corrected' | 'uncorrected'): GroupReading {
  const usable = usableResults(results);
  if (metric.scope === 'run') {
    const readings = usable.map((r) => metric.read(r));
    return collect(readings, []);
  }
  if (rateRps === undefined) throw new Error(`step metric ${metric.id} needs a rate`);
  const steps = usable.map((r) => stepAt(r, rateRps)).filter((s): s is Step => s !== undefined);
  const kind = latency ?? latencyKindOf(steps);
  return collect(steps.map((s) => metric.read(s, kind)), steps);
}

function collect(readings: MetricReading[], steps: Step[]): GroupReading {
  return {
    values: readings.map((r) => r.value).filter((v): v is number => v !== null),
    caveats: [...new Set(readings.flatMap((r) => r.caveats))],
    steps,
  };
}
